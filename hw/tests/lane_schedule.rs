//! The lane's program is the model's formula, bit for bit, in both modes; its ASAP schedule is
//! valid for every configuration.

use msm_hw::config::ALL;
use msm_hw::point::schedule::{
    asap, lane_program, schedule, Kind, LaneUnits, Schedule, UnitLatency, Val,
};
use msm_sim::model::{Affine, Fq, Projective};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Random multiples of the generator (1, 2) by the model's own additions, rescaled by random Z.
fn random_points(rng: &mut ChaCha8Rng, n: usize) -> Vec<Projective> {
    let g = Affine {
        x: Fq::from_canonical([1, 0, 0, 0]).unwrap(),
        y: Fq::from_canonical([2, 0, 0, 0]).unwrap(),
    };
    assert!(g.is_on_curve());
    let mut p = Projective::from(g);
    (0..n)
        .map(|_| {
            for _ in 0..rng.gen_range(1..20) {
                p = if rng.gen() {
                    p.double()
                } else {
                    p.add_mixed(&g, false)
                };
            }
            let z = Fq::random(rng);
            Projective {
                x: p.x.mul(&z),
                y: p.y.mul(&z),
                z: p.z.mul(&z),
            }
        })
        .collect()
}

#[test]
fn program_is_the_models_formula_in_both_modes() {
    let mut rng = msm_sim::seed::rng("lane program");
    let program = lane_program();
    let pts = random_points(&mut rng, 200);
    let mut cases: Vec<(Projective, Projective)> = pts.windows(2).map(|w| (w[0], w[1])).collect();
    let p = pts[0];
    let neg = Projective { y: p.y.neg(), ..p };
    cases.extend([
        (p, p),
        (p, neg),
        (Projective::IDENTITY, p),
        (p, Projective::IDENTITY),
    ]);
    cases.push((Projective::IDENTITY, Projective::IDENTITY));
    for (a, b) in cases {
        let out = program.eval([a.x, a.y, a.z, b.x, b.y, b.z], Fq::ZERO, false, field);
        let want = a.add(&b);
        assert_eq!(out, [want.x, want.y, want.z], "Algorithm 7: {a:?} + {b:?}");
        // Mixed mode: Z2 = 1 and the negate bit give Algorithm 8 exactly.
        if let Some(q) = b.to_affine() {
            for negate in [false, true] {
                let out = program.eval([a.x, a.y, a.z, q.x, q.y, Fq::ONE], Fq::ZERO, negate, field);
                let want = a.add_mixed(&q, negate);
                assert_eq!(
                    out,
                    [want.x, want.y, want.z],
                    "Algorithm 8, negate {negate}"
                );
            }
        }
    }
}

#[test]
fn asap_schedule_is_valid_for_every_config() {
    let program = lane_program();
    assert_eq!(
        program.op_counts(),
        (12, 28),
        "12 multiplications, 28 add/sub operations"
    );
    // A multi-pass multiplier takes operations in every k-th clock only (the modulo test).
    for cfg in ALL.into_iter().filter(|c| c.mul_passes == 1) {
        let lat = UnitLatency::of(&cfg);
        let s = asap(&program, lat);
        let ready = |v: Val| match v {
            Val::In(_) => 0,
            Val::Op(i) => s.ready[i],
        };
        for (i, op) in program.ops.iter().enumerate() {
            let operands_ready = ready(op.a).max(ready(op.b));
            assert_eq!(
                s.start[i], operands_ready,
                "{}: op {i} starts as soon as it can",
                cfg.name
            );
        }
        assert_eq!(
            s.latency,
            program.outputs.iter().map(|&v| ready(v)).max().unwrap()
        );
        // The critical path: X1 + Z1 (14), x (X2 + Z2) (16), - (t0 + t2) (18), x 9 (24: four
        // add/subs), x t4 (25), t2 - x3 (27): two multiplications and seven add/subs.
        assert_eq!(s.latency, 2 * lat.mul + 7 * lat.add_sub, "{}", cfg.name);
    }
}

#[test]
fn modulo_schedules_share_units_without_collisions() {
    let program = lane_program();
    let ready = |s: &Schedule, v: Val| match v {
        Val::In(_) => 0,
        Val::Op(i) => s.ready[i],
    };
    for cfg in ALL {
        let lat = UnitLatency::of(&cfg);
        let mut shapes = vec![LaneUnits::PerOperation, cfg.lane_units];
        for muls in [1, 2, 3, 12] {
            for add_subs in [1, 2, 3, 28] {
                shapes.push(LaneUnits::Shared { muls, add_subs });
            }
        }
        for shape in shapes {
            let s = schedule(&program, lat, shape);
            let (muls, add_subs) = program.units(shape);
            let k = lat.mul_passes;
            let ii = (12 * k as usize)
                .div_ceil(muls)
                .max(28usize.div_ceil(add_subs)) as u64;
            assert_eq!(s.interval, ii.next_multiple_of(k), "{} {shape:?}", cfg.name);
            let mut taken = std::collections::BTreeSet::new();
            for (i, op) in program.ops.iter().enumerate() {
                assert!(s.start[i] >= ready(&s, op.a).max(ready(&s, op.b)));
                assert_eq!(s.ready[i], s.start[i] + lat.of_kind(op.kind));
                let is_mul = op.kind == Kind::Mul;
                let (units, passes) = if is_mul { (muls, k) } else { (add_subs, 1) };
                assert!(s.unit[i] < units);
                // Each pass of a multiplication holds its multiplier in a clock of its own.
                for j in 0..passes {
                    let clock = s.start[i] + j * lat.mul_distance;
                    assert!(
                        taken.insert((is_mul, s.unit[i], clock % s.interval)),
                        "{} {shape:?}: op {i} collides on its unit",
                        cfg.name
                    );
                }
            }
            assert_eq!(
                s.latency,
                program.outputs.iter().map(|&v| ready(&s, v)).max().unwrap()
            );
            if (muls, add_subs, k) == (12, 28, 1) {
                assert_eq!(s, asap(&program, lat), "a unit per operation is ASAP");
            }
        }
    }
}

/// One operation of the lane program on the model's field.
fn field(kind: Kind, a: Fq, b: Fq) -> Fq {
    match kind {
        Kind::Mul => a.mul(&b),
        Kind::Sub => a.sub(&b),
        _ => a.add(&b),
    }
}
