//! Bucket accumulation and reduction as card and host split them, generic over the point type
//! ([`Group`]): the model runs it on its bit-exact points, tests on stand-in groups, the host
//! on whatever the card returns.
//!
//! On the card: signed-digit bucket accumulation, then the regular part of the reduction:
//! each window's buckets split into segments of m = 2^m_log2 buckets, each segment a
//! running-sum chain (R += B_k; S += R, k from the top down) giving its plain sum S_j and
//! triangle sum T_j. On the host ([`Plan::finish`]): each window's sum
//! T = sum_j T_j + m sum_j j S_j (a short triangle over the segments and log2(m) doublings),
//! then the windows' Horner combination. The host part is about 3s + log2(m) adds per window
//! plus 255 doublings, irregular and serial: a pipeline of depth L would idle through it.
//!
//! Windows are spread over the lanes as [`LaneSplit`] says: each window has one share, or
//! several when it is left over, each share a lane's slot of 2^(c-1) buckets (a narrower
//! window leaves its upper half empty) and 2^(c-1) / m segments.

pub use crate::lanes::LaneSplit;
use crate::limbs::Limbs;
use crate::window::{buckets_per_window, signed_digits, windows, Window};

/// What the reduction needs of a point type: a commutative group written additively.
pub trait Group: Copy {
    fn identity() -> Self;
    fn add(&self, rhs: &Self) -> Self;
    /// Doubling is an addition of a point to itself (complete formulas).
    fn double(&self) -> Self {
        self.add(self)
    }
}

/// `bucket[w][h][|d|] = add(bucket[w][h][|d|], base, d < 0)` for every non-zero digit, h the
/// share of window w that point's digit goes to (`split`). Returns, per window and share, its
/// 2^(width-1) + 1 buckets (index 0 unused), and the number of adds.
pub fn accumulate<B, G: Group>(
    bases: &[B],
    scalars: &[Limbs],
    c: u32,
    split: &LaneSplit,
    add: impl Fn(&G, &B, bool) -> G,
) -> (Vec<Vec<Vec<G>>>, u64) {
    assert_eq!(bases.len(), scalars.len());
    let mut buckets: Vec<Vec<Vec<G>>> = windows(c)
        .iter()
        .enumerate()
        .map(|(i, w)| vec![vec![G::identity(); w.buckets() + 1]; split.shares(i)])
        .collect();
    let mut adds = 0;
    for (n, (base, scalar)) in bases.iter().zip(scalars).enumerate() {
        for (w, &d) in signed_digits(scalar, c).iter().enumerate() {
            if d != 0 {
                let h = split.share_of_point(w, n);
                let b = &mut buckets[w][h][d.unsigned_abs() as usize];
                *b = add(b, base, d < 0);
                adds += 1;
            }
        }
    }
    (buckets, adds)
}

/// One segment's running sums as the card computes them (2m adds): buckets k = m..1 of
/// `segment` (its buckets in order, weight 1..=m). Returns (S_j, T_j) = (sum B_k, sum k B_k).
pub fn segment_sums<G: Group>(segment: &[G]) -> (G, G) {
    let (mut r, mut s) = (G::identity(), G::identity());
    for b in segment.iter().rev() {
        r = r.add(b);
        s = s.add(&r);
    }
    (r, s)
}

/// Segment j's sums (S_j, T_j) of a window's `buckets` (bucket 1 first) for segments of m
/// buckets: buckets past the window's last are empty (a narrower window's upper segments).
pub fn window_segment_sums<G: Group>(buckets: &[G], m: usize, j: usize) -> (G, G) {
    let (lo, hi) = ((j * m).min(buckets.len()), ((j + 1) * m).min(buckets.len()));
    segment_sums(&buckets[lo..hi])
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

/// The card's reduction plan for one lane holding `windows_per_lane` windows of 2^(c-1)
/// buckets: segments of m = 2^m_log2 buckets, the largest m that leaves at least `need` chains
/// ([`CardShape::min_chains`]: each chain's next add reads its last result), so the running
/// sums keep the lane full. With fewer buckets than that (small c), chains of one bucket run on
/// past them into empty addresses. Returns (m_log2, chains).
pub fn segment_plan(c: u32, windows_per_lane: usize, need: usize) -> (u32, u32) {
    let total = (windows_per_lane as u32) << (c - 1);
    let need = need as u32;
    let m_log2 = (0..c).rev().find(|&k| total >> k >= need).unwrap_or(0);
    (m_log2, (total >> m_log2).max(need))
}

/// The host's finish of one window: T = sum_j T_j + m sum_j j S_j from its segments' (S_j,
/// T_j), j = 0.. in bucket order. Returns T and the number of adds.
pub fn finish_window<G: Group>(sums: &[(G, G)], m: usize) -> (G, u64) {
    assert!(m.is_power_of_two());
    let mut adds = 0u64;
    // sum_j j S_j by running sums over j from the top down to 1.
    let (mut r, mut weighted) = (G::identity(), G::identity());
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
pub fn combine_windows<G: Group>(window_sums: &[G], windows: &[Window]) -> (G, u64) {
    assert_eq!(window_sums.len(), windows.len());
    let mut acc = G::identity();
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

/// What the reduction plan needs to know of a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardShape {
    pub lanes: usize,
    /// The adder lane's latency L in clocks.
    pub latency: usize,
    /// Clocks between the additions a lane takes, II (1 unless the lane is folded).
    pub interval: usize,
}

impl CardShape {
    /// Chains a reduction needs so that a chain's next add, `chains` slots of II clocks after
    /// its last, reads that add's result (written back L + 2 clocks after issue).
    pub fn min_chains(&self) -> usize {
        (self.latency + 2).div_ceil(self.interval)
    }
}

/// How one MSM at window width c is laid out over a card's lanes and reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub c: u32,
    pub lanes: usize,
    /// Segment length m = 2^m_log2 buckets.
    pub m_log2: u32,
    /// Chains each lane runs ([`segment_plan`]).
    pub chains: u32,
}

impl Plan {
    pub fn new(c: u32, card: CardShape) -> Plan {
        let (m_log2, chains) =
            segment_plan(c, LaneSplit::new(c, card.lanes).slots(), card.min_chains());
        Plan {
            c,
            lanes: card.lanes,
            m_log2,
            chains,
        }
    }

    pub fn segment_len(&self) -> usize {
        1 << self.m_log2
    }

    /// Segments of one window slot (a narrower window's upper ones are empty).
    pub fn segments_per_window(&self) -> u32 {
        (1u32 << (self.c - 1)) >> self.m_log2
    }

    pub fn split(&self) -> LaneSplit {
        LaneSplit::new(self.c, self.lanes)
    }

    /// Where bucket k (|d| = k, 1..=2^(width-1)) of share h of window w lives: (lane, address).
    pub fn bucket_address(&self, w: usize, h: usize, k: u32) -> (usize, u32) {
        let (lane, slot) = self.split().share(w, h);
        (lane, (slot << (self.c - 1)) + k - 1)
    }

    /// Where segment j of share h of window w's sums (S_j, T_j) live: (lane, chain).
    pub fn segment_address(&self, w: usize, h: usize, j: u32) -> (usize, u32) {
        let (lane, slot) = self.split().share(w, h);
        (lane, slot * self.segments_per_window() + j)
    }

    /// The host's part: every window finished from its segments' sums (`sums(w, h, j)` for
    /// each share h and j < [`Plan::segments_per_window`]; the shares' sums added first), then
    /// the windows combined. Returns the MSM and the host's adds.
    pub fn finish<G: Group>(&self, mut sums: impl FnMut(usize, usize, u32) -> (G, G)) -> (G, u64) {
        let wins = windows(self.c);
        let split = self.split();
        let mut adds = 0;
        let window_sums: Vec<G> = (0..wins.len())
            .map(|w| {
                let s: Vec<_> = (0..self.segments_per_window())
                    .map(|j| {
                        let (mut s, mut t) = sums(w, 0, j);
                        for h in 1..split.shares(w) {
                            let (sh, th) = sums(w, h, j);
                            (s, t) = (s.add(&sh), t.add(&th));
                            adds += 2;
                        }
                        (s, t)
                    })
                    .collect();
                let (t, a) = finish_window(&s, self.segment_len());
                adds += a;
                t
            })
            .collect();
        let (point, a) = combine_windows(&window_sums, &wins);
        (point, adds + a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::WINDOW_RANGE;

    /// Integers mod 2^64 under addition: a group in which every sum is checkable.
    impl Group for u64 {
        fn identity() -> u64 {
            0
        }
        fn add(&self, rhs: &u64) -> u64 {
            self.wrapping_add(*rhs)
        }
    }

    #[test]
    fn plan_and_finish_give_the_msm_in_any_group() {
        // Bases 1, 3, 5, ... so the MSM is sum s_i (2i + 1) mod 2^64.
        let scalars: Vec<Limbs> = (0..40u64)
            .map(|i| [i.wrapping_mul(0x9e37_79b9_7f4a_7c15), i, 0, i << 50])
            .collect();
        let bases: Vec<u64> = (0..40).map(|i| 2 * i + 1).collect();
        let want = scalars
            .iter()
            .zip(&bases)
            .fold(0u64, |acc, (s, b)| acc.wrapping_add(s[0].wrapping_mul(*b)));
        for c in WINDOW_RANGE {
            for card in [
                CardShape {
                    lanes: 1,
                    latency: 7,
                    interval: 1,
                },
                CardShape {
                    lanes: 2,
                    latency: 200,
                    interval: 24,
                },
                CardShape {
                    lanes: 3,
                    latency: 9,
                    interval: 1,
                },
                CardShape {
                    lanes: 4,
                    latency: 117,
                    interval: 1,
                },
            ] {
                let plan = Plan::new(c, card);
                let (buckets, _) = accumulate(
                    &bases,
                    &scalars,
                    c,
                    &plan.split(),
                    |b: &u64, p: &u64, neg| b.wrapping_add(if neg { p.wrapping_neg() } else { *p }),
                );
                let m = plan.segment_len();
                let (got, _) =
                    plan.finish(|w, h, j| window_segment_sums(&buckets[w][h][1..], m, j as usize));
                assert_eq!(got, want, "c = {c}, {card:?}");
                // Each chain's next add comes >= L + 2 clocks after its last.
                assert!(plan.chains as usize * card.interval >= card.latency + 2);
            }
        }
    }
}
