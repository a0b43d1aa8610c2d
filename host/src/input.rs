//! Raw inputs in the bus format (DESIGN.md section 2) to checked arkworks values.
//!
//! A base is 64 bytes: x then y, each 4 little-endian u64 limbs in Montgomery form (R = 2^256),
//! exactly as `ark_bn254::Fq` stores them. A scalar is 32 bytes: its canonical integer as 4
//! little-endian u64 limbs, below r. There is no encoding of the point at infinity.

use ark_bn254::{Fr, G1Affine};
use ark_ff::{BigInt, PrimeField};
use msm_sim::model::ark::affine_to_ark;
use msm_sim::model::{Affine, Fq, Limbs};

use crate::error::MsmError;

pub const BASE_BYTES: usize = 64;
pub const SCALAR_BYTES: usize = 32;

fn limbs(bytes: &[u8]) -> Limbs {
    std::array::from_fn(|i| u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().unwrap()))
}

/// Bases from (x, y) pairs of Montgomery-form limbs.
pub fn bases_from_limbs(coords: &[(Limbs, Limbs)]) -> Result<Vec<G1Affine>, MsmError> {
    coords
        .iter()
        .enumerate()
        .map(|(index, (x, y))| {
            let p = match (Fq::from_montgomery(*x), Fq::from_montgomery(*y)) {
                (Some(x), Some(y)) => Affine { x, y },
                _ => return Err(MsmError::CoordinateOutOfRange { index }),
            };
            if !p.is_on_curve() {
                return Err(MsmError::PointNotOnCurve { index });
            }
            Ok(affine_to_ark(&p))
        })
        .collect()
}

/// Bases from their bus encoding, 64 bytes each.
pub fn bases_from_bytes(bytes: &[u8]) -> Result<Vec<G1Affine>, MsmError> {
    if bytes.len() % BASE_BYTES != 0 {
        return Err(MsmError::BadLength {
            what: "bases",
            len: bytes.len(),
            unit: BASE_BYTES,
        });
    }
    let coords: Vec<_> = bytes
        .chunks(BASE_BYTES)
        .map(|b| (limbs(&b[..32]), limbs(&b[32..])))
        .collect();
    bases_from_limbs(&coords)
}

/// Scalars from canonical limbs; each must be below r.
pub fn scalars_from_limbs(values: &[Limbs]) -> Result<Vec<Fr>, MsmError> {
    values
        .iter()
        .enumerate()
        .map(|(index, l)| Fr::from_bigint(BigInt(*l)).ok_or(MsmError::ScalarOutOfRange { index }))
        .collect()
}

/// Scalars from their bus encoding, 32 bytes each.
pub fn scalars_from_bytes(bytes: &[u8]) -> Result<Vec<Fr>, MsmError> {
    if bytes.len() % SCALAR_BYTES != 0 {
        return Err(MsmError::BadLength {
            what: "scalars",
            len: bytes.len(),
            unit: SCALAR_BYTES,
        });
    }
    scalars_from_limbs(&bytes.chunks(SCALAR_BYTES).map(limbs).collect::<Vec<_>>())
}

/// The bus encoding of a base (the inverse of [`bases_from_bytes`] for one point).
pub fn base_to_bytes(p: &G1Affine) -> [u8; BASE_BYTES] {
    let mut out = [0u8; BASE_BYTES];
    for (i, l) in p.x.0 .0.iter().chain(p.y.0 .0.iter()).enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&l.to_le_bytes());
    }
    out
}

/// The bus encoding of a scalar.
pub fn scalar_to_bytes(s: &Fr) -> [u8; SCALAR_BYTES] {
    let mut out = [0u8; SCALAR_BYTES];
    for (i, l) in s.into_bigint().0.iter().enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&l.to_le_bytes());
    }
    out
}
