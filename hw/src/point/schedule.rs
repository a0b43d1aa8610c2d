//! The adder lane's formula as a program of field operations, and its ASAP schedule.
//!
//! The lane computes Renes-Costello-Batina Algorithm 7 (complete projective addition, a = 0,
//! 3b = 9) in the operation order of the model (`msm_sim::model::point`). Mixed additions
//! (bucket += ±P) use the same datapath with Z2 = 1 (Montgomery form): Algorithm 8 is
//! Algorithm 7 with Z2 = 1 substituted, so the result is the same field values, and one
//! datapath of 12 multipliers serves both modes where separate ones would need 12 + 11. The
//! negate bit goes through one add/sub unit at the input: Y2' = 0 ± Y2.
//!
//! With a unit per operation (one addition per clock) the schedule is ASAP: each operation
//! starts when its last operand is ready; operands ready earlier wait in delay lines; the
//! outputs are aligned to the last one. With fewer units (a folded lane) it is a modulo
//! schedule: an addition enters every II clocks, II the most operations of one kind on one
//! unit, and each operation starts at the first clock from its operands' readiness at which a
//! unit of its kind is free in that phase (clock mod II). L, the unit counts and the delay-line
//! lengths are functions of the units' latencies and counts, hence of the configuration.

pub use crate::config::LaneUnits;

/// A value of the program: an input or the result of operation `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val {
    /// X1, Y1, Z1, X2, Y2, Z2 (Y2 already negated if asked), Zero.
    In(usize),
    Op(usize),
}

pub const X1: Val = Val::In(0);
pub const Y1: Val = Val::In(1);
pub const Z1: Val = Val::In(2);
pub const X2: Val = Val::In(3);
pub const Y2_RAW: Val = Val::In(4);
pub const Z2: Val = Val::In(5);
pub const ZERO: Val = Val::In(6);
pub const INPUTS: usize = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Mul,
    Add,
    Sub,
    /// 0 + b or 0 - b by the negate bit (an add/sub unit).
    Negate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Op {
    pub kind: Kind,
    pub a: Val,
    pub b: Val,
}

/// A straight-line program of field operations with three outputs (X3, Y3, Z3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub ops: Vec<Op>,
    pub outputs: [Val; 3],
}

struct Builder(Vec<Op>);

impl Builder {
    fn op(&mut self, kind: Kind, a: Val, b: Val) -> Val {
        self.0.push(Op { kind, a, b });
        Val::Op(self.0.len() - 1)
    }
    fn mul(&mut self, a: Val, b: Val) -> Val {
        self.op(Kind::Mul, a, b)
    }
    fn add(&mut self, a: Val, b: Val) -> Val {
        self.op(Kind::Add, a, b)
    }
    fn sub(&mut self, a: Val, b: Val) -> Val {
        self.op(Kind::Sub, a, b)
    }
    /// 9a as the model does it: 8a + a by three doublings.
    fn mul9(&mut self, a: Val) -> Val {
        let a2 = self.add(a, a);
        let a4 = self.add(a2, a2);
        let a8 = self.add(a4, a4);
        self.add(a8, a)
    }
}

/// The lane's program: Y2 through the negate unit, then Algorithm 7 step for step.
pub fn lane_program() -> Program {
    let mut p = Builder(Vec::new());
    let y2 = p.op(Kind::Negate, ZERO, Y2_RAW);
    let t0 = p.mul(X1, X2); // 1
    let t1 = p.mul(Y1, y2); // 2
    let t2 = p.mul(Z1, Z2); // 3
    let t3 = p.add(X1, Y1); // 4
    let t4 = p.add(X2, y2); // 5
    let t3 = p.mul(t3, t4); // 6
    let t4 = p.add(t0, t1); // 7
    let t3 = p.sub(t3, t4); // 8
    let t4 = p.add(Y1, Z1); // 9
    let x3 = p.add(y2, Z2); // 10
    let t4 = p.mul(t4, x3); // 11
    let x3 = p.add(t1, t2); // 12
    let t4 = p.sub(t4, x3); // 13
    let x3 = p.add(X1, Z1); // 14
    let y3 = p.add(X2, Z2); // 15
    let x3 = p.mul(x3, y3); // 16
    let y3 = p.add(t0, t2); // 17
    let y3 = p.sub(x3, y3); // 18
    let x3 = p.add(t0, t0); // 19
    let t0 = p.add(x3, t0); // 20
    let t2 = p.mul9(t2); // 21
    let z3 = p.add(t1, t2); // 22
    let t1 = p.sub(t1, t2); // 23
    let y3 = p.mul9(y3); // 24
    let x3 = p.mul(t4, y3); // 25
    let t2 = p.mul(t3, t1); // 26
    let x3 = p.sub(t2, x3); // 27
    let y3 = p.mul(y3, t0); // 28
    let t1 = p.mul(t1, z3); // 29
    let y3 = p.add(t1, y3); // 30
    let t0 = p.mul(t0, t3); // 31
    let z3 = p.mul(z3, t4); // 32
    let z3 = p.add(z3, t0); // 33
    Program {
        ops: p.0,
        outputs: [x3, y3, z3],
    }
}

impl Program {
    /// Runs the program on any field, `apply` doing one Add, Sub or Mul (the check that it is
    /// the model's formula). `inputs` = [X1, Y1, Z1, X2, Y2, Z2]; `negate` flips Y2.
    pub fn eval<F: Copy>(
        &self,
        inputs: [F; 6],
        zero: F,
        negate: bool,
        apply: impl Fn(Kind, F, F) -> F,
    ) -> [F; 3] {
        let mut vals: Vec<F> = Vec::with_capacity(self.ops.len());
        let get = |vals: &Vec<F>, v: Val| match v {
            Val::In(i) if i < 6 => inputs[i],
            Val::In(_) => zero,
            Val::Op(i) => vals[i],
        };
        for op in &self.ops {
            let (a, b) = (get(&vals, op.a), get(&vals, op.b));
            let kind = match op.kind {
                Kind::Negate if negate => Kind::Sub,
                Kind::Negate => Kind::Add,
                k => k,
            };
            vals.push(apply(kind, a, b));
        }
        self.outputs.map(|v| get(&vals, v))
    }

    /// Operations of each kind: (multiplications, add/sub operations).
    pub fn op_counts(&self) -> (usize, usize) {
        let muls = self.ops.iter().filter(|o| o.kind == Kind::Mul).count();
        (muls, self.ops.len() - muls)
    }

    /// Units of each kind the lane has: (multipliers, add/sub units).
    pub fn units(&self, shape: LaneUnits) -> (usize, usize) {
        match shape {
            LaneUnits::PerOperation => self.op_counts(),
            LaneUnits::Shared { muls, add_subs } => (muls, add_subs),
        }
    }
}

/// Latencies of the lane's units, from the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitLatency {
    pub mul: u64,
    pub add_sub: u64,
    /// A multiplication's passes through its multiplier's pipeline, `mul_distance` clocks
    /// apart: each occupies the multiplier in its clock.
    pub mul_passes: u64,
    pub mul_distance: u64,
}

impl UnitLatency {
    pub fn of(cfg: &crate::config::Config) -> Self {
        UnitLatency {
            mul: crate::field::mul::latency(cfg) as u64,
            add_sub: crate::field::add_sub::latency(cfg.carry_bits as usize) as u64,
            mul_passes: u64::from(cfg.mul_passes),
            mul_distance: crate::field::mul::pass_distance(cfg),
        }
    }

    /// The clocks after its start in which an operation of kind `k` occupies its unit.
    fn occupies(&self, k: Kind) -> Vec<u64> {
        match k {
            Kind::Mul => (0..self.mul_passes)
                .map(|j| j * self.mul_distance)
                .collect(),
            _ => vec![0],
        }
    }

    pub fn of_kind(&self, k: Kind) -> u64 {
        match k {
            Kind::Mul => self.mul,
            _ => self.add_sub,
        }
    }
}

/// When each operation starts, on which unit, and what waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Start cycle of each operation.
    pub start: Vec<u64>,
    /// Cycle at which each operation's result is ready.
    pub ready: Vec<u64>,
    /// The unit of its kind (multiplier k, or add/sub unit k) each operation runs on.
    pub unit: Vec<usize>,
    /// The initiation interval II: clocks from one addition's inputs to the next one's (1 with a
    /// unit per operation).
    pub interval: u64,
    /// The lane latency L: cycles from inputs to the aligned outputs.
    pub latency: u64,
    /// Delay-line stages, each 256 bits wide: operands waiting for their operation, and outputs
    /// waiting for the last output. A read d cycles after the value is ready costs ceil(d / II)
    /// stages (a stage shifts once per addition). Every use counts: a value read by two late
    /// operations shares one line in the RTL, which this does not assume.
    pub delay_stages: u64,
}

/// The unit kind an operation occupies: multiplier (0) or add/sub unit (1).
fn class(k: Kind) -> usize {
    usize::from(k != Kind::Mul)
}

/// The ASAP schedule of `program` with a unit per operation, inputs ready at cycle 0.
pub fn asap(program: &Program, lat: UnitLatency) -> Schedule {
    schedule(program, lat, LaneUnits::PerOperation)
}

/// The schedule of `program` on the units of `shape`, inputs ready at cycle 0: the modulo
/// schedule described in the module documentation (ASAP with a unit per operation).
pub fn schedule(program: &Program, lat: UnitLatency, shape: LaneUnits) -> Schedule {
    let n = program.ops.len();
    let counts = program.op_counts();
    let units = program.units(shape);
    let (counts, units) = ([counts.0, counts.1], [units.0, units.1]);
    assert!(
        units.iter().all(|&u| u >= 1),
        "a lane needs a unit of each kind"
    );
    let slots = [counts[0] * lat.mul_passes as usize, counts[1]];
    let interval = (0..2).map(|k| slots[k].div_ceil(units[k])).max().unwrap() as u64;
    // A multi-pass multiplier takes operations at clocks of one residue mod its passes.
    let interval = interval.next_multiple_of(lat.mul_passes);
    // busy[class][unit][phase]
    let mut busy: Vec<Vec<Vec<bool>>> = units
        .iter()
        .map(|&u| vec![vec![false; interval as usize]; u])
        .collect();
    let (mut start, mut ready, mut unit) = (vec![0; n], vec![0; n], vec![0; n]);
    let at = |ready: &[u64], v: Val| match v {
        Val::In(_) => 0,
        Val::Op(i) => ready[i],
    };
    // Program order is an order of dependence: every operand is an earlier operation.
    for (i, op) in program.ops.iter().enumerate() {
        let earliest = at(&ready, op.a).max(at(&ready, op.b));
        let table = &mut busy[class(op.kind)];
        let occupies = lat.occupies(op.kind);
        let phases = |t: u64| occupies.iter().map(move |o| ((t + o) % interval) as usize);
        let (s, u) = (earliest..earliest + interval)
            .filter(|t| op.kind != Kind::Mul || t % lat.mul_passes == 0)
            .find_map(|t| {
                (0..table.len())
                    .find(|&u| phases(t).all(|ph| !table[u][ph]))
                    .map(|u| (t, u))
            })
            .expect("a free start within II clocks");
        for ph in phases(s) {
            table[u][ph] = true;
        }
        start[i] = s;
        unit[i] = u;
        ready[i] = s + lat.of_kind(op.kind);
    }
    let latency = program
        .outputs
        .iter()
        .map(|&v| at(&ready, v))
        .max()
        .unwrap();
    let stages = |d: u64| d.div_ceil(interval);
    let mut delay_stages = 0;
    for (i, op) in program.ops.iter().enumerate() {
        delay_stages += stages(start[i] - at(&ready, op.a)) + stages(start[i] - at(&ready, op.b));
    }
    delay_stages += program
        .outputs
        .iter()
        .map(|&v| stages(latency - at(&ready, v)))
        .sum::<u64>();
    Schedule {
        start,
        ready,
        unit,
        interval,
        latency,
        delay_stages,
    }
}
