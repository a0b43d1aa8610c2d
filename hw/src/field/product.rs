//! (S, C) + x y in carry-save form: T tiles multiply the A-bit chunks of x by the B-bit y
//! (registered), their products are placed by OR (even and odd tiles separately: products of
//! A + B <= 2A bits at offsets 2kA never overlap), and a 4:2 compressor adds the two vectors to
//! (S, C), which wait one cycle to meet the tile outputs. Output: combinational, TILE_LATENCY
//! after the inputs. A Montgomery row uses it twice: a b_i and p q.

use rust_hdl::prelude::*;

use super::compress::Compress42;
use super::tile::Tile;

/// Tiles A x B, T = ceil(256 / A) of them (TE even, TO odd), x of AW = T A bits, (S, C) of W
/// bits; checked by the row that builds it.
#[derive(LogicBlock)]
pub struct ProductAccumulate<
    const A: usize,
    const B: usize,
    const TE: usize,
    const TO: usize,
    const AW: usize,
    const W: usize,
> {
    pub clock: Signal<In, Clock>,
    pub x: Signal<In, Bits<AW>>,
    pub y: Signal<In, Bits<B>>,
    pub s_in: Signal<In, Bits<W>>,
    pub c_in: Signal<In, Bits<W>>,
    pub s_out: Signal<Out, Bits<W>>,
    pub c_out: Signal<Out, Bits<W>>,
    even_off: [Constant<Bits<16>>; TE],
    odd_off: [Constant<Bits<16>>; TO],
    even: [Tile<A, B, W>; TE],
    odd: [Tile<A, B, W>; TO],
    s: DFF<Bits<W>>,
    c: DFF<Bits<W>>,
    e: Signal<Local, Bits<W>>,
    o: Signal<Local, Bits<W>>,
    csa: Compress42<W>,
}

impl<
        const A: usize,
        const B: usize,
        const TE: usize,
        const TO: usize,
        const AW: usize,
        const W: usize,
    > Default for ProductAccumulate<A, B, TE, TO, AW, W>
{
    fn default() -> Self {
        let off = |j: usize| Constant::new(bits::<16>((j * A) as u64));
        Self {
            clock: Default::default(),
            x: Default::default(),
            y: Default::default(),
            s_in: Default::default(),
            c_in: Default::default(),
            s_out: Default::default(),
            c_out: Default::default(),
            even_off: std::array::from_fn(|k| off(2 * k)),
            odd_off: std::array::from_fn(|k| off(2 * k + 1)),
            even: std::array::from_fn(|_| Default::default()),
            odd: std::array::from_fn(|_| Default::default()),
            s: Default::default(),
            c: Default::default(),
            e: Default::default(),
            o: Default::default(),
            csa: Default::default(),
        }
    }
}

impl<
        const A: usize,
        const B: usize,
        const TE: usize,
        const TO: usize,
        const AW: usize,
        const W: usize,
    > Logic for ProductAccumulate<A, B, TE, TO, AW, W>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, s, c);
        for k in 0..TE {
            self.even[k].clock.next = self.clock.val();
            self.even[k].a.next = self.x.val().get_bits::<A>(self.even_off[k].val().index());
            self.even[k].b.next = self.y.val();
        }
        for k in 0..TO {
            self.odd[k].clock.next = self.clock.val();
            self.odd[k].a.next = self.x.val().get_bits::<A>(self.odd_off[k].val().index());
            self.odd[k].b.next = self.y.val();
        }
        self.s.d.next = self.s_in.val();
        self.c.d.next = self.c_in.val();
        self.e.next = 0.into();
        for k in 0..TE {
            self.e.next = self.e.val() | (self.even[k].p.val() << self.even_off[k].val());
        }
        self.o.next = 0.into();
        for k in 0..TO {
            self.o.next = self.o.val() | (self.odd[k].p.val() << self.odd_off[k].val());
        }
        self.csa.w.next = self.s.q.val();
        self.csa.x.next = self.c.q.val();
        self.csa.y.next = self.e.val();
        self.csa.z.next = self.o.val();
        self.s_out.next = self.csa.s.val();
        self.c_out.next = self.csa.c.val();
    }
}
