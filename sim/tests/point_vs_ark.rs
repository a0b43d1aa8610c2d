//! The model's complete formulas (Algorithms 7 and 8) against arkworks, edge cases included.
mod common;

use ark_bn254::{Fq as ArkFq, G1Affine, G1Projective};
use ark_std::{UniformRand, Zero};
use msm_sim::model::ark::{affine_from_ark, fq_from_ark, projective_from_ark, projective_to_ark};
use msm_sim::model::{Affine, Projective};
use rand_chacha::ChaCha8Rng;

/// The same point with a random Z (X, Y, Z scaled by a random non-zero factor).
fn rescale(p: &Projective, rng: &mut ChaCha8Rng) -> Projective {
    let f = fq_from_ark(&ArkFq::rand(rng));
    Projective {
        x: p.x.mul(&f),
        y: p.y.mul(&f),
        z: p.z.mul(&f),
    }
}

fn full(a: &G1Projective, b: &G1Projective, rng: &mut ChaCha8Rng) {
    let (pa, pb) = (
        rescale(&projective_from_ark(a), rng),
        rescale(&projective_from_ark(b), rng),
    );
    let sum = pa.add(&pb);
    assert_eq!(projective_to_ark(&sum), *a + *b, "alg 7: {a} + {b}");
    if (*a + *b).is_zero() {
        assert!(sum.is_identity());
    }
}

fn mixed(a: &G1Projective, b: &G1Affine, rng: &mut ChaCha8Rng) {
    let pa = rescale(&projective_from_ark(a), rng);
    let qb: Affine = affine_from_ark(b).unwrap();
    assert_eq!(
        projective_to_ark(&pa.add_mixed(&qb, false)),
        *a + *b,
        "alg 8: {a} + {b}"
    );
    assert_eq!(
        projective_to_ark(&pa.add_mixed(&qb, true)),
        *a - *b,
        "alg 8: {a} - {b}"
    );
}

#[test]
fn random_additions_match_arkworks() {
    let mut rng = common::rng("point random");
    for _ in 0..2000 {
        let (a, b) = (G1Projective::rand(&mut rng), G1Projective::rand(&mut rng));
        full(&a, &b, &mut rng);
        mixed(&a, &b.into(), &mut rng);
    }
}

#[test]
fn edge_cases_match_arkworks() {
    let mut rng = common::rng("point edges");
    let o = G1Projective::zero();
    for _ in 0..20 {
        let p = G1Projective::rand(&mut rng);
        let pa: G1Affine = p.into();
        for (a, b) in [(p, p), (p, -p), (p, o), (o, p), (o, o), (-p, p)] {
            full(&a, &b, &mut rng);
        }
        // Mixed: P + P and P + (-P) through the negate bit, O + P.
        for a in [p, -p, o] {
            mixed(&a, &pa, &mut rng);
        }
        let q = projective_from_ark(&p);
        assert!(q.double().same_point(&projective_from_ark(&(p + p))));
    }
}

#[test]
fn curve_membership() {
    let mut rng = common::rng("point membership");
    let p = affine_from_ark(&G1Projective::rand(&mut rng).into()).unwrap();
    assert!(p.is_on_curve() && p.neg().is_on_curve());
    let bad = Affine {
        x: p.x,
        y: p.y.add(&msm_sim::model::Fq::ONE),
    };
    assert!(!bad.is_on_curve());
    let back = Projective::from(p).to_affine().unwrap();
    assert_eq!(back, p);
}
