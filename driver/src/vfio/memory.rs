//! DMA memory for the VFIO transports: shared memory (a memfd, so that a vfio-user server can
//! map it too) mapped into this process, touched only through volatile copies (the card may
//! write it at any time), at an IOVA from a per-card allocator, unmapped from the card on drop.

use std::fs::File;

use vm_memory::mmap::MmapRegion;
use vm_memory::{FileOffset, VolatileMemory};

use crate::transport::{DmaBuffer, TransportError};

pub(crate) const PAGE: usize = 4096;

/// IOVAs start at 4 GiB (clear of the x86 MSI window at 0xfee0_0000) and each buffer is
/// followed by an unmapped page, so that a transfer running off its end faults.
const FIRST_IOVA: u64 = 1 << 32;

/// Hands out IOVAs; they are not reused (2^47 bytes outlast any process).
#[derive(Debug)]
pub(crate) struct IovaSpace {
    next: u64,
}

impl Default for IovaSpace {
    fn default() -> Self {
        IovaSpace { next: FIRST_IOVA }
    }
}

impl IovaSpace {
    /// An IOVA for `len` bytes (a whole number of pages).
    pub(crate) fn take(&mut self, len: usize) -> u64 {
        let iova = self.next;
        self.next += (len + PAGE) as u64;
        iova
    }
}

/// Page-rounded shared memory, mapped read-write into this process.
pub(crate) struct SharedMemory {
    file: File,
    map: MmapRegion,
}

impl SharedMemory {
    pub(crate) fn new(len: usize) -> Result<SharedMemory, TransportError> {
        let fail = |reason: String| TransportError::Alloc { len, reason };
        let size = len.max(1).next_multiple_of(PAGE);
        let fd = rustix::fs::memfd_create(c"msm-dma", rustix::fs::MemfdFlags::CLOEXEC)
            .map_err(|e| fail(format!("memfd_create: {e}")))?;
        let file = File::from(fd);
        file.set_len(size as u64)
            .map_err(|e| fail(format!("ftruncate: {e}")))?;
        let map = MmapRegion::build(
            Some(FileOffset::new(file.try_clone()?, 0)),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
        )
        .map_err(|e| fail(format!("mmap: {e}")))?;
        Ok(SharedMemory { file, map })
    }

    /// The memfd (a vfio-user server maps it).
    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// Where it is mapped here (the kernel's IOMMU map takes it).
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.map.as_ptr()
    }

    /// Bytes mapped (a whole number of pages).
    pub(crate) fn size(&self) -> usize {
        self.map.size()
    }

    fn write_at(&self, offset: usize, bytes: &[u8]) {
        self.map
            .get_slice(offset, bytes.len())
            .expect("write inside the buffer")
            .copy_from(bytes);
    }

    fn read_at(&self, offset: usize, out: &mut [u8]) {
        self.map
            .get_slice(offset, out.len())
            .expect("read inside the buffer")
            .copy_to(out);
    }
}

/// Takes a buffer's IOVA range out of the card's reach.
pub trait Unmap {
    fn unmap(&self, iova: u64, size: usize);
}

/// A DMA buffer of a VFIO transport.
pub struct MappedBuffer<U: Unmap> {
    // Unmapped from the card (in drop) before the memory goes.
    memory: SharedMemory,
    iova: u64,
    len: usize,
    unmap: U,
}

impl<U: Unmap> MappedBuffer<U> {
    pub(crate) fn new(memory: SharedMemory, iova: u64, len: usize, unmap: U) -> Self {
        MappedBuffer {
            memory,
            iova,
            len,
            unmap,
        }
    }
}

impl<U: Unmap> Drop for MappedBuffer<U> {
    fn drop(&mut self) {
        self.unmap.unmap(self.iova, self.memory.size());
    }
}

impl<U: Unmap> DmaBuffer for MappedBuffer<U> {
    fn iova(&self) -> u64 {
        self.iova
    }

    fn len(&self) -> usize {
        self.len
    }

    fn write_at(&mut self, offset: usize, bytes: &[u8]) {
        assert!(offset + bytes.len() <= self.len, "write past the buffer");
        self.memory.write_at(offset, bytes);
    }

    fn read_at(&self, offset: usize, out: &mut [u8]) {
        assert!(offset + out.len() <= self.len, "read past the buffer");
        self.memory.read_at(offset, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Forget;
    impl Unmap for Forget {
        fn unmap(&self, _: u64, _: usize) {}
    }

    #[test]
    fn buffers_are_zeroed_page_rounded_and_spaced() {
        let mut space = IovaSpace::default();
        let memory = SharedMemory::new(100).unwrap();
        assert_eq!(memory.size(), PAGE);
        let a = space.take(memory.size());
        let mut buf = MappedBuffer::new(memory, a, 100, Forget);
        let mut out = [1u8; 100];
        buf.read_at(0, &mut out);
        assert_eq!(out, [0; 100]);
        buf.write_at(90, &[7; 10]);
        buf.read_at(88, &mut out[..4]);
        assert_eq!(out[..4], [0, 0, 7, 7]);
        assert_eq!(
            space.take(PAGE),
            a + 2 * PAGE as u64,
            "a guard page between buffers"
        );
    }
}
