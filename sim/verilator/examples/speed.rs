//! Verilator simulation speed of each Fq unit and of the adder lane (test configuration), one
//! operation per clock. `cargo run --release -p msm-verilator --example speed [ops]`

use std::time::Instant;

use msm_verilator::{FieldOp, FieldUnit, Lane, LaneOp};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(200_000, |s| s.parse().expect("ops"));
    // A fixed operand pattern: speed does not depend on the values.
    let op = |i: u64| FieldOp {
        sub: i % 2 == 1,
        tag: i as u32 & 0xffff,
        a: [i, i.rotate_left(17), i.rotate_left(33), i & 0x0fff_ffff],
        b: [
            !i,
            i.rotate_left(7),
            i.rotate_left(51),
            (i >> 3) & 0x0fff_ffff,
        ],
    };
    for (name, mut unit) in [
        ("fq_add_sub", FieldUnit::add_sub()),
        ("fq_mul", FieldUnit::mul()),
    ] {
        let t = Instant::now();
        for i in 0..n {
            unit.step(Some(&op(i)));
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "{name:<11} {n} clocks in {s:.2} s: {:.0} cycles/s (one op per clock)",
            n as f64 / s
        );
    }

    // The lane: a tenth of the clocks (it is 40 units). Values need not be points for speed.
    let n = n / 10;
    let mut lane = Lane::default();
    let t = Instant::now();
    for i in 0..n {
        let (a, b) = (op(i), op(i + 1));
        lane.step(Some(&LaneOp {
            negate: i % 2 == 1,
            tag: a.tag,
            p: [a.a, a.b, b.a],
            q: [b.b, a.a, b.a],
        }));
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "fq_lane     {n} clocks in {s:.2} s: {:.0} additions/s (one addition per clock)",
        n as f64 / s
    );
}
