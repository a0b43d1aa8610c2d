//! Window rules: signed-digit slicing of canonical scalars for a run-time window width c, with
//! balanced windows, and the choice of c.
//!
//! W = ceil(255 / c) windows cover bits 0..255 exactly (one bit above the largest scalar, to
//! absorb the last carry): the low ones are c bits wide and the high ones c - 1, so that no
//! window is left with a few bits. (With equal widths the top window of c = 12 would hold bits
//! 252..254 only: 4 buckets, a hazard on nearly every add; see DESIGN notes in the README.)
//! A window of width b has digits d in [-2^(b-1) + 1, 2^(b-1)]: a value above 2^(b-1) becomes
//! v - 2^b and carries 1 into the next window. |d| addresses one of 2^(b-1) buckets; a zero digit
//! skips the adder.

use crate::limbs::{bits, Limbs};

/// Bits of the largest scalar (r < 2^254).
pub const SCALAR_BITS: u32 = 254;

/// Bits the windows cover: one more than the scalar, so the top window never carries out.
pub const COVERED_BITS: u32 = SCALAR_BITS + 1;

/// Window widths the model (and the core) accept.
pub const WINDOW_RANGE: std::ops::RangeInclusive<u32> = 2..=16;

/// One window of the decomposition: bits [offset, offset + width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub offset: u32,
    pub width: u32,
}

impl Window {
    /// Buckets of this window: digit magnitudes 1..=2^(width-1).
    pub fn buckets(&self) -> usize {
        1 << (self.width - 1)
    }
}

/// W = ceil(255 / c).
pub fn num_windows(c: u32) -> usize {
    COVERED_BITS.div_ceil(c) as usize
}

/// Bucket memory entries a window of width c needs: 2^(c-1) (the widest window's buckets).
pub fn buckets_per_window(c: u32) -> usize {
    1 << (c - 1)
}

/// The W windows for width c, least significant first: `wide` windows of c bits, then W - wide
/// of c - 1 bits, adding up to exactly 255 bits.
pub fn windows(c: u32) -> Vec<Window> {
    assert!(
        WINDOW_RANGE.contains(&c),
        "window c = {c} outside {WINDOW_RANGE:?}"
    );
    let w = num_windows(c) as u32;
    let wide = COVERED_BITS - w * (c - 1);
    let mut offset = 0;
    (0..w)
        .map(|i| {
            let width = if i < wide { c } else { c - 1 };
            let win = Window { offset, width };
            offset += width;
            win
        })
        .collect()
}

/// The W signed digits of a canonical scalar below 2^254, least significant window first.
pub fn signed_digits(scalar: &Limbs, c: u32) -> Vec<i32> {
    debug_assert!(scalar[3] >> (SCALAR_BITS - 192) == 0, "scalar above 2^254");
    let mut carry = 0i64;
    windows(c)
        .iter()
        .map(|win| {
            let v = bits(scalar, win.offset as usize, win.width as usize) as i64 + carry;
            carry = i64::from(v > 1 << (win.width - 1));
            (v - (carry << win.width)) as i32
        })
        .collect()
}

/// Card reduction adds for width c: two per bucket of every window.
pub fn reduction_adds(c: u32) -> u64 {
    windows(c).iter().map(|w| 2 * w.buckets() as u64).sum()
}

/// Expected card adds for n uniform scalars at width c: n W (1 - 2^-c) accumulation (a digit is
/// zero about once in 2^c) plus the reduction.
pub fn expected_adds(n: usize, c: u32) -> f64 {
    let w = windows(c).len() as f64;
    n as f64 * w * (1.0 - (-(c as f64)).exp2()) + reduction_adds(c) as f64
}

/// The window width in 2..=c_max with the fewest expected card adds for n points.
pub fn choose_window(n: usize, c_max: u32) -> u32 {
    (2..=c_max)
        .min_by(|&a, &b| expected_adds(n, a).total_cmp(&expected_adds(n, b)))
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_exactly_255_bits_and_are_balanced() {
        for c in WINDOW_RANGE {
            let ws = windows(c);
            assert_eq!(ws.len(), num_windows(c));
            assert_eq!(
                ws.last().map(|w| w.offset + w.width),
                Some(COVERED_BITS),
                "c = {c}"
            );
            assert!(
                ws.iter().all(|w| w.width == c || w.width == c - 1),
                "c = {c}"
            );
            assert_eq!(
                ws[0].width, c,
                "c = {c}: the widest window sets the bucket memory"
            );
        }
    }

    #[test]
    fn digits_recompose_and_stay_in_range() {
        let s: Limbs = [u64::MAX, u64::MAX, u64::MAX, (1 << 62) - 1]; // 2^254 - 1
        for c in WINDOW_RANGE {
            let d = signed_digits(&s, c);
            // Recompose mod 2^128 (windows at offset >= 128 contribute 0).
            let mut acc: i128 = 0;
            for (win, &x) in windows(c).iter().zip(&d) {
                let half = 1i32 << (win.width - 1);
                assert!(x > -half && x <= half, "c = {c}: digit {x}");
                if win.offset < 128 {
                    acc = acc.wrapping_add((x as i128).wrapping_shl(win.offset));
                }
            }
            assert_eq!(acc as u128, u128::MAX, "c = {c}");
        }
    }
}
