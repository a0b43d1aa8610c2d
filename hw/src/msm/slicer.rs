//! The scalar slicer: a canonical scalar in, its W signed digits out, one per clock, least
//! significant window first, with the carry between windows (`msm_sim::model::digits`).
//!
//! The window width c is a run-time input, constant during an MSM. A ROM indexed by c gives the
//! window count W = ceil(255 / c) and how many low windows are c bits wide (the rest are c - 1:
//! balanced windows). A window of width b with value v (plus the carry in) gives digit v if
//! v <= 2^(b-1), else v - 2^b and a carry out; the output is |d| and its sign. Zero digits are
//! emitted too (magnitude 0): the consumer skips the adder for them but keeps the window count.
//!
//! Streams: `scalar_valid`/`scalar_ready` in, `digit_valid`/`digit_ready` out. A new scalar is
//! taken on the clock its predecessor's last digit leaves, so a scalar takes exactly W clocks.

use msm_sim::model::digits::{num_windows, windows, WINDOW_RANGE};
use rust_hdl::prelude::*;

/// Digit magnitudes: up to 2^15 (c <= 16), plus a bit for the intermediate v <= 2^16.
pub const MAGNITUDE_BITS: usize = 17;

/// ROM word for window width c: W - 1 in bits 0..8, the number of c-bit windows in bits 8..16.
pub fn window_rom_word(c: u32) -> u64 {
    let wide = windows(c).iter().filter(|w| w.width == c).count() as u64;
    (num_windows(c) as u64 - 1) | (wide << 8)
}

#[derive(LogicBlock)]
pub struct Slicer {
    pub clock: Signal<In, Clock>,
    /// Window width, 2..=16; hold it constant while digits are in flight.
    pub c: Signal<In, Bits<5>>,
    pub scalar: Signal<In, Bits<256>>,
    pub scalar_valid: Signal<In, Bit>,
    pub scalar_ready: Signal<Out, Bit>,
    pub digit_valid: Signal<Out, Bit>,
    pub digit_ready: Signal<In, Bit>,
    pub window: Signal<Out, Bits<8>>,
    /// |d|: 0 (skip), or the bucket 1..=2^(b-1) of a b-bit window.
    pub magnitude: Signal<Out, Bits<MAGNITUDE_BITS>>,
    pub negative: Signal<Out, Bit>,
    /// The scalar's last (most significant) window.
    pub last: Signal<Out, Bit>,
    rom: ROM<Bits<16>, 5>,
    rest: DFF<Bits<256>>,
    carry: DFF<Bit>,
    win: DFF<Bits<8>>,
    busy: DFF<Bit>,
    one: Constant<Bits<MAGNITUDE_BITS>>,
    one5: Constant<Bits<5>>,
    width: Signal<Local, Bits<5>>,
    value: Signal<Local, Bits<MAGNITUDE_BITS>>,
    span: Signal<Local, Bits<MAGNITUDE_BITS>>,
    half: Signal<Local, Bits<MAGNITUDE_BITS>>,
    advance: Signal<Local, Bit>,
}

impl Default for Slicer {
    fn default() -> Self {
        let rom = WINDOW_RANGE
            .map(|c| (bits::<5>(u64::from(c)), bits::<16>(window_rom_word(c))))
            .collect();
        Self {
            clock: Default::default(),
            c: Default::default(),
            scalar: Default::default(),
            scalar_valid: Default::default(),
            scalar_ready: Default::default(),
            digit_valid: Default::default(),
            digit_ready: Default::default(),
            window: Default::default(),
            magnitude: Default::default(),
            negative: Default::default(),
            last: Default::default(),
            rom: ROM::new(rom),
            rest: Default::default(),
            carry: Default::default(),
            win: Default::default(),
            busy: Default::default(),
            one: Constant::new(bits(1)),
            one5: Constant::new(bits(1)),
            width: Default::default(),
            value: Default::default(),
            span: Default::default(),
            half: Default::default(),
            advance: Default::default(),
        }
    }
}

impl Logic for Slicer {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rest, carry, win, busy);
        self.rom.address.next = self.c.val();
        // Window `win` is c bits wide below the ROM's count of wide windows, else c - 1.
        self.width.next = self.c.val();
        if self.win.q.val() >= self.rom.data.val().get_bits::<8>(8) {
            self.width.next = self.c.val() - self.one5.val();
        }
        self.span.next = self.one.val() << bit_cast::<MAGNITUDE_BITS, 5>(self.width.val());
        self.half.next =
            self.one.val() << bit_cast::<MAGNITUDE_BITS, 5>(self.width.val() - self.one5.val());
        self.value.next = (self.rest.q.val().get_bits::<MAGNITUDE_BITS>(0)
            & (self.span.val() - self.one.val()))
            + self.carry.q.val();
        self.last.next = self.win.q.val() == self.rom.data.val().get_bits::<8>(0);
        self.window.next = self.win.q.val();
        self.digit_valid.next = self.busy.q.val();
        self.magnitude.next = self.value.val();
        self.negative.next = false;
        if self.value.val() > self.half.val() {
            self.magnitude.next = self.span.val() - self.value.val();
            // v = 2^b is digit 0 with a carry: not a negative digit.
            self.negative.next = self.value.val() != self.span.val();
        }
        self.advance.next = self.busy.q.val() & self.digit_ready.val();
        self.scalar_ready.next = !self.busy.q.val() | (self.advance.val() & self.last.val());
        if self.advance.val() {
            self.rest.d.next = self.rest.q.val() >> bit_cast::<256, 5>(self.width.val());
            self.carry.d.next = self.value.val() > self.half.val();
            self.win.d.next = self.win.q.val() + 1;
            if self.last.val() {
                self.busy.d.next = false;
            }
        }
        if self.scalar_valid.val() & self.scalar_ready.val() {
            self.rest.d.next = self.scalar.val();
            self.carry.d.next = false;
            self.win.d.next = 0.into();
            self.busy.d.next = true;
        }
    }
}
