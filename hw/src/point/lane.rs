//! The adder lane in RTL: one complete projective addition per clock, or one every II clocks
//! when its units are shared (a folded lane).
//!
//! The lane is the program of [`lane_program`] laid out by its [`schedule`]: pipelined units
//! (`fq_mul` and `fq_add_sub`, generated once per configuration and instantiated here by
//! module name), and a shift register for every value that waits. A value read at several later
//! cycles has one register chain with several taps. Valid, tag and the negate bit travel in
//! chains of their own, so the units' own tags are unused. With shared units (II > 1) a
//! free-running `phase` counter (cycle mod II) selects each unit's operation, each chain shifts
//! once per addition in its value's phase, and `slot` tells the engine which clock may issue:
//! the one before phase 0.
//!
//! rust-hdl's `#[hdl_gen]` cannot wire a graph from data (array indices must be loop
//! variables), so the body is written by [`FqLane::new`] from the schedule and emitted as the
//! block's custom Verilog; rust-hdl still declares the ports and instantiates the units. The
//! lane is simulated as generated Verilog in Verilator (`msm-verilator`); there is no
//! rust-hdl model of it beyond the program's own [`super::schedule::Program::eval`].

use std::fmt::Write as _;

use rust_hdl::prelude::*;

use super::schedule::{lane_program, schedule, Kind, LaneUnits, Schedule, UnitLatency, Val};
use crate::config::Config;
use crate::pipeline::{in_phase, ram_from, DelayLines};

/// Ports shared by the two unit references; `$sub` adds the add/sub unit's `sub` port.
macro_rules! unit_ref {
    ($(#[$doc:meta])* $name:ident, $module:literal $(, $sub:ident)?) => {
        $(#[$doc])*
        #[derive(LogicBlock, Default)]
        pub struct $name<const TAG: usize> {
            pub clock: Signal<In, Clock>,
            pub valid_in: Signal<In, Bit>,
            $(pub $sub: Signal<In, Bit>,)?
            pub tag_in: Signal<In, Bits<TAG>>,
            pub a: Signal<In, Bits<256>>,
            pub b: Signal<In, Bits<256>>,
            pub valid_out: Signal<Out, Bit>,
            pub tag_out: Signal<Out, Bits<TAG>>,
            pub result: Signal<Out, Bits<256>>,
        }

        impl<const TAG: usize> Logic for $name<TAG> {
            /// The unit's behaviour is its own module's (simulated in Verilator).
            fn update(&mut self) {}

            fn connect(&mut self) {
                self.valid_out.connect();
                self.tag_out.connect();
                self.result.connect();
            }

            fn hdl(&self) -> Verilog {
                Verilog::Blackbox(BlackBox {
                    code: String::new(),
                    name: $module.into(),
                })
            }
        }
    };
}

unit_ref!(
    /// An instance of the configuration's `fq_mul` module.
    MulRef,
    "fq_mul"
);
unit_ref!(
    /// An instance of the configuration's `fq_add_sub` module.
    AddSubRef,
    "fq_add_sub",
    sub
);

/// The lane: inputs (X1:Y1:Z1) + (X2:±Y2:Z2) in Montgomery form, with `negate` selecting -Y2;
/// outputs (X3:Y3:Z3) L cycles later with the same `valid` and `tag`. An input is taken in the
/// clock after one with `slot` (every clock unless the units are shared).
pub struct FqLane<const TAG: usize> {
    pub clock: Signal<In, Clock>,
    pub slot: Signal<Out, Bit>,
    pub valid_in: Signal<In, Bit>,
    pub negate: Signal<In, Bit>,
    pub tag_in: Signal<In, Bits<TAG>>,
    pub x1: Signal<In, Bits<256>>,
    pub y1: Signal<In, Bits<256>>,
    pub z1: Signal<In, Bits<256>>,
    pub x2: Signal<In, Bits<256>>,
    pub y2: Signal<In, Bits<256>>,
    pub z2: Signal<In, Bits<256>>,
    pub valid_out: Signal<Out, Bit>,
    pub tag_out: Signal<Out, Bits<TAG>>,
    pub x3: Signal<Out, Bits<256>>,
    pub y3: Signal<Out, Bits<256>>,
    pub z3: Signal<Out, Bits<256>>,
    mul: Vec<MulRef<TAG>>,
    add_sub: Vec<AddSubRef<TAG>>,
    /// The generated body; `None` for a reference to the `fq_lane` module from a parent.
    body: Option<String>,
}

/// Verilog names of the program's inputs ([`Val::In`] order).
const INPUT_NAMES: [&str; 7] = ["x1", "y1", "z1", "x2", "y2", "z2", "256'd0"];

/// The lane's schedule for `cfg`.
pub fn lane_schedule(cfg: &Config) -> Schedule {
    schedule(&lane_program(), lane_latency(cfg), cfg.lane_units)
}

/// The units' latencies as the lane sees them: a folded lane registers each unit's operand
/// multiplexer (one clock more), so that the phase's selection and the unit's first stage are
/// not one path.
pub fn lane_latency(cfg: &Config) -> UnitLatency {
    let mut lat = UnitLatency::of(cfg);
    if registered_operands(cfg) {
        lat.mul += 1;
        lat.add_sub += 1;
    }
    lat
}

fn registered_operands(cfg: &Config) -> bool {
    matches!(cfg.lane_units, LaneUnits::Shared { .. })
}

/// Latency of the lane for `cfg`: the schedule's L.
pub fn latency(cfg: &Config) -> usize {
    lane_schedule(cfg).latency as usize
}

/// Clocks between the additions the lane of `cfg` takes: the schedule's II.
pub fn interval(cfg: &Config) -> usize {
    lane_schedule(cfg).interval as usize
}

/// A body: unit inputs and outputs assigned from delay-line taps or constants, each in the
/// phases of the operations that use it.
struct BodyWriter {
    lines: DelayLines,
    interval: u64,
    /// Each target's value in each phase that sets it, targets in first-set order.
    assigns: Vec<(String, Vec<(u64, String)>)>,
    /// Targets that take their value at the clock edge (a unit's registered operands).
    registered: Vec<String>,
}

impl BodyWriter {
    /// A body taking an input every `interval` clocks, its stretches of `ram_from` stages or
    /// more RAMs.
    fn new(interval: u64, ram_from: Option<u64>) -> Self {
        BodyWriter {
            lines: DelayLines::with_interval(interval).with_ram(ram_from),
            interval,
            assigns: Vec::new(),
            registered: Vec::new(),
        }
    }

    /// Sets `target` to `value` in the phase of cycle `at`.
    fn set(&mut self, target: String, at: u64, value: String) {
        let phase = at % self.interval;
        match self.assigns.iter_mut().find(|(t, _)| *t == target) {
            Some((_, values)) => {
                assert!(
                    values.iter().all(|&(p, _)| p != phase),
                    "{target} set twice in phase {phase}"
                );
                values.push((phase, value));
            }
            None => self.assigns.push((target, vec![(phase, value)])),
        }
    }

    /// Reads `source` (ready at `ready`) at cycle `at` into `target`.
    fn read(&mut self, target: String, source: &str, width: usize, ready: u64, at: u64) {
        let tap = self.lines.tap(source, width, ready, at);
        self.set(target, at, tap);
    }

    fn finish(self) -> String {
        let mut v = self.lines.finish();
        for (target, values) in &self.assigns {
            // A folded lane's unit is valid only in its operations' phases: a multi-pass
            // multiplier would take anything else for an operation.
            let valid = target.ends_with("$valid_in") && self.interval > 1;
            // Phases no operation uses keep the first value (no latch), or are not valid.
            let idle = if valid { "1'b0" } else { values[0].1.as_str() };
            if self.registered.contains(target) {
                v += &Self::selected(self.interval, target, values, idle);
                continue;
            }
            if let ([(_, value)], false) = (values.as_slice(), valid) {
                let _ = writeln!(v, "always @(*) {target} = {value};");
                continue;
            }
            let _ = writeln!(v, "always @(*) case (phase)");
            for (phase, value) in values {
                let _ = writeln!(v, "    {phase}: {target} = {value};");
            }
            let _ = writeln!(v, "    default: {target} = {idle};");
            let _ = writeln!(v, "endcase");
        }
        v
    }

    /// A registered target: its distinct values are a multiplexer indexed by a select register
    /// that the phase table loads a clock ahead. (A case on the phase with an arm per
    /// operation made yosys build an AND-OR per arm and bit: the ecp5 lane's own logic was
    /// 35.7k LUT4, 10.1k LUT4 so.)
    fn selected(interval: u64, target: &str, values: &[(u64, String)], idle: &str) -> String {
        let mut sources: Vec<String> = Vec::new();
        let mut index = |value: &str| match sources.iter().position(|s| s == value) {
            Some(i) => i,
            None => {
                sources.push(value.to_owned());
                sources.len() - 1
            }
        };
        // Sources in the order the operations set them.
        for (_, value) in values {
            index(value);
        }
        let table: Vec<usize> = (0..interval)
            .map(|phase| match values.iter().find(|(p, _)| *p == phase) {
                Some((_, value)) => index(value),
                None => index(idle),
            })
            .collect();
        let mut v = String::new();
        if let [only] = sources.as_slice() {
            let _ = writeln!(v, "always @(posedge clock) {target} <= {only};");
            return v;
        }
        let bits = (sources.len() - 1).ilog2() + 1;
        let sel = format!("{}_sel", target.replace('$', "_"));
        let last = interval - 1;
        let _ = writeln!(v, "reg [{}:0] {sel} = {};", bits - 1, table[0]);
        let _ = writeln!(
            v,
            "always @(posedge clock) case ((phase == {last}) ? 0 : phase + 1)"
        );
        for (phase, i) in table.iter().enumerate() {
            let _ = writeln!(v, "    {phase}: {sel} <= {i};");
        }
        // No default arm: with one (for the phases past II - 1 that never come) yosys built
        // twice the logic; without, the table becomes a ROM.
        let _ = writeln!(v, "endcase");
        let _ = writeln!(v, "always @(posedge clock) case ({sel})");
        for (i, source) in sources.iter().enumerate() {
            let _ = writeln!(v, "    {i}: {target} <= {source};");
        }
        let _ = writeln!(v, "    default: {target} <= {};\nendcase", sources[0]);
        v
    }
}

impl<const TAG: usize> FqLane<TAG> {
    /// The lane of `cfg`, whose units have the latencies `UnitLatency::of(cfg)`.
    pub fn new(cfg: &Config) -> Self {
        assert_eq!(TAG, cfg.tag_bits as usize, "lane tag width");
        let program = lane_program();
        let schedule = lane_schedule(cfg);
        let (muls, add_subs) = program.units(cfg.lane_units);
        FqLane {
            mul: (0..muls).map(|_| Default::default()).collect(),
            add_sub: (0..add_subs).map(|_| Default::default()).collect(),
            body: Some(body(
                &program,
                &schedule,
                TAG,
                ram_from(cfg),
                registered_operands(cfg),
            )),
            ..Self::reference()
        }
    }

    /// A stand-in for the lane in tests of the blocks around it: the same ports and a latency
    /// of `latency` clocks, but integer arithmetic mod 2^256, coordinate by coordinate:
    /// X3 = X1 ± X2 (minus with `negate`), Y3 = Y1 + Y2, Z3 = Z1 + Z2. X alone is a group
    /// (identity 0, as in the identity point (0 : 1 : 0)), so every bucket and running sum of X
    /// is exactly checkable at any latency. It takes an addition every `interval` clocks, as a
    /// folded lane does.
    pub fn stand_in(latency: usize, interval: usize) -> Self {
        assert!(latency >= 1, "a stand-in lane registers its result");
        let (l, ii) = (latency as u64, interval as u64);
        let mut w = BodyWriter::new(ii, None);
        outputs(&mut w, l, TAG);
        w.read("x3".into(), "(negate ? x1 - x2 : x1 + x2)", 256, 0, l);
        w.read("y3".into(), "y1 + y2", 256, 0, l);
        w.read("z3".into(), "z1 + z2", 256, 0, l);
        FqLane {
            body: Some(w.finish()),
            ..Self::reference()
        }
    }

    /// An instance of the `fq_lane` module generated on its own (by [`FqLane::new`]), for a
    /// parent block: the same ports, no body.
    pub fn reference() -> Self {
        FqLane {
            clock: Default::default(),
            slot: Default::default(),
            valid_in: Default::default(),
            negate: Default::default(),
            tag_in: Default::default(),
            x1: Default::default(),
            y1: Default::default(),
            z1: Default::default(),
            x2: Default::default(),
            y2: Default::default(),
            z2: Default::default(),
            valid_out: Default::default(),
            tag_out: Default::default(),
            x3: Default::default(),
            y3: Default::default(),
            z3: Default::default(),
            mul: Vec::new(),
            add_sub: Vec::new(),
            body: None,
        }
    }
}

/// `slot`, and valid and tag out at `latency`: valid for one clock when the lane is folded.
fn outputs(w: &mut BodyWriter, latency: u64, tag_bits: usize) {
    let ii = w.interval;
    let valid = w.lines.tap("valid_in", 1, 0, latency);
    let (slot, valid) = match ii {
        1 => ("1'b1".to_owned(), valid),
        _ => (
            in_phase(ii - 1),
            format!("{valid} & {}", in_phase(latency % ii)),
        ),
    };
    w.set("slot".into(), 0, slot);
    w.set("valid_out".into(), 0, valid);
    w.read("tag_out".into(), "tag_in", tag_bits, 0, latency);
}

/// The lane's Verilog body: operation i runs on unit `s.unit[i]` of its kind, from clock
/// `s.start[i]` (in phase start mod II).
fn body(
    program: &super::schedule::Program,
    s: &Schedule,
    tag_bits: usize,
    ram_from: Option<u64>,
    registered_operands: bool,
) -> String {
    let mut w = BodyWriter::new(s.interval, ram_from);
    let unit: Vec<String> = program
        .ops
        .iter()
        .zip(&s.unit)
        .map(|(op, u)| match op.kind {
            Kind::Mul => format!("mul${u}"),
            _ => format!("add_sub${u}"),
        })
        .collect();
    let mut named: Vec<&String> = unit.iter().collect();
    named.sort();
    named.dedup();
    for u in named {
        w.set(format!("{u}$clock"), 0, "clock".into());
        w.set(format!("{u}$tag_in"), 0, "0".into());
    }
    let value = |v: Val| match v {
        Val::In(i) => (INPUT_NAMES[i].to_owned(), 0),
        Val::Op(i) => (format!("{}$result", unit[i]), s.ready[i]),
    };
    if registered_operands {
        for u in &unit {
            for port in ["valid_in", "a", "b", "sub"] {
                w.registered.push(format!("{u}${port}"));
            }
        }
    }
    for (i, op) in program.ops.iter().enumerate() {
        let (u, at) = (&unit[i], s.start[i]);
        w.read(format!("{u}$valid_in"), "valid_in", 1, 0, at);
        for (port, v) in [("a", op.a), ("b", op.b)] {
            let (src, ready) = value(v);
            if src.starts_with("256'") {
                w.set(format!("{u}${port}"), at, src);
            } else {
                w.read(format!("{u}${port}"), &src, 256, ready, at);
            }
        }
        match op.kind {
            Kind::Mul => {}
            Kind::Add => w.set(format!("{u}$sub"), at, "1'b0".into()),
            Kind::Sub => w.set(format!("{u}$sub"), at, "1'b1".into()),
            Kind::Negate => w.read(format!("{u}$sub"), "negate", 1, 0, at),
        }
    }
    let l = s.latency;
    outputs(&mut w, l, tag_bits);
    for (port, v) in ["x3", "y3", "z3"].into_iter().zip(program.outputs) {
        let (src, ready) = value(v);
        w.read(port.into(), &src, 256, ready, l);
    }
    w.finish()
}

impl<const TAG: usize> Logic for FqLane<TAG> {
    /// Simulated as generated Verilog (see the module documentation).
    fn update(&mut self) {}

    fn connect(&mut self) {
        for u in &mut self.mul {
            u.clock.connect();
            u.valid_in.connect();
            u.tag_in.connect();
            u.a.connect();
            u.b.connect();
        }
        for u in &mut self.add_sub {
            u.clock.connect();
            u.valid_in.connect();
            u.sub.connect();
            u.tag_in.connect();
            u.a.connect();
            u.b.connect();
        }
        self.slot.connect();
        self.valid_out.connect();
        self.tag_out.connect();
        self.x3.connect();
        self.y3.connect();
        self.z3.connect();
    }

    fn hdl(&self) -> Verilog {
        match &self.body {
            Some(body) => Verilog::Custom(body.clone()),
            None => Verilog::Blackbox(BlackBox {
                code: String::new(),
                name: "fq_lane".into(),
            }),
        }
    }
}

/// Written out because `body` is not a block (the derive visits every field).
impl<const TAG: usize> Block for FqLane<TAG> {
    fn connect_all(&mut self) {
        self.connect();
        self.mul.connect_all();
        self.add_sub.connect_all();
    }

    fn update_all(&mut self) {
        self.update();
        self.mul.update_all();
        self.add_sub.update_all();
    }

    fn has_changed(&self) -> bool {
        self.mul.has_changed() || self.add_sub.has_changed()
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        probe.visit_start_scope(name, self);
        self.clock.accept("clock", probe);
        self.slot.accept("slot", probe);
        self.valid_in.accept("valid_in", probe);
        self.negate.accept("negate", probe);
        self.tag_in.accept("tag_in", probe);
        self.x1.accept("x1", probe);
        self.y1.accept("y1", probe);
        self.z1.accept("z1", probe);
        self.x2.accept("x2", probe);
        self.y2.accept("y2", probe);
        self.z2.accept("z2", probe);
        self.valid_out.accept("valid_out", probe);
        self.tag_out.accept("tag_out", probe);
        self.x3.accept("x3", probe);
        self.y3.accept("y3", probe);
        self.z3.accept("z3", probe);
        self.mul.accept("mul", probe);
        self.add_sub.accept("add_sub", probe);
        probe.visit_end_scope(name, self);
    }
}
