//! What `VfioUser::connect` refuses, against vfio-user servers that are not our card (stand-ins
//! made with the vfio_user crate's server, to isolate the checks): wrong PCI ids, a BAR0 too
//! small for the registers.

use std::mem::size_of;
use std::path::Path;

use msm_driver::vfio::{OpenError, VfioUser};
use msm_spec::card::{BAR0_BYTES, PCI_DEVICE_ID, PCI_VENDOR_ID};
use vfio_bindings::bindings::vfio::{
    vfio_region_info, VFIO_PCI_BAR0_REGION_INDEX, VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_NUM_IRQS,
    VFIO_PCI_NUM_REGIONS, VFIO_REGION_INFO_FLAG_READ, VFIO_REGION_INFO_FLAG_WRITE,
};
use vfio_user::{DmaMapFlags, DmaUnmapFlags, IrqInfo, Server, ServerBackend, ServerRegion};

struct Impostor {
    ids: [u8; 4],
}

impl ServerBackend for Impostor {
    fn region_read(&mut self, region: u32, offset: u64, data: &mut [u8]) -> std::io::Result<()> {
        data.fill(0);
        if region == VFIO_PCI_CONFIG_REGION_INDEX && offset == 0 && data.len() == 4 {
            data.copy_from_slice(&self.ids);
        }
        Ok(())
    }
    fn region_write(&mut self, _: u32, _: u64, _: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
    fn dma_map(
        &mut self,
        _: DmaMapFlags,
        _: u64,
        _: u64,
        _: u64,
        _: Option<std::fs::File>,
    ) -> std::io::Result<()> {
        Ok(())
    }
    fn dma_unmap(&mut self, _: DmaUnmapFlags, _: u64, _: u64) -> std::io::Result<()> {
        Ok(())
    }
    fn reset(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn set_irqs(
        &mut self,
        _: u32,
        _: u32,
        _: u32,
        _: u32,
        _: Vec<std::fs::File>,
    ) -> std::io::Result<()> {
        Ok(())
    }
}

/// Serves one client with these ids and a BAR0 of `bar` bytes; returns what connecting says.
fn connect_to(dir: &Path, vendor: u16, device: u16, bar: u64) -> Result<(), OpenError> {
    let socket = dir.join(format!("{vendor:x}-{device:x}-{bar}.sock"));
    let regions = (0..VFIO_PCI_NUM_REGIONS)
        .map(|index| {
            let size = match index {
                VFIO_PCI_BAR0_REGION_INDEX => bar,
                VFIO_PCI_CONFIG_REGION_INDEX => 256,
                _ => 0,
            };
            ServerRegion {
                region_info: vfio_region_info {
                    argsz: size_of::<vfio_region_info>() as u32,
                    index,
                    size,
                    flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
                    ..Default::default()
                },
                sparse_areas: Vec::new(),
                mmap_fd: None,
            }
        })
        .collect();
    let irqs = (0..VFIO_PCI_NUM_IRQS)
        .map(|index| IrqInfo {
            index,
            count: 0,
            flags: 0,
        })
        .collect();
    let server = Server::new(&socket, false, irqs, regions).unwrap();
    let mut ids = [0; 4];
    ids[..2].copy_from_slice(&vendor.to_le_bytes());
    ids[2..].copy_from_slice(&device.to_le_bytes());
    let serving = std::thread::spawn(move || {
        let _ = server.run(&mut Impostor { ids });
    });
    // The client is dropped at once: its socket closes and the server's run ends.
    let outcome = VfioUser::connect(&socket).map(|_| ());
    serving.join().unwrap();
    outcome
}

#[test]
fn a_server_that_is_not_our_card_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = connect_to(dir.path(), 0x1234, 0x11e8, BAR0_BYTES as u64)
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            OpenError::WrongId {
                vendor: 0x1234,
                device: 0x11e8,
                ..
            }
        ),
        "{err}"
    );
    let err = connect_to(dir.path(), PCI_VENDOR_ID, 0x0001, BAR0_BYTES as u64)
        .err()
        .unwrap();
    assert!(matches!(err, OpenError::WrongId { device: 1, .. }), "{err}");
}

#[test]
fn a_bar0_too_small_for_the_registers_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = connect_to(dir.path(), PCI_VENDOR_ID, PCI_DEVICE_ID, 256)
        .err()
        .unwrap();
    assert!(
        matches!(err, OpenError::BarTooSmall { found: 256, need } if need == BAR0_BYTES as u64),
        "{err}"
    );
}
