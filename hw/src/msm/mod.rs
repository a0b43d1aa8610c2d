//! The MSM core around the adder lane(s): the scalar slicer so far (issue 5 in progress).

pub mod slicer;
