//! One row of the word-serial Montgomery multiplier: for the next B-bit word b_i of b,
//!   acc += a b_i;  q = (acc mod 2^B) p' mod 2^B;  acc = (acc + q p) / 2^B
//! with acc kept in carry-save form (S, C), so the only carry chain is B bits wide (for q).
//!
//! Five register stages (`ROW_LATENCY`):
//!   0: tiles a_j x b_i                    (T tiles, registered)
//!   1: 4:2 compress S, C, even and odd products; lo = (S + C) mod 2^B
//!   2: tile lo x p' mod 2^B -> q          (1 tile)
//!   3: tiles p_j x q                      (T tiles)
//!   4: 4:2 compress S, C, even and odd products; the low B bits are then zero except for a
//!      carry into bit B; shift right by B and fold that carry in with a 3:2 compressor.
//! Products of tiles j = 0, 2, 4, .. (A + B bits at offsets 2kA, B <= A) never overlap, so the
//! even ones are OR-ed into one vector and the odd ones into another.

use msm_sim::model::field as fq;
use rust_hdl::prelude::*;

use super::compress::Compress42;
use super::tile::{Tile, TILE_LATENCY};

/// Latency of one row in cycles: three tile stages and two compressor stages.
pub const ROW_LATENCY: usize = 3 * TILE_LATENCY + 2;

/// Bits [lo, lo + n) of a 256-bit limb vector (zero above bit 255), n <= 64.
fn limb_bits(v: &[u64; 4], lo: usize, n: usize) -> u64 {
    (0..n).fold(0, |acc, i| {
        let bit = lo + i;
        let b = if bit < 256 {
            (v[bit / 64] >> (bit % 64)) & 1
        } else {
            0
        };
        acc | (b << i)
    })
}

/// A row for tiles of A x B bits. The remaining parameters are derived and checked in `default`:
/// B2 = 2B, P = A + B (the product width; tiles output it widened to W), T = ceil(256 / A) tiles, TE = ceil(T / 2), TO = T / 2, AW = T A (a,
/// zero-extended), W >= AW + B + 2 (accumulator width), TAG the tag width.
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
    even_off: [Constant<Bits<16>>; TE],
    odd_off: [Constant<Bits<16>>; TO],
    p_even: [Constant<Bits<A>>; TE],
    p_odd: [Constant<Bits<A>>; TO],
    p_inv: Constant<Bits<B>>,
    shift: Constant<Bits<16>>,
    ab_even: [Tile<A, B, W>; TE],
    ab_odd: [Tile<A, B, W>; TO],
    q_tile: Tile<B, B, B2>,
    qp_even: [Tile<A, B, W>; TE],
    qp_odd: [Tile<A, B, W>; TO],
    csa1: Compress42<W>,
    csa4: Compress42<W>,
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
    s1: DFF<Bits<W>>,
    c1: DFF<Bits<W>>,
    s2: DFF<Bits<W>>,
    c2: DFF<Bits<W>>,
    s3: DFF<Bits<W>>,
    c3: DFF<Bits<W>>,
    s4: DFF<Bits<W>>,
    c4: DFF<Bits<W>>,
    s5: DFF<Bits<W>>,
    c5: DFF<Bits<W>>,
    lo2: DFF<Bits<B>>,
    // Combinational temporaries (rust-hdl has no `let`).
    e1: Signal<Local, Bits<W>>,
    o1: Signal<Local, Bits<W>>,
    q: Signal<Local, Bits<B>>,
    e4: Signal<Local, Bits<W>>,
    o4: Signal<Local, Bits<W>>,
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
        let off = |j: usize| Constant::new(bits::<16>((j * A) as u64));
        let p_chunk = |j: usize| Constant::new(bits::<A>(limb_bits(&fq::P, j * A, A)));
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
            even_off: std::array::from_fn(|k| off(2 * k)),
            odd_off: std::array::from_fn(|k| off(2 * k + 1)),
            p_even: std::array::from_fn(|k| p_chunk(2 * k)),
            p_odd: std::array::from_fn(|k| p_chunk(2 * k + 1)),
            p_inv: Constant::new(bits::<B>(limb_bits(&fq::P_NEG_INV, 0, B))),
            shift: Constant::new(bits::<16>(B as u64)),
            ab_even: std::array::from_fn(|_| Default::default()),
            ab_odd: std::array::from_fn(|_| Default::default()),
            q_tile: Default::default(),
            qp_even: std::array::from_fn(|_| Default::default()),
            qp_odd: std::array::from_fn(|_| Default::default()),
            csa1: Default::default(),
            csa4: Default::default(),
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
            s1: Default::default(),
            c1: Default::default(),
            s2: Default::default(),
            c2: Default::default(),
            s3: Default::default(),
            c3: Default::default(),
            s4: Default::default(),
            c4: Default::default(),
            s5: Default::default(),
            c5: Default::default(),
            lo2: Default::default(),
            e1: Default::default(),
            o1: Default::default(),
            q: Default::default(),
            e4: Default::default(),
            o4: Default::default(),
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
            a2, a3, a4, a5, b1, b2, b3, b4, b5, s1, c1, s2, c2, s3, c3, s4, c4, s5, c5, lo2
        );
        self.q_tile.clock.next = self.clock.val();
        for k in 0..TE {
            self.ab_even[k].clock.next = self.clock.val();
            self.qp_even[k].clock.next = self.clock.val();
        }
        for k in 0..TO {
            self.ab_odd[k].clock.next = self.clock.val();
            self.qp_odd[k].clock.next = self.clock.val();
        }
        // Stage 0: a_j x b_i.
        for k in 0..TE {
            self.ab_even[k].a.next = self
                .a_in
                .val()
                .get_bits::<A>(self.even_off[k].val().index());
            self.ab_even[k].b.next = self.b_in.val().get_bits::<B>(0);
        }
        for k in 0..TO {
            self.ab_odd[k].a.next = self.a_in.val().get_bits::<A>(self.odd_off[k].val().index());
            self.ab_odd[k].b.next = self.b_in.val().get_bits::<B>(0);
        }
        self.valid1.d.next = self.valid_in.val();
        self.tag1.d.next = self.tag_in.val();
        self.a1.d.next = self.a_in.val();
        self.b1.d.next = self.b_in.val();
        self.s1.d.next = self.s_in.val();
        self.c1.d.next = self.c_in.val();
        // Stage 1: (S, C) + even + odd -> (S, C); lo = (S + C) mod 2^B.
        self.e1.next = 0.into();
        for k in 0..TE {
            self.e1.next = self.e1.val() | (self.ab_even[k].p.val() << self.even_off[k].val());
        }
        self.o1.next = 0.into();
        for k in 0..TO {
            self.o1.next = self.o1.val() | (self.ab_odd[k].p.val() << self.odd_off[k].val());
        }
        self.csa1.w.next = self.s1.q.val();
        self.csa1.x.next = self.c1.q.val();
        self.csa1.y.next = self.e1.val();
        self.csa1.z.next = self.o1.val();
        self.s2.d.next = self.csa1.s.val();
        self.c2.d.next = self.csa1.c.val();
        self.lo2.d.next = bit_cast::<B, W>(self.csa1.s.val()) + bit_cast::<B, W>(self.csa1.c.val());
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
        // Stage 3: p_j x q.
        self.q.next = bit_cast::<B, B2>(self.q_tile.p.val());
        for k in 0..TE {
            self.qp_even[k].a.next = self.p_even[k].val();
            self.qp_even[k].b.next = self.q.val();
        }
        for k in 0..TO {
            self.qp_odd[k].a.next = self.p_odd[k].val();
            self.qp_odd[k].b.next = self.q.val();
        }
        self.valid4.d.next = self.valid3.q.val();
        self.tag4.d.next = self.tag3.q.val();
        self.a4.d.next = self.a3.q.val();
        self.b4.d.next = self.b3.q.val();
        self.s4.d.next = self.s3.q.val();
        self.c4.d.next = self.c3.q.val();
        // Stage 4: (S, C) + q p, then / 2^B. The low B bits of S + C are 0 mod 2^B, so they
        // are either both zero or carry exactly one into bit B.
        self.e4.next = 0.into();
        for k in 0..TE {
            self.e4.next = self.e4.val() | (self.qp_even[k].p.val() << self.even_off[k].val());
        }
        self.o4.next = 0.into();
        for k in 0..TO {
            self.o4.next = self.o4.val() | (self.qp_odd[k].p.val() << self.odd_off[k].val());
        }
        self.csa4.w.next = self.s4.q.val();
        self.csa4.x.next = self.c4.q.val();
        self.csa4.y.next = self.e4.val();
        self.csa4.z.next = self.o4.val();
        self.carry.next = 0.into();
        if (bit_cast::<B, W>(self.csa4.s.val()) | bit_cast::<B, W>(self.csa4.c.val())).any() {
            self.carry.next = 1.into();
        }
        self.hs.next = self.csa4.s.val() >> self.shift.val();
        self.hc.next = self.csa4.c.val() >> self.shift.val();
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
