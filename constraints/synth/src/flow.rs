//! One tool flow: a unit of a configuration synthesized by yosys for a family and, on ECP5,
//! placed and routed by nextpnr-ecp5 inside its pin-reducing wrapper.

use std::fs;
use std::path::Path;
use std::time::Instant;

use msm_hw::verilog::Unit;
use msm_spec::config::Family;

use crate::parse::{self, Pnr, Resources};
use crate::tools::{io, run, Tools};
use crate::{blocks, wrapper};

/// The LPF of the ECP5 place-and-route runs (locates the wrapper's clock pin).
pub const LPF: &str = include_str!("../../ecp5_85f_cabga381.lpf");
pub const LPF_NAME: &str = "ecp5_85f_cabga381.lpf";
/// Serial data pins each way of the ECP5 wrapper.
pub const PINS: usize = 8;
/// nextpnr placer seed, fixed so that runs are reproducible.
pub const SEED: u32 = 1;
/// LFE5UM5G-85F capacity: LUT4 sites, flip-flops, MULT18X18D, DP16KD.
const ECP5_85F: [(&str, u64); 4] = [
    ("LUT4", 83_640),
    ("TRELLIS_FF", 83_640),
    ("MULT18X18D", 156),
    ("DP16KD", 208),
];

/// A unit of a configuration on a family; its files are in `dir`.
pub struct Task<'a> {
    pub config: &'static str,
    pub unit: &'a Unit,
    pub family: Family,
    pub dir: &'a Path,
}

pub struct Outcome {
    pub resources: Result<Resources, String>,
    /// ECP5 only, when synthesis succeeded.
    pub pnr: Option<Pnr>,
    /// The parts of a unit reported on their own (`blocks`), xcup only.
    pub parts: Result<Vec<(&'static str, Resources)>, String>,
    pub secs: f64,
}

impl Outcome {
    pub fn tool_failed(&self) -> bool {
        self.resources.is_err() || matches!(self.pnr, Some(Pnr::Failed(_)))
    }
}

pub fn run_task(task: &Task, tools: &Tools) -> Outcome {
    let start = Instant::now();
    let (dir, unit) = (task.dir, task.unit.name);
    // Instantiated units stay modules (synthesized once); `stat -top` counts every instance.
    // So do the parts reported on their own (xcup).
    let blocks = match task.family {
        Family::Xcup => blocks::of(unit),
        Family::Ecp5 => &[],
    };
    let mut kept: Vec<&str> = task.unit.instantiates.to_vec();
    kept.extend(blocks::patterns(blocks));
    let keep = match kept.as_slice() {
        [] => String::new(),
        mods => format!(
            "hierarchy -top {unit}\nsetattr -mod -set keep_hierarchy 1 {}\n",
            mods.join(" ")
        ),
    };
    let script = |head: &str, synth: String| {
        format!("{head}read_verilog {unit}.v\n{keep}{synth}\nstat -top {unit}\n")
    };
    let mut parts = Ok(Vec::new());
    let (resources, pnr) = match task.family {
        Family::Xcup => {
            let head =
                "# UltraScale+ resource estimate, out of context (no IO or clock buffers).\n";
            let synth =
                format!("synth_xilinx -family xcup -top {unit} -flatten -noiopad -noclkbuf -uram");
            let stem = format!("{unit}.xcup");
            let cells = tools.yosys(dir, &stem, &script(head, synth));
            if !blocks.is_empty() && cells.is_ok() {
                parts = parts_of(dir, &stem, unit, blocks);
            }
            (cells.map(|c| parse::xilinx(&c)), None)
        }
        Family::Ecp5 => {
            let top = format!("{unit}_pins");
            let wrapper = wrapper::pins_wrapper(unit, &task.unit.ports, PINS).and_then(|v| {
                let path = dir.join(format!("{top}.v"));
                io(fs::write(&path, v), "write", &path)
            });
            // The unit alone, for its counts (no netlist: place and route gets the wrapper's).
            let script = script("", format!("synth_ecp5 -top {unit}"));
            let cells = tools.yosys(dir, &format!("{unit}.ecp5"), &script);
            let resources = cells.map(|c| parse::ecp5(&c));
            let routed = || wrapper.and_then(|()| place_and_route(task, &top, tools));
            let pnr = resources.as_ref().ok().map(|r| match ecp5_overflow(r) {
                // Skip a place and route (and its synthesis) that cannot succeed.
                Some(why) => Pnr::NoFit(why),
                None => routed().unwrap_or_else(Pnr::Failed),
            });
            (resources, pnr)
        }
    };
    let secs = start.elapsed().as_secs_f64();
    Outcome {
        resources,
        pnr,
        parts,
        secs,
    }
}

/// The resources of each part of `unit` from the per-module counts in `<stem>.log`.
fn parts_of(
    dir: &Path,
    stem: &str,
    unit: &str,
    blocks: &[blocks::Block],
) -> Result<Vec<(&'static str, Resources)>, String> {
    let log = dir.join(format!("{stem}.log"));
    let text = io(fs::read_to_string(&log), "read", &log)?;
    let stats = parse::module_stats(&text)?;
    let parts = blocks::attribute(&stats, unit, blocks, blocks::rest(unit))?;
    Ok(parts
        .into_iter()
        .map(|(label, cells)| (label, parse::xilinx(&cells)))
        .collect())
}

/// The resources of the unit alone that exceed the LFE5UM5G-85F, the most over first, as
/// `KIND used/avail, ...`.
fn ecp5_overflow(r: &Resources) -> Option<String> {
    let used = [r.lut, r.ff, r.dsp, r.ram36 as u64];
    let mut over: Vec<(&str, u64, u64)> = (ECP5_85F.iter().zip(used))
        .filter_map(|(&(kind, avail), used)| (used > avail).then_some((kind, used, avail)))
        .collect();
    // Most over first: used/avail descending, compared as used_a * avail_b.
    over.sort_by(|a, b| (b.1 * a.2).cmp(&(a.1 * b.2)));
    let parts = over.iter().map(|(k, u, a)| format!("{k} {u}/{a}"));
    (!over.is_empty()).then(|| parts.collect::<Vec<_>>().join(", "))
}

/// Synthesizes the wrapper `top` and places and routes it on the LFE5UM5G-85F.
fn place_and_route(task: &Task, top: &str, tools: &Tools) -> Result<Pnr, String> {
    let (dir, unit) = (task.dir, task.unit.name);
    let nextpnr = tools.nextpnr.as_ref().ok_or("nextpnr-ecp5 missing")?;
    let (json, log) = (format!("{top}.ecp5.json"), format!("{top}.nextpnr.log"));
    for f in [&json, &log] {
        let _ = fs::remove_file(dir.join(f));
    }
    let script = format!(
        "read_verilog {unit}.v\nread_verilog {top}.v\nsynth_ecp5 -top {top} -json {json}\nstat\n"
    );
    tools.yosys(dir, &format!("{top}.ecp5"), &script)?;
    let args = format!(
        "-q -l {log} --um5g-85k --package CABGA381 --speed 8 --json {json} --lpf {LPF_NAME} \
         --lpf-allow-unconstrained --freq {} --timing-allow-fail --seed {SEED} \
         --report {top}.nextpnr.json",
        tools.freq
    );
    let ok = run(nextpnr, &args, dir, &format!("{top}.nextpnr.out"))?;
    let log = dir.join(log);
    let pnr = parse::nextpnr(&fs::read_to_string(&log).unwrap_or_default(), ok);
    Ok(match pnr {
        Pnr::Failed(e) => Pnr::Failed(format!("{e} (see {})", log.display())),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecp5_capacity() {
        let notes = vec![];
        let mut r = Resources {
            lut: 1000,
            ff: 2000,
            dsp: 156,
            ram36: 3.0,
            uram: 0,
            notes,
        };
        assert_eq!(ecp5_overflow(&r), None);
        r.dsp = 465;
        assert_eq!(ecp5_overflow(&r).unwrap(), "MULT18X18D 465/156");
        r.ff = 86_609;
        let both = "MULT18X18D 465/156, TRELLIS_FF 86609/83640";
        assert_eq!(ecp5_overflow(&r).unwrap(), both);
    }
}
