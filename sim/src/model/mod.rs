//! Bit-exact software model of the core's arithmetic and algorithm, independent of ark-ff, and a
//! schedule model for planning the RTL. Tests compare every piece against arkworks.

pub mod affine;
pub mod ark;
pub mod chains;
pub mod field;
pub mod msm;
pub mod point;
pub mod schedule;

pub use field::Fq;
pub use msm_spec::Limbs;
pub use point::{Affine, Projective};
