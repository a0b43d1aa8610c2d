//! The scalar slicer: a canonical scalar in, its W signed digits out, `LANES` per clock (one
//! per lane), least significant window first, with the carry between windows
//! (`msm_spec::window`), and the left-over windows' digits with the last group
//! (`msm_spec::lanes`).
//!
//! The window width c is a run-time input, constant during an MSM. A ROM indexed by c gives the
//! window count W = ceil(255 / c), how many low windows are c bits wide (the rest are c - 1:
//! balanced windows), the last group (W div LANES - 1) and the lane split. Group g holds windows
//! g LANES + i, i < LANES: window g LANES + i belongs to lane i, whose bucket memory calls it
//! slot g. The last group also carries the r = W mod LANES left-over windows: left-over k goes
//! to lane k + r h as its `extra` digit, h = n mod s for the MSM's n-th scalar, s = LANES div r
//! (the lane keeps it in slot W div LANES). A window of width b with value v (plus the carry
//! in) gives digit v if v <= 2^(b-1), else v - 2^b and a carry out; the output is |d| and its
//! sign. The carry runs through the group's windows, and the left-over ones, in one clock. Zero
//! digits are emitted too (magnitude 0), and windows past W are marked absent.
//!
//! Streams: `scalar_valid`/`scalar_ready` in, `group_valid`/`group_ready` out. A new scalar is
//! taken on the clock its predecessor's last group leaves: a scalar takes W div LANES clocks.
//! `start` (one clock, between MSMs) makes the next scalar the MSM's first.

use msm_spec::lanes::LaneSplit;
use msm_spec::window::{windows, WINDOW_RANGE};
use rust_hdl::prelude::*;

/// Digit magnitudes: up to 2^15 (c <= 16), plus a bit for the intermediate v <= 2^16.
pub const MAGNITUDE_BITS: usize = 17;

/// ROM word for window width c: W - 1 in bits 0..8, the number of c-bit windows in bits 8..16,
/// the last group W div lanes - 1 in bits 16..24, the left-over count r in bits 24..28 and the
/// last share s - 1 in bits 28..32 (`msm_spec::lanes`).
pub fn window_rom_word(c: u32, lanes: usize) -> u64 {
    let wide = windows(c).iter().filter(|w| w.width == c).count() as u64;
    let split = LaneSplit::new(c, lanes);
    assert!(split.full >= 1, "c = {c}: fewer windows than {lanes} lanes");
    let last = (split.full * lanes + split.leftover) as u64 - 1;
    last | (wide << 8)
        | ((split.full as u64 - 1) << 16)
        | ((split.leftover as u64) << 24)
        | ((split.sharers.max(1) as u64 - 1) << 28)
}

#[derive(LogicBlock)]
pub struct Slicer<const LANES: usize> {
    pub clock: Signal<In, Clock>,
    /// Window width, 2..=16; hold it constant while digits are in flight.
    pub c: Signal<In, Bits<5>>,
    pub scalar: Signal<In, Bits<256>>,
    pub scalar_valid: Signal<In, Bit>,
    pub scalar_ready: Signal<Out, Bit>,
    pub group_valid: Signal<Out, Bit>,
    pub group_ready: Signal<In, Bit>,
    /// g: the group's windows are g LANES + i.
    pub group: Signal<Out, Bits<8>>,
    /// Window g LANES + i exists (< W).
    pub present: [Signal<Out, Bit>; LANES],
    /// |d|: 0 (skip), or the bucket 1..=2^(b-1) of a b-bit window.
    pub magnitude: [Signal<Out, Bits<MAGNITUDE_BITS>>; LANES],
    pub negative: [Signal<Out, Bit>; LANES],
    /// The scalar's last group.
    pub last: Signal<Out, Bit>,
    /// Lane i's left-over digit (last group only): present, |d| and sign.
    pub extra: [Signal<Out, Bit>; LANES],
    pub extra_magnitude: [Signal<Out, Bits<MAGNITUDE_BITS>>; LANES],
    pub extra_negative: [Signal<Out, Bit>; LANES],
    /// One clock: the next scalar is an MSM's first (share 0).
    pub start: Signal<In, Bit>,
    rom: ROM<Bits<32>, 5>,
    rest: DFF<Bits<256>>,
    carry: DFF<Bit>,
    grp: DFF<Bits<8>>,
    /// The group's first window, g LANES.
    first: DFF<Bits<8>>,
    busy: DFF<Bit>,
    /// This scalar's share h of the left-over windows, and r h: its first extra lane.
    turn: DFF<Bits<4>>,
    base: DFF<Bits<8>>,
    index: [Constant<Bits<8>>; LANES],
    lanes: Constant<Bits<8>>,
    one: Constant<Bits<MAGNITUDE_BITS>>,
    one5: Constant<Bits<5>>,
    win: [Signal<Local, Bits<8>>; LANES],
    /// Window widths c and c - 1 (as wide as the digits: no casts of array elements, which
    /// rust-hdl evaluates outside the loop).
    wide: Signal<Local, Bits<MAGNITUDE_BITS>>,
    narrow: Signal<Local, Bits<MAGNITUDE_BITS>>,
    width: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    /// Bits of the group below window i, and the carry into it.
    offset: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    carry_in: [Signal<Local, Bit>; LANES],
    shifted: [Signal<Local, Bits<256>>; LANES],
    value: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    span: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    half: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    consumed: Signal<Local, Bits<MAGNITUDE_BITS>>,
    carry_out: Signal<Local, Bit>,
    advance: Signal<Local, Bit>,
    /// The left-over windows k < LANES - 1 (index LANES - 1 is never present), as above.
    x_win: [Signal<Local, Bits<8>>; LANES],
    x_width: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    x_offset: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    x_carry_in: [Signal<Local, Bit>; LANES],
    x_shifted: [Signal<Local, Bits<256>>; LANES],
    x_value: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    x_span: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    x_half: [Signal<Local, Bits<MAGNITUDE_BITS>>; LANES],
    x_present: [Signal<Local, Bit>; LANES],
    leftover: Signal<Local, Bits<8>>,
}

impl<const LANES: usize> Default for Slicer<LANES> {
    fn default() -> Self {
        assert!((1..=8).contains(&LANES), "lanes");
        let rom = WINDOW_RANGE
            .map(|c| {
                (
                    bits::<5>(u64::from(c)),
                    bits::<32>(window_rom_word(c, LANES)),
                )
            })
            .collect();
        Self {
            clock: Default::default(),
            c: Default::default(),
            scalar: Default::default(),
            scalar_valid: Default::default(),
            scalar_ready: Default::default(),
            group_valid: Default::default(),
            group_ready: Default::default(),
            group: Default::default(),
            present: std::array::from_fn(|_| Default::default()),
            magnitude: std::array::from_fn(|_| Default::default()),
            negative: std::array::from_fn(|_| Default::default()),
            last: Default::default(),
            extra: std::array::from_fn(|_| Default::default()),
            extra_magnitude: std::array::from_fn(|_| Default::default()),
            extra_negative: std::array::from_fn(|_| Default::default()),
            start: Default::default(),
            rom: ROM::new(rom),
            rest: Default::default(),
            carry: Default::default(),
            grp: Default::default(),
            first: Default::default(),
            busy: Default::default(),
            turn: Default::default(),
            base: Default::default(),
            index: std::array::from_fn(|i| Constant::new(bits(i as u64))),
            lanes: Constant::new(bits(LANES as u64)),
            one: Constant::new(bits(1)),
            one5: Constant::new(bits(1)),
            win: std::array::from_fn(|_| Default::default()),
            wide: Default::default(),
            narrow: Default::default(),
            width: std::array::from_fn(|_| Default::default()),
            offset: std::array::from_fn(|_| Default::default()),
            carry_in: std::array::from_fn(|_| Default::default()),
            shifted: std::array::from_fn(|_| Default::default()),
            value: std::array::from_fn(|_| Default::default()),
            span: std::array::from_fn(|_| Default::default()),
            half: std::array::from_fn(|_| Default::default()),
            consumed: Default::default(),
            carry_out: Default::default(),
            advance: Default::default(),
            x_win: std::array::from_fn(|_| Default::default()),
            x_width: std::array::from_fn(|_| Default::default()),
            x_offset: std::array::from_fn(|_| Default::default()),
            x_carry_in: std::array::from_fn(|_| Default::default()),
            x_shifted: std::array::from_fn(|_| Default::default()),
            x_value: std::array::from_fn(|_| Default::default()),
            x_span: std::array::from_fn(|_| Default::default()),
            x_half: std::array::from_fn(|_| Default::default()),
            x_present: std::array::from_fn(|_| Default::default()),
            leftover: Default::default(),
        }
    }
}

impl<const LANES: usize> Logic for Slicer<LANES> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rest, carry, grp, first, busy, turn, base);
        self.rom.address.next = self.c.val();
        // Window win is c bits wide below the ROM's count of wide windows, else c - 1.
        self.wide.next = bit_cast::<MAGNITUDE_BITS, 5>(self.c.val());
        self.narrow.next = bit_cast::<MAGNITUDE_BITS, 5>(self.c.val() - self.one5.val());
        for i in 0..LANES {
            self.win[i].next = self.first.q.val() + self.index[i].val();
            self.width[i].next = self.wide.val();
            if self.win[i].val() >= self.rom.data.val().get_bits::<8>(8) {
                self.width[i].next = self.narrow.val();
            }
            self.span[i].next = self.one.val() << self.width[i].val();
            self.half[i].next = self.one.val() << (self.width[i].val() - self.one.val());
            self.present[i].next = self.win[i].val() <= self.rom.data.val().get_bits::<8>(0);
        }
        // The carry runs up the group, window by window (statements in dependency order).
        self.offset[0].next = 0.into();
        self.carry_in[0].next = self.carry.q.val();
        self.shifted[0].next = self.rest.q.val();
        self.value[0].next = (self.shifted[0].val().get_bits::<MAGNITUDE_BITS>(0)
            & (self.span[0].val() - self.one.val()))
            + self.carry_in[0].val();
        for i in 1..LANES {
            self.offset[i].next = self.offset[i - 1].val() + self.width[i - 1].val();
            self.carry_in[i].next = self.value[i - 1].val() > self.half[i - 1].val();
            self.shifted[i].next = self.rest.q.val() >> self.offset[i].val();
            self.value[i].next = (self.shifted[i].val().get_bits::<MAGNITUDE_BITS>(0)
                & (self.span[i].val() - self.one.val()))
                + self.carry_in[i].val();
        }
        for i in 0..LANES {
            self.magnitude[i].next = self.value[i].val();
            self.negative[i].next = false;
            if self.value[i].val() > self.half[i].val() {
                self.magnitude[i].next = self.span[i].val() - self.value[i].val();
                // v = 2^b is digit 0 with a carry: not a negative digit.
                self.negative[i].next = self.value[i].val() != self.span[i].val();
            }
        }
        // The group's top window: the bits it used and its carry out.
        self.consumed.next = 0.into();
        self.carry_out.next = false;
        for i in (LANES - 1_usize)..LANES {
            self.consumed.next = self.offset[i].val() + self.width[i].val();
            self.carry_out.next = self.value[i].val() > self.half[i].val();
        }
        self.last.next = self.grp.q.val() == self.rom.data.val().get_bits::<8>(16);
        // The left-over windows above the group, the carry running on (used in the last group).
        self.leftover.next = bit_cast::<8, 4>(self.rom.data.val().get_bits::<4>(24));
        for k in 0..LANES {
            self.x_win[k].next = self.first.q.val() + self.lanes.val() + self.index[k].val();
            self.x_width[k].next = self.wide.val();
            if self.x_win[k].val() >= self.rom.data.val().get_bits::<8>(8) {
                self.x_width[k].next = self.narrow.val();
            }
            self.x_span[k].next = self.one.val() << self.x_width[k].val();
            self.x_half[k].next = self.one.val() << (self.x_width[k].val() - self.one.val());
            self.x_present[k].next = self.last.val() & (self.index[k].val() < self.leftover.val());
        }
        self.x_offset[0].next = self.consumed.val();
        self.x_carry_in[0].next = self.carry_out.val();
        self.x_shifted[0].next = self.rest.q.val() >> self.x_offset[0].val();
        self.x_value[0].next = (self.x_shifted[0].val().get_bits::<MAGNITUDE_BITS>(0)
            & (self.x_span[0].val() - self.one.val()))
            + self.x_carry_in[0].val();
        for k in 1..LANES {
            self.x_offset[k].next = self.x_offset[k - 1].val() + self.x_width[k - 1].val();
            self.x_carry_in[k].next = self.x_value[k - 1].val() > self.x_half[k - 1].val();
            self.x_shifted[k].next = self.rest.q.val() >> self.x_offset[k].val();
            self.x_value[k].next = (self.x_shifted[k].val().get_bits::<MAGNITUDE_BITS>(0)
                & (self.x_span[k].val() - self.one.val()))
                + self.x_carry_in[k].val();
        }
        // Left-over k goes to lane base + k.
        for i in 0..LANES {
            self.extra[i].next = false;
            self.extra_magnitude[i].next = 0.into();
            self.extra_negative[i].next = false;
            for k in 0..LANES {
                if self.x_present[k].val()
                    & ((self.base.q.val() + self.index[k].val()) == self.index[i].val())
                {
                    self.extra[i].next = true;
                    self.extra_magnitude[i].next = self.x_value[k].val();
                    if self.x_value[k].val() > self.x_half[k].val() {
                        self.extra_magnitude[i].next = self.x_span[k].val() - self.x_value[k].val();
                        self.extra_negative[i].next = self.x_value[k].val() != self.x_span[k].val();
                    }
                }
            }
        }
        self.group.next = self.grp.q.val();
        self.group_valid.next = self.busy.q.val();
        self.advance.next = self.busy.q.val() & self.group_ready.val();
        self.scalar_ready.next = !self.busy.q.val() | (self.advance.val() & self.last.val());
        if self.advance.val() {
            self.rest.d.next = self.rest.q.val() >> self.consumed.val();
            self.carry.d.next = self.carry_out.val();
            self.grp.d.next = self.grp.q.val() + 1;
            self.first.d.next = self.first.q.val() + self.lanes.val();
            if self.last.val() {
                self.busy.d.next = false;
                // The next scalar takes the next share.
                self.turn.d.next = self.turn.q.val() + 1;
                self.base.d.next = self.base.q.val() + self.leftover.val();
                if self.turn.q.val() == self.rom.data.val().get_bits::<4>(28) {
                    self.turn.d.next = 0.into();
                    self.base.d.next = 0.into();
                }
            }
        }
        if self.start.val() {
            self.turn.d.next = 0.into();
            self.base.d.next = 0.into();
        }
        if self.scalar_valid.val() & self.scalar_ready.val() {
            self.rest.d.next = self.scalar.val();
            self.carry.d.next = false;
            self.grp.d.next = 0.into();
            self.first.d.next = 0.into();
            self.busy.d.next = true;
        }
    }
}
