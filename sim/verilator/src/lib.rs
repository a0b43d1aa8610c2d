//! The generated RTL, compiled by Verilator, behind safe Rust types. Each model is driven one
//! clock at a time; `trace` turns a VCD waveform dump on at run time.

include!(concat!(env!("OUT_DIR"), "/units.rs"));

pub mod field_unit;
pub mod lane;
mod model;
pub mod msm_core;
pub mod slicer;

pub use field_unit::{FieldOp, FieldUnit};
pub use lane::{coords, projective, Coords, Lane, LaneOp};
pub use msm_core::{segment_plan, Accumulation, CoreMsm, MsmCore, Timeout};
pub use slicer::{Digit, Slicer, SlicerStep};

/// 4 x u64 limbs to the 8 x u32 words Verilator uses for a 256-bit port (both little-endian).
fn to_words(l: &[u64; 4]) -> [u32; 8] {
    std::array::from_fn(|i| (l[i / 2] >> (32 * (i % 2))) as u32)
}

fn from_words(w: &[u32; 8]) -> [u64; 4] {
    std::array::from_fn(|i| u64::from(w[2 * i]) | (u64::from(w[2 * i + 1]) << 32))
}
