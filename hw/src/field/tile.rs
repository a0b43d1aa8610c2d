//! The multiplier tile: an A x B bit unsigned product, registered, zero-extended to an output of
//! P >= A + B bits (so that callers place it without a cast; the top bits are constant zero). The only
//! hand-written Verilog of the core (rust-hdl multiplies only 16 x 16): `hdl()` is two lines
//! that synthesis maps onto one DSP block (DSP48E2 for 26 x 17, MULT18X18D for 18 x 18);
//! `update()` is its Rust model.

use rust_hdl::prelude::*;

/// Latency of a tile in cycles.
pub const TILE_LATENCY: usize = 1;

#[derive(LogicBlock, Default)]
pub struct Tile<const A: usize, const B: usize, const P: usize> {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<A>>,
    pub b: Signal<In, Bits<B>>,
    pub p: Signal<Out, Bits<P>>,
}

impl<const A: usize, const B: usize, const P: usize> Logic for Tile<A, B, P> {
    fn update(&mut self) {
        assert!(P >= A + B && A + B <= 64, "tile {A} x {B} -> {P}");
        if self.clock.pos_edge() {
            self.p.next = bits::<P>(self.a.val().to_u64() * self.b.val().to_u64());
        }
    }

    fn connect(&mut self) {
        self.p.connect();
    }

    fn hdl(&self) -> Verilog {
        // The product is formed at its own width A + B, then widened: `p <= a * b` would be a
        // P-bit multiply (Verilog sizes it by its context), 290 x 290 bits in simulation.
        Verilog::Custom(format!(
            "wire [{}:0] product = a * b;\ninitial p = 0;\nalways @(posedge clock) p <= product;\n",
            A + B - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "tile".into(),
            clock: "clock".into(),
            inputs: vec!["a".into(), "b".into()],
            outputs: vec!["p".into()],
        }]
    }
}
