//! Integer dataflow programs: a pipelined arithmetic unit as data.
//!
//! A [`Program`] is a straight-line graph of unsigned integer operations, each node with its
//! width. Slices, concatenations and constants are wiring; sums, tile products, zero tests and
//! selects are one register stage each. The same program is
//! - evaluated on integers ([`Program::eval`]): the golden model of the structure, checked
//!   against the field model;
//! - scheduled ([`Program::schedule`]): ASAP gives the latency, computed, never typed; then
//!   registers move later where that shortens the delay lines operands wait in (`lifetimes`);
//! - counted ([`Program::counts`]): DSP tiles, LUT-built products, adder bits;
//! - written as the body of a Verilog module ([`Program::verilog`]);
//! - stepped clock by clock ([`Pipeline`]), register for register as that Verilog, for
//!   rust-hdl's simulator.
//!
//! The [`Builder`] lowers wide sums into carry-chained segments of at most `chain` bits (one
//! stage each, so no carry chain is longer than `chain` plus a few carry bits) and products
//! into tiles: DSP-sized multiplies, and shift-and-add where one side is only a few bits.

use std::collections::VecDeque;
use std::sync::OnceLock;

use num_bigint::BigUint;
use num_traits::{One, Zero};

use super::lifetimes;
use crate::config::Tile;
use crate::pipeline::DelayLines;

/// A node of a program (its index).
pub type Id = usize;

/// A summand: `(v << shift)`, or with `inv` v's ones' complement within v's own width,
/// `((2^width(v) - 1) - v) << shift`: a subtrahend occupies only its own bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub v: Id,
    pub shift: u32,
    pub inv: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// Input port k.
    Input(usize),
    Const(BigUint),
    /// Bits [lo, lo + width) of v.
    Slice {
        v: Id,
        lo: u32,
    },
    /// The operands side by side, the first lowest, each at its own width.
    Cat(Vec<Id>),
    /// The sum of the terms mod 2^width. Registered.
    Sum(Vec<Term>),
    /// a b. Registered. `lut`: built from shift-and-add (b is a few bits), else a DSP tile.
    Mul {
        a: Id,
        b: Id,
        lut: bool,
    },
    /// v != 0 (one bit). Registered.
    NonZero(Id),
    /// sel ? a : b (sel one bit). Registered.
    Mux {
        sel: Id,
        a: Id,
        b: Id,
    },
}

impl Node {
    pub(super) fn operands(&self) -> Vec<Id> {
        match self {
            Node::Input(_) | Node::Const(_) => vec![],
            Node::Slice { v, .. } | Node::NonZero(v) => vec![*v],
            Node::Cat(vs) => vs.clone(),
            Node::Sum(ts) => ts.iter().map(|t| t.v).collect(),
            Node::Mul { a, b, .. } => vec![*a, *b],
            Node::Mux { sel, a, b } => vec![*sel, *a, *b],
        }
    }

    /// One register stage (else wiring).
    pub(super) fn registered(&self) -> bool {
        matches!(
            self,
            Node::Sum(_) | Node::Mul { .. } | Node::NonZero(_) | Node::Mux { .. }
        )
    }
}

/// Built by [`Builder::finish`] and not changed after: its schedule is cached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// Nodes in topological order, each with its width in bits.
    pub nodes: Vec<(Node, u32)>,
    /// Input widths.
    pub inputs: Vec<u32>,
    pub output: Id,
    schedule: Cached,
}

/// The schedule, searched once per program (build scripts run this unoptimised); not part of
/// the program's value.
#[derive(Clone, Debug, Default)]
struct Cached(OnceLock<Schedule>);

impl PartialEq for Cached {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Cached {}

/// When each node's value is ready (cycles after the inputs), and the program's latency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub ready: Vec<u64>,
    pub latency: u64,
}

impl Schedule {
    /// The cycle at which node `i` of `p` reads its operands: a register the cycle before its
    /// value is ready, wiring the cycle itself.
    pub fn reads_at(&self, p: &Program, i: Id) -> u64 {
        self.ready[i] - p.nodes[i].0.registered() as u64
    }
}

/// Resources of a program, counted per node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Products on DSP tiles.
    pub dsp: usize,
    /// Products built from shift-and-add.
    pub lut_muls: usize,
    /// Sum nodes and their operand bits beyond the first (a rough LUT measure: one LUT per bit
    /// per operand reduced).
    pub sums: usize,
    pub adder_bits: usize,
    /// LUTs of the sums on Xilinx ternary adders ([`AdderPlan::luts`]; shift-and-add products
    /// as in `adder_bits`).
    pub adder_luts: usize,
    /// Register stages' bits (nodes only).
    pub register_bits: usize,
    /// Delay lines: bits that wait, and their bit-cycles (a shift-register LUT holds 16 or 32
    /// cycles of one bit).
    pub waiting_bits: usize,
    pub delay_bit_cycles: usize,
}

fn mask(w: u32) -> BigUint {
    (BigUint::one() << w) - 1u32
}

impl Program {
    pub fn width(&self, v: Id) -> u32 {
        self.nodes[v].1
    }

    /// The value of every node for these inputs.
    pub fn eval_all(&self, inputs: &[BigUint]) -> Vec<BigUint> {
        assert_eq!(inputs.len(), self.inputs.len());
        let mut vals: Vec<BigUint> = Vec::with_capacity(self.nodes.len());
        for (node, w) in &self.nodes {
            let v = self.apply(node, *w, inputs, |i| &vals[i]);
            vals.push(v);
        }
        vals
    }

    /// The output for these inputs.
    pub fn eval(&self, inputs: &[BigUint]) -> BigUint {
        self.eval_all(inputs).swap_remove(self.output)
    }

    /// One node's value from its operands' values.
    fn apply<'a>(
        &self,
        node: &Node,
        w: u32,
        inputs: &[BigUint],
        val: impl Fn(Id) -> &'a BigUint,
    ) -> BigUint {
        let v = match node {
            Node::Input(k) => inputs[*k].clone(),
            Node::Const(c) => c.clone(),
            Node::Slice { v, lo } => val(*v) >> *lo,
            Node::Cat(vs) => {
                let mut acc = BigUint::zero();
                let mut at = 0;
                for v in vs {
                    acc |= val(*v) << at;
                    at += self.width(*v);
                }
                acc
            }
            Node::Sum(ts) => {
                let mut acc = BigUint::zero();
                for t in ts {
                    let x = match t.inv {
                        true => mask(self.width(t.v)) - val(t.v),
                        false => val(t.v).clone(),
                    };
                    acc += x << t.shift;
                }
                acc
            }
            Node::Mul { a, b, .. } => val(*a) * val(*b),
            Node::NonZero(v) => BigUint::from(!val(*v).is_zero() as u8),
            Node::Mux { sel, a, b } => {
                if val(*sel).is_zero() {
                    val(*b).clone()
                } else {
                    val(*a).clone()
                }
            }
        };
        v & mask(w)
    }

    /// How a sum node's terms are added on ternary adders.
    fn adder_plan(&self, ts: &[Term], w: u32) -> AdderPlan {
        let ranges: Vec<(u32, u32)> = ts.iter().map(|t| self.term_bits(t, w)).collect();
        AdderPlan::new(&ranges, w)
    }

    /// The bits [lo, hi) of a node of width `w` that a summand can make nonzero.
    fn term_bits(&self, t: &Term, w: u32) -> (u32, u32) {
        let (lo, hi) = match &self.nodes[t.v].0 {
            Node::Const(c) if !t.inv => (c.trailing_zeros().unwrap_or(0) as u32, bits_of(c).max(1)),
            _ => (0, self.width(t.v)),
        };
        ((lo + t.shift).min(w), (hi + t.shift).min(w))
    }

    /// ASAP: a registered node is ready one cycle after its last operand, wiring when its last
    /// operand is; constants are always ready.
    pub fn asap(&self) -> Vec<u64> {
        let mut ready = Vec::with_capacity(self.nodes.len());
        for (node, _) in &self.nodes {
            let last = node.operands().iter().map(|&o| ready[o]).max().unwrap_or(0);
            ready.push(last + node.registered() as u64);
        }
        ready
    }

    /// ASAP's latency, with registered nodes moved later where that shortens the delay lines
    /// ([`lifetimes::shorten`]).
    pub fn schedule(&self) -> Schedule {
        let s = self.schedule.0.get_or_init(|| {
            let asap = self.asap();
            let latency = asap[self.output];
            let ready = lifetimes::shorten(self, asap);
            Schedule { ready, latency }
        });
        s.clone()
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        let s = self.schedule();
        let mut depth = vec![0u64; self.nodes.len()];
        for (i, (node, _)) in self.nodes.iter().enumerate() {
            let at = s.reads_at(self, i);
            for o in node.operands() {
                if !matches!(self.nodes[o].0, Node::Const(_)) {
                    depth[o] = depth[o].max(at - s.ready[o]);
                }
            }
        }
        for (o, d) in depth.iter().enumerate() {
            if *d > 0 {
                c.waiting_bits += self.width(o) as usize;
                c.delay_bit_cycles += self.width(o) as usize * *d as usize;
            }
        }
        for (node, w) in &self.nodes {
            match node {
                Node::Mul { lut: false, .. } => c.dsp += 1,
                Node::Mul { lut: true, b, .. } => {
                    c.lut_muls += 1;
                    let bits = *w as usize * (self.width(*b) as usize).saturating_sub(1);
                    c.adder_bits += bits;
                    c.adder_luts += bits;
                }
                Node::Sum(ts) => {
                    c.sums += 1;
                    c.adder_bits += *w as usize * ts.len().saturating_sub(1);
                    c.adder_luts += self.adder_plan(ts, *w).luts();
                }
                _ => {}
            }
            if node.registered() {
                c.register_bits += *w as usize;
            }
        }
        c
    }

    /// The Verilog body of a module with inputs `inputs[k]` (named), clocked by `clock`, whose
    /// result `output` (a reg of the output's width) is the program's output, and whose
    /// `valid_out`/`tag_out` are `valid_in`/`tag_in` delayed by the latency; what waits in
    /// `lines`.
    pub fn verilog(
        &self,
        inputs: &[&str],
        output: &str,
        tag_bits: usize,
        adders: Adders,
        mut lines: DelayLines,
    ) -> String {
        let l = self.schedule().latency;
        let (mut v, out) = self.datapath(inputs, &mut lines, adders);
        let valid = lines.tap("valid_in", 1, 0, l);
        let tag = lines.tap("tag_in", tag_bits, 0, l);
        v.push_str(&lines.finish());
        v.push_str(&format!(
            "always @(*) {output} = {out};\nalways @(*) valid_out = {valid};\nalways @(*) tag_out = {tag};\n"
        ));
        v
    }

    /// The program's nodes as Verilog declarations and registers, with inputs `inputs[k]`
    /// (named signals, ready at cycle 0) and their waits in `lines`; and the name of the output
    /// as ready at the latency.
    pub fn datapath(
        &self,
        inputs: &[&str],
        lines: &mut DelayLines,
        adders: Adders,
    ) -> (String, String) {
        let s = self.schedule();
        let mut decls = String::new();
        let mut logic = String::new();
        let name = |i: Id| match &self.nodes[i].0 {
            Node::Input(k) => inputs[*k].to_owned(),
            Node::Const(c) => format!("{}'h{:x}", self.width(i).max(1), c),
            _ => format!("n{i}"),
        };
        for (i, (node, w)) in self.nodes.iter().enumerate() {
            let w = *w;
            let at = s.reads_at(self, i);
            let mut tap = |o: Id| match &self.nodes[o].0 {
                Node::Const(_) => name(o),
                _ => lines.tap(&name(o), self.width(o) as usize, s.ready[o], at),
            };
            let expr = match node {
                Node::Input(_) | Node::Const(_) => continue,
                Node::Slice { v, lo } => format!("{}[{}+:{w}]", tap(*v), lo),
                Node::Cat(vs) => {
                    let parts: Vec<String> = vs.iter().rev().map(|&v| tap(v)).collect();
                    format!("{{{}}}", parts.join(", "))
                }
                Node::Sum(ts) => {
                    let mut parts = Vec::new();
                    for (k, t) in ts.iter().enumerate() {
                        let src = tap(t.v);
                        let tw = w.max(self.width(t.v) + t.shift);
                        let term = format!("n{i}_t{k}");
                        // A concatenation is self-determined: ~ stays within v's width.
                        let src = match t.inv {
                            true => format!("{{~{src}}}"),
                            false => src,
                        };
                        let value = match t.shift {
                            0 => src,
                            sh => format!("{src} << {sh}"),
                        };
                        decls.push_str(&format!("wire [{}:0] {term} = {value};\n", tw - 1));
                        parts.push(term);
                    }
                    match adders {
                        Adders::Xilinx if parts.len() >= 3 => {
                            let plan = self.adder_plan(ts, w);
                            decls.push_str(&ternary_chain(&format!("n{i}"), &parts, &plan, w));
                            format!("n{i}_sum")
                        }
                        _ => parts.join(" + "),
                    }
                }
                Node::Mul { a, b, lut: false } => format!("{} * {}", tap(*a), tap(*b)),
                Node::Mul { a, b, lut: true } => {
                    let (wa, wb) = (self.width(*a), self.width(*b));
                    let (a, b) = (tap(*a), tap(*b));
                    let mut parts = Vec::new();
                    for k in 0..wb {
                        let term = format!("n{i}_r{k}");
                        decls.push_str(&format!(
                            "wire [{}:0] {term} = {{{wa}{{{b}[{k}]}}}} & {a};\n",
                            wa - 1
                        ));
                        parts.push(match k {
                            0 => term,
                            k => format!("({term} << {k})"),
                        });
                    }
                    parts.join(" + ")
                }
                Node::NonZero(v) => format!("|{}", tap(*v)),
                Node::Mux { sel, a, b } => format!("{} ? {} : {}", tap(*sel), tap(*a), tap(*b)),
            };
            let range = format!("[{}:0]", w.max(1) - 1);
            if node.registered() {
                decls.push_str(&format!("reg {range} n{i} = 0;\n"));
                logic.push_str(&format!("always @(posedge clock) n{i} <= {expr};\n"));
            } else {
                decls.push_str(&format!("wire {range} n{i} = {expr};\n"));
            }
        }
        let l = s.latency;
        let out = lines.tap(&name(self.output), self.width(self.output) as usize, l, l);
        decls.push_str(&logic);
        (decls, out)
    }
}

/// How a sum of three or more summands becomes Verilog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adders {
    /// `a + b + c ...`: yosys makes a full-adder tree ($macc) and a carry chain, about two LUTs
    /// per bit for each summand beyond two.
    Generic,
    /// Ternary adders of Xilinx primitives (one LUT6_2 per bit on a CARRY8 chain) under
    /// `ifdef SYNTHESIS`, the same sum as an expression otherwise (simulation).
    Xilinx,
}

/// LUT6_2 of a ternary adder's bit: I0..I2 the summands' bits, I3 the majority of the bit
/// below. O5 = majority (the carry-save bit to the next position), O6 = the XOR of all four
/// (the carry chain's propagate); the chain's generate input is I3.
const TERNARY_LUT: u64 = {
    let mut init = 0u64;
    let mut idx = 0;
    while idx < 32 {
        let (a, b, c, m) = (idx & 1, (idx >> 1) & 1, (idx >> 2) & 1, (idx >> 3) & 1);
        if a + b + c >= 2 {
            init |= 1 << idx;
        }
        if (a ^ b ^ c ^ m) == 1 {
            init |= 1 << (32 + idx);
        }
        idx += 1;
    }
    init
};

/// How a sum of summands occupying bits `ranges` ([lo, hi) each, of a w-bit result) is added
/// on ternary adders: each step adds three operands (summands, then earlier steps' results,
/// numbered on from the summands) over the union of their bits; the narrowest triple goes
/// first, so that wide summands meet once. At most two operands are left, for a plain adder.
pub struct AdderPlan {
    /// Operands and the bits [lo, hi) of the step's result that it computes (hi - lo + 1
    /// LUT6_2 positions: the top one takes the last carry-save bit).
    pub steps: Vec<([usize; 3], (u32, u32))>,
    /// The operands left: one (the sum) or two (added by a plain carry chain).
    pub last: Vec<usize>,
    /// The bits of each operand.
    pub bits: Vec<(u32, u32)>,
}

impl AdderPlan {
    pub fn new(ranges: &[(u32, u32)], w: u32) -> Self {
        let mut bits = ranges.to_vec();
        let mut pool: Vec<usize> = (0..bits.len()).collect();
        let mut steps = Vec::new();
        // The lowest operand first; the adder starts where a second one does.
        let span = |bits: &[(u32, u32)], mut ops: [usize; 3]| {
            ops.sort_by_key(|&o| bits[o].0);
            let lo = bits[ops[1]].0;
            let hi = ops.iter().map(|&o| bits[o].1).max().unwrap().max(lo + 1);
            (ops, (lo, hi))
        };
        while pool.len() >= 3 {
            let mut best: Option<([usize; 3], (u32, u32))> = None;
            for i in 0..pool.len() {
                for j in i + 1..pool.len() {
                    for k in j + 1..pool.len() {
                        let (ops, r) = span(&bits, [pool[i], pool[j], pool[k]]);
                        if best.is_none_or(|(_, b)| r.1 - r.0 < b.1 - b.0) {
                            best = Some((ops, r));
                        }
                    }
                }
            }
            let (ops, (lo, hi)) = best.expect("three operands");
            pool.retain(|o| !ops.contains(o));
            pool.push(bits.len());
            bits.push((bits[ops[0]].0.min(lo), (hi + 2).min(w)));
            steps.push((ops, (lo, hi)));
        }
        AdderPlan {
            steps,
            last: pool,
            bits,
        }
    }

    /// Where the last plain adder starts (below it, one operand alone), if there is one.
    pub fn plain_from(&self) -> Option<u32> {
        match self.last.as_slice() {
            [a, b] => Some(self.bits[*a].0.max(self.bits[*b].0)),
            _ => None,
        }
    }

    /// LUTs: one per ternary position, one per bit of the last plain adder.
    pub fn luts(&self) -> usize {
        let ternary: u32 = self.steps.iter().map(|(_, (lo, hi))| hi - lo + 1).sum();
        let plain = match (self.plain_from(), self.last.as_slice()) {
            (Some(from), [a, b]) => self.bits[*a].1.max(self.bits[*b].1).saturating_sub(from),
            _ => 0,
        };
        (ternary + plain) as usize
    }
}

/// `{name}_sum` (w bits) = the sum of the `parts` (w-bit wires) mod 2^w, on ternary adders as
/// `plan` orders them.
fn ternary_chain(name: &str, parts: &[String], plan: &AdderPlan, w: u32) -> String {
    let mut names: Vec<String> = parts.to_vec();
    let mut v = String::new();
    for (k, (ops, (lo, hi))) in plan.steps.iter().enumerate() {
        let t = format!("{name}_a{k}");
        let [x, y, z] = ops.map(|o| names[o].as_str());
        v.push_str(&ternary(&t, [x, y, z], *lo, *hi, w));
        names.push(t);
    }
    let sum = match (plan.plain_from(), plan.last.as_slice()) {
        // Below `from` only the lower operand has bits: they pass.
        (Some(from), &[a, b]) if from > 0 && from < w => {
            let low = if plan.bits[a].0 <= plan.bits[b].0 {
                a
            } else {
                b
            };
            let (a, b, low) = (&names[a], &names[b], &names[low]);
            let top = w - 1;
            format!(
                "{{{a}[{top}:{from}] + {b}[{top}:{from}], {low}[{}:0]}}",
                from - 1
            )
        }
        _ => {
            let last: Vec<&str> = plan.last.iter().map(|&o| names[o].as_str()).collect();
            last.join(" + ")
        }
    };
    v.push_str(&format!("wire [{}:0] {name}_sum = {sum};\n", w - 1));
    v
}

/// `name` (w bits) = x + y + z mod 2^w, where x, y, z are w-bit wires zero above bit hi and y,
/// z zero below lo: x's bits below lo pass, and bits [lo, hi + 2) take hi - lo + 1 LUT6_2 on a
/// CARRY8 chain (the top position takes the last carry-save bit). An expression when not
/// synthesizing.
fn ternary(name: &str, [x, y, z]: [&str; 3], lo: u32, hi: u32, w: u32) -> String {
    // Below lo only x has bits (AdderPlan puts the lowest operand first): they pass.
    let n = hi - lo + 1;
    let n8 = n.div_ceil(8) * 8;
    let pad = |e: &str| format!("{{1'b0, {e}[{}:{lo}]}}", hi - 1);
    format!(
        "wire [{w1}:0] {name};\n\
`ifdef SYNTHESIS\n\
wire [{n1}:0] {name}_x = {px}, {name}_y = {py}, {name}_z = {pz};\n\
wire [{n1}:0] {name}_p;\n\
wire [{n1}:0] {name}_m /* verilator split_var */;\n\
wire [{n1}:0] {name}_mb /* verilator split_var */ = {{{name}_m[{n2}:0], 1'b0}};\n\
wire [{n81}:0] {name}_o;\n\
wire [{n81}:0] {name}_c /* verilator split_var */;\n\
wire [{n8}:0] {name}_ci /* verilator split_var */ = {{{name}_c, 1'b0}};\n\
wire [{n81}:0] {name}_s = {{{pad8}{name}_p}}, {name}_g = {{{pad8}{name}_mb}};\n\
genvar {name}_j;\n\
generate for ({name}_j = 0; {name}_j < {n}; {name}_j = {name}_j + 1) begin : {name}_bit\n\
LUT6_2 #(.INIT(64'h{TERNARY_LUT:016x})) l (.O6({name}_p[{name}_j]), .O5({name}_m[{name}_j]), \
.I0({name}_x[{name}_j]), .I1({name}_y[{name}_j]), .I2({name}_z[{name}_j]), \
.I3({name}_mb[{name}_j]), .I4(1'b0), .I5(1'b1));\n\
end\n\
for ({name}_j = 0; {name}_j < {n8d}; {name}_j = {name}_j + 1) begin : {name}_cy\n\
CARRY8 #(.CARRY_TYPE(\"SINGLE_CY8\")) c (.CO({name}_c[8 * {name}_j +: 8]), \
.O({name}_o[8 * {name}_j +: 8]), .CI({name}_ci[8 * {name}_j]), \
.CI_TOP(1'b0), .DI({name}_g[8 * {name}_j +: 8]), .S({name}_s[8 * {name}_j +: 8]));\n\
end\n\
endgenerate\n\
wire [{n}:0] {name}_r = {{{name}_c[{n1}], {name}_o[{n1}:0]}};\n\
assign {name} = {placed};\n\
`else\n\
assign {name} = {x} + {y} + {z};\n\
`endif\n",
        w1 = w - 1,
        n1 = n - 1,
        n2 = n - 2,
        n81 = n8 - 1,
        n8d = n8 / 8,
        placed = {
            // Bits [lo, top) of the w: the sum's n + 1 bits, clipped.
            let top = w.min(hi + 2);
            let mut parts = Vec::new();
            if top < w {
                parts.push(format!("{}'b0", w - top));
            }
            parts.push(format!("{name}_r[{}:0]", top - lo - 1));
            if lo > 0 {
                parts.push(format!("{x}[{}:0]", lo - 1));
            }
            format!("{{{}}}", parts.join(", "))
        },
        pad8 = if n8 > n {
            format!("{}'b0, ", n8 - n)
        } else {
            String::new()
        },
        px = pad(x),
        py = pad(y),
        pz = pad(z),
    )
}

/// The program stepped clock by clock as its Verilog runs: a registered node takes, at each
/// edge, its operands as its delay lines deliver them (each `ready[node] - 1 - ready[operand]`
/// cycles old); wiring is evaluated in the cycle itself.
pub struct Pipeline {
    program: Program,
    schedule: Schedule,
    /// Each node's values, newest first. Between edges, registers' start at the current cycle
    /// and wiring's (inputs' too) at the previous one: the current cycle's need its inputs.
    history: Vec<VecDeque<BigUint>>,
    depth: usize,
}

impl Pipeline {
    pub fn new(program: Program) -> Self {
        assert!(
            program.nodes[program.output].0.registered(),
            "the output must be a register"
        );
        let schedule = program.schedule();
        // The longest a value waits, plus one.
        let depth = schedule.latency as usize + 2;
        let history = vec![VecDeque::from(vec![BigUint::zero(); depth]); program.nodes.len()];
        Pipeline {
            program,
            schedule,
            history,
            depth,
        }
    }

    pub fn latency(&self) -> u64 {
        self.schedule.latency
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// One clock edge, with `inputs` on the ports in the cycle that it ends; returns the output
    /// after the edge (the result for the inputs of `latency` edges before).
    pub fn clock(&mut self, inputs: &[BigUint]) -> BigUint {
        let p = &self.program;
        let ready = &self.schedule.ready;
        // Wiring in this cycle, in order: an operand 0 cycles old is this cycle's value.
        for (i, (node, w)) in p.nodes.iter().enumerate() {
            if node.registered() {
                continue;
            }
            let h = &self.history;
            // Wiring and inputs of this cycle are already at the front: pushed in order.
            let at = self.schedule.reads_at(p, i);
            let v = p.apply(node, *w, inputs, |o| &h[o][(at - ready[o]) as usize]);
            self.history[i].push_front(v);
            self.history[i].truncate(self.depth);
        }
        // The edge: every register from this cycle's values.
        let next: Vec<Option<BigUint>> = p
            .nodes
            .iter()
            .enumerate()
            .map(|(i, (node, w))| {
                node.registered().then(|| {
                    let at = self.schedule.reads_at(p, i);
                    p.apply(node, *w, inputs, |o| {
                        &self.history[o][(at - ready[o]) as usize]
                    })
                })
            })
            .collect();
        for (i, v) in next.into_iter().enumerate() {
            if let Some(v) = v {
                self.history[i].push_front(v);
                self.history[i].truncate(self.depth);
            }
        }
        self.history[p.output][0].clone()
    }
}

/// A product whose short side is at most this many bits is built from shift-and-add rows.
pub const LUT_MUL_BITS: u32 = 4;

/// A term of [`Builder::sum`]: `(v << shift)`, subtracted when `neg`.
#[derive(Clone, Copy, Debug)]
pub struct Summand {
    pub v: Id,
    pub shift: u32,
    pub neg: bool,
}

pub fn plus(v: Id, shift: u32) -> Summand {
    Summand {
        v,
        shift,
        neg: false,
    }
}

pub fn minus(v: Id, shift: u32) -> Summand {
    Summand {
        v,
        shift,
        neg: true,
    }
}

/// A summand of a [`SumShape`]: a constant, or a value of that many bits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operand {
    Const(BigUint),
    Var(u32),
}

/// One [`Builder::sum`] call as the builder saw it: Σ ±(summand << shift) mod 2^width. Two calls
/// of one shape make the same nodes, so proving a shape (`msm-formal`) proves every call of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SumShape {
    /// (summand, shift, subtracted).
    pub summands: Vec<(Operand, u32, bool)>,
    pub width: u32,
}

impl SumShape {
    /// The sum alone as a program of the builder's tile and chain: one input per variable.
    pub fn program(&self, tile: Tile, chain: u32) -> Program {
        let mut b = Builder::new(tile, chain);
        let terms: Vec<Summand> = self
            .summands
            .iter()
            .map(|(o, shift, neg)| Summand {
                v: match o {
                    Operand::Const(c) => b.constant(c.clone()),
                    Operand::Var(w) => b.input(*w),
                },
                shift: *shift,
                neg: *neg,
            })
            .collect();
        let s = b.sum(&terms, self.width);
        b.finish(s)
    }
}

/// Builds a [`Program`]: folds constants, cuts sums into carry-chained segments and products
/// into tiles.
pub struct Builder {
    nodes: Vec<(Node, u32)>,
    inputs: Vec<u32>,
    tile: Tile,
    chain: u32,
    /// Every `sum` call's shape, in order.
    sums: Vec<SumShape>,
}

fn bits_of(v: &BigUint) -> u32 {
    v.bits() as u32
}

impl Builder {
    /// Products on `tile`s; no carry chain longer than `chain` bits in a stage.
    pub fn new(tile: Tile, chain: u32) -> Self {
        assert!(chain >= 8, "carry chain of {chain} bits");
        Builder {
            nodes: Vec::new(),
            inputs: Vec::new(),
            tile,
            chain,
            sums: Vec::new(),
        }
    }

    /// The shapes of the sums built so far, each once.
    pub fn sum_shapes(&self) -> Vec<SumShape> {
        let mut shapes = self.sums.clone();
        shapes.sort();
        shapes.dedup();
        shapes
    }

    pub fn width(&self, v: Id) -> u32 {
        self.nodes[v].1
    }

    /// The tile products are cut into.
    pub fn tile(&self) -> Tile {
        self.tile
    }

    fn node(&mut self, node: Node, width: u32) -> Id {
        assert!(width >= 1, "zero-width node {node:?}");
        self.nodes.push((node, width));
        self.nodes.len() - 1
    }

    fn as_const(&self, v: Id) -> Option<&BigUint> {
        match &self.nodes[v].0 {
            Node::Const(c) => Some(c),
            _ => None,
        }
    }

    pub fn input(&mut self, width: u32) -> Id {
        self.inputs.push(width);
        self.node(Node::Input(self.inputs.len() - 1), width)
    }

    pub fn constant(&mut self, c: BigUint) -> Id {
        let w = bits_of(&c).max(1);
        self.node(Node::Const(c), w)
    }

    /// Bits [lo, lo + width) of v, clipped to v's width (a constant 0 if nothing is left).
    pub fn slice(&mut self, v: Id, lo: u32, width: u32) -> Id {
        let vw = self.width(v);
        let width = width.min(vw.saturating_sub(lo));
        if let Some(c) = self.as_const(v) {
            let s = (c >> lo) & mask(width);
            return self.constant(s);
        }
        if width == 0 {
            return self.constant(BigUint::zero());
        }
        if lo == 0 && width == vw {
            return v;
        }
        // A slice of a concatenation is taken from the parts it covers, so a reader of the low
        // segments of a sum does not wait for its high ones.
        if let Node::Cat(parts) = &self.nodes[v].0 {
            let parts = parts.clone();
            let mut pieces = Vec::new();
            let mut at = 0;
            for p in parts {
                let pw = self.width(p);
                let (from, to) = (lo.max(at), (lo + width).min(at + pw));
                if from < to {
                    pieces.push(self.slice(p, from - at, to - from));
                }
                at += pw;
            }
            return match pieces.as_slice() {
                [one] => *one,
                _ => self.cat(&pieces),
            };
        }
        self.node(Node::Slice { v, lo }, width)
    }

    pub fn cat(&mut self, vs: &[Id]) -> Id {
        let w = vs.iter().map(|&v| self.width(v)).sum();
        self.node(Node::Cat(vs.to_vec()), w)
    }

    /// The largest value of a summand as it enters a segment.
    fn max_of(&self, t: &Term) -> BigUint {
        mask(self.width(t.v)) << t.shift
    }

    /// Σ ±(v << shift) mod 2^width. The caller knows the true value: mod 2^width is exact when it
    /// lies in [0, 2^width). A sum wider than the carry chain is cut into segments of `chain`
    /// bits, each a stage that takes the carry of the one below, so the result's segments are
    /// ready one cycle apart and the schedule aligns them. A subtrahend's piece at bits [f, t) is
    /// its ones' complement there plus the constant 2^f - 2^t: no adder bits outside its own.
    pub fn sum(&mut self, terms: &[Summand], width: u32) -> Id {
        let summands = terms.iter().map(|t| {
            let o = match self.as_const(t.v) {
                Some(c) => Operand::Const(c.clone()),
                None => Operand::Var(self.width(t.v)),
            };
            (o, t.shift, t.neg)
        });
        self.sums.push(SumShape {
            summands: summands.collect(),
            width,
        });
        let modulus = BigUint::one() << width;
        let chain = self.chain;
        // Constants fold into one; subtracted ones as their complement mod 2^width.
        let mut k = BigUint::zero();
        let mut vars = Vec::new();
        for t in terms {
            if t.shift >= width {
                continue;
            }
            match self.as_const(t.v) {
                Some(c) => {
                    let c = (c << t.shift) % &modulus;
                    k += if t.neg { &modulus - c } else { c };
                }
                None => vars.push(*t),
            }
        }
        let pieces = move |lo: u32, t: &Summand, vw: u32| {
            let hi = (lo + chain).min(width);
            let (from, to) = (t.shift.max(lo), (t.shift + vw).min(hi));
            (from < to).then_some((from, to))
        };
        // -(x 2^f) = (~x) 2^f + 2^f - 2^t for each piece x at bits [f, t) of a subtrahend.
        for t in vars.iter().filter(|t| t.neg) {
            let vw = self.width(t.v);
            for lo in (0..width).step_by(chain as usize) {
                if let Some((from, to)) = pieces(lo, t, vw) {
                    k += (BigUint::one() << from) + &modulus - (BigUint::one() << to);
                }
            }
        }
        k %= &modulus;
        if vars.is_empty() {
            return self.constant(k);
        }
        if vars.len() == 1 && !vars[0].neg && vars[0].shift == 0 && k.is_zero() {
            return self.slice(vars[0].v, 0, width);
        }
        let mut segments = Vec::new();
        let mut carry: Option<Id> = None;
        let mut lo = 0;
        while lo < width {
            let hi = (lo + self.chain).min(width);
            let sw = hi - lo;
            let mut ts = Vec::new();
            for t in &vars {
                // Bits [lo, hi) of (v << shift).
                let Some((from, to)) = pieces(lo, t, self.width(t.v)) else {
                    continue;
                };
                let part = self.slice(t.v, from - t.shift, to - from);
                ts.push(Term {
                    v: part,
                    shift: from - lo,
                    inv: t.neg,
                });
            }
            if let Some(c) = carry {
                ts.push(Term {
                    v: c,
                    shift: 0,
                    inv: false,
                });
            }
            let mut max: BigUint = ts.iter().map(|t| self.max_of(t)).sum();
            let seg_k = (&k >> lo) & mask(sw);
            if !seg_k.is_zero() {
                max += &seg_k;
                let c = self.constant(seg_k);
                ts.push(Term {
                    v: c,
                    shift: 0,
                    inv: false,
                });
            }
            let last = hi == width;
            let seg_w = if last { sw } else { bits_of(&max).max(sw) };
            let seg = self.node(Node::Sum(ts), seg_w);
            carry = (!last && seg_w > sw).then(|| self.slice(seg, sw, seg_w - sw));
            segments.push(if last { seg } else { self.slice(seg, 0, sw) });
            lo = hi;
        }
        if segments.len() == 1 {
            segments[0]
        } else {
            self.cat(&segments)
        }
    }

    /// The tile grid for a product of x (A side) and y (B side): (chunk of x, chunk of y) bit
    /// ranges; a chunk of at most LUT_MUL_BITS bits makes shift-and-add.
    fn grid(&self, wx: u32, wy: u32) -> Vec<((u32, u32), (u32, u32))> {
        let (a, b) = (self.tile.a_bits, self.tile.b_bits);
        let mut g = Vec::new();
        for i in 0..wx.div_ceil(a) {
            for j in 0..wy.div_ceil(b) {
                g.push(((i * a, (wx - i * a).min(a)), (j * b, (wy - j * b).min(b))));
            }
        }
        g
    }

    /// DSP tiles of a grid.
    fn dsp_tiles(&self, wx: u32, wy: u32) -> usize {
        self.grid(wx, wy)
            .iter()
            .filter(|(x, y)| x.1.min(y.1) > LUT_MUL_BITS)
            .count()
    }

    /// x y on tiles: the operands on the tile's sides the way that takes fewer DSP tiles, one
    /// product per grid cell, the cells summed.
    pub fn mul(&mut self, x: Id, y: Id) -> Id {
        let (wx, wy) = (self.width(x), self.width(y));
        let (x, y, wx, wy) = if self.dsp_tiles(wy, wx) < self.dsp_tiles(wx, wy) {
            (y, x, wy, wx)
        } else {
            (x, y, wx, wy)
        };
        let mut cells = Vec::new();
        for ((xl, xw), (yl, yw)) in self.grid(wx, wy) {
            let (cx, cy) = (self.slice(x, xl, xw), self.slice(y, yl, yw));
            if let Some(p) = self.cell(cx, cy) {
                cells.push(plus(p, xl + yl));
            }
        }
        match cells.as_slice() {
            [] => self.constant(BigUint::zero()),
            [one] if one.shift == 0 => one.v,
            _ => self.sum(&cells, wx + wy),
        }
    }

    /// One grid cell's product: constant, shift-and-add, or a DSP tile.
    fn cell(&mut self, x: Id, y: Id) -> Option<Id> {
        let (cx, cy) = (self.as_const(x).cloned(), self.as_const(y).cloned());
        if cx.as_ref().is_some_and(|c| c.is_zero()) || cy.as_ref().is_some_and(|c| c.is_zero()) {
            return None;
        }
        if let (Some(a), Some(b)) = (&cx, &cy) {
            return Some(self.constant(a * b));
        }
        let (wx, wy) = (self.width(x), self.width(y));
        // The short side as b of a shift-and-add.
        let (a, b, wb) = if wx < wy { (y, x, wx) } else { (x, y, wy) };
        if wb <= LUT_MUL_BITS {
            if let Some(c) = self.as_const(b).cloned() {
                // A constant's set bits: a sum of shifted copies.
                let rows: Vec<Summand> = (0..wb)
                    .filter(|&k| c.bit(k as u64))
                    .map(|k| plus(a, k))
                    .collect();
                let w = self.width(a) + wb;
                return Some(self.sum(&rows, w));
            }
            let w = self.width(a) + wb;
            return Some(self.node(Node::Mul { a, b, lut: true }, w));
        }
        Some(self.node(
            Node::Mul {
                a: x,
                b: y,
                lut: false,
            },
            wx + wy,
        ))
    }

    pub fn nonzero(&mut self, v: Id) -> Id {
        self.node(Node::NonZero(v), 1)
    }

    pub fn mux(&mut self, sel: Id, a: Id, b: Id) -> Id {
        let w = self.width(a).max(self.width(b));
        self.node(Node::Mux { sel, a, b }, w)
    }

    /// The program computing `output`, without the nodes it does not read (a sum's
    /// concatenated segments, for one, when every reader takes single segments).
    pub fn finish(self, output: Id) -> Program {
        let mut live = vec![false; self.nodes.len()];
        live[output] = true;
        for i in (0..self.nodes.len()).rev() {
            if live[i] {
                for o in self.nodes[i].0.operands() {
                    live[o] = true;
                }
            }
        }
        // Inputs stay, live or not: they are the ports.
        for (i, (node, _)) in self.nodes.iter().enumerate() {
            live[i] |= matches!(node, Node::Input(_));
        }
        let mut new_id = vec![usize::MAX; self.nodes.len()];
        let mut nodes = Vec::new();
        for (i, (node, w)) in self.nodes.into_iter().enumerate() {
            if !live[i] {
                continue;
            }
            let r = |v: Id| new_id[v];
            let node = match node {
                Node::Input(k) => Node::Input(k),
                Node::Const(c) => Node::Const(c),
                Node::Slice { v, lo } => Node::Slice { v: r(v), lo },
                Node::Cat(vs) => Node::Cat(vs.into_iter().map(r).collect()),
                Node::Sum(ts) => {
                    Node::Sum(ts.into_iter().map(|t| Term { v: r(t.v), ..t }).collect())
                }
                Node::Mul { a, b, lut } => Node::Mul {
                    a: r(a),
                    b: r(b),
                    lut,
                },
                Node::NonZero(v) => Node::NonZero(r(v)),
                Node::Mux { sel, a, b } => Node::Mux {
                    sel: r(sel),
                    a: r(a),
                    b: r(b),
                },
            };
            new_id[i] = nodes.len();
            nodes.push((node, w));
        }
        Program {
            nodes,
            inputs: self.inputs,
            output: new_id[output],
            schedule: Cached::default(),
        }
    }
}
