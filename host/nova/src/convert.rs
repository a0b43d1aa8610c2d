//! halo2curves <-> arkworks for BN254. Both keep Fq and Fr as four little-endian u64 limbs in
//! Montgomery form with R = 2^256, so a conversion is a copy of limbs, no arithmetic.

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::BigInt;
use halo2curves::group::prime::PrimeCurveAffine;
use nova_snark::provider::bn256_grumpkin::bn256;
use rayon::prelude::*;

pub fn scalar(s: &bn256::Scalar) -> Fr {
    Fr::new_unchecked(BigInt(s.0))
}

pub fn base(x: &bn256::Base) -> Fq {
    Fq::new_unchecked(BigInt(x.0))
}

/// The identity (nova's (0, 0)) becomes arkworks' point at infinity.
pub fn affine(p: &bn256::Affine) -> G1Affine {
    if bool::from(p.is_identity()) {
        G1Affine::identity()
    } else {
        G1Affine::new_unchecked(base(&p.x), base(&p.y))
    }
}

pub fn point(p: &G1Projective) -> bn256::Point {
    let a = p.into_affine();
    match a.xy() {
        None => <bn256::Point as halo2curves::group::Group>::identity(),
        Some((x, y)) => bn256::Affine {
            x: bn256::Base(x.0 .0),
            y: bn256::Base(y.0 .0),
        }
        .to_curve(),
    }
}

/// Scalars in parallel: at 2^20 this is the conversion's whole cost per commitment.
pub fn scalars(v: &[bn256::Scalar]) -> Vec<Fr> {
    v.par_iter().map(scalar).collect()
}

pub fn affines(v: &[bn256::Affine]) -> Vec<G1Affine> {
    v.par_iter().map(affine).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::PrimeGroup;
    use ff::Field;
    use halo2curves::group::Curve;
    use rand::SeedableRng;

    #[test]
    fn limbs_carry_the_same_values() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..100 {
            let s = bn256::Scalar::random(&mut rng);
            let t = bn256::Scalar::random(&mut rng);
            assert_eq!(scalar(&(s * t)), scalar(&s) * scalar(&t));
            assert_eq!(scalar(&(s + t)), scalar(&s) + scalar(&t));
        }
        assert_eq!(scalar(&bn256::Scalar::ONE), Fr::from(1u64));
        assert_eq!(scalar(&-bn256::Scalar::ONE), -Fr::from(1u64));
        assert_eq!(base(&bn256::Base::from(7u64)), Fq::from(7u64));
        let g = bn256::Point::generator();
        assert_eq!(affine(&g.to_affine()), G1Affine::generator());
        for k in [0u64, 1, 2, 12345] {
            let p = g * bn256::Scalar::from(k);
            let q = G1Projective::generator() * Fr::from(k);
            assert_eq!(affine(&p.to_affine()), q.into_affine());
            assert_eq!(point(&q), p);
        }
    }
}
