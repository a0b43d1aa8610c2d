//! The MSM algorithm the core runs, built only from the model's field, point and digit pieces.
//!
//! On the card: signed-digit bucket accumulation (mixed adds) and the regular part of the bucket
//! reduction: each window's buckets split into segments of equal length m, each segment a
//! running-sum chain (R += B_k; S += R, k from the top down) giving its plain sum S_j and
//! triangle sum T_j. On the host: each window's sum T = sum_j T_j + m sum_j j S_j (a short
//! triangle over the segments and log2(m) doublings), then the windows' Horner combination.
//! The host part is about 3s + log2(m) adds per window plus 255 doublings, irregular and
//! serial: a pipeline of depth L would idle through it, a CPU does it in well under a millisecond.

use super::digits::{buckets_per_window, signed_digits, windows, Window};
use super::field::Limbs;
use super::point::{Affine, Projective};

/// How many additions each phase performed. Doublings count as additions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddCounts {
    /// Card: mixed adds `bucket += ±P`, one per non-zero digit.
    pub accumulation: u64,
    /// Card: full adds of the segment running sums, 2 per bucket.
    pub reduction: u64,
    /// Host: segment finishing and window combination.
    pub host: u64,
}

impl AddCounts {
    /// Additions that run on the card: accumulation and reduction.
    pub fn on_card(&self) -> u64 {
        self.accumulation + self.reduction
    }
}

/// Segments of a full c-bit window: a power of two in 1..=2^(c-1).
pub fn check_segments(c: u32, segments: usize) {
    let k = buckets_per_window(c);
    assert!(
        segments.is_power_of_two() && segments <= k,
        "segments = {segments} must be a power of two <= 2^(c-1) = {k}"
    );
}

/// Segment length m = 2^(c-1) / segments, the same for every window so that all reduction
/// chains are equally long and finish together (a c-1 bit window has half the segments).
pub fn segment_len(c: u32, segments: usize) -> usize {
    buckets_per_window(c) / segments
}

/// Segments of `window` for segment length m.
pub fn window_segments(window: &Window, m: usize) -> usize {
    (window.buckets() / m).max(1)
}

/// `bucket[w][|d|] += sign(d) P` for every non-zero digit. Returns one row per window of its
/// 2^(width-1) + 1 buckets (index 0 unused) and the number of adds.
pub fn accumulate(bases: &[Affine], scalars: &[Limbs], c: u32) -> (Vec<Vec<Projective>>, u64) {
    assert_eq!(bases.len(), scalars.len());
    let mut buckets: Vec<Vec<Projective>> = windows(c)
        .iter()
        .map(|w| vec![Projective::IDENTITY; w.buckets() + 1])
        .collect();
    let mut adds = 0;
    for (base, scalar) in bases.iter().zip(scalars) {
        for (w, &d) in signed_digits(scalar, c).iter().enumerate() {
            if d != 0 {
                let b = &mut buckets[w][d.unsigned_abs() as usize];
                *b = b.add_mixed(base, d < 0);
                adds += 1;
            }
        }
    }
    (buckets, adds)
}

/// One segment's running sums as the card computes them (2m adds): buckets k = m..1 of
/// `segment` (its buckets in order, weight 1..=m). Returns (S_j, T_j) = (sum B_k, sum k B_k).
pub fn segment_sums(segment: &[Projective]) -> (Projective, Projective) {
    let (mut r, mut s) = (Projective::IDENTITY, Projective::IDENTITY);
    for b in segment.iter().rev() {
        r = r.add(b);
        s = s.add(&r);
    }
    (r, s)
}

/// The card's reduction plan for one lane holding `windows_per_lane` windows of 2^(c-1)
/// buckets: segments of m = 2^m_log2 buckets, the largest m that leaves at least L + 2 chains
/// (each chain's next add reads its last result, L clocks later), so the running sums keep the
/// lane full. With fewer buckets than that (small c), chains of one bucket run on past them
/// into empty addresses. Returns (m_log2, chains).
pub fn segment_plan(c: u32, windows_per_lane: usize, latency: usize) -> (u32, u32) {
    let total = (windows_per_lane as u32) << (c - 1);
    let need = latency as u32 + 2;
    let m_log2 = (0..c).rev().find(|&k| total >> k >= need).unwrap_or(0);
    (m_log2, (total >> m_log2).max(need))
}

/// The host's finish of one window: T = sum_j T_j + m sum_j j S_j from its segments' (S_j,
/// T_j), j = 0.. in bucket order. Returns T and the number of adds.
pub fn finish_window(sums: &[(Projective, Projective)], m: usize) -> (Projective, u64) {
    assert!(m.is_power_of_two());
    let mut adds = 0u64;
    // sum_j j S_j by running sums over j from the top down to 1.
    let (mut r, mut weighted) = (Projective::IDENTITY, Projective::IDENTITY);
    for (sj, _) in sums.iter().skip(1).rev() {
        r = r.add(sj);
        weighted = weighted.add(&r);
        adds += 2;
    }
    for _ in 0..m.trailing_zeros() {
        weighted = weighted.double();
        adds += 1;
    }
    let mut total = weighted;
    for (_, tj) in sums {
        total = total.add(tj);
        adds += 1;
    }
    (total, adds)
}

/// sum_w 2^(offset_w) T_w from the top window down (Horner): before adding T_w, double the
/// accumulator width_w times. Returns the point and the number of adds.
pub fn combine_windows(window_sums: &[Projective], windows: &[Window]) -> (Projective, u64) {
    assert_eq!(window_sums.len(), windows.len());
    let mut acc = Projective::IDENTITY;
    let mut adds = 0u64;
    for (i, (t, win)) in window_sums.iter().zip(windows).enumerate().rev() {
        if i + 1 < windows.len() {
            for _ in 0..win.width {
                acc = acc.double();
            }
            adds += u64::from(win.width);
        }
        acc = acc.add(t);
        adds += 1;
    }
    (acc, adds)
}

/// The whole MSM sum_i scalars[i] * bases[i] as card and host compute it.
pub fn msm(
    bases: &[Affine],
    scalars: &[Limbs],
    c: u32,
    segments: usize,
) -> (Projective, AddCounts) {
    check_segments(c, segments);
    let m = segment_len(c, segments);
    let wins = windows(c);
    let (buckets, accumulation) = accumulate(bases, scalars, c);
    let mut counts = AddCounts {
        accumulation,
        ..AddCounts::default()
    };
    let window_sums: Vec<Projective> = buckets
        .iter()
        .zip(&wins)
        .map(|(row, win)| {
            let len = m.min(win.buckets());
            let sums: Vec<_> = row[1..].chunks(len).map(segment_sums).collect();
            counts.reduction += 2 * win.buckets() as u64;
            let (t, adds) = finish_window(&sums, len);
            counts.host += adds;
            t
        })
        .collect();
    let (point, adds) = combine_windows(&window_sums, &wins);
    counts.host += adds;
    (point, counts)
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
