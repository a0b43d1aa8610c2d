//! The engines' control logic (input FIFO, digit queue, park FIFO, in-flight table, epoch
//! sweep, reduction sequencing) around stand-in lanes of latency L = 1, 2, 7, 64 and 113 (the
//! lane's), and folded ones (an addition every II clocks: L = 7, II = 3 and L = 40, II = 12)
//! (`msm_hw::point::lane::FqLane::stand_in`: X3 = X1 ± X2 mod 2^256 after L clocks). In that
//! group every bucket and every segment sum is exact, so each is checked against the model's
//! accumulation and running sums (`msm_spec::reduction`), and the host's finish gives
//! sum s_i x_i mod 2^256. The real lane is in `msm_core.rs`. Seeds printed; MSM_SEED replays.

use msm_sim::model::field::random_below;
use msm_sim::model::schedule::{schedule, ScheduleParams};
use msm_sim::seed::rng;
use msm_spec::limbs::{add, mul_lo, sub, Limbs, SCALAR_MODULUS};
use msm_spec::reduction::{accumulate, window_segment_sums, Group};
use msm_spec::window::windows;
use msm_verilator::{MsmCore, STAND_IN_CORES};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Integers mod 2^256 under addition: the stand-in lane's X.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct X(Limbs);

impl Group for X {
    fn identity() -> X {
        X([0; 4])
    }
    fn add(&self, rhs: &X) -> X {
        X(add(&self.0, &rhs.0).0)
    }
}

/// One MSM on `core`: buckets, segment sums and the finished sum against the model. Returns
/// the accumulation's conflicts (clocks a digit found its bucket in flight).
fn check(core: &mut MsmCore, xs: &[Limbs], scalars: &[Limbs], c: u32, what: &str) -> u32 {
    let l = core.model().shape.latency;
    let points: Vec<[Limbs; 2]> = xs.iter().map(|x| [*x, [7, 0, 0, 0]]).collect();
    let acc = core.accumulate(c, &points, scalars).unwrap();
    let bases: Vec<X> = xs.iter().map(|x| X(*x)).collect();
    let plan = core.plan(c);
    let split = plan.split();
    let (want, adds) = accumulate(&bases, scalars, c, &split, |b: &X, p: &X, negative| {
        X(if negative {
            sub(&b.0, &p.0).0
        } else {
            add(&b.0, &p.0).0
        })
    });
    assert_eq!(
        acc.adds, adds,
        "L = {l}, {what}: one add per non-zero digit"
    );
    core.reduce(&plan).unwrap();
    let m = plan.segment_len();
    for (w, win) in windows(c).iter().enumerate() {
        for (h, want) in want[w].iter().enumerate() {
            let got: Vec<X> = (1..=win.buckets() as u32)
                .map(|k| X(core.bucket(c, w, h, k).map_or([0; 4], |b| b[0])))
                .collect();
            assert_eq!(
                got,
                want[1..],
                "L = {l}, {what}: c = {c}, window {w} share {h}'s buckets"
            );
            for j in 0..plan.segments_per_window() as usize {
                let (s, t) = core.segment_sums(&plan, w, h, j as u32);
                assert_eq!(
                    (X(s[0]), X(t[0])),
                    window_segment_sums(&got, m, j),
                    "L = {l}, {what}: c = {c}, window {w} share {h}, segment {j}"
                );
            }
        }
    }
    let (got, _) = plan.finish(|w, h, j| {
        let (s, t) = core.segment_sums(&plan, w, h, j);
        (X(s[0]), X(t[0]))
    });
    let sum = xs
        .iter()
        .zip(scalars)
        .fold([0; 4], |acc, (x, s)| add(&acc, &mul_lo(x, s)).0);
    assert_eq!(got, X(sum), "L = {l}, {what}: c = {c}, the MSM mod 2^256");
    acc.conflicts
}

fn random(rng: &mut ChaCha8Rng, n: usize) -> (Vec<Limbs>, Vec<Limbs>) {
    let xs = (0..n).map(|_| rng.gen()).collect();
    let scalars = (0..n).map(|_| random_below(rng, &SCALAR_MODULUS)).collect();
    (xs, scalars)
}

#[test]
fn every_latency_random_and_adversarial() {
    let mut rng = rng("engine at any latency");
    for model in &STAND_IN_CORES {
        let mut core = MsmCore::new(model);
        let r_minus_1 = sub(&SCALAR_MODULUS, &[1, 0, 0, 0]).0;
        for (n, c) in [(1, 4), (3, 2), (100, 5), (300, 8), (257, 10)] {
            let (xs, scalars) = random(&mut rng, n);
            check(&mut core, &xs, &scalars, c, "random");
        }
        let (xs, scalars) = random(&mut rng, 60);
        // Every add of a window on one bucket: the in-flight table and the park FIFO at work.
        check(
            &mut core,
            &xs,
            &vec![scalars[0]; 60],
            6,
            "every scalar equal",
        );
        // Every add on one bucket: back to back, each waits for the last (in-flight table,
        // park FIFO, back-pressure).
        let conflicts = check(&mut core, &xs, &vec![[1, 0, 0, 0]; 60], 9, "every scalar 1");
        let l = model.shape.latency;
        eprintln!("L = {l}: 60 adds on one bucket, {conflicts} conflicts");
        assert!(
            l < 2 || conflicts > 0,
            "L = {l}: adds on one bucket must conflict"
        );
        check(
            &mut core,
            &xs,
            &vec![r_minus_1; 60],
            7,
            "every scalar r - 1",
        );
        check(&mut core, &xs, &vec![[0; 4]; 60], 5, "every scalar zero");
        let mirrored: Vec<Limbs> = xs[..30].iter().chain(&xs[..30]).copied().collect();
        let mut negated = scalars[..30].to_vec();
        negated.extend(scalars[..30].iter().map(|s| sub(&SCALAR_MODULUS, s).0));
        check(&mut core, &mirrored, &negated, 8, "P and -P");
        check(
            &mut core,
            &vec![xs[0]; 60],
            &scalars,
            4,
            "one base repeated",
        );
    }
}

/// The left-over windows' points are shared between lanes (`msm_spec::lanes`): the
/// accumulation takes about N W / lanes clocks, not N ceil(W / lanes), and within a few per
/// cent of the schedule model's cycles for the same scalars.
#[test]
fn left_over_windows_are_shared_and_the_schedule_model_agrees() {
    let mut rng = rng("lane split");
    let n = 1200;
    for model in STAND_IN_CORES
        .iter()
        .filter(|m| m.shape.latency == 7 && m.shape.interval == 1)
    {
        let lanes = model.shape.lanes;
        let mut core = MsmCore::new(model);
        let (xs, scalars) = random(&mut rng, n);
        // 2 lanes: W = 29 (r = 1). 4 lanes: W = 29 (r = 1, 4 shares), 26 (r = 2, 2 shares).
        for c in [9, 10] {
            let w = windows(c).len();
            if w % lanes == 0 {
                continue;
            }
            let points: Vec<[Limbs; 2]> = xs.iter().map(|x| [*x, [7, 0, 0, 0]]).collect();
            let acc = core.accumulate(c, &points, &scalars).unwrap();
            let p = ScheduleParams {
                c,
                latency: 7,
                interval: 1,
                lanes,
                segments: 1,
                fifo_depth: 16,
            };
            let modelled = schedule(&scalars, &p).accumulation_cycles;
            let (balanced, unsplit) = ((n * w).div_ceil(lanes), n * w.div_ceil(lanes));
            eprintln!(
                "{lanes} lanes, c = {c} (W = {w}): {} clocks; schedule model {modelled}, \
                 N W / lanes = {balanced}, N ceil(W / lanes) = {unsplit}",
                acc.cycles
            );
            let rtl = acc.cycles as f64;
            assert!(
                rtl < 1.02 * balanced as f64 + 50.0 && rtl < unsplit as f64,
                "{lanes} lanes, c = {c}: {rtl} clocks"
            );
            assert!(
                (rtl / modelled as f64 - 1.0).abs() < 0.03,
                "{lanes} lanes, c = {c}: RTL {rtl}, schedule model {modelled}"
            );
        }
    }
}

/// A folded lane takes an addition every II clocks: the engines issue in its slots only, so an
/// accumulation of uniform random digits takes about adds / lanes x II clocks.
#[test]
fn folded_lanes_take_an_addition_every_interval() {
    let mut rng = rng("folded lanes");
    for model in STAND_IN_CORES.iter().filter(|m| m.shape.interval > 1) {
        let (l, ii, lanes) = (model.shape.latency, model.shape.interval, model.shape.lanes);
        let mut core = MsmCore::new(model);
        let (xs, scalars) = random(&mut rng, 500);
        let points: Vec<[Limbs; 2]> = xs.iter().map(|x| [*x, [7, 0, 0, 0]]).collect();
        let acc = core.accumulate(8, &points, &scalars).unwrap();
        let slots = (acc.adds as f64 / lanes as f64) * ii as f64;
        eprintln!(
            "L = {l}, II = {ii}: {} adds in {} clocks, {:.2} clocks an addition a lane",
            acc.adds,
            acc.cycles,
            acc.cycles as f64 * lanes as f64 / acc.adds as f64
        );
        assert!(
            acc.cycles as f64 >= slots - ii as f64,
            "L = {l}, II = {ii}: more than one addition a slot"
        );
        assert!(
            (acc.cycles as f64) < 1.05 * slots + (l + 100) as f64,
            "L = {l}, II = {ii}: {} clocks for {slots} slots",
            acc.cycles
        );
    }
}
