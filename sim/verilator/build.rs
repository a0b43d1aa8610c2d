//! Generates the test configuration's Verilog from msm-hw and builds it with Verilator in
//! hierarchical mode: each top unit (one no other unit instantiates) is verilated with every
//! unit it instantiates as a `hier_block`. A hierarchical block is verilated and compiled once
//! however many instances it has (inlined, the lane's 12 multipliers were 108 MB of C++), and
//! each block is a complete Verilated model of its own, which its shim drives directly.
//! Each unit's shim and Rust glue are generated from its port list (`glue.rs`).
//! The objects, Verilator's runtime and the shims go into one static library.
//! Works with Debian's Verilator 5.006 (which ships no libverilated.a).

mod glue;

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use msm_hw::verilog::Unit;

/// The units this crate drives.
const DRIVEN: [&str; 6] = [
    "fq_add_sub",
    "fq_mul",
    "fq_lane",
    "msm_slicer",
    "msm_core",
    "msm_card",
];

/// The configurations whose whole card is also built with behavioural field units
/// (`msm_hw::verilog::fast_card`): the test configuration, to check it against the structural
/// build, the large card, to measure it at full size, and the ECP5 card (its folded lane).
const FAST_CONFIGS: [msm_spec::config::Config; 3] = [
    msm_spec::config::SIM,
    msm_spec::config::U55C,
    msm_spec::config::ECP5_85F,
];

/// Verilator's answer to `args`.
fn verilator(args: &[&str]) -> String {
    let out = Command::new("verilator")
        .args(args)
        .output()
        .expect("verilator not found: run `make deps` (apt-get install verilator)");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Every `.o` under `dir`.
fn objects(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            objects(&p, found);
        } else if p.extension().is_some_and(|e| e == "o") {
            found.push(p);
        }
    }
}

/// The configurations whose own multiplier is built alone, as synthesis sees it: `SYNTHESIS`
/// defined, so its Xilinx primitives (ternary adders) run on the models in
/// csrc/xilinx_cells.v.
const PRIMITIVE_MULS: [msm_spec::config::Config; 2] =
    [msm_spec::config::U55C, msm_spec::config::ECP5_85F];

/// Clocks per bit of the simulated boards' UARTs (the receiver needs 4 or more).
const SIM_UART_CLOCKS_PER_BIT: u32 = 4;

/// The configurations whose own (folded) lane is built with its structural units.
const FOLDED_LANES: [msm_spec::config::Config; 1] = [msm_spec::config::ECP5_85F];

/// Where Verilated models are kept, and what every key includes besides a unit's own inputs.
struct Cache {
    dir: PathBuf,
    /// The Verilator version and the C++ compiler settings its makefiles read.
    salt: String,
}

/// Verilates `top` with the units it instantiates as hierarchical blocks, and builds the
/// objects (`--build`) with the C++ optimisation `opt`; `extra`: more Verilator arguments
/// (`--trace`, for one; files among them are read into the key). Returns its directory.
///
/// The directory is a cache under the profile's target directory, keyed by everything that
/// goes into the build: `make test`'s clippy pass and its release build each run this script,
/// and the second reuses the first's models instead of verilating them again (about 7 min).
fn verilate(
    top: &Unit,
    opt: &str,
    cache: &Cache,
    manifest: &Path,
    jobs: &str,
    extra: &[String],
) -> PathBuf {
    let waivers = manifest.join("../../hw/lint/waivers.vlt");
    let blocks: String = top
        .instantiates
        .iter()
        .map(|m| format!("hier_block -module \"{m}\"\n"))
        .collect();
    let mut args: Vec<String> = [
        "--cc",
        "-O3",
        "--hierarchical",
        "--build",
        "--MAKEFLAGS",
        opt,
    ]
    .map(String::from)
    .into();
    args.extend(["--top-module".into(), top.name.into()]);
    args.extend(["--prefix".into(), format!("V{}", top.name)]);
    let mut key = DefaultHasher::new();
    (&cache.salt, &top.verilog, &blocks, &args, extra).hash(&mut key);
    for file in std::iter::once(waivers.display().to_string()).chain(extra.iter().cloned()) {
        std::fs::read(&file).ok().hash(&mut key);
    }
    let dir = cache
        .dir
        .join(format!("{}.{:016x}", top.name, key.finish()));
    // Written last: a directory without it is an interrupted build.
    let done = dir.join("done");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join(format!("{}.v", top.name));
    std::fs::write(&src, &top.verilog).unwrap();
    let config = dir.join("hier.vlt");
    std::fs::write(&config, format!("`verilator_config\n{blocks}")).unwrap();
    let status = Command::new("verilator")
        .args(&args)
        .args(["-j", jobs])
        .arg("-Mdir")
        .arg(&dir)
        .arg(&waivers)
        .arg(&config)
        .args(extra)
        .arg(&src)
        .status()
        .expect("run verilator");
    assert!(status.success(), "verilator failed on {}", top.name);
    std::fs::write(done, "").unwrap();
    dir
}

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // OUT_DIR is <target>/<profile>/build/<crate>-<hash>/out.
    let cache = Cache {
        dir: out.ancestors().nth(3).unwrap().join("verilator-cache"),
        salt: format!(
            "{} {:?} {:?}",
            verilator(&["--version"]),
            std::env::var("CXX").ok(),
            std::env::var("CXXFLAGS").ok()
        ),
    };
    std::fs::create_dir_all(&cache.dir).unwrap();
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let include = PathBuf::from(verilator(&["--getenv", "VERILATOR_ROOT"])).join("include");
    let cfg = msm_spec::config::SIM;
    let units: Vec<Unit> = msm_hw::verilog::units(&cfg)
        .into_iter()
        .filter(|u| DRIVEN.contains(&u.name))
        .collect();
    assert_eq!(
        units.len(),
        DRIVEN.len(),
        "msm-hw no longer has every driven unit"
    );
    // The tops: driven units no other driven unit instantiates. Each is one Verilator build.
    let tops: Vec<&Unit> = units
        .iter()
        .filter(|u| !units.iter().any(|t| t.instantiates.contains(&u.name)))
        .collect();
    let jobs = std::env::var("NUM_JOBS").unwrap_or_else(|_| "2".into());
    let trace = ["--trace".to_owned()];
    const OPT: &str = "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2";
    let mut dirs = Vec::new();
    for top in &tops {
        dirs.push(verilate(top, OPT, &cache, &manifest, &jobs, &trace));
    }
    // The whole card of each fast-simulated configuration, its field units behavioural.
    let fast_cards: Vec<(msm_spec::config::Config, Unit)> = FAST_CONFIGS
        .iter()
        .map(|&cfg| (cfg, msm_hw::verilog::fast_card(&cfg)))
        .collect();
    let card_ports = &units.iter().find(|u| u.name == "msm_card").unwrap().ports;
    for (_, card) in &fast_cards {
        assert!(
            glue::same_layout(card_ports, &card.ports),
            "{}: its ports must lay out as msm_card's (one SimCard drives both)",
            card.name
        );
        dirs.push(verilate(card, OPT, &cache, &manifest, &jobs, &trace));
    }
    let primitive_muls: Vec<Unit> = PRIMITIVE_MULS
        .iter()
        .map(msm_hw::verilog::mul_unit)
        .collect();
    let cells = manifest.join("csrc/xilinx_cells.v");
    for unit in &primitive_muls {
        // Untraced, and C++ at -O1: a model of 15k LUT6_2 instances took 9.5 min to build
        // traced at -O2, 2.2 min so.
        let extra = ["+define+SYNTHESIS".to_owned(), cells.display().to_string()];
        let opt = "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1";
        dirs.push(verilate(unit, opt, &cache, &manifest, &jobs, &extra));
    }
    // The folded configurations' own lanes, their units as hierarchical blocks.
    let config_lanes: Vec<(msm_spec::config::Config, Unit)> = FOLDED_LANES
        .iter()
        .map(|cfg| (*cfg, msm_hw::verilog::lane_unit(cfg)))
        .collect();
    for (_, unit) in &config_lanes {
        let opt = "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1";
        dirs.push(verilate(unit, opt, &cache, &manifest, &jobs, &[]));
    }
    // The boards on a serial host link, their field units behavioural, their UART at
    // SIM_UART_CLOCKS_PER_BIT (a real one's 25 would make every byte 250 clocks).
    let boards: Vec<Unit> = msm_spec::config::ALL
        .iter()
        .filter(|cfg| cfg.uart_clocks_per_bit().is_some())
        .map(|cfg| msm_hw::verilog::fast_board(cfg, SIM_UART_CLOCKS_PER_BIT))
        .collect();
    for unit in &boards {
        let opt = "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1";
        dirs.push(verilate(unit, opt, &cache, &manifest, &jobs, &[]));
    }
    // The core around stand-in lanes: small models that run short tests, compiled quickly.
    let stand_ins = msm_hw::verilog::stand_in_cores();
    for core in &stand_ins {
        let opt = "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1";
        dirs.push(verilate(&core.unit, opt, &cache, &manifest, &jobs, &trace));
    }
    // What this run did not use is stale (an earlier Verilog of a unit).
    for entry in std::fs::read_dir(&cache.dir).unwrap() {
        let p = entry.unwrap().path();
        if !dirs.contains(&p) {
            std::fs::remove_dir_all(&p).unwrap();
        }
    }
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .define("VM_TRACE", "1")
        .include(&include)
        .include(include.join("vltstd"))
        .include(manifest.join("csrc"))
        .warnings(false)
        .debug(false)
        .flag("-faligned-new");
    for f in [
        "verilated.cpp",
        "verilated_dpi.cpp",
        "verilated_vcd_c.cpp",
        "verilated_threads.cpp",
    ] {
        build.file(include.join(f));
    }
    let mut objs = Vec::new();
    for dir in &dirs {
        objects(dir, &mut objs);
        build.include(dir);
        // A hierarchical block's model lives in V<name>/ under its top's directory.
        for unit in &units {
            build.include(dir.join(format!("V{}", unit.name)));
        }
    }
    objs.sort();
    for o in objs {
        build.object(o);
    }
    let shims = out.join("shims");
    std::fs::create_dir_all(&shims).unwrap();
    // The fast cards' multiplier (csrc/fast_leaves.cpp) takes p from msm-spec.
    let limbs = |l: &[u64; 4]| {
        l.iter()
            .map(|x| format!("0x{x:016x}ull"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    std::fs::write(
        shims.join("field_consts.h"),
        format!(
            "// Generated by build.rs from msm_spec::limbs: do not edit.\n#pragma once\n\
             static const uint64_t FQ_P[4] = {{{}}};\n\
             static const uint64_t FQ_P_INV0 = 0x{:016x}ull;\n",
            limbs(&msm_spec::limbs::P),
            msm_spec::limbs::P_NEG_INV[0]
        ),
    )
    .unwrap();
    build
        .include(&shims)
        .file(manifest.join("csrc/fast_leaves.cpp"));
    let mut rust =
        String::from("// Generated by build.rs from msm-hw's port lists: do not edit.\n");
    let mut consts = String::from("// Generated by build.rs from msm-hw: do not edit.\n");
    // A unit's shim into the library, its Rust side into `rust`.
    let mut add_glue = |unit: &Unit, same_as: Option<&str>, traced: bool| {
        let shim = shims.join(format!("{}.cpp", unit.name));
        std::fs::write(&shim, glue::shim(unit.name, &unit.ports, traced)).unwrap();
        build.file(shim);
        rust += &glue::rust(unit.name, &unit.ports, same_as);
    };
    // The test configuration's units, traced; the configurations' own multipliers, not.
    let driven = units.iter().map(|u| (u, true));
    for (unit, traced) in driven.chain(primitive_muls.iter().map(|u| (u, false))) {
        add_glue(unit, None, traced);
        consts += &format!(
            "/// Latency of `{0}`, from msm-hw.\npub const {1}_LATENCY: usize = {2};\n",
            unit.name,
            unit.name.to_uppercase(),
            unit.latency
        );
    }
    for (lane_cfg, unit) in &config_lanes {
        add_glue(unit, Some("fq_lane"), false);
        consts += &format!(
            "/// Latency and II of `{0}`, from msm-hw.\npub const {1}_LATENCY: usize = {2};\n\
             pub const {1}_INTERVAL: usize = {3};\n",
            unit.name,
            unit.name.to_uppercase(),
            unit.latency,
            msm_hw::point::lane::interval(lane_cfg)
        );
    }
    for unit in &boards {
        add_glue(unit, None, false);
    }
    consts += &format!(
        "/// Clocks per bit of the simulated boards' UARTs.\n\
         pub const SIM_UART_CLOCKS_PER_BIT: u32 = {SIM_UART_CLOCKS_PER_BIT};\n"
    );
    let shape = msm_hw::msm::core::shape(&cfg);
    consts += &format!(
        "/// The most chains one lane's reduction can run (its chain-sum RAMs), from msm-hw.\n\
         pub const CHAINS: usize = {};\n\
         /// Buckets of one lane's memory (what an epoch sweep clears), from msm-hw.\n\
         pub const ENTRIES: usize = {};\n",
        shape.chains, shape.entries
    );
    let mut models = String::new();
    for core in &stand_ins {
        let unit = &core.unit;
        add_glue(unit, Some("msm_core"), true);
        let shape = msm_hw::msm::core::shape_with_lane(&core.cfg, unit.latency, core.interval);
        models += &format!(
            "    crate::msm_core::CoreModel {{ unit: &{}::UNIT, shape: msm_spec::reduction::CardShape {{ lanes: {}, latency: {}, interval: {} }}, chains: {} }},\n",
            unit.name, shape.lanes, unit.latency, core.interval, shape.chains
        );
    }
    let mut cards = String::new();
    for (cfg, card) in &fast_cards {
        add_glue(card, Some("msm_card"), true);
        cards += &format!(
            "    crate::card::CardModel {{ unit: &{}::UNIT, config: msm_spec::config::ALL[{}], fast: true, shape: msm_spec::reduction::CardShape {{ lanes: {}, latency: {}, interval: {} }} }},\n",
            card.name,
            msm_spec::config::ALL.iter().position(|c| c == cfg).unwrap(),
            cfg.lanes,
            msm_hw::point::lane::latency(cfg),
            msm_hw::point::lane::interval(cfg)
        );
    }
    rust += &format!(
        "/// The test configuration's core around a stand-in lane of each latency \
         (`msm_hw::verilog::stand_in_cores`).\npub static STAND_IN_CORES: [crate::msm_core::CoreModel; {}] = [\n{models}];\n",
        stand_ins.len()
    );
    rust += &format!(
        "/// The whole card of each fast-simulated configuration (`msm_hw::verilog::fast_card`: \
         behavioural field units).\npub static FAST_CARDS: [crate::card::CardModel; {}] = [\n{cards}];\n",
        fast_cards.len()
    );
    std::fs::write(out.join("glue.rs"), rust).unwrap();
    std::fs::write(out.join("units.rs"), consts).unwrap();
    build.compile("msm_verilated");
    println!("cargo:rustc-link-lib=pthread");
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-changed=glue.rs");
    println!("cargo:rerun-if-changed=../../hw/src");
    println!("cargo:rerun-if-changed=../../hw/spec/src");
    println!("cargo:rerun-if-changed=../../hw/lint");
}
