//! The MSM core around the adder lanes: the scalar slicer, one engine per lane (bucket
//! accumulation and the on-card segment running sums), and the core that joins them.

pub mod core;
pub mod engine;
pub mod ram;
pub mod slicer;
