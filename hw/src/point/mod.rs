//! The adder lane: one complete BN254 G1 addition per clock. `schedule` holds its formula as a
//! program of field operations and the program's schedule; `lane` lays that out as RTL.

pub mod lane;
pub mod schedule;
