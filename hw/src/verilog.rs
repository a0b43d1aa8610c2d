//! Verilog generation: maps a configuration onto the concrete rust-hdl types (rust-hdl widths
//! are const generics) and emits one Verilog module per unit.

use rust_hdl::prelude::*;

use crate::config::Config;
use crate::field::add_sub::FqAddSub;

/// Names a configured unit and produces its top-level Verilog.
pub struct Unit {
    pub name: &'static str,
    pub verilog: String,
    /// Latency in cycles, from the configuration.
    pub latency: usize,
}

/// The Verilog of `U` with its top module (rust-hdl calls it `top`) renamed `name`.
fn emit<U: Block + Default>(name: &str) -> String {
    let mut uut = U::default();
    uut.connect_all();
    generate_verilog(&uut)
        .replace("module top(", &format!("module {name}("))
        .replace("top$", &format!("{name}$"))
}

/// Expands `$body` with `$limb`/`$stages`/`$tag` bound to the configuration's constants.
macro_rules! with_add_sub {
    ($cfg:expr, $t:ident => $body:expr) => {
        match ($cfg.carry_bits, $cfg.tag_bits) {
            (64, 16) => {
                type $t = FqAddSub<64, 4, 16>;
                $body
            }
            (64, 32) => {
                type $t = FqAddSub<64, 4, 32>;
                $body
            }
            (32, 16) => {
                type $t = FqAddSub<32, 8, 16>;
                $body
            }
            other => panic!("no add/sub instance for (carry_bits, tag_bits) = {other:?}"),
        }
    };
}

/// Every unit of `cfg`.
pub fn units(cfg: &Config) -> Vec<Unit> {
    vec![Unit {
        name: "fq_add_sub",
        verilog: with_add_sub!(cfg, T => emit::<T>("fq_add_sub")),
        latency: crate::field::add_sub::latency(cfg.carry_bits as usize),
    }]
}
