//! PCI devices as sysfs shows them: finding our cards, and handing one to vfio-pci (or back)
//! with `driver_override` and `drivers_probe`. The root is a parameter so that tests run on a
//! tree of their own.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use msm_spec::card::{PCI_DEVICE_ID, PCI_VENDOR_ID};

use super::OpenError;

/// A PCI device under `<root>/bus/pci/devices`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PciDevice {
    /// Domain:bus:device.function, e.g. `0000:01:00.0`.
    pub bdf: String,
    pub vendor: u16,
    pub device: u16,
    /// The bound driver's name.
    pub driver: Option<String>,
    pub iommu_group: Option<u32>,
}

impl PciDevice {
    pub fn is_ours(&self) -> bool {
        (self.vendor, self.device) == (PCI_VENDOR_ID, PCI_DEVICE_ID)
    }
}

pub const VFIO_PCI: &str = "vfio-pci";

/// sysfs, at `root` (normally `/sys`).
#[derive(Clone, Debug)]
pub struct Sysfs {
    root: PathBuf,
}

impl Default for Sysfs {
    fn default() -> Self {
        Sysfs::new("/sys")
    }
}

fn link_name(path: &Path) -> Option<String> {
    let target = fs::read_link(path).ok()?;
    Some(target.file_name()?.to_string_lossy().into_owned())
}

fn read_id(path: &Path) -> io::Result<u16> {
    let text = fs::read_to_string(path)?;
    let hex = text.trim().trim_start_matches("0x");
    u16::from_str_radix(hex, 16).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

impl Sysfs {
    pub fn new(root: impl Into<PathBuf>) -> Sysfs {
        Sysfs { root: root.into() }
    }

    fn devices(&self) -> PathBuf {
        self.root.join("bus/pci/devices")
    }

    /// The device's folder (what vfio-ioctls opens the device by).
    pub fn device_path(&self, bdf: &str) -> PathBuf {
        self.devices().join(bdf)
    }

    /// One device, by address.
    pub fn device(&self, bdf: &str) -> Result<PciDevice, OpenError> {
        let path = self.device_path(bdf);
        if bdf.contains('/') || !path.exists() {
            return Err(OpenError::NoSuchDevice(bdf.to_string()));
        }
        let io = |e| OpenError::Io(format!("reading {}: {e}", path.display()));
        Ok(PciDevice {
            bdf: bdf.to_string(),
            vendor: read_id(&path.join("vendor")).map_err(io)?,
            device: read_id(&path.join("device")).map_err(io)?,
            driver: link_name(&path.join("driver")),
            iommu_group: link_name(&path.join("iommu_group")).and_then(|g| g.parse().ok()),
        })
    }

    /// Every PCI device, in address order.
    pub fn list(&self) -> Result<Vec<PciDevice>, OpenError> {
        let dir = self.devices();
        let entries = fs::read_dir(&dir)
            .map_err(|e| OpenError::Io(format!("listing {}: {e}", dir.display())))?;
        let mut bdfs: Vec<String> = entries
            .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
            .collect();
        bdfs.sort();
        bdfs.iter().map(|b| self.device(b)).collect()
    }

    /// Our cards.
    pub fn cards(&self) -> Result<Vec<PciDevice>, OpenError> {
        Ok(self
            .list()?
            .into_iter()
            .filter(PciDevice::is_ours)
            .collect())
    }

    fn write(&self, path: &Path, value: &str) -> Result<(), OpenError> {
        fs::write(path, value).map_err(|e| match e.kind() {
            io::ErrorKind::PermissionDenied => OpenError::PermissionDenied(format!(
                "writing {}: binding needs root",
                path.display()
            )),
            _ => OpenError::Io(format!("writing {value:?} to {}: {e}", path.display())),
        })
    }

    /// Hands the card to vfio-pci: `driver_override`, unbind from its driver, probe.
    pub fn bind(&self, bdf: &str) -> Result<PciDevice, OpenError> {
        let dev = self.card(bdf)?;
        if dev.driver.as_deref() == Some(VFIO_PCI) {
            return Ok(dev);
        }
        if !self.root.join("bus/pci/drivers").join(VFIO_PCI).exists() {
            return Err(OpenError::VfioPciNotLoaded);
        }
        let path = self.device_path(bdf);
        self.write(&path.join("driver_override"), VFIO_PCI)?;
        if dev.driver.is_some() {
            self.write(&path.join("driver/unbind"), bdf)?;
        }
        self.write(&self.root.join("bus/pci/drivers_probe"), bdf)?;
        let dev = self.device(bdf)?;
        match dev.driver.as_deref() {
            Some(VFIO_PCI) => Ok(dev),
            other => Err(OpenError::NotBound {
                bdf: bdf.to_string(),
                driver: other.map(str::to_string),
            }),
        }
    }

    /// Gives the card back: clears `driver_override`, unbinds from vfio-pci, probes (the
    /// kernel picks whatever driver claims it, usually none).
    pub fn unbind(&self, bdf: &str) -> Result<PciDevice, OpenError> {
        let dev = self.card(bdf)?;
        let path = self.device_path(bdf);
        self.write(&path.join("driver_override"), "\n")?;
        if dev.driver.is_some() {
            self.write(&path.join("driver/unbind"), bdf)?;
        }
        self.write(&self.root.join("bus/pci/drivers_probe"), bdf)?;
        self.device(bdf)
    }

    /// The device at `bdf`, if it is one of our cards.
    pub fn card(&self, bdf: &str) -> Result<PciDevice, OpenError> {
        let dev = self.device(bdf)?;
        if !dev.is_ours() {
            return Err(OpenError::WrongId {
                bdf: bdf.to_string(),
                vendor: dev.vendor,
                device: dev.device,
            });
        }
        Ok(dev)
    }
}

/// A sysfs tree of our own, for tests.
#[cfg(test)]
pub(crate) mod fake {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A sysfs tree with one of our cards bound to `driver` and a NIC.
    pub(crate) fn tree(driver: Option<&str>) -> (tempfile::TempDir, Sysfs) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let devices = root.join("bus/pci/devices");
        let add = |bdf: &str, vendor: &str, device: &str, driver: Option<&str>| {
            let d = devices.join(bdf);
            fs::create_dir_all(&d).unwrap();
            fs::write(d.join("vendor"), format!("{vendor}\n")).unwrap();
            fs::write(d.join("device"), format!("{device}\n")).unwrap();
            fs::write(d.join("driver_override"), "(null)\n").unwrap();
            fs::create_dir_all(root.join("kernel/iommu_groups/7")).unwrap();
            symlink(root.join("kernel/iommu_groups/7"), d.join("iommu_group")).unwrap();
            if let Some(drv) = driver {
                let dd = root.join("bus/pci/drivers").join(drv);
                fs::create_dir_all(&dd).unwrap();
                symlink(&dd, d.join("driver")).unwrap();
            }
        };
        add("0000:01:00.0", "0x10ee", "0x7e54", driver);
        add("0000:00:1f.6", "0x8086", "0x15bb", Some("e1000e"));
        (dir, Sysfs::new(&root))
    }
}

#[cfg(test)]
mod tests {
    use super::fake::tree;
    use super::*;

    #[test]
    fn lists_our_cards_with_their_driver_and_group() {
        let (_dir, sysfs) = tree(Some("xdma"));
        let cards = sysfs.cards().unwrap();
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].bdf, "0000:01:00.0");
        assert_eq!(cards[0].driver.as_deref(), Some("xdma"));
        assert_eq!(cards[0].iommu_group, Some(7));
        assert_eq!(sysfs.list().unwrap().len(), 2);
    }

    #[test]
    fn refuses_what_is_not_a_card_or_not_there() {
        let (_dir, sysfs) = tree(None);
        assert!(matches!(
            sysfs.bind("0000:00:1f.6"),
            Err(OpenError::WrongId { vendor: 0x8086, .. })
        ));
        assert!(matches!(
            sysfs.bind("0000:09:00.0"),
            Err(OpenError::NoSuchDevice(_))
        ));
        assert!(matches!(
            sysfs.device("../../etc"),
            Err(OpenError::NoSuchDevice(_))
        ));
    }

    #[test]
    fn bind_says_when_vfio_pci_is_not_loaded() {
        let (_dir, sysfs) = tree(None);
        assert!(matches!(
            sysfs.bind("0000:01:00.0"),
            Err(OpenError::VfioPciNotLoaded)
        ));
    }

    #[test]
    fn bind_writes_override_and_probe_then_checks_the_result() {
        // A plain folder does not bind anything: the writes land, the check fails.
        let (dir, sysfs) = tree(Some("xdma"));
        fs::create_dir_all(dir.path().join("bus/pci/drivers/vfio-pci")).unwrap();
        fs::create_dir_all(dir.path().join("bus/pci/drivers/xdma")).unwrap();
        let err = sysfs.bind("0000:01:00.0").unwrap_err();
        assert!(matches!(err, OpenError::NotBound { .. }), "{err}");
        let dev = sysfs.device_path("0000:01:00.0");
        assert_eq!(
            fs::read_to_string(dev.join("driver_override")).unwrap(),
            VFIO_PCI
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("bus/pci/drivers/xdma/unbind")).unwrap(),
            "0000:01:00.0"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("bus/pci/drivers_probe")).unwrap(),
            "0000:01:00.0"
        );
    }
}
