//! A UART, 8 data bits, no parity, 1 stop bit, least significant bit first, at a fixed
//! number of clocks per bit (`msm_spec::link::clocks_per_bit`).

use rust_hdl::prelude::*;

/// Receives bytes from `rx`: `valid` for one clock with `data` once a byte's stop bit is
/// seen. The line passes two flip-flops first (it is asynchronous to the clock); each bit is
/// sampled in its middle.
#[derive(LogicBlock)]
pub struct UartRx {
    pub clock: Signal<In, Clock>,
    pub rx: Signal<In, Bit>,
    pub valid: Signal<Out, Bit>,
    pub data: Signal<Out, Bits<8>>,
    sync: DFF<Bits<2>>,
    busy: DFF<Bit>,
    count: DFF<Bits<16>>,
    /// 0: the start bit, 1..=8 the data bits, 9 the stop bit.
    bit_index: DFF<Bits<4>>,
    shift: DFF<Bits<8>>,
    valid_q: DFF<Bit>,
    line: Signal<Local, Bit>,
    /// Clocks per bit - 1, and half of that: from a start bit's edge to its middle.
    full: Constant<Bits<16>>,
    half: Constant<Bits<16>>,
    stop: Constant<Bits<4>>,
    one: Constant<Bits<2>>,
    one8: Constant<Bits<8>>,
}

impl UartRx {
    pub fn new(clocks_per_bit: u32) -> Self {
        assert!(
            clocks_per_bit >= 4,
            "the receiver samples mid-bit: 4 clocks a bit at least"
        );
        let cpb = u64::from(clocks_per_bit);
        UartRx {
            clock: Default::default(),
            rx: Default::default(),
            valid: Default::default(),
            data: Default::default(),
            sync: Default::default(),
            busy: Default::default(),
            count: Default::default(),
            bit_index: Default::default(),
            shift: Default::default(),
            valid_q: Default::default(),
            line: Default::default(),
            full: Constant::new((cpb - 1).into()),
            half: Constant::new(((cpb - 1) / 2).into()),
            stop: Constant::new(9.into()),
            one: Constant::new(1.into()),
            one8: Constant::new(1.into()),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sync, busy, count, bit_index, shift, valid_q);
        self.sync.d.next = (self.sync.q.val() << self.one.val()).replace_bit(0, self.rx.val());
        self.line.next = self.sync.q.val().get_bit(1);
        self.valid_q.d.next = false;
        if !self.busy.q.val() {
            if !self.line.val() {
                self.busy.d.next = true;
                self.count.d.next = self.half.val();
                self.bit_index.d.next = 0.into();
            }
        } else if self.count.q.val() != 0 {
            self.count.d.next = self.count.q.val() - 1;
        } else {
            self.count.d.next = self.full.val();
            self.bit_index.d.next = self.bit_index.q.val() + 1;
            if self.bit_index.q.val() == 0 {
                // A glitch, not a start bit.
                if self.line.val() {
                    self.busy.d.next = false;
                }
            } else if self.bit_index.q.val() == self.stop.val() {
                self.busy.d.next = false;
                // A byte without its stop bit is a framing error: dropped.
                self.valid_q.d.next = self.line.val();
            } else {
                self.shift.d.next =
                    (self.shift.q.val() >> self.one8.val()).replace_bit(7, self.line.val());
            }
        }
        self.valid.next = self.valid_q.q.val();
        self.data.next = self.shift.q.val();
    }
}

/// Sends `data` on `tx` when `start` is high and `busy` low.
#[derive(LogicBlock)]
pub struct UartTx {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    pub data: Signal<In, Bits<8>>,
    pub busy: Signal<Out, Bit>,
    pub tx: Signal<Out, Bit>,
    /// Stop bit, data, start bit: shifted out from bit 0.
    shift: DFF<Bits<10>>,
    /// The line inverted, from a flip-flop (no glitches on the pin; flip-flops power up 0 and
    /// the idle line is 1).
    line_n: DFF<Bit>,
    left: DFF<Bits<4>>,
    count: DFF<Bits<16>>,
    full: Constant<Bits<16>>,
    ten: Constant<Bits<4>>,
    stop_bit: Constant<Bits<10>>,
    one: Constant<Bits<10>>,
}

impl UartTx {
    pub fn new(clocks_per_bit: u32) -> Self {
        UartTx {
            clock: Default::default(),
            start: Default::default(),
            data: Default::default(),
            busy: Default::default(),
            tx: Default::default(),
            shift: Default::default(),
            line_n: Default::default(),
            left: Default::default(),
            count: Default::default(),
            full: Constant::new(u64::from(clocks_per_bit - 1).into()),
            ten: Constant::new(10.into()),
            stop_bit: Constant::new((1 << 9).into()),
            one: Constant::new(1.into()),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, shift, line_n, left, count);
        self.busy.next = self.left.q.val() != 0;
        self.tx.next = !self.line_n.q.val();
        self.line_n.d.next = false;
        if self.left.q.val() != 0 {
            self.line_n.d.next = !self.shift.q.val().get_bit(0);
            if self.count.q.val() != 0 {
                self.count.d.next = self.count.q.val() - 1;
            } else {
                self.count.d.next = self.full.val();
                self.shift.d.next = self.shift.q.val() >> self.one.val();
                self.left.d.next = self.left.q.val() - 1;
            }
        } else if self.start.val() {
            self.shift.d.next =
                self.stop_bit.val() | (bit_cast::<10, 8>(self.data.val()) << self.one.val());
            self.left.d.next = self.ten.val();
            self.count.d.next = self.full.val();
        }
    }
}
