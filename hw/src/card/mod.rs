//! The card: the MSM core inside a shell a driver can use (`msm_spec::card` is the contract).
//!
//! - BAR0 ([`bar0`], generated from the register map): identity, capabilities, control,
//!   status, the staged command and the counters.
//! - A command queue of `QUEUE_DEPTH` descriptors, filled by the doorbell and run in order.
//! - A DMA master port into host memory (AXI4, 512-bit, addresses are IOVAs): bases for
//!   `LOAD_BASES`, scalars and results for `MSM`.
//! - A card-memory port (AXI4, 512-bit, for HBM or DDR) where the bases live, one per beat.
//!
//! An MSM: the descriptor is checked (a bad one ends at once with its error code, before the
//! core starts); the core starts; scalars stream from host memory and bases from card memory
//! into the core, a point as soon as both halves are in; once the core is idle it runs the
//! reduction, and every lane's chain sums are written to the result buffer
//! (`msm_spec::card::result_offset`). A DMA error response, a card-memory error or the
//! watchdog aborts a command: nothing more is issued, what is in flight drains, then the
//! command ends with its error code and the queue behind it is dropped.

pub mod bar0;
pub mod burst;

use std::collections::BTreeMap;

use msm_spec::card::{self as spec, CardError, Op};
use msm_spec::config::Config;
use msm_spec::reduction::{CardShape, Plan};
use msm_spec::window::WINDOW_RANGE;
use rust_hdl::prelude::*;

use self::bar0::Bar0;
use self::burst::{BurstReader, BurstWriter};
use crate::msm::core::MsmCore;

/// One queued command: the `cmd_*` registers and its sequence number.
#[derive(Clone, Copy, Debug, Default, PartialEq, LogicStruct)]
pub struct Command {
    pub op: Bits<32>,
    pub c: Bits<32>,
    pub count: Bits<32>,
    pub base: Bits<32>,
    pub src: Bits<64>,
    pub dst: Bits<64>,
    pub dst_len: Bits<32>,
    pub seq: Bits<32>,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum State {
    Idle,
    /// The command taken from the queue is checked.
    Decode,
    /// LOAD_BASES: host memory to card memory.
    Load,
    /// MSM: points stream into the core.
    Stream,
    /// Every point is in; waiting for the core to be idle.
    Accumulated,
    /// The reduction runs.
    Reduce,
    /// The chain sums go to host memory.
    Write,
    /// Aborted: waiting for what is in flight.
    Drain,
    End,
    /// Dropping the queue (after an error or a reset).
    Flush,
}

/// The plan ROM word for window width c: m_log2 in bits 0..4, chains - 1 in 16..32, result
/// beats in 32..64.
pub fn plan_rom_word(c: u32, card: CardShape) -> u64 {
    let plan = Plan::new(c, card);
    let beats = spec::result_bytes(card, &plan) / spec::BEAT_BYTES;
    u64::from(plan.m_log2) | (u64::from(plan.chains - 1) << 16) | ((beats as u64) << 32)
}

/// The card around `MsmCore` with the same type parameters.
#[derive(LogicBlock)]
pub struct MsmCard<
    const TAG: usize,
    const LANES: usize,
    const A: usize,
    const WORD: usize,
    const DEPTH: usize,
    const ENTRIES: usize,
    const CHAINS: usize,
    const EPOCH: usize,
    const ENTRY: usize,
> {
    pub clock: Signal<In, Clock>,
    /// BAR0: a read or write of the word at byte `reg_address`; a read's word is on
    /// `reg_read_data` the next clock.
    pub reg_read: Signal<In, Bit>,
    pub reg_write: Signal<In, Bit>,
    pub reg_address: Signal<In, Bits<12>>,
    pub reg_write_data: Signal<In, Bits<32>>,
    pub reg_read_data: Signal<Out, Bits<32>>,
    /// One clock when a command ends, if enabled: MSI vector 0.
    pub irq: Signal<Out, Bit>,
    // DMA master into host memory.
    pub dma_ar_valid: Signal<Out, Bit>,
    pub dma_ar_ready: Signal<In, Bit>,
    pub dma_ar_addr: Signal<Out, Bits<64>>,
    pub dma_ar_len: Signal<Out, Bits<8>>,
    pub dma_r_valid: Signal<In, Bit>,
    pub dma_r_ready: Signal<Out, Bit>,
    pub dma_r_data: Signal<In, Bits<512>>,
    pub dma_r_resp: Signal<In, Bits<2>>,
    pub dma_r_last: Signal<In, Bit>,
    pub dma_aw_valid: Signal<Out, Bit>,
    pub dma_aw_ready: Signal<In, Bit>,
    pub dma_aw_addr: Signal<Out, Bits<64>>,
    pub dma_aw_len: Signal<Out, Bits<8>>,
    pub dma_w_valid: Signal<Out, Bit>,
    pub dma_w_ready: Signal<In, Bit>,
    pub dma_w_data: Signal<Out, Bits<512>>,
    pub dma_w_last: Signal<Out, Bit>,
    pub dma_b_valid: Signal<In, Bit>,
    pub dma_b_ready: Signal<Out, Bit>,
    pub dma_b_resp: Signal<In, Bits<2>>,
    // Card memory (bases).
    pub mem_ar_valid: Signal<Out, Bit>,
    pub mem_ar_ready: Signal<In, Bit>,
    pub mem_ar_addr: Signal<Out, Bits<64>>,
    pub mem_ar_len: Signal<Out, Bits<8>>,
    pub mem_r_valid: Signal<In, Bit>,
    pub mem_r_ready: Signal<Out, Bit>,
    pub mem_r_data: Signal<In, Bits<512>>,
    pub mem_r_resp: Signal<In, Bits<2>>,
    pub mem_r_last: Signal<In, Bit>,
    pub mem_aw_valid: Signal<Out, Bit>,
    pub mem_aw_ready: Signal<In, Bit>,
    pub mem_aw_addr: Signal<Out, Bits<64>>,
    pub mem_aw_len: Signal<Out, Bits<8>>,
    pub mem_w_valid: Signal<Out, Bit>,
    pub mem_w_ready: Signal<In, Bit>,
    pub mem_w_data: Signal<Out, Bits<512>>,
    pub mem_w_last: Signal<Out, Bit>,
    pub mem_b_valid: Signal<In, Bit>,
    pub mem_b_ready: Signal<Out, Bit>,
    pub mem_b_resp: Signal<In, Bits<2>>,
    regs: Bar0,
    core: MsmCore<TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>,
    queue: SynchronousFIFO<Command, 2, 3, 1>,
    host_read: BurstReader,
    host_write: BurstWriter,
    mem_read: BurstReader,
    mem_write: BurstWriter,
    /// Scalar beats (two scalars each) and base beats (one base each) waiting for the core.
    scalars: SynchronousFIFO<Bits<512>, 3, 4, 1>,
    bases: SynchronousFIFO<Bits<512>, 3, 4, 1>,
    plans: ROM<Bits<64>, 5>,
    state: DFF<State>,
    cmd: DFF<Command>,
    error: DFF<Bits<8>>,
    error_flag: DFF<Bit>,
    error_seq: DFF<Bits<32>>,
    dropped: DFF<Bit>,
    resetting: DFF<Bit>,
    control_written: DFF<Bit>,
    accepted: DFF<Bits<32>>,
    ended: DFF<Bits<32>>,
    queued: DFF<Bits<8>>,
    loaded: DFF<Bits<32>>,
    /// Points the core has taken, and which half of the scalar beat is next.
    taken: DFF<Bits<32>>,
    half: DFF<Bit>,
    /// Write-back: lane, chain and beat (0..3) of the entry shown; `settle`: its read was
    /// presented this clock, its data shows the next.
    wb_lane: DFF<Bits<8>>,
    wb_chain: DFF<Bits<A>>,
    wb_beat: DFF<Bits<2>>,
    wb_settle: DFF<Bit>,
    cycles: DFF<Bits<64>>,
    dma_bytes: DFF<Bits<64>>,
    adds_before: DFF<Bits<32>>,
    conflicts_before: DFF<Bits<32>>,
    sweep_before: DFF<Bits<32>>,
    last_cycles: DFF<Bits<64>>,
    last_adds: DFF<Bits<64>>,
    last_conflicts: DFF<Bits<64>>,
    last_sweep: DFF<Bits<64>>,
    last_dma_bytes: DFF<Bits<64>>,
    total_cycles: DFF<Bits<64>>,
    total_adds: DFF<Bits<64>>,
    total_conflicts: DFF<Bits<64>>,
    total_dma_bytes: DFF<Bits<64>>,
    irq_q: DFF<Bit>,
    clock_count: DFF<Bits<64>>,
    ended_at: DFF<Bits<64>>,
    // Constants.
    id: Constant<Bits<32>>,
    version: Constant<Bits<32>>,
    lanes: Constant<Bits<32>>,
    c_max: Constant<Bits<32>>,
    lane_latency: Constant<Bits<32>>,
    lane_interval: Constant<Bits<32>>,
    capacity: Constant<Bits<32>>,
    clock_mhz: Constant<Bits<32>>,
    features: Constant<Bits<32>>,
    queue_depth: Constant<Bits<32>>,
    last_lane: Constant<Bits<8>>,
    beat_log2: Constant<Bits<16>>,
    op_load: Constant<Bits<32>>,
    op_msm: Constant<Bits<32>>,
    e_bad_op: Constant<Bits<8>>,
    e_bad_window: Constant<Bits<8>>,
    e_zero_length: Constant<Bits<8>>,
    e_not_loaded: Constant<Bits<8>>,
    e_capacity: Constant<Bits<8>>,
    e_misaligned: Constant<Bits<8>>,
    e_result_small: Constant<Bits<8>>,
    e_dma_read: Constant<Bits<8>>,
    e_dma_write: Constant<Bits<8>>,
    e_card_memory: Constant<Bits<8>>,
    e_watchdog: Constant<Bits<8>>,
    // Combinational: the running command's fields.
    op: Signal<Local, Bits<32>>,
    c: Signal<Local, Bits<32>>,
    count: Signal<Local, Bits<32>>,
    base: Signal<Local, Bits<32>>,
    src: Signal<Local, Bits<64>>,
    dst: Signal<Local, Bits<64>>,
    dst_len: Signal<Local, Bits<32>>,
    seq: Signal<Local, Bits<32>>,
    head_seq: Signal<Local, Bits<32>>,
    count_plus: Signal<Local, Bits<32>>,
    loaded_before: DFF<Bits<32>>,
    two: Constant<Bits<32>>,
    s8: Constant<Bits<16>>,
    s16: Constant<Bits<16>>,
    s32: Constant<Bits<16>>,
    s256: Constant<Bits<16>>,
    check: Signal<Local, Bits<8>>,
    fail: Signal<Local, Bits<8>>,
    active: Signal<Local, Bit>,
    end_64: Signal<Local, Bits<64>>,
    plan: Signal<Local, Bits<64>>,
    point: Signal<Local, Bit>,
    host_beat: Signal<Local, Bit>,
    host_out: Signal<Local, Bit>,
    status: Signal<Local, Bits<32>>,
    reset_now: Signal<Local, Bit>,
    all_done: Signal<Local, Bit>,
}

macro_rules! card_impl {
    ($($tail:tt)*) => {
        impl<
                const TAG: usize,
                const LANES: usize,
                const A: usize,
                const WORD: usize,
                const DEPTH: usize,
                const ENTRIES: usize,
                const CHAINS: usize,
                const EPOCH: usize,
                const ENTRY: usize,
            > $($tail)*
    };
}

card_impl! { MsmCard<TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY> {
    /// The card of `cfg` around a core whose lane has latency `latency`.
    pub fn new(cfg: &Config, latency: usize) -> Self {
        assert_eq!(LANES, cfg.lanes);
        let shape = CardShape {
            lanes: LANES,
            latency,
            interval: crate::point::lane::interval(cfg),
        };
        let plans: BTreeMap<Bits<5>, Bits<64>> = WINDOW_RANGE
            .filter(|&c| c <= cfg.c_max)
            .map(|c| (bits::<5>(u64::from(c)), bits::<64>(plan_rom_word(c, shape))))
            .collect();
        let k = |v: u64| Constant::new(bits::<32>(v));
        let e = |v: CardError| Constant::new(bits::<8>(v as u64));
        MsmCard {
            clock: Default::default(),
            reg_read: Default::default(),
            reg_write: Default::default(),
            reg_address: Default::default(),
            reg_write_data: Default::default(),
            reg_read_data: Default::default(),
            irq: Default::default(),
            dma_ar_valid: Default::default(),
            dma_ar_ready: Default::default(),
            dma_ar_addr: Default::default(),
            dma_ar_len: Default::default(),
            dma_r_valid: Default::default(),
            dma_r_ready: Default::default(),
            dma_r_data: Default::default(),
            dma_r_resp: Default::default(),
            dma_r_last: Default::default(),
            dma_aw_valid: Default::default(),
            dma_aw_ready: Default::default(),
            dma_aw_addr: Default::default(),
            dma_aw_len: Default::default(),
            dma_w_valid: Default::default(),
            dma_w_ready: Default::default(),
            dma_w_data: Default::default(),
            dma_w_last: Default::default(),
            dma_b_valid: Default::default(),
            dma_b_ready: Default::default(),
            dma_b_resp: Default::default(),
            mem_ar_valid: Default::default(),
            mem_ar_ready: Default::default(),
            mem_ar_addr: Default::default(),
            mem_ar_len: Default::default(),
            mem_r_valid: Default::default(),
            mem_r_ready: Default::default(),
            mem_r_data: Default::default(),
            mem_r_resp: Default::default(),
            mem_r_last: Default::default(),
            mem_aw_valid: Default::default(),
            mem_aw_ready: Default::default(),
            mem_aw_addr: Default::default(),
            mem_aw_len: Default::default(),
            mem_w_valid: Default::default(),
            mem_w_ready: Default::default(),
            mem_w_data: Default::default(),
            mem_w_last: Default::default(),
            mem_b_valid: Default::default(),
            mem_b_ready: Default::default(),
            mem_b_resp: Default::default(),
            regs: Default::default(),
            core: Default::default(),
            queue: Default::default(),
            host_read: Default::default(),
            host_write: Default::default(),
            mem_read: Default::default(),
            mem_write: Default::default(),
            scalars: Default::default(),
            bases: Default::default(),
            plans: ROM::new(plans),
            state: Default::default(),
            cmd: Default::default(),
            error: Default::default(),
            error_flag: Default::default(),
            error_seq: Default::default(),
            dropped: Default::default(),
            resetting: Default::default(),
            control_written: Default::default(),
            accepted: Default::default(),
            ended: Default::default(),
            queued: Default::default(),
            loaded: Default::default(),
            taken: Default::default(),
            half: Default::default(),
            wb_lane: Default::default(),
            wb_chain: Default::default(),
            wb_beat: Default::default(),
            wb_settle: Default::default(),
            cycles: Default::default(),
            dma_bytes: Default::default(),
            adds_before: Default::default(),
            conflicts_before: Default::default(),
            sweep_before: Default::default(),
            last_cycles: Default::default(),
            last_adds: Default::default(),
            last_conflicts: Default::default(),
            last_sweep: Default::default(),
            last_dma_bytes: Default::default(),
            total_cycles: Default::default(),
            total_adds: Default::default(),
            total_conflicts: Default::default(),
            total_dma_bytes: Default::default(),
            irq_q: Default::default(),
            clock_count: Default::default(),
            ended_at: Default::default(),
            id: k(u64::from(spec::CARD_ID)),
            version: k(u64::from(spec::VERSION)),
            lanes: k(LANES as u64),
            c_max: k(u64::from(cfg.c_max)),
            lane_latency: k(latency as u64),
            lane_interval: k(crate::point::lane::interval(cfg) as u64),
            capacity: k(1 << cfg.bases_log2),
            clock_mhz: k(u64::from(cfg.clock_mhz)),
            features: k(u64::from(spec::FEATURES)),
            queue_depth: k(u64::from(spec::QUEUE_DEPTH)),
            last_lane: Constant::new(bits::<8>(LANES as u64 - 1)),
            beat_log2: Constant::new(bits::<16>(spec::BEAT_BYTES.trailing_zeros() as u64)),
            op_load: k(Op::LoadBases as u64),
            op_msm: k(Op::Msm as u64),
            e_bad_op: e(CardError::BadOp),
            e_bad_window: e(CardError::BadWindow),
            e_zero_length: e(CardError::ZeroLength),
            e_not_loaded: e(CardError::BasesNotLoaded),
            e_capacity: e(CardError::BasesCapacity),
            e_misaligned: e(CardError::Misaligned),
            e_result_small: e(CardError::ResultTooSmall),
            e_dma_read: e(CardError::DmaRead),
            e_dma_write: e(CardError::DmaWrite),
            e_card_memory: e(CardError::CardMemory),
            e_watchdog: e(CardError::Watchdog),
            op: Default::default(),
            c: Default::default(),
            count: Default::default(),
            base: Default::default(),
            src: Default::default(),
            dst: Default::default(),
            dst_len: Default::default(),
            seq: Default::default(),
            head_seq: Default::default(),
            count_plus: Default::default(),
            loaded_before: Default::default(),
            two: k(2),
            s8: Constant::new(bits::<16>(8)),
            s16: Constant::new(bits::<16>(16)),
            s32: Constant::new(bits::<16>(32)),
            s256: Constant::new(bits::<16>(256)),
            check: Default::default(),
            fail: Default::default(),
            active: Default::default(),
            end_64: Default::default(),
            plan: Default::default(),
            point: Default::default(),
            host_beat: Default::default(),
            host_out: Default::default(),
            status: Default::default(),
            reset_now: Default::default(),
            all_done: Default::default(),
        }
    }
}}

card_impl! { Logic for MsmCard<TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, cmd, error, error_flag, error_seq, dropped, resetting,
            control_written, accepted, ended, queued, loaded, taken, half, wb_lane, wb_chain,
            wb_beat, wb_settle, cycles, dma_bytes, adds_before, conflicts_before, sweep_before,
            last_cycles, last_adds, last_conflicts, last_sweep, last_dma_bytes, total_cycles,
            total_adds, total_conflicts, total_dma_bytes, irq_q, loaded_before, clock_count, ended_at
        );
        clock!(self, clock, regs, core, queue, host_read, host_write, mem_read, mem_write, scalars, bases);

        self.op.next = self.cmd.q.val().op;
        self.c.next = self.cmd.q.val().c;
        self.count.next = self.cmd.q.val().count;
        self.base.next = self.cmd.q.val().base;
        self.src.next = self.cmd.q.val().src;
        self.dst.next = self.cmd.q.val().dst;
        self.dst_len.next = self.cmd.q.val().dst_len;
        self.seq.next = self.cmd.q.val().seq;
        self.head_seq.next = self.queue.data_out.val().seq;

        // BAR0.
        self.regs.read.next = self.reg_read.val();
        self.regs.write.next = self.reg_write.val();
        self.regs.address.next = self.reg_address.val().get_bits::<10>(2);
        self.regs.write_data.next = self.reg_write_data.val();
        self.reg_read_data.next = self.regs.read_word.val();
        self.regs.id.next = self.id.val();
        self.regs.version.next = self.version.val();
        self.regs.lanes.next = self.lanes.val();
        self.regs.c_max.next = self.c_max.val();
        self.regs.lane_latency.next = self.lane_latency.val();
        self.regs.lane_interval.next = self.lane_interval.val();
        self.regs.bases_capacity.next = self.capacity.val();
        self.regs.clock_mhz.next = self.clock_mhz.val();
        self.regs.features.next = self.features.val();
        self.regs.queue_depth.next = self.queue_depth.val();
        self.status.next = (bit_cast::<32, 8>(self.queued.q.val()) << self.s16.val())
            | (bit_cast::<32, 8>(self.error.q.val()) << self.s8.val());
        self.status.next = self.status.val().replace_bit(
            0,
            (self.state.q.val() != State::Idle)
                | (self.queued.q.val() != 0)
                | self.resetting.q.val(),
        );
        self.status.next = self.status.val().replace_bit(1, self.error_flag.q.val());
        self.status.next = self.status.val().replace_bit(2, self.queue.full.val());
        self.status.next = self.status.val().replace_bit(3, self.dropped.q.val());
        self.regs.status.next = self.status.val();
        self.regs.ended.next = self.ended.q.val();
        self.regs.error_seq.next = self.error_seq.q.val();
        self.regs.bases_loaded.next = self.loaded.q.val();
        self.regs.last_cycles_lo.next = self.last_cycles.q.val().get_bits::<32>(0);
        self.regs.last_cycles_hi.next = self.last_cycles.q.val().get_bits::<32>(32);
        self.regs.last_adds_lo.next = self.last_adds.q.val().get_bits::<32>(0);
        self.regs.last_adds_hi.next = self.last_adds.q.val().get_bits::<32>(32);
        self.regs.last_conflicts_lo.next = self.last_conflicts.q.val().get_bits::<32>(0);
        self.regs.last_conflicts_hi.next = self.last_conflicts.q.val().get_bits::<32>(32);
        self.regs.last_sweep_lo.next = self.last_sweep.q.val().get_bits::<32>(0);
        self.regs.last_sweep_hi.next = self.last_sweep.q.val().get_bits::<32>(32);
        self.regs.last_dma_bytes_lo.next = self.last_dma_bytes.q.val().get_bits::<32>(0);
        self.regs.last_dma_bytes_hi.next = self.last_dma_bytes.q.val().get_bits::<32>(32);
        self.regs.total_cycles_lo.next = self.total_cycles.q.val().get_bits::<32>(0);
        self.regs.total_cycles_hi.next = self.total_cycles.q.val().get_bits::<32>(32);
        self.regs.total_adds_lo.next = self.total_adds.q.val().get_bits::<32>(0);
        self.regs.total_adds_hi.next = self.total_adds.q.val().get_bits::<32>(32);
        self.regs.total_conflicts_lo.next = self.total_conflicts.q.val().get_bits::<32>(0);
        self.regs.total_conflicts_hi.next = self.total_conflicts.q.val().get_bits::<32>(32);
        self.regs.total_dma_bytes_lo.next = self.total_dma_bytes.q.val().get_bits::<32>(0);
        self.regs.total_dma_bytes_hi.next = self.total_dma_bytes.q.val().get_bits::<32>(32);
        self.clock_count.d.next = self.clock_count.q.val() + 1;
        self.regs.clock_lo.next = self.clock_count.q.val().get_bits::<32>(0);
        self.regs.clock_hi.next = self.clock_count.q.val().get_bits::<32>(32);
        self.regs.ended_at_lo.next = self.ended_at.q.val().get_bits::<32>(0);
        self.regs.ended_at_hi.next = self.ended_at.q.val().get_bits::<32>(32);

        // A control write shows its value the clock after its pulse.
        self.control_written.d.next = self.regs.control_write.val();
        self.reset_now.next =
            self.control_written.q.val() & self.regs.control.val().get_bit(0);
        if self.reset_now.val() {
            self.resetting.d.next = true;
        }

        // The doorbell queues the staged command.
        self.queue.data_in.next.op = self.regs.cmd_op.val();
        self.queue.data_in.next.c = self.regs.cmd_c.val();
        self.queue.data_in.next.count = self.regs.cmd_count.val();
        self.queue.data_in.next.base = self.regs.cmd_base.val();
        self.queue.data_in.next.src = bit_cast::<64, 32>(self.regs.cmd_src_lo.val())
            | (bit_cast::<64, 32>(self.regs.cmd_src_hi.val()) << self.s32.val());
        self.queue.data_in.next.dst = bit_cast::<64, 32>(self.regs.cmd_dst_lo.val())
            | (bit_cast::<64, 32>(self.regs.cmd_dst_hi.val()) << self.s32.val());
        self.queue.data_in.next.dst_len = self.regs.cmd_dst_len.val();
        self.queue.data_in.next.seq = self.accepted.q.val();
        self.queue.write.next = false;
        self.queue.read.next = false;
        if self.regs.doorbell_write.val() & !self.resetting.q.val() {
            if self.queue.full.val() {
                self.dropped.d.next = true;
            } else {
                self.queue.write.next = true;
                self.accepted.d.next = self.accepted.q.val() + 1;
                self.error_flag.d.next = false;
                self.error.d.next = 0.into();
            }
        }

        // The plan of the command's c.
        self.plans.address.next = self.c.val().get_bits::<5>(0);
        self.plan.next = self.plans.data.val();

        // The core.
        self.core.c.next = self.c.val().get_bits::<5>(0);
        self.core.start.next = false;
        self.core.reduce.next = false;
        self.core.m_log2.next = self.plan.val().get_bits::<4>(0);
        self.core.last_chain.next = self.plan.val().get_bits::<A>(16);
        self.core.x.next = self.bases.data_out.val().get_bits::<256>(0);
        self.core.y.next = self.bases.data_out.val().get_bits::<256>(256);
        self.core.scalar.next = self.scalars.data_out.val().get_bits::<256>(0);
        if self.half.q.val() {
            self.core.scalar.next = self.scalars.data_out.val().get_bits::<256>(256);
        }
        self.core.point_valid.next = (self.state.q.val() == State::Stream)
            & !self.bases.empty.val()
            & !self.scalars.empty.val()
            & (self.taken.q.val() != self.count.val());
        self.point.next = self.core.point_valid.val() & self.core.point_ready.val();
        self.core.read_enable.next = self.state.q.val() == State::Write;
        self.core.read_lane.next = self.wb_lane.q.val();
        self.core.read_address.next = self.wb_chain.q.val();

        // Engines: started in Decode, stopped in Drain.
        self.host_read.start.next = false;
        self.host_read.stop.next = false;
        self.host_read.address.next = self.src.val();
        self.host_read.beats.next = self.count.val();
        self.host_write.start.next = false;
        self.host_write.stop.next = false;
        self.host_write.address.next = self.dst.val();
        self.host_write.beats.next = self.plan.val().get_bits::<32>(32);
        self.mem_read.start.next = false;
        self.mem_read.stop.next = false;
        self.mem_read.address.next = bit_cast::<64, 32>(self.base.val()) << self.beat_log2.val();
        self.mem_read.beats.next = self.count.val();
        self.mem_write.start.next = false;
        self.mem_write.stop.next = false;
        self.mem_write.address.next = bit_cast::<64, 32>(self.base.val()) << self.beat_log2.val();
        self.mem_write.beats.next = self.count.val();
        self.count_plus.next = self.count.val() + 1;
        if self.op.val() == self.op_msm.val() {
            // Two scalars per beat.
            self.host_read.beats.next =
                bit_cast::<32, 31>(self.count_plus.val().get_bits::<31>(1));
        }

        // Host memory: reads feed the scalar FIFO (MSM) or card memory (LOAD_BASES).
        self.dma_ar_valid.next = self.host_read.ar_valid.val();
        self.host_read.ar_ready.next = self.dma_ar_ready.val();
        self.dma_ar_addr.next = self.host_read.ar_addr.val();
        self.dma_ar_len.next = self.host_read.ar_len.val();
        self.dma_r_ready.next = false;
        self.mem_write.data_valid.next = false;
        if self.state.q.val() == State::Stream {
            self.dma_r_ready.next = !self.scalars.full.val();
        }
        if self.state.q.val() == State::Load {
            self.mem_write.data_valid.next = self.dma_r_valid.val();
            self.dma_r_ready.next = self.mem_write.data_take.val();
        }
        if self.state.q.val() == State::Drain {
            self.dma_r_ready.next = true;
        }
        self.host_beat.next = self.dma_r_valid.val() & self.dma_r_ready.val();
        self.host_read.beat.next = self.host_beat.val();
        self.scalars.data_in.next = self.dma_r_data.val();
        self.scalars.write.next = self.host_beat.val() & (self.state.q.val() == State::Stream);
        self.scalars.read.next = false;

        self.dma_aw_valid.next = self.host_write.aw_valid.val();
        self.host_write.aw_ready.next = self.dma_aw_ready.val();
        self.dma_aw_addr.next = self.host_write.aw_addr.val();
        self.dma_aw_len.next = self.host_write.aw_len.val();
        self.dma_w_valid.next = self.host_write.w_valid.val();
        self.host_write.w_ready.next = self.dma_w_ready.val();
        self.dma_w_last.next = self.host_write.w_last.val();
        self.dma_b_ready.next = true;
        self.host_write.b_valid.next = self.dma_b_valid.val();
        self.host_write.data_valid.next =
            (self.state.q.val() == State::Write) & !self.wb_settle.q.val();
        self.host_out.next = self.host_write.data_take.val();
        // The entry's three beats: plain X Y, plain Z and triangle X, triangle Y Z.
        self.dma_w_data.next = bit_cast::<512, 256>(self.core.plain_x.val())
            | (bit_cast::<512, 256>(self.core.plain_y.val()) << self.s256.val());
        if self.wb_beat.q.val() == 1 {
            self.dma_w_data.next = bit_cast::<512, 256>(self.core.plain_z.val())
                | (bit_cast::<512, 256>(self.core.triangle_x.val()) << self.s256.val());
        }
        if self.wb_beat.q.val() == 2 {
            self.dma_w_data.next = bit_cast::<512, 256>(self.core.triangle_y.val())
                | (bit_cast::<512, 256>(self.core.triangle_z.val()) << self.s256.val());
        }

        // Card memory: reads feed the base FIFO, writes come from host reads.
        self.mem_ar_valid.next = self.mem_read.ar_valid.val();
        self.mem_read.ar_ready.next = self.mem_ar_ready.val();
        self.mem_ar_addr.next = self.mem_read.ar_addr.val();
        self.mem_ar_len.next = self.mem_read.ar_len.val();
        self.mem_r_ready.next = false;
        if self.state.q.val() == State::Stream {
            self.mem_r_ready.next = !self.bases.full.val();
        }
        if self.state.q.val() == State::Drain {
            self.mem_r_ready.next = true;
        }
        self.mem_read.beat.next = self.mem_r_valid.val() & self.mem_r_ready.val();
        self.bases.data_in.next = self.mem_r_data.val();
        self.bases.write.next = self.mem_r_valid.val()
            & self.mem_r_ready.val()
            & (self.state.q.val() == State::Stream);
        self.bases.read.next = false;
        self.mem_aw_valid.next = self.mem_write.aw_valid.val();
        self.mem_write.aw_ready.next = self.mem_aw_ready.val();
        self.mem_aw_addr.next = self.mem_write.aw_addr.val();
        self.mem_aw_len.next = self.mem_write.aw_len.val();
        self.mem_w_valid.next = self.mem_write.w_valid.val();
        self.mem_write.w_ready.next = self.mem_w_ready.val();
        self.mem_w_data.next = self.dma_r_data.val();
        self.mem_w_last.next = self.mem_write.w_last.val();
        self.mem_b_ready.next = true;
        self.mem_write.b_valid.next = self.mem_b_valid.val();

        // Every running state counts its clocks and DMA bytes and watches for failures.
        self.active.next = (self.state.q.val() == State::Load)
            | (self.state.q.val() == State::Stream)
            | (self.state.q.val() == State::Accumulated)
            | (self.state.q.val() == State::Reduce)
            | (self.state.q.val() == State::Write);
        if self.state.q.val() != State::Idle {
            self.cycles.d.next = self.cycles.q.val() + 1;
        }
        if self.host_beat.val() | self.host_out.val() {
            self.dma_bytes.d.next = self.dma_bytes.q.val() + 64;
        }
        self.fail.next = 0.into();
        if self.dma_r_valid.val() & self.dma_r_ready.val() & (self.dma_r_resp.val() != 0) {
            self.fail.next = self.e_dma_read.val();
        }
        if self.dma_b_valid.val() & (self.dma_b_resp.val() != 0) {
            self.fail.next = self.e_dma_write.val();
        }
        if (self.mem_r_valid.val() & self.mem_r_ready.val() & (self.mem_r_resp.val() != 0))
            | (self.mem_b_valid.val() & (self.mem_b_resp.val() != 0))
        {
            self.fail.next = self.e_card_memory.val();
        }
        if (self.regs.watchdog.val() != 0)
            & (self.cycles.q.val() >= bit_cast::<64, 32>(self.regs.watchdog.val()))
        {
            self.fail.next = self.e_watchdog.val();
        }

        // The descriptor checks, the first failing in `CardError` order.
        self.end_64.next = bit_cast::<64, 32>(self.base.val())
            + bit_cast::<64, 32>(self.count.val());
        self.check.next = 0.into();
        if self.op.val() == self.op_msm.val() {
            if bit_cast::<32, 26>(self.dst_len.val().get_bits::<26>(6))
                < self.plan.val().get_bits::<32>(32)
            {
                self.check.next = self.e_result_small.val();
            }
            if (self.src.val().get_bits::<6>(0) != 0)
                | (self.dst.val().get_bits::<6>(0) != 0)
            {
                self.check.next = self.e_misaligned.val();
            }
            if self.end_64.val() > bit_cast::<64, 32>(self.loaded.q.val()) {
                self.check.next = self.e_not_loaded.val();
            }
            if (self.count.val() == 0) | (self.dst_len.val() == 0) {
                self.check.next = self.e_zero_length.val();
            }
            if (self.c.val() < self.two.val()) | (self.c.val() > self.c_max.val()) {
                self.check.next = self.e_bad_window.val();
            }
        } else if self.op.val() == self.op_load.val() {
            if self.src.val().get_bits::<6>(0) != 0 {
                self.check.next = self.e_misaligned.val();
            }
            if (self.base.val() > self.loaded.q.val())
                | (self.end_64.val() > bit_cast::<64, 32>(self.capacity.val()))
            {
                self.check.next = self.e_capacity.val();
            }
            if self.count.val() == 0 {
                self.check.next = self.e_zero_length.val();
            }
        } else {
            self.check.next = self.e_bad_op.val();
        }

        self.irq_q.d.next = false;
        self.irq.next = self.irq_q.q.val();
        self.all_done.next = self.host_read.done.val()
            & self.host_write.done.val()
            & self.mem_read.done.val()
            & self.mem_write.done.val();

        match self.state.q.val() {
            State::Idle => {
                self.cycles.d.next = 0.into();
                self.dma_bytes.d.next = 0.into();
                if self.resetting.q.val() {
                    self.state.d.next = State::Flush;
                } else if !self.queue.empty.val() {
                    self.cmd.d.next = self.queue.data_out.val();
                    self.queue.read.next = true;
                    self.state.d.next = State::Decode;
                }
            }
            State::Decode => {
                if self.check.val() != 0 {
                    self.error.d.next = self.check.val();
                    self.state.d.next = State::End;
                } else if self.op.val() == self.op_load.val() {
                    self.host_read.start.next = true;
                    self.mem_write.start.next = true;
                    // Bases from `base` on are in flux until the load ends.
                    self.loaded.d.next = self.base.val();
                    self.loaded_before.d.next = self.loaded.q.val();
                    self.state.d.next = State::Load;
                } else {
                    self.core.start.next = true;
                    self.host_read.start.next = true;
                    self.mem_read.start.next = true;
                    self.taken.d.next = 0.into();
                    self.half.d.next = false;
                    self.adds_before.d.next = self.core.adds.val();
                    self.conflicts_before.d.next = self.core.conflicts.val();
                    self.sweep_before.d.next = self.core.sweep_cycles.val();
                    self.state.d.next = State::Stream;
                }
            }
            State::Load => {
                if self.all_done.val() {
                    self.loaded.d.next = self.base.val() + self.count.val();
                    if self.loaded_before.q.val() > self.base.val() + self.count.val() {
                        self.loaded.d.next = self.loaded_before.q.val();
                    }
                    self.state.d.next = State::End;
                }
            }
            State::Stream => {
                if self.point.val() {
                    self.taken.d.next = self.taken.q.val() + 1;
                    self.half.d.next = !self.half.q.val();
                    self.bases.read.next = true;
                    self.scalars.read.next =
                        self.half.q.val() | (self.taken.q.val() + 1 == self.count.val());
                }
                if self.taken.q.val() == self.count.val() {
                    self.state.d.next = State::Accumulated;
                }
            }
            State::Accumulated => {
                if self.core.idle.val() {
                    self.core.reduce.next = true;
                    self.state.d.next = State::Reduce;
                }
            }
            State::Reduce => {
                if self.core.idle.val() {
                    self.host_write.start.next = true;
                    self.wb_lane.d.next = 0.into();
                    self.wb_chain.d.next = 0.into();
                    self.wb_beat.d.next = 0.into();
                    self.wb_settle.d.next = true;
                    self.state.d.next = State::Write;
                }
            }
            State::Write => {
                self.wb_settle.d.next = false;
                if self.host_out.val() {
                    self.wb_beat.d.next = self.wb_beat.q.val() + 1;
                    if self.wb_beat.q.val() == 2 {
                        self.wb_beat.d.next = 0.into();
                        self.wb_settle.d.next = true;
                        self.wb_lane.d.next = self.wb_lane.q.val() + 1;
                        if self.wb_lane.q.val() == self.last_lane.val() {
                            self.wb_lane.d.next = 0.into();
                            self.wb_chain.d.next = self.wb_chain.q.val() + 1;
                        }
                    }
                }
                // Started a clock ago: its `done` is meaningful now.
                if self.host_write.done.val() & !self.wb_settle.q.val() {
                    self.state.d.next = State::End;
                }
            }
            State::Drain => {
                self.host_read.stop.next = true;
                self.host_write.stop.next = true;
                self.mem_read.stop.next = true;
                self.mem_write.stop.next = true;
                self.scalars.read.next = !self.scalars.empty.val();
                self.bases.read.next = !self.bases.empty.val();
                if self.all_done.val()
                    & self.core.idle.val()
                    & self.scalars.empty.val()
                    & self.bases.empty.val()
                {
                    self.state.d.next = State::End;
                }
            }
            State::End => {
                self.total_cycles.d.next = self.total_cycles.q.val() + self.cycles.q.val();
                self.total_dma_bytes.d.next = self.total_dma_bytes.q.val() + self.dma_bytes.q.val();
                self.ended.d.next = self.seq.val() + 1;
                self.ended_at.d.next = self.clock_count.q.val();
                self.irq_q.d.next = self.regs.control.val().get_bit(1) & !self.resetting.q.val();
                self.state.d.next = State::Idle;
                if self.error.q.val() != 0 {
                    self.error_flag.d.next = true;
                    self.error_seq.d.next = self.seq.val();
                    self.state.d.next = State::Flush;
                } else if self.op.val() == self.op_msm.val() {
                    self.last_cycles.d.next = self.cycles.q.val();
                    self.last_dma_bytes.d.next = self.dma_bytes.q.val();
                    self.last_adds.d.next =
                        bit_cast::<64, 32>(self.core.adds.val() - self.adds_before.q.val());
                    self.last_conflicts.d.next =
                        bit_cast::<64, 32>(self.core.conflicts.val() - self.conflicts_before.q.val());
                    self.last_sweep.d.next =
                        bit_cast::<64, 32>(self.core.sweep_cycles.val() - self.sweep_before.q.val());
                    self.total_adds.d.next = self.total_adds.q.val()
                        + bit_cast::<64, 32>(self.core.adds.val() - self.adds_before.q.val());
                    self.total_conflicts.d.next = self.total_conflicts.q.val()
                        + bit_cast::<64, 32>(
                            self.core.conflicts.val() - self.conflicts_before.q.val(),
                        );
                }
                if self.resetting.q.val() {
                    self.state.d.next = State::Flush;
                }
            }
            State::Flush => {
                if !self.queue.empty.val() {
                    self.queue.read.next = true;
                    self.ended.d.next = self.head_seq.val() + 1;
                } else {
                    self.state.d.next = State::Idle;
                    if self.resetting.q.val() {
                        self.resetting.d.next = false;
                        self.accepted.d.next = 0.into();
                        self.ended.d.next = 0.into();
                        self.error.d.next = 0.into();
                        self.error_flag.d.next = false;
                        self.error_seq.d.next = 0.into();
                        self.dropped.d.next = false;
                    }
                }
            }
        }
        // A failure, or a reset, aborts a running command.
        if self.active.val() {
            if self.fail.val() != 0 {
                self.error.d.next = self.fail.val();
                self.state.d.next = State::Drain;
            } else if self.resetting.q.val() {
                self.state.d.next = State::Drain;
            }
        }

        // The queue count: pushes minus pops.
        if self.queue.write.val() & !self.queue.read.val() {
            self.queued.d.next = self.queued.q.val() + 1;
        }
        if !self.queue.write.val() & self.queue.read.val() {
            self.queued.d.next = self.queued.q.val() - 1;
        }
    }
}}
