//! The card through the kernel's vfio-pci (a real card, or the simulated one as a guest sees
//! it): the device opened by PCI address through its IOMMU group, BAR0 mapped from the device
//! fd, DMA buffers mapped into the IOMMU at IOVAs we choose, MSI vector 0 on an eventfd.
//!
//! The unsafe code of the driver is here: two blocks, each with its reason.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::sync::Arc;
use std::time::Duration;

use msm_spec::card::{Reg, BAR0_BYTES};
use vfio_bindings::bindings::vfio::{
    VFIO_PCI_BAR0_REGION_INDEX, VFIO_PCI_CONFIG_REGION_INDEX, VFIO_REGION_INFO_FLAG_MMAP,
};
use vfio_ioctls::{VfioContainer, VfioDevice, VfioError};
use vm_memory::mmap::MmapRegion;
use vm_memory::{FileOffset, VolatileMemory};

use super::irq::Irq;
use super::memory::{IovaSpace, MappedBuffer, SharedMemory, Unmap};
use super::sysfs::{Sysfs, VFIO_PCI};
use super::OpenError;
use crate::transport::{Transport, TransportError};

/// PCI command register: memory space and bus master (the card's DMA) enabled.
const PCI_COMMAND: u64 = 0x04;
const PCI_COMMAND_MEMORY: u16 = 1 << 1;
const PCI_COMMAND_MASTER: u16 = 1 << 2;

pub struct VfioPci {
    bdf: String,
    // Fields drop in order: BAR0 is unmapped before the device closes.
    bar: MmapRegion,
    device: VfioDevice,
    container: Arc<VfioContainer>,
    irq: Irq,
    iovas: IovaSpace,
}

/// Unmaps a buffer from the card's IOMMU domain.
pub struct Iommu(Arc<VfioContainer>);

impl Unmap for Iommu {
    fn unmap(&self, iova: u64, size: usize) {
        // Fails only if it was never mapped.
        let _ = self.0.vfio_dma_unmap(iova, size);
    }
}

fn opening(group: u32) -> impl Fn(VfioError) -> OpenError {
    move |e| match e {
        VfioError::OpenContainer(io) | VfioError::OpenGroup(io, _) => match io.kind() {
            io::ErrorKind::PermissionDenied => {
                OpenError::PermissionDenied(format!("opening /dev/vfio/{group}: {io}"))
            }
            io::ErrorKind::NotFound => OpenError::VfioPciNotLoaded,
            _ => OpenError::Vfio(io.to_string()),
        },
        VfioError::GroupViable => OpenError::GroupNotViable(group),
        e => OpenError::Vfio(e.to_string()),
    }
}

impl VfioPci {
    /// Opens the card at `bdf` (e.g. `0000:01:00.0`), which must be bound to vfio-pci.
    pub fn open(bdf: &str) -> Result<VfioPci, OpenError> {
        VfioPci::open_in(&Sysfs::default(), bdf)
    }

    /// The same, finding the device under another sysfs root (tests).
    pub fn open_in(sysfs: &Sysfs, bdf: &str) -> Result<VfioPci, OpenError> {
        let dev = sysfs.card(bdf)?;
        if dev.driver.as_deref() != Some(VFIO_PCI) {
            return Err(OpenError::NotBound {
                bdf: bdf.to_string(),
                driver: dev.driver,
            });
        }
        let group = dev
            .iommu_group
            .ok_or_else(|| OpenError::NoIommuGroup(bdf.to_string()))?;
        let container = Arc::new(VfioContainer::new(None).map_err(opening(group))?);
        let device = VfioDevice::new(&sysfs.device_path(bdf), container.clone(), false)
            .map_err(opening(group))?;

        let size = device.get_region_size(VFIO_PCI_BAR0_REGION_INDEX);
        if size < BAR0_BYTES as u64 {
            return Err(OpenError::BarTooSmall {
                found: size,
                need: BAR0_BYTES as u64,
            });
        }
        if device.get_region_flags(VFIO_PCI_BAR0_REGION_INDEX) & VFIO_REGION_INFO_FLAG_MMAP == 0 {
            return Err(OpenError::Vfio("BAR0 cannot be mmapped".into()));
        }
        // SAFETY: the fd is the open device's (`device` lives until after this call); it is
        // only borrowed to duplicate it.
        let fd = unsafe { BorrowedFd::borrow_raw(device.as_raw_fd()) };
        let file = File::from(
            fd.try_clone_to_owned()
                .map_err(|e| OpenError::Io(e.to_string()))?,
        );
        let bar = MmapRegion::build(
            Some(FileOffset::new(
                file,
                device.get_region_offset(VFIO_PCI_BAR0_REGION_INDEX),
            )),
            BAR0_BYTES as usize,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
        )
        .map_err(|e| OpenError::Vfio(format!("mapping BAR0: {e}")))?;

        let mut command = [0u8; 2];
        device.region_read(VFIO_PCI_CONFIG_REGION_INDEX, &mut command, PCI_COMMAND);
        let command = u16::from_le_bytes(command) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
        device.region_write(
            VFIO_PCI_CONFIG_REGION_INDEX,
            &command.to_le_bytes(),
            PCI_COMMAND,
        );

        let irq = Irq::new().map_err(|e| OpenError::Io(format!("eventfd: {e}")))?;
        device
            .enable_msi(vec![irq.event()])
            .map_err(|e| OpenError::Vfio(format!("enabling MSI: {e}")))?;
        Ok(VfioPci {
            bdf: bdf.to_string(),
            bar,
            device,
            container,
            irq,
            iovas: IovaSpace::default(),
        })
    }

    pub fn bdf(&self) -> &str {
        &self.bdf
    }

    /// Function-level reset through vfio-pci (the card's own soft reset is `Card::reset`).
    pub fn function_reset(&self) {
        self.device.reset();
    }
}

impl Drop for VfioPci {
    fn drop(&mut self) {
        let _ = self.device.disable_msi();
    }
}

impl Transport for VfioPci {
    type Buffer = MappedBuffer<Iommu>;

    fn read(&mut self, reg: Reg) -> Result<u32, TransportError> {
        let word = self.bar.get_ref::<u32>(reg.offset() as usize);
        Ok(word.expect("register inside BAR0").load())
    }

    fn write(&mut self, reg: Reg, value: u32) -> Result<(), TransportError> {
        let word = self.bar.get_ref::<u32>(reg.offset() as usize);
        word.expect("register inside BAR0").store(value);
        Ok(())
    }

    fn alloc(&mut self, len: usize) -> Result<Self::Buffer, TransportError> {
        let memory = SharedMemory::new(len)?;
        let iova = self.iovas.take(memory.size());
        // SAFETY: the range is our own mapping, which outlives the IOMMU mapping (the buffer
        // unmaps the IOVA in drop, before its memory is unmapped), and it is only ever touched
        // through volatile copies, never through a reference.
        unsafe {
            self.container
                .vfio_dma_map(iova, memory.size(), memory.as_ptr())
                .map_err(|e| TransportError::Alloc {
                    len,
                    reason: format!("IOMMU map: {e}"),
                })?;
        }
        Ok(MappedBuffer::new(
            memory,
            iova,
            len,
            Iommu(self.container.clone()),
        ))
    }

    fn wait_irq(&mut self, timeout: Duration) -> Result<bool, TransportError> {
        Ok(self.irq.wait(timeout)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfio::sysfs::fake::tree;
    use std::fs;

    #[test]
    fn a_missing_device_is_named() {
        let err = VfioPci::open("0000:ff:1f.7").err().unwrap();
        assert!(
            matches!(err, OpenError::NoSuchDevice(ref b) if b == "0000:ff:1f.7"),
            "{err}"
        );
    }

    #[test]
    fn each_way_opening_fails_before_the_kernel_is_asked() {
        let (dir, sysfs) = tree(Some("xdma"));
        let err = VfioPci::open_in(&sysfs, "0000:00:1f.6").err().unwrap();
        assert!(
            matches!(err, OpenError::WrongId { device: 0x15bb, .. }),
            "{err}"
        );
        let err = VfioPci::open_in(&sysfs, "0000:01:00.0").err().unwrap();
        assert!(
            matches!(err, OpenError::NotBound { driver: Some(ref d), .. } if d == "xdma"),
            "{err}"
        );
        assert!(
            err.to_string().contains("msm card bind 0000:01:00.0"),
            "{err}"
        );

        let (dir2, sysfs) = tree(None);
        let err = VfioPci::open_in(&sysfs, "0000:01:00.0").err().unwrap();
        assert!(
            matches!(err, OpenError::NotBound { driver: None, .. }),
            "{err}"
        );
        drop((dir, dir2));

        let (dir, sysfs) = tree(Some("vfio-pci"));
        let dev = sysfs.device_path("0000:01:00.0");
        fs::remove_file(dev.join("iommu_group")).unwrap();
        let err = VfioPci::open_in(&sysfs, "0000:01:00.0").err().unwrap();
        assert!(matches!(err, OpenError::NoIommuGroup(_)), "{err}");
        drop(dir);
    }

    #[test]
    fn a_card_bound_where_vfio_is_absent_says_to_load_it() {
        // Bound in the (fake) tree, but this kernel has no /dev/vfio/vfio.
        if std::path::Path::new("/dev/vfio/vfio").exists() {
            return;
        }
        let (_dir, sysfs) = tree(Some("vfio-pci"));
        let err = VfioPci::open_in(&sysfs, "0000:01:00.0").err().unwrap();
        assert!(matches!(err, OpenError::VfioPciNotLoaded), "{err}");
    }
}
