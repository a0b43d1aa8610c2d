//! `msm card`: the card as the driver sees it.

use ark_bn254::G1Projective;
use ark_ec::VariableBaseMSM;
use clap::Subcommand;
use msm_driver::{DmaBuffer, DriverError, Transport};
use msm_host::workload::random_inputs;
use msm_host::{CardAt, CardBackend, MsmBackend};
use msm_spec::card::{Access, CardError, Descriptor, Op, Reg};

use crate::open_card::{on_card, CardPlace, OnCard};

#[derive(Subcommand)]
pub enum Command {
    /// The BAR0 register map (msm_spec::card) as a Markdown table.
    Registers,
    /// The card's error codes as a Markdown table.
    Errors,
    /// Our cards on the PCI bus (vendor and device id), with their driver and IOMMU group.
    List,
    /// Hands a card to vfio-pci (driver_override, unbind, drivers_probe): then
    /// `msm bench --backend card --card vfio:<BDF>`. Needs root.
    Bind {
        /// PCI address, e.g. 0000:01:00.0.
        bdf: String,
    },
    /// Gives a card back from vfio-pci to whatever driver claims it.
    Unbind { bdf: String },
    /// Checks a card end to end, step by step: its registers, bases loaded by DMA, MSMs
    /// against the CPU's, transfers to IOVAs nobody mapped (must be blocked), recovery.
    Selftest {
        /// sim, vfio:<BDF> or vfio-user:<socket>.
        #[arg(long, default_value = "sim")]
        card: CardAt,
        /// Bases in the key.
        #[arg(long, default_value_t = 64)]
        points: usize,
        /// Seed of the random key and scalars (a fresh one by default).
        #[arg(long)]
        seed: Option<u64>,
    },
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
        Command::List | Command::Bind { .. } | Command::Unbind { .. } => pci(c)?,
        Command::Selftest { card, points, seed } => {
            let place = CardPlace {
                at: card,
                window: None,
                ideal_dma: false,
                dma_bytes_per_cycle: None,
                sim: Default::default(),
            };
            let seed = seed.unwrap_or_else(msm_sim::seed::fresh);
            on_card(
                &place,
                Selftest {
                    points: *points,
                    seed,
                },
            )?
        }
    }
    Ok(())
}

#[cfg(feature = "vfio")]
fn pci(c: &Command) -> Result<(), String> {
    use msm_driver::vfio::{PciDevice, Sysfs};
    let sysfs = Sysfs::default();
    let show = |d: &PciDevice| {
        let group = d
            .iommu_group
            .map_or("none (IOMMU off?)".into(), |g| g.to_string());
        println!(
            "{}  {:04x}:{:04x}  driver {}  iommu group {group}",
            d.bdf,
            d.vendor,
            d.device,
            d.driver.as_deref().unwrap_or("none")
        );
    };
    let e = |e: msm_driver::vfio::OpenError| e.to_string();
    match c {
        Command::List => {
            let cards = sysfs.cards().map_err(e)?;
            if cards.is_empty() {
                eprintln!(
                    "no card ({:04x}:{:04x}) on the PCI bus",
                    msm_spec::card::PCI_VENDOR_ID,
                    msm_spec::card::PCI_DEVICE_ID
                );
            }
            cards.iter().for_each(show);
        }
        Command::Bind { bdf } => {
            let d = sysfs.bind(bdf).map_err(e)?;
            show(&d);
            eprintln!("bound to vfio-pci: msm bench --backend card --card vfio:{bdf}");
        }
        Command::Unbind { bdf } => show(&sysfs.unbind(bdf).map_err(e)?),
        _ => unreachable!(),
    }
    Ok(())
}

#[cfg(not(feature = "vfio"))]
fn pci(_c: &Command) -> Result<(), String> {
    Err("cards on the PCI bus need msm-host's `vfio` feature (built without it)".into())
}

struct Selftest {
    points: usize,
    seed: u64,
}

/// An IOVA no transport hands out (they start at 4 GiB and grow slowly).
const UNMAPPED: u64 = 0x40_0000_0000;

fn step(what: &str) {
    println!("selftest: {what}");
}

impl OnCard for Selftest {
    type Out = ();

    fn run<T: Transport + 'static>(self, mut b: CardBackend<T>) -> Result<(), String> {
        let e = |e: msm_host::MsmError| e.to_string();
        let d = |e: DriverError| e.to_string();
        let info = *b.card().info();
        let id = b
            .card()
            .transport()
            .read(Reg::Id)
            .map_err(|e| e.to_string())?;
        step(&format!(
            "BAR0 id {id:#010x} ({:?}), version {:#x}, {} lanes, c_max {}, {} MHz",
            String::from_utf8_lossy(&id.to_le_bytes()),
            info.version,
            info.lanes,
            info.c_max,
            info.clock_mhz
        ));
        println!(
            "selftest: seed {} (replay with --seed {})",
            self.seed, self.seed
        );
        let (bases, scalars) = random_inputs(self.points, self.seed);
        b.load_bases(&bases).map_err(e)?;
        step(&format!(
            "{} bases loaded by DMA (card memory holds {})",
            self.points,
            b.card().bases_loaded().map_err(d)?
        ));
        let check = |b: &mut CardBackend<T>, n: usize| -> Result<(), String> {
            let want = G1Projective::msm(&bases[..n], &scalars[..n]).unwrap();
            let r = b.msm_report(&scalars[..n]).map_err(e)?;
            if r.point != want {
                return Err(format!(
                    "MSM of {n} points differs from the CPU's (seed {})",
                    self.seed
                ));
            }
            step(&format!(
                "MSM of {n} points equals the CPU's ({} card cycles)",
                r.cycles.map_or("-".into(), |c| c.to_string())
            ));
            Ok(())
        };
        for n in [1, self.points / 2 + 1, self.points] {
            check(&mut b, n)?;
        }
        // Transfers to an IOVA nobody mapped: the IOMMU (or the vfio-user server's view of the
        // client's maps) must stop them, and the card must say so.
        let src = b.card().alloc(32 * self.points).map_err(d)?;
        let dst = b.card().alloc(1 << 20).map_err(d)?;
        let msm = Descriptor {
            op: Op::Msm as u32,
            c: 4,
            count: self.points as u32,
            base: 0,
            src: src.iova(),
            dst: dst.iova(),
            dst_len: dst.len() as u32,
        };
        for (d_, want, what) in [
            (
                Descriptor {
                    dst: UNMAPPED,
                    ..msm
                },
                CardError::DmaWrite,
                "write to",
            ),
            (
                Descriptor {
                    src: UNMAPPED,
                    ..msm
                },
                CardError::DmaRead,
                "read from",
            ),
        ] {
            let t = b.card().submit(&d_).map_err(d)?;
            match b.card().wait(t) {
                Err(DriverError::Card { error, .. }) if error == want => step(&format!(
                    "DMA {what} unmapped IOVA {UNMAPPED:#x} blocked: the card reported {error:?}"
                )),
                other => {
                    return Err(format!(
                        "DMA {what} unmapped IOVA {UNMAPPED:#x} was not blocked: {other:?}"
                    ))
                }
            }
        }
        b.card().reset().map_err(d)?;
        step("card reset");
        check(&mut b, self.points)?;
        step("PASS");
        Ok(())
    }
}
