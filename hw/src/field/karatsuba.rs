//! Montgomery multiplication a b R^-1 mod p (R = 2^256) as a dataflow program of three
//! Karatsuba-Ofman products, the model's order (`msm_sim::model::field`):
//!   t = a b;  m = (t mod R) p' mod R;  u = (t + m p) / R;  u -= p if u >= p.
//! - t: a full product; m: only the low half (the cross terms of each level are low halves
//!   themselves); m p: a full product by a constant, so the constant's half sums are constants.
//! - t + m p is a multiple of R, so its low halves add to 0 or R: u = t_hi + (m p)_hi +
//!   (t_lo != 0), and the low half of m p is never added.
//!
//! Karatsuba at a level splits both operands at h = ceil(n / 2):
//!   x y = z0 + (zm - z0 - z2) 2^h + z2 2^2h,  z0 = x0 y0, z2 = x1 y1, zm = (x0 + x1)(y0 + y1)
//! (additive: the half sums are a bit wider, and nothing is ever negative), recursing `levels`
//! times or until a product fits one tile; below that, a product is a grid of tiles
//! ([`Builder::mul`]).

use msm_spec::limbs::{P, P_NEG_INV};
use num_bigint::BigUint;

use super::dataflow::{minus, plus, Builder, Id, Program, SumShape};
use super::limbs_to_biguint as big;
use crate::config::Tile;

/// Does x y fit one of the builder's tiles (either way round)?
fn fits(b: &Builder, x: Id, y: Id) -> bool {
    let tile = b.tile();
    let (lo, hi) = {
        let (wx, wy) = (b.width(x), b.width(y));
        (wx.min(wy), wx.max(wy))
    };
    lo <= tile.b_bits && hi <= tile.a_bits
}

/// x y, full width.
pub fn product(b: &mut Builder, x: Id, y: Id, levels: u32) -> Id {
    let n = b.width(x).max(b.width(y));
    if levels == 0 || fits(b, x, y) {
        return b.mul(x, y);
    }
    let h = n.div_ceil(2);
    let w = b.width(x) + b.width(y);
    let (x0, x1) = (b.slice(x, 0, h), b.slice(x, h, n - h));
    let (y0, y1) = (b.slice(y, 0, h), b.slice(y, h, n - h));
    let z0 = product(b, x0, y0, levels - 1);
    let z2 = product(b, x1, y1, levels - 1);
    let sx = b.sum(&[plus(x0, 0), plus(x1, 0)], h + 1);
    let sy = b.sum(&[plus(y0, 0), plus(y1, 0)], h + 1);
    let zm = product(b, sx, sy, levels - 1);
    // z0 and z2 do not overlap: side by side they are one summand.
    let low = if b.width(z0) == 2 * h {
        vec![plus(b.cat(&[z0, z2]), 0)]
    } else {
        vec![plus(z0, 0), plus(z2, 2 * h)]
    };
    let mut terms = low;
    terms.extend([plus(zm, h), minus(z0, h), minus(z2, h)]);
    b.sum(&terms, w)
}

/// x y mod 2^n.
pub fn product_lo(b: &mut Builder, x: Id, y: Id, n: u32, levels: u32) -> Id {
    let wx = b.width(x).max(b.width(y));
    if levels == 0 || fits(b, x, y) || wx <= n / 2 {
        let p = b.mul(x, y);
        return b.slice(p, 0, n);
    }
    let h = wx.div_ceil(2);
    let (x0, x1) = (b.slice(x, 0, h), b.slice(x, h, wx - h));
    let (y0, y1) = (b.slice(y, 0, h), b.slice(y, h, wx - h));
    let z0 = product(b, x0, y0, levels - 1);
    if h >= n {
        return b.slice(z0, 0, n);
    }
    // The cross terms count only below n - h; x1 y1 lies at 2h >= n.
    let c1 = product_lo(b, x0, y1, n - h, levels - 1);
    let c2 = product_lo(b, x1, y0, n - h, levels - 1);
    b.sum(&[plus(z0, 0), plus(c1, h), plus(c2, h)], n)
}

/// x y for operands of any widths: the wider is cut into pieces as wide as the narrower, each
/// piece's product by Karatsuba (a split of both at the wider's half would leave the narrower's
/// high half empty).
pub fn product_any(b: &mut Builder, x: Id, y: Id, levels: u32) -> Id {
    let (x, y) = if b.width(x) >= b.width(y) {
        (x, y)
    } else {
        (y, x)
    };
    let (wx, wy) = (b.width(x), b.width(y));
    if wx <= wy + wy / 2 {
        return product(b, x, y, levels);
    }
    let terms: Vec<_> = (0..wx.div_ceil(wy))
        .map(|k| {
            let piece = b.slice(x, k * wy, wy);
            plus(product(b, piece, y, levels), k * wy)
        })
        .collect();
    b.sum(&terms, wx + wy)
}

/// One pass of a word-serial Montgomery multiplication with `word`-bit words: inputs t, a
/// (256 bits, below p) and a word w of b; output t' = (t + a w + m p) / 2^word, m = (t + a w) p'
/// mod 2^word, less p if it is not below p. So t' = (t + a w) 2^-word mod p, and t' < p since
/// the numerator is below 2^(word + 1) p. Passes over b's words from the lowest, t = 0 first,
/// give a b 2^-256 mod p: the same result as [`montgomery`] from about 1 / passes of its tiles,
/// one pipeline run `256 / word` times per multiplication.
pub fn montgomery_pass(tile: Tile, chain: u32, levels: u32, word: u32) -> Program {
    let mut b = Builder::new(tile, chain);
    let r = build_montgomery_pass(&mut b, levels, word);
    b.finish(r)
}

/// a b 2^-256 mod p by `passes` runs of a [`montgomery_pass`] program on integers: b's words
/// from the lowest, t = 0 first.
pub fn eval_passes(pass: &Program, passes: u32, a: &BigUint, b: &BigUint) -> BigUint {
    let word = 256 / passes;
    let mask = (BigUint::from(1u8) << word) - 1u8;
    (0..passes).fold(BigUint::from(0u8), |t, j| {
        pass.eval(&[t, a.clone(), (b >> (j * word)) & &mask])
    })
}

/// The shapes of every sum [`montgomery_pass`] builds.
pub fn montgomery_pass_sums(tile: Tile, chain: u32, levels: u32, word: u32) -> Vec<SumShape> {
    let mut b = Builder::new(tile, chain);
    build_montgomery_pass(&mut b, levels, word);
    b.sum_shapes()
}

fn build_montgomery_pass(b: &mut Builder, levels: u32, word: u32) -> Id {
    assert!(word < 256 && 256 % word == 0, "a word divides 256");
    let t = b.input(256);
    let x = b.input(256);
    let w = b.input(word);
    let xw = product_any(b, x, w, levels);
    let s = b.sum(&[plus(t, 0), plus(xw, 0)], 256 + word + 1);
    let s_lo = b.slice(s, 0, word);
    let s_hi = b.slice(s, word, 257);
    let p_inv = b.constant(big(&P_NEG_INV) & ((BigUint::from(1u8) << word) - 1u8));
    let m = product_lo(b, s_lo, p_inv, word, levels);
    let p = b.constant(big(&P));
    let mp = product_any(b, m, p, levels);
    let mp_hi = b.slice(mp, word, 256);
    // s + m p is a multiple of 2^word: its low words add to 0 or 2^word.
    let carry = b.nonzero(s_lo);
    let u = b.sum(&[plus(s_hi, 0), plus(mp_hi, 0), plus(carry, 0)], 256);
    reduce_below_p(b, u)
}

/// u - p if u >= p, else u (u < 2p).
fn reduce_below_p(b: &mut Builder, u: Id) -> Id {
    // d = u + 2^256 - p: bit 256 says u >= p, and then the low bits are u - p.
    let two256 = BigUint::from(1u8) << 256u32;
    let neg_p = b.constant(&two256 - big(&P));
    let d = b.sum(&[plus(u, 0), plus(neg_p, 0)], 257);
    let ge = b.slice(d, 256, 1);
    let reduced = b.slice(d, 0, 256);
    b.mux(ge, reduced, u)
}

/// The Montgomery multiplier's program: inputs a and b (256 bits, below p), output
/// a b R^-1 mod p.
pub fn montgomery(tile: Tile, chain: u32, levels: u32) -> Program {
    let mut b = Builder::new(tile, chain);
    let r = build_montgomery(&mut b, levels);
    b.finish(r)
}

/// The shapes of every sum [`montgomery`] builds (what `msm-formal` proves).
pub fn montgomery_sums(tile: Tile, chain: u32, levels: u32) -> Vec<SumShape> {
    let mut b = Builder::new(tile, chain);
    build_montgomery(&mut b, levels);
    b.sum_shapes()
}

fn build_montgomery(b: &mut Builder, levels: u32) -> Id {
    let x = b.input(256);
    let y = b.input(256);
    let t = product(b, x, y, levels);
    let t_lo = b.slice(t, 0, 256);
    let t_hi = b.slice(t, 256, 256);
    let p_inv = b.constant(big(&P_NEG_INV));
    let m = product_lo(b, t_lo, p_inv, 256, levels);
    let p = b.constant(big(&P));
    let mp = product(b, m, p, levels);
    let mp_hi = b.slice(mp, 256, 256);
    let carry = b.nonzero(t_lo);
    // u < 2p < 2^255.
    let u = b.sum(&[plus(t_hi, 0), plus(mp_hi, 0), plus(carry, 0)], 256);
    reduce_below_p(b, u)
}
