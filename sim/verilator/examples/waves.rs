//! Dumps a VCD waveform of each Fq unit running a few operations.
//! `cargo run --release -p msm-verilator --example waves [out-dir]` (default build/waves).

use msm_verilator::{FieldOp, FieldUnit};

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or("build/waves".into()));
    std::fs::create_dir_all(&dir)?;
    for (name, mut unit) in [
        ("fq_add_sub", FieldUnit::add_sub()),
        ("fq_mul", FieldUnit::mul()),
    ] {
        let path = dir.join(format!("{name}.vcd"));
        unit.trace(&path)?;
        for i in 0..100u64 {
            let op = FieldOp {
                sub: i % 2 == 1,
                tag: i as u32,
                a: [i + 1, 0, 0, 0],
                b: [3, i, 0, 0],
            };
            unit.step((i < 8).then_some(&op));
        }
        println!("{}", path.display());
    }
    Ok(())
}
