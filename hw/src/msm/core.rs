//! The MSM core: the scalar slicer and `LANES` engines ([`super::engine`]), each with its own
//! adder lane and bucket memory. Lane i owns the windows w = g LANES + i, which its memory calls
//! slot g, and shares of the left-over windows (`msm_spec::lanes`): the slicer cuts one window
//! per lane each clock, and every point is used by every lane.
//!
//! Points (affine, Montgomery form) and canonical scalars stream in; the point waits in a
//! register while the slicer cuts its scalar. Each group of digits goes out in one clock: a
//! word (address, sign, point) to each lane whose digit is non-zero, once every such lane has
//! room; zero digits add nothing and are dropped here. Engines have input FIFOs, so one lane
//! waiting on a busy bucket does not stop the others at once.
//!
//! A left-over digit (with the last group) waits in its lane's `extra` register, with its
//! point, and goes to the engine on a clock the group stream sends that lane nothing. A group
//! whose left-over digit finds that register still full waits: the clock it waits drains every
//! lane's, so with r | LANES the lanes stall together once every s points and stay balanced.
//!
//! Bucket address in lane i: g 2^(c-1) + |d| - 1, dense for the run-time c; each lane's memory
//! holds ceil(W(c_max) / LANES) 2^(c_max-1) entries. The reduction runs in every lane at once
//! over its own address space; the host reads each lane's chain sums (`read_lane`).

use msm_spec::lanes::LaneSplit;
use msm_spec::reduction::{segment_plan, CardShape};
use rust_hdl::prelude::*;

use super::engine::{entry_bits, word_bits, MsmEngine};
use super::slicer::{Slicer, MAGNITUDE_BITS};
use crate::config::Config;
use crate::point::lane;

/// The type parameters of a configuration's core, derived from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub tag_bits: usize,
    pub lanes: usize,
    /// Bucket address bits of one lane: ceil(W(c_max) / lanes) 2^(c_max-1) entries.
    pub address_bits: usize,
    pub word_bits: usize,
    /// The in-flight table: ceil((L + 1) / II).
    pub depth: usize,
    /// Buckets per lane.
    pub entries: usize,
    /// The most chains a reduction runs, over every c <= c_max (`segment_plan`).
    pub chains: usize,
    pub epoch_bits: usize,
    /// A bucket entry: the point and its epoch.
    pub entry_bits: usize,
}

/// A core type and the shape its parameters give, for checking against [`shape`].
pub trait Shaped {
    const SHAPE: Shape;
}

/// The shape of `cfg`'s core with its own adder lane.
pub fn shape(cfg: &Config) -> Shape {
    shape_with_lane(cfg, lane::latency(cfg), lane::interval(cfg))
}

/// The shape of `cfg`'s core around a lane of latency `latency` taking an addition every
/// `interval` clocks (a stand-in lane in tests).
pub fn shape_with_lane(cfg: &Config, latency: usize, interval: usize) -> Shape {
    let entries = LaneSplit::new(cfg.c_max, cfg.lanes).slots() << (cfg.c_max - 1);
    let address_bits = entries.next_power_of_two().trailing_zeros() as usize;
    let need = CardShape {
        lanes: cfg.lanes,
        latency,
        interval,
    }
    .min_chains();
    let chains = (2..=cfg.c_max)
        .map(|c| segment_plan(c, LaneSplit::new(c, cfg.lanes).slots(), need).1 as usize)
        .max()
        .unwrap();
    assert!(chains <= 1 << address_bits);
    Shape {
        tag_bits: cfg.tag_bits as usize,
        lanes: cfg.lanes,
        address_bits,
        word_bits: word_bits(address_bits),
        depth: (latency + 1).div_ceil(interval),
        entries,
        chains,
        epoch_bits: cfg.epoch_bits as usize,
        entry_bits: entry_bits(cfg.epoch_bits as usize),
    }
}

#[derive(LogicBlock)]
pub struct MsmCore<
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
    /// Window width for this MSM; hold it from `start` until `idle`.
    pub c: Signal<In, Bits<5>>,
    /// One clock: a new MSM (every bucket reads as empty from now on).
    pub start: Signal<In, Bit>,
    pub point_valid: Signal<In, Bit>,
    pub point_ready: Signal<Out, Bit>,
    pub x: Signal<In, Bits<256>>,
    pub y: Signal<In, Bits<256>>,
    pub scalar: Signal<In, Bits<256>>,
    /// Nothing in flight: every point taken has been added to its buckets.
    pub idle: Signal<Out, Bit>,
    /// While idle: read lane `read_lane`'s bucket and chain sums at `read_address` (one clock
    /// later on `bucket_*`, `plain_*`, `triangle_*`).
    pub read_enable: Signal<In, Bit>,
    pub read_lane: Signal<In, Bits<8>>,
    pub read_address: Signal<In, Bits<A>>,
    pub bucket_x: Signal<Out, Bits<256>>,
    pub bucket_y: Signal<Out, Bits<256>>,
    pub bucket_z: Signal<Out, Bits<256>>,
    /// The bucket read belongs to this MSM (else it is empty: the identity).
    pub bucket_current: Signal<Out, Bit>,
    /// Clocks with a queued digit whose bucket is busy, summed over the lanes.
    pub conflicts: Signal<Out, Bits<32>>,
    /// Accumulation additions issued (one per non-zero digit), all lanes, since power-up.
    pub adds: Signal<Out, Bits<32>>,
    /// Clocks spent sweeping the buckets back to epoch 0, since power-up (the lanes sweep
    /// together).
    pub sweep_cycles: Signal<Out, Bits<32>>,
    /// One clock, while idle after accumulation: run the segment running sums in every lane.
    pub reduce: Signal<In, Bit>,
    /// With `reduce`: segment length m = 2^m_log2 buckets.
    pub m_log2: Signal<In, Bits<4>>,
    /// With `reduce`: chains per lane - 1, >= L + 1.
    pub last_chain: Signal<In, Bits<A>>,
    /// Chain `read_address`'s plain sum S_j and triangle sum T_j.
    pub plain_x: Signal<Out, Bits<256>>,
    pub plain_y: Signal<Out, Bits<256>>,
    pub plain_z: Signal<Out, Bits<256>>,
    pub triangle_x: Signal<Out, Bits<256>>,
    pub triangle_y: Signal<Out, Bits<256>>,
    pub triangle_z: Signal<Out, Bits<256>>,
    slicer: Slicer<LANES>,
    engine: [MsmEngine<TAG, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>; LANES],
    base_x: DFF<Bits<256>>,
    base_y: DFF<Bits<256>>,
    /// The lane of the last read, whose outputs are shown.
    shown: DFF<Bits<8>>,
    /// Each lane's waiting left-over digit: valid, slot, |d|, sign, point.
    extra_valid: [DFF<Bit>; LANES],
    extra_group: [DFF<Bits<8>>; LANES],
    extra_magnitude: [DFF<Bits<MAGNITUDE_BITS>>; LANES],
    extra_negative: [DFF<Bit>; LANES],
    extra_x: [DFF<Bits<256>>; LANES],
    extra_y: [DFF<Bits<256>>; LANES],
    need: [Signal<Local, Bit>; LANES],
    need_extra: [Signal<Local, Bit>; LANES],
    send: [Signal<Local, Bit>; LANES],
    room: Signal<Local, Bit>,
    all_idle: Signal<Local, Bit>,
    conflict_sum: Signal<Local, Bits<32>>,
    add_sum: Signal<Local, Bits<32>>,
}

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
    > Shaped for MsmCore<TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>
{
    const SHAPE: Shape = Shape {
        tag_bits: TAG,
        lanes: LANES,
        address_bits: A,
        word_bits: WORD,
        depth: DEPTH,
        entries: ENTRIES,
        chains: CHAINS,
        epoch_bits: EPOCH,
        entry_bits: ENTRY,
    };
}

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
    > Default for MsmCore<TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>
{
    fn default() -> Self {
        Self {
            clock: Default::default(),
            c: Default::default(),
            start: Default::default(),
            point_valid: Default::default(),
            point_ready: Default::default(),
            x: Default::default(),
            y: Default::default(),
            scalar: Default::default(),
            idle: Default::default(),
            read_enable: Default::default(),
            read_lane: Default::default(),
            read_address: Default::default(),
            bucket_x: Default::default(),
            bucket_y: Default::default(),
            bucket_z: Default::default(),
            bucket_current: Default::default(),
            conflicts: Default::default(),
            adds: Default::default(),
            sweep_cycles: Default::default(),
            reduce: Default::default(),
            m_log2: Default::default(),
            last_chain: Default::default(),
            plain_x: Default::default(),
            plain_y: Default::default(),
            plain_z: Default::default(),
            triangle_x: Default::default(),
            triangle_y: Default::default(),
            triangle_z: Default::default(),
            slicer: Default::default(),
            engine: std::array::from_fn(|_| Default::default()),
            base_x: Default::default(),
            base_y: Default::default(),
            shown: Default::default(),
            extra_valid: std::array::from_fn(|_| Default::default()),
            extra_group: std::array::from_fn(|_| Default::default()),
            extra_magnitude: std::array::from_fn(|_| Default::default()),
            extra_negative: std::array::from_fn(|_| Default::default()),
            extra_x: std::array::from_fn(|_| Default::default()),
            extra_y: std::array::from_fn(|_| Default::default()),
            need: std::array::from_fn(|_| Default::default()),
            need_extra: std::array::from_fn(|_| Default::default()),
            send: std::array::from_fn(|_| Default::default()),
            room: Default::default(),
            all_idle: Default::default(),
            conflict_sum: Default::default(),
            add_sum: Default::default(),
        }
    }
}

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
    > Logic for MsmCore<TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, base_x, base_y, shown);
        clock!(self, clock, slicer);
        for i in 0..LANES {
            self.engine[i].clock.next = self.clock.val();
            self.extra_valid[i].clock.next = self.clock.val();
            self.extra_group[i].clock.next = self.clock.val();
            self.extra_magnitude[i].clock.next = self.clock.val();
            self.extra_negative[i].clock.next = self.clock.val();
            self.extra_x[i].clock.next = self.clock.val();
            self.extra_y[i].clock.next = self.clock.val();
            self.extra_valid[i].d.next = self.extra_valid[i].q.val();
            self.extra_group[i].d.next = self.extra_group[i].q.val();
            self.extra_magnitude[i].d.next = self.extra_magnitude[i].q.val();
            self.extra_negative[i].d.next = self.extra_negative[i].q.val();
            self.extra_x[i].d.next = self.extra_x[i].q.val();
            self.extra_y[i].d.next = self.extra_y[i].q.val();
        }

        // Points in: the slicer takes the scalar, the point waits for its digits.
        self.slicer.c.next = self.c.val();
        self.slicer.scalar.next = self.scalar.val();
        self.slicer.scalar_valid.next = self.point_valid.val();
        self.slicer.start.next = self.start.val();
        self.point_ready.next = self.slicer.scalar_ready.val();
        if self.point_valid.val() & self.slicer.scalar_ready.val() {
            self.base_x.d.next = self.x.val();
            self.base_y.d.next = self.y.val();
        }

        // A group leaves when every lane with a non-zero digit has room for it, and every lane
        // with a non-zero left-over digit an empty extra register.
        self.room.next = true;
        for i in 0..LANES {
            self.need[i].next =
                self.slicer.present[i].val() & (self.slicer.magnitude[i].val() != 0);
            self.need_extra[i].next =
                self.slicer.extra[i].val() & (self.slicer.extra_magnitude[i].val() != 0);
            if self.need[i].val() & !self.engine[i].digit_ready.val() {
                self.room.next = false;
            }
            if self.need_extra[i].val() & self.extra_valid[i].q.val() {
                self.room.next = false;
            }
        }
        self.slicer.group_ready.next = self.room.val();
        for i in 0..LANES {
            self.send[i].next =
                self.slicer.group_valid.val() & self.need[i].val() & self.room.val();
            self.engine[i].c.next = self.c.val();
            self.engine[i].group.next = self.slicer.group.val();
            self.engine[i].magnitude.next = self.slicer.magnitude[i].val();
            self.engine[i].negative.next = self.slicer.negative[i].val();
            self.engine[i].x.next = self.base_x.q.val();
            self.engine[i].y.next = self.base_y.q.val();
            self.engine[i].digit_valid.next = self.send[i].val();
            // A clock the group sends this lane nothing: its waiting left-over digit.
            if !self.send[i].val() & self.extra_valid[i].q.val() {
                self.engine[i].group.next = self.extra_group[i].q.val();
                self.engine[i].magnitude.next = self.extra_magnitude[i].q.val();
                self.engine[i].negative.next = self.extra_negative[i].q.val();
                self.engine[i].x.next = self.extra_x[i].q.val();
                self.engine[i].y.next = self.extra_y[i].q.val();
                self.engine[i].digit_valid.next = true;
                if self.engine[i].digit_ready.val() {
                    self.extra_valid[i].d.next = false;
                }
            }
            if self.slicer.group_valid.val() & self.room.val() & self.need_extra[i].val() {
                self.extra_valid[i].d.next = true;
                self.extra_group[i].d.next = self.slicer.group.val() + 1;
                self.extra_magnitude[i].d.next = self.slicer.extra_magnitude[i].val();
                self.extra_negative[i].d.next = self.slicer.extra_negative[i].val();
                self.extra_x[i].d.next = self.base_x.q.val();
                self.extra_y[i].d.next = self.base_y.q.val();
            }
            self.engine[i].start.next = self.start.val();
            self.engine[i].read_enable.next = false;
            if self.read_enable.val() & (self.read_lane.val().index() == i) {
                self.engine[i].read_enable.next = true;
            }
            self.engine[i].read_address.next = self.read_address.val();
            self.engine[i].reduce.next = self.reduce.val();
            self.engine[i].m_log2.next = self.m_log2.val();
            self.engine[i].last_chain.next = self.last_chain.val();
        }

        // Reads: the lane read shows its outputs from the next clock on.
        if self.read_enable.val() {
            self.shown.d.next = self.read_lane.val();
        }
        self.bucket_x.next = 0.into();
        self.bucket_y.next = 0.into();
        self.bucket_z.next = 0.into();
        self.bucket_current.next = false;
        self.plain_x.next = 0.into();
        self.plain_y.next = 0.into();
        self.plain_z.next = 0.into();
        self.triangle_x.next = 0.into();
        self.triangle_y.next = 0.into();
        self.triangle_z.next = 0.into();
        self.all_idle.next = !self.slicer.group_valid.val();
        self.conflict_sum.next = 0.into();
        self.add_sum.next = 0.into();
        for i in 0..LANES {
            if self.shown.q.val().index() == i {
                self.bucket_x.next = self.engine[i].bucket_x.val();
                self.bucket_y.next = self.engine[i].bucket_y.val();
                self.bucket_z.next = self.engine[i].bucket_z.val();
                self.bucket_current.next = self.engine[i].bucket_current.val();
                self.plain_x.next = self.engine[i].plain_x.val();
                self.plain_y.next = self.engine[i].plain_y.val();
                self.plain_z.next = self.engine[i].plain_z.val();
                self.triangle_x.next = self.engine[i].triangle_x.val();
                self.triangle_y.next = self.engine[i].triangle_y.val();
                self.triangle_z.next = self.engine[i].triangle_z.val();
            }
            if !self.engine[i].idle.val() | self.extra_valid[i].q.val() {
                self.all_idle.next = false;
            }
            self.conflict_sum.next = self.conflict_sum.val() + self.engine[i].conflicts.val();
            self.add_sum.next = self.add_sum.val() + self.engine[i].adds.val();
        }
        self.idle.next = self.all_idle.val();
        self.conflicts.next = self.conflict_sum.val();
        self.adds.next = self.add_sum.val();
        self.sweep_cycles.next = self.engine[0].sweep_cycles.val();
    }
}
