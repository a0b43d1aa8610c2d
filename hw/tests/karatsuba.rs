//! The Karatsuba-Ofman Montgomery multiplier's program against the field model: evaluated on
//! integers at every depth and tile shape, and stepped clock by clock as its Verilog runs.

use msm_hw::config::{DSP48E2, MULT18X18};
use msm_hw::field::dataflow::Pipeline;
use msm_hw::field::karatsuba::{eval_passes, montgomery, montgomery_pass};
use msm_hw::field::limbs_to_biguint as big;
use msm_sim::model::Fq;
use msm_spec::limbs::{sub, P, R_MOD_P};
use num_bigint::BigUint;

/// Edge operands, then random ones.
fn operands(n_random: usize) -> Vec<(Fq, Fq)> {
    let mut rng = msm_sim::seed::rng("karatsuba program");
    let p_minus_1 = Fq::from_montgomery(sub(&P, &[1, 0, 0, 0]).0).unwrap();
    let one = Fq::from_montgomery([1, 0, 0, 0]).unwrap();
    let r = Fq::from_montgomery(R_MOD_P).unwrap();
    let edges = [Fq::ZERO, one, p_minus_1, r];
    let mut ops: Vec<(Fq, Fq)> = edges
        .iter()
        .flat_map(|a| edges.iter().map(move |b| (*a, *b)))
        .collect();
    ops.extend((0..n_random).map(|_| (Fq::random(&mut rng), Fq::random(&mut rng))));
    ops
}

#[test]
fn program_is_the_models_montgomery_product() {
    let ops = operands(300);
    for tile in [DSP48E2, MULT18X18] {
        for levels in 0..=4 {
            let prog = montgomery(tile, 64, levels);
            let c = prog.counts();
            eprintln!(
                "tile {}x{}, {levels} levels: {} DSP, {} shift-and-add, latency {}, {c:?}",
                tile.a_bits,
                tile.b_bits,
                c.dsp,
                c.lut_muls,
                prog.schedule().latency
            );
            for (a, b) in &ops {
                let got = prog.eval(&[big(&a.montgomery()), big(&b.montgomery())]);
                assert_eq!(got, big(&a.mul(b).montgomery()), "{a:?} * {b:?}");
            }
        }
    }
}

/// Passes of the word-serial program over b's words, t = 0 first, give the model's product.
#[test]
fn passes_give_the_models_montgomery_product() {
    let ops = operands(200);
    for (tile, chain) in [(MULT18X18, 32), (DSP48E2, 64)] {
        for (word, levels) in [(128, 3), (128, 2), (64, 2)] {
            let prog = montgomery_pass(tile, chain, levels, word);
            let c = prog.counts();
            eprintln!(
                "tile {}x{}, {word}-bit words, {levels} levels: {} DSP, {} shift-and-add, \
                 latency {} a pass, {} passes",
                tile.a_bits,
                tile.b_bits,
                c.dsp,
                c.lut_muls,
                prog.schedule().latency,
                256 / word
            );
            for (a, b) in &ops {
                let (x, y) = (big(&a.montgomery()), big(&b.montgomery()));
                let t = eval_passes(&prog, 256 / word, &x, &y);
                assert_eq!(t, big(&a.mul(b).montgomery()), "{a:?} * {b:?}");
            }
        }
    }
}

#[test]
fn pipeline_steps_as_scheduled() {
    let ops = operands(40);
    let mut pipe = Pipeline::new(montgomery(DSP48E2, 64, 3));
    let l = pipe.latency() as usize;
    let zero = BigUint::from(0u8);
    for cycle in 0..ops.len() + l {
        let inputs = match ops.get(cycle) {
            Some((a, b)) => [big(&a.montgomery()), big(&b.montgomery())],
            None => [zero.clone(), zero.clone()],
        };
        let out = pipe.clock(&inputs);
        // The output after edge `cycle` is the result of the op of `latency - 1` cycles before.
        if let Some(i) = (cycle + 1).checked_sub(l) {
            if let Some((a, b)) = ops.get(i) {
                assert_eq!(out, big(&a.mul(b).montgomery()), "op {i} at cycle {cycle}");
            }
        }
    }
}

/// The resources of each product at each depth (`-- --ignored --nocapture`).
#[test]
#[ignore]
fn product_costs() {
    use msm_hw::field::dataflow::Builder;
    use msm_hw::field::karatsuba::{product, product_lo};
    for levels in 2..=5 {
        let mut b = Builder::new(DSP48E2, 64);
        let x = b.input(256);
        let y = b.input(256);
        let t = product(&mut b, x, y, levels);
        let full = b.finish(t).counts();
        let mut b = Builder::new(DSP48E2, 64);
        let x = b.input(256);
        let p = b.constant(big(&P));
        let t = product(&mut b, x, p, levels);
        let by_p = b.finish(t).counts();
        let mut b = Builder::new(DSP48E2, 64);
        let x = b.input(256);
        let p = b.constant(big(&msm_spec::limbs::P_NEG_INV));
        let t = product_lo(&mut b, x, p, 256, levels);
        let lo = b.finish(t).counts();
        eprintln!("levels {levels}: a*b {full:?}\n  m*p {by_p:?}\n  lo {lo:?}");
    }
}
