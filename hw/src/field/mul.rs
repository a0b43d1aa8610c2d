//! Montgomery multiplier a b R^-1 mod p, R = 2^256, one multiplication per clock.
//!
//! The block is the program of [`karatsuba::montgomery`] for the configuration (tile shape,
//! carry chain, Karatsuba depth) laid out by its schedule: each node a register stage,
//! each waiting value a delay line. rust-hdl cannot wire a graph from data, so the body is the
//! program's own Verilog ([`Program::verilog`]); rust-hdl declares the ports, and its simulator
//! steps the same schedule register by register ([`Pipeline`]).

use std::collections::VecDeque;
use std::sync::Mutex;

use num_bigint::BigUint;
use rust_hdl::prelude::*;

use super::dataflow::{Adders, Counts, Pipeline, Program};
use super::karatsuba;
use crate::config::{Config, Family, Tile};

/// The multiplier's program for `cfg`, built once per shape (with its schedule: the search
/// takes a while in build scripts, which run unoptimised).
pub fn program(cfg: &Config) -> Program {
    type Shape = (Tile, u32, u32);
    static BUILT: Mutex<Vec<(Shape, Program)>> = Mutex::new(Vec::new());
    let shape = (cfg.tile, cfg.carry_bits, cfg.karatsuba_levels);
    let mut built = BUILT.lock().unwrap();
    if let Some((_, p)) = built.iter().find(|(s, _)| *s == shape) {
        return p.clone();
    }
    let p = karatsuba::montgomery(shape.0, shape.1, shape.2);
    p.schedule();
    built.push((shape, p.clone()));
    p
}

/// Latency of [`FqMul`] for `cfg`, in cycles: its schedule's.
pub fn latency(cfg: &Config) -> usize {
    program(cfg).schedule().latency as usize
}

/// Ternary adders of Xilinx primitives when every target of the config is Xilinx.
pub fn adders(cfg: &Config) -> Adders {
    match cfg.families {
        [Family::Xcup] => Adders::Xilinx,
        _ => Adders::Generic,
    }
}

/// Tiles, shift-and-add products and adders of the multiplier for `cfg`.
pub fn counts(cfg: &Config) -> Counts {
    program(cfg).counts()
}

pub struct FqMul<const TAG: usize> {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    pub tag_in: Signal<In, Bits<TAG>>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub valid_out: Signal<Out, Bit>,
    pub tag_out: Signal<Out, Bits<TAG>>,
    pub result: Signal<Out, Bits<256>>,
    body: String,
    pipe: Pipeline,
    /// Valid and tag of the operations in flight, newest first.
    flags: VecDeque<(bool, u64)>,
}

impl<const TAG: usize> FqMul<TAG> {
    pub fn new(cfg: &Config) -> Self {
        assert_eq!(TAG, cfg.tag_bits as usize, "multiplier tag width");
        let program = program(cfg);
        // A Xilinx-only configuration gets ternary adders of Xilinx primitives.
        let body = program.verilog(&["a", "b"], "result", TAG, adders(cfg));
        let pipe = Pipeline::new(program);
        let flags = VecDeque::from(vec![(false, 0); pipe.latency() as usize - 1]);
        FqMul {
            clock: Default::default(),
            valid_in: Default::default(),
            tag_in: Default::default(),
            a: Default::default(),
            b: Default::default(),
            valid_out: Default::default(),
            tag_out: Default::default(),
            result: Default::default(),
            body,
            pipe,
            flags,
        }
    }
}

impl<const TAG: usize> Logic for FqMul<TAG> {
    fn update(&mut self) {
        if !self.clock.pos_edge() {
            return;
        }
        let inputs = [BigUint::from(self.a.val()), BigUint::from(self.b.val())];
        let out = self.pipe.clock(&inputs);
        self.flags
            .push_front((self.valid_in.val(), self.tag_in.val().to_u64()));
        let (valid, tag) = self.flags.pop_back().expect("latency >= 1");
        self.result.next = out.into();
        self.valid_out.next = valid;
        self.tag_out.next = tag.into();
    }

    fn connect(&mut self) {
        self.valid_out.connect();
        self.tag_out.connect();
        self.result.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(self.body.clone())
    }
}

/// Written out because the program is not a block (the derive visits every field).
impl<const TAG: usize> Block for FqMul<TAG> {
    fn connect_all(&mut self) {
        self.connect();
    }

    fn update_all(&mut self) {
        self.update();
        self.clock.update_all();
        self.valid_in.update_all();
        self.tag_in.update_all();
        self.a.update_all();
        self.b.update_all();
        self.valid_out.update_all();
        self.tag_out.update_all();
        self.result.update_all();
    }

    fn has_changed(&self) -> bool {
        self.clock.has_changed()
            || self.valid_in.has_changed()
            || self.tag_in.has_changed()
            || self.a.has_changed()
            || self.b.has_changed()
            || self.valid_out.has_changed()
            || self.tag_out.has_changed()
            || self.result.has_changed()
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        probe.visit_start_scope(name, self);
        self.clock.accept("clock", probe);
        self.valid_in.accept("valid_in", probe);
        self.tag_in.accept("tag_in", probe);
        self.a.accept("a", probe);
        self.b.accept("b", probe);
        self.valid_out.accept("valid_out", probe);
        self.tag_out.accept("tag_out", probe);
        self.result.accept("result", probe);
        probe.visit_end_scope(name, self);
    }
}
