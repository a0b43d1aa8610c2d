//! Seeded random MSM inputs, the same for every backend and test given the same seed.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::CurveGroup;
use ark_std::UniformRand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Random steps the bases walk by: more than one so that the key is not an arithmetic
/// progression.
const STEPS: usize = 64;

/// `n` bases and `n` uniform scalars from `seed`. The bases are a walk B_i = B_{i-1} + Q_(i mod 64)
/// from a random start with random steps: one addition per base instead of one scalar
/// multiplication, which matters at 2^20 points. Their discrete logs are unknown, and no MSM
/// backend can tell them from independent points.
pub fn random_inputs(n: usize, seed: u64) -> (Vec<G1Affine>, Vec<Fr>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let steps: Vec<G1Projective> = (0..STEPS).map(|_| G1Projective::rand(&mut rng)).collect();
    let mut acc = G1Projective::rand(&mut rng);
    let walk: Vec<G1Projective> = (0..n)
        .map(|i| {
            acc += steps[i % STEPS];
            acc
        })
        .collect();
    let bases = G1Projective::normalize_batch(&walk);
    let scalars = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    (bases, scalars)
}
