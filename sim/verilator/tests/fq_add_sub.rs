//! The Verilated add/sub unit against the model: random operands back to back and with random
//! idle cycles, edge values, latency and throughput, tags.

use std::collections::VecDeque;

use msm_sim::model::field::{P, R_MOD_P};
use msm_sim::model::Fq;
use msm_verilator::{AddSubOp, FqAddSub, FQ_ADD_SUB_LATENCY, TAG_BITS};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_fq(rng: &mut ChaCha8Rng) -> [u64; 4] {
    loop {
        let mut l: [u64; 4] = rng.gen();
        l[3] &= (1 << 62) - 1;
        if let Some(f) = Fq::from_montgomery(l) {
            return f.montgomery();
        }
    }
}

fn expected(op: &AddSubOp) -> [u64; 4] {
    let (a, b) = (
        Fq::from_montgomery(op.a).unwrap(),
        Fq::from_montgomery(op.b).unwrap(),
    );
    if op.sub { a.sub(&b) } else { a.add(&b) }.montgomery()
}

/// Streams `ops` with idle cycles drawn with probability `gap`; checks every output in order.
/// Returns the cycles taken.
fn run(ops: &[AddSubOp], gap: f64, rng: &mut ChaCha8Rng) -> u64 {
    let mut unit = FqAddSub::new();
    let mut pending: VecDeque<(u64, AddSubOp)> = VecDeque::new();
    let mut next = ops.iter();
    let mut current = next.next();
    while current.is_some() || !pending.is_empty() {
        let issue = match current {
            Some(op) if !rng.gen_bool(gap) => {
                current = next.next();
                pending.push_back((unit.cycles(), *op));
                Some(op)
            }
            _ => None,
        };
        if let Some((tag, result)) = unit.step(issue) {
            let (at, op) = pending.pop_front().expect("output without an input");
            assert_eq!(unit.cycles() - at, FQ_ADD_SUB_LATENCY as u64, "latency");
            assert_eq!(tag, op.tag, "tag of {op:?}");
            assert_eq!(result, expected(&op), "{op:?}");
        }
        assert!(
            unit.cycles() < 10 * ops.len() as u64 + 100,
            "unit stopped producing"
        );
    }
    unit.cycles()
}

fn random_ops(rng: &mut ChaCha8Rng, n: usize) -> Vec<AddSubOp> {
    (0..n)
        .map(|i| AddSubOp {
            sub: rng.gen(),
            tag: (i as u32) & ((1 << TAG_BITS) - 1),
            a: random_fq(rng),
            b: random_fq(rng),
        })
        .collect()
}

#[test]
fn random_back_to_back_one_per_clock() {
    let mut rng = ChaCha8Rng::seed_from_u64(msm_sim::seed::seed("fq_add_sub back to back"));
    let ops = random_ops(&mut rng, 100_000);
    let cycles = run(&ops, 0.0, &mut rng);
    // Throughput: one result per clock once the pipeline is full.
    assert_eq!(cycles, ops.len() as u64 + FQ_ADD_SUB_LATENCY as u64 - 1);
}

#[test]
fn random_with_idle_cycles() {
    let mut rng = ChaCha8Rng::seed_from_u64(msm_sim::seed::seed("fq_add_sub gaps"));
    let ops = random_ops(&mut rng, 100_000);
    run(&ops, 0.3, &mut rng);
}

#[test]
fn edge_values() {
    let mut rng = ChaCha8Rng::seed_from_u64(msm_sim::seed::seed("fq_add_sub edges"));
    let p_minus_1 = msm_sim::model::field::sub(&P, &[1, 0, 0, 0]).0;
    let vals = [
        [0; 4],
        Fq::ONE.montgomery(),
        [1, 0, 0, 0],
        p_minus_1,
        R_MOD_P,
        random_fq(&mut rng),
    ];
    let mut ops = Vec::new();
    for a in vals {
        for b in vals {
            for sub in [false, true] {
                ops.push(AddSubOp {
                    sub,
                    tag: ops.len() as u32,
                    a,
                    b,
                });
            }
        }
    }
    run(&ops, 0.0, &mut rng);
}
