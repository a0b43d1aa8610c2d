//! The generated RTL, compiled by Verilator, behind safe Rust types. Each model is driven one
//! clock at a time (`ffi::Model::step`, one convention for every unit); `trace` turns a VCD
//! waveform dump on at run time.
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

include!(concat!(env!("OUT_DIR"), "/units.rs"));

pub mod board;
pub mod card;
mod ffi;
pub mod field_unit;
pub mod lane;
pub mod msm_core;
pub mod slicer;

pub use board::SimBoard;
pub use card::{
    CardModel, Channel, DmaRegion, Fault, FaultKind, HostBuffer, SimCard, Timing, SIM_CARD,
};
pub use field_unit::{FieldOp, FieldUnit};
pub use lane::{coords, projective, Coords, Lane, LaneOp};
pub use msm_core::{Accumulation, CoreModel, CoreMsm, MsmCore, Timeout, SIM_CORE, STAND_IN_CORES};
pub use slicer::{Digit, Slicer, SlicerStep};

/// Adder lanes of the test configuration's core.
pub const LANES: usize = msm_spec::config::SIM.lanes;
/// Largest window width the test configuration's bucket memory holds.
pub const C_MAX: u32 = msm_spec::config::SIM.c_max;
/// Tag width of the test configuration.
pub const TAG_BITS: u32 = msm_spec::config::SIM.tag_bits;

/// The simulated card as its reduction plan sees it.
pub const SHAPE: msm_spec::reduction::CardShape = msm_spec::reduction::CardShape {
    lanes: LANES,
    latency: FQ_LANE_LATENCY,
    interval: 1,
};

/// 4 x u64 limbs to the 8 x u32 words Verilator uses for a 256-bit port (both little-endian).
fn to_words(l: &[u64; 4]) -> [u32; 8] {
    std::array::from_fn(|i| (l[i / 2] >> (32 * (i % 2))) as u32)
}

fn from_words(w: &[u32; 8]) -> [u64; 4] {
    std::array::from_fn(|i| u64::from(w[2 * i]) | (u64::from(w[2 * i + 1]) << 32))
}
