//! `msm`: benchmark MSM backends on one workload, fold with a prover on each, and explore the
//! schedule model.
//! Lists and ranges: `10..16` is inclusive, `1,2` a list, `10,12..14` both.
// Built with no card transport (neither `sim` nor `vfio`), the card paths only say so.
#![cfg_attr(
    not(any(feature = "sim", feature = "vfio")),
    allow(dead_code, unused_variables)
)]

mod bench;
mod card;
mod fold;
mod model;
mod open_card;
mod plot;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "msm",
    about = "BN254 MSM accelerator: benchmarks and schedule model"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the same random MSMs on each backend, check they agree, print times.
    Bench(bench::Args),
    /// The schedule model's cycles and efficiency (a planning tool, not the RTL).
    Model(model::Args),
    /// A folding prover's IVC (nova-snark or Sonobe) on each backend, verified: each step's
    /// MSMs, the rest of the host's work, and the step projected with the card.
    Fold(fold::Args),
    /// The card's register map and error codes.
    #[command(subcommand)]
    Card(card::Command),
}

fn main() {
    let result = match Cli::parse().command {
        Command::Bench(a) => bench::run(&a),
        Command::Model(a) => model::run(&a),
        Command::Fold(a) => fold::run(&a),
        Command::Card(c) => card::run(&c),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// A list of numbers: `10..16` (inclusive), `1,2`, or `10,12..14`.
#[derive(Clone, Debug)]
pub struct List(pub Vec<u32>);

impl std::str::FromStr for List {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let num = |x: &str| {
            x.trim()
                .parse::<u32>()
                .map_err(|_| format!("bad number {x:?} in {s:?}"))
        };
        let mut out = Vec::new();
        for part in s.split(',') {
            match part.split_once("..") {
                Some((a, b)) => {
                    let (a, b) = (num(a)?, num(b)?);
                    if a > b {
                        return Err(format!("empty range {part:?}"));
                    }
                    out.extend(a..=b);
                }
                None => out.push(num(part)?),
            }
        }
        Ok(List(out))
    }
}
