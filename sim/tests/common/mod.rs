//! Shared inputs for the model tests: seeded randomness and arkworks values.
#![allow(dead_code)]

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_std::UniformRand;
use rand_chacha::ChaCha8Rng;

pub use msm_sim::seed::rng;

/// `n` random affine points (none is the identity, with overwhelming probability; checked).
pub fn random_bases(rng: &mut ChaCha8Rng, n: usize) -> Vec<G1Affine> {
    let pts: Vec<G1Projective> = (0..n).map(|_| G1Projective::rand(rng)).collect();
    let affine = G1Projective::normalize_batch(&pts);
    assert!(affine.iter().all(|p| !p.is_zero()));
    affine
}

pub fn random_scalars(rng: &mut ChaCha8Rng, n: usize) -> Vec<Fr> {
    (0..n).map(|_| Fr::rand(rng)).collect()
}
