//! The adder lane in RTL: one complete projective addition per clock.
//!
//! The lane is the program of [`lane_program`] laid out by its [`asap`] schedule: one pipelined
//! unit per operation (`fq_mul` or `fq_add_sub`, generated once per configuration and
//! instantiated here by module name), and a shift register for every value that waits. A
//! value read at several later cycles has one register chain with several taps. Valid, tag and
//! the negate bit travel in chains of their own, so the units' own tags are unused.
//!
//! rust-hdl's `#[hdl_gen]` cannot wire a graph from data (array indices must be loop
//! variables), so the body is written by [`FqLane::new`] from the schedule and emitted as the
//! block's custom Verilog; rust-hdl still declares the ports and instantiates the units. The
//! lane is simulated as generated Verilog in Verilator (`msm-verilator`); there is no
//! rust-hdl model of it beyond the program's own [`super::schedule::Program::eval`].

use std::fmt::Write as _;

use rust_hdl::prelude::*;

use super::schedule::{asap, lane_program, Kind, Schedule, UnitLatency, Val};
use crate::config::Config;
use crate::pipeline::DelayLines;

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
/// outputs (X3:Y3:Z3) L cycles later with the same `valid` and `tag`.
pub struct FqLane<const TAG: usize> {
    pub clock: Signal<In, Clock>,
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

/// Latency of the lane for `cfg`: the schedule's L.
pub fn latency(cfg: &Config) -> usize {
    asap(&lane_program(), UnitLatency::of(cfg)).latency as usize
}

/// A body: unit inputs and outputs assigned from delay-line taps, and constant inputs.
#[derive(Default)]
struct BodyWriter {
    lines: DelayLines,
    assigns: Vec<(String, String)>,
    consts: Vec<(String, String)>,
}

impl BodyWriter {
    /// Reads `source` (ready at `ready`) at cycle `at` into `target`.
    fn read(&mut self, target: String, source: &str, width: usize, ready: u64, at: u64) {
        let tap = self.lines.tap(source, width, ready, at);
        self.assigns.push((target, tap));
    }

    fn finish(self) -> String {
        let mut v = self.lines.finish();
        for (target, value) in self.assigns.iter().chain(&self.consts) {
            let _ = writeln!(v, "always @(*) {target} = {value};");
        }
        v
    }
}

impl<const TAG: usize> FqLane<TAG> {
    /// The lane of `cfg`, whose units have the latencies `UnitLatency::of(cfg)`.
    pub fn new(cfg: &Config) -> Self {
        assert_eq!(TAG, cfg.tag_bits as usize, "lane tag width");
        let program = lane_program();
        let schedule = asap(&program, UnitLatency::of(cfg));
        let (muls, add_subs) = program.units();
        FqLane {
            mul: (0..muls).map(|_| Default::default()).collect(),
            add_sub: (0..add_subs).map(|_| Default::default()).collect(),
            body: Some(body(&program, &schedule, TAG)),
            ..Self::reference()
        }
    }

    /// A stand-in for the lane in tests of the blocks around it: the same ports and a latency
    /// of `latency` clocks, but integer arithmetic mod 2^256, coordinate by coordinate:
    /// X3 = X1 ± X2 (minus with `negate`), Y3 = Y1 + Y2, Z3 = Z1 + Z2. X alone is a group
    /// (identity 0, as in the identity point (0 : 1 : 0)), so every bucket and running sum of X
    /// is exactly checkable at any latency.
    pub fn stand_in(latency: usize) -> Self {
        assert!(latency >= 1, "a stand-in lane registers its result");
        let mut w = BodyWriter::default();
        let l = latency as u64;
        w.read("valid_out".into(), "valid_in", 1, 0, l);
        w.read("tag_out".into(), "tag_in", TAG, 0, l);
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

/// The lane's Verilog body. Unit k of each kind runs the k-th operation of that kind.
fn body(program: &super::schedule::Program, s: &Schedule, tag_bits: usize) -> String {
    let mut w = BodyWriter::default();
    let mut unit = Vec::with_capacity(program.ops.len());
    let (mut muls, mut add_subs) = (0, 0);
    for op in &program.ops {
        unit.push(if op.kind == Kind::Mul {
            muls += 1;
            format!("mul${}", muls - 1)
        } else {
            add_subs += 1;
            format!("add_sub${}", add_subs - 1)
        });
    }
    let value = |v: Val| match v {
        Val::In(i) => (INPUT_NAMES[i].to_owned(), 0),
        Val::Op(i) => (format!("{}$result", unit[i]), s.ready[i]),
    };
    for (i, op) in program.ops.iter().enumerate() {
        let (u, at) = (&unit[i], s.start[i]);
        w.consts.push((format!("{u}$clock"), "clock".into()));
        w.consts.push((format!("{u}$tag_in"), "0".into()));
        w.read(format!("{u}$valid_in"), "valid_in", 1, 0, at);
        for (port, v) in [("a", op.a), ("b", op.b)] {
            let (src, ready) = value(v);
            if src.starts_with("256'") {
                w.consts.push((format!("{u}${port}"), src));
            } else {
                w.read(format!("{u}${port}"), &src, 256, ready, at);
            }
        }
        match op.kind {
            Kind::Mul => {}
            Kind::Add => w.consts.push((format!("{u}$sub"), "1'b0".into())),
            Kind::Sub => w.consts.push((format!("{u}$sub"), "1'b1".into())),
            Kind::Negate => w.read(format!("{u}$sub"), "negate", 1, 0, at),
        }
    }
    let l = s.latency;
    w.read("valid_out".into(), "valid_in", 1, 0, l);
    w.read("tag_out".into(), "tag_in", tag_bits, 0, l);
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
