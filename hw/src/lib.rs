//! The BN254 MSM core in rust-hdl. `config` drives the design; `field` holds the Fq units.
//! Golden models: `msm_sim::model`. The configurations are `msm_spec`'s.

pub use msm_spec::config;

pub mod board;
pub mod card;
pub mod field;
pub mod msm;
pub mod pipeline;
pub mod point;
pub mod verilog;
