//! 4:2 carry-save compressor: s + c = w + x + y + z (mod 2^W) with bitwise logic only, two 3:2
//! layers (sum = a ^ b ^ c, carry = majority(a, b, c) << 1): no carry chain at any width.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Compress42<const W: usize> {
    pub w: Signal<In, Bits<W>>,
    pub x: Signal<In, Bits<W>>,
    pub y: Signal<In, Bits<W>>,
    pub z: Signal<In, Bits<W>>,
    pub s: Signal<Out, Bits<W>>,
    pub c: Signal<Out, Bits<W>>,
    ts: Signal<Local, Bits<W>>,
    tc: Signal<Local, Bits<W>>,
}

impl<const W: usize> Logic for Compress42<W> {
    #[hdl_gen]
    fn update(&mut self) {
        self.ts.next = self.w.val() ^ self.x.val() ^ self.y.val();
        self.tc.next = ((self.w.val() & self.x.val())
            | (self.w.val() & self.y.val())
            | (self.x.val() & self.y.val()))
            << 1;
        self.s.next = self.ts.val() ^ self.tc.val() ^ self.z.val();
        self.c.next = ((self.ts.val() & self.tc.val())
            | (self.ts.val() & self.z.val())
            | (self.tc.val() & self.z.val()))
            << 1;
    }
}
