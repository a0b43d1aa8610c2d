//! The Verilated MSM core: the whole MSM (finished on the host) against arkworks, its buckets
//! against the model's (as points: the order of the additions differs when a digit is parked),
//! and its segment sums. Random and adversarial inputs; seeds printed, MSM_SEED replays.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{BigInt, PrimeField};
use msm_sim::model::ark::{affine_from_ark, projective_to_ark, scalar_limbs};
use msm_sim::model::msm::accumulate;
use msm_sim::model::Projective;
use msm_sim::seed::rng;
use msm_sim::workload::random_inputs;
use msm_spec::reduction::window_segment_sums;
use msm_spec::window::windows;
use msm_verilator::{projective, Coords, MsmCore, C_MAX};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The RTL's point, which must be a point: the identity as (0 : Y : 0), Y != 0, or on the curve.
fn point(c: &Coords) -> Projective {
    let p = projective(c);
    match p.to_affine() {
        None => assert!(p.x.is_zero() && !p.y.is_zero(), "not a point: {p:?}"),
        Some(a) => assert!(a.is_on_curve(), "not on the curve: {p:?}"),
    }
    p
}

/// Runs the MSM on the Verilated core as the host does (`MsmCore::msm`: accumulation and the
/// segment running sums on the core, the finish on the host) against arkworks, then checks what
/// the core left behind: every bucket against the model's (the reduction does not touch them)
/// and every segment sum against the model's running sums over those buckets. Returns the
/// efficiency: adds that matter (accumulation, and two per bucket) / (cycles x lanes).
fn check(bases: &[G1Affine], scalars: &[Fr], c: u32, what: &str) -> f64 {
    let model_bases: Vec<_> = bases.iter().map(|b| affine_from_ark(b).unwrap()).collect();
    let limbs: Vec<_> = scalars.iter().map(scalar_limbs).collect();
    let points: Vec<[[u64; 4]; 2]> = model_bases
        .iter()
        .map(|b| [b.x.montgomery(), b.y.montgomery()])
        .collect();
    let mut core = MsmCore::default();
    let run = core.msm(c, &points, &limbs).unwrap();
    let ark = G1Projective::msm(bases, scalars).unwrap();
    assert_eq!(
        projective_to_ark(&run.point),
        ark,
        "{what}: c = {c}, the MSM"
    );
    let plan = core.plan(c);
    let (want, adds) = accumulate(&model_bases, &limbs, &plan);
    assert_eq!(
        run.accumulation.adds, adds,
        "{what}: one add per non-zero digit"
    );

    let m = plan.segment_len();
    for (w, win) in windows(c).iter().enumerate() {
        for (h, want) in want[w].iter().enumerate() {
            let mut got = vec![Projective::IDENTITY];
            assert_eq!(want.len(), win.buckets() + 1);
            for (k, want) in want.iter().enumerate().skip(1) {
                let b = core
                    .bucket(c, w, h, k as u32)
                    .map_or(Projective::IDENTITY, |b| point(&b));
                assert!(
                    b.same_point(want),
                    "{what}: c = {c}, window {w} share {h}, bucket {k}"
                );
                got.push(b);
            }
            for j in 0..plan.segments_per_window() {
                let (s, t) = core.segment_sums(&plan, w, h, j);
                let (ws, wt) = window_segment_sums(&got[1..], m, j as usize);
                assert!(
                    point(&s).same_point(&ws) && point(&t).same_point(&wt),
                    "{what}: c = {c}, window {w} share {h}, segment {j}"
                );
            }
        }
    }
    eprintln!(
        "{what}: N = {}, c = {c}: accumulation {adds} adds in {} cycles, {} conflicts; \
         reduction {} adds ({} chains of {m} per lane) in {} cycles; {} lanes, \
         efficiency {:.3}",
        bases.len(),
        run.accumulation.cycles,
        run.accumulation.conflicts,
        run.adds - adds,
        plan.chains,
        run.reduction_cycles,
        run.lanes,
        run.efficiency(),
    );
    run.efficiency()
}

/// `n` seeded random bases and scalars (`msm_sim::workload`).
fn random(rng: &mut ChaCha8Rng, n: usize) -> (Vec<G1Affine>, Vec<Fr>) {
    random_inputs(n, rng.gen())
}

#[test]
fn random_msms() {
    let mut rng = rng("msm core random");
    for (n, c) in [
        (1, 4),
        (2, 2),
        (3, 8),
        (100, 5),
        (100, 8),
        (1000, 7),
        (1000, 10),
        (4096, 8),
    ] {
        let (bases, scalars) = random(&mut rng, n);
        check(&bases, &scalars, c, "random");
    }
}

#[test]
fn adversarial_msms() {
    let mut rng = rng("msm core adversarial");
    let n = 60;
    let (bases, scalars) = random(&mut rng, n);
    let r_minus_1 = Fr::from(0u64) - Fr::from(1u64);
    let one_scalar = scalars[0];
    // Every scalar equal: each window's adds all hit one bucket (the worst case for hazards).
    check(&bases, &vec![one_scalar; n], 8, "every scalar equal");
    check(&bases, &vec![Fr::from(0u64); n], 6, "every scalar zero");
    check(&bases, &vec![r_minus_1; n], 7, "every scalar r - 1");
    // Repeated bases, and half the bases the negation of the other half.
    let repeated = vec![bases[0]; n];
    check(&repeated, &scalars, 5, "one base repeated");
    let mut mirrored = bases[..n / 2].to_vec();
    mirrored.extend(bases[..n / 2].iter().map(|b| -*b));
    check(&mirrored, &scalars, 8, "bases and their negations");
    // Scalar 1 and the largest digits of every window (all bits set below r).
    let ones = Fr::from_bigint(BigInt([u64::MAX, u64::MAX, u64::MAX, (1 << 61) - 1])).unwrap();
    check(
        &bases[..3],
        &[Fr::from(1u64), ones, r_minus_1],
        3,
        "edge scalars",
    );
}

/// The acceptance figure: uniform random scalars, N = 2^14, c = C_MAX (10 in the test
/// configuration): adds / (cycles x lanes), reduction included, at least 0.95.
#[test]
#[ignore = "2 min in Verilator: `make test-long`"]
fn efficiency_at_2_14() {
    let mut rng = rng("msm core efficiency");
    let n = 1 << 14;
    let (bases, scalars) = random(&mut rng, n);
    let efficiency = check(&bases, &scalars, C_MAX, "efficiency");
    assert!(efficiency >= 0.95, "efficiency {efficiency:.3}");
}

/// The bucket epoch of the test configuration is 2 bits: MSMs run in epochs 1, 2, 3, then the
/// core sweeps its buckets back to epoch 0 before the next. Small MSMs touch few buckets, so an
/// MSM that read an entry of the MSM three or four before it as current would be wrong here.
#[test]
fn more_msms_than_the_epoch_holds() {
    let mut rng = rng("msm core epoch wrap");
    let epochs = (1u32 << msm_spec::config::SIM.epoch_bits) - 1;
    let entries = msm_verilator::ENTRIES as u64;
    let mut core = MsmCore::default();
    for i in 0..3 * epochs + 2 {
        let n = rng.gen_range(1..6);
        let c = rng.gen_range(3..=6);
        let (bases, scalars) = random(&mut rng, n);
        let points: Vec<[[u64; 4]; 2]> = bases
            .iter()
            .map(|b| {
                let a = affine_from_ark(b).unwrap();
                [a.x.montgomery(), a.y.montgomery()]
            })
            .collect();
        let limbs: Vec<_> = scalars.iter().map(scalar_limbs).collect();
        let run = core.msm(c, &points, &limbs).unwrap();
        let want = G1Projective::msm(&bases, &scalars).unwrap();
        assert_eq!(
            projective_to_ark(&run.point),
            want,
            "MSM {i}: N = {n}, c = {c}"
        );
        // MSMs 0, 1, 2 use epochs 1, 2, 3; MSM 3 sweeps first; and so on.
        let swept = i > 0 && i % epochs == 0;
        assert_eq!(
            run.accumulation.sweep_cycles,
            if swept { entries } else { 0 },
            "MSM {i}: one sweep of every entry when the epochs run out"
        );
    }
}
