//! Montgomery multiplier a b R^{-1} mod p, R = 2^256, one multiplication per clock.
//!
//! R rows of B bits and a last row of BL = 256 - R B bits (word-serial Montgomery, see
//! [`super::mont_row`]) leave (S, C) with S + C = (a b + Q p) / 2^256 < 2p; an [`FqAddSub`] in
//! add mode then computes S + C and subtracts p once if needed.

use rust_hdl::prelude::*;

use super::add_sub::{self, FqAddSub};
use super::mont_row::{MontRow, ROW_LATENCY};
use crate::config::Config;

/// Rows of the multiplier for tile height B: ceil(256 / B), the last one 256 - (rows - 1) B wide.
pub const fn rows(b_bits: usize) -> usize {
    256usize.div_ceil(b_bits)
}

/// Latency of [`FqMul`] for `cfg`, in cycles.
pub fn latency(cfg: &Config) -> usize {
    rows(cfg.tile.b_bits as usize) * ROW_LATENCY + add_sub::latency(cfg.carry_bits as usize)
}

/// Tiles (DSP blocks) per multiplier for `cfg`: 2T + 1 per row (a b_i, q, p q), T = ceil(256/A).
pub fn tiles(cfg: &Config) -> usize {
    let t = 256usize.div_ceil(cfg.tile.a_bits as usize);
    rows(cfg.tile.b_bits as usize) * (2 * t + 1)
}

/// Full rows use tiles A x B; the last row A x BL. Derived parameters as in [`MontRow`];
/// R = rows(B) - 1, LIMB/STAGES those of the final [`FqAddSub`].
#[derive(LogicBlock)]
pub struct FqMul<
    const A: usize,
    const B: usize,
    const B2: usize,
    const P: usize,
    const BL: usize,
    const BL2: usize,
    const PL: usize,
    const T: usize,
    const TE: usize,
    const TO: usize,
    const AW: usize,
    const W: usize,
    const R: usize,
    const LIMB: usize,
    const STAGES: usize,
    const TAG: usize,
> {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    pub tag_in: Signal<In, Bits<TAG>>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub valid_out: Signal<Out, Bit>,
    pub tag_out: Signal<Out, Bits<TAG>>,
    pub result: Signal<Out, Bits<256>>,
    rows: [MontRow<A, B, B2, P, T, TE, TO, AW, W, TAG>; R],
    last: MontRow<A, BL, BL2, PL, T, TE, TO, AW, W, TAG>,
    reduce: FqAddSub<LIMB, STAGES, TAG>,
}

impl<
        const A: usize,
        const B: usize,
        const B2: usize,
        const P: usize,
        const BL: usize,
        const BL2: usize,
        const PL: usize,
        const T: usize,
        const TE: usize,
        const TO: usize,
        const AW: usize,
        const W: usize,
        const R: usize,
        const LIMB: usize,
        const STAGES: usize,
        const TAG: usize,
    > Default for FqMul<A, B, B2, P, BL, BL2, PL, T, TE, TO, AW, W, R, LIMB, STAGES, TAG>
{
    fn default() -> Self {
        assert_eq!(R + 1, rows(B), "rows for B = {B}");
        assert_eq!(BL, 256 - R * B, "last row width");
        assert_eq!((BL2, PL), (2 * BL, A + BL));
        Self {
            clock: Default::default(),
            valid_in: Default::default(),
            tag_in: Default::default(),
            a: Default::default(),
            b: Default::default(),
            valid_out: Default::default(),
            tag_out: Default::default(),
            result: Default::default(),
            rows: std::array::from_fn(|_| Default::default()),
            last: Default::default(),
            reduce: Default::default(),
        }
    }
}

impl<
        const A: usize,
        const B: usize,
        const B2: usize,
        const P: usize,
        const BL: usize,
        const BL2: usize,
        const PL: usize,
        const T: usize,
        const TE: usize,
        const TO: usize,
        const AW: usize,
        const W: usize,
        const R: usize,
        const LIMB: usize,
        const STAGES: usize,
        const TAG: usize,
    > Logic for FqMul<A, B, B2, P, BL, BL2, PL, T, TE, TO, AW, W, R, LIMB, STAGES, TAG>
{
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..R {
            self.rows[i].clock.next = self.clock.val();
        }
        self.last.clock.next = self.clock.val();
        self.reduce.clock.next = self.clock.val();
        self.rows[0].valid_in.next = self.valid_in.val();
        self.rows[0].tag_in.next = self.tag_in.val();
        self.rows[0].a_in.next = bit_cast::<AW, 256>(self.a.val());
        self.rows[0].b_in.next = self.b.val();
        self.rows[0].s_in.next = 0.into();
        self.rows[0].c_in.next = 0.into();
        for i in 1..R {
            self.rows[i].valid_in.next = self.rows[i - 1].valid_out.val();
            self.rows[i].tag_in.next = self.rows[i - 1].tag_out.val();
            self.rows[i].a_in.next = self.rows[i - 1].a_out.val();
            self.rows[i].b_in.next = self.rows[i - 1].b_out.val();
            self.rows[i].s_in.next = self.rows[i - 1].s_out.val();
            self.rows[i].c_in.next = self.rows[i - 1].c_out.val();
        }
        // One-pass loop: array indices may only use loop variables (see add_sub.rs).
        for i in (R - 1_usize)..R {
            self.last.valid_in.next = self.rows[i].valid_out.val();
            self.last.tag_in.next = self.rows[i].tag_out.val();
            self.last.a_in.next = self.rows[i].a_out.val();
            self.last.b_in.next = self.rows[i].b_out.val();
            self.last.s_in.next = self.rows[i].s_out.val();
            self.last.c_in.next = self.rows[i].c_out.val();
        }
        self.reduce.valid_in.next = self.last.valid_out.val();
        self.reduce.tag_in.next = self.last.tag_out.val();
        self.reduce.sub.next = false;
        self.reduce.a.next = bit_cast::<256, W>(self.last.s_out.val());
        self.reduce.b.next = bit_cast::<256, W>(self.last.c_out.val());
        self.valid_out.next = self.reduce.valid_out.val();
        self.tag_out.next = self.reduce.tag_out.val();
        self.result.next = self.reduce.result.val();
    }
}
