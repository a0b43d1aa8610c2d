//! Dumps a VCD waveform of each Fq unit and of the adder lane (with its units) running a few
//! operations.
//! `cargo run --release -p msm-verilator --example waves [out-dir]` (default build/waves).

use msm_verilator::{FieldOp, FieldUnit, Lane, LaneOp, FQ_LANE_LATENCY};

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
    // Eight additions of small values: the waves show the data flow, not points.
    let path = dir.join("fq_lane.vcd");
    let mut lane = Lane::default();
    lane.trace(&path)?;
    for i in 0..(FQ_LANE_LATENCY as u64 + 20) {
        let c = |k: u64| [i + k, 0, 0, 0];
        let op = LaneOp {
            negate: i % 2 == 1,
            tag: i as u32,
            p: [c(1), c(2), c(3)],
            q: [c(4), c(5), c(6)],
        };
        lane.step((i < 8).then_some(&op));
    }
    println!("{}", path.display());
    Ok(())
}
