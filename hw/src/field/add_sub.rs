//! Pipelined modular add/subtract in Fq, one operation per clock.
//!
//! Limb-serial: 256 / LIMB carry stages, each adding one LIMB-bit limb of two chains, then one
//! select stage, so no carry chain is longer than LIMB bits (plus its carry-in). With b' = b for
//! add and !b for sub (cin 1), and q = !p (cin 1) for add and p for sub:
//!   x = a + b'      (add: a + b;    sub: a - b mod 2^256, carry out = no borrow)
//!   y = x + q       (add: a + b - p; sub: a - b + p)
//! add: result = y if y carried out (a + b >= p) else x; sub: x if x carried out else y.
//! Operands shift down by LIMB per stage and results shift in from the top, so every stage is
//! the same block working on bits [0, LIMB).

use msm_spec::limbs::P;
use rust_hdl::prelude::*;

/// Latency in cycles of [`FqAddSub`] with limbs of `limb` bits.
pub const fn latency(limb: usize) -> usize {
    256 / limb + 1
}

/// One carry stage: limb 0 of the shifting operands.
#[derive(LogicBlock)]
pub struct AddSubStage<const LIMB: usize, const TAG: usize> {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    pub sub_in: Signal<In, Bit>,
    pub tag_in: Signal<In, Bits<TAG>>,
    pub a_in: Signal<In, Bits<256>>,
    pub b_in: Signal<In, Bits<256>>,
    pub x_in: Signal<In, Bits<256>>,
    pub y_in: Signal<In, Bits<256>>,
    pub cx_in: Signal<In, Bit>,
    pub cy_in: Signal<In, Bit>,
    pub valid_out: Signal<Out, Bit>,
    pub sub_out: Signal<Out, Bit>,
    pub tag_out: Signal<Out, Bits<TAG>>,
    pub a_out: Signal<Out, Bits<256>>,
    pub b_out: Signal<Out, Bits<256>>,
    pub x_out: Signal<Out, Bits<256>>,
    pub y_out: Signal<Out, Bits<256>>,
    pub cx_out: Signal<Out, Bit>,
    pub cy_out: Signal<Out, Bit>,
    p_limb: Constant<Bits<LIMB>>,
    shift: Constant<Bits<16>>,
    top: Constant<Bits<16>>,
    valid: DFF<Bit>,
    sub: DFF<Bit>,
    tag: DFF<Bits<TAG>>,
    a: DFF<Bits<256>>,
    b: DFF<Bits<256>>,
    x: DFF<Bits<256>>,
    y: DFF<Bits<256>>,
    cx: DFF<Bit>,
    cy: DFF<Bit>,
    a_l: Signal<Local, Bits<LIMB>>,
    b_l: Signal<Local, Bits<LIMB>>,
    q_l: Signal<Local, Bits<LIMB>>,
    x_l: Signal<Local, Bits<LIMB>>,
    y_l: Signal<Local, Bits<LIMB>>,
}

impl<const LIMB: usize, const TAG: usize> AddSubStage<LIMB, TAG> {
    /// Stage `index`: works on limb `index` of p.
    pub fn new(index: usize) -> Self {
        assert!(LIMB <= 64 && 64 % LIMB == 0, "LIMB must divide 64");
        let bit = index * LIMB;
        let p_limb = (P[bit / 64] >> (bit % 64)) & (u64::MAX >> (64 - LIMB));
        Self {
            clock: Default::default(),
            valid_in: Default::default(),
            sub_in: Default::default(),
            tag_in: Default::default(),
            a_in: Default::default(),
            b_in: Default::default(),
            x_in: Default::default(),
            y_in: Default::default(),
            cx_in: Default::default(),
            cy_in: Default::default(),
            valid_out: Default::default(),
            sub_out: Default::default(),
            tag_out: Default::default(),
            a_out: Default::default(),
            b_out: Default::default(),
            x_out: Default::default(),
            y_out: Default::default(),
            cx_out: Default::default(),
            cy_out: Default::default(),
            p_limb: Constant::new(bits(p_limb)),
            shift: Constant::new(bits(LIMB as u64)),
            top: Constant::new(bits(256 - LIMB as u64)),
            valid: Default::default(),
            sub: Default::default(),
            tag: Default::default(),
            a: Default::default(),
            b: Default::default(),
            x: Default::default(),
            y: Default::default(),
            cx: Default::default(),
            cy: Default::default(),
            a_l: Default::default(),
            b_l: Default::default(),
            q_l: Default::default(),
            x_l: Default::default(),
            y_l: Default::default(),
        }
    }
}

impl<const LIMB: usize, const TAG: usize> Logic for AddSubStage<LIMB, TAG> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, valid, sub, tag, a, b, x, y, cx, cy);
        self.a_l.next = self.a_in.val().get_bits::<LIMB>(0);
        self.b_l.next = self.b_in.val().get_bits::<LIMB>(0);
        self.q_l.next = !self.p_limb.val();
        if self.sub_in.val() {
            self.b_l.next = !self.b_in.val().get_bits::<LIMB>(0);
            self.q_l.next = self.p_limb.val();
        }
        self.x_l.next = self.a_l.val() + self.b_l.val() + self.cx_in.val();
        self.y_l.next = self.x_l.val() + self.q_l.val() + self.cy_in.val();
        // Carry out of s = u + v + cin: s < u, or s == u with cin (v all ones).
        self.cx.d.next = (self.x_l.val() < self.a_l.val())
            | ((self.x_l.val() == self.a_l.val()) & self.cx_in.val());
        self.cy.d.next = (self.y_l.val() < self.x_l.val())
            | ((self.y_l.val() == self.x_l.val()) & self.cy_in.val());
        self.x.d.next = (self.x_in.val() >> self.shift.val())
            | (bit_cast::<256, LIMB>(self.x_l.val()) << self.top.val());
        self.y.d.next = (self.y_in.val() >> self.shift.val())
            | (bit_cast::<256, LIMB>(self.y_l.val()) << self.top.val());
        self.a.d.next = self.a_in.val() >> self.shift.val();
        self.b.d.next = self.b_in.val() >> self.shift.val();
        self.valid.d.next = self.valid_in.val();
        self.sub.d.next = self.sub_in.val();
        self.tag.d.next = self.tag_in.val();
        self.valid_out.next = self.valid.q.val();
        self.sub_out.next = self.sub.q.val();
        self.tag_out.next = self.tag.q.val();
        self.a_out.next = self.a.q.val();
        self.b_out.next = self.b.q.val();
        self.x_out.next = self.x.q.val();
        self.y_out.next = self.y.q.val();
        self.cx_out.next = self.cx.q.val();
        self.cy_out.next = self.cy.q.val();
    }
}

/// a + b mod p (sub = 0) or a - b mod p (sub = 1), inputs and output in [0, p). Latency
/// [`latency`]`(LIMB)` = STAGES + 1 with STAGES = 256 / LIMB.
#[derive(LogicBlock)]
pub struct FqAddSub<const LIMB: usize, const STAGES: usize, const TAG: usize> {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    pub sub: Signal<In, Bit>,
    pub tag_in: Signal<In, Bits<TAG>>,
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<256>>,
    pub valid_out: Signal<Out, Bit>,
    pub tag_out: Signal<Out, Bits<TAG>>,
    pub result: Signal<Out, Bits<256>>,
    stages: [AddSubStage<LIMB, TAG>; STAGES],
    valid: DFF<Bit>,
    tag: DFF<Bits<TAG>>,
    out: DFF<Bits<256>>,
}

impl<const LIMB: usize, const STAGES: usize, const TAG: usize> Default
    for FqAddSub<LIMB, STAGES, TAG>
{
    fn default() -> Self {
        assert_eq!(LIMB * STAGES, 256, "STAGES must be 256 / LIMB");
        Self {
            clock: Default::default(),
            valid_in: Default::default(),
            sub: Default::default(),
            tag_in: Default::default(),
            a: Default::default(),
            b: Default::default(),
            valid_out: Default::default(),
            tag_out: Default::default(),
            result: Default::default(),
            stages: std::array::from_fn(AddSubStage::new),
            valid: Default::default(),
            tag: Default::default(),
            out: Default::default(),
        }
    }
}

impl<const LIMB: usize, const STAGES: usize, const TAG: usize> Logic
    for FqAddSub<LIMB, STAGES, TAG>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, valid, tag, out);
        for i in 0..STAGES {
            self.stages[i].clock.next = self.clock.val();
        }
        self.stages[0].valid_in.next = self.valid_in.val();
        self.stages[0].sub_in.next = self.sub.val();
        self.stages[0].tag_in.next = self.tag_in.val();
        self.stages[0].a_in.next = self.a.val();
        self.stages[0].b_in.next = self.b.val();
        self.stages[0].x_in.next = 0.into();
        self.stages[0].y_in.next = 0.into();
        self.stages[0].cx_in.next = self.sub.val();
        self.stages[0].cy_in.next = !self.sub.val();
        for i in 1..STAGES {
            self.stages[i].valid_in.next = self.stages[i - 1].valid_out.val();
            self.stages[i].sub_in.next = self.stages[i - 1].sub_out.val();
            self.stages[i].tag_in.next = self.stages[i - 1].tag_out.val();
            self.stages[i].a_in.next = self.stages[i - 1].a_out.val();
            self.stages[i].b_in.next = self.stages[i - 1].b_out.val();
            self.stages[i].x_in.next = self.stages[i - 1].x_out.val();
            self.stages[i].y_in.next = self.stages[i - 1].y_out.val();
            self.stages[i].cx_in.next = self.stages[i - 1].cx_out.val();
            self.stages[i].cy_in.next = self.stages[i - 1].cy_out.val();
        }
        // A one-pass loop: rust-hdl resolves array indices from loop variables, not from
        // const generics, so `self.stages[STAGES - 1]` cannot be written directly.
        for i in (STAGES - 1_usize)..STAGES {
            self.valid.d.next = self.stages[i].valid_out.val();
            self.tag.d.next = self.stages[i].tag_out.val();
            // add: y if a + b >= p; sub: x if a >= b.
            self.out.d.next = self.stages[i].x_out.val();
            if self.stages[i].sub_out.val() {
                if !self.stages[i].cx_out.val() {
                    self.out.d.next = self.stages[i].y_out.val();
                }
            } else if self.stages[i].cy_out.val() {
                self.out.d.next = self.stages[i].y_out.val();
            }
        }
        self.valid_out.next = self.valid.q.val();
        self.tag_out.next = self.tag.q.val();
        self.result.next = self.out.q.val();
    }
}
