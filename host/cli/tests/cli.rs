//! The `msm` binary: JSON lines are valid and complete, tables are printed, bad input fails.

use std::process::Command;

fn msm(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_msm"))
        .args(args)
        .output()
        .unwrap()
}

#[cfg(feature = "sim")]
const FIELDS: [&str; 12] = [
    "sweep_cycles",
    "dma_bytes",
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
    let lines = json_lines(out);
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

/// The card backend: its counters in JSON, the pair table, the plot, the register map.
#[cfg(feature = "sim")]
#[test]
fn bench_card_pair_plot_and_registers() {
    let dir = std::env::temp_dir().join(format!("msm-cli-{}", std::process::id()));
    let plot = dir.join("latency.svg");
    let out = msm(&[
        "bench",
        "--backend",
        "cpu,card",
        "--log-size",
        "3",
        "--repeats",
        "1",
        "--json",
        "--pair",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let card: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    assert_eq!(card["backend"], "card");
    assert!(card["cycles"].as_u64().unwrap() > 0 && card["dma_bytes"].as_u64().unwrap() > 0);
    let pair: serde_json::Value = serde_json::from_str(text.lines().nth(2).unwrap()).unwrap();
    assert!(pair["queued_cycles"].as_u64().unwrap() > 0, "{pair}");
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.contains("card (projected at 250 MHz)"));
    std::fs::remove_dir_all(dir).unwrap();
    let out = msm(&["card", "registers"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert_eq!(table.lines().count(), 2 + msm_spec::card::Reg::ALL.len());
    assert!(table.contains("| 0x000 | `id` | RO |"), "{table}");
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
        &["fold", "--prover", "halo2"],
        &["fold", "--backend", "gpu"],
        &["fold", "--steps", "0"],
        &["fold", "--config", "vu9p", "--backend", "card"],
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

fn json_lines(out: std::process::Output) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

/// `msm fold` on each prover: cpu and card (the card's cycles from the u55c schedule model:
/// every key is past `--sim-max-points`), verified, one line per step and per run.
#[cfg(all(feature = "sim", feature = "nova", feature = "sonobe"))]
#[test]
fn fold_json_on_each_prover() {
    let dir = std::env::temp_dir().join(format!("msm-fold-{}", std::process::id()));
    let plot = dir.join("fold.svg");
    for prover in ["nova", "sonobe"] {
        let lines = json_lines(msm(&[
            "fold",
            "--prover",
            prover,
            "--backend",
            "cpu,card",
            "--log-constraints",
            "4",
            "--steps",
            "2",
            "--sim-max-points",
            "0",
            "--json",
            "--plot",
            plot.to_str().unwrap(),
        ]));
        // Per backend: 2 steps, then the run.
        assert_eq!(lines.len(), 6, "{lines:?}");
        for (i, l) in lines.iter().enumerate() {
            let backend = if i < 3 { "cpu" } else { "card" };
            assert_eq!(l["backend"], backend, "{l}");
            assert_eq!(l["prover"], prover);
            if i % 3 == 2 {
                assert_eq!(l["verified"], true, "{l}");
                continue;
            }
            assert_eq!(l["msm_count"], 2, "{l}");
            let (wall, host) = (
                l["wall_ms"].as_f64().unwrap(),
                l["host_ms"].as_f64().unwrap(),
            );
            assert!(host < wall && host > 0.0, "{l}");
            if backend == "card" {
                assert!(l["card_cycles"].as_u64().unwrap() > 0, "{l}");
                assert!(l["card_cycles_from"]
                    .as_str()
                    .unwrap()
                    .contains("schedule model"));
                assert!(l["step_ms_projected"].as_f64().unwrap() >= host);
            } else {
                assert!(l["card_cycles"].is_null() && l["fallbacks"] == serde_json::json!([]));
            }
        }
        let svg = std::fs::read_to_string(&plot).unwrap();
        assert!(
            svg.contains("with the card (projected at 250 MHz)"),
            "{prover}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// `--config u55c --fast-sim`: the 4-lane card runs (its lanes in the JSON, the CPU and the
/// model of that card agreeing), and the ECP5 card with its folded lane; a build that does not
/// exist is a clear error.
#[cfg(feature = "sim")]
#[test]
fn bench_on_the_u55c_fast_card() {
    let seed = msm_sim::seed::seed("cli bench u55c fast").to_string();
    let args = |config: &'static str| {
        [
            "bench",
            "--backend",
            "cpu,card,model",
            "--log-size",
            "9",
            "--json",
            "--repeats",
            "1",
            "--config",
            config,
            "--fast-sim",
            "--seed",
        ]
    };
    let mut a = args("u55c").to_vec();
    a.push(&seed);
    let out = msm(&a);
    let lines = json_lines(out);
    assert_eq!(lines.len(), 3);
    let lanes = msm_spec::config::U55C.lanes;
    assert_eq!(
        (&lines[1]["backend"], &lines[1]["lanes"]),
        (&"card".into(), &lanes.into())
    );
    // The ECP5 card's folded lane: one lane, the model of the same card agreeing on the point.
    let mut a = args("ecp5").to_vec();
    a.push(&seed);
    let lines = json_lines(msm(&a));
    assert_eq!(lines.len(), 3);
    assert_eq!(
        (&lines[1]["backend"], &lines[1]["lanes"]),
        (&"card".into(), &1.into())
    );
    // Without --fast-sim only the test configuration's card is built.
    let mut a: Vec<&str> = args("u55c")
        .into_iter()
        .filter(|&x| x != "--fast-sim")
        .collect();
    a.push(&seed);
    let out = msm(&a);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no simulated card of config \"u55c\": this build has"),
        "{err}"
    );
}
