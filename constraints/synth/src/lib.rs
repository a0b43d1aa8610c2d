//! The open synthesis flow: `synth_report` (resources and Fmax of every unit) and
//! `ecp5_bitstream` (the ecp5 board's bitstream) share these.
//!
//! - `flow`: one unit on one target; `tools`: finding and running the tools; `parse`: their
//!   logs; `wrapper`: the ECP5 pin wrapper; `blocks`: the parts of the core and the card
//!   reported on their own (`synth_report`'s tables are its own `report` module).

pub mod blocks;
pub mod flow;
pub mod parse;
pub mod tools;
pub mod wrapper;
