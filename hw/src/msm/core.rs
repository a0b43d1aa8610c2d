//! The MSM core around one adder lane: bucket accumulation (`bucket[w][|d|] += ±P` for every
//! non-zero digit), then the buckets' segment running sums, both through the same lane.
//!
//! Points (affine, Montgomery form) and canonical scalars stream in; the slicer turns each
//! scalar into its W digits while the point waits in a register. A digit whose bucket is in
//! flight (read, not yet written back) is parked in a FIFO and retried when its bucket is free;
//! a full FIFO stalls the slicer (back-pressure, nothing dropped). Each clock issues at most one
//! addition: the parked head if its bucket is free, else the new digit.
//!
//! Issue: the bucket's address goes to the bucket RAM and its busy bit is set. Next clock: the
//! bucket (or the identity, if its entry is from an earlier MSM) and the point enter the lane in
//! mixed mode (Z2 = 1), the address as the tag. L clocks later the sum is written back and the
//! busy bit cleared at the same edge, so a later read sees it.
//!
//! Entries carry the epoch of the MSM that wrote them: `start` begins an MSM by moving to the
//! next epoch, so the RAM needs no clearing sweep (until the 16-bit epoch wraps: 65535 MSMs).
//!
//! Reduction (`reduce`, once idle): the bucket address space is cut into chains of m = 2^m_log2
//! consecutive buckets (a window's segments; the upper half of a narrower window's slot is
//! empty and sums to the identity). Each chain runs R += B_k, S += R for k = m..1, giving its
//! plain sum S_j = R and triangle sum T_j = S (`msm_sim::model::msm::segment_sums`). One round
//! issues phase A (R += B_k) for every chain, then phase B (S += R) for every chain, so a chain
//! reads R or S `chains` clocks after issuing it: at least L + 2 chains keep the lane full with
//! no check. The host reads (S_j, T_j) and finishes each window (`finish_window`).
//!
//! Bucket address: window * 2^(c-1) + |d| - 1, dense for the run-time c; the RAM holds
//! W(c_max) 2^(c_max-1) entries. This block is built for the test configuration (c_max 8:
//! 4096 entries); the others need the config -> type map of `verilog.rs` extended.

use msm_sim::model::field::R_MOD_P;
use rust_hdl::prelude::*;

use super::slicer::{Slicer, MAGNITUDE_BITS};
use crate::field::limbs_to_bits;
use crate::point::lane::FqLane;

/// Bucket address bits: W(8) 2^7 = 4096 entries (test configuration).
pub const ADDRESS_BITS: usize = 12;
/// A bucket entry: X, Y, Z and the epoch.
pub const ENTRY_BITS: usize = 3 * 256 + 16;
/// A waiting addition (new digit, queue entry, parked): address, sign, x, y.
pub const PARKED_BITS: usize = ADDRESS_BITS + 1 + 512;

#[derive(LogicBlock)]
pub struct MsmCore<const TAG: usize> {
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
    /// While idle: read a bucket (one clock later on `bucket_*`).
    pub read_enable: Signal<In, Bit>,
    pub read_address: Signal<In, Bits<ADDRESS_BITS>>,
    pub bucket_x: Signal<Out, Bits<256>>,
    pub bucket_y: Signal<Out, Bits<256>>,
    pub bucket_z: Signal<Out, Bits<256>>,
    /// The bucket read belongs to this MSM (else it is empty: the identity).
    pub bucket_current: Signal<Out, Bit>,
    /// Clocks with a queued digit whose bucket is busy (it parks, or waits for FIFO room).
    pub conflicts: Signal<Out, Bits<32>>,
    /// Accumulation additions issued (one per non-zero digit), counted since power-up.
    pub adds: Signal<Out, Bits<32>>,
    /// One clock, while idle after accumulation: run the segment running sums.
    pub reduce: Signal<In, Bit>,
    /// With `reduce`: segment length m = 2^m_log2 buckets.
    pub m_log2: Signal<In, Bits<4>>,
    /// With `reduce`: chains (segments over the whole bucket address space) - 1, >= L + 1.
    pub last_chain: Signal<In, Bits<ADDRESS_BITS>>,
    /// While idle after a reduction: chain `read_address`'s plain sum S_j and triangle sum
    /// T_j, one clock after the read (with `bucket_*`).
    pub plain_x: Signal<Out, Bits<256>>,
    pub plain_y: Signal<Out, Bits<256>>,
    pub plain_z: Signal<Out, Bits<256>>,
    pub triangle_x: Signal<Out, Bits<256>>,
    pub triangle_y: Signal<Out, Bits<256>>,
    pub triangle_z: Signal<Out, Bits<256>>,
    slicer: Slicer,
    /// The adder lane (`fq_lane`, generated in the same file), by reference.
    lane: FqLane<TAG>,
    ram: RAM<Bits<ENTRY_BITS>, ADDRESS_BITS>,
    plain: RAM<Bits<768>, ADDRESS_BITS>,
    triangle: RAM<Bits<768>, ADDRESS_BITS>,
    reducing: DFF<Bit>,
    reduce_mode: DFF<Bit>,
    red_phase: DFF<Bit>,
    red_first: DFF<Bit>,
    red_chain: DFF<Bits<ADDRESS_BITS>>,
    red_step: DFF<Bits<ADDRESS_BITS>>,
    red_m_log2: DFF<Bits<4>>,
    red_last: DFF<Bits<ADDRESS_BITS>>,
    s1_reduce: DFF<Bit>,
    s1_phase: DFF<Bit>,
    s1_first: DFF<Bit>,
    phase_flag: Constant<Bits<TAG>>,
    red_address: Signal<Local, Bits<ADDRESS_BITS>>,
    one12: Constant<Bits<ADDRESS_BITS>>,
    sum_data: Signal<Local, Bits<768>>,
    park: SynchronousFIFO<Bits<PARKED_BITS>, 4, 5, 1>,
    base_x: DFF<Bits<256>>,
    base_y: DFF<Bits<256>>,
    busy: DFF<Bits<4096>>,
    epoch: DFF<Bits<16>>,
    in_flight: DFF<Bits<16>>,
    conflict_count: DFF<Bits<32>>,
    add_count: DFF<Bits<32>>,
    // The issued addition, waiting one clock for its bucket.
    s1_valid: DFF<Bit>,
    s1_negate: DFF<Bit>,
    s1_address: DFF<Bits<ADDRESS_BITS>>,
    s1_x: DFF<Bits<256>>,
    s1_y: DFF<Bits<256>>,
    one: Constant<Bits<256>>,
    shift_y: Constant<Bits<16>>,
    shift_x: Constant<Bits<16>>,
    shift_z: Constant<Bits<16>>,
    shift_epoch: Constant<Bits<16>>,
    negate_flag: Constant<Bits<PARKED_BITS>>,
    one_bit: Constant<Bits<MAGNITUDE_BITS>>,
    one5: Constant<Bits<5>>,
    digit_address: Signal<Local, Bits<ADDRESS_BITS>>,
    head_address: Signal<Local, Bits<ADDRESS_BITS>>,
    head_free: Signal<Local, Bit>,
    digit_add: Signal<Local, Bit>,
    // The digit queue: A (older) and B, each a digit and its point.
    a_valid: DFF<Bit>,
    a_entry: DFF<Bits<PARKED_BITS>>,
    b_valid: DFF<Bit>,
    b_entry: DFF<Bits<PARKED_BITS>>,
    sign: Signal<Local, Bits<PARKED_BITS>>,
    incoming: Signal<Local, Bits<PARKED_BITS>>,
    issued: Signal<Local, Bits<PARKED_BITS>>,
    a_address: Signal<Local, Bits<ADDRESS_BITS>>,
    b_address: Signal<Local, Bits<ADDRESS_BITS>>,
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
    issue_address: Signal<Local, Bits<ADDRESS_BITS>>,
    busy_set: Signal<Local, Bits<4096>>,
    current: Signal<Local, Bit>,
}

impl<const TAG: usize> Default for MsmCore<TAG> {
    fn default() -> Self {
        assert!(
            TAG >= ADDRESS_BITS,
            "the lane's tag carries the bucket address"
        );
        assert_eq!(
            ADDRESS_BITS, 12,
            "update() unpacks parked entries at fixed offsets"
        );
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
            read_address: Default::default(),
            bucket_x: Default::default(),
            bucket_y: Default::default(),
            bucket_z: Default::default(),
            bucket_current: Default::default(),
            conflicts: Default::default(),
            slicer: Default::default(),
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
            phase_flag: Constant::new(bits::<TAG>(1) << bits::<16>(ADDRESS_BITS as u64)),
            red_address: Default::default(),
            one12: Constant::new(bits(1)),
            sum_data: Default::default(),
            reduce: Default::default(),
            m_log2: Default::default(),
            last_chain: Default::default(),
            plain_x: Default::default(),
            plain_y: Default::default(),
            plain_z: Default::default(),
            triangle_x: Default::default(),
            triangle_y: Default::default(),
            triangle_z: Default::default(),
            park: Default::default(),
            base_x: Default::default(),
            base_y: Default::default(),
            busy: Default::default(),
            epoch: Default::default(),
            in_flight: Default::default(),
            conflict_count: Default::default(),
            add_count: Default::default(),
            adds: Default::default(),
            s1_valid: Default::default(),
            s1_negate: Default::default(),
            s1_address: Default::default(),
            s1_x: Default::default(),
            s1_y: Default::default(),
            one: Constant::new(limbs_to_bits(&R_MOD_P)),
            shift_y: Constant::new(bits(256)),
            shift_x: Constant::new(bits(ADDRESS_BITS as u64 + 1)),
            shift_z: Constant::new(bits(512)),
            shift_epoch: Constant::new(bits(768)),
            negate_flag: Constant::new(bits::<PARKED_BITS>(1) << bits::<16>(ADDRESS_BITS as u64)),
            one_bit: Constant::new(bits(1)),
            one5: Constant::new(bits(1)),
            digit_address: Default::default(),
            head_address: Default::default(),
            head_free: Default::default(),
            digit_add: Default::default(),
            a_valid: Default::default(),
            a_entry: Default::default(),
            b_valid: Default::default(),
            b_entry: Default::default(),
            sign: Default::default(),
            incoming: Default::default(),
            issued: Default::default(),
            a_address: Default::default(),
            b_address: Default::default(),
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
            busy_set: Default::default(),
            current: Default::default(),
        }
    }
}

impl<const TAG: usize> Logic for MsmCore<TAG> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            base_x,
            base_y,
            busy,
            epoch,
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
        clock!(self, clock, slicer, lane, park);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.plain.read_clock.next = self.clock.val();
        self.plain.write_clock.next = self.clock.val();
        self.triangle.read_clock.next = self.clock.val();
        self.triangle.write_clock.next = self.clock.val();

        // Points in: the slicer takes the scalar, the point waits for its digits.
        self.slicer.c.next = self.c.val();
        self.slicer.scalar.next = self.scalar.val();
        self.slicer.scalar_valid.next = self.point_valid.val();
        self.point_ready.next = self.slicer.scalar_ready.val();
        if self.point_valid.val() & self.slicer.scalar_ready.val() {
            self.base_x.d.next = self.x.val();
            self.base_y.d.next = self.y.val();
        }

        // The new digit's bucket address; zero digits add nothing and are dropped here.
        self.digit_address.next = (bit_cast::<ADDRESS_BITS, 8>(self.slicer.window.val())
            << bit_cast::<ADDRESS_BITS, 5>(self.c.val() - self.one5.val()))
            + bit_cast::<ADDRESS_BITS, MAGNITUDE_BITS>(
                self.slicer.magnitude.val() - self.one_bit.val(),
            );
        self.digit_add.next = self.slicer.digit_valid.val() & (self.slicer.magnitude.val() != 0);

        // Every waiting addition (the new digit, queue entries A and B, parked ones) is one
        // word: address, sign, x, y.
        self.sign.next = 0.into();
        if self.slicer.negative.val() {
            self.sign.next = self.negate_flag.val();
        }
        self.incoming.next = bit_cast::<PARKED_BITS, ADDRESS_BITS>(self.digit_address.val())
            | self.sign.val()
            | (bit_cast::<PARKED_BITS, 256>(self.base_x.q.val()) << self.shift_x.val())
            | (bit_cast::<PARKED_BITS, 256>(self.base_y.q.val())
                << (self.shift_x.val() + self.shift_y.val()));

        // Candidates: the parked head, then the digit queue's A and B (A older), each addable
        // if its bucket is free. One issues: the head, else A, else B. One busy entry of the
        // queue parks (A first) if the FIFO has room, alongside the issue: with two queued
        // digits a busy one costs no issue slot.
        self.head_address.next = self.park.data_out.val().get_bits::<ADDRESS_BITS>(0);
        self.a_address.next = self.a_entry.q.val().get_bits::<ADDRESS_BITS>(0);
        self.b_address.next = self.b_entry.q.val().get_bits::<ADDRESS_BITS>(0);
        self.head_free.next =
            !self.park.empty.val() & !self.busy.q.val().get_bit(self.head_address.val().index());
        self.a_free.next = !self.busy.q.val().get_bit(self.a_address.val().index());
        self.b_free.next = !self.busy.q.val().get_bit(self.b_address.val().index());
        self.issue_head.next = self.head_free.val();
        self.issue_a.next = !self.head_free.val() & self.a_valid.q.val() & self.a_free.val();
        self.issue_b.next = !self.head_free.val()
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
        self.issue_address.next = self.issued.val().get_bits::<ADDRESS_BITS>(0);
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

        // The queue moves up past the entries that left; the new digit joins if there is room.
        self.stay_a.next = self.a_valid.q.val() & !self.issue_a.val() & !self.park_a.val();
        self.stay_b.next = self.b_valid.q.val() & !self.issue_b.val() & !self.park_b.val();
        self.slicer.digit_ready.next =
            !(self.stay_a.val() & self.stay_b.val()) | !self.digit_add.val();
        self.a_valid.d.next = self.stay_a.val() | self.stay_b.val() | self.digit_add.val();
        self.b_valid.d.next = (self.stay_a.val() & self.stay_b.val())
            | ((self.stay_a.val() | self.stay_b.val()) & self.digit_add.val());
        // A' = A if it stays, else B if it stays, else the digit; B' = the next of those.
        self.a_entry.d.next = self.incoming.val();
        if self.stay_a.val() {
            self.a_entry.d.next = self.a_entry.q.val();
        } else if self.stay_b.val() {
            self.a_entry.d.next = self.b_entry.q.val();
        }
        self.b_entry.d.next = self.incoming.val();
        if self.stay_a.val() & self.stay_b.val() {
            self.b_entry.d.next = self.b_entry.q.val();
        }

        // Issue: read the bucket, mark it busy; next clock the lane gets bucket and point.
        // Reduction: chain q, bucket offset k (from m - 1 down), phase A (R += B_k) over every
        // chain, then phase B (S += R) over every chain; rounds k = m-1..0. A chain's next read
        // of R or S comes `last_chain + 1` >= L + 2 clocks after it was issued: written back.
        self.red_address.next = (self.red_chain.q.val()
            << bit_cast::<ADDRESS_BITS, 4>(self.red_m_log2.q.val()))
            + self.red_step.q.val();
        if self.reducing.q.val() {
            self.red_chain.d.next = self.red_chain.q.val() + 1;
            if self.red_chain.q.val() == self.red_last.q.val() {
                self.red_chain.d.next = 0.into();
                self.red_phase.d.next = !self.red_phase.q.val();
                if self.red_phase.q.val() {
                    self.red_first.d.next = false;
                    self.red_step.d.next = self.red_step.q.val() - self.one12.val();
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
            self.red_step.d.next = (self.one12.val()
                << bit_cast::<ADDRESS_BITS, 4>(self.m_log2.val()))
                - self.one12.val();
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
        self.s1_valid.d.next = self.issue.val() | self.reducing.q.val();
        self.s1_reduce.d.next = self.reducing.q.val();
        self.s1_phase.d.next = self.red_phase.q.val();
        self.s1_first.d.next = self.red_first.q.val();
        self.s1_address.d.next = self.issue_address.val();
        if self.reducing.q.val() {
            self.s1_address.d.next = self.red_chain.q.val();
        }
        // Fields at ADDRESS_BITS = 12 (index arguments are emitted as written).
        self.s1_negate.d.next = self.issued.val().get_bit(12);
        self.s1_x.d.next = self.issued.val().get_bits::<256>(13);
        self.s1_y.d.next = self.issued.val().get_bits::<256>(269);
        self.busy_set.next = self.busy.q.val();
        if self.issue.val() {
            self.busy_set.next = self
                .busy
                .q
                .val()
                .replace_bit(self.issue_address.val().index(), true);
        }
        self.busy.d.next = self.busy_set.val();
        if self.lane.valid_out.val() {
            self.busy.d.next = self.busy_set.val().replace_bit(
                self.lane.tag_out.val().get_bits::<ADDRESS_BITS>(0).index(),
                false,
            );
        }
        self.in_flight.d.next = self.in_flight.q.val();
        if self.s1_valid.d.val() & !self.lane.valid_out.val() {
            self.in_flight.d.next = self.in_flight.q.val() + 1;
        }
        if !self.s1_valid.d.val() & self.lane.valid_out.val() {
            self.in_flight.d.next = self.in_flight.q.val() - 1;
        }

        // The bucket as read (the identity if an earlier MSM wrote it) plus the point.
        self.current.next = self.ram.read_data.val().get_bits::<16>(768) == self.epoch.q.val();
        self.lane.valid_in.next = self.s1_valid.q.val();
        self.lane.negate.next = self.s1_negate.q.val();
        self.lane.tag_in.next = bit_cast::<TAG, ADDRESS_BITS>(self.s1_address.q.val());
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
                    bit_cast::<TAG, ADDRESS_BITS>(self.s1_address.q.val()) | self.phase_flag.val();
            }
        }

        // Write-back, tagged with this MSM's epoch.
        self.ram.write_enable.next = self.lane.valid_out.val() & !self.reduce_mode.q.val();
        self.plain.write_enable.next = self.lane.valid_out.val()
            & self.reduce_mode.q.val()
            & !self.lane.tag_out.val().get_bit(12);
        self.triangle.write_enable.next = self.lane.valid_out.val()
            & self.reduce_mode.q.val()
            & self.lane.tag_out.val().get_bit(12);
        self.plain.write_address.next = self.lane.tag_out.val().get_bits::<ADDRESS_BITS>(0);
        self.triangle.write_address.next = self.lane.tag_out.val().get_bits::<ADDRESS_BITS>(0);
        self.plain.write_data.next = bit_cast::<768, 256>(self.lane.x3.val())
            | (bit_cast::<768, 256>(self.lane.y3.val()) << self.shift_y.val())
            | (bit_cast::<768, 256>(self.lane.z3.val()) << self.shift_z.val());
        self.triangle.write_data.next = self.plain.write_data.val();
        // A bucket entry is the same point with this MSM's epoch above it.
        self.ram.write_data.next = bit_cast::<ENTRY_BITS, 768>(self.plain.write_data.val())
            | (bit_cast::<ENTRY_BITS, 16>(self.epoch.q.val()) << self.shift_epoch.val());
        self.ram.write_address.next = self.lane.tag_out.val().get_bits::<ADDRESS_BITS>(0);

        if self.start.val() {
            self.epoch.d.next = self.epoch.q.val() + 1;
            self.reduce_mode.d.next = false;
        }
        self.idle.next = !self.slicer.digit_valid.val()
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
