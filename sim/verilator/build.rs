//! Generates the units' Verilog (test configuration) from msm-hw, runs `verilator --cc`, and
//! compiles the generated C++ with the shims and Verilator's runtime into one static library.
//! Works with Debian's Verilator 5.006 (which ships no libverilated.a).

use std::path::{Path, PathBuf};
use std::process::Command;

fn verilator_root() -> PathBuf {
    let out = Command::new("verilator")
        .args(["--getenv", "VERILATOR_ROOT"])
        .output()
        .expect("verilator not found: run `make deps` (apt-get install verilator)");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn verilate(name: &str, verilog: &str, dir: &Path, waivers: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let src = dir.join(format!("{name}.v"));
    std::fs::write(&src, verilog).unwrap();
    let status = Command::new("verilator")
        .args(["--cc", "-O3", "--trace", "--top-module", name, "--prefix"])
        .arg(format!("V{name}"))
        .arg("-Mdir")
        .arg(dir)
        .arg(waivers)
        .arg(&src)
        .status()
        .expect("run verilator");
    assert!(status.success(), "verilator failed on {name}");
}

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let waivers = manifest.join("../../hw/lint/waivers.vlt");
    let include = verilator_root().join("include");
    let cfg = msm_hw::config::SIM;
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .define("VM_TRACE", "1")
        .include(&include)
        .include(include.join("vltstd"))
        .warnings(false)
        .debug(false)
        .flag("-faligned-new");
    for f in [
        "verilated.cpp",
        "verilated_vcd_c.cpp",
        "verilated_threads.cpp",
    ] {
        build.file(include.join(f));
    }
    let mut consts = String::new();
    // The units with a shim in csrc/ (fq_mont_row is generated for synthesis reports only).
    let shimmed = |name: &str| manifest.join(format!("csrc/{name}.cpp")).exists();
    for unit in msm_hw::verilog::units(&cfg)
        .into_iter()
        .filter(|u| shimmed(u.name))
    {
        let dir = out.join(unit.name);
        verilate(unit.name, &unit.verilog, &dir, &waivers);
        build.include(&dir);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "cpp") {
                build.file(p);
            }
        }
        build.file(manifest.join(format!("csrc/{}.cpp", unit.name)));
        consts += &format!(
            "/// Latency of `{0}` in the test configuration, from msm-hw.\npub const {1}_LATENCY: usize = {2};\n",
            unit.name,
            unit.name.to_uppercase(),
            unit.latency
        );
    }
    consts += &format!(
        "/// Tag width of the test configuration.\npub const TAG_BITS: u32 = {};\n",
        cfg.tag_bits
    );
    std::fs::write(out.join("units.rs"), consts).unwrap();
    build.compile("msm_verilated");
    println!("cargo:rustc-link-lib=pthread");
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-changed=../../hw/src");
    println!("cargo:rerun-if-changed=../../hw/lint");
}
