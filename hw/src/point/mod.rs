//! The adder lane: one complete BN254 G1 addition per clock. So far its formula program and
//! schedule (`schedule`); the RTL lane follows (issue 4).

pub mod schedule;
