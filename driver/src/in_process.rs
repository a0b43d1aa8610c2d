//! The simulated card linked into the process: the Verilated `msm_card` and its harness
//! (`msm_verilator::SimCard`). The card runs only while the driver talks to it, so waiting
//! for the interrupt is running its clock.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use msm_spec::card::Reg;
use msm_verilator::{CardModel, DmaRegion, Fault, HostBuffer, SimCard, Timing};

use crate::transport::{DmaBuffer, Transport, TransportError};

pub struct InProcess {
    card: SimCard,
}

impl InProcess {
    /// The test configuration's card.
    pub fn new(timing: Timing) -> InProcess {
        InProcess {
            card: SimCard::new(timing),
        }
    }

    /// The card of another Verilated build (`CardModel::find`).
    pub fn of(build: &'static CardModel, timing: Timing) -> InProcess {
        InProcess {
            card: SimCard::of(build, timing),
        }
    }

    /// Arms a fault in the harness (tests).
    pub fn inject(&mut self, fault: Fault) {
        self.card.inject(fault);
    }

    /// The simulated card itself: its clock and the harness's protocol checks.
    pub fn card(&self) -> &SimCard {
        &self.card
    }
}

impl Default for InProcess {
    fn default() -> Self {
        InProcess::new(Timing::default())
    }
}

/// A buffer in the harness's host memory.
pub struct SimBuffer {
    data: HostBuffer,
    iova: u64,
}

impl DmaBuffer for SimBuffer {
    fn iova(&self) -> u64 {
        self.iova
    }

    fn len(&self) -> usize {
        self.data.len()
    }

    fn write_at(&mut self, offset: usize, bytes: &[u8]) {
        self.data.write(offset, bytes);
    }

    fn read_at(&self, offset: usize, out: &mut [u8]) {
        self.data.read(offset, out);
    }
}

/// Clocks run between checks of the wall clock while waiting.
const CHUNK: u64 = 256;

impl Transport for InProcess {
    type Buffer = SimBuffer;

    fn read(&mut self, reg: Reg) -> Result<u32, TransportError> {
        Ok(self.card.read(reg))
    }

    fn write(&mut self, reg: Reg, value: u32) -> Result<(), TransportError> {
        self.card.write(reg, value);
        Ok(())
    }

    fn alloc(&mut self, len: usize) -> Result<SimBuffer, TransportError> {
        let data = Rc::new(RefCell::new(vec![0; len]));
        let iova = self.card.map(&data);
        Ok(SimBuffer { data, iova })
    }

    fn wait_irq(&mut self, timeout: Duration) -> Result<bool, TransportError> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.card.wait_irq(CHUNK) {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
        }
    }
}
