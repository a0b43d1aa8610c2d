//! `msm model`: the schedule model's table (a planning tool for the RTL, not a simulation of it).
//! With `--accumulation`, the complete projective lane and the batched-affine planning model
//! (`msm_sim::model::affine`) side by side, per multiplier.

use clap::Args as ClapArgs;
use msm_sim::model::affine::{self, AffineParams, AffineReport, BaseDistribution, Log};
use msm_sim::model::schedule::{
    auto_segments, random_scalars, schedule, ScalarDistribution, ScheduleParams, ScheduleReport,
};
use msm_spec::reduction::{segment_len, Group, Plan};
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
    /// Clocks between a lane's additions: 1, or II of a folded lane (ecp5: 12).
    #[arg(long, default_value_t = 1)]
    interval: u64,
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
    /// Bucket accumulations to compare, per multiplier: projective (the lane above, 12
    /// multipliers), affine (batched affine). Without it, the projective table alone.
    #[arg(long, value_delimiter = ',')]
    accumulation: Vec<Accumulation>,
    /// Batched affine: additions per batch (one shared inversion): `1024`, `256,1024,4096`.
    #[arg(long, default_value = "1024")]
    batch: List,
    /// Batched affine: multipliers per lane (12: the projective lane's count).
    #[arg(long, default_value = "12,6")]
    multipliers: List,
    /// Batched affine: the multiplier's latency in clocks (u55c: 41).
    #[arg(long, default_value_t = 41)]
    mul_latency: u64,
    /// Batched affine: bucket reads and writes per clock per lane; default ceil(M / 6), the
    /// additions a clock the multipliers sustain.
    #[arg(long)]
    bucket_ports: Option<usize>,
    /// Batched affine: deferred-op queue depth per lane.
    #[arg(long, default_value_t = 4096)]
    deferred: usize,
    /// Batched affine: add deferred points of one bucket to each other (a tree on hot buckets).
    #[arg(long)]
    pair: bool,
    /// Batched affine: reduction segments per full window; default: enough chains for the ops
    /// a lane has in flight.
    #[arg(long)]
    affine_segments: Option<usize>,
    /// Batched affine: bases (stand-ins in a prime-order group): random, equal, alternating
    /// (P, -P, ...).
    #[arg(long, default_value = "random")]
    bases: BaseDistribution,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Accumulation {
    Projective,
    Affine,
}

/// Multipliers of one complete projective adder lane (one add a clock).
const PROJECTIVE_MULTIPLIERS: usize = 12;

pub fn run(a: &Args) -> Result<(), String> {
    if let Some(&c) = a.window.0.iter().find(|c| !WINDOW_RANGE.contains(c)) {
        return Err(format!("window {c} outside {WINDOW_RANGE:?}"));
    }
    if a.lanes.0.contains(&0) || a.latency == 0 || a.interval == 0 {
        return Err("lanes, latency and interval must be at least 1".into());
    }
    let seed = a.seed.unwrap_or_else(msm_sim::seed::fresh);
    eprintln!("seed {seed} (replay with --seed {seed}); schedule model: a projection, not RTL");
    if !a.accumulation.is_empty() {
        return compare(a, seed);
    }
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
                    interval: a.interval,
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

/// Host adds of the reduction's tail for segments of m buckets (the spec's finish, counted).
fn host_adds(c: u32, lanes: usize, m: usize) -> u64 {
    let plan = Plan {
        c,
        lanes,
        m_log2: m.trailing_zeros(),
        chains: 0,
    };
    plan.finish(|_, _, _| (Log::identity(), Log::identity())).1
}

/// One row of the side-by-side table.
struct Row {
    model: &'static str,
    multipliers: usize,
    batch: Option<usize>,
    segments: usize,
    ops: u64,
    cycles: u64,
    muls_per_add: f64,
    host_adds: u64,
    affine: Option<AffineReport>,
}

impl Row {
    /// Multiplier-clocks per group operation: M x lanes x cycles / ops (12 / efficiency for
    /// the projective lane).
    fn mul_clocks_per_op(&self, lanes: usize) -> f64 {
        (self.multipliers * lanes) as f64 * self.cycles as f64 / self.ops.max(1) as f64
    }
}

fn compare(a: &Args, seed: u64) -> Result<(), String> {
    if a.multipliers.0.contains(&0) || a.batch.0.contains(&0) || a.mul_latency == 0 {
        return Err("multipliers, batch and mul-latency must be at least 1".into());
    }
    if a.bucket_ports == Some(0) || a.deferred == 0 {
        return Err("bucket-ports and deferred must be at least 1".into());
    }
    eprintln!(
        "affine: the batched-affine planning model (msm_sim::model::affine), bases {:?}, pair {}",
        a.bases, a.pair
    );
    if !a.json {
        println!(
            "{:>8} {:>2} {:>5} {:>10} {:>3} {:>5} {:>5} {:>9} {:>9} {:>8} {:>7} {:>6} {:>5} {:>7} {:>7} {:>7} {:>7} {:>8} {:>7} {:>8}",
            "points", "c", "lanes", "model", "M", "B", "segs", "ops", "cycles", "op/clk/M",
            "Mclk/op", "x proj", "mul/a", "batches", "defer%", "dbl", "P+-P", "empty", "host", "proj ms"
        );
    }
    for &log in &a.log_size.0 {
        let n = 1usize << log;
        let scalars = random_scalars(n, a.distribution, seed ^ u64::from(log));
        let bases = affine::random_bases(n, a.bases, seed ^ u64::from(log) ^ 0xba5e);
        for &c in &a.window.0 {
            for &lanes in &a.lanes.0 {
                let lanes = lanes as usize;
                let mut rows = Vec::new();
                if a.accumulation.contains(&Accumulation::Projective) {
                    let segments = a
                        .segments
                        .unwrap_or_else(|| auto_segments(c, a.latency, lanes));
                    if !segments.is_power_of_two() || segments > 1 << (c - 1) {
                        return Err(format!("segments {segments}: a power of two <= 2^(c-1)"));
                    }
                    let p = ScheduleParams {
                        c,
                        latency: a.latency,
                        interval: a.interval,
                        lanes,
                        segments,
                        fifo_depth: a.fifo,
                    };
                    let r: ScheduleReport = schedule(&scalars, &p);
                    rows.push(Row {
                        model: "projective",
                        multipliers: PROJECTIVE_MULTIPLIERS,
                        batch: None,
                        segments,
                        ops: r.adds(),
                        cycles: r.cycles,
                        muls_per_add: PROJECTIVE_MULTIPLIERS as f64,
                        host_adds: host_adds(c, lanes, segment_len(c, segments)),
                        affine: None,
                    });
                }
                if a.accumulation.contains(&Accumulation::Affine) {
                    for &m in &a.multipliers.0 {
                        for &b in &a.batch.0 {
                            let mut p = AffineParams {
                                c,
                                lanes,
                                batch: b as usize,
                                multipliers: m as usize,
                                mul_latency: a.mul_latency,
                                bucket_ports: a.bucket_ports.unwrap_or((m as usize).div_ceil(6)),
                                deferred_depth: a.deferred,
                                pair: a.pair,
                                segments: 1,
                            };
                            p.segments = a
                                .affine_segments
                                .unwrap_or_else(|| affine::auto_segments(&p));
                            if !p.segments.is_power_of_two() || p.segments > 1 << (c - 1) {
                                return Err(format!(
                                    "affine segments {}: a power of two <= 2^(c-1)",
                                    p.segments
                                ));
                            }
                            let r = affine::affine(&scalars, &bases, &p);
                            rows.push(Row {
                                model: "affine",
                                multipliers: p.multipliers,
                                batch: Some(p.batch),
                                segments: p.segments,
                                ops: r.ops(),
                                cycles: r.cycles,
                                muls_per_add: r.muls_per_addition(),
                                host_adds: host_adds(c, lanes, segment_len(c, p.segments)),
                                affine: Some(r),
                            });
                        }
                    }
                }
                let proj = rows
                    .iter()
                    .find(|r| r.affine.is_none())
                    .map(|r| r.mul_clocks_per_op(lanes));
                for row in &rows {
                    print_row(a, seed, n, c, lanes, row, proj);
                }
            }
        }
    }
    if !a.json {
        println!(
            "op/clk/M = ops / (cycles x lanes x M); Mclk/op = its inverse (multiplier-clocks per \
             group op); x proj = projective Mclk/op / this row's; mul/a = multiplications per \
             addition (affine: inversions and chain merges included); defer% = accumulation ops \
             deferred at least once; dbl, P+-P, empty = exceptions (empty: stores into an empty \
             bucket or running sum, and empty operands skipped); host = the reduction tail's adds \
             on the host (spec Plan::finish, window combination included)"
        );
        println!(
            "projective: L = {}, {} multipliers a lane; affine: L_mul = {}; cycles at {} MHz are \
             a projection",
            a.latency, PROJECTIVE_MULTIPLIERS, a.mul_latency, a.clock_mhz
        );
    }
    Ok(())
}

fn print_row(a: &Args, seed: u64, n: usize, c: u32, lanes: usize, row: &Row, proj: Option<f64>) {
    let mclk = row.mul_clocks_per_op(lanes);
    let vs = proj.map(|p| p / mclk);
    let projected_ms = row.cycles as f64 / (a.clock_mhz * 1e3);
    let r = row.affine;
    if a.json {
        let mut line = json!({
            "backend": "schedule-model", "model": row.model, "n": n, "c": c, "lanes": lanes,
            "multipliers": row.multipliers, "batch": row.batch, "segments": row.segments,
            "ops": row.ops, "cycles": row.cycles,
            "ops_per_clock_per_multiplier": 1.0 / mclk, "multiplier_clocks_per_op": mclk,
            "vs_projective": vs, "muls_per_addition": row.muls_per_add,
            "host_adds": row.host_adds, "projected_ms": projected_ms, "clock_mhz": a.clock_mhz,
            "wall_ms": null, "seed": seed,
        });
        if row.affine.is_none() {
            line["latency"] = json!(a.latency);
        }
        if let Some(r) = r {
            let (acc, red) = (r.accumulation_exceptions, r.reduction_exceptions);
            let extra = json!({
                "mul_latency": a.mul_latency, "pair": a.pair, "bases": format!("{:?}", a.bases),
                "accumulation_cycles": r.accumulation_cycles,
                "accumulation_ops": r.accumulation_ops, "reduction_ops": r.reduction_ops,
                "accumulation_additions": r.accumulation_additions,
                "reduction_additions": r.reduction_additions, "pair_additions": r.pair_additions,
                "multiplications": r.multiplications, "batches": r.batches,
                "deferred": r.deferred, "deferred_max": r.deferred_max,
                "stall_cycles": r.stall_cycles, "in_flight_max": r.in_flight_max,
                "accumulation_exceptions": {"doublings": acc.doublings,
                    "cancellations": acc.cancellations, "stores": acc.stores},
                "reduction_exceptions": {"doublings": red.doublings,
                    "cancellations": red.cancellations, "stores": red.stores, "skips": red.skips},
            });
            for (k, v) in extra.as_object().unwrap() {
                line[k] = v.clone();
            }
        }
        println!("{line}");
        return;
    }
    let dash = || "-".to_string();
    let (batches, defer, dbl, neg, empty) = match r {
        Some(r) => {
            let (x, y) = (r.accumulation_exceptions, r.reduction_exceptions);
            (
                r.batches.to_string(),
                format!(
                    "{:.2}",
                    100.0 * r.deferred as f64 / r.accumulation_ops.max(1) as f64
                ),
                (x.doublings + y.doublings).to_string(),
                (x.cancellations + y.cancellations).to_string(),
                (x.stores + y.stores + y.skips).to_string(),
            )
        }
        None => (dash(), dash(), dash(), dash(), dash()),
    };
    println!(
        "{:>8} {:>2} {:>5} {:>10} {:>3} {:>5} {:>5} {:>9} {:>9} {:>8.4} {:>7.2} {:>6} {:>5.2} {:>7} {:>7} {:>7} {:>7} {:>8} {:>7} {:>8.2}",
        n,
        c,
        lanes,
        row.model,
        row.multipliers,
        row.batch.map_or_else(dash, |b| b.to_string()),
        row.segments,
        row.ops,
        row.cycles,
        1.0 / mclk,
        mclk,
        vs.map_or_else(dash, |v| format!("{v:.2}")),
        row.muls_per_add,
        batches,
        defer,
        dbl,
        neg,
        empty,
        row.host_adds,
        projected_ms
    );
}
