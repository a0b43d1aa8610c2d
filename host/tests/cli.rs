//! The `msm` binary: JSON lines are valid and complete, tables are printed, bad input fails.

use std::process::Command;

fn msm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_msm"))
        .args(args)
        .output()
        .unwrap()
}

#[cfg(feature = "sim")]
const FIELDS: [&str; 11] = [
    "sweep_cycles",
    "backend",
    "n",
    "c",
    "lanes",
    "wall_ms",
    "cycles",
    "adds",
    "efficiency",
    "projected_ms",
    "clock_mhz",
];

#[cfg(feature = "sim")]
#[test]
fn bench_json_lines() {
    let seed = msm_sim::seed::seed("cli bench").to_string();
    let out = msm(&[
        "bench",
        "--backend",
        "cpu,model",
        "--log-size",
        "4..6",
        "--json",
        "--repeats",
        "1",
        "--seed",
        &seed,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect();
    assert_eq!(lines.len(), 6);
    for l in &lines {
        for f in FIELDS {
            assert!(l.get(f).is_some(), "field {f} missing in {l}");
        }
    }
    assert_eq!(lines[0]["backend"], "cpu");
    assert!(lines[0]["cycles"].is_null() && lines[0]["clock_mhz"].is_null());
    assert_eq!(lines[1]["backend"], "model");
    assert!(lines[1]["adds"].as_u64().unwrap() > 0);
}

#[test]
fn bench_table_and_model_table() {
    let out = msm(&[
        "bench",
        "--backend",
        "cpu",
        "--log-size",
        "5",
        "--repeats",
        "1",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success() && text.contains("wall ms") && text.contains("cpu"),
        "{text}"
    );
    let out = msm(&[
        "model",
        "--log-size",
        "10",
        "--window",
        "8,9",
        "--lanes",
        "1,2",
        "--json",
    ]);
    assert!(out.status.success());
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["efficiency"].as_f64().unwrap() > 0.0));
}

#[test]
fn bad_arguments_fail_with_a_message() {
    for args in [
        &["bench", "--log-size", "9..3"][..],
        &["bench", "--backend", "gpu"],
        &[
            "bench",
            "--backend",
            "model",
            "--window",
            "17",
            "--log-size",
            "3",
        ],
        &["model", "--window", "1"],
        &[
            "model",
            "--segments",
            "3",
            "--window",
            "8",
            "--log-size",
            "4",
        ],
    ] {
        let out = msm(args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(!out.stderr.is_empty(), "{args:?}: no message");
    }
}
