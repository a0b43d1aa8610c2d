//! The card as a vfio-user client sees it: a server (`card-server`, the simulated card, or any
//! vfio-user device with our ids) on a Unix socket. Registers are region reads and writes of
//! BAR0; DMA buffers are memfds shared with the server at IOVAs we choose; the interrupt is an
//! eventfd the server signals.

use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use msm_spec::card::{Reg, BAR0_BYTES, PCI_DEVICE_ID, PCI_VENDOR_ID};
use vfio_bindings::bindings::vfio::{
    VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_DATA_EVENTFD, VFIO_PCI_BAR0_REGION_INDEX,
    VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_MSI_IRQ_INDEX,
};
use vfio_user::Client;

use super::irq::Irq;
use super::memory::{IovaSpace, MappedBuffer, SharedMemory, Unmap};
use super::OpenError;
use crate::transport::{Transport, TransportError};

/// How often a wait for the interrupt checks that the server is still there.
const LIVENESS: Duration = Duration::from_millis(100);

pub struct VfioUser {
    client: Shared,
    irq: Irq,
    iovas: IovaSpace,
}

/// The connection, shared with the buffers (they unmap themselves).
#[derive(Clone)]
pub struct Shared(Arc<Mutex<Client>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Client> {
        // A panic elsewhere while holding it leaves the protocol mid-message: nothing to save.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn gone(e: vfio_user::Error) -> TransportError {
    TransportError::Gone(format!("vfio-user server: {e}"))
}

impl VfioUser {
    /// Connects to the server at `socket` and checks that it is our card.
    pub fn connect(socket: impl AsRef<Path>) -> Result<VfioUser, OpenError> {
        let path = socket.as_ref();
        let connect = |reason: String| OpenError::Connect {
            path: path.display().to_string(),
            reason,
        };
        let mut client = Client::new(path).map_err(|e| connect(e.to_string()))?;
        let mut ids = [0u8; 4];
        client
            .region_read(VFIO_PCI_CONFIG_REGION_INDEX, 0, &mut ids)
            .map_err(|e| connect(e.to_string()))?;
        let vendor = u16::from_le_bytes([ids[0], ids[1]]);
        let device = u16::from_le_bytes([ids[2], ids[3]]);
        if (vendor, device) != (PCI_VENDOR_ID, PCI_DEVICE_ID) {
            return Err(OpenError::WrongId {
                bdf: path.display().to_string(),
                vendor,
                device,
            });
        }
        let bar = client
            .region(VFIO_PCI_BAR0_REGION_INDEX)
            .map(|r| r.size)
            .unwrap_or(0);
        if bar < BAR0_BYTES as u64 {
            return Err(OpenError::BarTooSmall {
                found: bar,
                need: BAR0_BYTES as u64,
            });
        }
        let irq = Irq::new().map_err(|e| OpenError::Io(format!("eventfd: {e}")))?;
        client
            .set_irqs(
                VFIO_PCI_MSI_IRQ_INDEX,
                VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
                0,
                1,
                &[irq.event().as_raw_fd()],
            )
            .map_err(|e| connect(format!("setting up MSI: {e}")))?;
        Ok(VfioUser {
            client: Shared(Arc::new(Mutex::new(client))),
            irq,
            iovas: IovaSpace::default(),
        })
    }
}

impl Unmap for Shared {
    fn unmap(&self, iova: u64, size: usize) {
        // A server that is gone has nothing mapped any more.
        let _ = self.lock().dma_unmap(iova, size as u64);
    }
}

impl Transport for VfioUser {
    type Buffer = MappedBuffer<Shared>;

    fn read(&mut self, reg: Reg) -> Result<u32, TransportError> {
        let mut word = [0u8; 4];
        self.client
            .lock()
            .region_read(VFIO_PCI_BAR0_REGION_INDEX, reg.offset() as u64, &mut word)
            .map_err(gone)?;
        Ok(u32::from_le_bytes(word))
    }

    fn write(&mut self, reg: Reg, value: u32) -> Result<(), TransportError> {
        self.client
            .lock()
            .region_write(
                VFIO_PCI_BAR0_REGION_INDEX,
                reg.offset() as u64,
                &value.to_le_bytes(),
            )
            .map_err(gone)
    }

    fn alloc(&mut self, len: usize) -> Result<Self::Buffer, TransportError> {
        let memory = SharedMemory::new(len)?;
        let iova = self.iovas.take(memory.size());
        self.client
            .lock()
            .dma_map(0, iova, memory.size() as u64, memory.file().as_raw_fd())
            .map_err(gone)?;
        Ok(MappedBuffer::new(memory, iova, len, self.client.clone()))
    }

    fn wait_irq(&mut self, timeout: Duration) -> Result<bool, TransportError> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if self.irq.wait(left.min(LIVENESS))? {
                return Ok(true);
            }
            if left.is_zero() {
                return Ok(false);
            }
            // A server that died says so here rather than by a timeout.
            self.read(Reg::Id)?;
        }
    }
}
