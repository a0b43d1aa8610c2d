//! Conversions between the model's types and arkworks'. No arithmetic: `ark_bn254::Fq` stores
//! exactly the model's Montgomery limbs, so this is a copy of limbs (the bus format).

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};

use msm_spec::Limbs;

use super::field::Fq;
use super::point::{Affine, Projective};

pub fn fq_from_ark(a: &ark_bn254::Fq) -> Fq {
    Fq::from_montgomery(a.0 .0).expect("arkworks keeps Fq reduced")
}

pub fn fq_to_ark(a: &Fq) -> ark_bn254::Fq {
    ark_bn254::Fq::new_unchecked(BigInt(a.montgomery()))
}

/// `None` for the identity, which has no affine form.
pub fn affine_from_ark(p: &G1Affine) -> Option<Affine> {
    let (x, y) = p.xy()?;
    Some(Affine {
        x: fq_from_ark(&x),
        y: fq_from_ark(&y),
    })
}

pub fn affine_to_ark(p: &Affine) -> G1Affine {
    G1Affine::new_unchecked(fq_to_ark(&p.x), fq_to_ark(&p.y))
}

/// Jacobian (X : Y : Z) (arkworks: x = X/Z^2, y = Y/Z^3) to homogeneous (X Z : Y : Z^3).
pub fn projective_from_ark(p: &G1Projective) -> Projective {
    if p.z == ark_bn254::Fq::from(0u64) {
        return Projective::IDENTITY;
    }
    let z2 = p.z * p.z;
    Projective {
        x: fq_from_ark(&(p.x * p.z)),
        y: fq_from_ark(&p.y),
        z: fq_from_ark(&(z2 * p.z)),
    }
}

/// Homogeneous (X : Y : Z) to Jacobian (X Z : Y Z^2 : Z): x = X Z / Z^2, y = Y Z^2 / Z^3.
pub fn projective_to_ark(p: &Projective) -> G1Projective {
    if p.is_identity() {
        return G1Projective::default();
    }
    let (x, y, z) = (fq_to_ark(&p.x), fq_to_ark(&p.y), fq_to_ark(&p.z));
    G1Projective::new_unchecked(x * z, y * z * z, z)
}

/// The canonical limbs of a scalar (the bus format).
pub fn scalar_limbs(s: &Fr) -> Limbs {
    s.into_bigint().0
}
