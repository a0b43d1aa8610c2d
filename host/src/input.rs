//! Raw inputs in the bus format (`msm_spec::bus`) to checked arkworks values. There is no
//! encoding of the point at infinity.

use ark_bn254::{Fr, G1Affine};
use ark_ff::{BigInt, PrimeField};
use msm_sim::model::ark::affine_to_ark;
use msm_sim::model::{Affine, Fq, Limbs};
use msm_spec::bus::{self, BusError, BASE_BYTES, SCALAR_BYTES};

use crate::error::MsmError;

fn bus_error(what: &'static str, e: BusError) -> MsmError {
    match e {
        BusError::Length { len, unit } => MsmError::BadLength { what, len, unit },
        BusError::Coordinate { index } => MsmError::CoordinateOutOfRange { index },
        BusError::Scalar { index } => MsmError::ScalarOutOfRange { index },
    }
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
    let coords: Vec<_> = bus::decode_bases(bytes)
        .map_err(|e| bus_error("bases", e))?
        .into_iter()
        .map(|[x, y]| (x, y))
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
    let limbs = bus::decode_scalars(bytes).map_err(|e| bus_error("scalars", e))?;
    scalars_from_limbs(&limbs)
}

/// The bus encoding of a base (the inverse of [`bases_from_bytes`] for one point).
pub fn base_to_bytes(p: &G1Affine) -> [u8; BASE_BYTES] {
    bus::encode(&[[p.x.0 .0, p.y.0 .0]]).try_into().unwrap()
}

/// The bus encoding of a scalar.
pub fn scalar_to_bytes(s: &Fr) -> [u8; SCALAR_BYTES] {
    bus::encode(&[[s.into_bigint().0]]).try_into().unwrap()
}
