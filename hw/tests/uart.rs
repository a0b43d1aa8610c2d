//! The board's UART in rust-hdl's simulator: its transmitter into its receiver at the
//! divisors the tests use (4 clocks a bit) and the ones boards use (the ecp5 config's 15), odd
//! and even, bytes back to back; every byte arrives once, in order.

use msm_hw::board::uart::{UartRx, UartTx};
use msm_spec::config::ECP5_85F;
use rand::Rng;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
struct Loopback {
    clock: Signal<In, Clock>,
    start: Signal<In, Bit>,
    data: Signal<In, Bits<8>>,
    busy: Signal<Out, Bit>,
    valid: Signal<Out, Bit>,
    received: Signal<Out, Bits<8>>,
    tx: UartTx,
    rx: UartRx,
}

impl Loopback {
    fn new(clocks_per_bit: u32) -> Self {
        Loopback {
            clock: Default::default(),
            start: Default::default(),
            data: Default::default(),
            busy: Default::default(),
            valid: Default::default(),
            received: Default::default(),
            tx: UartTx::new(clocks_per_bit),
            rx: UartRx::new(clocks_per_bit),
        }
    }
}

impl Logic for Loopback {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, tx, rx);
        self.tx.start.next = self.start.val();
        self.tx.data.next = self.data.val();
        self.busy.next = self.tx.busy.val();
        self.rx.rx.next = self.tx.tx.val();
        self.valid.next = self.rx.valid.val();
        self.received.next = self.rx.data.val();
    }
}

fn loopback(clocks_per_bit: u32, bytes: Vec<u8>) {
    let clocks = (bytes.len() as u64 + 2) * 11 * u64::from(clocks_per_bit);
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<Loopback>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<Loopback>| {
        let mut x = sim.init()?;
        wait_clock_true!(sim, clock, x);
        let (mut sent, mut got) = (0, Vec::new());
        for _ in 0..clocks {
            if x.valid.val() {
                got.push(x.received.val().index() as u8);
            }
            x.start.next = false;
            if !x.busy.val() && sent < bytes.len() && !x.start.val() {
                x.start.next = true;
                x.data.next = u64::from(bytes[sent]).into();
                sent += 1;
            }
            wait_clock_cycle!(sim, clock, x);
        }
        sim_assert_eq!(sim, &got, &bytes, x);
        sim.done(x)
    });
    let mut uut = Box::new(Loopback::new(clocks_per_bit));
    uut.connect_all();
    sim.run(uut, 100_000_000).unwrap();
}

#[test]
fn bytes_cross_the_uart_at_every_divisor_in_use() {
    let mut rng = msm_sim::seed::rng("uart loopback");
    let mut bytes = vec![0x00, 0xff, 0x55, 0xaa, 0x01, 0x80];
    bytes.extend((0..40).map(|_| rng.gen::<u8>()));
    let board = ECP5_85F.uart_clocks_per_bit().unwrap();
    for cpb in [4, 5, board, 16] {
        loopback(cpb, bytes.clone());
    }
}

/// The receiver alone, its line driven bit by bit: a glitch shorter than half a bit and a
/// byte whose stop bit is low are dropped; the good byte after them arrives.
#[test]
fn the_receiver_drops_glitches_and_framing_errors() {
    let cpb = ECP5_85F.uart_clocks_per_bit().unwrap() as usize;
    // Line levels, one per clock: idle, a glitch, idle, 0x3c with its stop bit low, idle, 0xa5.
    let frame = |byte: u8, stop: bool| {
        let bits = (0..10).map(move |i| match i {
            0 => false,
            9 => stop,
            i => byte >> (i - 1) & 1 != 0,
        });
        bits.flat_map(move |b| std::iter::repeat_n(b, cpb))
    };
    let idle = |n: usize| std::iter::repeat_n(true, n);
    let line: Vec<bool> = idle(3 * cpb)
        .chain(std::iter::repeat_n(false, cpb / 2 - 1))
        .chain(idle(3 * cpb))
        .chain(frame(0x3c, false))
        .chain(idle(12 * cpb))
        .chain(frame(0xa5, true))
        .chain(idle(3 * cpb))
        .collect();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<UartRx>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<UartRx>| {
        let mut x = sim.init()?;
        wait_clock_true!(sim, clock, x);
        let mut got = Vec::new();
        for &level in &line {
            if x.valid.val() {
                got.push(x.data.val().index() as u8);
            }
            x.rx.next = level;
            wait_clock_cycle!(sim, clock, x);
        }
        sim_assert_eq!(sim, got, vec![0xa5u8], x);
        sim.done(x)
    });
    let mut uut = Box::new(UartRx::new(cpb as u32));
    uut.connect_all();
    sim.run(uut, 100_000_000).unwrap();
}
