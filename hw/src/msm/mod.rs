//! The MSM core around the adder lane(s), in progress (issue 5): the scalar slicer and bucket
//! accumulation so far; on-card bucket reduction is next.

pub mod accumulate;
pub mod slicer;
