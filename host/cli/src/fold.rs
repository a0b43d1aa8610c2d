//! `msm fold`: a real IVC (nova-snark or Sonobe) on each backend, verified, measured step by
//! step: the MSMs and the rest of the host's work, and the step's latency projected with the
//! card (the host's measured work plus the card's projected MSM time).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ark_bn254::{Fr, G1Affine};
use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use msm_host::fold::{FoldRun, Ran, Step};
use msm_host::{CardAt, MsmBackend, MsmError, MsmReport, SharedBackend};
use serde_json::json;

use crate::List;

#[derive(ClapArgs)]
pub struct Args {
    /// nova (nova-snark's `NonTrivialCircuit`) or sonobe (Sonobe's Nova, a Poseidon hash chain).
    #[arg(long, default_value = "nova")]
    prover: String,
    /// Backends, comma separated: cpu (nothing attached: the prover's own CPU MSM), card (every
    /// commitment of the step's key on the card `--card` names).
    #[arg(long, default_value = "cpu,card", value_delimiter = ',')]
    backend: Vec<String>,
    /// log2 of the step circuit's constraints: `12..20`, `16,18,20`.
    #[arg(long, default_value = "12")]
    log_constraints: List,
    /// Folding steps measured (after the base case, which is part of the set-up).
    #[arg(long, default_value_t = 3)]
    steps: usize,
    /// The card: sim (the simulated card, its RTL in Verilator), vfio:<BDF>, vfio-user:<socket>.
    #[arg(long, default_value = "sim")]
    card: CardAt,
    /// Simulated card: keys longer than this run on the schedule model of `--config` instead
    /// (the Verilated card takes minutes per 10^4-point MSM); the output says which ran.
    #[arg(long, default_value_t = 1 << 14)]
    sim_max_points: usize,
    /// The configuration the schedule model stands for (u55c, sim), and with `--fast-sim` the
    /// simulated card's.
    #[arg(long, default_value = "u55c")]
    config: String,
    /// Simulated card: `--config`'s whole card with behavioural field units (cycle-exact, many
    /// times faster: hw/README.md), so that larger keys run on the RTL; raise
    /// `--sim-max-points` to use it.
    #[arg(long)]
    fast_sim: bool,
    /// Clock of the card's projected times (a projection: cycles / clock).
    #[arg(long, default_value_t = 250.0)]
    clock_mhz: f64,
    /// Step latency against constraints, measured on the CPU and projected with the card (SVG).
    #[arg(long)]
    plot: Option<std::path::PathBuf>,
    /// One JSON object per step and one per run instead of tables.
    #[arg(long)]
    json: bool,
}

/// What ran a card's MSMs: the card itself, or the schedule model standing in for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cycles {
    Card,
    Schedule,
}

/// The card, or the schedule model when the key is longer than the simulated card can run in
/// reasonable time (decided per key; the last decision is in `used`).
struct CardOrModel {
    card: Box<dyn MsmBackend>,
    model: Box<dyn MsmBackend>,
    limit: usize,
    on_model: bool,
    used: Arc<Mutex<Option<Cycles>>>,
}

impl MsmBackend for CardOrModel {
    fn name(&self) -> &'static str {
        "card"
    }

    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<(), MsmError> {
        self.on_model = bases.len() > self.limit;
        let used = if self.on_model {
            Cycles::Schedule
        } else {
            Cycles::Card
        };
        *self.used.lock().unwrap() = Some(used);
        self.current().load_bases(bases)
    }

    fn num_bases(&self) -> usize {
        if self.on_model {
            self.model.num_bases()
        } else {
            self.card.num_bases()
        }
    }

    fn msm_report(&mut self, scalars: &[Fr]) -> Result<MsmReport, MsmError> {
        self.current().msm_report(scalars)
    }

    fn msm_many(&mut self, batches: &[&[Fr]]) -> Result<Vec<MsmReport>, MsmError> {
        self.current().msm_many(batches)
    }
}

impl CardOrModel {
    fn current(&mut self) -> &mut dyn MsmBackend {
        if self.on_model {
            &mut *self.model
        } else {
            &mut *self.card
        }
    }
}

/// The schedule model of the configuration named, with its lanes, lane latency and c_max.
#[cfg(feature = "sim")]
fn schedule_card(config: &str) -> Result<msm_host::ScheduleCard, String> {
    let (cfg, shape) = crate::open_card::config_shape(config)?;
    let t = msm_host::Timing::pcie(cfg.clock_mhz);
    Ok(msm_host::ScheduleCard {
        shape,
        interval: msm_hw::point::lane::interval(&cfg) as u64,
        c_max: cfg.c_max,
        dma_bytes_per_clock: t.host_bytes_per_cycle.unwrap_or(f64::INFINITY),
        dma_latency: t.host_latency,
        memory_latency: t.memory_latency,
    })
}

#[cfg(not(feature = "sim"))]
fn schedule_card(_config: &str) -> Result<msm_host::ScheduleCard, String> {
    Err("the schedule-model card needs msm-cli's `sim` feature (the lane's latency)".into())
}

/// Attaches `backend` to the prover's adapter while it lives.
enum Attached {
    #[cfg(feature = "nova")]
    Nova(#[allow(dead_code)] msm_nova::Attached),
    #[cfg(feature = "sonobe")]
    Sonobe(#[allow(dead_code)] msm_sonobe::Attached),
    None,
}

fn attach(prover: &str, backend: Option<Arc<SharedBackend>>) -> Attached {
    let Some(b) = backend else {
        return Attached::None;
    };
    match prover {
        #[cfg(feature = "nova")]
        "nova" => Attached::Nova(msm_nova::attach(b)),
        #[cfg(feature = "sonobe")]
        "sonobe" => Attached::Sonobe(msm_sonobe::attach(b)),
        _ => {
            drop(b);
            Attached::None
        }
    }
}

fn check_prover(prover: &str) -> Result<(), String> {
    match prover {
        #[cfg(feature = "nova")]
        "nova" => Ok(()),
        #[cfg(feature = "sonobe")]
        "sonobe" => Ok(()),
        #[allow(unreachable_patterns)]
        "nova" | "sonobe" => Err(format!(
            "prover {prover:?}: msm was built without its feature ({prover})"
        )),
        other => Err(format!("unknown prover {other:?} (nova, sonobe)")),
    }
}

/// One IVC run of `prover`, `bar` ticking once per measured step.
#[cfg_attr(
    not(all(feature = "nova", feature = "sonobe")),
    allow(unused_variables)
)]
fn prove(prover: &str, k: u32, steps: usize, bar: &ProgressBar) -> Result<FoldRun, String> {
    let tick = |done: usize| {
        bar.inc(1);
        bar.set_message(format!(
            "{prover} 2^{k}: {}",
            if done == steps {
                "verify".to_string()
            } else {
                format!("step {}", done + 1)
            }
        ));
    };
    bar.set_message(format!("{prover} 2^{k}: set-up"));
    match prover {
        #[cfg(feature = "nova")]
        "nova" => msm_nova::fold::nontrivial(k, steps, |p| {
            if let msm_nova::fold::Phase::Step(done, _) = p {
                tick(done)
            }
        }),
        #[cfg(feature = "sonobe")]
        "sonobe" => msm_sonobe::fold(k, steps, tick),
        _ => unreachable!("checked by check_prover"),
    }
}

/// A step as `msm fold` reports it.
struct Measured {
    msm_sizes: Vec<usize>,
    /// All the step's commitments' wall time.
    msm: Duration,
    /// Of `msm`, converting between the prover's types and ours (stays on the host).
    convert: Duration,
    /// The rest of the host's work (witness, cross term, folding, hashing): the step less its
    /// MSMs, wherever they ran (their conversion stays).
    host: Duration,
    /// What stays on the host with the card: the step less the MSMs the card ran.
    with_card: Duration,
    card_cycles: Option<u64>,
    fallbacks: Vec<String>,
}

fn measure(s: &Step) -> Measured {
    let on_backend = |c: &&msm_host::fold::Commit| matches!(c.ran, Ran::Backend(_));
    let msm_only = |c: &msm_host::fold::Commit| c.wall.saturating_sub(c.convert);
    let offloaded: Duration = s.commits.iter().filter(on_backend).map(msm_only).sum();
    let all: Duration = s.commits.iter().map(msm_only).sum();
    let cycles: Vec<u64> = s
        .commits
        .iter()
        .filter(on_backend)
        .filter_map(|c| c.report.as_ref()?.cycles)
        .collect();
    Measured {
        msm_sizes: s.commits.iter().map(|c| c.n).collect(),
        msm: s.commit_wall(),
        convert: s.commits.iter().map(|c| c.convert).sum(),
        host: s.wall.saturating_sub(all),
        with_card: s.wall.saturating_sub(offloaded),
        card_cycles: (!cycles.is_empty()).then(|| cycles.iter().sum()),
        fallbacks: s
            .commits
            .iter()
            .filter_map(|c| match &c.ran {
                Ran::Fallback(e) => Some(e.to_string()),
                _ => None,
            })
            .collect(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `None` for no values (a card run whose every commitment fell back to the CPU).
fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

pub fn run(a: &Args) -> Result<(), String> {
    check_prover(&a.prover)?;
    if a.steps == 0 {
        return Err("--steps must be at least 1".into());
    }
    for b in &a.backend {
        if b != "cpu" && b != "card" {
            return Err(format!("unknown backend {b:?} (cpu, card)"));
        }
    }
    let model_card = schedule_card(&a.config);
    let total = (a.log_constraints.0.len() * a.backend.len() * a.steps) as u64;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} steps {msg} [{elapsed}]").unwrap(),
    );
    let clock = a.clock_mhz;
    let mut plot: Vec<(String, u32, f64)> = Vec::new();
    if !a.json {
        println!(
            "{:<7} {:<5} {:>3} {:>4} {:>10} {:>16} {:>10} {:>6} {:>10} {:>12} {:>9} {:>9}  card cycles from",
            "prover", "back", "k", "step", "wall ms", "MSM sizes", "MSM ms", "share",
            "host ms", "card cycles", "card ms*", "step ms*"
        );
    }
    for &k in &a.log_constraints.0 {
        for name in &a.backend {
            let used = Arc::new(Mutex::new(None));
            let shared = match name.as_str() {
                "card" => Some(Arc::new(card_backend(a, model_card.clone(), &used)?)),
                _ => None,
            };
            let run = {
                let _attached = attach(&a.prover, shared);
                prove(&a.prover, k, a.steps, &bar)?
            };
            let used = *used.lock().unwrap();
            let from = match (name.as_str(), used) {
                ("card", Some(Cycles::Card)) => match &a.card {
                    CardAt::Sim if a.fast_sim => format!(
                        "the simulated card ({} config RTL, behavioural field units)",
                        a.config
                    ),
                    CardAt::Sim => "the simulated card (sim config RTL)".to_string(),
                    other => format!("the card at {other:?}"),
                },
                ("card", Some(Cycles::Schedule)) => format!(
                    "schedule model, {} config (key > --sim-max-points {})",
                    a.config, a.sim_max_points
                ),
                _ => "-".into(),
            };
            let mut steps = Vec::new();
            for s in &run.steps {
                let m = measure(s);
                for f in &m.fallbacks {
                    eprintln!("warning: a commitment fell back to the CPU: {f}");
                }
                let card_ms = m.card_cycles.map(|c| c as f64 / (clock * 1e3));
                let projected = card_ms.map(|c| ms(m.with_card) + c);
                steps.push((ms(s.wall), projected));
                let share = ms(m.msm) / ms(s.wall).max(1e-9);
                bar.suspend(|| {
                    if a.json {
                        let line = json!({
                            "prover": run.prover, "backend": name, "log_constraints": k,
                            "step_constraints": run.step_constraints,
                            "primary_constraints": run.primary_constraints,
                            "primary_variables": run.primary_variables, "key_len": run.key_len,
                            "step": s.index, "wall_ms": ms(s.wall),
                            "msm_count": m.msm_sizes.len(), "msm_sizes": m.msm_sizes,
                            "msm_ms": ms(m.msm), "msm_share": share, "convert_ms": ms(m.convert),
                            "host_ms": ms(m.host),
                            "card_cycles": m.card_cycles, "card_ms_projected": card_ms,
                            "step_ms_projected": projected, "clock_mhz": clock,
                            "card_cycles_from": (name == "card").then_some(&from),
                            "fallbacks": m.fallbacks,
                        });
                        println!("{line}");
                    } else {
                        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                        let sizes: Vec<String> =
                            m.msm_sizes.iter().map(|n| n.to_string()).collect();
                        println!(
                            "{:<7} {:<5} {:>3} {:>4} {:>10.1} {:>16} {:>10.1} {:>5.0}% {:>10.1} {:>12} {:>9} {:>9}  {}",
                            run.prover,
                            name,
                            k,
                            s.index + 1,
                            ms(s.wall),
                            sizes.join(","),
                            ms(m.msm),
                            100.0 * share,
                            ms(m.host),
                            opt(m.card_cycles.map(|c| c.to_string())),
                            opt(card_ms.map(|c| format!("{c:.2}"))),
                            opt(projected.map(|c| format!("{c:.1}"))),
                            from
                        );
                    }
                });
            }
            bar.suspend(|| {
                if a.json {
                    let line = json!({
                        "run": true, "prover": run.prover, "backend": name,
                        "log_constraints": k, "step_constraints": run.step_constraints,
                        "primary_constraints": run.primary_constraints,
                        "primary_variables": run.primary_variables, "key_len": run.key_len,
                        "setup_ms": ms(run.setup), "verify_ms": ms(run.verify),
                        "verified": run.verified, "steps": run.steps.len(),
                    });
                    println!("{line}");
                } else {
                    println!(
                        "        {} {name} 2^{k}: step circuit {} constraints, primary {} constraints / {} variables, key {}; set-up {:.0} ms, verify {:.0} ms: verified",
                        run.prover, run.step_constraints, run.primary_constraints,
                        run.primary_variables, run.key_len, ms(run.setup), ms(run.verify)
                    );
                }
            });
            let label = match name.as_str() {
                "cpu" => "cpu (measured)".to_string(),
                _ => format!("with the card (projected at {clock} MHz)"),
            };
            let value = match name.as_str() {
                "cpu" => median(steps.iter().map(|s| s.0).collect()),
                _ => median(steps.iter().filter_map(|s| s.1).collect()),
            };
            if let Some(value) = value {
                plot.push((label, k, value));
            }
        }
    }
    bar.finish_and_clear();
    if !a.json {
        println!(
            "host ms: the step less its MSMs; * projected: the step less the card's MSMs + card cycles / {clock} MHz (an assumed clock)"
        );
    }
    if let Some(path) = &a.plot {
        let title = format!("{} folding step", a.prover);
        crate::plot::lines(path, &title, "log2 step constraints", &plot)?;
        eprintln!("plot: {}", path.display());
    }
    Ok(())
}

/// The shared card backend `msm fold` attaches: the card `--card` names, or for the simulated
/// card and keys past `--sim-max-points`, the schedule model.
fn card_backend(
    a: &Args,
    model_card: Result<msm_host::ScheduleCard, String>,
    used: &Arc<Mutex<Option<Cycles>>>,
) -> Result<SharedBackend, String> {
    let at = a.card.clone();
    let limit = match at {
        CardAt::Sim => a.sim_max_points,
        _ => usize::MAX,
    };
    let model = model_card?;
    let used = Arc::clone(used);
    let sim = if a.fast_sim {
        (a.config.clone(), true)
    } else {
        ("sim".to_string(), false)
    };
    SharedBackend::spawn(move || {
        let place = crate::open_card::CardPlace {
            at: &at,
            window: None,
            ideal_dma: false,
            dma_bytes_per_cycle: None,
            sim: crate::open_card::SimBuild {
                config: &sim.0,
                fast: sim.1,
            },
        };
        let card = crate::open_card::on_card(&place, crate::open_card::Boxed)
            .map_err(MsmError::CardOpen)?;
        Ok(Box::new(CardOrModel {
            card,
            model: Box::new(msm_host::ScheduleBackend::new(model, None)?),
            limit,
            on_model: false,
            used,
        }))
    })
    .map_err(|e| e.to_string())
}
