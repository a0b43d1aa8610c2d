//! The BAR0 register block, generated from the register map (`msm_spec::card::Reg`) by
//! hw/build.rs: a port per register, named as the map names it.

use rust_hdl::prelude::*;

include!(concat!(env!("OUT_DIR"), "/bar0.rs"));
