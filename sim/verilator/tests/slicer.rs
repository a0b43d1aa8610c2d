//! The Verilated scalar slicer against the model's signed digits and the lane split
//! (`msm_spec::lanes`): every window width, random scalars below r and the edge scalars, with
//! random gaps on the input and random back-pressure on the output; and the throughput of one
//! group (a digit per lane, the left-over windows with the last) per clock. Seeds printed;
//! MSM_SEED replays.

use msm_sim::model::field::random_below;
use msm_sim::seed::rng;
use msm_spec::lanes::LaneSplit;
use msm_spec::limbs::{sub, SCALAR_MODULUS};
use msm_spec::window::{num_windows, signed_digits, WINDOW_RANGE};
use msm_verilator::{Slicer, LANES};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Streams `scalars` at width c as one MSM, then again as a second; checks every digit (value,
/// window, lane, last) in order. `gap` and `stall`: probabilities of holding back a scalar and
/// of the consumer not being ready.
fn run(scalars: &[[u64; 4]], c: u32, gap: f64, stall: f64, rng: &mut ChaCha8Rng) -> u64 {
    let mut slicer = Slicer::default();
    let expected: Vec<Vec<i32>> = scalars.iter().map(|s| signed_digits(s, c)).collect();
    let w = num_windows(c);
    let split = LaneSplit::new(c, LANES);
    let last_group = w - split.leftover - LANES;
    // The second MSM's scalars count from 0 again.
    let twice: Vec<_> = scalars.iter().chain(scalars).collect();
    let (mut sent, mut got) = (0, 0);
    while got < twice.len() * w {
        let start = sent == scalars.len() && got == sent * w;
        let offer = (sent < twice.len() && !rng.gen_bool(gap) && (sent != scalars.len() || start))
            .then(|| twice[sent]);
        let step = slicer.step(c, offer, !rng.gen_bool(stall), start);
        if step.scalar_taken {
            sent += 1;
        }
        for d in step.digits {
            let (s, i) = (got / w, got % w);
            let n = s % scalars.len();
            let lane = split.share(i, split.share_of_point(i, n)).0;
            assert_eq!(
                (d.window, d.value(), d.lane, d.last),
                (i, expected[n][i], lane, i >= last_group),
                "c = {c}, scalar {s} = {:x?}",
                scalars[n]
            );
            assert!(d.magnitude > 0 || !d.negative, "no negative zero");
            got += 1;
        }
        assert!(
            slicer.cycles() < 10 * (twice.len() * w) as u64 + 100,
            "the slicer stopped"
        );
    }
    slicer.cycles()
}

fn edge_scalars() -> Vec<[u64; 4]> {
    let r_minus = |k: u64| sub(&SCALAR_MODULUS, &[k, 0, 0, 0]).0;
    vec![
        [0; 4],
        [1, 0, 0, 0],
        r_minus(1),
        r_minus(2),
        [0, 0, 0, 1 << 61],                            // 2^253
        [u64::MAX, u64::MAX, u64::MAX, (1 << 61) - 1], // 2^253 - 1: every digit carries
        [0x5555_5555_5555_5555; 4].map(|x| x & (u64::MAX >> 3)),
    ]
}

#[test]
fn every_window_width_random_and_edge_scalars() {
    let mut rng = rng("slicer");
    for c in WINDOW_RANGE {
        let mut scalars = edge_scalars();
        scalars.extend((0..200).map(|_| random_below(&mut rng, &SCALAR_MODULUS)));
        run(&scalars, c, 0.2, 0.2, &mut rng);
    }
}

#[test]
fn one_group_per_clock() {
    let mut rng = rng("slicer throughput");
    for c in [2, 8, 9, 13, 14, 15, 16] {
        let scalars: Vec<_> = (0..100)
            .map(|_| random_below(&mut rng, &SCALAR_MODULUS))
            .collect();
        let cycles = run(&scalars, c, 0.0, 0.0, &mut rng);
        // Per MSM: one idle clock before the first group, then W div LANES per scalar, no
        // bubble.
        assert_eq!(
            cycles,
            2 * ((scalars.len() * (num_windows(c) / LANES)) as u64 + 1),
            "c = {c}"
        );
    }
}
