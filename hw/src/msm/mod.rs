//! The MSM core around the adder lane: the scalar slicer, and the core (bucket accumulation and
//! the on-card segment running sums), one lane so far.

pub mod core;
pub mod slicer;
