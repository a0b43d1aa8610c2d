//! Each Fq unit in rust-hdl's own simulator (its `update()` models, not the Verilog), against
//! the reference model. Small: that simulator runs 256-bit signals bit by bit.

use msm_hw::config::{Config, SIM};
use msm_hw::field::mul::FqMul;
use msm_hw::field::{add_sub, limbs_to_bits, mul};
use msm_hw::with_add_sub;
use msm_sim::model::Fq;
use msm_spec::limbs::{sub, P, R_MOD_P};
use num_bigint::BigUint;
use rand::Rng;
use rust_hdl::prelude::*;

fn to_bits(l: &[u64; 4]) -> Bits<256> {
    limbs_to_bits(l)
}

fn from_bits(b: Bits<256>) -> [u64; 4] {
    let mut d = BigUint::from(b).to_u64_digits();
    d.resize(4, 0);
    d.try_into().unwrap()
}

/// Operands: edge values, then random ones.
fn operands(n_random: usize) -> Vec<([u64; 4], [u64; 4], bool)> {
    let mut rng = msm_sim::seed::rng("rust-hdl sim");
    let p_minus_1 = sub(&P, &[1, 0, 0, 0]).0;
    let edges = [[0; 4], [1, 0, 0, 0], p_minus_1, R_MOD_P];
    let mut ops: Vec<_> = edges
        .iter()
        .zip(edges.iter().rev())
        .map(|(a, b)| (*a, *b, false))
        .collect();
    ops.push((p_minus_1, p_minus_1, true));
    ops.push(([0; 4], p_minus_1, true));
    for _ in 0..n_random {
        let (a, b) = (Fq::random(&mut rng), Fq::random(&mut rng));
        ops.push((a.montgomery(), b.montgomery(), rng.gen()));
    }
    ops
}

/// Drives a unit with ports clock, valid_in, tag_in, a, b -> valid_out, tag_out, result (and
/// `set_sub` for the add/sub unit), one op per clock, and checks each result, tag and latency.
macro_rules! check_unit {
    ($ty:ty, $make:expr, $latency:expr, $ops:expr, $expected:expr, $set_sub:expr) => {{
        let ops = $ops;
        let latency: usize = $latency;
        // A multiplier is MBs of nested arrays built by value: use a thread with a big stack.
        let run = move || {
            let mut sim = Simulation::new();
            sim.add_clock(5, |x: &mut Box<$ty>| x.clock.next = !x.clock.val());
            sim.add_testbench(move |mut sim: Sim<$ty>| {
                let mut x = sim.init()?;
                wait_clock_true!(sim, clock, x);
                let mut seen = 0;
                for cycle in 0..ops.len() + latency + 1 {
                    if x.valid_out.val() {
                        let i = x.tag_out.val().index();
                        let (a, b, s) = ops[i];
                        sim_assert_eq!(sim, cycle - i, latency, x);
                        sim_assert_eq!(sim, i, seen, x);
                        sim_assert_eq!(sim, from_bits(x.result.val()), $expected(a, b, s), x);
                        seen += 1;
                    }
                    x.valid_in.next = cycle < ops.len();
                    if let Some(&(a, b, s)) = ops.get(cycle) {
                        x.a.next = to_bits(&a);
                        x.b.next = to_bits(&b);
                        x.tag_in.next = (cycle as u64).into();
                        $set_sub(&mut x, s);
                    }
                    wait_clock_cycle!(sim, clock, x);
                }
                sim_assert_eq!(sim, seen, ops.len(), x);
                sim.done(x)
            });
            let mut uut: Box<$ty> = $make();
            uut.connect_all();
            sim.run(uut, 100_000_000).unwrap();
        };
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }};
}

fn fq(l: [u64; 4]) -> Fq {
    Fq::from_montgomery(l).unwrap()
}

const CFG: Config = SIM;

#[test]
fn add_sub_in_rust_hdl_simulator() {
    // The configuration's instance, through the one config -> type map (msm_hw::verilog).
    with_add_sub!(CFG, AddSub => check_unit!(
        AddSub,
        Box::<AddSub>::default,
        add_sub::latency(CFG.carry_bits as usize),
        operands(20),
        |a, b, s| if s { fq(a).sub(&fq(b)) } else { fq(a).add(&fq(b)) }.montgomery(),
        |x: &mut Box<AddSub>, s: bool| x.sub.next = s
    ));
}

#[test]
fn mul_in_rust_hdl_simulator() {
    type Mul = FqMul<16>;
    check_unit!(
        Mul,
        || Box::new(Mul::new(&CFG)),
        mul::latency(&CFG),
        operands(6),
        |a, b, _| fq(a).mul(&fq(b)).montgomery(),
        |_: &mut Box<Mul>, _: bool| ()
    );
}
