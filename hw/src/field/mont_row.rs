//! One row of the word-serial Montgomery multiplier: for the next B-bit word b_i of b,
//!   acc += a b_i;  q = (acc mod 2^B) p' mod 2^B;  acc = (acc + q p) / 2^B
//! with acc kept in carry-save form (S, C), so the only carry chain is B bits wide (for q).
//!
//! Five register stages (`ROW_LATENCY`):
//!   0-1: (S, C) + a b_i                   ([`ProductAccumulate`]: T tiles, 4:2 compressor);
//!        lo = (S + C) mod 2^B
//!   2:   tile lo x p' mod 2^B -> q        (1 tile)
//!   3-4: (S, C) + p q                     ([`ProductAccumulate`] with x = p); the low B bits
//!        are then zero except for a carry into bit B: shift right by B and fold that carry in
//!        with a 3:2 compressor.

use msm_spec::limbs as fq;
use rust_hdl::prelude::*;

use super::limbs_to_bits;
use super::product::ProductAccumulate;
use super::tile::{Tile, TILE_LATENCY};

/// Latency of one row in cycles: three tile stages and two compressor stages.
pub const ROW_LATENCY: usize = 3 * TILE_LATENCY + 2;

/// A row for tiles of A x B bits. The remaining parameters are derived and checked in `default`:
/// B2 = 2B, P = A + B (the product width), T = ceil(256 / A) tiles, TE = ceil(T / 2), TO = T / 2,
/// AW = T A (a, zero-extended), W >= AW + B + 2 (accumulator width), TAG the tag width.
#[derive(LogicBlock)]
pub struct MontRow<
    const A: usize,
    const B: usize,
    const B2: usize,
    const P: usize,
    const T: usize,
    const TE: usize,
    const TO: usize,
    const AW: usize,
    const W: usize,
    const TAG: usize,
> {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    pub tag_in: Signal<In, Bits<TAG>>,
    pub a_in: Signal<In, Bits<AW>>,
    pub b_in: Signal<In, Bits<256>>,
    pub s_in: Signal<In, Bits<W>>,
    pub c_in: Signal<In, Bits<W>>,
    pub valid_out: Signal<Out, Bit>,
    pub tag_out: Signal<Out, Bits<TAG>>,
    pub a_out: Signal<Out, Bits<AW>>,
    pub b_out: Signal<Out, Bits<256>>,
    pub s_out: Signal<Out, Bits<W>>,
    pub c_out: Signal<Out, Bits<W>>,
    p: Constant<Bits<AW>>,
    p_inv: Constant<Bits<B>>,
    shift: Constant<Bits<16>>,
    ab: ProductAccumulate<A, B, TE, TO, AW, W>,
    q_tile: Tile<B, B, B2>,
    pq: ProductAccumulate<A, B, TE, TO, AW, W>,
    // Pipeline registers, named by the stage they feed.
    valid1: DFF<Bit>,
    valid2: DFF<Bit>,
    valid3: DFF<Bit>,
    valid4: DFF<Bit>,
    valid5: DFF<Bit>,
    tag1: DFF<Bits<TAG>>,
    tag2: DFF<Bits<TAG>>,
    tag3: DFF<Bits<TAG>>,
    tag4: DFF<Bits<TAG>>,
    tag5: DFF<Bits<TAG>>,
    a1: DFF<Bits<AW>>,
    a2: DFF<Bits<AW>>,
    a3: DFF<Bits<AW>>,
    a4: DFF<Bits<AW>>,
    a5: DFF<Bits<AW>>,
    b1: DFF<Bits<256>>,
    b2: DFF<Bits<256>>,
    b3: DFF<Bits<256>>,
    b4: DFF<Bits<256>>,
    b5: DFF<Bits<256>>,
    s2: DFF<Bits<W>>,
    c2: DFF<Bits<W>>,
    s3: DFF<Bits<W>>,
    c3: DFF<Bits<W>>,
    s5: DFF<Bits<W>>,
    c5: DFF<Bits<W>>,
    lo2: DFF<Bits<B>>,
    // Combinational temporaries (rust-hdl has no `let`).
    q: Signal<Local, Bits<B>>,
    carry: Signal<Local, Bits<W>>,
    hs: Signal<Local, Bits<W>>,
    hc: Signal<Local, Bits<W>>,
}

impl<
        const A: usize,
        const B: usize,
        const B2: usize,
        const P: usize,
        const T: usize,
        const TE: usize,
        const TO: usize,
        const AW: usize,
        const W: usize,
        const TAG: usize,
    > Default for MontRow<A, B, B2, P, T, TE, TO, AW, W, TAG>
{
    fn default() -> Self {
        assert!(B <= A && A + B <= 64, "tile {A} x {B}");
        assert_eq!((B2, P, T), (2 * B, A + B, 256usize.div_ceil(A)));
        assert_eq!((TE, TO, AW), (T.div_ceil(2), T / 2, T * A));
        assert!(W >= AW + B + 2, "accumulator width {W}");
        Self {
            clock: Default::default(),
            valid_in: Default::default(),
            tag_in: Default::default(),
            a_in: Default::default(),
            b_in: Default::default(),
            s_in: Default::default(),
            c_in: Default::default(),
            valid_out: Default::default(),
            tag_out: Default::default(),
            a_out: Default::default(),
            b_out: Default::default(),
            s_out: Default::default(),
            c_out: Default::default(),
            p: Constant::new(limbs_to_bits(&fq::P)),
            p_inv: Constant::new(bits::<B>(fq::bits(&fq::P_NEG_INV, 0, B))),
            shift: Constant::new(bits::<16>(B as u64)),
            ab: Default::default(),
            q_tile: Default::default(),
            pq: Default::default(),
            valid1: Default::default(),
            valid2: Default::default(),
            valid3: Default::default(),
            valid4: Default::default(),
            valid5: Default::default(),
            tag1: Default::default(),
            tag2: Default::default(),
            tag3: Default::default(),
            tag4: Default::default(),
            tag5: Default::default(),
            a1: Default::default(),
            a2: Default::default(),
            a3: Default::default(),
            a4: Default::default(),
            a5: Default::default(),
            b1: Default::default(),
            b2: Default::default(),
            b3: Default::default(),
            b4: Default::default(),
            b5: Default::default(),
            s2: Default::default(),
            c2: Default::default(),
            s3: Default::default(),
            c3: Default::default(),
            s5: Default::default(),
            c5: Default::default(),
            lo2: Default::default(),
            q: Default::default(),
            carry: Default::default(),
            hs: Default::default(),
            hc: Default::default(),
        }
    }
}

impl<
        const A: usize,
        const B: usize,
        const B2: usize,
        const P: usize,
        const T: usize,
        const TE: usize,
        const TO: usize,
        const AW: usize,
        const W: usize,
        const TAG: usize,
    > Logic for MontRow<A, B, B2, P, T, TE, TO, AW, W, TAG>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, valid1, valid2, valid3, valid4, valid5, tag1, tag2, tag3, tag4, tag5, a1,
            a2, a3, a4, a5, b1, b2, b3, b4, b5, s2, c2, s3, c3, s5, c5, lo2
        );
        self.ab.clock.next = self.clock.val();
        self.q_tile.clock.next = self.clock.val();
        self.pq.clock.next = self.clock.val();
        // Stages 0-1: (S, C) + a b_i; lo = (S + C) mod 2^B.
        self.ab.x.next = self.a_in.val();
        self.ab.y.next = self.b_in.val().get_bits::<B>(0);
        self.ab.s_in.next = self.s_in.val();
        self.ab.c_in.next = self.c_in.val();
        self.valid1.d.next = self.valid_in.val();
        self.tag1.d.next = self.tag_in.val();
        self.a1.d.next = self.a_in.val();
        self.b1.d.next = self.b_in.val();
        self.s2.d.next = self.ab.s_out.val();
        self.c2.d.next = self.ab.c_out.val();
        self.lo2.d.next =
            bit_cast::<B, W>(self.ab.s_out.val()) + bit_cast::<B, W>(self.ab.c_out.val());
        self.valid2.d.next = self.valid1.q.val();
        self.tag2.d.next = self.tag1.q.val();
        self.a2.d.next = self.a1.q.val();
        self.b2.d.next = self.b1.q.val();
        // Stage 2: q = lo p' mod 2^B.
        self.q_tile.a.next = self.lo2.q.val();
        self.q_tile.b.next = self.p_inv.val();
        self.valid3.d.next = self.valid2.q.val();
        self.tag3.d.next = self.tag2.q.val();
        self.a3.d.next = self.a2.q.val();
        self.b3.d.next = self.b2.q.val();
        self.s3.d.next = self.s2.q.val();
        self.c3.d.next = self.c2.q.val();
        // Stages 3-4: (S, C) + p q, then / 2^B. The low B bits of S + C are 0 mod 2^B, so they
        // are either both zero or carry exactly one into bit B.
        self.q.next = bit_cast::<B, B2>(self.q_tile.p.val());
        self.pq.x.next = self.p.val();
        self.pq.y.next = self.q.val();
        self.pq.s_in.next = self.s3.q.val();
        self.pq.c_in.next = self.c3.q.val();
        self.valid4.d.next = self.valid3.q.val();
        self.tag4.d.next = self.tag3.q.val();
        self.a4.d.next = self.a3.q.val();
        self.b4.d.next = self.b3.q.val();
        self.carry.next = 0.into();
        if (bit_cast::<B, W>(self.pq.s_out.val()) | bit_cast::<B, W>(self.pq.c_out.val())).any() {
            self.carry.next = 1.into();
        }
        self.hs.next = self.pq.s_out.val() >> self.shift.val();
        self.hc.next = self.pq.c_out.val() >> self.shift.val();
        self.s5.d.next = self.hs.val() ^ self.hc.val() ^ self.carry.val();
        self.c5.d.next = ((self.hs.val() & self.hc.val())
            | (self.hs.val() & self.carry.val())
            | (self.hc.val() & self.carry.val()))
            << 1;
        self.valid5.d.next = self.valid4.q.val();
        self.tag5.d.next = self.tag4.q.val();
        self.a5.d.next = self.a4.q.val();
        self.b5.d.next = self.b4.q.val() >> self.shift.val();
        self.valid_out.next = self.valid5.q.val();
        self.tag_out.next = self.tag5.q.val();
        self.a_out.next = self.a5.q.val();
        self.b_out.next = self.b5.q.val();
        self.s_out.next = self.s5.q.val();
        self.c_out.next = self.c5.q.val();
    }
}
