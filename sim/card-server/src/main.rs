//! `card-server`: the simulated card (the Verilated `msm_card`, the real generated RTL) as a
//! PCI device over vfio-user, for the `VfioUser` transport or QEMU's `vfio-user-pci`. One
//! process per card and per client: it exits when the client disconnects, or on SIGTERM.

mod card_thread;
mod config_space;

use std::fs::File;
use std::mem::size_of;
use std::path::PathBuf;
use std::sync::mpsc::{self, Sender};

use clap::Parser;
use msm_spec::card::{Reg, BAR0_BYTES};
use msm_verilator::Timing;
use vfio_bindings::bindings::vfio::{
    vfio_region_info, VFIO_IRQ_INFO_EVENTFD, VFIO_IRQ_SET_ACTION_TRIGGER,
    VFIO_IRQ_SET_DATA_EVENTFD, VFIO_PCI_BAR0_REGION_INDEX, VFIO_PCI_CONFIG_REGION_INDEX,
    VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_NUM_IRQS, VFIO_PCI_NUM_REGIONS, VFIO_REGION_INFO_FLAG_READ,
    VFIO_REGION_INFO_FLAG_WRITE,
};
use vfio_user::{DmaMapFlags, DmaUnmapFlags, IrqInfo, Server, ServerBackend, ServerRegion};
use vm_memory::mmap::MmapRegion;
use vm_memory::FileOffset;

use card_thread::{Request, Shared};
use config_space::ConfigSpace;

#[derive(Parser)]
#[command(about = "Serve the simulated MSM card over vfio-user")]
struct Args {
    /// The Unix socket to listen on (must not exist).
    #[arg(long)]
    socket: PathBuf,
    /// Host DMA bytes per card clock (default: PCIe Gen3 x16 at the card's clock).
    #[arg(long)]
    dma_bytes_per_cycle: Option<f64>,
    /// No modelled transfer time.
    #[arg(long, conflicts_with = "dma_bytes_per_cycle")]
    ideal_dma: bool,
}

struct Backend {
    config: ConfigSpace,
    card: Sender<Request>,
}

fn invalid(what: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, what)
}

fn card_gone() -> std::io::Error {
    std::io::Error::other("the card thread stopped")
}

impl Backend {
    fn send(&self, r: Request) -> Result<(), std::io::Error> {
        self.card.send(r).map_err(|_| card_gone())
    }
}

/// The register a 4-byte BAR0 access names.
fn register(offset: u64, len: usize) -> Option<Reg> {
    (len == 4).then(|| Reg::at(offset as u32)).flatten()
}

impl ServerBackend for Backend {
    fn region_read(&mut self, region: u32, offset: u64, data: &mut [u8]) -> std::io::Result<()> {
        // Every read is answered (a failed read would desynchronise the client's stream):
        // what names no register reads zero, as on the card.
        data.fill(0);
        match region {
            VFIO_PCI_CONFIG_REGION_INDEX => self.config.read(offset, data),
            VFIO_PCI_BAR0_REGION_INDEX => {
                if let Some(reg) = register(offset, data.len()) {
                    let (tx, rx) = mpsc::channel();
                    self.send(Request::Read(reg, tx))?;
                    let word = rx.recv().map_err(|_| card_gone())?;
                    data.copy_from_slice(&word.to_le_bytes());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn region_write(&mut self, region: u32, offset: u64, data: &[u8]) -> std::io::Result<()> {
        match region {
            VFIO_PCI_CONFIG_REGION_INDEX => self.config.write(offset, data),
            VFIO_PCI_BAR0_REGION_INDEX => {
                if let Some(reg) = register(offset, data.len()) {
                    let value = u32::from_le_bytes(data.try_into().unwrap());
                    self.send(Request::Write(reg, value))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn dma_map(
        &mut self,
        _flags: DmaMapFlags,
        offset: u64,
        address: u64,
        size: u64,
        fd: Option<File>,
    ) -> std::io::Result<()> {
        let Some(fd) = fd else {
            // Memory the client cannot share (QEMU's ROMs): the card cannot reach it, and DMA
            // there gets an error response as anywhere unmapped.
            log::info!("DMA map of {size:#x} bytes at {address:#x} without an fd: not reachable");
            return Ok(());
        };
        let map = MmapRegion::build(
            Some(FileOffset::new(fd, offset)),
            size as usize,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
        )
        .map_err(|e| {
            invalid(format!(
                "mapping {size:#x} bytes of client memory at {address:#x}: {e}"
            ))
        })?;
        self.send(Request::Map(address, Shared(map)))
    }

    fn dma_unmap(&mut self, _flags: DmaUnmapFlags, address: u64, size: u64) -> std::io::Result<()> {
        self.send(Request::Unmap(address, size))
    }

    fn reset(&mut self) -> std::io::Result<()> {
        self.send(Request::Reset)
    }

    fn set_irqs(
        &mut self,
        index: u32,
        flags: u32,
        _start: u32,
        count: u32,
        mut fds: Vec<File>,
    ) -> std::io::Result<()> {
        if index != VFIO_PCI_MSI_IRQ_INDEX {
            return Ok(());
        }
        let trigger = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
        let fd = (flags & trigger == trigger && count > 0)
            .then(|| fds.pop())
            .flatten();
        self.send(Request::Irq(fd))
    }
}

fn regions() -> Vec<ServerRegion> {
    (0..VFIO_PCI_NUM_REGIONS)
        .map(|index| {
            let size = match index {
                VFIO_PCI_BAR0_REGION_INDEX => BAR0_BYTES as u64,
                VFIO_PCI_CONFIG_REGION_INDEX => config_space::SIZE as u64,
                _ => 0,
            };
            ServerRegion {
                region_info: vfio_region_info {
                    argsz: size_of::<vfio_region_info>() as u32,
                    index,
                    size,
                    flags: if size > 0 {
                        VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE
                    } else {
                        0
                    },
                    ..Default::default()
                },
                sparse_areas: Vec::new(),
                mmap_fd: None,
            }
        })
        .collect()
}

fn irqs() -> Vec<IrqInfo> {
    (0..VFIO_PCI_NUM_IRQS)
        .map(|index| {
            let msi = index == VFIO_PCI_MSI_IRQ_INDEX;
            IrqInfo {
                index,
                count: msi as u32,
                flags: if msi { VFIO_IRQ_INFO_EVENTFD } else { 0 },
            }
        })
        .collect()
}

fn main() {
    let args = Args::parse();
    // The protocol's own errors (vfio_user logs them); RUST_LOG=debug shows every message.
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("error")).init();
    let mut timing = Timing::default();
    if args.ideal_dma {
        timing = Timing::ideal();
    }
    if let Some(b) = args.dma_bytes_per_cycle {
        timing.host_bytes_per_cycle = Some(b);
    }
    let server = match Server::new(&args.socket, true, irqs(), regions()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "card-server: cannot listen on {}: {e}",
                args.socket.display()
            );
            std::process::exit(1);
        }
    };
    // SIGTERM and SIGINT: remove the socket and leave.
    let socket = args.socket.clone();
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
    ])
    .expect("signal handlers");
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let _ = std::fs::remove_file(&socket);
            eprintln!("card-server: signal {sig}, exiting");
            std::process::exit(0);
        }
    });
    eprintln!(
        "card-server: serving the simulated card on {}",
        args.socket.display()
    );

    let (tx, rx) = mpsc::channel();
    let card = std::thread::spawn(move || card_thread::run(timing, rx));
    let mut backend = Backend {
        config: ConfigSpace::default(),
        card: tx,
    };
    let result = server.run(&mut backend);
    drop(backend);
    let _ = card.join();
    drop(server);
    match result {
        Ok(()) => eprintln!("card-server: client disconnected, exiting"),
        Err(e) => {
            eprintln!("card-server: {e}");
            std::process::exit(1);
        }
    }
}
