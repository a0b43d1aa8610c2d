//! The simulated card: the Verilated `msm_card` (the real generated RTL) with a harness that
//! serves its two memory ports, clocked one cycle at a time.
//!
//! - Host memory (the DMA port) is the buffers the driver maps, by IOVA, as an IOMMU would
//!   see them: a beat outside every mapped buffer gets an error response (SLVERR). Reads
//!   arrive `host_latency` clocks after their request, and both directions are paced to
//!   `host_bytes_per_cycle` (default: PCIe Gen3 x16, 12 GB/s, at the card's clock), so that
//!   transfer time shows in the card's own cycle counter.
//! - Card memory is a RAM of `bases_capacity` bases, answering after `memory_latency` clocks.
//! - Faults for tests: an error response on the nth beat of a port, or a port that stops
//!   answering for a while.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use msm_spec::card::{Reg, BEAT_BYTES};

use msm_spec::config::Config;
use msm_spec::reduction::CardShape;

use crate::ffi::{msm_card, Model, Unit};

/// One beat of data.
type Beat = [u8; BEAT_BYTES];

/// AXI response codes.
const OKAY: u32 = 0;
const SLVERR: u32 = 2;

/// How the harness serves the card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Host memory bytes per card clock in each direction; `None`: a beat every clock.
    pub host_bytes_per_cycle: Option<f64>,
    /// Clocks from a DMA read request to its first beat, and from a write's last beat to its
    /// response.
    pub host_latency: u64,
    /// Clocks from a card-memory request to its first beat.
    pub memory_latency: u64,
    /// Clocks a BAR0 read takes the host (a non-posted PCIe read's round trip; writes are
    /// posted and take one).
    pub bar_read_cycles: u64,
}

/// PCIe Gen3 x16: about 12 GB/s of payload each way.
pub const PCIE_GEN3_X16_BYTES_PER_S: f64 = 12e9;

impl Timing {
    /// PCIe Gen3 x16 at `clock_mhz`, a 1 us read round trip, HBM-like card memory.
    pub fn pcie(clock_mhz: u32) -> Timing {
        let clock = f64::from(clock_mhz) * 1e6;
        Timing {
            host_bytes_per_cycle: Some(PCIE_GEN3_X16_BYTES_PER_S / clock),
            host_latency: clock as u64 / 1_000_000,
            memory_latency: 32,
            // About 0.5 us.
            bar_read_cycles: clock as u64 / 2_000_000,
        }
    }

    /// No modelled transfer time: a beat every clock on both ports, one clock of latency.
    pub fn ideal() -> Timing {
        Timing {
            host_bytes_per_cycle: None,
            host_latency: 1,
            memory_latency: 1,
            bar_read_cycles: 2,
        }
    }
}

impl Default for Timing {
    fn default() -> Self {
        Timing::pcie(msm_spec::config::SIM.clock_mhz)
    }
}

/// Which port a fault hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    HostRead,
    HostWrite,
    MemoryRead,
    MemoryWrite,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// An error response on the beat.
    Error,
    /// The port stops answering for this many clocks from the beat on.
    Stall(u64),
}

/// A fault on beat `after` (0: the next) of `channel`, counted from when it is injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub channel: Channel,
    pub after: u64,
    pub kind: FaultKind,
}

/// Bytes the card reads and writes through one port.
trait Memory {
    /// The beat at `address`, or `None` where nothing is mapped.
    fn read(&self, address: u64) -> Option<Beat>;
    /// Stores the beat; false where nothing is mapped.
    fn write(&mut self, address: u64, beat: &Beat) -> bool;
}

/// Host memory the card can reach: a buffer of the driver's, or (in the card-server) memory a
/// vfio-user client shared. Unmapped when the harness's last `Rc` to it goes.
pub trait DmaRegion {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn read(&self, offset: usize, out: &mut [u8]);
    fn write(&self, offset: usize, bytes: &[u8]);
}

/// A DMA buffer in this process.
pub type HostBuffer = Rc<RefCell<Vec<u8>>>;

impl DmaRegion for RefCell<Vec<u8>> {
    fn len(&self) -> usize {
        self.borrow().len()
    }

    fn read(&self, offset: usize, out: &mut [u8]) {
        out.copy_from_slice(&self.borrow()[offset..offset + out.len()]);
    }

    fn write(&self, offset: usize, bytes: &[u8]) {
        self.borrow_mut()[offset..offset + bytes.len()].copy_from_slice(bytes);
    }
}

/// Host memory: the mapped regions, by IOVA.
#[derive(Default)]
struct HostMemory {
    regions: Vec<(u64, Weak<dyn DmaRegion>)>,
}

impl HostMemory {
    fn find(&self, address: u64) -> Option<(Rc<dyn DmaRegion>, usize)> {
        self.regions.iter().find_map(|(iova, region)| {
            let region = region.upgrade()?;
            let offset = address.checked_sub(*iova)? as usize;
            (offset + BEAT_BYTES <= region.len()).then_some((region, offset))
        })
    }
}

impl Memory for HostMemory {
    fn read(&self, address: u64) -> Option<Beat> {
        let (region, offset) = self.find(address)?;
        let mut beat = [0; BEAT_BYTES];
        region.read(offset, &mut beat);
        Some(beat)
    }

    fn write(&mut self, address: u64, beat: &Beat) -> bool {
        match self.find(address) {
            Some((region, offset)) => {
                region.write(offset, beat);
                true
            }
            None => false,
        }
    }
}

/// Card memory: a RAM of `capacity` bytes, allocated as it is written.
struct CardMemory {
    bytes: Vec<u8>,
    capacity: u64,
}

impl Memory for CardMemory {
    fn read(&self, address: u64) -> Option<Beat> {
        if address + BEAT_BYTES as u64 > self.capacity {
            return None;
        }
        let a = address as usize;
        let mut beat = [0; BEAT_BYTES];
        if a < self.bytes.len() {
            let n = (self.bytes.len() - a).min(BEAT_BYTES);
            beat[..n].copy_from_slice(&self.bytes[a..a + n]);
        }
        Some(beat)
    }

    fn write(&mut self, address: u64, beat: &Beat) -> bool {
        if address + BEAT_BYTES as u64 > self.capacity {
            return false;
        }
        let end = address as usize + BEAT_BYTES;
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        self.bytes[address as usize..end].copy_from_slice(beat);
        true
    }
}

/// A burst in flight.
struct Burst {
    address: u64,
    beats: u64,
    done: u64,
    /// The clock its first beat may go (reads) or its response is due (writes).
    due: u64,
    ok: bool,
}

/// What the harness drives on one AXI port this clock.
#[derive(Clone, Copy, Debug)]
struct SlaveOut {
    ar_ready: bool,
    r_valid: bool,
    r_data: Beat,
    r_resp: u32,
    r_last: bool,
    aw_ready: bool,
    w_ready: bool,
    b_valid: bool,
    b_resp: u32,
}

/// What the card drives on one port.
#[derive(Clone, Copy, Debug)]
struct MasterOut {
    ar_valid: bool,
    ar_addr: u64,
    ar_len: u32,
    r_ready: bool,
    aw_valid: bool,
    aw_addr: u64,
    aw_len: u32,
    w_valid: bool,
    w_data: Beat,
    w_last: bool,
    b_ready: bool,
}

/// One AXI4 slave: request queues, pacing, latency and faults.
struct Slave {
    latency: u64,
    bytes_per_cycle: Option<f64>,
    read_credit: f64,
    write_credit: f64,
    reads: VecDeque<Burst>,
    writes: VecDeque<Burst>,
    responses: VecDeque<Burst>,
    read_faults: Vec<(u64, FaultKind)>,
    write_faults: Vec<(u64, FaultKind)>,
    read_beats: u64,
    write_beats: u64,
    read_stall_until: u64,
    write_stall_until: u64,
    /// Beats of the last burst checked against its AXI length.
    protocol_errors: Vec<String>,
}

impl Slave {
    fn new(latency: u64, bytes_per_cycle: Option<f64>) -> Slave {
        Slave {
            latency,
            bytes_per_cycle,
            read_credit: 0.0,
            write_credit: 0.0,
            reads: VecDeque::new(),
            writes: VecDeque::new(),
            responses: VecDeque::new(),
            read_faults: Vec::new(),
            write_faults: Vec::new(),
            read_beats: 0,
            write_beats: 0,
            read_stall_until: 0,
            write_stall_until: 0,
            protocol_errors: Vec::new(),
        }
    }

    /// Credit for a beat: paced ports earn `bytes_per_cycle` a clock, holding at most two
    /// beats' worth.
    fn earn(&mut self) {
        if let Some(b) = self.bytes_per_cycle {
            let cap = 2.0 * BEAT_BYTES as f64;
            self.read_credit = (self.read_credit + b).min(cap);
            self.write_credit = (self.write_credit + b).min(cap);
        }
    }

    fn paced(&self, credit: f64) -> bool {
        self.bytes_per_cycle.is_none() || credit >= BEAT_BYTES as f64
    }

    fn drive(&mut self, now: u64, memory: &dyn Memory) -> SlaveOut {
        self.earn();
        let mut out = SlaveOut {
            ar_ready: true,
            r_valid: false,
            r_data: [0; BEAT_BYTES],
            r_resp: OKAY,
            r_last: false,
            aw_ready: true,
            w_ready: false,
            b_valid: false,
            b_resp: OKAY,
        };
        if let Some(n) = take_stall(&mut self.read_faults, self.read_beats) {
            self.read_stall_until = now + n;
        }
        if let Some(n) = take_stall(&mut self.write_faults, self.write_beats) {
            self.write_stall_until = now + n;
        }
        if now >= self.read_stall_until && self.paced(self.read_credit) {
            if let Some(r) = self.reads.front().filter(|r| now >= r.due) {
                let address = r.address + r.done * BEAT_BYTES as u64;
                let fault = self
                    .read_faults
                    .contains(&(self.read_beats, FaultKind::Error));
                match memory.read(address) {
                    Some(beat) if !fault => {
                        out.r_data = beat;
                        out.r_resp = OKAY;
                    }
                    _ => out.r_resp = SLVERR,
                }
                out.r_valid = true;
                out.r_last = r.done + 1 == r.beats;
            }
        }
        out.w_ready = now >= self.write_stall_until
            && !self.writes.is_empty()
            && self.paced(self.write_credit);
        if let Some(b) = self.responses.front().filter(|b| now >= b.due) {
            out.b_valid = true;
            out.b_resp = if b.ok { OKAY } else { SLVERR };
        }
        out
    }

    /// Applies this clock's handshakes.
    fn observe(&mut self, now: u64, s: &SlaveOut, m: &MasterOut, memory: &mut dyn Memory) {
        if m.ar_valid && s.ar_ready {
            self.reads.push_back(Burst {
                address: m.ar_addr,
                beats: u64::from(m.ar_len) + 1,
                done: 0,
                due: now + self.latency,
                ok: true,
            });
        }
        if s.r_valid && m.r_ready {
            let r = self.reads.front_mut().unwrap();
            r.done += 1;
            if r.done == r.beats {
                self.reads.pop_front();
            }
            self.read_beats += 1;
            self.read_credit -= BEAT_BYTES as f64;
        }
        if m.aw_valid && s.aw_ready {
            self.writes.push_back(Burst {
                address: m.aw_addr,
                beats: u64::from(m.aw_len) + 1,
                done: 0,
                due: 0,
                ok: true,
            });
        }
        if m.w_valid && s.w_ready {
            let w = self.writes.front_mut().unwrap();
            let address = w.address + w.done * BEAT_BYTES as u64;
            if self
                .write_faults
                .contains(&(self.write_beats, FaultKind::Error))
            {
                w.ok = false;
            } else {
                w.ok &= memory.write(address, &m.w_data);
            }
            w.done += 1;
            if (w.done == w.beats) != m.w_last {
                self.protocol_errors.push(format!(
                    "w_last on beat {} of a {}-beat burst",
                    w.done, w.beats
                ));
            }
            if w.done == w.beats {
                let mut w = self.writes.pop_front().unwrap();
                w.due = now + self.latency;
                self.responses.push_back(w);
            }
            self.write_beats += 1;
            self.write_credit -= BEAT_BYTES as f64;
        }
        if s.b_valid && m.b_ready {
            self.responses.pop_front();
        }
    }

    fn inject(&mut self, fault: Fault, read: bool) {
        if read {
            self.read_faults
                .push((self.read_beats + fault.after, fault.kind));
        } else {
            self.write_faults
                .push((self.write_beats + fault.after, fault.kind));
        }
    }
}

/// Removes a stall armed for beat `beat` and returns its length.
fn take_stall(faults: &mut Vec<(u64, FaultKind)>, beat: u64) -> Option<u64> {
    let i = faults
        .iter()
        .position(|f| f.0 == beat && matches!(f.1, FaultKind::Stall(_)))?;
    match faults.remove(i).1 {
        FaultKind::Stall(n) => Some(n),
        FaultKind::Error => unreachable!(),
    }
}

/// A BAR0 access for one clock.
#[derive(Clone, Copy, Debug)]
enum Bar {
    None,
    Read(Reg),
    Write(Reg, u32),
}

/// A Verilated build of the whole card.
pub struct CardModel {
    pub(crate) unit: &'static Unit<msm_card::Inputs, msm_card::Outputs>,
    /// The configuration it was generated from.
    pub config: Config,
    /// Behavioural field units (`msm_hw::verilog::fast_card`) instead of the structural ones.
    pub fast: bool,
    /// Lanes and lane latency.
    pub shape: CardShape,
}

/// The test configuration's card, structural: what `make test` checks.
pub static SIM_CARD: CardModel = CardModel {
    unit: &msm_card::UNIT,
    config: msm_spec::config::SIM,
    fast: false,
    shape: crate::SHAPE,
};

impl CardModel {
    /// Every build this crate has.
    fn all() -> impl Iterator<Item = &'static CardModel> {
        std::iter::once(&SIM_CARD).chain(crate::ffi::FAST_CARDS.iter())
    }

    /// The build of configuration `config`, structural or `fast`, if this crate has it.
    pub fn find(config: &str, fast: bool) -> Option<&'static CardModel> {
        CardModel::all().find(|c| c.config.name == config && c.fast == fast)
    }

    /// Every build this crate has, as `config` or `config (fast)`.
    pub fn names() -> Vec<String> {
        CardModel::all()
            .map(|c| {
                let fast = if c.fast { " (fast)" } else { "" };
                format!("{}{fast}", c.config.name)
            })
            .collect()
    }
}

/// The simulated card.
pub struct SimCard {
    model: Model<msm_card::Inputs, msm_card::Outputs>,
    host: HostMemory,
    memory: CardMemory,
    dma: Slave,
    mem: Slave,
    irqs: u64,
    next_iova: u64,
    bar_read_cycles: u64,
}

/// IOVAs start here, and each buffer is followed by an unmapped page, as an IOMMU lays out
/// mappings with guard gaps.
const FIRST_IOVA: u64 = 0x1_0000_0000;
const PAGE: u64 = 4096;

impl SimCard {
    /// The test configuration's card ([`SIM_CARD`]).
    pub fn new(timing: Timing) -> SimCard {
        SimCard::of(&SIM_CARD, timing)
    }

    pub fn of(build: &'static CardModel, timing: Timing) -> SimCard {
        let capacity = (1u64 << build.config.bases_log2) * BEAT_BYTES as u64;
        SimCard {
            model: Model::new(build.unit),
            host: HostMemory::default(),
            memory: CardMemory {
                bytes: Vec::new(),
                capacity,
            },
            dma: Slave::new(timing.host_latency, timing.host_bytes_per_cycle),
            mem: Slave::new(timing.memory_latency, None),
            irqs: 0,
            next_iova: FIRST_IOVA,
            bar_read_cycles: timing.bar_read_cycles.max(2),
        }
    }

    /// Maps `buffer` for DMA at a fresh IOVA; it is unmapped when the last `Rc` goes.
    pub fn map(&mut self, buffer: &HostBuffer) -> u64 {
        let iova = self.next_iova;
        let len = buffer.borrow().len() as u64;
        self.next_iova += len.next_multiple_of(PAGE) + PAGE;
        let region: Rc<dyn DmaRegion> = buffer.clone();
        self.map_at(iova, &region);
        iova
    }

    /// Maps `region` at an IOVA the caller chose (a vfio-user client's DMA map). It is
    /// unmapped when the last `Rc` goes.
    pub fn map_at(&mut self, iova: u64, region: &Rc<dyn DmaRegion>) {
        self.host.regions.retain(|(_, r)| r.strong_count() > 0);
        self.host.regions.push((iova, Rc::downgrade(region)));
    }

    pub fn inject(&mut self, fault: Fault) {
        match fault.channel {
            Channel::HostRead => self.dma.inject(fault, true),
            Channel::HostWrite => self.dma.inject(fault, false),
            Channel::MemoryRead => self.mem.inject(fault, true),
            Channel::MemoryWrite => self.mem.inject(fault, false),
        }
    }

    /// Writes a BAR0 register (one clock).
    pub fn write(&mut self, reg: Reg, value: u32) {
        self.clock(Bar::Write(reg, value));
    }

    /// Reads a BAR0 register: the address, the word the next clock, and the rest of the
    /// round trip (`Timing::bar_read_cycles`).
    pub fn read(&mut self, reg: Reg) -> u32 {
        self.clock(Bar::Read(reg));
        let word = self.clock(Bar::None).reg_read_data;
        self.run(self.bar_read_cycles - 2);
        word
    }

    /// Runs until an interrupt (true) or for `cycles` clocks (false).
    pub fn wait_irq(&mut self, cycles: u64) -> bool {
        for _ in 0..cycles {
            if self.take_irq() {
                return true;
            }
            self.clock(Bar::None);
        }
        self.take_irq()
    }

    fn take_irq(&mut self) -> bool {
        let seen = self.irqs > 0;
        self.irqs = 0;
        seen
    }

    /// Runs `cycles` clocks.
    pub fn run(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.clock(Bar::None);
        }
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }

    /// AXI protocol violations the harness saw (w_last misplaced), for tests.
    pub fn protocol_errors(&self) -> Vec<String> {
        let mut e = self.dma.protocol_errors.clone();
        e.extend(self.mem.protocol_errors.iter().cloned());
        e
    }

    fn clock(&mut self, bar: Bar) -> msm_card::Outputs {
        let now = self.model.cycles();
        let d = self.dma.drive(now, &self.host);
        let m = self.mem.drive(now, &self.memory);
        let (reg_read, reg_write, reg, data) = match bar {
            Bar::None => (0, 0, 0, 0),
            Bar::Read(r) => (1, 0, r.offset(), 0),
            Bar::Write(r, v) => (0, 1, r.offset(), v),
        };
        let out = self.model.step(&msm_card::Inputs {
            reg_read,
            reg_write,
            reg_address: reg,
            reg_write_data: data,
            dma_ar_ready: d.ar_ready.into(),
            dma_r_valid: d.r_valid.into(),
            dma_r_data: words(&d.r_data),
            dma_r_resp: d.r_resp,
            dma_r_last: d.r_last.into(),
            dma_aw_ready: d.aw_ready.into(),
            dma_w_ready: d.w_ready.into(),
            dma_b_valid: d.b_valid.into(),
            dma_b_resp: d.b_resp,
            mem_ar_ready: m.ar_ready.into(),
            mem_r_valid: m.r_valid.into(),
            mem_r_data: words(&m.r_data),
            mem_r_resp: m.r_resp,
            mem_r_last: m.r_last.into(),
            mem_aw_ready: m.aw_ready.into(),
            mem_w_ready: m.w_ready.into(),
            mem_b_valid: m.b_valid.into(),
            mem_b_resp: m.b_resp,
        });
        let dma = MasterOut {
            ar_valid: out.dma_ar_valid != 0,
            ar_addr: out.dma_ar_addr,
            ar_len: out.dma_ar_len,
            r_ready: out.dma_r_ready != 0,
            aw_valid: out.dma_aw_valid != 0,
            aw_addr: out.dma_aw_addr,
            aw_len: out.dma_aw_len,
            w_valid: out.dma_w_valid != 0,
            w_data: bytes(&out.dma_w_data),
            w_last: out.dma_w_last != 0,
            b_ready: out.dma_b_ready != 0,
        };
        let mem = MasterOut {
            ar_valid: out.mem_ar_valid != 0,
            ar_addr: out.mem_ar_addr,
            ar_len: out.mem_ar_len,
            r_ready: out.mem_r_ready != 0,
            aw_valid: out.mem_aw_valid != 0,
            aw_addr: out.mem_aw_addr,
            aw_len: out.mem_aw_len,
            w_valid: out.mem_w_valid != 0,
            w_data: bytes(&out.mem_w_data),
            w_last: out.mem_w_last != 0,
            b_ready: out.mem_b_ready != 0,
        };
        self.dma.observe(now, &d, &dma, &mut self.host);
        self.mem.observe(now, &m, &mem, &mut self.memory);
        if out.irq != 0 {
            self.irqs += 1;
        }
        out
    }
}

fn words(b: &Beat) -> [u32; BEAT_BYTES / 4] {
    std::array::from_fn(|i| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap()))
}

fn bytes(w: &[u32; BEAT_BYTES / 4]) -> Beat {
    let mut b = [0; BEAT_BYTES];
    for (i, x) in w.iter().enumerate() {
        b[4 * i..4 * i + 4].copy_from_slice(&x.to_le_bytes());
    }
    b
}
