//! Montgomery multiplier a b R^-1 mod p, R = 2^256, one multiplication per clock, or one every
//! k clocks in k passes.
//!
//! The block is the program of [`karatsuba::montgomery`] for the configuration (tile shape,
//! carry chain, Karatsuba depth) laid out by its schedule: each node a register stage,
//! each waiting value a delay line. rust-hdl cannot wire a graph from data, so the body is the
//! program's own Verilog ([`Program::verilog`]); rust-hdl declares the ports, and its simulator
//! steps the same schedule register by register ([`Pipeline`]).
//!
//! With `mul_passes` = k > 1 the program is one pass of a word-serial Montgomery multiplication
//! ([`karatsuba::montgomery_pass`], 256 / k-bit words of b): an operation entering at clock s
//! makes pass j at clock s + j D, its t the previous pass's result, and leaves after
//! (k - 1) D + the pass latency. D is the pass latency rounded up to 1 mod k, so operations
//! entering at clocks of one residue mod k (at most one every k clocks) never meet in the
//! pipeline; the lane's schedule reserves the same clocks. rust-hdl's simulator computes such a
//! multiplier's result when it enters, from the same program (`Program::eval`).

use std::collections::VecDeque;
use std::sync::Mutex;

use num_bigint::BigUint;
use rust_hdl::prelude::*;

use super::dataflow::{Adders, Counts, Pipeline, Program};
use super::karatsuba;
use crate::config::{Config, Family, Tile};
use crate::pipeline::{ram_from, DelayLines};

/// The multiplier's program for `cfg` (one pass of it if it makes several), built once per
/// shape (with its schedule: the search takes a while in build scripts, which run
/// unoptimised).
pub fn program(cfg: &Config) -> Program {
    type Shape = (Tile, u32, u32, u32);
    static BUILT: Mutex<Vec<(Shape, Program)>> = Mutex::new(Vec::new());
    let shape = (
        cfg.tile,
        cfg.carry_bits,
        cfg.karatsuba_levels,
        cfg.mul_passes,
    );
    let mut built = BUILT.lock().unwrap();
    if let Some((_, p)) = built.iter().find(|(s, _)| *s == shape) {
        return p.clone();
    }
    let p = match shape.3 {
        1 => karatsuba::montgomery(shape.0, shape.1, shape.2),
        k => karatsuba::montgomery_pass(shape.0, shape.1, shape.2, 256 / k),
    };
    p.schedule();
    built.push((shape, p.clone()));
    p
}

/// The shapes of every sum of the multiplier's program for `cfg` (what `msm-formal` proves).
pub fn sum_shapes(cfg: &Config) -> Vec<super::dataflow::SumShape> {
    let (tile, chain, levels) = (cfg.tile, cfg.carry_bits, cfg.karatsuba_levels);
    match cfg.mul_passes {
        1 => karatsuba::montgomery_sums(tile, chain, levels),
        k => karatsuba::montgomery_pass_sums(tile, chain, levels, 256 / k),
    }
}

/// Clocks between an operation's passes (0 with one pass): the pass latency rounded up to
/// 1 mod the passes.
pub fn pass_distance(cfg: &Config) -> u64 {
    let k = u64::from(cfg.mul_passes);
    let lp = program(cfg).schedule().latency;
    match k {
        1 => 0,
        _ => (lp..).find(|d| d % k == 1).unwrap(),
    }
}

/// Latency of [`FqMul`] for `cfg`, in cycles: its schedule's, and the passes before the last.
pub fn latency(cfg: &Config) -> usize {
    let passes_before = u64::from(cfg.mul_passes - 1) * pass_distance(cfg);
    (passes_before + program(cfg).schedule().latency) as usize
}

/// The body of a multiplier of `k` > 1 passes `d` clocks apart of `program` (see the module
/// documentation).
fn passes_body(
    program: &Program,
    (k, d): (u32, u64),
    tag_bits: usize,
    adders: Adders,
    mut lines: DelayLines,
) -> String {
    let word = 256 / k;
    let lp = program.schedule().latency;
    let mut v = format!(
        "// {k} passes {d} clocks apart through one pipeline of latency {lp}\n\
         reg [255:0] pass_t;\nreg [255:0] pass_a;\nreg [{}:0] pass_w;\n",
        word - 1
    );
    let (datapath, out) = program.datapath(&["pass_t", "pass_a", "pass_w"], &mut lines, adders);
    v.push_str(&datapath);
    let mut select = format!(
        "always @(*) begin\n    pass_t = 256'd0;\n    pass_a = a;\n    pass_w = b[0+:{word}];\n"
    );
    for j in 1..u64::from(k) {
        let at = j * d;
        let valid = lines.tap("valid_in", 1, 0, at);
        let t = lines.tap(&out, 256, (j - 1) * d + lp, at);
        let a = lines.tap("a", 256, 0, at);
        let w = lines.tap(
            &format!("b[{}+:{word}]", j * u64::from(word)),
            word as usize,
            0,
            at,
        );
        select += &format!(
            "    if ({valid}) begin\n        pass_t = {t};\n        pass_a = {a};\n        \
             pass_w = {w};\n    end\n"
        );
    }
    select += "end\n";
    let l = u64::from(k - 1) * d + lp;
    let valid = lines.tap("valid_in", 1, 0, l);
    let tag = lines.tap("tag_in", tag_bits, 0, l);
    v.push_str(&lines.finish());
    v.push_str(&select);
    v.push_str(&format!(
        "always @(*) result = {out};\nalways @(*) valid_out = {valid};\nalways @(*) tag_out = {tag};\n"
    ));
    v
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
    passes: u32,
    /// Valid and tag of the operations in flight, newest first, with the result of a
    /// multi-pass one.
    flags: VecDeque<(bool, u64, Option<BigUint>)>,
}

impl<const TAG: usize> FqMul<TAG> {
    pub fn new(cfg: &Config) -> Self {
        assert_eq!(TAG, cfg.tag_bits as usize, "multiplier tag width");
        let program = program(cfg);
        // A Xilinx-only configuration gets ternary adders of Xilinx primitives.
        let lines = DelayLines::default().with_ram(ram_from(cfg));
        let body = match cfg.mul_passes {
            1 => program.verilog(&["a", "b"], "result", TAG, adders(cfg), lines),
            k => passes_body(&program, (k, pass_distance(cfg)), TAG, adders(cfg), lines),
        };
        let passes = cfg.mul_passes;
        let pipe = Pipeline::new(program);
        let flags = VecDeque::from(vec![(false, 0, None); latency(cfg) - 1]);
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
            passes,
            flags,
        }
    }
}

impl<const TAG: usize> Logic for FqMul<TAG> {
    fn update(&mut self) {
        if !self.clock.pos_edge() {
            return;
        }
        let (a, b) = (BigUint::from(self.a.val()), BigUint::from(self.b.val()));
        let (out, passed) = match self.passes {
            1 => (Some(self.pipe.clock(&[a, b])), None),
            k => (
                None,
                Some(karatsuba::eval_passes(self.pipe.program(), k, &a, &b)),
            ),
        };
        self.flags
            .push_front((self.valid_in.val(), self.tag_in.val().to_u64(), passed));
        let (valid, tag, passed) = self.flags.pop_back().expect("latency >= 1");
        self.result.next = out.or(passed).unwrap_or_default().into();
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
