//! The thread that owns the simulated card. The vfio-user side sends it requests in order;
//! between requests it clocks the card while there is work (a command running or queued) and
//! signals the client's eventfd on each interrupt. Idle, it sleeps on its queue.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};

use msm_spec::card::{status_queued, Reg, CONTROL_RESET, STATUS_BUSY};
use msm_verilator::{DmaRegion, SimCard, Timing};
use vm_memory::mmap::MmapRegion;
use vm_memory::VolatileMemory;

/// Clocks run between looks at the queue.
const CHUNK: u64 = 256;
/// Clocks run between looks at the card's status (is there still work?).
const CHECK: u64 = 16 * CHUNK;

pub enum Request {
    Read(Reg, Sender<u32>),
    Write(Reg, u32),
    /// Client memory, mapped here, at an IOVA.
    Map(u64, Shared),
    /// Everything mapped in `[iova, iova + size)` goes.
    Unmap(u64, u64),
    Reset,
    /// The eventfd of MSI vector 0, or none.
    Irq(Option<File>),
}

/// A client's shared memory, mapped into this process.
pub struct Shared(pub MmapRegion);

impl DmaRegion for Shared {
    fn len(&self) -> usize {
        self.0.size()
    }

    fn read(&self, offset: usize, out: &mut [u8]) {
        self.0
            .get_slice(offset, out.len())
            .expect("the harness reads inside the region")
            .copy_to(out);
    }

    fn write(&self, offset: usize, bytes: &[u8]) {
        self.0
            .get_slice(offset, bytes.len())
            .expect("the harness writes inside the region")
            .copy_from(bytes);
    }
}

struct Card {
    sim: SimCard,
    mapped: BTreeMap<u64, Rc<dyn DmaRegion>>,
    irq: Option<File>,
}

impl Card {
    fn signal(&mut self) {
        if let Some(fd) = &mut self.irq {
            // The client may have closed its end; nothing to tell then.
            let _ = fd.write_all(&1u64.to_le_bytes());
        }
    }

    /// Clocks that ran in a request may have raised the interrupt.
    fn forward_irq(&mut self) {
        if self.sim.wait_irq(0) {
            self.signal();
        }
    }

    /// Handles one request; true if it may have started work.
    fn handle(&mut self, request: Request) -> bool {
        match request {
            Request::Read(reg, reply) => {
                let _ = reply.send(self.sim.read(reg));
                self.forward_irq();
                false
            }
            Request::Write(reg, value) => {
                self.sim.write(reg, value);
                true
            }
            Request::Map(iova, region) => {
                let region: Rc<dyn DmaRegion> = Rc::new(region);
                self.sim.map_at(iova, &region);
                self.mapped.insert(iova, region);
                false
            }
            Request::Unmap(iova, size) => {
                let end = iova.saturating_add(size);
                self.mapped.retain(|&a, _| a < iova || a >= end);
                false
            }
            Request::Reset => {
                self.sim.write(Reg::Control, CONTROL_RESET);
                true
            }
            Request::Irq(fd) => {
                self.irq = fd;
                false
            }
        }
    }

    fn has_work(&mut self) -> bool {
        let status = self.sim.read(Reg::Status);
        self.forward_irq();
        status & STATUS_BUSY != 0 || status_queued(status) > 0
    }
}

/// Runs the card until the request queue closes.
pub fn run(timing: Timing, requests: Receiver<Request>) {
    let mut card = Card {
        sim: SimCard::new(timing),
        mapped: BTreeMap::new(),
        irq: None,
    };
    let mut busy = false;
    let mut since_check = 0;
    loop {
        let request = if busy {
            match requests.try_recv() {
                Ok(r) => Some(r),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => return,
            }
        } else {
            match requests.recv() {
                Ok(r) => Some(r),
                Err(_) => return,
            }
        };
        if let Some(r) = request {
            busy |= card.handle(r);
            continue;
        }
        if card.sim.wait_irq(CHUNK) {
            card.signal();
        }
        since_check += CHUNK;
        if since_check >= CHECK {
            since_check = 0;
            busy = card.has_work();
        }
    }
}
