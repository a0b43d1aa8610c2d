//! What crosses the bus (DESIGN.md section 2), byte for byte:
//! - a base: 64 bytes, x then y, each 4 little-endian u64 limbs in Montgomery form
//!   (R = 2^256), exactly as `ark_bn254::Fq` stores them; each coordinate below p. The point
//!   at infinity has no encoding;
//! - a scalar: 32 bytes, its canonical integer as 4 little-endian u64 limbs, below r;
//! - a result point: 96 bytes, projective X, Y, Z in Montgomery form, each below p.

use crate::limbs::{lt, Limbs, P, SCALAR_MODULUS};

pub const LIMB_BYTES: usize = 32;
pub const BASE_BYTES: usize = 2 * LIMB_BYTES;
pub const SCALAR_BYTES: usize = LIMB_BYTES;
pub const RESULT_BYTES: usize = 3 * LIMB_BYTES;

/// An affine base as it crosses the bus: (x, y), Montgomery-form limbs.
pub type BaseLimbs = [Limbs; 2];
/// A projective result as it crosses the bus: (X, Y, Z), Montgomery-form limbs.
pub type PointLimbs = [Limbs; 3];

/// Why some bytes are not a valid encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusError {
    /// The buffer is not a whole number of items.
    Length { len: usize, unit: usize },
    /// Item `index` has a coordinate not below p.
    Coordinate { index: usize },
    /// Scalar `index` is not below r.
    Scalar { index: usize },
}

/// 32 bytes, little-endian, to limbs.
pub fn limbs_from_bytes(b: &[u8; LIMB_BYTES]) -> Limbs {
    std::array::from_fn(|i| u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap()))
}

pub fn limbs_to_bytes(l: &Limbs) -> [u8; LIMB_BYTES] {
    let mut out = [0u8; LIMB_BYTES];
    for (i, x) in l.iter().enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&x.to_le_bytes());
    }
    out
}

/// `bytes` cut into items of `N` limbs each, every limb vector below `modulus`.
fn decode<const N: usize>(
    bytes: &[u8],
    modulus: &Limbs,
    bad: impl Fn(usize) -> BusError,
) -> Result<Vec<[Limbs; N]>, BusError> {
    let unit = N * LIMB_BYTES;
    if bytes.len() % unit != 0 {
        return Err(BusError::Length {
            len: bytes.len(),
            unit,
        });
    }
    bytes
        .chunks(unit)
        .enumerate()
        .map(|(index, item)| {
            let v: [Limbs; N] = std::array::from_fn(|k| {
                limbs_from_bytes(item[k * LIMB_BYTES..][..LIMB_BYTES].try_into().unwrap())
            });
            if v.iter().all(|l| lt(l, modulus)) {
                Ok(v)
            } else {
                Err(bad(index))
            }
        })
        .collect()
}

/// Bases from their encoding; each coordinate must be below p (whether the point is on the
/// curve is the field's business: see the model).
pub fn decode_bases(bytes: &[u8]) -> Result<Vec<BaseLimbs>, BusError> {
    decode(bytes, &P, |index| BusError::Coordinate { index })
}

/// Scalars from their encoding; each must be below r.
pub fn decode_scalars(bytes: &[u8]) -> Result<Vec<Limbs>, BusError> {
    Ok(
        decode::<1>(bytes, &SCALAR_MODULUS, |index| BusError::Scalar { index })?
            .into_iter()
            .map(|[s]| s)
            .collect(),
    )
}

/// Result points from their encoding; each coordinate must be below p.
pub fn decode_points(bytes: &[u8]) -> Result<Vec<PointLimbs>, BusError> {
    decode(bytes, &P, |index| BusError::Coordinate { index })
}

/// The encoding of items of `N` limb vectors each (bases, scalars, points).
pub fn encode<const N: usize>(items: &[[Limbs; N]]) -> Vec<u8> {
    items.iter().flatten().flat_map(limbs_to_bytes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limbs::sub;

    #[test]
    fn round_trips_and_refusals() {
        let p_minus_1 = sub(&P, &[1, 0, 0, 0]).0;
        let bases = [[[1, 2, 3, 4], p_minus_1]];
        assert_eq!(decode_bases(&encode(&bases)), Ok(bases.to_vec()));
        assert_eq!(
            decode_bases(&encode(&[[[0; 4], P]])),
            Err(BusError::Coordinate { index: 0 })
        );
        let r_minus_1 = sub(&SCALAR_MODULUS, &[1, 0, 0, 0]).0;
        assert_eq!(decode_scalars(&encode(&[[r_minus_1]])), Ok(vec![r_minus_1]));
        assert_eq!(
            decode_scalars(&encode(&[[[0; 4]], [SCALAR_MODULUS]])),
            Err(BusError::Scalar { index: 1 })
        );
        assert_eq!(
            decode_scalars(&[0; 33]),
            Err(BusError::Length { len: 33, unit: 32 })
        );
        let points = [[[5, 0, 0, 0], [6, 0, 0, 0], [7, 0, 0, 0]]];
        assert_eq!(decode_points(&encode(&points)), Ok(points.to_vec()));
    }
}
