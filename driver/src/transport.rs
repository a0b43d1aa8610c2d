//! The hardware boundary: everything the driver needs from a card is reading and writing BAR0
//! registers, DMA buffers the card can reach, and an interrupt. `InProcess` (the simulated
//! card linked in) implements it here; the VFIO transports (kernel vfio-pci: BAR mmap, IOMMU
//! DMA map, MSI on an eventfd; vfio-user: the same over a socket) implement the same trait.

use std::time::Duration;

use msm_spec::card::Reg;

/// A transport failed (the card itself is fine as far as the transport knows).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot allocate a {len}-byte DMA buffer: {reason}")]
    Alloc { len: usize, reason: String },
    #[error("the card is gone: {0}")]
    Gone(String),
    #[error("transport I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// Host memory the card can read and write by DMA, at an IOVA, unmapped on drop.
pub trait DmaBuffer {
    /// The address the card uses.
    fn iova(&self) -> u64;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Copies `bytes` in at `offset`.
    fn write_at(&mut self, offset: usize, bytes: &[u8]);
    /// Copies `out.len()` bytes out from `offset`.
    fn read_at(&self, offset: usize, out: &mut [u8]);
}

pub trait Transport {
    type Buffer: DmaBuffer;

    fn read(&mut self, reg: Reg) -> Result<u32, TransportError>;
    fn write(&mut self, reg: Reg, value: u32) -> Result<(), TransportError>;
    /// A zeroed DMA buffer of `len` bytes.
    fn alloc(&mut self, len: usize) -> Result<Self::Buffer, TransportError>;
    /// Waits for the card's interrupt (MSI vector 0): true if it came within `timeout`.
    fn wait_irq(&mut self, timeout: Duration) -> Result<bool, TransportError>;
}
