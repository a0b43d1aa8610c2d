//! The model's MSM (slicing, accumulation, segmented reduction, combination) against arkworks.
mod common;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{Field, One, Zero};
use msm_sim::model::ark::{affine_from_ark, projective_to_ark, scalar_limbs};
use msm_sim::model::msm::msm;
use msm_spec::reduction::{segment_len, Plan};
use msm_spec::window::{buckets_per_window, num_windows, reduction_adds, WINDOW_RANGE};
use rand::Rng;

/// Runs the model MSM and compares it with arkworks; checks the add counts too.
fn check(bases: &[G1Affine], scalars: &[Fr], c: u32, segments: usize) {
    let mb: Vec<_> = bases.iter().map(|b| affine_from_ark(b).unwrap()).collect();
    let ms: Vec<_> = scalars.iter().map(scalar_limbs).collect();
    let plan = Plan {
        c,
        lanes: 1,
        m_log2: segment_len(c, segments).trailing_zeros(),
        chains: segments as u32,
    };
    let (got, counts) = msm(&mb, &ms, &plan);
    let want = G1Projective::msm(bases, scalars).unwrap();
    assert_eq!(
        projective_to_ark(&got),
        want,
        "n = {}, c = {c}, segments = {segments}",
        bases.len()
    );
    assert_eq!(counts.reduction, reduction_adds(c));
    assert!(counts.accumulation <= (bases.len() * num_windows(c)) as u64);
}

/// 1000 MSMs, sizes 1..=1024, c over 2..=16, random power-of-two segment counts.
#[test]
fn random_msms_match_arkworks() {
    let mut rng = common::rng("msm random");
    let pool = common::random_bases(&mut rng, 1024);
    let cases: Vec<(usize, usize, u32, usize, u64)> = (0..1000)
        .map(|i| {
            let n = rng.gen_range(1..=1024);
            let start = rng.gen_range(0..=1024 - n);
            let c = WINDOW_RANGE.start() + (i % WINDOW_RANGE.clone().count()) as u32;
            let segments = 1 << rng.gen_range(0..c);
            (n, start, c, segments, rng.gen())
        })
        .collect();
    // Two threads: the c = 15, 16 reductions dominate (2^c W adds each).
    std::thread::scope(|s| {
        for half in cases.chunks(cases.len().div_ceil(2)) {
            let pool = &pool;
            s.spawn(move || {
                for &(n, start, c, segments, seed) in half {
                    let mut rng =
                        <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
                    let scalars = common::random_scalars(&mut rng, n);
                    check(&pool[start..start + n], &scalars, c, segments);
                }
            });
        }
    });
}

#[test]
fn edge_cases_match_arkworks() {
    let mut rng = common::rng("msm edges");
    let bases = common::random_bases(&mut rng, 37);
    let r_minus_1 = -Fr::one();
    for c in [2, 3, 4, 5, 8, 11, 13] {
        let segs = [1, buckets_per_window(c)];
        for segments in segs {
            let n = bases.len();
            // All-zero scalars.
            check(&bases, &vec![Fr::zero(); n], c, segments);
            // Scalar 1 and r - 1 (and the largest window digits they produce).
            check(&bases, &vec![Fr::one(); n], c, segments);
            check(&bases, &vec![r_minus_1; n], c, segments);
            let mixed: Vec<Fr> = (0..n)
                .map(|i| if i % 2 == 0 { Fr::one() } else { r_minus_1 })
                .collect();
            check(&bases, &mixed, c, segments);
            // One point.
            check(&bases[..1], &[r_minus_1], c, segments);
            check(
                &bases[..1],
                &common::random_scalars(&mut rng, 1),
                c,
                segments,
            );
            // Repeated bases: one base n times (every add into the same buckets).
            let repeated = vec![bases[0]; n];
            check(&repeated, &common::random_scalars(&mut rng, n), c, segments);
            check(&repeated, &vec![Fr::from(7u64); n], c, segments);
            // A base and its negation with equal scalars: the sum is the identity.
            let with_neg: Vec<G1Affine> = bases.iter().flat_map(|b| [*b, -*b]).collect();
            let doubled: Vec<Fr> = common::random_scalars(&mut rng, n)
                .iter()
                .flat_map(|s| [*s, *s])
                .collect();
            check(&with_neg, &doubled, c, segments);
            // Sizes that are not powers of two, and scalars that are powers of two (one digit).
            for n in [3, 5, 17, 31] {
                let pows: Vec<Fr> = (0..n).map(|i| Fr::from(2u64).pow([i as u64 * 7])).collect();
                check(&bases[..n], &pows, c, segments);
            }
        }
    }
}

/// Larger MSMs (`make test-long`): sizes up to 2^14 at the window widths a card would use.
#[test]
#[ignore = "long: run by make test-long"]
fn large_msms_match_arkworks() {
    let mut rng = common::rng("msm large");
    let bases = common::random_bases(&mut rng, 1 << 14);
    for (log, cs) in [(12, [8, 10, 12]), (14, [11, 13, 14])] {
        let n = 1 << log;
        let scalars = common::random_scalars(&mut rng, n);
        for c in cs {
            check(&bases[..n], &scalars, c, 1 << ((c - 1) / 2));
        }
    }
}
