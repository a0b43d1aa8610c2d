//! Schedule model: cycle counts of the bucket engine on an adder pipeline of latency L.
//!
//! **A planning tool for the RTL, not a model of it.** It follows the intended microarchitecture
//! (one add issued per lane per clock; a bucket whose add is in flight is parked in a FIFO and
//! retried; windows split round-robin over lanes and the left-over windows' points shared
//! (`msm_spec::lanes`), each lane running on its own; reduction by
//! segmented running sums through the same pipeline) but nothing here is cycle-exact against
//! the generated Verilog. Its assumptions:
//! - a parked op costs its issue slot (the slot is spent discovering the hazard);
//! - the FIFO head is retried first; a full FIFO stalls the input;
//! - zero digits cost nothing (the slicer filters them);
//! - lanes do not wait for each other (each has its own input queue), the run ends with the
//!   slowest lane;
//! - the reduction's irregular tail and the window combination run on the host (see
//!   [`super::msm`]) and are not counted;
//! - a folded lane (an addition every II clocks) is a lane of ceil(L / II) issue slots, each
//!   slot II clocks.

use std::cmp::Reverse;
use std::collections::VecDeque;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use msm_spec::lanes::LaneSplit;
use msm_spec::limbs::{Limbs, SCALAR_MODULUS};
use msm_spec::reduction::{check_segments, segment_len, window_segments};
use msm_spec::window::{buckets_per_window, signed_digits, windows, Window};

use super::chains::Chains;
use super::field::random_below;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduleParams {
    pub c: u32,
    /// Adder pipeline latency L in cycles.
    pub latency: u64,
    /// Clocks between the additions a lane takes (1 unless the lane is folded).
    pub interval: u64,
    pub lanes: usize,
    /// Reduction segments per window (power of two); see [`auto_segments`].
    pub segments: usize,
    /// Depth of each lane's hazard FIFO.
    pub fifo_depth: usize,
}

/// How the model's scalars are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarDistribution {
    /// Uniform below r.
    Uniform,
    /// One uniform scalar repeated: every add of a window hits one bucket (worst-case hazards).
    Constant,
    /// All zero: no accumulation at all.
    Zero,
}

impl std::str::FromStr for ScalarDistribution {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "uniform" => Ok(Self::Uniform),
            "constant" => Ok(Self::Constant),
            "zero" => Ok(Self::Zero),
            _ => Err(format!(
                "unknown distribution {s:?} (uniform, constant, zero)"
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScheduleReport {
    /// Total cycles: the slowest lane's accumulation plus reduction.
    pub cycles: u64,
    /// Cycles until the slowest lane's last accumulation add has completed.
    pub accumulation_cycles: u64,
    pub accumulation_adds: u64,
    pub reduction_adds: u64,
    /// Issue slots lost to hazards (parking, stalls, waiting on a parked bucket), all lanes.
    pub hazard_slots: u64,
    /// Ops that were parked at least once, all lanes.
    pub parked: u64,
    /// Clocks of an issue slot: the lanes' II.
    pub interval: u64,
}

impl ScheduleReport {
    pub fn adds(&self) -> u64 {
        self.accumulation_adds + self.reduction_adds
    }

    /// A / (issue slots x lanes): A II / (cycles x lanes).
    pub fn efficiency(&self, lanes: usize) -> f64 {
        let slots = self.cycles.max(1) as f64 / self.interval.max(1) as f64;
        self.adds() as f64 / (slots * lanes as f64)
    }
}

/// Smallest power-of-two segment count that gives each lane at least L independent reduction
/// chains, capped at 2^(c-1). A chain issues two adds per L cycles (R += B, then S += R), so L/2
/// chains would just fill the pipeline; L leave the critical path (m L cycles) at half the
/// lane's reduction work, room for the queueing of a greedy issue order.
pub fn auto_segments(c: u32, latency: u64, lanes: usize) -> usize {
    let windows_per_lane = LaneSplit::new(c, lanes).slots() as u64;
    let wanted = latency.div_ceil(windows_per_lane).max(1) as usize;
    wanted.next_power_of_two().min(buckets_per_window(c))
}

/// `n` scalars below r from a seeded generator.
pub fn random_scalars(n: usize, dist: ScalarDistribution, seed: u64) -> Vec<Limbs> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut uniform = || random_below(&mut rng, &SCALAR_MODULUS);
    match dist {
        ScalarDistribution::Uniform => (0..n).map(|_| uniform()).collect(),
        ScalarDistribution::Constant => vec![uniform(); n],
        ScalarDistribution::Zero => vec![[0; 4]; n],
    }
}

/// Runs the schedule model on the given scalars.
pub fn schedule(scalars: &[Limbs], p: &ScheduleParams) -> ScheduleReport {
    assert!(p.lanes >= 1 && p.latency >= 1 && p.interval >= 1);
    if p.interval > 1 {
        let slots = ScheduleParams {
            latency: p.latency.div_ceil(p.interval),
            interval: 1,
            ..*p
        };
        let r = schedule(scalars, &slots);
        return ScheduleReport {
            cycles: r.cycles * p.interval,
            accumulation_cycles: r.accumulation_cycles * p.interval,
            interval: p.interval,
            ..r
        };
    }
    check_segments(p.c, p.segments);
    let all = windows(p.c);
    let split = LaneSplit::new(p.c, p.lanes);
    let mut report = ScheduleReport {
        interval: 1,
        ..Default::default()
    };
    for lane in 0..p.lanes {
        let mine = split.lane_shares(lane);
        if mine.is_empty() {
            continue;
        }
        let acc = accumulate_lane(scalars, p, &split, &mine);
        let lane_windows: Vec<Window> = mine.iter().map(|&(w, _)| all[w]).collect();
        let end = reduce_lane(acc.done, p, &lane_windows);
        report.cycles = report.cycles.max(end);
        report.accumulation_cycles = report.accumulation_cycles.max(acc.done);
        report.accumulation_adds += acc.adds;
        report.hazard_slots += acc.hazard_slots;
        report.parked += acc.parked;
        // A shared window's running sums count once (as in `reduction_adds`).
        report.reduction_adds += mine
            .iter()
            .filter(|&&(_, h)| h == 0)
            .map(|&(w, _)| 2 * all[w].buckets() as u64)
            .sum::<u64>();
    }
    report
}

struct LaneAccumulation {
    /// Cycle at which the last add's result is written back.
    done: u64,
    adds: u64,
    hazard_slots: u64,
    parked: u64,
}

/// One lane's accumulation of its `shares` (window, share) of the digits.
fn accumulate_lane(
    scalars: &[Limbs],
    p: &ScheduleParams,
    split: &LaneSplit,
    shares: &[(usize, usize)],
) -> LaneAccumulation {
    let k = buckets_per_window(p.c);
    // Per (lane slot, bucket): the cycle from which it may be read again.
    let mut free_at = vec![0u64; shares.len() * (k + 1)];
    let mut ops = scalars.iter().enumerate().flat_map(|(n, s)| {
        let d = signed_digits(s, p.c);
        shares
            .iter()
            .enumerate()
            .filter(|&(_, &(win, h))| d[win] != 0 && split.share_of_point(win, n) == h)
            .map(|(i, &(win, _))| i * (k + 1) + d[win].unsigned_abs() as usize)
            .collect::<Vec<_>>()
    });
    let mut next = ops.next();
    let mut fifo: VecDeque<usize> = VecDeque::with_capacity(p.fifo_depth);
    let mut r = LaneAccumulation {
        done: 0,
        adds: 0,
        hazard_slots: 0,
        parked: 0,
    };
    let mut t = 0u64;
    loop {
        let head = fifo.front().copied();
        let issue = match (head, next) {
            (Some(h), _) if free_at[h] <= t => {
                fifo.pop_front();
                Some(h)
            }
            (_, Some(op)) if free_at[op] <= t => {
                next = ops.next();
                Some(op)
            }
            (_, Some(op)) if fifo.len() < p.fifo_depth => {
                fifo.push_back(op);
                next = ops.next();
                r.parked += 1;
                None
            }
            (None, None) => break,
            // Nothing can issue: jump to the first cycle at which something can.
            (h, op) => {
                let wake = h
                    .iter()
                    .chain(op.iter())
                    .map(|&b| free_at[b])
                    .min()
                    .unwrap();
                r.hazard_slots += wake - t - 1;
                t = wake - 1;
                None
            }
        };
        match issue {
            Some(b) => {
                free_at[b] = t + p.latency;
                r.done = r.done.max(t + p.latency);
                r.adds += 1;
            }
            None => r.hazard_slots += 1,
        }
        t += 1;
    }
    r
}

/// Reduction of one lane's windows, starting at cycle `start`: every segment of every window is
/// a chain R += B_k (depends on the previous R), S += R (depends on this R and the previous S).
/// A greedy list scheduler issues the earliest-ready add each cycle. Returns the cycle at which
/// the last add is written back.
fn reduce_lane(start: u64, p: &ScheduleParams, windows: &[Window]) -> u64 {
    let m_full = segment_len(p.c, p.segments);
    let lengths = windows.iter().flat_map(|win| {
        let m = m_full.min(win.buckets());
        std::iter::repeat_n(m, window_segments(win, m))
    });
    let mut chains = Chains::new(lengths, start);
    let (mut t, mut end) = (start, start);
    while let Some(Reverse((ready, step))) = chains.ready.pop() {
        t = t.max(ready);
        let done = t + p.latency;
        end = end.max(done);
        chains.done(step, done);
        t += 1;
    }
    end
}
