//! Simulation side of the BN254 MSM accelerator: the reference model of the hardware algorithm.
pub mod model;
pub mod seed;
pub mod workload;
