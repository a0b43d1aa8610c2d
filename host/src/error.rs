//! The one error type of the host API. Every bad input maps to a variant; nothing panics.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MsmError {
    #[error("{bases} bases but {scalars} scalars: lengths must match")]
    LengthMismatch { bases: usize, scalars: usize },
    #[error("{scalars} scalars but only {bases} bases are loaded")]
    TooManyScalars { bases: usize, scalars: usize },
    #[error("no bases loaded: the commitment key is empty")]
    EmptyKey,
    #[error(
        "base {index} is the point at infinity, which has no affine form: leave it out of the key"
    )]
    PointAtInfinity { index: usize },
    #[error("base {index} is not on the BN254 G1 curve")]
    PointNotOnCurve { index: usize },
    #[error("base {index}: a coordinate is not a Montgomery-form Fq element (its limbs are >= p)")]
    CoordinateOutOfRange { index: usize },
    #[error("scalar {index} is not below the group order r")]
    ScalarOutOfRange { index: usize },
    #[error("{what}: {len} bytes is not a multiple of {unit}")]
    BadLength {
        what: &'static str,
        len: usize,
        unit: usize,
    },
    #[error("window c = {c} is outside {min}..={max}")]
    WindowOutOfRange { c: u32, min: u32, max: u32 },
    #[error("the card did not finish within {ms} ms (it was reset; the key stays loaded)")]
    CardTimeout { ms: u64 },
    #[error("the card refused or aborted the command: {0:?}")]
    Card(msm_spec::card::CardError),
    #[error("{bases} bases do not fit the card's memory ({capacity})")]
    KeyTooLarge { bases: usize, capacity: usize },
    #[error("cannot open the card: {0}")]
    CardOpen(String),
    #[error("the card is gone: {0} (open it again)")]
    CardGone(String),
    #[error("driver: {0}")]
    Driver(String),
}
