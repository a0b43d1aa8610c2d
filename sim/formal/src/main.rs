//! `formal`: proves with SymbiYosys and Yices that the field units' generated Verilog computes
//! what their models do, for every input (not a sample), and that a deliberately broken variant
//! of each is caught. `make formal` installs the tools into .venv and runs it.

mod add_sub;
mod harness;
mod mul;
mod sby;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;
use std::time::Instant;

use clap::Parser;
use msm_hw::config::{self, Config};

use sby::Proof;

#[derive(Parser)]
#[command(
    about = "SMT proofs of the field units' generated Verilog (add/sub; the multiplier's sums and slivers)"
)]
struct Args {
    /// Configurations (sim, u55c, ecp5), comma-separated.
    #[arg(long, value_delimiter = ',', default_values = ["sim", "u55c", "ecp5"])]
    config: Vec<String>,
    /// Only the proofs whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Where each proof's files, SymbiYosys run and counterexample go.
    #[arg(long, default_value = "build/formal")]
    out: PathBuf,
    /// Proofs run at once.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
}

fn configs(names: &[String]) -> Result<Vec<Config>, String> {
    names
        .iter()
        .map(|n| {
            config::ALL
                .iter()
                .find(|c| c.name == n)
                .copied()
                .ok_or_else(|| format!("no configuration {n}"))
        })
        .collect()
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("formal: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<(), String> {
    let start = Instant::now();
    let mut proofs: Vec<Proof> = Vec::new();
    for cfg in configs(&args.config)? {
        proofs.extend(add_sub::proofs(&cfg)?);
        proofs.extend(mul::proofs(&cfg)?);
    }
    if let Some(only) = &args.only {
        proofs.retain(|p| p.name.contains(only.as_str()));
    }
    println!(
        "formal: {} proofs, {} at a time, in {}",
        proofs.len(),
        args.jobs,
        args.out.display()
    );
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![None; proofs.len()]);
    std::thread::scope(|s| {
        for _ in 0..args.jobs.max(1) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, SeqCst);
                let Some(p) = proofs.get(k) else { break };
                let r = p.run(&args.out);
                match &r {
                    Ok((v, secs)) => {
                        let ok = if *v == p.expect { "ok" } else { "UNEXPECTED" };
                        println!("{:<32} {v:?} ({ok}) {secs:6.1} s  {}", p.name, p.what);
                    }
                    Err(e) => println!("{:<32} error: {e}", p.name),
                }
                results.lock().unwrap()[k] = Some(r);
            });
        }
    });
    let results = results.into_inner().unwrap();
    let mut bad = Vec::new();
    let mut total = 0.0;
    for (p, r) in proofs.iter().zip(&results) {
        match r.as_ref().expect("every proof ran") {
            Ok((v, secs)) => {
                total += secs;
                if *v != p.expect {
                    bad.push(format!("{}: {v:?}, expected {:?}", p.name, p.expect));
                }
            }
            Err(e) => bad.push(e.clone()),
        }
    }
    println!(
        "formal: {} proofs, {} as expected; {total:.0} s of solver runs, {:.0} s wall",
        proofs.len(),
        proofs.len() - bad.len(),
        start.elapsed().as_secs_f64()
    );
    if bad.is_empty() {
        Ok(())
    } else {
        Err(bad.join("\n"))
    }
}
