//! Every bad input returns its typed error, never a panic, and leaves the backend usable.

use ark_bn254::{Fq, Fr, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::Zero;
use ark_ff::{BigInt, PrimeField};
use msm_host::input::{
    base_to_bytes, bases_from_bytes, bases_from_limbs, scalar_to_bytes, scalars_from_bytes,
    scalars_from_limbs,
};
mod common;

use common::backends;
use msm_host::workload::random_inputs;
use msm_host::{ModelBackend, MsmError};
use msm_spec::limbs::{sub, P, SCALAR_MODULUS};

fn inputs(n: usize) -> (Vec<G1Affine>, Vec<Fr>) {
    random_inputs(n, msm_sim::seed::seed("errors"))
}

#[test]
fn key_errors_leave_the_previous_key_loaded() {
    let (bases, scalars) = inputs(8);
    let off_curve = G1Affine::new_unchecked(bases[0].x, bases[0].y + Fq::from(1u64));
    for mut b in backends() {
        assert_eq!(
            b.msm(&scalars),
            Err(MsmError::EmptyKey),
            "{}: no key yet",
            b.name()
        );
        assert_eq!(b.load_bases(&[]), Err(MsmError::EmptyKey));
        b.load_bases(&bases).unwrap();
        let want = b.msm(&scalars).unwrap();

        let mut bad = bases.clone();
        bad[3] = G1Affine::zero();
        assert_eq!(
            b.load_bases(&bad),
            Err(MsmError::PointAtInfinity { index: 3 })
        );
        bad[3] = off_curve;
        assert_eq!(
            b.load_bases(&bad),
            Err(MsmError::PointNotOnCurve { index: 3 })
        );
        assert_eq!(
            b.msm(&scalars),
            Ok(want),
            "{}: key intact after errors",
            b.name()
        );
    }
}

#[test]
fn length_errors() {
    let (bases, scalars) = inputs(8);
    for mut b in backends() {
        assert_eq!(
            b.msm_once(&bases[..7], &scalars),
            Err(MsmError::LengthMismatch {
                bases: 7,
                scalars: 8
            })
        );
        b.load_bases(&bases[..4]).unwrap();
        assert_eq!(
            b.msm(&scalars),
            Err(MsmError::TooManyScalars {
                bases: 4,
                scalars: 8
            })
        );
        assert!(b.msm(&[]).unwrap().is_zero(), "empty MSM is the identity");
    }
}

#[test]
fn window_out_of_range() {
    for c in [0, 1, 17] {
        assert!(matches!(
            ModelBackend::new(Some(c), common::card()),
            Err(MsmError::WindowOutOfRange { .. })
        ));
    }
    // The simulated card's bucket memory holds c <= its c_max.
    #[cfg(feature = "sim")]
    for c in [1, msm_verilator::C_MAX + 1, 16] {
        assert!(matches!(
            msm_host::simulated(Some(c), msm_host::Timing::default()),
            Err(MsmError::WindowOutOfRange { max, .. }) if max == msm_verilator::C_MAX
        ));
    }
}

#[test]
fn raw_bases_are_checked() {
    let (bases, _) = inputs(4);
    let bytes: Vec<u8> = bases.iter().flat_map(base_to_bytes).collect();
    assert_eq!(bases_from_bytes(&bytes).unwrap(), bases);
    assert_eq!(
        bases_from_bytes(&bytes[1..]),
        Err(MsmError::BadLength {
            what: "bases",
            len: 255,
            unit: 64
        })
    );
    let coords: Vec<_> = bases.iter().map(|b| (b.x.0 .0, b.y.0 .0)).collect();
    let mut bad = coords.clone();
    bad[2].0 = P; // x = p is not a reduced limb vector
    assert_eq!(
        bases_from_limbs(&bad),
        Err(MsmError::CoordinateOutOfRange { index: 2 })
    );
    let mut bad = coords.clone();
    bad[1].1[0] ^= 1;
    assert_eq!(
        bases_from_limbs(&bad),
        Err(MsmError::PointNotOnCurve { index: 1 })
    );
    // No encoding of infinity: (0, 0) is not on y^2 = x^3 + 3.
    let mut bad = coords;
    bad[0] = ([0; 4], [0; 4]);
    assert_eq!(
        bases_from_limbs(&bad),
        Err(MsmError::PointNotOnCurve { index: 0 })
    );
}

#[test]
fn raw_scalars_are_checked() {
    let (_, scalars) = inputs(4);
    let bytes: Vec<u8> = scalars.iter().flat_map(scalar_to_bytes).collect();
    assert_eq!(scalars_from_bytes(&bytes).unwrap(), scalars);
    assert_eq!(
        scalars_from_bytes(&bytes[..33]),
        Err(MsmError::BadLength {
            what: "scalars",
            len: 33,
            unit: 32
        })
    );
    let r_minus_1 = sub(&SCALAR_MODULUS, &[1, 0, 0, 0]).0;
    assert_eq!(
        scalars_from_limbs(&[r_minus_1]).unwrap(),
        vec![-Fr::from(1u64)]
    );
    assert_eq!(Fr::from_bigint(BigInt(r_minus_1)), Some(-Fr::from(1u64)));
    let vals = [[0; 4], SCALAR_MODULUS, [u64::MAX; 4]];
    assert_eq!(
        scalars_from_limbs(&vals),
        Err(MsmError::ScalarOutOfRange { index: 1 })
    );
    assert_eq!(
        scalars_from_limbs(&vals[2..]),
        Err(MsmError::ScalarOutOfRange { index: 0 })
    );
}
