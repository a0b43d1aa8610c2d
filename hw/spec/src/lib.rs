//! The one definition of what hw, sim, driver and host agree on, with no dependency:
//! - [`config`]: the build configurations (the core's parameters);
//! - [`limbs`]: 256-bit integers as 4 little-endian u64 limbs, the moduli p and r, the
//!   Montgomery constants (R = 2^256);
//! - [`bus`]: the byte encodings of bases, scalars and results that cross the bus;
//! - [`window`]: window widths, balanced windows, signed digits, the choice of c;
//! - [`lanes`]: how windows, and the points of left-over windows, are spread over lanes;
//! - [`reduction`]: the card's reduction plan, where each window's buckets and segment sums
//!   live on the card, and the host's finish (generic over the point type).
//!
//! - [`link`]: the serial host link of boards without PCIe (frames, opcodes, poll records);
//! - [`card`]: the card's BAR0 register map, command descriptor, error codes and result
//!   layout.

pub mod bus;
pub mod card;
pub mod config;
pub mod lanes;
pub mod limbs;
pub mod link;
pub mod reduction;
pub mod window;

pub use limbs::Limbs;
