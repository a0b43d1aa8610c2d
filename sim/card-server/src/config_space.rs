//! The card's PCI configuration space as the server presents it: a type-0 header with our
//! ids, one 32-bit memory BAR (BAR0, the registers) and an MSI capability. Each byte has a
//! write mask; the rest is read-only. A vfio-user client such as QEMU's vfio-user-pci sizes the
//! BAR and programs MSI through it.

use msm_spec::card::{BAR0_BYTES, PCI_CLASS, PCI_DEVICE_ID, PCI_VENDOR_ID};

pub const SIZE: usize = 256;
const MSI: usize = 0x40;

pub struct ConfigSpace {
    bytes: [u8; SIZE],
    writable: [u8; SIZE],
}

impl Default for ConfigSpace {
    fn default() -> Self {
        let mut c = ConfigSpace {
            bytes: [0; SIZE],
            writable: [0; SIZE],
        };
        c.set(0x00, &PCI_VENDOR_ID.to_le_bytes());
        c.set(0x02, &PCI_DEVICE_ID.to_le_bytes());
        // Command: memory space, bus master, INTx disable.
        c.writable(0x04, &0x0406u16.to_le_bytes());
        // Status: a capability list.
        c.set(0x06, &0x0010u16.to_le_bytes());
        c.set(0x08, &(PCI_CLASS << 8 | 1).to_le_bytes());
        // BAR0: 32-bit, non-prefetchable memory; the address bits above its size are writable.
        c.writable(0x10, &(!(BAR0_BYTES - 1)).to_le_bytes());
        c.set(0x2c, &PCI_VENDOR_ID.to_le_bytes());
        c.set(0x2e, &PCI_DEVICE_ID.to_le_bytes());
        c.set(0x34, &[MSI as u8]);
        c.writable(0x3c, &[0xff]);
        // MSI: 64-bit capable, one vector; enable and the message are writable.
        c.set(MSI, &[0x05, 0x00]);
        c.set(MSI + 2, &0x0080u16.to_le_bytes());
        c.writable(MSI + 2, &0x0001u16.to_le_bytes());
        c.writable(MSI + 4, &0xffff_fffcu32.to_le_bytes());
        c.writable(MSI + 8, &u32::MAX.to_le_bytes());
        c.writable(MSI + 12, &0xffffu16.to_le_bytes());
        c
    }
}

impl ConfigSpace {
    fn set(&mut self, at: usize, bytes: &[u8]) {
        self.bytes[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn writable(&mut self, at: usize, mask: &[u8]) {
        self.writable[at..at + mask.len()].copy_from_slice(mask);
    }

    /// Reads at any offset and length; past the end reads zero.
    pub fn read(&self, offset: u64, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.bytes.get(offset as usize + i).copied().unwrap_or(0);
        }
    }

    pub fn write(&mut self, offset: u64, data: &[u8]) {
        for (i, &v) in data.iter().enumerate() {
            let at = offset as usize + i;
            if at < SIZE {
                let m = self.writable[at];
                self.bytes[at] = (self.bytes[at] & !m) | (v & m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(c: &ConfigSpace, at: u64) -> u32 {
        let mut w = [0; 4];
        c.read(at, &mut w);
        u32::from_le_bytes(w)
    }

    #[test]
    fn ids_and_bar_sizing() {
        let mut c = ConfigSpace::default();
        assert_eq!(
            word(&c, 0),
            PCI_VENDOR_ID as u32 | (PCI_DEVICE_ID as u32) << 16
        );
        c.write(0x10, &u32::MAX.to_le_bytes());
        assert_eq!(
            !word(&c, 0x10) + 1,
            BAR0_BYTES,
            "the size a BAR probe reads back"
        );
        c.write(0x00, &[0; 4]);
        assert_eq!(
            word(&c, 0) & 0xffff,
            PCI_VENDOR_ID as u32,
            "ids are read-only"
        );
    }

    #[test]
    fn msi_capability_is_found_and_enabled() {
        let mut c = ConfigSpace::default();
        let cap = word(&c, 0x34) as u64 & 0xff;
        assert_eq!(word(&c, cap) & 0xff, 0x05);
        assert_eq!(word(&c, cap) >> 16, 0x0080, "64-bit, one vector, disabled");
        c.write(cap + 2, &[0xff, 0xff]);
        assert_eq!(word(&c, cap) >> 16, 0x0081, "only enable is writable");
    }
}
