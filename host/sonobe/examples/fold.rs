//! `cargo run --release -p msm-sonobe --example fold -- [log_constraints] [steps] [cpu|model]`:
//! one hash-chain run, its step times and the MSMs in each step.

use std::sync::Arc;

use msm_host::{CardShape, SharedBackend};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let k: u32 = args
        .first()
        .map_or(Ok(12), |s| s.parse())
        .map_err(|e| format!("{e}"))?;
    let steps: usize = args
        .get(1)
        .map_or(Ok(3), |s| s.parse())
        .map_err(|e| format!("{e}"))?;
    let shared = match args.get(2).map(String::as_str) {
        None | Some("none") => None,
        Some("cpu") => Some(SharedBackend::cpu()),
        Some("model") => Some(SharedBackend::model(CardShape {
            lanes: 2,
            latency: 40,
        })),
        Some(other) => return Err(format!("unknown backend {other}: none, cpu or model")),
    };
    let _attached = match shared {
        Some(s) => Some(msm_sonobe::attach(Arc::new(s.map_err(|e| e.to_string())?))),
        None => None,
    };
    let run = msm_sonobe::fold(k, steps, |i| eprintln!("step {i} done"))?;
    println!(
        "sonobe on {}: step circuit {} constraints, primary {} constraints / {} variables, key {}",
        run.backend,
        run.step_constraints,
        run.primary_constraints,
        run.primary_variables,
        run.key_len
    );
    println!("setup {:.2?}, verify {:.2?}", run.setup, run.verify);
    for s in &run.steps {
        let sizes: Vec<String> = s
            .commits
            .iter()
            .map(|c| format!("{} ({:.1?}, {:?})", c.n, c.wall, c.ran))
            .collect();
        println!(
            "step {}: {:.1?} (commits {:.1?}, rest {:.1?}): {}",
            s.index,
            s.wall,
            s.commit_wall(),
            s.host_wall(),
            sizes.join(", ")
        );
    }
    Ok(())
}
