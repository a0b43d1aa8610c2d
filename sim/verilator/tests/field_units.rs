//! The Verilated Fq units against the model and ark-ff: 10^5 random operands back to back and
//! again with random idle cycles, edge values, latency, throughput and tags.

use std::collections::VecDeque;

use ark_ff::BigInt;
use msm_sim::model::Fq;
use msm_sim::seed::rng;
use msm_spec::limbs::{sub, P, R_MOD_P};
use msm_verilator::{
    FieldOp, FieldUnit, FQ_ADD_SUB_LATENCY, FQ_MUL_ECP5_LATENCY, FQ_MUL_LATENCY,
    FQ_MUL_U55C_LATENCY, TAG_BITS,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const N: usize = 100_000;

#[derive(Clone, Copy)]
enum Kind {
    AddSub,
    Mul,
    /// The u55c multiplier with its Xilinx primitives (`SYNTHESIS` defined).
    MulU55c,
    /// The ecp5 multiplier: several passes, an operation every `mul_passes` clocks.
    MulEcp5,
}

impl Kind {
    fn unit(self) -> FieldUnit {
        match self {
            Kind::AddSub => FieldUnit::add_sub(),
            Kind::Mul => FieldUnit::mul(),
            Kind::MulU55c => FieldUnit::mul_u55c(),
            Kind::MulEcp5 => FieldUnit::mul_ecp5(),
        }
    }

    fn latency(self) -> u64 {
        match self {
            Kind::AddSub => FQ_ADD_SUB_LATENCY as u64,
            Kind::Mul => FQ_MUL_LATENCY as u64,
            Kind::MulU55c => FQ_MUL_U55C_LATENCY as u64,
            Kind::MulEcp5 => FQ_MUL_ECP5_LATENCY as u64,
        }
    }

    /// Clocks between operations: the multiplier's passes (`msm_spec::config`).
    fn every(self) -> u64 {
        match self {
            Kind::MulEcp5 => u64::from(msm_spec::config::ECP5_85F.mul_passes),
            _ => 1,
        }
    }

    /// The model's result, checked against ark-ff's (same Montgomery limbs).
    fn expected(self, op: &FieldOp) -> [u64; 4] {
        let (a, b) = (
            Fq::from_montgomery(op.a).unwrap(),
            Fq::from_montgomery(op.b).unwrap(),
        );
        let model = match self {
            Kind::AddSub if op.sub => a.sub(&b),
            Kind::AddSub => a.add(&b),
            Kind::Mul | Kind::MulU55c | Kind::MulEcp5 => a.mul(&b),
        }
        .montgomery();
        let ark = |l: [u64; 4]| ark_bn254::Fq::new_unchecked(BigInt(l));
        let (x, y) = (ark(op.a), ark(op.b));
        let want = match self {
            Kind::AddSub if op.sub => x - y,
            Kind::AddSub => x + y,
            Kind::Mul | Kind::MulU55c | Kind::MulEcp5 => x * y,
        };
        assert_eq!(model, want.0 .0, "model vs ark-ff on {op:?}");
        model
    }
}

fn random_ops(rng: &mut ChaCha8Rng, n: usize) -> Vec<FieldOp> {
    (0..n)
        .map(|i| FieldOp {
            sub: rng.gen(),
            tag: (i as u32) & ((1 << TAG_BITS) - 1),
            a: Fq::random(rng).montgomery(),
            b: Fq::random(rng).montgomery(),
        })
        .collect()
}

/// Streams `ops` with an idle slot before an op with probability `gap` (a slot: a clock, or
/// `every` clocks of a multi-pass unit); checks every output in order, with its latency and
/// tag. Returns the cycles taken.
fn run(kind: Kind, ops: &[FieldOp], gap: f64, rng: &mut ChaCha8Rng) -> u64 {
    let mut unit = kind.unit();
    let mut pending: VecDeque<(u64, FieldOp)> = VecDeque::new();
    let mut next = ops.iter().peekable();
    while next.peek().is_some() || !pending.is_empty() {
        let slot = unit.cycles() % kind.every() == 0;
        let issue = match next.peek() {
            Some(_) if slot && !rng.gen_bool(gap) => next.next(),
            _ => None,
        };
        if let Some(op) = issue {
            pending.push_back((unit.cycles(), *op));
        }
        if let Some((tag, result)) = unit.step(issue) {
            let (at, op) = pending.pop_front().expect("an output without an input");
            // Seen in the clock just run: `latency` edges after the one that took it.
            assert_eq!(unit.cycles() - 1 - at, kind.latency(), "latency");
            assert_eq!(tag, op.tag, "tag of {op:?}");
            assert_eq!(result, kind.expected(&op), "{op:?}");
        }
        assert!(
            unit.cycles() < 3 * kind.every() * ops.len() as u64 + 1000,
            "the unit stopped producing"
        );
    }
    unit.cycles()
}

fn edge_ops(rng: &mut ChaCha8Rng) -> Vec<FieldOp> {
    let p_minus_1 = sub(&P, &[1, 0, 0, 0]).0;
    let vals = [
        [0; 4],
        [1, 0, 0, 0],
        Fq::ONE.montgomery(),
        p_minus_1,
        R_MOD_P,
        Fq::random(rng).montgomery(),
    ];
    let mut ops = Vec::new();
    for a in vals {
        for b in vals {
            for sub in [false, true] {
                ops.push(FieldOp {
                    sub,
                    tag: ops.len() as u32,
                    a,
                    b,
                });
            }
        }
    }
    ops
}

fn back_to_back(kind: Kind, what: &str) {
    let mut rng = rng(what);
    let ops = random_ops(&mut rng, N);
    let cycles = run(kind, &ops, 0.0, &mut rng);
    // Throughput: one result per slot once the pipeline is full.
    assert_eq!(cycles, kind.every() * (N as u64 - 1) + 1 + kind.latency());
}

/// Random operands with an idle cycle before about a third of them.
fn with_idle_cycles(kind: Kind, what: &str) {
    let mut rng = rng(what);
    let ops = random_ops(&mut rng, N);
    run(kind, &ops, 0.3, &mut rng);
}

fn edges(kind: Kind, what: &str) {
    let mut rng = rng(what);
    let ops = edge_ops(&mut rng);
    run(kind, &ops, 0.0, &mut rng);
}

#[test]
fn add_sub_back_to_back() {
    back_to_back(Kind::AddSub, "add_sub back to back");
}

#[test]
fn add_sub_with_idle_cycles() {
    with_idle_cycles(Kind::AddSub, "add_sub gaps");
}

#[test]
fn add_sub_edges() {
    edges(Kind::AddSub, "add_sub edges");
}

#[test]
fn mul_back_to_back() {
    back_to_back(Kind::Mul, "mul back to back");
}

#[test]
fn mul_with_idle_cycles() {
    with_idle_cycles(Kind::Mul, "mul gaps");
}

#[test]
fn mul_edges() {
    edges(Kind::Mul, "mul edges");
}

#[test]
fn u55c_mul_back_to_back() {
    back_to_back(Kind::MulU55c, "u55c mul back to back");
}

#[test]
fn u55c_mul_with_idle_cycles() {
    with_idle_cycles(Kind::MulU55c, "u55c mul gaps");
}

#[test]
fn u55c_mul_edges() {
    edges(Kind::MulU55c, "u55c mul edges");
}

#[test]
fn ecp5_mul_back_to_back() {
    back_to_back(Kind::MulEcp5, "ecp5 mul back to back");
}

#[test]
fn ecp5_mul_with_idle_cycles() {
    with_idle_cycles(Kind::MulEcp5, "ecp5 mul gaps");
}

#[test]
fn ecp5_mul_edges() {
    edges(Kind::MulEcp5, "ecp5 mul edges");
}

#[test]
fn trace_writes_a_vcd() {
    let path = std::env::temp_dir().join(format!("fq_add_sub_{}.vcd", std::process::id()));
    let mut unit = FieldUnit::add_sub();
    unit.trace(&path).unwrap();
    assert!(unit.trace(&path).is_err(), "a second trace is refused");
    let op = FieldOp {
        sub: false,
        tag: 1,
        a: [1, 0, 0, 0],
        b: [2, 0, 0, 0],
    };
    for _ in 0..10 {
        unit.step(Some(&op));
    }
    drop(unit);
    let vcd = std::fs::read_to_string(&path).unwrap();
    assert!(vcd.contains("$enddefinitions") && vcd.contains("result"));
    std::fs::remove_file(path).unwrap();
}
