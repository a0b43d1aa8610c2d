//! The card's two AXI4 burst engines, one per direction, used on both memory ports. Both cut a
//! transfer into bursts as `msm_spec::card::bursts` does: at most `MAX_BURST_BEATS` beats
//! (`len` is beats - 1), never across a 4 KB boundary, 64-byte beats, INCR.
//!
//! `stop` ends a transfer early without breaking AXI: an offered address stays offered until
//! taken, every burst issued still gets all its beats, and `done` rises once nothing is in
//! flight. That is how the card aborts a command.

use msm_spec::card::{BEAT_BYTES, BURST_BOUNDARY, MAX_BURST_BEATS};
use rust_hdl::prelude::*;

/// log2 of the beat size: the low address bits of a beat.
const BEAT_LOG2: u64 = BEAT_BYTES.trailing_zeros() as u64;
const BOUNDARY_BEATS: u64 = (BURST_BOUNDARY / BEAT_BYTES) as u64;
const _: () = assert!(BOUNDARY_BEATS == 64, "burst_len reads address bits 6..12");

/// Beats of the next burst at `address` with `left` beats to go (shared by both engines).
#[derive(LogicBlock)]
pub struct BurstLen {
    pub address: Signal<In, Bits<64>>,
    pub left: Signal<In, Bits<32>>,
    pub len: Signal<Out, Bits<32>>,
    /// len - 1: AXI's burst length.
    pub axi_len: Signal<Out, Bits<8>>,
    len_m1: Signal<Local, Bits<32>>,
    to_boundary: Signal<Local, Bits<32>>,
    boundary: Constant<Bits<32>>,
    max: Constant<Bits<32>>,
}

impl Default for BurstLen {
    fn default() -> Self {
        BurstLen {
            address: Default::default(),
            left: Default::default(),
            len: Default::default(),
            axi_len: Default::default(),
            len_m1: Default::default(),
            to_boundary: Default::default(),
            boundary: Constant::new(BOUNDARY_BEATS.into()),
            max: Constant::new((MAX_BURST_BEATS as u64).into()),
        }
    }
}

impl Logic for BurstLen {
    #[hdl_gen]
    fn update(&mut self) {
        self.to_boundary.next =
            self.boundary.val() - bit_cast::<32, 6>(self.address.val().get_bits::<6>(6));
        self.len.next = self.left.val();
        if self.len.val() > self.max.val() {
            self.len.next = self.max.val();
        }
        if self.len.val() > self.to_boundary.val() {
            self.len.next = self.to_boundary.val();
        }
        self.len_m1.next = self.len.val() - 1;
        self.axi_len.next = self.len_m1.val().get_bits::<8>(0);
    }
}

/// Reads `beats` beats from `address`: issues the read bursts and counts the beats the parent
/// takes (`beat`: r_valid and r_ready this clock). Any number of bursts may be outstanding: the
/// parent's r_ready is the back-pressure.
#[derive(LogicBlock)]
pub struct BurstReader {
    pub clock: Signal<In, Clock>,
    /// One clock: a new transfer.
    pub start: Signal<In, Bit>,
    pub address: Signal<In, Bits<64>>,
    pub beats: Signal<In, Bits<32>>,
    /// Issue nothing more.
    pub stop: Signal<In, Bit>,
    pub ar_valid: Signal<Out, Bit>,
    pub ar_ready: Signal<In, Bit>,
    pub ar_addr: Signal<Out, Bits<64>>,
    pub ar_len: Signal<Out, Bits<8>>,
    pub beat: Signal<In, Bit>,
    /// Every beat issued has arrived and nothing is left to issue.
    pub done: Signal<Out, Bit>,
    burst: BurstLen,
    next: DFF<Bits<64>>,
    left: DFF<Bits<32>>,
    pending: DFF<Bits<32>>,
    issued: Signal<Local, Bits<32>>,
    taken: Signal<Local, Bits<32>>,
    handshake: Signal<Local, Bit>,
    beat_log2: Constant<Bits<16>>,
}

impl Default for BurstReader {
    fn default() -> Self {
        BurstReader {
            clock: Default::default(),
            start: Default::default(),
            address: Default::default(),
            beats: Default::default(),
            stop: Default::default(),
            ar_valid: Default::default(),
            ar_ready: Default::default(),
            ar_addr: Default::default(),
            ar_len: Default::default(),
            beat: Default::default(),
            done: Default::default(),
            burst: Default::default(),
            next: Default::default(),
            left: Default::default(),
            pending: Default::default(),
            issued: Default::default(),
            taken: Default::default(),
            handshake: Default::default(),
            beat_log2: Constant::new(BEAT_LOG2.into()),
        }
    }
}

impl Logic for BurstReader {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, next, left, pending);
        self.burst.address.next = self.next.q.val();
        self.burst.left.next = self.left.q.val();
        self.ar_valid.next = self.left.q.val() != 0;
        self.ar_addr.next = self.next.q.val();
        self.ar_len.next = self.burst.axi_len.val();
        self.handshake.next = self.ar_valid.val() & self.ar_ready.val();
        self.issued.next = 0.into();
        if self.handshake.val() {
            self.issued.next = self.burst.len.val();
            self.next.d.next = self.next.q.val()
                + (bit_cast::<64, 32>(self.burst.len.val()) << self.beat_log2.val());
            self.left.d.next = self.left.q.val() - self.burst.len.val();
        }
        self.taken.next = 0.into();
        if self.beat.val() {
            self.taken.next = 1.into();
        }
        self.pending.d.next = self.pending.q.val() + self.issued.val() - self.taken.val();
        if self.stop.val() {
            // An offered burst stays offered until taken.
            self.left.d.next = 0.into();
            if self.ar_valid.val() & !self.ar_ready.val() {
                self.left.d.next = self.burst.len.val();
            }
        }
        if self.start.val() {
            self.next.d.next = self.address.val();
            self.left.d.next = self.beats.val();
        }
        self.done.next = (self.left.q.val() == 0) & (self.pending.q.val() == 0);
    }
}

/// Writes `beats` beats to `address` from the parent's source (`data_valid`; `data_take`: a
/// beat left this clock), one burst at a time: each burst's address is offered as its first
/// beat is. After `stop`, the open burst is finished with whatever the source shows.
#[derive(LogicBlock)]
pub struct BurstWriter {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    pub address: Signal<In, Bits<64>>,
    pub beats: Signal<In, Bits<32>>,
    pub stop: Signal<In, Bit>,
    pub aw_valid: Signal<Out, Bit>,
    pub aw_ready: Signal<In, Bit>,
    pub aw_addr: Signal<Out, Bits<64>>,
    pub aw_len: Signal<Out, Bits<8>>,
    pub w_valid: Signal<Out, Bit>,
    pub w_ready: Signal<In, Bit>,
    pub w_last: Signal<Out, Bit>,
    /// A write response arrived (b_ready is always high).
    pub b_valid: Signal<In, Bit>,
    pub data_valid: Signal<In, Bit>,
    pub data_take: Signal<Out, Bit>,
    /// Every burst written and answered, nothing left.
    pub done: Signal<Out, Bit>,
    burst: BurstLen,
    next: DFF<Bits<64>>,
    left: DFF<Bits<32>>,
    /// Beats of the open burst still to send.
    w_left: DFF<Bits<32>>,
    /// The open burst's address is offered.
    aw_open: DFF<Bit>,
    aw_addr_q: DFF<Bits<64>>,
    aw_len_q: DFF<Bits<8>>,
    /// Bursts whose response has not arrived.
    unanswered: DFF<Bits<32>>,
    stopped: DFF<Bit>,
    opened: Signal<Local, Bits<32>>,
    answered: Signal<Local, Bits<32>>,
    beat_log2: Constant<Bits<16>>,
}

impl Default for BurstWriter {
    fn default() -> Self {
        BurstWriter {
            clock: Default::default(),
            start: Default::default(),
            address: Default::default(),
            beats: Default::default(),
            stop: Default::default(),
            aw_valid: Default::default(),
            aw_ready: Default::default(),
            aw_addr: Default::default(),
            aw_len: Default::default(),
            w_valid: Default::default(),
            w_ready: Default::default(),
            w_last: Default::default(),
            b_valid: Default::default(),
            data_valid: Default::default(),
            data_take: Default::default(),
            done: Default::default(),
            burst: Default::default(),
            next: Default::default(),
            left: Default::default(),
            w_left: Default::default(),
            aw_open: Default::default(),
            aw_addr_q: Default::default(),
            aw_len_q: Default::default(),
            unanswered: Default::default(),
            stopped: Default::default(),
            opened: Default::default(),
            answered: Default::default(),
            beat_log2: Constant::new(BEAT_LOG2.into()),
        }
    }
}

impl Logic for BurstWriter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, next, left, w_left, aw_open, aw_addr_q, aw_len_q, unanswered, stopped
        );
        self.burst.address.next = self.next.q.val();
        self.burst.left.next = self.left.q.val();
        // Open the next burst once the last one is sent and its address taken.
        if (self.w_left.q.val() == 0)
            & !self.aw_open.q.val()
            & (self.left.q.val() != 0)
            & !self.stopped.q.val()
        {
            self.aw_open.d.next = true;
            self.aw_addr_q.d.next = self.next.q.val();
            self.aw_len_q.d.next = self.burst.axi_len.val();
            self.w_left.d.next = self.burst.len.val();
            self.left.d.next = self.left.q.val() - self.burst.len.val();
            self.next.d.next = self.next.q.val()
                + (bit_cast::<64, 32>(self.burst.len.val()) << self.beat_log2.val());
        }
        self.aw_valid.next = self.aw_open.q.val();
        self.aw_addr.next = self.aw_addr_q.q.val();
        self.aw_len.next = self.aw_len_q.q.val();
        self.opened.next = 0.into();
        if self.aw_open.q.val() & self.aw_ready.val() {
            self.aw_open.d.next = false;
            self.opened.next = 1.into();
        }
        self.w_valid.next =
            (self.w_left.q.val() != 0) & (self.data_valid.val() | self.stopped.q.val());
        self.w_last.next = self.w_left.q.val() == 1;
        self.data_take.next = self.w_valid.val() & self.w_ready.val();
        if self.data_take.val() {
            self.w_left.d.next = self.w_left.q.val() - 1;
        }
        self.answered.next = 0.into();
        if self.b_valid.val() {
            self.answered.next = 1.into();
        }
        self.unanswered.d.next = self.unanswered.q.val() + self.opened.val() - self.answered.val();
        if self.stop.val() {
            self.stopped.d.next = true;
            self.left.d.next = 0.into();
        }
        if self.start.val() {
            self.next.d.next = self.address.val();
            self.left.d.next = self.beats.val();
            self.stopped.d.next = false;
        }
        self.done.next = (self.left.q.val() == 0)
            & (self.w_left.q.val() == 0)
            & !self.aw_open.q.val()
            & (self.unanswered.q.val() == 0);
    }
}
