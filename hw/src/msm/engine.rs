//! One lane's share of the MSM: its windows' bucket accumulation (`bucket[w][|d|] += ±P` for
//! every non-zero digit), then the segment running sums over its buckets, both through its
//! adder lane.
//!
//! Non-zero digits arrive with their point and become words (bucket address, sign, point) in a
//! small input FIFO that lets the lanes run apart. A word whose bucket is in flight (read, not yet written back) is
//! parked in a FIFO and retried when its bucket is free; a full FIFO stalls the input
//! (back-pressure, nothing dropped). Each clock issues at most one addition.
//!
//! Issue: the bucket's address goes to the bucket RAM and into the in-flight table. Next clock:
//! the bucket (or the identity, if its entry is from an earlier MSM) and the point enter the
//! lane in mixed mode (Z2 = 1), the address as the tag. L clocks later the sum is written back.
//! The in-flight table is a shift register of the last L + 1 issued addresses (a CAM): an
//! address leaves it at the edge that writes its bucket back, so a later read sees the sum. It
//! costs O(L) registers instead of a busy bit per bucket (147,456 buckets per lane on a U55C).
//!
//! A folded lane takes an addition every II clocks: the engine issues (and the reduction
//! steps) only in the clocks the lane marks with `slot`, and the table shifts only then, so
//! ceil((L + 1) / II) entries cover the L + 1 clocks an address is in flight.
//!
//! Entries carry the epoch of the MSM that wrote them: `start` begins an MSM by moving to the
//! next epoch, so an entry of an earlier MSM reads as empty with no clearing. Epoch 0 is no
//! MSM's (power-up leaves every entry at 0); when the last epoch (2^EPOCH - 1) is used up,
//! `start` sweeps every entry back to epoch 0, one per clock, before the MSM's first add, and
//! the MSM runs in epoch 1. A stale entry can therefore never match: every 2^EPOCH - 1 MSMs
//! cost `ENTRIES` extra clocks (counted in `sweep_cycles`).
//!
//! Reduction (`reduce`, once idle): the bucket address space is cut into chains of m = 2^m_log2
//! consecutive buckets (a window's segments; the upper half of a narrower window's slot, and
//! the space past the last window, are empty and sum to the identity). Each chain runs
//! R += B_k, S += R for k = m..1, giving its plain sum S_j = R and triangle sum T_j = S
//! (`msm_spec::reduction::segment_sums`). One round issues phase A (R += B_k) for every chain,
//! then phase B (S += R) for every chain, so a chain reads R or S `chains` clocks after issuing
//! it: at least ceil((L + 2) / II) chains (`CardShape::min_chains`) keep the lane full with
//! no check.

use msm_spec::limbs::R_MOD_P;
use rust_hdl::prelude::*;

use super::ram::SizedRam;
use super::slicer::MAGNITUDE_BITS;
use crate::field::limbs_to_bits;
use crate::point::lane::FqLane;

/// A bucket entry: X, Y, Z and the epoch.
pub const fn entry_bits(epoch_bits: usize) -> usize {
    3 * 256 + epoch_bits
}
/// A waiting addition (input, queue entry, parked) is x at 0, y at 256, the sign at
/// `SIGN_BIT` and the bucket address above it. The variable-width field is on top so every
/// offset is a literal (rust-hdl emits index arguments as written).
pub const SIGN_BIT: usize = 512;
pub const fn word_bits(address_bits: usize) -> usize {
    SIGN_BIT + 1 + address_bits
}

/// `A`: bucket address bits; `WORD` = [`word_bits`]`(A)`; `DEPTH` = ceil((L + 1) / II) (the
/// in-flight table); `ENTRIES` buckets; `CHAINS`: the most chains a reduction runs (its sums' RAMs);
/// `EPOCH`: epoch bits; `ENTRY` = [`entry_bits`]`(EPOCH)`.
#[derive(LogicBlock)]
pub struct MsmEngine<
    const TAG: usize,
    const A: usize,
    const WORD: usize,
    const DEPTH: usize,
    const ENTRIES: usize,
    const CHAINS: usize,
    const EPOCH: usize,
    const ENTRY: usize,
> {
    pub clock: Signal<In, Clock>,
    /// One clock: a new MSM (every bucket reads as empty from now on).
    pub start: Signal<In, Bit>,
    /// Window width of this MSM.
    pub c: Signal<In, Bits<5>>,
    /// A non-zero digit of window `group` (this lane's numbering) and its point.
    pub digit_valid: Signal<In, Bit>,
    pub digit_ready: Signal<Out, Bit>,
    pub group: Signal<In, Bits<8>>,
    pub magnitude: Signal<In, Bits<MAGNITUDE_BITS>>,
    pub negative: Signal<In, Bit>,
    pub x: Signal<In, Bits<256>>,
    pub y: Signal<In, Bits<256>>,
    /// Nothing waiting or in flight.
    pub idle: Signal<Out, Bit>,
    /// While idle: read a bucket and a chain's sums (one clock later on the outputs).
    pub read_enable: Signal<In, Bit>,
    pub read_address: Signal<In, Bits<A>>,
    pub bucket_x: Signal<Out, Bits<256>>,
    pub bucket_y: Signal<Out, Bits<256>>,
    pub bucket_z: Signal<Out, Bits<256>>,
    /// The bucket read belongs to this MSM (else it is empty: the identity).
    pub bucket_current: Signal<Out, Bit>,
    /// Clocks with a queued word whose bucket is busy (it parks, or waits for FIFO room).
    pub conflicts: Signal<Out, Bits<32>>,
    /// Accumulation additions issued, counted since power-up.
    pub adds: Signal<Out, Bits<32>>,
    /// Clocks spent sweeping the buckets back to epoch 0, counted since power-up.
    pub sweep_cycles: Signal<Out, Bits<32>>,
    /// One clock, while idle after accumulation: run the segment running sums.
    pub reduce: Signal<In, Bit>,
    /// With `reduce`: segment length m = 2^m_log2 buckets.
    pub m_log2: Signal<In, Bits<4>>,
    /// With `reduce`: chains - 1, >= ceil((L + 2) / II) - 1.
    pub last_chain: Signal<In, Bits<A>>,
    /// Chain `read_address`'s plain sum S_j and triangle sum T_j.
    pub plain_x: Signal<Out, Bits<256>>,
    pub plain_y: Signal<Out, Bits<256>>,
    pub plain_z: Signal<Out, Bits<256>>,
    pub triangle_x: Signal<Out, Bits<256>>,
    pub triangle_y: Signal<Out, Bits<256>>,
    pub triangle_z: Signal<Out, Bits<256>>,
    inbox: SynchronousFIFO<Bits<WORD>, 3, 4, 1>,
    /// The adder lane (`fq_lane`, generated in the same file), by reference.
    lane: FqLane<TAG>,
    ram: SizedRam<ENTRY, A, ENTRIES>,
    plain: SizedRam<768, A, CHAINS>,
    triangle: SizedRam<768, A, CHAINS>,
    reducing: DFF<Bit>,
    reduce_mode: DFF<Bit>,
    red_phase: DFF<Bit>,
    red_first: DFF<Bit>,
    red_chain: DFF<Bits<A>>,
    red_step: DFF<Bits<A>>,
    red_m_log2: DFF<Bits<4>>,
    red_last: DFF<Bits<A>>,
    s1_reduce: DFF<Bit>,
    s1_phase: DFF<Bit>,
    s1_first: DFF<Bit>,
    /// Tag bit A: a phase B (triangle) result.
    phase_flag: Constant<Bits<TAG>>,
    red_address: Signal<Local, Bits<A>>,
    one_a: Constant<Bits<A>>,
    sum_data: Signal<Local, Bits<768>>,
    park: SynchronousFIFO<Bits<WORD>, 4, 5, 1>,
    /// In-flight table: entry k holds the address issued k + 1 slots ago.
    cam: [DFF<Bits<A>>; DEPTH],
    cam_valid: [DFF<Bit>; DEPTH],
    epoch: DFF<Bits<EPOCH>>,
    last_epoch: Constant<Bits<EPOCH>>,
    sweeping: DFF<Bit>,
    sweep_address: DFF<Bits<A>>,
    last_entry: Constant<Bits<A>>,
    sweep_count: DFF<Bits<32>>,
    in_flight: DFF<Bits<16>>,
    conflict_count: DFF<Bits<32>>,
    add_count: DFF<Bits<32>>,
    // The issued addition, waiting one clock for its bucket.
    s1_valid: DFF<Bit>,
    s1_negate: DFF<Bit>,
    s1_address: DFF<Bits<A>>,
    s1_x: DFF<Bits<256>>,
    s1_y: DFF<Bits<256>>,
    one: Constant<Bits<256>>,
    shift_y: Constant<Bits<16>>,
    shift_z: Constant<Bits<16>>,
    shift_epoch: Constant<Bits<16>>,
    shift_address: Constant<Bits<16>>,
    negate_flag: Constant<Bits<WORD>>,
    one5: Constant<Bits<5>>,
    one_magnitude: Constant<Bits<MAGNITUDE_BITS>>,
    address: Signal<Local, Bits<A>>,
    sign: Signal<Local, Bits<WORD>>,
    head_address: Signal<Local, Bits<A>>,
    head_match: Signal<Local, Bits<DEPTH>>,
    head_busy: Signal<Local, Bit>,
    head_free: Signal<Local, Bit>,
    digit_add: Signal<Local, Bit>,
    // The queue: A (older) and B, each a word.
    a_valid: DFF<Bit>,
    a_entry: DFF<Bits<WORD>>,
    b_valid: DFF<Bit>,
    b_entry: DFF<Bits<WORD>>,
    issued: Signal<Local, Bits<WORD>>,
    a_address: Signal<Local, Bits<A>>,
    b_address: Signal<Local, Bits<A>>,
    a_match: Signal<Local, Bits<DEPTH>>,
    b_match: Signal<Local, Bits<DEPTH>>,
    a_busy: Signal<Local, Bit>,
    b_busy: Signal<Local, Bit>,
    a_free: Signal<Local, Bit>,
    b_free: Signal<Local, Bit>,
    issue_a: Signal<Local, Bit>,
    issue_b: Signal<Local, Bit>,
    park_a: Signal<Local, Bit>,
    park_b: Signal<Local, Bit>,
    stay_a: Signal<Local, Bit>,
    stay_b: Signal<Local, Bit>,
    issue: Signal<Local, Bit>,
    issue_head: Signal<Local, Bit>,
    issue_address: Signal<Local, Bits<A>>,
    current: Signal<Local, Bit>,
}

impl<
        const TAG: usize,
        const A: usize,
        const WORD: usize,
        const DEPTH: usize,
        const ENTRIES: usize,
        const CHAINS: usize,
        const EPOCH: usize,
        const ENTRY: usize,
    > Default for MsmEngine<TAG, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>
{
    fn default() -> Self {
        assert!(
            TAG > A,
            "the lane's tag carries the bucket address and the phase"
        );
        assert_eq!(WORD, word_bits(A), "word layout");
        assert!(A <= 32 && DEPTH >= 2);
        assert!(EPOCH >= 1 && ENTRY == entry_bits(EPOCH), "entry layout");
        Self {
            clock: Default::default(),
            start: Default::default(),
            c: Default::default(),
            digit_valid: Default::default(),
            digit_ready: Default::default(),
            group: Default::default(),
            magnitude: Default::default(),
            negative: Default::default(),
            x: Default::default(),
            y: Default::default(),
            idle: Default::default(),
            read_enable: Default::default(),
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
            inbox: Default::default(),
            lane: FqLane::reference(),
            ram: Default::default(),
            plain: Default::default(),
            triangle: Default::default(),
            reducing: Default::default(),
            reduce_mode: Default::default(),
            red_phase: Default::default(),
            red_first: Default::default(),
            red_chain: Default::default(),
            red_step: Default::default(),
            red_m_log2: Default::default(),
            red_last: Default::default(),
            s1_reduce: Default::default(),
            s1_phase: Default::default(),
            s1_first: Default::default(),
            phase_flag: Constant::new(bits::<TAG>(1) << bits::<16>(A as u64)),
            red_address: Default::default(),
            one_a: Constant::new(bits(1)),
            sum_data: Default::default(),
            park: Default::default(),
            cam: std::array::from_fn(|_| Default::default()),
            cam_valid: std::array::from_fn(|_| Default::default()),
            epoch: Default::default(),
            last_epoch: Constant::new(bits::<EPOCH>(u64::MAX >> (64 - EPOCH))),
            sweeping: Default::default(),
            sweep_address: Default::default(),
            last_entry: Constant::new(bits(ENTRIES as u64 - 1)),
            sweep_count: Default::default(),
            in_flight: Default::default(),
            conflict_count: Default::default(),
            add_count: Default::default(),
            s1_valid: Default::default(),
            s1_negate: Default::default(),
            s1_address: Default::default(),
            s1_x: Default::default(),
            s1_y: Default::default(),
            one: Constant::new(limbs_to_bits(&R_MOD_P)),
            shift_y: Constant::new(bits(256)),
            shift_z: Constant::new(bits(512)),
            shift_epoch: Constant::new(bits(768)),
            shift_address: Constant::new(bits(SIGN_BIT as u64 + 1)),
            negate_flag: Constant::new(bits::<WORD>(1) << bits::<16>(SIGN_BIT as u64)),
            one5: Constant::new(bits(1)),
            one_magnitude: Constant::new(bits(1)),
            address: Default::default(),
            sign: Default::default(),
            head_address: Default::default(),
            head_match: Default::default(),
            head_busy: Default::default(),
            head_free: Default::default(),
            digit_add: Default::default(),
            a_valid: Default::default(),
            a_entry: Default::default(),
            b_valid: Default::default(),
            b_entry: Default::default(),
            issued: Default::default(),
            a_address: Default::default(),
            b_address: Default::default(),
            a_match: Default::default(),
            b_match: Default::default(),
            a_busy: Default::default(),
            b_busy: Default::default(),
            a_free: Default::default(),
            b_free: Default::default(),
            issue_a: Default::default(),
            issue_b: Default::default(),
            park_a: Default::default(),
            park_b: Default::default(),
            stay_a: Default::default(),
            stay_b: Default::default(),
            issue: Default::default(),
            issue_head: Default::default(),
            issue_address: Default::default(),
            current: Default::default(),
        }
    }
}

impl<
        const TAG: usize,
        const A: usize,
        const WORD: usize,
        const DEPTH: usize,
        const ENTRIES: usize,
        const CHAINS: usize,
        const EPOCH: usize,
        const ENTRY: usize,
    > Logic for MsmEngine<TAG, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            epoch,
            sweeping,
            sweep_address,
            sweep_count,
            in_flight,
            conflict_count,
            add_count,
            s1_valid,
            s1_negate,
            s1_address,
            s1_x,
            s1_y,
            reducing,
            reduce_mode,
            red_phase,
            red_first,
            red_chain,
            red_step,
            red_m_log2,
            red_last,
            s1_reduce,
            s1_phase,
            s1_first,
            a_valid,
            a_entry,
            b_valid,
            b_entry
        );
        clock!(self, clock, lane, park, inbox, ram, plain, triangle);
        for i in 0..DEPTH {
            self.cam[i].clock.next = self.clock.val();
            self.cam_valid[i].clock.next = self.clock.val();
        }

        // The digit becomes a word: bucket address g 2^(c-1) + |d| - 1, sign, point.
        self.address.next = (bit_cast::<A, 8>(self.group.val())
            << bit_cast::<A, 5>(self.c.val() - self.one5.val()))
            + bit_cast::<A, MAGNITUDE_BITS>(self.magnitude.val() - self.one_magnitude.val());
        self.sign.next = 0.into();
        if self.negative.val() {
            self.sign.next = self.negate_flag.val();
        }
        self.inbox.data_in.next = bit_cast::<WORD, 256>(self.x.val())
            | (bit_cast::<WORD, 256>(self.y.val()) << self.shift_y.val())
            | self.sign.val()
            | (bit_cast::<WORD, A>(self.address.val()) << self.shift_address.val());
        self.inbox.write.next = self.digit_valid.val();
        self.digit_ready.next = !self.inbox.full.val();
        // Nothing leaves the input while the buckets are swept.
        self.digit_add.next = !self.inbox.empty.val() & !self.sweeping.q.val();

        // Candidates: the parked head, then the queue's A and B (A older), each addable if its
        // bucket is not in the in-flight table. One issues: the head, else A, else B. One busy
        // entry of the queue parks (A first) if the FIFO has room, alongside the issue: with
        // two queued words a busy one costs no issue slot.
        self.head_address.next = self.park.data_out.val().get_bits::<A>(513);
        self.a_address.next = self.a_entry.q.val().get_bits::<A>(513);
        self.b_address.next = self.b_entry.q.val().get_bits::<A>(513);
        // One match bit per table entry, then an OR over the vector: a balanced tree (a chain of
        // DEPTH conditional assignments made yosys's ABC9 recurse out of stack).
        self.head_match.next = 0.into();
        self.a_match.next = 0.into();
        self.b_match.next = 0.into();
        for i in 0..DEPTH {
            self.head_match.next = self.head_match.val().replace_bit(
                i,
                self.cam_valid[i].q.val() & (self.cam[i].q.val() == self.head_address.val()),
            );
            self.a_match.next = self.a_match.val().replace_bit(
                i,
                self.cam_valid[i].q.val() & (self.cam[i].q.val() == self.a_address.val()),
            );
            self.b_match.next = self.b_match.val().replace_bit(
                i,
                self.cam_valid[i].q.val() & (self.cam[i].q.val() == self.b_address.val()),
            );
        }
        self.head_busy.next = self.head_match.val().any();
        self.a_busy.next = self.a_match.val().any();
        self.b_busy.next = self.b_match.val().any();
        self.head_free.next = !self.park.empty.val() & !self.head_busy.val();
        self.a_free.next = !self.a_busy.val();
        self.b_free.next = !self.b_busy.val();
        self.issue_head.next = self.lane.slot.val() & self.head_free.val();
        self.issue_a.next =
            self.lane.slot.val() & !self.head_free.val() & self.a_valid.q.val() & self.a_free.val();
        self.issue_b.next = self.lane.slot.val()
            & !self.head_free.val()
            & self.a_valid.q.val()
            & !self.a_free.val()
            & self.b_valid.q.val()
            & self.b_free.val();
        self.park_a.next = self.a_valid.q.val() & !self.a_free.val() & !self.park.full.val();
        self.park_b.next =
            self.b_valid.q.val() & !self.b_free.val() & !self.park_a.val() & !self.park.full.val();
        self.issue.next = self.issue_head.val() | self.issue_a.val() | self.issue_b.val();
        self.issued.next = self.park.data_out.val();
        if self.issue_a.val() {
            self.issued.next = self.a_entry.q.val();
        }
        if self.issue_b.val() {
            self.issued.next = self.b_entry.q.val();
        }
        self.issue_address.next = self.issued.val().get_bits::<A>(513);
        self.park.read.next = self.issue_head.val();
        self.park.write.next = self.park_a.val() | self.park_b.val();
        self.park.data_in.next = self.a_entry.q.val();
        if self.park_b.val() {
            self.park.data_in.next = self.b_entry.q.val();
        }
        if (self.a_valid.q.val() & !self.a_free.val()) | (self.b_valid.q.val() & !self.b_free.val())
        {
            self.conflict_count.d.next = self.conflict_count.q.val() + 1;
        }
        // The in-flight table shifts every slot; the issue enters at the bottom.
        for i in 0..DEPTH {
            self.cam[i].d.next = self.cam[i].q.val();
            self.cam_valid[i].d.next = self.cam_valid[i].q.val();
        }
        if self.lane.slot.val() {
            self.cam[0].d.next = self.issue_address.val();
            self.cam_valid[0].d.next = self.issue.val();
            for i in 1..DEPTH {
                self.cam[i].d.next = self.cam[i - 1].q.val();
                self.cam_valid[i].d.next = self.cam_valid[i - 1].q.val();
            }
        }

        // The queue moves up past the entries that left; the input's head joins if there is
        // room.
        self.stay_a.next = self.a_valid.q.val() & !self.issue_a.val() & !self.park_a.val();
        self.stay_b.next = self.b_valid.q.val() & !self.issue_b.val() & !self.park_b.val();
        self.inbox.read.next = self.digit_add.val() & !(self.stay_a.val() & self.stay_b.val());
        self.a_valid.d.next = self.stay_a.val() | self.stay_b.val() | self.digit_add.val();
        self.b_valid.d.next = (self.stay_a.val() & self.stay_b.val())
            | ((self.stay_a.val() | self.stay_b.val()) & self.digit_add.val());
        // A' = A if it stays, else B if it stays, else the input; B' = the next of those.
        self.a_entry.d.next = self.inbox.data_out.val();
        if self.stay_a.val() {
            self.a_entry.d.next = self.a_entry.q.val();
        } else if self.stay_b.val() {
            self.a_entry.d.next = self.b_entry.q.val();
        }
        self.b_entry.d.next = self.inbox.data_out.val();
        if self.stay_a.val() & self.stay_b.val() {
            self.b_entry.d.next = self.b_entry.q.val();
        }

        // Issue: read the bucket; next clock the lane gets bucket and point.
        // Reduction: chain q, bucket offset k (from m - 1 down), phase A (R += B_k) over every
        // chain, then phase B (S += R) over every chain; rounds k = m-1..0. A chain's next read
        // of R or S comes `last_chain + 1` slots of II clocks, so >= L + 2 clocks, after it was
        // issued:
        // written back.
        self.red_address.next = (self.red_chain.q.val()
            << bit_cast::<A, 4>(self.red_m_log2.q.val()))
            + self.red_step.q.val();
        if self.reducing.q.val() & self.lane.slot.val() {
            self.red_chain.d.next = self.red_chain.q.val() + 1;
            if self.red_chain.q.val() == self.red_last.q.val() {
                self.red_chain.d.next = 0.into();
                self.red_phase.d.next = !self.red_phase.q.val();
                if self.red_phase.q.val() {
                    self.red_first.d.next = false;
                    self.red_step.d.next = self.red_step.q.val() - self.one_a.val();
                    if self.red_step.q.val() == 0 {
                        self.reducing.d.next = false;
                    }
                }
            }
        }
        if self.reduce.val() {
            self.reducing.d.next = true;
            self.reduce_mode.d.next = true;
            self.red_phase.d.next = false;
            self.red_first.d.next = true;
            self.red_chain.d.next = 0.into();
            self.red_m_log2.d.next = self.m_log2.val();
            self.red_last.d.next = self.last_chain.val();
            self.red_step.d.next =
                (self.one_a.val() << bit_cast::<A, 4>(self.m_log2.val())) - self.one_a.val();
        }

        self.ram.read_address.next = self.issue_address.val();
        if self.reducing.q.val() {
            self.ram.read_address.next = self.red_address.val();
        }
        self.plain.read_address.next = self.red_chain.q.val();
        self.triangle.read_address.next = self.red_chain.q.val();
        if self.read_enable.val() {
            self.ram.read_address.next = self.read_address.val();
            self.plain.read_address.next = self.read_address.val();
            self.triangle.read_address.next = self.read_address.val();
        }
        self.s1_valid.d.next = self.issue.val() | (self.reducing.q.val() & self.lane.slot.val());
        self.s1_reduce.d.next = self.reducing.q.val();
        self.s1_phase.d.next = self.red_phase.q.val();
        self.s1_first.d.next = self.red_first.q.val();
        self.s1_address.d.next = self.issue_address.val();
        if self.reducing.q.val() {
            self.s1_address.d.next = self.red_chain.q.val();
        }
        self.s1_negate.d.next = self.issued.val().get_bit(512);
        self.s1_x.d.next = self.issued.val().get_bits::<256>(0);
        self.s1_y.d.next = self.issued.val().get_bits::<256>(256);
        self.in_flight.d.next = self.in_flight.q.val();
        if self.s1_valid.d.val() & !self.lane.valid_out.val() {
            self.in_flight.d.next = self.in_flight.q.val() + 1;
        }
        if !self.s1_valid.d.val() & self.lane.valid_out.val() {
            self.in_flight.d.next = self.in_flight.q.val() - 1;
        }

        // The bucket as read (the identity if an earlier MSM wrote it) plus the point.
        self.current.next = self.ram.read_data.val().get_bits::<EPOCH>(768) == self.epoch.q.val();
        self.lane.valid_in.next = self.s1_valid.q.val();
        self.lane.negate.next = self.s1_negate.q.val();
        self.lane.tag_in.next = bit_cast::<TAG, A>(self.s1_address.q.val());
        self.lane.x1.next = 0.into();
        self.lane.y1.next = self.one.val();
        self.lane.z1.next = 0.into();
        if self.current.val() {
            self.lane.x1.next = self.ram.read_data.val().get_bits::<256>(0);
            self.lane.y1.next = self.ram.read_data.val().get_bits::<256>(256);
            self.lane.z1.next = self.ram.read_data.val().get_bits::<256>(512);
        }
        self.lane.x2.next = self.s1_x.q.val();
        self.lane.y2.next = self.s1_y.q.val();
        self.lane.z2.next = self.one.val();
        // Reduction. A: R (or O) + B_k; B: S (or O) + R.
        self.sum_data.next = self.plain.read_data.val();
        if self.s1_reduce.q.val() {
            self.lane.negate.next = false;
            if self.s1_phase.q.val() {
                self.sum_data.next = self.triangle.read_data.val();
            }
            self.lane.x1.next = self.sum_data.val().get_bits::<256>(0);
            self.lane.y1.next = self.sum_data.val().get_bits::<256>(256);
            self.lane.z1.next = self.sum_data.val().get_bits::<256>(512);
            if self.s1_first.q.val() {
                self.lane.x1.next = 0.into();
                self.lane.y1.next = self.one.val();
                self.lane.z1.next = 0.into();
            }
            self.lane.x2.next = 0.into();
            self.lane.y2.next = self.one.val();
            self.lane.z2.next = 0.into();
            if self.current.val() {
                self.lane.x2.next = self.ram.read_data.val().get_bits::<256>(0);
                self.lane.y2.next = self.ram.read_data.val().get_bits::<256>(256);
                self.lane.z2.next = self.ram.read_data.val().get_bits::<256>(512);
            }
            if self.s1_phase.q.val() {
                self.lane.x2.next = self.plain.read_data.val().get_bits::<256>(0);
                self.lane.y2.next = self.plain.read_data.val().get_bits::<256>(256);
                self.lane.z2.next = self.plain.read_data.val().get_bits::<256>(512);
                self.lane.tag_in.next =
                    bit_cast::<TAG, A>(self.s1_address.q.val()) | self.phase_flag.val();
            }
        }

        // Write-back, tagged with this MSM's epoch.
        self.ram.write_enable.next = self.lane.valid_out.val() & !self.reduce_mode.q.val();
        self.plain.write_enable.next = self.lane.valid_out.val()
            & self.reduce_mode.q.val()
            & ((self.lane.tag_out.val() & self.phase_flag.val()) == 0);
        self.triangle.write_enable.next = self.lane.valid_out.val()
            & self.reduce_mode.q.val()
            & ((self.lane.tag_out.val() & self.phase_flag.val()) != 0);
        self.plain.write_address.next = self.lane.tag_out.val().get_bits::<A>(0);
        self.triangle.write_address.next = self.lane.tag_out.val().get_bits::<A>(0);
        self.plain.write_data.next = bit_cast::<768, 256>(self.lane.x3.val())
            | (bit_cast::<768, 256>(self.lane.y3.val()) << self.shift_y.val())
            | (bit_cast::<768, 256>(self.lane.z3.val()) << self.shift_z.val());
        self.triangle.write_data.next = self.plain.write_data.val();
        // A bucket entry is the same point with this MSM's epoch above it.
        self.ram.write_data.next = bit_cast::<ENTRY, 768>(self.plain.write_data.val())
            | (bit_cast::<ENTRY, EPOCH>(self.epoch.q.val()) << self.shift_epoch.val());
        self.ram.write_address.next = self.lane.tag_out.val().get_bits::<A>(0);
        // The sweep: every entry back to epoch 0 (no MSM's), one a clock.
        if self.sweeping.q.val() {
            self.ram.write_enable.next = true;
            self.ram.write_address.next = self.sweep_address.q.val();
            self.ram.write_data.next = 0.into();
            self.sweep_address.d.next = self.sweep_address.q.val() + self.one_a.val();
            self.sweep_count.d.next = self.sweep_count.q.val() + 1;
            if self.sweep_address.q.val() == self.last_entry.val() {
                self.sweeping.d.next = false;
            }
        }

        if self.start.val() {
            self.epoch.d.next = self.epoch.q.val() + 1;
            if self.epoch.q.val() == self.last_epoch.val() {
                self.epoch.d.next = bit_cast::<EPOCH, A>(self.one_a.val());
                self.sweeping.d.next = true;
                self.sweep_address.d.next = 0.into();
            }
            self.reduce_mode.d.next = false;
        }
        self.sweep_cycles.next = self.sweep_count.q.val();
        self.idle.next = !self.sweeping.q.val()
            & self.inbox.empty.val()
            & !self.a_valid.q.val()
            & self.park.empty.val()
            & !self.s1_valid.q.val()
            & (self.in_flight.q.val() == 0)
            & !self.reducing.q.val();
        self.bucket_x.next = self.ram.read_data.val().get_bits::<256>(0);
        self.bucket_y.next = self.ram.read_data.val().get_bits::<256>(256);
        self.bucket_z.next = self.ram.read_data.val().get_bits::<256>(512);
        self.bucket_current.next = self.current.val();
        self.plain_x.next = self.plain.read_data.val().get_bits::<256>(0);
        self.plain_y.next = self.plain.read_data.val().get_bits::<256>(256);
        self.plain_z.next = self.plain.read_data.val().get_bits::<256>(512);
        self.triangle_x.next = self.triangle.read_data.val().get_bits::<256>(0);
        self.triangle_y.next = self.triangle.read_data.val().get_bits::<256>(256);
        self.triangle_z.next = self.triangle.read_data.val().get_bits::<256>(512);
        self.conflicts.next = self.conflict_count.q.val();
        if self.issue.val() {
            self.add_count.d.next = self.add_count.q.val() + 1;
        }
        self.adds.next = self.add_count.q.val();
    }
}
