//! `lane`: the adder lane's schedule figures for each configuration.

use msm_hw::config::ALL;
use msm_hw::point::lane::{lane_latency, lane_schedule};
use msm_hw::point::schedule::lane_program;

fn main() {
    let program = lane_program();
    println!(
        "config  mul  add/sub  L (cycles)  II  multipliers  add/sub units  delay stages (x256 bits)"
    );
    // The units' latencies as the schedule sees them: a folded lane's registered operand
    // multiplexers add a clock to each.
    for cfg in ALL {
        let lat = lane_latency(&cfg);
        let s = lane_schedule(&cfg);
        let (muls, add_subs) = program.units(cfg.lane_units);
        println!(
            "{:<7} {:>4} {:>8} {:>11} {:>3} {:>12} {:>14} {:>10}",
            cfg.name, lat.mul, lat.add_sub, s.latency, s.interval, muls, add_subs, s.delay_stages
        );
    }
}
