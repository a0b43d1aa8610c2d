//! `ecp5_bitstream` (`make ecp5-bitstream`): the ecp5 configuration's board, `msm_board`
//! (the card behind its UART host link, `msm_hw::verilog::board`), to a bitstream for the
//! ULX3S 85F: the card clock from the board's oscillator by a PLL (`ecppll`), yosys
//! `synth_ecp5`, nextpnr-ecp5 with the board's pins (`constraints/ecp5/ulx3s_85f.lpf`) where
//! timing must be met (no `--timing-allow-fail`: nextpnr fails the build otherwise), then
//! ecppack.

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
const BOARD: &str = "msm_board";
/// The pins' top: the PLL and the board.
const TOP: &str = "ulx3s_top";

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
    let verilog = dir.join(format!("{BOARD}.v"));
    io(fs::write(&verilog, &unit.verilog), "write", &verilog)?;
    let lpf_text = io(fs::read_to_string(&lpf), "read", &lpf)?;
    let oscillator = oscillator_mhz(&lpf_text)?;
    step(&format!(
        "ecppll: {oscillator} MHz to the card's {clock} MHz"
    ));
    let ecppll = tools::find("MSM_ECPPLL", "yowasp-ecppll")?;
    let pll_args = format!("-i {oscillator} -o {clock} -n card_pll -f card_pll.v");
    if !run(&ecppll, &pll_args, dir, "ecppll.out")? {
        return Err(format!(
            "ecppll failed (see {})",
            dir.join("ecppll.out").display()
        ));
    }
    let pll = io(
        fs::read_to_string(dir.join("card_pll.v")),
        "read",
        &dir.join("card_pll.v"),
    )?;
    let want = format!("(* FREQUENCY_PIN_CLKOP=\"{clock}\" *)");
    if !pll.contains(&want) {
        return Err(format!(
            "the PLL cannot make exactly {clock} MHz (see card_pll.v)"
        ));
    }
    let top = dir.join(format!("{TOP}.v"));
    io(fs::write(&top, top_verilog(&unit.ports)), "write", &top)?;
    step("yosys synth_ecp5");
    let script = format!(
        "read_verilog {BOARD}.v card_pll.v {TOP}.v\nsynth_ecp5 -top {TOP} -json {TOP}.json\nstat\n"
    );
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

    step(&format!(
        "nextpnr-ecp5 {DEVICE}, the card clock at {clock} MHz"
    ));
    let log = format!("{TOP}.nextpnr.log");
    let _ = fs::remove_file(dir.join(&log));
    // router1, nextpnr-ecp5's default: on this board router2's overused wires stopped falling
    // at about 71,000 (hw/README.md, Synthesis summary).
    let pnr_args = format!(
        "-l {log} {DEVICE} --json {TOP}.json --lpf {} --freq {clock} --seed {} \
         --router router1 --textcfg {TOP}.config --report {TOP}.nextpnr.json",
        lpf.display(),
        args.seed
    );
    let ok = run(&nextpnr, &pnr_args, dir, &format!("{TOP}.nextpnr.out"))?;
    let text = fs::read_to_string(dir.join(&log)).unwrap_or_default();
    for (kind, used, avail) in parse::utilisation(&text).into_iter().filter(|r| r.1 > 0) {
        println!("  {kind}: {used}/{avail}");
    }
    let clocks = clock_lines(&text);
    for line in &clocks {
        println!("  {line}");
    }
    if !ok {
        let why = match parse::nextpnr(&text, ok) {
            Pnr::NoFit(why) => format!("does not fit the LFE5U-85F: {why}"),
            _ if clocks.iter().any(|l| l.contains("FAIL")) => "timing not met".to_owned(),
            _ => "nextpnr failed".to_owned(),
        };
        return Err(format!("{why} (see {})", dir.join(&log).display()));
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

/// The oscillator's frequency: the LPF's `FREQUENCY PORT "clock" <MHz> MHZ;`.
fn oscillator_mhz(lpf: &str) -> Result<u32, String> {
    lpf.lines()
        .find_map(|l| l.trim().strip_prefix("FREQUENCY PORT \"clock\""))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| "ulx3s_85f.lpf: no FREQUENCY PORT \"clock\" <MHz> MHZ;".to_owned())
}

/// The top of the pins: the PLL makes the card clock from the oscillator on `clock`; every
/// other port of the board is a pin of the same name.
fn top_verilog(ports: &[msm_hw::verilog::Port]) -> String {
    let mut decl = vec!["input wire clock".to_owned()];
    let mut conn = vec![".clock(card_clock)".to_owned()];
    for p in ports.iter().filter(|p| p.name != "clock") {
        decl.push(p.declaration());
        conn.push(format!(".{0}({0})", p.name));
    }
    format!(
        "// Generated by ecp5_bitstream: the board's pins, its card clock from the PLL.\n\
         module {TOP}(\n    {}\n);\n    wire card_clock;\n    \
         card_pll pll(.clkin(clock), .clkout0(card_clock), .locked());\n    \
         {BOARD} board({});\nendmodule\n",
        decl.join(",\n    "),
        conn.join(", ")
    )
}

/// nextpnr's last report of each clock's Fmax (after routing).
fn clock_lines(log: &str) -> Vec<String> {
    let mut last: Vec<(String, String)> = Vec::new();
    for line in log.lines() {
        let t = line.trim_start_matches("Info:").trim();
        if let Some(rest) = t.strip_prefix("Max frequency for clock ") {
            let name = rest.split(':').next().unwrap_or("").to_owned();
            last.retain(|(n, _)| *n != name);
            last.push((name, t.to_owned()));
        }
    }
    last.into_iter().map(|(_, l)| l).collect()
}
