//! `lane`: the adder lane's schedule figures for each configuration.

use msm_hw::config::ALL;
use msm_hw::point::schedule::{asap, lane_program, UnitLatency};

fn main() {
    let program = lane_program();
    let (muls, add_subs) = program.units();
    println!(
        "config  mul  add/sub  L (cycles)  multipliers  add/sub units  delay stages (x256 bits)"
    );
    for cfg in ALL {
        let lat = UnitLatency::of(&cfg);
        let s = asap(&program, lat);
        println!(
            "{:<7} {:>4} {:>8} {:>11} {:>12} {:>14} {:>10}",
            cfg.name, lat.mul, lat.add_sub, s.latency, muls, add_subs, s.delay_stages
        );
    }
}
