//! Batched-affine planning model: bucket accumulation with incomplete affine additions whose
//! inversions are shared over a batch (Montgomery's trick), set beside [`super::schedule`]'s
//! complete projective lane on the same digits and lane split.
//!
//! **A planning tool, not a model of any RTL** (there is none). Per addition: forward prefix
//! product (1 mul), backward pass (2), lambda, lambda^2 and y3 (3): 6 muls; a doubling 7 (3x^2).
//! Per batch: one Fermat inversion x^(p-2) (right to left: squarings and multiplies) and the
//! merge of its g interleaved prefix chains (3(g-1) muls). A lane has M fully pipelined
//! multipliers of latency L_mul shared by all phases of all batches in flight (a perfect
//! balance of multipliers over phases: an upper bound on throughput). Cycle model:
//! - a batch of n elements issues in `interval` = ceil(muls / M) clocks (or its bucket
//!   accesses over the lane's bucket ports, if more) and the next batch issues right after:
//!   batches overlap freely;
//! - its latency (first bucket read to last write-back) is
//!   2 interval + (1 + 2 ceil(log2 g) + depth(p-2) + 4) L_mul: the elements stream in and
//!   out, the chain merges and the inversion are dependent products, 4 products per element
//!   after its inverse; field adds and memory are taken as free (a few clocks);
//! - batches are collision-free across everything in flight: an op whose bucket is in a batch
//!   not yet written back is deferred (a queue, retried first at every batch); a full queue
//!   stalls the input and the batch issues partly filled;
//! - optionally (`pair`) two deferred points of one bucket are added to each other (no bucket
//!   read) and their sum is deferred again: a tree instead of a chain on a hot bucket;
//! - exceptions are found at the bucket read: an empty bucket takes the point (a store),
//!   P + -P empties it, P + P is a doubling element; none of them goes wrong in a batch;
//! - the batch former inspects as many ops as it needs (bucket-busy bits);
//! - reduction: the same segmented running sums as the projective model, R and S of every
//!   chain issued as batch elements when ready (one chain's R and S are different registers,
//!   so every round across chains is collision-free); empty operands cost nothing.
//!
//! Points are stood in for by their discrete logs in Z/q, q = 2^64 - 59 prime: equal,
//! opposite and identity are exact, so every exception is counted as the curve would see it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use msm_spec::lanes::LaneSplit;
use msm_spec::limbs::{sub, Limbs, P};
use msm_spec::reduction::{check_segments, segment_len, segment_plan, window_segments, Group};
use msm_spec::window::{buckets_per_window, signed_digits, windows, Window};

use super::chains::{Chains, Step};

/// Multiplications of one affine addition with a shared inversion.
pub const MULS_ADD: u64 = 6;
/// A doubling's numerator 3x^2 costs one squaring more.
pub const MULS_DOUBLE: u64 = 7;

/// The largest prime below 2^64.
const Q: u64 = 0xFFFF_FFFF_FFFF_FFC5;

/// A point as its discrete log in Z/q (0 is the identity).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Log(pub u64);

impl std::ops::Neg for Log {
    type Output = Log;
    fn neg(self) -> Log {
        Log(if self.0 == 0 { 0 } else { Q - self.0 })
    }
}

impl Group for Log {
    fn identity() -> Log {
        Log(0)
    }
    fn add(&self, rhs: &Log) -> Log {
        Log(((u128::from(self.0) + u128::from(rhs.0)) % u128::from(Q)) as u64)
    }
}

/// How the model's bases are drawn (the scalars come from [`super::schedule::random_scalars`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseDistribution {
    /// Independent uniform non-identity points.
    Random,
    /// One point repeated: with equal scalars every add in a bucket is a doubling first.
    Equal,
    /// P, -P, P, ...: with equal scalars every other add cancels.
    Alternating,
}

impl std::str::FromStr for BaseDistribution {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "random" => Ok(Self::Random),
            "equal" => Ok(Self::Equal),
            "alternating" => Ok(Self::Alternating),
            _ => Err(format!("unknown bases {s:?} (random, equal, alternating)")),
        }
    }
}

/// `n` stand-in bases from a seeded generator.
pub fn random_bases(n: usize, dist: BaseDistribution, seed: u64) -> Vec<Log> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut point = || Log(rng.gen_range(1..Q));
    match dist {
        BaseDistribution::Random => (0..n).map(|_| point()).collect(),
        BaseDistribution::Equal => vec![point(); n],
        BaseDistribution::Alternating => {
            let p = point();
            (0..n).map(|i| if i % 2 == 0 { p } else { -p }).collect()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AffineParams {
    pub c: u32,
    pub lanes: usize,
    /// B: most additions in one batch (one inversion).
    pub batch: usize,
    /// M: pipelined multipliers per lane, one product per clock each.
    pub multipliers: usize,
    /// L_mul: the multiplier's latency in clocks.
    pub mul_latency: u64,
    /// Bucket reads (and writes) per clock per lane: stores and cancellations use them too.
    pub bucket_ports: usize,
    /// Capacity of each lane's deferred-op queue.
    pub deferred_depth: usize,
    /// Add deferred points of one bucket to each other.
    pub pair: bool,
    /// Reduction segments per full window (power of two); see [`auto_segments`].
    pub segments: usize,
}

/// The Fermat inversion x^(p-2), right to left: (multiplications, dependent depth in products).
pub fn inversion_cost() -> (u64, u64) {
    let (e, _) = sub(&P, &[2, 0, 0, 0]);
    let bits = 256 - leading_zeros(&e);
    let ones: u64 = e.iter().map(|l| u64::from(l.count_ones())).sum();
    // The squaring chain is the critical path; the ones' multiplies ride alongside it.
    (bits - 1 + ones - 1, bits)
}

fn leading_zeros(v: &Limbs) -> u64 {
    let top = v.iter().rposition(|&l| l != 0).unwrap_or(0);
    u64::from(v[top].leading_zeros()) + 64 * (3 - top as u64)
}

/// Cost of one batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchCost {
    pub muls: u64,
    /// Clocks before the next batch can issue.
    pub interval: u64,
    /// Clocks from the batch's first bucket read to its last write-back.
    pub latency: u64,
}

impl AffineParams {
    /// Interleaved prefix chains so that the forward share of the multipliers (M/6 products a
    /// clock) never waits on its own chain: ceil(M L_mul / 6).
    pub fn chains(&self) -> u64 {
        (self.multipliers as u64 * self.mul_latency).div_ceil(MULS_ADD)
    }

    /// A batch of `n` elements needing `element_muls` and `bucket_ops` bucket accesses.
    pub fn batch_cost(&self, n: usize, element_muls: u64, bucket_ops: u64) -> BatchCost {
        let g = self.chains().min(n as u64).max(1);
        let (inv_muls, inv_depth) = inversion_cost();
        let muls = element_muls + 3 * (g - 1) + inv_muls;
        let interval = muls
            .div_ceil(self.multipliers as u64)
            .max(bucket_ops.div_ceil(self.bucket_ports as u64))
            .max(1);
        let log_g = u64::from(g.next_power_of_two().trailing_zeros());
        let latency = 2 * interval + (1 + 2 * log_g + inv_depth + 4) * self.mul_latency;
        BatchCost {
            muls,
            interval,
            latency,
        }
    }

    /// Steady-state additions per clock of one lane with full batches.
    pub fn full_rate(&self) -> f64 {
        let b = self.batch;
        b as f64 / self.batch_cost(b, MULS_ADD * b as u64, b as u64).interval as f64
    }
}

/// Smallest power-of-two segment count that leaves each lane at least rate x latency chains
/// (the ops a full lane has in flight; each chain holds at most two), as
/// [`super::schedule::auto_segments`] does for L.
pub fn auto_segments(p: &AffineParams) -> usize {
    let full = p.batch_cost(p.batch, MULS_ADD * p.batch as u64, p.batch as u64);
    let in_flight = (p.full_rate() * full.latency as f64).ceil() as usize;
    let slots = LaneSplit::new(p.c, p.lanes).slots();
    let (m_log2, _) = segment_plan(p.c, slots, in_flight + 2);
    buckets_per_window(p.c) >> m_log2
}

/// The exceptional cases, counted where they occur.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exceptions {
    /// P + P: a doubling element (7 muls).
    pub doublings: u64,
    /// P + -P: the result is the identity, no multiplication.
    pub cancellations: u64,
    /// Into an empty bucket (or running sum): a store, no multiplication.
    pub stores: u64,
    /// Adding an empty bucket (reduction only): nothing to do.
    pub skips: u64,
}

impl Exceptions {
    fn merge(&mut self, o: &Exceptions) {
        self.doublings += o.doublings;
        self.cancellations += o.cancellations;
        self.stores += o.stores;
        self.skips += o.skips;
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AffineReport {
    /// Total cycles: the slowest lane's accumulation plus reduction.
    pub cycles: u64,
    pub accumulation_cycles: u64,
    /// Digits consumed (as [`super::schedule::ScheduleReport::accumulation_adds`]).
    pub accumulation_ops: u64,
    /// Running-sum steps, a shared window's counted once (as `reduction_adds` there).
    pub reduction_ops: u64,
    /// Affine additions through the multipliers (doublings and pairs included), all lanes.
    pub accumulation_additions: u64,
    /// Of which point + point (pairs of deferred ops).
    pub pair_additions: u64,
    /// Running-sum additions through the multipliers, all lanes and shares.
    pub reduction_additions: u64,
    pub accumulation_exceptions: Exceptions,
    pub reduction_exceptions: Exceptions,
    /// Input ops deferred at least once (their bucket was in flight).
    pub deferred: u64,
    /// Most ops waiting in one lane's deferred queue.
    pub deferred_max: usize,
    /// Clocks the input stalled on a full deferred queue, all lanes.
    pub stall_cycles: u64,
    pub batches: u64,
    /// All multiplications: elements, chain merges, inversions.
    pub multiplications: u64,
    /// Most additions in flight in one lane (bucket read, not yet written back).
    pub in_flight_max: u64,
    pub segments: usize,
}

impl AffineReport {
    /// Group operations of the MSM, counted as the projective model counts its adds.
    pub fn ops(&self) -> u64 {
        self.accumulation_ops + self.reduction_ops
    }

    pub fn additions(&self) -> u64 {
        self.accumulation_additions + self.reduction_additions
    }

    pub fn muls_per_addition(&self) -> f64 {
        self.multiplications as f64 / self.additions().max(1) as f64
    }

    /// ops / (cycles x lanes x M).
    pub fn ops_per_clock_per_multiplier(&self, lanes: usize, multipliers: usize) -> f64 {
        self.ops() as f64 / (self.cycles.max(1) as f64 * (lanes * multipliers) as f64)
    }
}

/// Runs the batched-affine model on the given scalars and stand-in bases.
pub fn affine(scalars: &[Limbs], bases: &[Log], p: &AffineParams) -> AffineReport {
    assert_eq!(scalars.len(), bases.len());
    assert!(p.lanes >= 1 && p.batch >= 1 && p.multipliers >= 1 && p.bucket_ports >= 1);
    check_segments(p.c, p.segments);
    let all = windows(p.c);
    let split = LaneSplit::new(p.c, p.lanes);
    let mut r = AffineReport {
        segments: p.segments,
        ..Default::default()
    };
    for lane in 0..p.lanes {
        let mine = split.lane_shares(lane);
        if mine.is_empty() {
            continue;
        }
        let (done, buckets) = accumulate_lane(scalars, bases, p, &split, &mine, &mut r);
        let lane_windows: Vec<(Window, bool)> =
            mine.iter().map(|&(w, h)| (all[w], h == 0)).collect();
        let end = reduce_lane(done, p, &lane_windows, &buckets, &mut r);
        r.cycles = r.cycles.max(end);
        r.accumulation_cycles = r.accumulation_cycles.max(done);
    }
    r
}

#[derive(Clone, Copy)]
struct Op {
    bucket: usize,
    value: Log,
}

/// A batch element: an addition into `bucket` (`reads`: from the bucket; otherwise a pair
/// whose sum `value` is deferred again).
struct Element {
    bucket: usize,
    reads: bool,
    value: Log,
}

/// One lane's batch former and bucket memory.
struct Former<'a> {
    p: &'a AffineParams,
    value: Vec<Log>,
    /// Per bucket: the clock from which it may be read again.
    free_at: Vec<u64>,
    /// Per bucket: the batch that holds it (busy until that batch closes).
    taken: Vec<u64>,
    batch_id: u64,
    t: u64,
    batch: Vec<Element>,
    muls: u64,
    bucket_ops: u64,
    /// Deferred ops waiting for a partner of their bucket (pairing), in bucket order.
    waiting: BTreeMap<usize, Op>,
    exc: Exceptions,
    pairs: u64,
}

impl Former<'_> {
    fn busy(&self, b: usize) -> bool {
        self.free_at[b] > self.t || self.taken[b] == self.batch_id
    }

    /// Places `op` into the batch or its bucket, or pairs it, or holds it for a partner
    /// (`room`: whether the deferred queue may take it).
    fn offer(&mut self, op: Op, room: bool) -> Offer {
        let b = op.bucket;
        if !self.busy(b) {
            let acc = self.value[b];
            self.bucket_ops += 1;
            match classify(acc, op.value) {
                Kind::Store => {
                    self.value[b] = op.value;
                    self.exc.stores += 1;
                }
                Kind::Cancel => {
                    self.value[b] = Log::identity();
                    self.exc.cancellations += 1;
                }
                kind => {
                    self.value[b] = acc.add(&op.value);
                    self.taken[b] = self.batch_id;
                    self.push(kind, b, true, Log::identity());
                }
            }
            return Offer::Placed;
        }
        if self.p.pair {
            if let Some(o) = self.waiting.remove(&b) {
                match classify(o.value, op.value) {
                    Kind::Cancel => self.exc.cancellations += 1,
                    kind => {
                        self.pairs += 1;
                        self.push(kind, b, false, o.value.add(&op.value));
                    }
                }
                return Offer::Placed;
            }
            if room {
                self.waiting.insert(b, op);
                return Offer::Held;
            }
        }
        Offer::Busy(op)
    }

    fn push(&mut self, kind: Kind, bucket: usize, reads: bool, value: Log) {
        self.muls += if kind == Kind::Double {
            self.exc.doublings += 1;
            MULS_DOUBLE
        } else {
            MULS_ADD
        };
        self.batch.push(Element {
            bucket,
            reads,
            value,
        });
    }
}

enum Offer {
    Placed,
    /// Held back for a partner (it counts against the deferred queue).
    Held,
    /// Its bucket is in flight.
    Busy(Op),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Skip,
    Store,
    Cancel,
    Double,
    Add,
}

/// `acc + p` in the incomplete affine formulas: which case.
fn classify(acc: Log, p: Log) -> Kind {
    if p == Log::identity() {
        Kind::Skip
    } else if acc == Log::identity() {
        Kind::Store
    } else if acc == p {
        Kind::Double
    } else if acc == -p {
        Kind::Cancel
    } else {
        Kind::Add
    }
}

/// One lane's accumulation of its `shares`. Returns the cycle of the last write-back and the
/// buckets (slot x (K + 1), index 0 unused).
fn accumulate_lane(
    scalars: &[Limbs],
    bases: &[Log],
    p: &AffineParams,
    split: &LaneSplit,
    shares: &[(usize, usize)],
    r: &mut AffineReport,
) -> (u64, Vec<Log>) {
    let k = buckets_per_window(p.c);
    let size = shares.len() * (k + 1);
    let mut ops = scalars.iter().enumerate().flat_map(|(n, s)| {
        let d = signed_digits(s, p.c);
        shares
            .iter()
            .enumerate()
            .filter(|&(_, &(win, h))| d[win] != 0 && split.share_of_point(win, n) == h)
            .map(|(i, &(win, _))| Op {
                bucket: i * (k + 1) + d[win].unsigned_abs() as usize,
                value: if d[win] < 0 { -bases[n] } else { bases[n] },
            })
            .collect::<Vec<_>>()
    });
    let mut f = Former {
        p,
        value: vec![Log::identity(); size],
        free_at: vec![0; size],
        taken: vec![u64::MAX; size],
        batch_id: 0,
        t: 0,
        batch: Vec::with_capacity(p.batch),
        muls: 0,
        bucket_ops: 0,
        waiting: BTreeMap::new(),
        exc: Exceptions::default(),
        pairs: 0,
    };
    let mut next = ops.next();
    let mut deferred: VecDeque<Op> = VecDeque::new();
    // Pair sums on their way back: (ready, bucket, value).
    let mut returning: BinaryHeap<Reverse<(u64, usize, Log)>> = BinaryHeap::new();
    let mut in_flight: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
    let (mut flying, mut done) = (0u64, 0u64);
    loop {
        while let Some(&Reverse((ready, bucket, value))) = returning.peek() {
            if ready > f.t {
                break;
            }
            returning.pop();
            deferred.push_back(Op { bucket, value });
        }
        f.batch.clear();
        (f.muls, f.bucket_ops) = (0, 0);
        let consumed = r.accumulation_ops;
        // Deferred ops first, oldest first.
        for _ in 0..deferred.len() {
            if f.batch.len() == p.batch {
                break;
            }
            let op = deferred.pop_front().unwrap();
            if let Offer::Busy(op) = f.offer(op, true) {
                deferred.push_back(op);
            }
        }
        let mut stalled = false;
        while f.batch.len() < p.batch {
            let Some(op) = next else { break };
            let room = deferred.len() + f.waiting.len() < p.deferred_depth;
            match f.offer(op, room) {
                Offer::Busy(op) if room => {
                    deferred.push_back(op);
                    r.deferred += 1;
                }
                Offer::Busy(_) => {
                    stalled = true;
                    break;
                }
                Offer::Held => r.deferred += 1,
                Offer::Placed => {}
            }
            r.accumulation_ops += 1;
            next = ops.next();
        }
        r.deferred_max = r.deferred_max.max(deferred.len() + f.waiting.len());
        deferred.extend(std::mem::take(&mut f.waiting).into_values());
        let progressed = r.accumulation_ops > consumed || f.bucket_ops > 0;
        if !f.batch.is_empty() {
            let cost = p.batch_cost(f.batch.len(), f.muls, f.bucket_ops);
            let end = f.t + cost.latency;
            for e in &f.batch {
                if e.reads {
                    #[cfg(any(test, debug_assertions))]
                    assert!(f.free_at[e.bucket] <= f.t, "bucket read while in flight");
                    f.free_at[e.bucket] = end;
                } else {
                    returning.push(Reverse((end, e.bucket, e.value)));
                }
            }
            #[cfg(any(test, debug_assertions))]
            {
                let mut seen: Vec<usize> = f
                    .batch
                    .iter()
                    .filter(|e| e.reads)
                    .map(|e| e.bucket)
                    .collect();
                seen.sort_unstable();
                assert!(
                    seen.windows(2).all(|w| w[0] != w[1]),
                    "batch not collision-free"
                );
            }
            while let Some(&Reverse((e, n))) = in_flight.peek() {
                if e > f.t {
                    break;
                }
                in_flight.pop();
                flying -= n;
            }
            in_flight.push(Reverse((end, f.batch.len() as u64)));
            flying += f.batch.len() as u64;
            r.in_flight_max = r.in_flight_max.max(flying);
            r.accumulation_additions += f.batch.len() as u64;
            r.multiplications += cost.muls;
            r.batches += 1;
            done = done.max(end);
            if stalled {
                r.stall_cycles += cost.interval;
            }
            f.t += cost.interval;
        } else if progressed {
            f.t += f.bucket_ops.div_ceil(p.bucket_ports as u64).max(1);
        } else if next.is_none() && deferred.is_empty() && returning.is_empty() {
            break;
        } else {
            // Nothing can go: jump to the first clock at which something can.
            let wake = deferred
                .iter()
                .chain(next.iter())
                .map(|op| f.free_at[op.bucket])
                .chain(returning.peek().map(|x| x.0 .0))
                .min()
                .unwrap();
            let wake = wake.max(f.t + 1);
            if stalled {
                r.stall_cycles += wake - f.t;
            }
            f.t = wake;
        }
        f.batch_id += 1;
    }
    r.accumulation_exceptions.merge(&f.exc);
    r.pair_additions += f.pairs;
    (done.max(f.t), f.value)
}

/// Reduction of one lane's windows (`counted`: share 0, whose steps the report counts) from
/// `start`: every segment a chain R += B_k, S += R (k from m down to 1) whose ops join the
/// next batch once ready, as many as a batch holds. Returns the cycle of the last write-back.
fn reduce_lane(
    start: u64,
    p: &AffineParams,
    windows: &[(Window, bool)],
    buckets: &[Log],
    r: &mut AffineReport,
) -> u64 {
    /// A chain's values: where its buckets are, and R and S so far.
    struct Values {
        /// Bucket index of k = 1 in `buckets`.
        base: usize,
        counted: bool,
        /// R after step i (index m + 1: before the first).
        r_val: Vec<Log>,
        s_val: Log,
    }
    let k = buckets_per_window(p.c);
    let m_full = segment_len(p.c, p.segments);
    let (mut values, mut lengths) = (Vec::new(), Vec::new());
    for (slot, &(win, counted)) in windows.iter().enumerate() {
        let m = m_full.min(win.buckets());
        for j in 0..window_segments(&win, m) {
            values.push(Values {
                base: slot * (k + 1) + j * m,
                counted,
                r_val: vec![Log::identity(); m + 2],
                s_val: Log::identity(),
            });
            lengths.push(m);
        }
    }
    let mut chains = Chains::new(lengths, start);
    let mut exc = Exceptions::default();
    let (mut t, mut end) = (start, start);
    let mut batch: Vec<Step> = Vec::with_capacity(p.batch);
    while let Some(&Reverse((ready, _))) = chains.ready.peek() {
        if ready > t {
            t = ready;
        }
        batch.clear();
        let (mut muls, mut bucket_ops, mut free_ops) = (0u64, 0u64, 0u64);
        while let Some(&Reverse((ready, op))) = chains.ready.peek() {
            if ready > t || batch.len() == p.batch {
                break;
            }
            chains.ready.pop();
            let ch = &mut values[op.chain()];
            if ch.counted {
                r.reduction_ops += 1;
            }
            let kind = match op {
                Step::R { i, .. } => {
                    bucket_ops += 1;
                    let (acc, b) = (ch.r_val[i + 1], buckets[ch.base + i]);
                    ch.r_val[i] = acc.add(&b);
                    classify(acc, b)
                }
                Step::S { i, .. } => {
                    let (acc, x) = (ch.s_val, ch.r_val[i]);
                    ch.s_val = acc.add(&x);
                    classify(acc, x)
                }
            };
            match kind {
                Kind::Add | Kind::Double => {
                    if kind == Kind::Double {
                        exc.doublings += 1;
                    }
                    muls += if kind == Kind::Double {
                        MULS_DOUBLE
                    } else {
                        MULS_ADD
                    };
                    batch.push(op);
                }
                _ => {
                    match kind {
                        Kind::Skip => exc.skips += 1,
                        Kind::Store => exc.stores += 1,
                        _ => exc.cancellations += 1,
                    }
                    free_ops += 1;
                    chains.done(op, t);
                }
            }
        }
        if batch.is_empty() {
            t += bucket_ops
                .div_ceil(p.bucket_ports as u64)
                .max(u64::from(free_ops == 0));
            continue;
        }
        let cost = p.batch_cost(batch.len(), muls, bucket_ops);
        let done = t + cost.latency;
        for &op in &batch {
            chains.done(op, done);
        }
        end = end.max(done);
        r.reduction_additions += batch.len() as u64;
        r.multiplications += cost.muls;
        r.batches += 1;
        t += cost.interval;
    }
    r.reduction_exceptions.merge(&exc);
    end.max(t)
}

#[cfg(test)]
mod tests {
    use super::super::schedule::{
        auto_segments as projective_segments, random_scalars, schedule, ScalarDistribution,
        ScheduleParams, ScheduleReport,
    };
    use super::*;
    use msm_spec::reduction::accumulate;
    use msm_spec::window::{num_windows, reduction_adds};

    fn params(c: u32, lanes: usize, batch: usize, multipliers: usize, pair: bool) -> AffineParams {
        let mut p = AffineParams {
            c,
            lanes,
            batch,
            multipliers,
            mul_latency: 41,
            bucket_ports: multipliers.div_ceil(6),
            deferred_depth: 4096,
            pair,
            segments: 1,
        };
        p.segments = auto_segments(&p);
        p
    }

    fn projective(scalars: &[Limbs], c: u32, lanes: usize) -> ScheduleReport {
        let segments = projective_segments(c, 117, lanes);
        let p = ScheduleParams {
            c,
            latency: 117,
            interval: 1,
            lanes,
            segments,
            fifo_depth: 16,
        };
        schedule(scalars, &p)
    }

    /// Running-sum steps actually run, every share: 2 per bucket slot.
    fn reduction_steps(r: &AffineReport) -> u64 {
        let e = &r.reduction_exceptions;
        e.stores + e.skips + e.cancellations + r.reduction_additions
    }

    #[test]
    fn inversion_is_a_254_bit_exponent() {
        let (muls, depth) = inversion_cost();
        assert_eq!(depth, 254);
        assert!(muls > 253 && muls < 2 * 253, "{muls}");
    }

    #[test]
    fn ops_match_the_projective_model() {
        let seed = crate::seed::seed("affine ops");
        let n = 3000;
        let scalars = random_scalars(n, ScalarDistribution::Uniform, seed);
        let bases = random_bases(n, BaseDistribution::Random, seed);
        // Lane counts that divide W (c = 8: 32, c = 9: 29 on 1) and one that shares (c = 6).
        for (c, lanes) in [(6, 2), (8, 4), (9, 1)] {
            for pair in [false, true] {
                let p = params(c, lanes, 64, 12, pair);
                let r = affine(&scalars, &bases, &p);
                let s = projective(&scalars, c, lanes);
                let what = format!("c {c}, {lanes} lanes, pair {pair}");
                assert_eq!(r.accumulation_ops, s.accumulation_adds, "{what}");
                assert_eq!(r.reduction_ops, s.reduction_adds, "{what}");
                assert_eq!(r.reduction_ops, reduction_adds(c), "{what}");
                // Every digit is a store, a bucket add or the second half of a pair.
                let a = &r.accumulation_exceptions;
                assert_eq!(
                    a.doublings + a.cancellations,
                    0,
                    "{what}: no accidents in Z/q"
                );
                assert_eq!(
                    r.accumulation_ops,
                    a.stores + r.accumulation_additions,
                    "{what}"
                );
                let split = LaneSplit::new(c, lanes);
                let slots: u64 = (0..num_windows(c))
                    .map(|w| split.shares(w) as u64 * 2 * windows(c)[w].buckets() as u64)
                    .sum();
                assert_eq!(reduction_steps(&r), slots, "{what}");
                assert!(r.cycles > r.accumulation_cycles && r.batches > 0, "{what}");
                assert!(pair || r.pair_additions == 0);
                // Exact: the element muls plus per-batch overheads.
                assert!(r.multiplications >= MULS_ADD * r.additions(), "{what}");
            }
        }
    }

    #[test]
    fn buckets_hold_the_group_sums() {
        let seed = crate::seed::seed("affine values");
        let (n, c) = (2000, 7);
        let split = LaneSplit::new(c, 1);
        let k = buckets_per_window(c);
        for dist in [
            BaseDistribution::Random,
            BaseDistribution::Equal,
            BaseDistribution::Alternating,
        ] {
            for sd in [ScalarDistribution::Uniform, ScalarDistribution::Constant] {
                let scalars = random_scalars(n, sd, seed);
                let bases = random_bases(n, dist, seed);
                let (want, adds) = accumulate(&bases, &scalars, c, &split, |a: &Log, b, neg| {
                    a.add(&if neg { -*b } else { *b })
                });
                for pair in [false, true] {
                    let p = params(c, 1, 32, 6, pair);
                    let mut r = AffineReport::default();
                    let shares = split.lane_shares(0);
                    let (_, got) = accumulate_lane(&scalars, &bases, &p, &split, &shares, &mut r);
                    assert_eq!(adds, r.accumulation_ops);
                    for (w, win) in want.iter().enumerate() {
                        for (i, b) in win[0].iter().enumerate().skip(1) {
                            let at = format!("{dist:?} {sd:?} pair {pair}: window {w} bucket {i}");
                            assert_eq!(got[w * (k + 1) + i], *b, "{at}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn exceptions_on_adversarial_inputs() {
        let n = 400;
        let c = 8;
        let scalars = random_scalars(n, ScalarDistribution::Constant, 3);
        let nonzero = signed_digits(&scalars[0], c)
            .iter()
            .filter(|&&d| d != 0)
            .count() as u64;
        // Equal bases, equal scalars: per window one store, then P + P, then 2P + P, ...
        let bases = random_bases(n, BaseDistribution::Equal, 3);
        let r = affine(&scalars, &bases, &params(c, 1, 64, 12, false));
        let a = r.accumulation_exceptions;
        assert_eq!(a.stores, nonzero);
        assert_eq!(a.doublings, nonzero);
        assert_eq!(r.accumulation_additions, nonzero * (n as u64 - 1));
        // A hot bucket is a chain of dependent batches: one batch latency per add.
        let one = params(c, 1, 64, 12, false)
            .batch_cost(1, MULS_ADD, 1)
            .latency;
        assert!(r.accumulation_cycles >= (n as u64 - 1) * one, "{r:?}");
        assert!(r.deferred > 0);
        // P, -P, P, ...: store, cancel, store, cancel.
        let bases = random_bases(n, BaseDistribution::Alternating, 3);
        let r = affine(&scalars, &bases, &params(c, 1, 64, 12, false));
        let a = r.accumulation_exceptions;
        assert_eq!(
            (a.stores, a.cancellations),
            (nonzero * n as u64 / 2, nonzero * n as u64 / 2)
        );
        assert_eq!(r.accumulation_additions, 0);
        // Pairing turns a hot bucket into a tree: far fewer batch latencies.
        let bases = random_bases(n, BaseDistribution::Random, 3);
        let chain = affine(&scalars, &bases, &params(c, 1, 64, 12, false));
        let tree = affine(&scalars, &bases, &params(c, 1, 64, 12, true));
        assert!(tree.pair_additions > 0);
        assert!(
            tree.accumulation_cycles * 10 < chain.accumulation_cycles,
            "{tree:?} {chain:?}"
        );
        assert_eq!(tree.accumulation_ops, chain.accumulation_ops);
        // Zero scalars: nothing to accumulate, every running-sum step an empty skip or store.
        let zero = random_scalars(n, ScalarDistribution::Zero, 0);
        let r = affine(&zero, &bases, &params(c, 2, 64, 12, false));
        assert_eq!(
            (r.accumulation_ops, r.accumulation_additions, r.batches),
            (0, 0, 0)
        );
        assert_eq!(r.reduction_exceptions.skips, reduction_adds(c));
        assert_eq!(r.reduction_exceptions.stores, 0);
        assert_eq!(r.multiplications, 0);
    }

    #[test]
    fn uniform_inputs_run_near_the_batch_rate() {
        let seed = crate::seed::seed("affine rate");
        let n = 1 << 13;
        let scalars = random_scalars(n, ScalarDistribution::Uniform, seed);
        let bases = random_bases(n, BaseDistribution::Random, seed);
        let p = params(14, 1, 256, 12, false);
        let r = affine(&scalars, &bases, &p);
        // Not faster than the multipliers allow; within the collisions' cost of it.
        let bound = (r.multiplications).div_ceil(p.multipliers as u64);
        assert!(r.cycles >= bound, "{r:?}");
        let rate = r.accumulation_ops as f64 / r.accumulation_cycles as f64;
        assert!(
            rate > 0.5 * p.full_rate(),
            "rate {rate} vs {} ({r:?})",
            p.full_rate()
        );
    }

    #[test]
    fn deterministic_for_a_seed() {
        let scalars = random_scalars(1500, ScalarDistribution::Uniform, 9);
        let bases = random_bases(1500, BaseDistribution::Random, 9);
        for pair in [false, true] {
            let p = params(9, 2, 128, 6, pair);
            assert_eq!(affine(&scalars, &bases, &p), affine(&scalars, &bases, &p));
        }
        assert_ne!(
            random_bases(10, BaseDistribution::Random, 1),
            random_bases(10, BaseDistribution::Random, 2)
        );
    }
}
