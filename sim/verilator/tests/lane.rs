//! The Verilated adder lane against the model (bit for bit) and arkworks (as points): random
//! additions in both modes, back to back and with idle cycles, and the edge cases; the same on
//! the ecp5 configuration's folded lane (its two-pass multiplier and two add/sub units shared,
//! an addition every II clocks). Seeds are printed; MSM_SEED replays.

use std::collections::VecDeque;

use ark_bn254::G1Projective;
use msm_sim::model::ark::{affine_from_ark, projective_to_ark};
use msm_sim::model::{Affine, Fq, Projective};
use msm_sim::seed::rng;
use msm_sim::workload::random_inputs;
use msm_verilator::{
    coords, projective, Lane, LaneOp, ECP5_FQ_LANE_INTERVAL, ECP5_FQ_LANE_LATENCY, FQ_LANE_LATENCY,
    TAG_BITS,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const N: usize = 10_000;

/// An addition with what it must produce.
struct Case {
    op: LaneOp,
    /// The model's Algorithm 7 (projective q) or 8 (affine q): the lane's exact limbs.
    model: Projective,
    /// arkworks' sum.
    ark: G1Projective,
}

fn neg(p: &Projective) -> Projective {
    Projective { y: p.y.neg(), ..*p }
}

/// `p` rescaled by a random Z (the identity stays (0 : Z : 0)).
fn rescale(p: &Projective, rng: &mut ChaCha8Rng) -> Projective {
    let z = Fq::random(rng);
    Projective {
        x: p.x.mul(&z),
        y: p.y.mul(&z),
        z: p.z.mul(&z),
    }
}

/// Random points of G1 (`msm_sim::workload`), affine.
fn random_points(rng: &mut ChaCha8Rng, n: usize) -> Vec<Affine> {
    random_inputs(n, rng.gen())
        .0
        .iter()
        .map(|p| affine_from_ark(p).expect("a workload base is not the identity"))
        .collect()
}

/// p + (±q), q projective (Algorithm 7).
fn projective_case(p: Projective, q: Projective, negate: bool, tag: u32) -> Case {
    let q_eff = if negate { neg(&q) } else { q };
    Case {
        op: LaneOp {
            negate,
            tag,
            p: coords(&p),
            q: coords(&q),
        },
        model: p.add(&q_eff),
        ark: projective_to_ark(&p) + projective_to_ark(&q_eff),
    }
}

/// p + (±q), q affine with Z = 1 (Algorithm 8).
fn mixed_case(p: Projective, q: Affine, negate: bool, tag: u32) -> Case {
    let q_eff = if negate { q.neg() } else { q };
    Case {
        op: LaneOp {
            negate,
            tag,
            p: coords(&p),
            q: coords(&Projective::from(q)),
        },
        model: p.add_mixed(&q, negate),
        ark: projective_to_ark(&p) + projective_to_ark(&Projective::from(q_eff)),
    }
}

fn tag(i: usize) -> u32 {
    i as u32 & ((1 << TAG_BITS) - 1)
}

fn random_cases(rng: &mut ChaCha8Rng, n: usize, mixed: bool) -> Vec<Case> {
    let pts = random_points(rng, 2 * n);
    (0..n)
        .map(|i| {
            let p = rescale(&pts[2 * i].into(), rng);
            let negate = rng.gen();
            if mixed {
                mixed_case(p, pts[2 * i + 1], negate, tag(i))
            } else {
                let q = rescale(&pts[2 * i + 1].into(), rng);
                projective_case(p, q, negate, tag(i))
            }
        })
        .collect()
}

/// P + P, P + (-P), P + O, O + P, O + O, each with the negate bit off and on, in both modes
/// where the addend has an affine form; every projective input has a random Z.
fn edge_cases(rng: &mut ChaCha8Rng) -> Vec<Case> {
    let pts = random_points(rng, 4);
    let mut cases = Vec::new();
    for a in pts {
        let p = Projective::from(a);
        let o = Projective::IDENTITY;
        for negate in [false, true] {
            // With the negate bit, the addend is stored negated so that the pair is the same.
            let addend = |q: Projective| if negate { neg(&q) } else { q };
            let aff = |q: Affine| if negate { q.neg() } else { q };
            let pairs = [(p, p), (p, neg(&p)), (p, o), (o, p), (o, o)];
            for (x, y) in pairs {
                let (x, y) = (rescale(&x, rng), rescale(&addend(y), rng));
                cases.push(projective_case(x, y, negate, tag(cases.len())));
            }
            for (x, y) in [(p, a), (p, a.neg()), (o, a)] {
                let x = rescale(&x, rng);
                cases.push(mixed_case(x, aff(y), negate, tag(cases.len())));
            }
        }
    }
    cases
}

/// A Verilated lane: the test configuration's, or the ecp5 folded one.
#[derive(Clone, Copy)]
enum Kind {
    Sim,
    Ecp5,
}

impl Kind {
    fn lane(self) -> Lane {
        match self {
            Kind::Sim => Lane::default(),
            Kind::Ecp5 => Lane::ecp5(),
        }
    }

    fn latency(self) -> u64 {
        match self {
            Kind::Sim => FQ_LANE_LATENCY as u64,
            Kind::Ecp5 => ECP5_FQ_LANE_LATENCY as u64,
        }
    }

    /// Clocks between additions: an addition enters in clocks 0 mod II from power-up.
    fn interval(self) -> u64 {
        match self {
            Kind::Sim => 1,
            Kind::Ecp5 => ECP5_FQ_LANE_INTERVAL as u64,
        }
    }
}

/// Streams the cases with an idle slot (a clock, or II of a folded lane) before one with
/// probability `gap`; checks each output in order: latency, tag, limbs against the model, point
/// against arkworks. Returns cycles.
fn run(kind: Kind, cases: &[Case], gap: f64, rng: &mut ChaCha8Rng) -> u64 {
    let mut lane = kind.lane();
    let mut pending: VecDeque<(u64, &Case)> = VecDeque::new();
    let mut next = cases.iter().peekable();
    while next.peek().is_some() || !pending.is_empty() {
        let slot = lane.cycles() % kind.interval() == 0;
        let issue = match next.peek() {
            Some(_) if slot && !rng.gen_bool(gap) => next.next(),
            _ => None,
        };
        if let Some(c) = issue {
            pending.push_back((lane.cycles(), c));
        }
        if let Some((tag, out)) = lane.step(issue.map(|c| &c.op)) {
            let (at, c) = pending.pop_front().expect("an output without an input");
            // Seen in the clock just run: L edges after the one that took it.
            assert_eq!(lane.cycles() - 1 - at, kind.latency(), "latency");
            assert_eq!(tag, c.op.tag, "tag of {:?}", c.op);
            assert_eq!(out, coords(&c.model), "lane vs model on {:?}", c.op);
            let got = projective(&out);
            assert_eq!(
                projective_to_ark(&got),
                c.ark,
                "lane vs arkworks on {:?}",
                c.op
            );
        }
        assert!(
            lane.cycles() < 3 * kind.interval() * cases.len() as u64 + 1000,
            "the lane stopped producing"
        );
    }
    lane.cycles()
}

fn back_to_back(mixed: bool, what: &str) {
    let mut rng = rng(what);
    let cases = random_cases(&mut rng, N, mixed);
    let cycles = run(Kind::Sim, &cases, 0.0, &mut rng);
    // Throughput: one addition per clock once the pipeline is full.
    assert_eq!(cycles, N as u64 + FQ_LANE_LATENCY as u64);
}

#[test]
fn projective_back_to_back() {
    back_to_back(false, "lane projective back to back");
}

#[test]
fn mixed_back_to_back() {
    back_to_back(true, "lane mixed back to back");
}

#[test]
fn both_modes_with_idle_cycles() {
    let mut rng = rng("lane with idle cycles");
    let mut cases = random_cases(&mut rng, N, false);
    cases.extend(random_cases(&mut rng, N, true));
    // Interleave the modes: the same datapath serves both, cycle by cycle.
    let (a, b) = cases.split_at_mut(N);
    for i in (0..N).step_by(2) {
        std::mem::swap(&mut a[i], &mut b[i]);
    }
    run(Kind::Sim, &cases, 0.3, &mut rng);
}

#[test]
fn edge_cases_back_to_back_and_with_idle_cycles() {
    let mut rng = rng("lane edge cases");
    let cases = edge_cases(&mut rng);
    assert_eq!(cases.len(), 4 * 2 * 8);
    let cycles = run(Kind::Sim, &cases, 0.0, &mut rng);
    assert_eq!(cycles, cases.len() as u64 + FQ_LANE_LATENCY as u64);
    run(Kind::Sim, &cases, 0.5, &mut rng);
}

/// The folded lane: both modes interleaved, back to back (an addition every II clocks) and with
/// idle slots, and the edge cases.
#[test]
fn ecp5_folded_lane_both_modes_and_edges() {
    let mut rng = rng("ecp5 folded lane");
    let n = 1500;
    let mut cases = random_cases(&mut rng, n, false);
    cases.extend(random_cases(&mut rng, n, true));
    let (a, b) = cases.split_at_mut(n);
    for i in (0..n).step_by(2) {
        std::mem::swap(&mut a[i], &mut b[i]);
    }
    let (k, ii) = (Kind::Ecp5, ECP5_FQ_LANE_INTERVAL as u64);
    let cycles = run(k, &cases, 0.0, &mut rng);
    assert_eq!(cycles, ii * (cases.len() as u64 - 1) + 1 + k.latency());
    run(k, &cases[..600], 0.3, &mut rng);
    let edges = edge_cases(&mut rng);
    run(k, &edges, 0.0, &mut rng);
    run(k, &edges, 0.5, &mut rng);
}
