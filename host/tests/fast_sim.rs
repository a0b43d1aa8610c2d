//! The fast simulation (`--fast-sim`: the card's field units as behavioural leaves) against the
//! structural card it stands for: the same MSMs give the same points, card clocks, adds,
//! epoch sweeps and DMA bytes. Then the large configuration's fast card runs MSMs right.
#![cfg(feature = "sim")]

use ark_bn254::{Fr, G1Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{One, UniformRand, Zero};
use msm_driver::InProcess;
use msm_host::workload::random_inputs;
use msm_host::{CardBackend, CardModel, MsmBackend, MsmReport, Timing};
use rand::Rng;

fn on(build: &'static CardModel, window: Option<u32>) -> CardBackend<InProcess> {
    msm_host::simulated_of(build, window, Timing::pcie(build.config.clock_mhz)).unwrap()
}

fn fast(config: &str) -> &'static CardModel {
    CardModel::find(config, true)
        .unwrap_or_else(|| panic!("no fast build of {config}: {:?}", CardModel::names()))
}

/// Everything the card reports, but the wall clock.
fn counters(
    r: &MsmReport,
) -> (
    G1Projective,
    u32,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<u64>,
) {
    (
        r.point,
        r.window,
        r.adds,
        r.cycles,
        r.sweep_cycles,
        r.dma_bytes,
    )
}

#[test]
fn the_fast_card_runs_clock_for_clock_with_the_structural_card() {
    let structural = CardModel::find("sim", false).unwrap();
    let seed = msm_sim::seed::seed("fast sim against structural");
    let mut rng = msm_sim::seed::rng("fast sim against structural");
    let n = 700;
    let (mut bases, _) = random_inputs(n, seed);
    // A repeated base and a base with its negation: P + P and P + (-P) in the buckets.
    bases[1] = bases[0];
    bases[3] = -bases[2];
    let r_1 = -Fr::one();
    let mut sets: Vec<(String, Vec<Fr>)> = vec![
        ("one point".into(), vec![Fr::from(3u64)]),
        ("zeros".into(), vec![Fr::zero(); 50]),
        ("r - 1".into(), vec![r_1; 40]),
    ];
    for size in [4, 333, n] {
        let s = (0..size).map(|_| Fr::rand(&mut rng)).collect();
        sets.push((format!("{size} random"), s));
    }
    let mut mixed: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    for (i, s) in mixed.iter_mut().enumerate() {
        match rng.gen_range(0..4) {
            0 => *s = Fr::zero(),
            1 => *s = r_1,
            _ => {}
        }
        if i < 4 {
            *s = Fr::from(7u64);
        }
    }
    sets.push(("zeros, r - 1 and repeats".into(), mixed));
    // A chosen window as well as the host's choice; more MSMs than the test epoch's span, so
    // sweeps fall in the run.
    for window in [None, Some(4)] {
        let mut a = on(structural, window);
        let mut b = on(fast("sim"), window);
        a.load_bases(&bases).unwrap();
        b.load_bases(&bases).unwrap();
        for (what, s) in &sets {
            let want = G1Projective::msm(&bases[..s.len()], s).unwrap();
            let (ra, rb) = (a.msm_report(s).unwrap(), b.msm_report(s).unwrap());
            assert_eq!(ra.point, want, "{what}, window {window:?} (seed {seed})");
            assert_eq!(
                counters(&ra),
                counters(&rb),
                "{what}, window {window:?}: structural against fast (seed {seed})"
            );
        }
        assert_eq!(
            a.card().transport().card().cycles(),
            b.card().transport().card().cycles(),
            "window {window:?}: the two cards' clocks since power-on"
        );
    }
}

#[test]
fn the_u55c_fast_card_computes_msms() {
    let build = fast("u55c");
    let mut card = on(build, None);
    let info = *card.card().info();
    assert_eq!(
        (info.lanes, info.c_max, info.lane_latency),
        (build.shape.lanes, build.config.c_max, build.shape.latency)
    );
    let seed = msm_sim::seed::seed("u55c fast card");
    let (bases, scalars) = random_inputs(1000, seed);
    card.load_bases(&bases).unwrap();
    let mut rng = msm_sim::seed::rng("u55c fast card");
    // Sizes that are not powers of two; the left-over window's points shared between lanes.
    for n in [1, 5, 999] {
        let s = &scalars[..n];
        let want = G1Projective::msm(&bases[..n], s).unwrap();
        let r = card.msm_report(s).unwrap();
        assert_eq!(
            r.point.into_affine(),
            want.into_affine(),
            "n = {n} (seed {seed})"
        );
        assert_eq!(r.lanes, Some(build.shape.lanes));
    }
    let s: Vec<Fr> = (0..700)
        .map(|i| {
            if i % 3 == 0 {
                Fr::zero()
            } else {
                Fr::rand(&mut rng)
            }
        })
        .collect();
    let want: G1Projective = G1Projective::msm(&bases[..700], &s).unwrap();
    assert_eq!(card.msm(&s).unwrap(), want, "seed {seed}");
}

/// The ECP5 card: one folded lane (one multiplier and three add/sub units shared, an addition
/// every II clocks), c_max 7. Its fast build runs the edge cases against arkworks at every c,
/// and takes about II clocks an addition.
#[test]
fn the_ecp5_fast_card_with_its_folded_lane_computes_msms() {
    let build = fast("ecp5");
    let seed = msm_sim::seed::seed("ecp5 fast card");
    let mut rng = msm_sim::seed::rng("ecp5 fast card");
    let (mut bases, scalars) = random_inputs(400, seed);
    bases[1] = bases[0];
    bases[3] = -bases[2];
    let r_1 = -Fr::one();
    let mut sets: Vec<(String, Vec<Fr>)> = vec![
        ("one point".into(), vec![Fr::from(5u64)]),
        ("zeros".into(), vec![Fr::zero(); 20]),
        ("r - 1".into(), vec![r_1; 20]),
        ("P + P and P + (-P)".into(), vec![Fr::from(9u64); 4]),
        ("333 random".into(), scalars[..333].to_vec()),
    ];
    let mixed = (0..400)
        .map(|i| match rng.gen_range(0..4) {
            _ if i < 4 => Fr::from(3u64),
            0 => Fr::zero(),
            1 => r_1,
            _ => scalars[i],
        })
        .collect();
    sets.push(("zeros, r - 1 and repeats".into(), mixed));
    for window in [None, Some(2), Some(build.config.c_max)] {
        let mut card = on(build, window);
        let info = *card.card().info();
        assert_eq!(
            (info.lanes, info.c_max, info.lane_latency),
            (1, build.config.c_max, build.shape.latency)
        );
        assert!(info.lane_interval > 1, "the ECP5 lane is folded");
        let interval = info.lane_interval as f64;
        card.load_bases(&bases).unwrap();
        for (what, s) in &sets {
            let want = G1Projective::msm(&bases[..s.len()], s).unwrap();
            let r = card.msm_report(s).unwrap();
            assert_eq!(r.point, want, "{what}, window {window:?} (seed {seed})");
            let (adds, cycles) = (r.adds.unwrap() as f64, r.cycles.unwrap() as f64);
            eprintln!(
                "ecp5 fast card, {what}, c = {}: {adds} adds in {cycles} clocks",
                r.window
            );
            // Every addition takes a slot of its own; the reduction's too.
            assert!(cycles >= adds * interval, "{what}: {cycles} clocks");
        }
    }
}
