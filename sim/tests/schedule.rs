//! The schedule model: its add counts agree with the bit-exact model's, and its cycle counts
//! behave as the pipeline arithmetic says they must.
mod common;

use msm_sim::model::msm::accumulate;
use msm_sim::model::schedule::{
    auto_segments, random_scalars, schedule, ScalarDistribution, ScheduleParams,
};
use msm_spec::reduction::{CardShape, Plan};
use msm_spec::window::{num_windows, reduction_adds};

fn params(c: u32, latency: u64, lanes: usize) -> ScheduleParams {
    ScheduleParams {
        c,
        latency,
        interval: 1,
        lanes,
        segments: auto_segments(c, latency, lanes),
        fifo_depth: 16,
    }
}

#[test]
fn adds_match_the_bit_exact_model() {
    let mut rng = common::rng("schedule adds");
    let bases = common::random_bases(&mut rng, 300);
    let seed = rand::Rng::gen(&mut rng);
    for c in [4, 8, 12] {
        for lanes in [1, 2, 3] {
            let scalars = random_scalars(300, ScalarDistribution::Uniform, seed);
            let mb: Vec<_> = bases
                .iter()
                .map(|b| msm_sim::model::ark::affine_from_ark(b).unwrap())
                .collect();
            let plan = Plan::new(
                c,
                CardShape {
                    lanes,
                    latency: 50,
                    interval: 1,
                },
            );
            let (_, acc_adds) = accumulate(&mb, &scalars, &plan);
            let p = params(c, 50, lanes);
            let r = schedule(&scalars, &p);
            assert_eq!(r.accumulation_adds, acc_adds);
            assert_eq!(r.reduction_adds, reduction_adds(c));
            assert!(
                r.cycles * lanes as u64 >= r.adds(),
                "cannot beat one add per lane per cycle"
            );
        }
    }
}

#[test]
/// Windows sized for N = 2^14 (smaller c means fewer buckets per in-flight add, more hazards).
fn uniform_scalars_keep_the_pipeline_full() {
    let seed = rand::Rng::gen(&mut common::rng("schedule efficiency"));
    let scalars = random_scalars(1 << 14, ScalarDistribution::Uniform, seed);
    for c in [11, 12, 13, 14] {
        for lanes in [1, 2] {
            let p = params(c, 200, lanes);
            let r = schedule(&scalars, &p);
            let eff = r.efficiency(lanes);
            assert!(eff > 0.9, "c {c}, lanes {lanes}: efficiency {eff} ({r:?})");
        }
    }
}

#[test]
fn equal_scalars_serialise_on_one_bucket() {
    // Every add of a window hits the same bucket: each lane completes at most W_lane adds per L.
    let n = 512;
    let scalars = random_scalars(n, ScalarDistribution::Constant, 1);
    let (c, l) = (8, 100);
    let p = params(c, l, 1);
    let r = schedule(&scalars, &p);
    // Each window with a non-zero digit is a chain of n dependent adds.
    assert!(r.accumulation_cycles >= (n as u64 - 1) * l, "{r:?}");
    assert!(r.efficiency(1) < 0.5, "{r:?}");
    assert!(r.parked > 0 && r.hazard_slots > 0);
}

#[test]
fn zero_scalars_only_reduce() {
    let scalars = random_scalars(1000, ScalarDistribution::Zero, 0);
    let r = schedule(&scalars, &params(10, 100, 2));
    assert_eq!(r.accumulation_adds, 0);
    assert_eq!(r.accumulation_cycles, 0);
    assert!(r.cycles > 0);
}

/// The left-over windows' points are shared between lanes (`msm_spec::lanes`): accumulation
/// takes about N W / lanes clocks, not N ceil(W / lanes).
#[test]
fn left_over_windows_are_shared_between_lanes() {
    let seed = rand::Rng::gen(&mut common::rng("schedule split"));
    let n = 1 << 13;
    let scalars = random_scalars(n, ScalarDistribution::Uniform, seed);
    // W = 17 on 4 lanes (r = 1), W = 26 on 4 lanes (r = 2), W = 19 on 2 lanes.
    for (c, lanes) in [(15, 4), (10, 4), (14, 2)] {
        let p = params(c, 117, lanes);
        let r = schedule(&scalars, &p);
        let balanced = (n * num_windows(c)).div_ceil(lanes) as u64;
        let unsplit = (n * num_windows(c).div_ceil(lanes)) as u64;
        // Within the hazards (all lanes' lost slots) and the pipeline's drain.
        assert!(
            r.accumulation_cycles <= balanced + r.hazard_slots + 2 * p.latency
                && r.accumulation_cycles < unsplit - unsplit / 40,
            "c {c}, {lanes} lanes: {} accumulation cycles, balanced {balanced} ({r:?})",
            r.accumulation_cycles
        );
    }
}
