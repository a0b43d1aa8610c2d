//! `ecp5_bitstream` (`make ecp5-bitstream`): the ecp5 configuration's board, `msm_board`
//! (the card behind its UART host link, `msm_hw::verilog::board`), to a bitstream for the
//! ULX3S 85F: yosys `synth_ecp5`, nextpnr-ecp5 with the board's pins
//! (`constraints/ecp5/ulx3s_85f.lpf`) at the config's clock, where timing must be met (no
//! `--timing-allow-fail`: nextpnr fails the build otherwise), then ecppack.

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use msm_spec::config::ECP5_85F;
use msm_synth::parse::{self, Pnr};
use msm_synth::tools::{self, io, run, Tools};

/// The ecp5 board's bitstream for the ULX3S 85F.
#[derive(Parser)]
#[command(
    name = "ecp5_bitstream",
    after_help = "Tools: $MSM_YOSYS, $MSM_NEXTPNR_ECP5, $MSM_ECPPACK (default: the .venv/bin/yowasp-* \
        that `make ecp5-bitstream` installs).\nExit status: 1 if a step fails, timing included."
)]
struct Args {
    /// Output directory: the Verilog, scripts, logs, the routed design and the bitstream.
    #[arg(long, default_value = "build/ecp5")]
    out: PathBuf,
    /// nextpnr placer seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// The ULX3S's FPGA: LFE5U-85F-6BG381C.
const DEVICE: &str = "--85k --package CABGA381 --speed 6";
const TOP: &str = "msm_board";

fn main() -> ExitCode {
    match build(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecp5_bitstream: {e}");
            ExitCode::FAILURE
        }
    }
}

fn build(args: &Args) -> Result<(), String> {
    let cfg = ECP5_85F;
    let clock = f64::from(cfg.clock_mhz);
    let tools = Tools::find(true, clock)?;
    let nextpnr = tools.nextpnr.clone().expect("asked for");
    let ecppack = tools::find("MSM_ECPPACK", "yowasp-ecppack")?;
    let lpf = fs::canonicalize(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../ecp5/ulx3s_85f.lpf"
    ))
    .map_err(|e| format!("constraints/ecp5/ulx3s_85f.lpf: {e}"))?;
    let dir = &args.out;
    io(fs::create_dir_all(dir), "create", dir)?;
    let dir = &io(fs::canonicalize(dir), "find", dir)?;
    let start = Instant::now();
    let step = |what: &str| {
        println!(
            "ecp5_bitstream: {what} ({:.0} s)",
            start.elapsed().as_secs_f64()
        )
    };

    let unit = msm_hw::verilog::board(&cfg);
    let verilog = dir.join(format!("{TOP}.v"));
    io(fs::write(&verilog, &unit.verilog), "write", &verilog)?;
    step(&format!("{} written; yosys synth_ecp5", verilog.display()));
    let script = format!("read_verilog {TOP}.v\nsynth_ecp5 -top {TOP} -json {TOP}.json\nstat\n");
    let cells = tools.yosys(dir, TOP, &script)?;
    let r = parse::ecp5(&cells);
    println!(
        "  yosys: {} LUT4 (CCU2C as 2), {} FF, {} MULT18X18D, {} DP16KD; {}",
        r.lut,
        r.ff,
        r.dsp,
        r.ram36,
        r.notes.join(", ")
    );

    step(&format!("nextpnr-ecp5 {DEVICE} at {clock} MHz"));
    let log = format!("{TOP}.nextpnr.log");
    let _ = fs::remove_file(dir.join(&log));
    let pnr_args = format!(
        "-l {log} {DEVICE} --json {TOP}.json --lpf {} --freq {clock} --seed {} \
         --textcfg {TOP}.config --report {TOP}.nextpnr.json",
        lpf.display(),
        args.seed
    );
    let ok = run(&nextpnr, &pnr_args, dir, &format!("{TOP}.nextpnr.out"))?;
    let text = fs::read_to_string(dir.join(&log)).unwrap_or_default();
    for line in utilisation(&text) {
        println!("  {line}");
    }
    match parse::nextpnr(&text, ok) {
        Pnr::Fmax(f) if ok && f >= clock => {
            println!("  routed: Fmax {f:.2} MHz, clock {clock} MHz met")
        }
        Pnr::Fmax(f) => {
            return Err(format!(
                "timing not met: Fmax {f:.2} MHz < {clock} MHz (see {})",
                dir.join(&log).display()
            ))
        }
        Pnr::NoFit(why) => return Err(format!("does not fit the LFE5U-85F: {why}")),
        Pnr::Failed(e) => return Err(format!("nextpnr: {e} (see {})", dir.join(&log).display())),
    }

    step("ecppack");
    let bit = format!("{TOP}.bit");
    let ok = run(
        &ecppack,
        &format!("--compress {TOP}.config {bit}"),
        dir,
        "ecppack.out",
    )?;
    let bit = dir.join(bit);
    let len = fs::metadata(&bit).map(|m| m.len()).unwrap_or(0);
    if !ok || len == 0 {
        return Err(format!(
            "ecppack failed (see {})",
            dir.join("ecppack.out").display()
        ));
    }
    step(&format!("{} ({len} bytes)", bit.display()));
    Ok(())
}

/// nextpnr's utilisation lines of the resources the design uses.
fn utilisation(log: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut inside = false;
    for line in log.lines() {
        let t = line.trim_start_matches("Info:").trim();
        if t.starts_with("Device utilisation") {
            inside = true;
            continue;
        }
        if inside {
            match t.split_once(':') {
                Some((kind, rest)) if rest.contains('/') => {
                    if !rest.trim().starts_with("0/") {
                        lines.push(format!("{kind}: {}", rest.trim()));
                    }
                }
                _ => break,
            }
        }
    }
    lines
}
