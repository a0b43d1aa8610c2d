//! The card over VFIO: [`VfioPci`] (the kernel's vfio-pci: a real card, or one in a guest) and
//! [`VfioUser`] (a vfio-user server such as `card-server`, over a Unix socket). Both implement
//! [`Transport`](crate::Transport), so `Card` runs unchanged on either.

mod irq;
mod memory;
pub mod pci;
pub mod sysfs;
pub mod user;

pub use memory::{MappedBuffer, Unmap};
pub use pci::VfioPci;
pub use sysfs::{PciDevice, Sysfs};
pub use user::VfioUser;

/// Why a card could not be opened (or bound), with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("no PCI device {0} (list cards with `msm card list`)")]
    NoSuchDevice(String),
    #[error("{bdf} is not our card: vendor {vendor:#06x} device {device:#06x} (expected {:#06x}:{:#06x})",
        msm_spec::card::PCI_VENDOR_ID, msm_spec::card::PCI_DEVICE_ID)]
    WrongId {
        bdf: String,
        vendor: u16,
        device: u16,
    },
    #[error("{bdf} is bound to {}, not vfio-pci: run `msm card bind {bdf}`",
        driver.as_deref().unwrap_or("no driver"))]
    NotBound { bdf: String, driver: Option<String> },
    #[error("the vfio-pci driver is not loaded: run `modprobe vfio-pci`")]
    VfioPciNotLoaded,
    #[error("{0} has no IOMMU group: enable the IOMMU (intel_iommu=on or amd_iommu=on, and VT-d/AMD-Vi in firmware)")]
    NoIommuGroup(String),
    #[error("IOMMU group {0} is not viable: every device in /sys/kernel/iommu_groups/{0}/devices must be bound to vfio-pci (or to no driver)")]
    GroupNotViable(u32),
    #[error(
        "permission denied: {0} (run as root, or give your user the /dev/vfio/<group> device)"
    )]
    PermissionDenied(String),
    #[error("BAR0 is {found} bytes, the card's registers need {need}")]
    BarTooSmall { found: u64, need: u64 },
    #[error("cannot connect to the vfio-user server at {path}: {reason}")]
    Connect { path: String, reason: String },
    #[error("VFIO: {0}")]
    Vfio(String),
    #[error("{0}")]
    Io(String),
}
