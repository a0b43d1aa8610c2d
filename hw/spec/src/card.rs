//! The card as the driver sees it: the BAR0 register map, the command descriptor, the error
//! codes, and the layout of what the card writes back. The RTL's register struct is generated
//! from [`Reg::ALL`] (hw/build.rs), so the two cannot disagree.
//!
//! BAR0 is one 32-bit register per word, in the order of [`Reg::ALL`]: register k is at byte
//! offset 4 k. A read of a write-only register returns 0; a write to a read-only one is
//! ignored. 64-bit counters are `_lo`/`_hi` pairs that change only when a command ends (read
//! them while the card is idle).
//!
//! Commands: the driver writes the `cmd_*` registers, then writes any value to `doorbell`,
//! which copies them into the command queue ([`QUEUE_DEPTH`] entries). The card runs the
//! queue in order, each command once the previous one has ended. A command that fails ends
//! with `status.error`, its code and `error_seq`; the commands queued behind it are dropped
//! (they end too, unrun).
//! Sequence numbers count doorbells since the last soft reset, from 0.

use crate::reduction::{CardShape, Plan};

/// How a register is accessed from the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read-only: the card's state or a constant.
    Ro,
    /// Read-write: held by the card, read back as written.
    Rw,
    /// Write-only: a write is an event (it reads as 0).
    Wo,
}

macro_rules! registers {
    ($($variant:ident $name:ident $access:ident $doc:literal,)*) => {
        /// A BAR0 register.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum Reg {
            $(#[doc = $doc] $variant,)*
        }

        impl Reg {
            /// Every register, in address order.
            pub const ALL: &'static [Reg] = &[$(Reg::$variant,)*];

            /// The register's field name in the RTL (and in tables).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Reg::$variant => stringify!($name),)*
                }
            }

            pub const fn access(self) -> Access {
                match self {
                    $(Reg::$variant => Access::$access,)*
                }
            }

            pub const fn doc(self) -> &'static str {
                match self {
                    $(Reg::$variant => $doc,)*
                }
            }
        }
    };
}

registers! {
    Id id Ro "Reads CARD_ID.",
    Version version Ro "major << 16 | minor (VERSION).",
    Lanes lanes Ro "Adder lanes.",
    CMax c_max Ro "Largest window width c.",
    LaneLatency lane_latency Ro "Adder lane latency in clocks (the reduction plan depends on it).",
    BasesCapacity bases_capacity Ro "Bases card memory holds.",
    ClockMhz clock_mhz Ro "Card clock in MHz.",
    Features features Ro "FEATURE_* bits.",
    QueueDepth queue_depth Ro "Command queue entries.",
    Control control Rw "CONTROL_* bits (a write with CONTROL_RESET set resets).",
    Status status Ro "STATUS_* bits, the error code in bits 8..16, queued commands in 16..24.",
    Ended ended Ro "Commands ended (done, failed or dropped) since the last reset: command s has ended once ended > s.",
    ErrorSeq error_seq Ro "Sequence number of the command that failed.",
    BasesLoaded bases_loaded Ro "Bases 0..n of card memory hold loaded bases (kept across a soft reset).",
    Watchdog watchdog Rw "A command running this many clocks is aborted (0: never).",
    CmdOp cmd_op Rw "Command: an Op.",
    CmdC cmd_c Rw "MSM: window width c.",
    CmdCount cmd_count Rw "Points: bases loaded, or scalars of the MSM.",
    CmdBase cmd_base Rw "First base in card memory (points).",
    CmdSrcLo cmd_src_lo Rw "Source IOVA, low word: bases (LOAD_BASES) or scalars (MSM).",
    CmdSrcHi cmd_src_hi Rw "Source IOVA, high word.",
    CmdDstLo cmd_dst_lo Rw "MSM: result buffer IOVA, low word.",
    CmdDstHi cmd_dst_hi Rw "MSM: result buffer IOVA, high word.",
    CmdDstLen cmd_dst_len Rw "MSM: result buffer bytes.",
    Doorbell doorbell Wo "Queues the cmd_* registers as one command.",
    LastCyclesLo last_cycles_lo Ro "Last MSM: clocks from its start to its results written.",
    LastCyclesHi last_cycles_hi Ro "High word of the register before.",
    LastAddsLo last_adds_lo Ro "Last MSM: accumulation additions issued.",
    LastAddsHi last_adds_hi Ro "High word of the register before.",
    LastConflictsLo last_conflicts_lo Ro "Last MSM: clocks a digit waited on a busy bucket.",
    LastConflictsHi last_conflicts_hi Ro "High word of the register before.",
    LastSweepLo last_sweep_lo Ro "Last MSM: clocks spent sweeping bucket epochs.",
    LastSweepHi last_sweep_hi Ro "High word of the register before.",
    LastDmaBytesLo last_dma_bytes_lo Ro "Last MSM: bytes moved over the DMA port.",
    LastDmaBytesHi last_dma_bytes_hi Ro "High word of the register before.",
    TotalCyclesLo total_cycles_lo Ro "Every command since power-up: clocks busy.",
    TotalCyclesHi total_cycles_hi Ro "High word of the register before.",
    TotalAddsLo total_adds_lo Ro "Every command: accumulation additions.",
    TotalAddsHi total_adds_hi Ro "High word of the register before.",
    TotalConflictsLo total_conflicts_lo Ro "Every command: clocks a digit waited on a busy bucket.",
    TotalConflictsHi total_conflicts_hi Ro "High word of the register before.",
    TotalDmaBytesLo total_dma_bytes_lo Ro "Every command: bytes over the DMA port.",
    TotalDmaBytesHi total_dma_bytes_hi Ro "High word of the register before.",
    ClockLo clock_lo Ro "Clocks since power-up (free-running: read hi, lo, hi).",
    ClockHi clock_hi Ro "High word of the register before.",
    LaneInterval lane_interval Ro "Clocks between the additions a lane takes: 1, or II of a folded lane (minor version 1).",
    EndedAtLo ended_at_lo Ro "`clock` when the last command ended.",
    EndedAtHi ended_at_hi Ro "High word of the register before.",
}

impl Reg {
    /// Byte offset in BAR0.
    pub const fn offset(self) -> u32 {
        4 * self as u32
    }

    /// The register at byte offset `offset`.
    pub fn at(offset: u32) -> Option<Reg> {
        (offset % 4 == 0)
            .then(|| Reg::ALL.get((offset / 4) as usize).copied())
            .flatten()
    }
}

/// Bytes of BAR0 (a power of two: the card decodes the low address bits).
pub const BAR0_BYTES: u32 = 4096;
const _: () = assert!(Reg::ALL.len() * 4 <= BAR0_BYTES as usize);

/// PCI identity: the vendor is Xilinx's, as the U55C's PCIe block presents it; the device id
/// is ours, set in the PCIe IP's configuration. `msm card list` and the VFIO transports look
/// for this pair; the card-server presents it.
pub const PCI_VENDOR_ID: u16 = 0x10ee;
pub const PCI_DEVICE_ID: u16 = 0x7e54;
/// PCI class: processing accelerator (0x12), no programming interface.
pub const PCI_CLASS: u32 = 0x12_00_00;

/// `id`: "MSM1" as a little-endian word.
pub const CARD_ID: u32 = u32::from_le_bytes(*b"MSM1");
/// `version`: what this driver and this RTL speak. A different major is incompatible.
pub const VERSION: u32 = 1 << 16 | 1;

/// `features`: results are chain sums (the host finishes each window).
pub const FEATURE_CHAIN_SUMS: u32 = 1 << 0;
/// `features`: an MSI (vector 0) when a command ends.
pub const FEATURE_MSI: u32 = 1 << 1;
/// `features`: the watchdog register.
pub const FEATURE_WATCHDOG: u32 = 1 << 2;
pub const FEATURES: u32 = FEATURE_CHAIN_SUMS | FEATURE_MSI | FEATURE_WATCHDOG;

/// `control`: a write with this bit set is a soft reset: the running command is aborted (once its transfers
/// have drained), the queue emptied, the sequence numbers and error cleared. Loaded bases stay.
pub const CONTROL_RESET: u32 = 1 << 0;
/// `control`: an interrupt when each command ends.
pub const CONTROL_IRQ_ENABLE: u32 = 1 << 1;

/// `status`: a command is running or queued, or a reset is draining.
pub const STATUS_BUSY: u32 = 1 << 0;
/// `status`: the last command failed (code in bits 8..16); cleared by the next doorbell.
pub const STATUS_ERROR: u32 = 1 << 1;
/// `status`: the queue is full (a doorbell now is dropped and sets `STATUS_DROPPED`).
pub const STATUS_FULL: u32 = 1 << 2;
/// `status`: a doorbell found the queue full; cleared by a soft reset.
pub const STATUS_DROPPED: u32 = 1 << 3;

/// Command queue entries.
pub const QUEUE_DEPTH: u32 = 4;

/// The error code in a `status` word.
pub const fn status_error_code(status: u32) -> u32 {
    (status >> 8) & 0xff
}

/// Commands queued or running in a `status` word.
pub const fn status_queued(status: u32) -> u32 {
    (status >> 16) & 0xff
}

/// `cmd_op`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Op {
    /// `cmd_count` bases (64 B each, `bus` encoding) from host memory at `cmd_src` into card
    /// memory from base `cmd_base` on. `cmd_base` may not leave a gap after the loaded bases.
    LoadBases = 1,
    /// sum_i scalars[i] bases[cmd_base + i], i < `cmd_count`: scalars (32 B each, padded to a
    /// whole 64 B beat) from `cmd_src`, chain sums to `cmd_dst` ([`result_offset`]).
    Msm = 2,
}

/// Why the card refused or aborted a command: the code in `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum CardError {
    /// `cmd_op` is not an [`Op`].
    BadOp = 1,
    /// c outside 2..=c_max.
    BadWindow = 2,
    /// `cmd_count` is 0, or an MSM's `cmd_dst_len` is 0.
    ZeroLength = 3,
    /// An MSM reads bases beyond `bases_loaded`.
    BasesNotLoaded = 4,
    /// A load would leave a gap after the loaded bases or pass `bases_capacity`.
    BasesCapacity = 5,
    /// `cmd_src` or `cmd_dst` is not a multiple of [`BEAT_BYTES`].
    Misaligned = 6,
    /// `cmd_dst_len` is less than the MSM's results ([`result_bytes`]).
    ResultTooSmall = 7,
    /// A DMA read of host memory had an error response.
    DmaRead = 8,
    /// A DMA write to host memory had an error response.
    DmaWrite = 9,
    /// Card memory answered with an error response.
    CardMemory = 10,
    /// The command ran `watchdog` clocks.
    Watchdog = 11,
}

impl CardError {
    pub const ALL: [CardError; 11] = [
        CardError::BadOp,
        CardError::BadWindow,
        CardError::ZeroLength,
        CardError::BasesNotLoaded,
        CardError::BasesCapacity,
        CardError::Misaligned,
        CardError::ResultTooSmall,
        CardError::DmaRead,
        CardError::DmaWrite,
        CardError::CardMemory,
        CardError::Watchdog,
    ];

    pub fn from_code(code: u32) -> Option<CardError> {
        CardError::ALL.into_iter().find(|e| *e as u32 == code)
    }
}

/// Bytes of one beat of the DMA and card-memory ports (512-bit AXI data).
pub const BEAT_BYTES: usize = 64;
/// Longest burst the card issues, in beats (512 B: a common PCIe read request size). No burst
/// crosses a 4 KB boundary.
pub const MAX_BURST_BEATS: usize = 8;
/// The card's bursts never cross this boundary (AXI4).
pub const BURST_BOUNDARY: usize = 4096;

/// The beats of a transfer of `beats` beats from byte address `address`, as the card cuts it
/// into bursts: (address, beats) of each.
pub fn bursts(mut address: u64, mut beats: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    while beats > 0 {
        let to_boundary =
            (BURST_BOUNDARY as u64 - address % BURST_BOUNDARY as u64) / BEAT_BYTES as u64;
        let len = beats.min(MAX_BURST_BEATS as u64).min(to_boundary);
        out.push((address, len));
        address += len * BEAT_BYTES as u64;
        beats -= len;
    }
    out
}

/// One chain's results: its plain sum, then its triangle sum, each a `bus` result point.
pub const CHAIN_RESULT_BYTES: usize = 2 * crate::bus::RESULT_BYTES;
const _: () = assert!(CHAIN_RESULT_BYTES % BEAT_BYTES == 0);

/// Where the card writes the sums of chain `address` of lane `lane` in the result buffer:
/// chain-major, then lane.
pub fn result_offset(card: CardShape, (lane, address): (usize, u32)) -> usize {
    (address as usize * card.lanes + lane) * CHAIN_RESULT_BYTES
}

/// The result bytes of an MSM under `plan`: every lane's chains.
pub fn result_bytes(card: CardShape, plan: &Plan) -> usize {
    plan.chains as usize * card.lanes * CHAIN_RESULT_BYTES
}

/// Bytes of the scalar buffer of an MSM of `count` points: whole beats.
pub fn scalar_buffer_bytes(count: usize) -> usize {
    (count * crate::bus::SCALAR_BYTES).next_multiple_of(BEAT_BYTES)
}

/// One command as the driver writes it into the `cmd_*` registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Descriptor {
    pub op: u32,
    pub c: u32,
    pub count: u32,
    pub base: u32,
    pub src: u64,
    pub dst: u64,
    pub dst_len: u32,
}

impl Descriptor {
    /// The register writes that stage it, in order (the doorbell is the caller's).
    pub fn writes(&self) -> [(Reg, u32); 9] {
        [
            (Reg::CmdOp, self.op),
            (Reg::CmdC, self.c),
            (Reg::CmdCount, self.count),
            (Reg::CmdBase, self.base),
            (Reg::CmdSrcLo, self.src as u32),
            (Reg::CmdSrcHi, (self.src >> 32) as u32),
            (Reg::CmdDstLo, self.dst as u32),
            (Reg::CmdDstHi, (self.dst >> 32) as u32),
            (Reg::CmdDstLen, self.dst_len),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_are_words_in_order() {
        for (k, r) in Reg::ALL.iter().enumerate() {
            assert_eq!(*r as usize, k);
            assert_eq!(Reg::at(r.offset()), Some(*r));
        }
        assert_eq!(Reg::at(2), None);
        assert_eq!(Reg::at(4 * Reg::ALL.len() as u32), None);
    }

    #[test]
    fn error_codes_round_trip() {
        for e in CardError::ALL {
            assert_eq!(CardError::from_code(e as u32), Some(e));
        }
        assert_eq!(CardError::from_code(0), None);
    }

    #[test]
    fn bursts_stop_at_4k_and_cover_the_transfer() {
        for (address, beats) in [(0, 1), (0, 100), (4096 - 64, 3), (4096 - 3 * 64, 20)] {
            let b = bursts(address, beats);
            assert_eq!(b.iter().map(|x| x.1).sum::<u64>(), beats);
            let mut next = address;
            for (a, n) in b {
                assert_eq!(a, next);
                assert!(n >= 1 && n <= MAX_BURST_BEATS as u64);
                assert_eq!(a / 4096, (a + n * 64 - 1) / 4096, "{a:#x} + {n} beats");
                next = a + n * 64;
            }
        }
    }
}
