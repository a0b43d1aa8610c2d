//! The driver: one [`Card`] over a [`Transport`].
//!
//! Commands are queued as the register map describes (`msm_spec::card`): stage the `cmd_*`
//! registers, ring the doorbell, and the card runs them in order. [`Card::submit`] returns a
//! [`Ticket`] at once, so a caller can queue a second MSM while the first runs; [`Card::wait`]
//! waits for one (interrupt, then the `ended` register). A failed command reports its error
//! code; the commands queued behind it were dropped by the card and report [`DriverError::Dropped`].

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use msm_spec::card::{
    self as spec, status_error_code, status_queued, CardError, Descriptor, Op, Reg,
};
use msm_spec::reduction::CardShape;

use crate::error::DriverError;
use crate::transport::{DmaBuffer, Transport};

/// What the card says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardInfo {
    pub version: u32,
    pub lanes: usize,
    pub c_max: u32,
    pub lane_latency: usize,
    /// Clocks between a lane's additions (1 unless the lane is folded).
    pub lane_interval: usize,
    pub bases_capacity: u32,
    pub clock_mhz: u32,
    pub features: u32,
    pub queue_depth: u32,
}

impl CardInfo {
    /// What the card's reduction plan depends on.
    pub fn shape(&self) -> CardShape {
        CardShape {
            lanes: self.lanes,
            latency: self.lane_latency,
            interval: self.lane_interval,
        }
    }
}

/// A queued command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "wait for the command"]
pub struct Ticket {
    pub seq: u32,
}

/// The card's counters (`last_*`: the last MSM; `total_*`: every command since power-up).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub cycles: u64,
    pub adds: u64,
    pub conflicts: u64,
    pub sweep_cycles: u64,
    pub dma_bytes: u64,
}

/// Totals since power-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub cycles: u64,
    pub adds: u64,
    pub conflicts: u64,
    pub dma_bytes: u64,
}

/// A failed or dropped command, as the driver learnt of it.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    Failed(u32),
    Dropped { failed: u32 },
}

pub struct Card<T: Transport> {
    transport: T,
    info: CardInfo,
    /// Sequence number of the next doorbell.
    next_seq: u32,
    /// Commands known to have failed or been dropped, by sequence number.
    outcomes: BTreeMap<u32, Outcome>,
    /// The last failure recorded (its sequence number), so that it is recorded once.
    last_failure: Option<u32>,
    timeout: Duration,
}

/// How long a soft reset may take to drain what was in flight.
const RESET_TIMEOUT: Duration = Duration::from_secs(30);

/// True if sequence number `a` comes before `b` (they wrap at 2^32).
fn before(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) > 0
}

impl<T: Transport> Card<T> {
    /// Opens the card behind `transport`: checks its id, version and capabilities, resets it
    /// (the loaded bases survive) and enables its interrupt.
    pub fn open(mut transport: T) -> Result<Self, DriverError> {
        let id = transport.read(Reg::Id)?;
        if id != spec::CARD_ID {
            return Err(DriverError::NotOurCard {
                id,
                expected: spec::CARD_ID,
            });
        }
        let version = transport.read(Reg::Version)?;
        if version >> 16 != spec::VERSION >> 16 {
            return Err(DriverError::IncompatibleVersion {
                found: version,
                major: spec::VERSION >> 16,
            });
        }
        let mut read = |r| transport.read(r);
        let info = CardInfo {
            version,
            lanes: read(Reg::Lanes)? as usize,
            c_max: read(Reg::CMax)?,
            lane_latency: read(Reg::LaneLatency)? as usize,
            lane_interval: read(Reg::LaneInterval)? as usize,
            bases_capacity: read(Reg::BasesCapacity)?,
            clock_mhz: read(Reg::ClockMhz)?,
            features: read(Reg::Features)?,
            queue_depth: read(Reg::QueueDepth)?,
        };
        if info.features & spec::FEATURE_CHAIN_SUMS == 0 {
            return Err(DriverError::Incompatible(
                "the card does not return chain sums".into(),
            ));
        }
        if info.lanes == 0 || info.queue_depth == 0 || info.c_max < 2 {
            return Err(DriverError::Incompatible(format!(
                "capabilities make no sense: {info:?}"
            )));
        }
        let mut card = Card {
            transport,
            info,
            next_seq: 0,
            outcomes: BTreeMap::new(),
            last_failure: None,
            timeout: Duration::from_secs(3600),
        };
        card.reset()?;
        Ok(card)
    }

    pub fn info(&self) -> &CardInfo {
        &self.info
    }

    /// How long [`Card::wait`] waits before it gives up with [`DriverError::Timeout`].
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The transport (tests inject faults through it).
    pub fn transport(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Soft reset: aborts what runs (once its transfers drain), empties the queue. The loaded
    /// bases stay.
    pub fn reset(&mut self) -> Result<(), DriverError> {
        self.transport
            .write(Reg::Control, spec::CONTROL_RESET | spec::CONTROL_IRQ_ENABLE)?;
        let deadline = Instant::now() + RESET_TIMEOUT;
        while self.transport.read(Reg::Status)? & spec::STATUS_BUSY != 0 {
            if Instant::now() >= deadline {
                return Err(DriverError::Timeout(RESET_TIMEOUT));
            }
            self.transport.wait_irq(Duration::from_millis(1))?;
        }
        self.transport
            .write(Reg::Control, spec::CONTROL_IRQ_ENABLE)?;
        self.next_seq = 0;
        self.outcomes.clear();
        self.last_failure = None;
        Ok(())
    }

    /// A zeroed DMA buffer.
    pub fn alloc(&mut self, len: usize) -> Result<T::Buffer, DriverError> {
        Ok(self.transport.alloc(len)?)
    }

    /// Bases 0..n of card memory that hold loaded bases.
    pub fn bases_loaded(&mut self) -> Result<u32, DriverError> {
        Ok(self.transport.read(Reg::BasesLoaded)?)
    }

    /// Loads `count` bases (64 B each, `msm_spec::bus` encoding) from `buffer` into card
    /// memory from base `offset` on, and waits.
    pub fn load_bases(
        &mut self,
        offset: u32,
        count: u32,
        buffer: &T::Buffer,
    ) -> Result<(), DriverError> {
        if buffer.len() < count as usize * spec::BEAT_BYTES {
            return Err(DriverError::BadArgument(format!(
                "{count} bases need {} bytes, the buffer has {}",
                count as usize * spec::BEAT_BYTES,
                buffer.len()
            )));
        }
        let t = self.submit(&Descriptor {
            op: Op::LoadBases as u32,
            c: 0,
            count,
            base: offset,
            src: buffer.iova(),
            dst: 0,
            dst_len: 0,
        })?;
        self.wait(t)
    }

    /// Queues an MSM of `count` scalars from `scalars` over bases `base..base + count` at
    /// window width c, its chain sums to `results` (`msm_spec::card::result_offset`).
    pub fn submit_msm(
        &mut self,
        c: u32,
        base: u32,
        count: u32,
        scalars: &T::Buffer,
        results: &T::Buffer,
    ) -> Result<Ticket, DriverError> {
        if scalars.len() < spec::scalar_buffer_bytes(count as usize) {
            return Err(DriverError::BadArgument(format!(
                "{count} scalars need a {}-byte buffer, it has {}",
                spec::scalar_buffer_bytes(count as usize),
                scalars.len()
            )));
        }
        self.submit(&Descriptor {
            op: Op::Msm as u32,
            c,
            count,
            base,
            src: scalars.iova(),
            dst: results.iova(),
            dst_len: results.len().min(u32::MAX as usize) as u32,
        })
    }

    /// Queues any descriptor (the card checks it). Waits for room in the queue.
    pub fn submit(&mut self, d: &Descriptor) -> Result<Ticket, DriverError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            let status = self.poll_failure()?;
            // After a failure the card drops its queue: let it finish before queueing more.
            let flushing = status & spec::STATUS_ERROR != 0 && status & spec::STATUS_BUSY != 0;
            if !flushing && status_queued(status) < self.info.queue_depth {
                break;
            }
            if Instant::now() >= deadline {
                return Err(DriverError::Timeout(self.timeout));
            }
            self.transport.wait_irq(Duration::from_millis(1))?;
        }
        for (reg, value) in d.writes() {
            self.transport.write(reg, value)?;
        }
        self.transport.write(Reg::Doorbell, 1)?;
        let seq = self.next_seq;
        self.next_seq = seq.wrapping_add(1);
        Ok(Ticket { seq })
    }

    /// Reads `status` and records a failure it reports (and the commands it dropped).
    fn poll_failure(&mut self) -> Result<u32, DriverError> {
        let status = self.transport.read(Reg::Status)?;
        if status & spec::STATUS_ERROR != 0 {
            let failed = self.transport.read(Reg::ErrorSeq)?;
            if self.last_failure != Some(failed) {
                self.last_failure = Some(failed);
                self.outcomes
                    .insert(failed, Outcome::Failed(status_error_code(status)));
                let mut s = failed.wrapping_add(1);
                while before(s, self.next_seq) {
                    self.outcomes.insert(s, Outcome::Dropped { failed });
                    s = s.wrapping_add(1);
                }
            }
        }
        Ok(status)
    }

    /// Waits until command `t` has ended: Ok, or its error.
    pub fn wait(&mut self, t: Ticket) -> Result<(), DriverError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            // `ended` first: a failure is in `status` by the time `ended` counts it.
            let ended = self.transport.read(Reg::Ended)?;
            self.poll_failure()?;
            if before(t.seq, ended) {
                return match self.outcomes.remove(&t.seq) {
                    None => Ok(()),
                    Some(Outcome::Failed(code)) => Err(match CardError::from_code(code) {
                        Some(error) => DriverError::Card { seq: t.seq, error },
                        None => DriverError::UnknownCardError { seq: t.seq, code },
                    }),
                    Some(Outcome::Dropped { failed }) => {
                        Err(DriverError::Dropped { seq: t.seq, failed })
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(DriverError::Timeout(self.timeout));
            }
            self.transport.wait_irq(deadline - now)?;
        }
    }

    /// Sets the watchdog: a command running `cycles` clocks is aborted (0: never).
    pub fn set_watchdog(&mut self, cycles: u32) -> Result<(), DriverError> {
        Ok(self.transport.write(Reg::Watchdog, cycles)?)
    }

    fn read64(&mut self, lo: Reg, hi: Reg) -> Result<u64, DriverError> {
        let l = self.transport.read(lo)?;
        let h = self.transport.read(hi)?;
        Ok(u64::from(l) | (u64::from(h) << 32))
    }

    /// The last MSM's counters (read while the card is idle).
    pub fn last(&mut self) -> Result<Counters, DriverError> {
        Ok(Counters {
            cycles: self.read64(Reg::LastCyclesLo, Reg::LastCyclesHi)?,
            adds: self.read64(Reg::LastAddsLo, Reg::LastAddsHi)?,
            conflicts: self.read64(Reg::LastConflictsLo, Reg::LastConflictsHi)?,
            sweep_cycles: self.read64(Reg::LastSweepLo, Reg::LastSweepHi)?,
            dma_bytes: self.read64(Reg::LastDmaBytesLo, Reg::LastDmaBytesHi)?,
        })
    }

    /// The last MSM's counters if command `t` is the last that ended (else they are a later
    /// command's, and `None`).
    pub fn last_of(&mut self, t: Ticket) -> Result<Option<Counters>, DriverError> {
        let ended = |card: &mut Self| card.transport.read(Reg::Ended);
        if ended(self)? != t.seq.wrapping_add(1) {
            return Ok(None);
        }
        let last = self.last()?;
        Ok((ended(self)? == t.seq.wrapping_add(1)).then_some(last))
    }

    /// The card's free-running clock.
    pub fn clock(&mut self) -> Result<u64, DriverError> {
        loop {
            let hi = self.transport.read(Reg::ClockHi)?;
            let lo = self.transport.read(Reg::ClockLo)?;
            if self.transport.read(Reg::ClockHi)? == hi {
                return Ok(u64::from(lo) | (u64::from(hi) << 32));
            }
        }
    }

    /// The card's clock when its last command ended.
    pub fn ended_at(&mut self) -> Result<u64, DriverError> {
        self.read64(Reg::EndedAtLo, Reg::EndedAtHi)
    }

    pub fn totals(&mut self) -> Result<Totals, DriverError> {
        Ok(Totals {
            cycles: self.read64(Reg::TotalCyclesLo, Reg::TotalCyclesHi)?,
            adds: self.read64(Reg::TotalAddsLo, Reg::TotalAddsHi)?,
            conflicts: self.read64(Reg::TotalConflictsLo, Reg::TotalConflictsHi)?,
            dma_bytes: self.read64(Reg::TotalDmaBytesLo, Reg::TotalDmaBytesHi)?,
        })
    }
}

/// The plain and triangle sums of segment `j` of share `h` of window `w` in an MSM's result
/// buffer (as the card wrote them under `plan`), or the bus error if the card wrote a
/// coordinate >= p.
pub fn segment_sums(
    results: &impl DmaBuffer,
    shape: CardShape,
    plan: &msm_spec::reduction::Plan,
    (w, h, j): (usize, usize, u32),
) -> Result<[msm_spec::bus::PointLimbs; 2], msm_spec::bus::BusError> {
    let mut bytes = [0; spec::CHAIN_RESULT_BYTES];
    results.read_at(
        spec::result_offset(shape, plan.segment_address(w, h, j)),
        &mut bytes,
    );
    let points = msm_spec::bus::decode_points(&bytes)?;
    Ok([points[0], points[1]])
}
