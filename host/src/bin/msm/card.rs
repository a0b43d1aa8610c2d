//! `msm card`: the card as the driver sees it.

use clap::Subcommand;
use msm_spec::card::{Access, CardError, Reg};

#[derive(Subcommand)]
pub enum Command {
    /// The BAR0 register map (msm_spec::card) as a Markdown table.
    Registers,
    /// The card's error codes as a Markdown table.
    Errors,
}

pub fn run(c: &Command) -> Result<(), String> {
    match c {
        Command::Registers => {
            println!("| offset | register | access | meaning |\n| --- | --- | --- | --- |");
            for r in Reg::ALL {
                let access = match r.access() {
                    Access::Ro => "RO",
                    Access::Rw => "RW",
                    Access::Wo => "WO",
                };
                println!(
                    "| {:#05x} | `{}` | {access} | {} |",
                    r.offset(),
                    r.name(),
                    r.doc()
                );
            }
        }
        Command::Errors => {
            println!("| code | error |\n| --- | --- |");
            for e in CardError::ALL {
                println!("| {} | {e:?} |", e as u32);
            }
        }
    }
    Ok(())
}
