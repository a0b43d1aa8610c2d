//! `msm bench`: the same seeded workload on each backend; results must agree.

use std::time::Instant;

use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use msm_driver::Transport;
use msm_host::workload::random_inputs;
use msm_host::{CardAt, CardBackend, CpuBackend, MsmBackend, MsmReport};
use serde_json::json;

use crate::open_card::{on_card, Boxed, CardPlace, OnCard, SimBuild};
use crate::List;

#[derive(ClapArgs)]
pub struct Args {
    /// Backends, comma separated: cpu, model (the reference model with the simulated card's
    /// reduction plan), card (the card `--card` names, through the driver).
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
    /// The card: sim (the simulated card, its RTL in Verilator, in this process), vfio:<BDF>
    /// (a card bound to vfio-pci: `msm card bind`), vfio-user:<socket> (e.g. card-server).
    #[arg(long, default_value = "sim")]
    card: CardAt,
    /// Fixed window width for backends that take one (model, card); default: chosen per size.
    #[arg(long)]
    window: Option<u32>,
    /// Clock for projected latencies of backends that count cycles (a projection); default:
    /// the clock of `--config`'s card (sim and u55c 250 MHz, ecp5 100 MHz).
    #[arg(long)]
    clock_mhz: Option<f64>,
    /// Simulated card: host DMA bytes per card clock (default: PCIe Gen3 x16, 12 GB/s, at the
    /// card's clock).
    #[arg(long)]
    dma_bytes_per_cycle: Option<f64>,
    /// Simulated card: no modelled transfer time (a beat per clock, no latency).
    #[arg(long, conflicts_with = "dma_bytes_per_cycle")]
    ideal_dma: bool,
    /// Simulated card: the configuration whose card runs (sim; u55c with --fast-sim).
    #[arg(long, default_value = "sim")]
    config: String,
    /// Simulated card: its field units as behavioural leaves of the same ports and latency
    /// (everything else the generated RTL): cycle-exact and many times faster, for measuring a
    /// whole configuration at full size.
    #[arg(long)]
    fast_sim: bool,
    /// Card: also run each size's MSM twice, queued back to back (a folding step's W and T),
    /// and report the card clocks of the pair against the two run one after the other.
    #[arg(long)]
    pair: bool,
    /// Write a latency-against-size plot of every run (SVG).
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// One JSON object per run instead of a table.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The projection clock in MHz: `--clock-mhz`, else the configuration's card clock.
    fn clock(&self) -> f64 {
        let card = msm_spec::config::by_name(&self.config).map(|c| f64::from(c.clock_mhz));
        self.clock_mhz.or(card).unwrap_or(250.0)
    }

    fn card_place(&self) -> CardPlace<'_> {
        CardPlace {
            at: &self.card,
            window: self.window,
            ideal_dma: self.ideal_dma,
            dma_bytes_per_cycle: self.dma_bytes_per_cycle,
            sim: SimBuild {
                config: &self.config,
                fast: self.fast_sim,
            },
        }
    }
}

fn make_backend(name: &str, a: &Args) -> Result<Box<dyn MsmBackend>, String> {
    match name {
        "cpu" => Ok(Box::new(CpuBackend::new())),
        "model" => model_backend(a),
        "card" => on_card(&a.card_place(), Boxed),
        other => Err(format!("unknown backend {other:?} (cpu, model, card)")),
    }
}

/// The model following the reduction plan of `--config`'s card.
#[cfg(feature = "sim")]
fn model_backend(a: &Args) -> Result<Box<dyn MsmBackend>, String> {
    let (_, shape) = crate::open_card::config_shape(&a.config)?;
    let m = msm_host::ModelBackend::new(a.window, shape).map_err(|e| e.to_string())?;
    Ok(Box::new(m))
}

#[cfg(not(feature = "sim"))]
fn model_backend(_a: &Args) -> Result<Box<dyn MsmBackend>, String> {
    Err("backend \"model\" needs msm-host's `sim` feature (built without it)".into())
}

pub fn run(a: &Args) -> Result<(), String> {
    let seed = a.seed.unwrap_or_else(msm_sim::seed::fresh);
    eprintln!("seed {seed} (replay with --seed {seed})");
    let mut backends = a
        .backend
        .iter()
        .map(|b| make_backend(b, a))
        .collect::<Result<Vec<_>, _>>()?;
    let runs = (a.log_size.0.len() * backends.len() * a.repeats.max(1)) as u64;
    let bar = ProgressBar::new(runs).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed}]").unwrap(),
    );
    if !a.json {
        println!(
            "{:<8} {:>9} {:>6} {:>11} {:>12} {:>11} {:>7} {:>9} {:>14}",
            "backend",
            "points",
            "window",
            "wall ms",
            "adds",
            "cycles",
            "eff",
            "DMA KiB",
            "projected ms"
        );
    }
    let mut points: Vec<(String, u32, f64)> = Vec::new();
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
            let projected = report.projected_ms(a.clock());
            bar.suspend(|| {
                if a.json {
                    let clock = projected.map(|_| a.clock());
                    let line = json!({
                        "backend": backend.name(), "n": n, "c": report.window,
                        "lanes": report.lanes, "wall_ms": wall_ms, "cycles": report.cycles,
                        "adds": report.adds, "efficiency": report.efficiency(),
                        "sweep_cycles": report.sweep_cycles, "dma_bytes": report.dma_bytes,
                        "projected_ms": projected, "clock_mhz": clock, "seed": seed,
                    });
                    println!("{line}");
                } else {
                    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                    println!(
                        "{:<8} {:>9} {:>6} {:>11.2} {:>12} {:>11} {:>7} {:>9} {:>14}",
                        backend.name(),
                        n,
                        report.window,
                        wall_ms,
                        opt(report.adds.map(|v| v.to_string())),
                        opt(report.cycles.map(|v| v.to_string())),
                        opt(report.efficiency().map(|e| format!("{e:.3}"))),
                        opt(report
                            .dma_bytes
                            .map(|b| format!("{:.1}", b as f64 / 1024.0))),
                        opt(projected.map(|p| format!("{p:.3}"))),
                    );
                }
            });
            let shown = match projected {
                Some(p) => (
                    format!("{} (projected at {} MHz)", backend.name(), a.clock()),
                    p,
                ),
                None => (format!("{} (wall clock)", backend.name()), wall_ms),
            };
            points.push((shown.0, log, shown.1));
            reference.get_or_insert((backend.name().to_string(), report));
        }
    }
    bar.finish_and_clear();
    if backends.len() > 1 && !a.json {
        println!("all backends agree on every size (seed {seed})");
    }
    if let Some(path) = &a.plot {
        crate::plot::lines(path, "BN254 MSM latency", "log2 points", &points)?;
        eprintln!("plot: {}", path.display());
    }
    if a.pair {
        pair(a, seed)?;
    }
    Ok(())
}

/// Two MSMs of each size on the card: one after the other (the host waits for the
/// first, reads it, then submits the second), then queued back to back. Card clocks from the
/// first doorbell to the second's end, less the clocks either spent sweeping bucket epochs
/// (every 2^epoch_bits - 1 MSMs: it would fall on one of the two runs and not the other).
fn pair(a: &Args, seed: u64) -> Result<(), String> {
    struct Pair<'a>(&'a Args, u64);
    impl OnCard for Pair<'_> {
        type Out = ();
        fn run<T: Transport + 'static>(self, card: CardBackend<T>) -> Result<(), String> {
            pair_on(card, self.0, self.1)
        }
    }
    on_card(&a.card_place(), Pair(a, seed))
}

fn pair_on<T: Transport>(mut card: CardBackend<T>, a: &Args, seed: u64) -> Result<(), String> {
    let e = |e: msm_host::MsmError| e.to_string();
    let d = |e: msm_driver::DriverError| e.to_string();
    if !a.json {
        println!(
            "{:>9} {:>6} {:>13} {:>13} {:>13} {:>13} {:>8}",
            "points", "window", "W cycles", "T cycles", "one by one", "queued", "saved"
        );
    }
    for &log in &a.log_size.0 {
        let n = 1usize << log;
        let (bases, w) = random_inputs(n, seed ^ u64::from(log));
        let (_, t) = random_inputs(n, seed ^ u64::from(log) ^ 0x7);
        card.load_bases(&bases).map_err(e)?;
        let start = card.card().clock().map_err(d)?;
        let rw = card.msm_report(&w).map_err(e)?;
        let rt = card.msm_report(&t).map_err(e)?;
        let sweeps =
            |r: &[&msm_host::MsmReport]| r.iter().filter_map(|r| r.sweep_cycles).sum::<u64>();
        let one_by_one = card.card().ended_at().map_err(d)? - start - sweeps(&[&rw, &rt]);
        let start = card.card().clock().map_err(d)?;
        let both = card.msm_many(&[&w, &t]).map_err(e)?;
        let queued = card.card().ended_at().map_err(d)? - start - sweeps(&[&both[0], &both[1]]);
        if both[0].point != rw.point || both[1].point != rt.point {
            return Err(format!(
                "2^{log}: queued MSMs disagree with single ones (seed {seed})"
            ));
        }
        if a.json {
            let line = json!({
                "pair": true, "n": n, "c": rw.window, "w_cycles": rw.cycles,
                "t_cycles": rt.cycles, "one_by_one_cycles": one_by_one,
                "queued_cycles": queued, "seed": seed,
            });
            println!("{line}");
            continue;
        }
        let opt = |v: Option<u64>| v.map_or("-".into(), |v| v.to_string());
        println!(
            "{:>9} {:>6} {:>13} {:>13} {:>13} {:>13} {:>8}",
            n,
            rw.window,
            opt(rw.cycles),
            opt(rt.cycles),
            one_by_one,
            queued,
            one_by_one as i64 - queued as i64
        );
    }
    Ok(())
}
