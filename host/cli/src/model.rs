//! `msm model`: the schedule model's table (a planning tool for the RTL, not a simulation of it).

use clap::Args as ClapArgs;
use msm_sim::model::schedule::{
    auto_segments, random_scalars, schedule, ScalarDistribution, ScheduleParams,
};
use msm_spec::window::WINDOW_RANGE;
use serde_json::json;

use crate::List;

#[derive(ClapArgs)]
pub struct Args {
    /// log2 of the number of points: `16`, `16,20`, `12..16`.
    #[arg(long, default_value = "16")]
    log_size: List,
    /// Adder pipeline latency L in cycles.
    #[arg(long, default_value_t = 200)]
    latency: u64,
    /// Adder lanes: `1,2`.
    #[arg(long, default_value = "1,2")]
    lanes: List,
    /// Window widths: `10..16`.
    #[arg(long, default_value = "10..16")]
    window: List,
    /// Reduction segments per full window (power of two); default: enough for L chains a lane.
    #[arg(long)]
    segments: Option<usize>,
    /// Hazard FIFO depth per lane.
    #[arg(long, default_value_t = 16)]
    fifo: usize,
    /// Scalars: uniform, constant (all equal: worst-case hazards), zero.
    #[arg(long, default_value = "uniform")]
    distribution: ScalarDistribution,
    /// Seed of the scalars (printed; a fresh one by default).
    #[arg(long)]
    seed: Option<u64>,
    /// Clock for the projected latency (a projection: cycles / clock).
    #[arg(long, default_value_t = 250.0)]
    clock_mhz: f64,
    /// One JSON object per row instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &Args) -> Result<(), String> {
    if let Some(&c) = a.window.0.iter().find(|c| !WINDOW_RANGE.contains(c)) {
        return Err(format!("window {c} outside {WINDOW_RANGE:?}"));
    }
    if a.lanes.0.contains(&0) || a.latency == 0 {
        return Err("lanes and latency must be at least 1".into());
    }
    let seed = a.seed.unwrap_or_else(msm_sim::seed::fresh);
    eprintln!("seed {seed} (replay with --seed {seed}); schedule model: a projection, not RTL");
    if !a.json {
        println!(
            "{:>9} {:>3} {:>5} {:>4} {:>5} {:>12} {:>12} {:>7} {:>10} {:>9}",
            "points", "c", "lanes", "L", "segs", "adds", "cycles", "eff", "hazards", "proj ms"
        );
    }
    for &log in &a.log_size.0 {
        let n = 1usize << log;
        let scalars = random_scalars(n, a.distribution, seed ^ u64::from(log));
        for &c in &a.window.0 {
            for &lanes in &a.lanes.0 {
                let lanes = lanes as usize;
                let segments = a
                    .segments
                    .unwrap_or_else(|| auto_segments(c, a.latency, lanes));
                let p = ScheduleParams {
                    c,
                    latency: a.latency,
                    lanes,
                    segments,
                    fifo_depth: a.fifo,
                };
                if !segments.is_power_of_two() || segments > 1 << (c - 1) {
                    return Err(format!("segments {segments}: a power of two <= 2^(c-1)"));
                }
                let r = schedule(&scalars, &p);
                let projected_ms = r.cycles as f64 / (a.clock_mhz * 1e3);
                if a.json {
                    let line = json!({
                        "backend": "schedule-model", "n": n, "c": c, "lanes": lanes,
                        "latency": a.latency, "segments": segments, "wall_ms": null,
                        "cycles": r.cycles, "adds": r.adds(), "efficiency": r.efficiency(lanes),
                        "accumulation_cycles": r.accumulation_cycles, "hazard_slots": r.hazard_slots,
                        "projected_ms": projected_ms, "clock_mhz": a.clock_mhz, "seed": seed,
                    });
                    println!("{line}");
                } else {
                    println!(
                        "{:>9} {:>3} {:>5} {:>4} {:>5} {:>12} {:>12} {:>7.3} {:>10} {:>9.2}",
                        n,
                        c,
                        lanes,
                        a.latency,
                        segments,
                        r.adds(),
                        r.cycles,
                        r.efficiency(lanes),
                        r.hazard_slots,
                        projected_ms
                    );
                }
            }
        }
    }
    if !a.json {
        println!(
            "projected ms = cycles / {} MHz (an assumed clock: a projection)",
            a.clock_mhz
        );
    }
    Ok(())
}
