//! The model's Fq against ark-ff on random and edge operands.
mod common;

use ark_bn254::Fq as ArkFq;
use ark_ff::{Field, PrimeField};
use ark_std::UniformRand;
use msm_sim::model::ark::{fq_from_ark, fq_to_ark};
use msm_sim::model::Fq;
use msm_spec::limbs::{P, R_MOD_P};

fn check(a: ArkFq, b: ArkFq) {
    let (x, y) = (fq_from_ark(&a), fq_from_ark(&b));
    assert_eq!(fq_to_ark(&x.add(&y)), a + b, "add {a} {b}");
    assert_eq!(fq_to_ark(&x.sub(&y)), a - b, "sub {a} {b}");
    assert_eq!(fq_to_ark(&x.mul(&y)), a * b, "mul {a} {b}");
    assert_eq!(fq_to_ark(&x.neg()), -a, "neg {a}");
    assert_eq!(
        fq_to_ark(&x.mul_by_9()),
        a * ArkFq::from(9u64),
        "mul_by_9 {a}"
    );
}

fn edges() -> Vec<ArkFq> {
    vec![
        ArkFq::from(0u64),
        ArkFq::from(1u64),
        -ArkFq::from(1u64),                                   // p - 1
        ArkFq::from_bigint(ark_ff::BigInt(R_MOD_P)).unwrap(), // R mod p as a canonical value
        ArkFq::from(2u64).inverse().unwrap(),                 // (p + 1) / 2
    ]
}

#[test]
fn random_operands_match_ark_ff() {
    let mut rng = common::rng("field random");
    for _ in 0..100_000 {
        check(ArkFq::rand(&mut rng), ArkFq::rand(&mut rng));
    }
}

#[test]
fn edge_operands_match_ark_ff() {
    let mut rng = common::rng("field edges");
    let mut values = edges();
    values.push(ArkFq::rand(&mut rng));
    for &a in &values {
        for &b in &values {
            check(a, b);
        }
    }
}

#[test]
fn canonical_conversions_round_trip() {
    let mut rng = common::rng("field canonical");
    for _ in 0..1000 {
        let a = ArkFq::rand(&mut rng);
        let canon = a.into_bigint().0;
        assert_eq!(Fq::from_canonical(canon), Some(fq_from_ark(&a)));
        assert_eq!(fq_from_ark(&a).canonical(), canon);
        assert_eq!(
            fq_to_ark(&fq_from_ark(&a).inverse()),
            a.inverse().unwrap_or_default()
        );
    }
    assert_eq!(Fq::from_montgomery(P), None);
}
