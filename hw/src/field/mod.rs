//! BN254 Fq units: pipelined, one operation per clock, with a valid bit and an opaque tag.

pub mod add_sub;
pub mod compress;
pub mod mont_row;
pub mod mul;
pub mod product;
pub mod tile;

/// Bits of an Fq element on the bus (4 x 64-bit limbs, Montgomery form).
pub const FIELD_BITS: u32 = 256;
