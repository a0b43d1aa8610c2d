//! `msm bench`: the same seeded workload on each backend; results must agree.

use std::time::Instant;

use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use msm_host::workload::random_inputs;
use msm_host::{CpuBackend, MsmBackend, MsmReport};
use serde_json::json;

use crate::List;

#[derive(ClapArgs)]
pub struct Args {
    /// Backends, comma separated: cpu, model (with the simulated card's reduction plan), sim
    /// (the generated RTL in Verilator); model and sim need the `sim` feature.
    #[arg(long, default_value = "cpu", value_delimiter = ',')]
    backend: Vec<String>,
    /// log2 of the number of points: `10..16`, `12`, `10,14`.
    #[arg(long, default_value = "10..16")]
    log_size: List,
    /// Timed runs per size and backend; the median is reported.
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// Seed of the random inputs (printed; a fresh one by default).
    #[arg(long)]
    seed: Option<u64>,
    /// Fixed window width for backends that take one (model, sim); default: chosen per size.
    #[arg(long)]
    window: Option<u32>,
    /// Clock for projected latencies of backends that count cycles (a projection).
    #[arg(long, default_value_t = 250.0)]
    clock_mhz: f64,
    /// One JSON object per run instead of a table.
    #[arg(long)]
    json: bool,
}

fn make_backend(name: &str, window: Option<u32>) -> Result<Box<dyn MsmBackend>, String> {
    match name {
        "cpu" => Ok(Box::new(CpuBackend::new())),
        "model" | "sim" => card_backend(name, window),
        other => Err(format!("unknown backend {other:?} (cpu, model, sim)")),
    }
}

/// The simulated card, or the model following its reduction plan.
#[cfg(feature = "sim")]
fn card_backend(name: &str, window: Option<u32>) -> Result<Box<dyn MsmBackend>, String> {
    use msm_host::{ModelBackend, SimBackend};
    let backend: Box<dyn MsmBackend> = match name {
        "model" => {
            Box::new(ModelBackend::new(window, msm_host::sim::SHAPE).map_err(|e| e.to_string())?)
        }
        _ => Box::new(SimBackend::new(window).map_err(|e| e.to_string())?),
    };
    Ok(backend)
}

#[cfg(not(feature = "sim"))]
fn card_backend(name: &str, _window: Option<u32>) -> Result<Box<dyn MsmBackend>, String> {
    Err(format!(
        "backend {name:?} needs msm-host's `sim` feature (built without it)"
    ))
}

pub fn run(a: &Args) -> Result<(), String> {
    let seed = a.seed.unwrap_or_else(msm_sim::seed::fresh);
    eprintln!("seed {seed} (replay with --seed {seed})");
    let mut backends = a
        .backend
        .iter()
        .map(|b| make_backend(b, a.window))
        .collect::<Result<Vec<_>, _>>()?;
    let runs = (a.log_size.0.len() * backends.len() * a.repeats.max(1)) as u64;
    let bar = ProgressBar::new(runs).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed}]").unwrap(),
    );
    if !a.json {
        println!(
            "{:<8} {:>9} {:>6} {:>11} {:>12} {:>11} {:>7} {:>14}",
            "backend", "points", "window", "wall ms", "adds", "cycles", "eff", "projected ms"
        );
    }
    for &log in &a.log_size.0 {
        let n = 1usize << log;
        bar.set_message(format!("2^{log}: inputs"));
        let (bases, scalars) = random_inputs(n, seed ^ u64::from(log));
        let mut reference: Option<(String, MsmReport)> = None;
        for backend in backends.iter_mut() {
            bar.set_message(format!("2^{log}: {}", backend.name()));
            backend.load_bases(&bases).map_err(|e| e.to_string())?;
            let mut times = Vec::new();
            let mut report = None;
            for _ in 0..a.repeats.max(1) {
                let t = Instant::now();
                let r = backend.msm_report(&scalars).map_err(|e| e.to_string())?;
                times.push(t.elapsed().as_secs_f64() * 1e3);
                report = Some(r);
                bar.inc(1);
            }
            let report = report.unwrap();
            times.sort_by(f64::total_cmp);
            let wall_ms = times[times.len() / 2];
            if let Some((name, r)) = &reference {
                if r.point != report.point {
                    return Err(format!(
                        "2^{log}: {} and {name} disagree (seed {seed})",
                        backend.name()
                    ));
                }
            }
            let projected = report.projected_ms(a.clock_mhz);
            bar.suspend(|| {
                if a.json {
                    let clock = projected.map(|_| a.clock_mhz);
                    let line = json!({
                        "backend": backend.name(), "n": n, "c": report.window,
                        "lanes": report.lanes, "wall_ms": wall_ms, "cycles": report.cycles,
                        "adds": report.adds, "efficiency": report.efficiency(),
                        "sweep_cycles": report.sweep_cycles,
                        "projected_ms": projected, "clock_mhz": clock, "seed": seed,
                    });
                    println!("{line}");
                } else {
                    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                    println!(
                        "{:<8} {:>9} {:>6} {:>11.2} {:>12} {:>11} {:>7} {:>14}",
                        backend.name(),
                        n,
                        report.window,
                        wall_ms,
                        opt(report.adds.map(|v| v.to_string())),
                        opt(report.cycles.map(|v| v.to_string())),
                        opt(report.efficiency().map(|e| format!("{e:.3}"))),
                        opt(projected.map(|p| format!("{p:.3}"))),
                    );
                }
            });
            reference.get_or_insert((backend.name().to_string(), report));
        }
    }
    bar.finish_and_clear();
    if backends.len() > 1 && !a.json {
        println!("all backends agree on every size (seed {seed})");
    }
    Ok(())
}
