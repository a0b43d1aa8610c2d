//! `lane`: the adder lane's schedule figures for each configuration.

use msm_hw::config::ALL;
use msm_hw::point::lane::lane_schedule;
use msm_hw::point::schedule::{lane_program, UnitLatency};

fn main() {
    let program = lane_program();
    println!(
        "config  mul  add/sub  L (cycles)  II  multipliers  add/sub units  delay stages (x256 bits)"
    );
    for cfg in ALL {
        let lat = UnitLatency::of(&cfg);
        let s = lane_schedule(&cfg);
        let (muls, add_subs) = program.units(cfg.lane_units);
        println!(
            "{:<7} {:>4} {:>8} {:>11} {:>3} {:>12} {:>14} {:>10}",
            cfg.name, lat.mul, lat.add_sub, s.latency, s.interval, muls, add_subs, s.delay_stages
        );
    }
}
