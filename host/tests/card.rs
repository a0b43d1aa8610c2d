//! The card backend on the simulated card (the Verilated msm_card, through the driver): one
//! key loaded once and used by many MSMs, the edge cases that break hardware, and every error
//! path, each followed by a correct MSM on the same key.
#![cfg(feature = "sim")]

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{One, UniformRand, Zero};
use msm_driver::{DmaBuffer, DriverError, InProcess};
use msm_host::workload::random_inputs;
use msm_host::{CardBackend, MsmBackend, MsmError, Timing};
use msm_spec::card::{self as spec, CardError, Descriptor, Op};
use msm_spec::reduction::Plan;
use msm_verilator::{Channel, Fault, FaultKind};
use rand::Rng;

const KEY: usize = 40;

fn card() -> CardBackend<InProcess> {
    msm_host::simulated(None, Timing::default()).unwrap()
}

fn keyed(what: &str) -> (CardBackend<InProcess>, Vec<G1Affine>, Vec<Fr>) {
    let (bases, scalars) = random_inputs(KEY, msm_sim::seed::seed(what));
    let mut b = card();
    b.load_bases(&bases).unwrap();
    (b, bases, scalars)
}

fn want(bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
    G1Projective::msm(&bases[..scalars.len()], scalars).unwrap()
}

/// The next MSM on the same key is right (after an error).
fn next_is_correct(b: &mut CardBackend<InProcess>, bases: &[G1Affine], scalars: &[Fr]) {
    assert_eq!(b.msm(&scalars[..9]).unwrap(), want(bases, &scalars[..9]));
    assert!(b.card().transport().card().protocol_errors().is_empty());
}

#[test]
fn one_key_many_msms_of_every_size_and_prefix() {
    let mut rng = msm_sim::seed::rng("card many msms");
    let (bases, scalars) = random_inputs(KEY, rng.gen());
    let mut b = card();
    b.load_bases(&bases).unwrap();
    let loaded = b.card().bases_loaded().unwrap();
    // 20 random sizes (not powers of two), random windows, and the whole key.
    for i in 0..21 {
        let n = if i == 20 { KEY } else { rng.gen_range(1..KEY) };
        let s: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        assert_eq!(b.msm(&s).unwrap(), want(&bases, &s), "MSM {i}: n = {n}");
    }
    assert_eq!(b.msm(&scalars).unwrap(), want(&bases, &scalars));
    // Loaded once: nothing reloaded the key.
    assert_eq!(b.card().bases_loaded().unwrap(), loaded);
    assert!(b.card().transport().card().protocol_errors().is_empty());
}

#[test]
fn edge_cases() {
    let mut rng = msm_sim::seed::rng("card edge cases");
    let g = G1Projective::from(G1Affine::rand(&mut rng));
    let p = g.into_affine();
    let mut b = card();
    // One point; all zero; r - 1; one base repeated; P and -P.
    let repeated = vec![p; 12];
    let mut halves: Vec<G1Affine> = (0..6).map(|_| G1Affine::rand(&mut rng)).collect();
    halves.extend(halves.clone().iter().map(|q| -*q));
    let r_1 = -Fr::one();
    let cases: Vec<(&str, Vec<G1Affine>, Vec<Fr>)> = vec![
        ("one point", vec![p], vec![Fr::from(5u64)]),
        ("all zero", repeated.clone(), vec![Fr::zero(); 12]),
        ("r - 1", repeated.clone(), vec![r_1; 12]),
        (
            "1, r - 1 and all-ones below r",
            repeated[..3].to_vec(),
            vec![Fr::one(), r_1, all_ones_below_r()],
        ),
        (
            "one base repeated",
            repeated.clone(),
            (0..12).map(|_| Fr::rand(&mut rng)).collect(),
        ),
        ("P and -P", halves.clone(), vec![Fr::from(7u64); 12]),
        ("every scalar equal", halves, vec![Fr::from(3u64); 12]),
    ];
    for (what, bases, scalars) in cases {
        b.load_bases(&bases).unwrap();
        assert_eq!(b.msm(&scalars).unwrap(), want(&bases, &scalars), "{what}");
    }
}

/// 2^253 - 1: the largest all-ones integer below r.
fn all_ones_below_r() -> Fr {
    use ark_ff::{BigInt, PrimeField};
    Fr::from_bigint(BigInt([u64::MAX, u64::MAX, u64::MAX, (1 << 61) - 1])).unwrap()
}

/// Submits `d` and returns its error code.
fn refused(b: &mut CardBackend<InProcess>, d: Descriptor) -> CardError {
    let card = b.card();
    let t = card.submit(&d).unwrap();
    match card.wait(t) {
        Err(DriverError::Card { error, .. }) => error,
        other => panic!("{d:?}: {other:?}"),
    }
}

#[test]
fn bad_descriptors_are_refused_with_their_code() {
    let (mut b, bases, scalars) = keyed("card bad descriptors");
    let c_max = b.card().info().c_max;
    let shape = b.card().info().shape();
    let s = b.card().alloc(spec::scalar_buffer_bytes(KEY)).unwrap();
    let r = b
        .card()
        .alloc(spec::result_bytes(shape, &Plan::new(c_max, shape)))
        .unwrap();
    let msm = Descriptor {
        op: Op::Msm as u32,
        c: 4,
        count: 8,
        base: 0,
        src: s.iova(),
        dst: r.iova(),
        dst_len: r.len() as u32,
    };
    let cases = [
        (Descriptor { op: 7, ..msm }, CardError::BadOp),
        (Descriptor { c: 1, ..msm }, CardError::BadWindow),
        (
            Descriptor {
                c: c_max + 1,
                ..msm
            },
            CardError::BadWindow,
        ),
        (Descriptor { count: 0, ..msm }, CardError::ZeroLength),
        (Descriptor { dst_len: 0, ..msm }, CardError::ZeroLength),
        (
            Descriptor {
                count: KEY as u32 + 1,
                ..msm
            },
            CardError::BasesNotLoaded,
        ),
        (
            Descriptor {
                base: 1,
                count: KEY as u32,
                ..msm
            },
            CardError::BasesNotLoaded,
        ),
        (
            Descriptor {
                src: s.iova() + 32,
                ..msm
            },
            CardError::Misaligned,
        ),
        (
            Descriptor {
                dst: r.iova() + 8,
                ..msm
            },
            CardError::Misaligned,
        ),
        (Descriptor { dst_len: 64, ..msm }, CardError::ResultTooSmall),
        (
            Descriptor {
                op: Op::LoadBases as u32,
                base: KEY as u32 + 1,
                ..msm
            },
            CardError::BasesCapacity,
        ),
        (
            Descriptor {
                op: Op::LoadBases as u32,
                base: 0,
                count: b.card().info().bases_capacity + 1,
                ..msm
            },
            CardError::BasesCapacity,
        ),
        (
            Descriptor {
                op: Op::LoadBases as u32,
                count: 0,
                ..msm
            },
            CardError::ZeroLength,
        ),
    ];
    for (d, code) in cases {
        assert_eq!(refused(&mut b, d), code, "{d:?}");
        next_is_correct(&mut b, &bases, &scalars);
    }
    // Through the driver's own checks: a result buffer too small for the plan.
    let small = b.card().alloc(64).unwrap();
    let t = b.card().submit_msm(4, 0, 8, &s, &small).unwrap();
    assert!(matches!(
        b.card().wait(t),
        Err(DriverError::Card {
            error: CardError::ResultTooSmall,
            ..
        })
    ));
    next_is_correct(&mut b, &bases, &scalars);
}

#[test]
fn a_failed_command_drops_the_one_queued_behind_it() {
    let (mut b, bases, scalars) = keyed("card dropped");
    let s = b.card().alloc(spec::scalar_buffer_bytes(KEY)).unwrap();
    let shape = b.card().info().shape();
    let plan = Plan::new(4, shape);
    let r1 = b.card().alloc(spec::result_bytes(shape, &plan)).unwrap();
    let r2 = b.card().alloc(spec::result_bytes(shape, &plan)).unwrap();
    // The first fails writing its results, after the second is queued.
    b.card().transport().inject(Fault {
        channel: Channel::HostWrite,
        after: 0,
        kind: FaultKind::Error,
    });
    let failing = b.card().submit_msm(4, 0, 8, &s, &r1).unwrap();
    let dropped = b.card().submit_msm(4, 0, 8, &s, &r2).unwrap();
    let first = b.card().wait(failing);
    assert!(
        matches!(
            first,
            Err(DriverError::Card {
                error: CardError::DmaWrite,
                ..
            })
        ),
        "{first:?}"
    );
    let second = b.card().wait(dropped);
    assert!(
        matches!(second, Err(DriverError::Dropped { failed, .. }) if failed == failing.seq),
        "{second:?}"
    );
    next_is_correct(&mut b, &bases, &scalars);
}

/// Faults the harness injects: each aborts the command with its code.
#[test]
fn dma_faults_abort_with_their_code() {
    let (mut b, bases, scalars) = keyed("card dma faults");
    let fault = |channel, after| Fault {
        channel,
        after,
        kind: FaultKind::Error,
    };
    // On scalars (the second beat of an MSM's reads), on results, on card memory.
    for (f, code) in [
        (fault(Channel::HostRead, 1), CardError::DmaRead),
        (fault(Channel::HostWrite, 5), CardError::DmaWrite),
        (fault(Channel::MemoryRead, 3), CardError::CardMemory),
    ] {
        b.card().transport().inject(f);
        assert_eq!(b.msm(&scalars[..20]), Err(MsmError::Card(code)), "{f:?}");
        next_is_correct(&mut b, &bases, &scalars);
    }
    // On a base load that extends the key: the key before it stays loaded and valid.
    let (more, _) = random_inputs(4, 99);
    let mut buf = b.card().alloc(4 * spec::BEAT_BYTES).unwrap();
    let limbs: Vec<_> = more
        .iter()
        .map(|p| {
            let a = msm_sim::model::ark::affine_from_ark(p).unwrap();
            [a.x.montgomery(), a.y.montgomery()]
        })
        .collect();
    buf.write_at(0, &msm_spec::bus::encode(&limbs));
    b.card().transport().inject(fault(Channel::HostRead, 2));
    assert!(matches!(
        b.card().load_bases(KEY as u32, 4, &buf),
        Err(DriverError::Card {
            error: CardError::DmaRead,
            ..
        })
    ));
    assert_eq!(b.card().bases_loaded().unwrap(), KEY as u32);
    b.card().transport().inject(fault(Channel::MemoryWrite, 1));
    assert!(matches!(
        b.card().load_bases(KEY as u32, 4, &buf),
        Err(DriverError::Card {
            error: CardError::CardMemory,
            ..
        })
    ));
    assert_eq!(b.card().bases_loaded().unwrap(), KEY as u32);
    next_is_correct(&mut b, &bases, &scalars);
    // A buffer the IOMMU never mapped: the card sees an error response.
    let r = b.card().alloc(1 << 20).unwrap();
    let t = b
        .card()
        .submit(&Descriptor {
            op: Op::Msm as u32,
            c: 4,
            count: 8,
            base: 0,
            src: 0x40_0000_0000,
            dst: r.iova(),
            dst_len: r.len() as u32,
        })
        .unwrap();
    assert!(b.card().wait(t).unwrap_err().is_dma_fault());
    next_is_correct(&mut b, &bases, &scalars);
}

#[test]
fn watchdog_aborts_a_stalled_command_and_the_card_recovers() {
    let (mut b, bases, scalars) = keyed("card watchdog");
    // Card memory stops answering for 20,000 clocks; the watchdog fires at 4,000.
    b.card().set_watchdog(4_000).unwrap();
    b.card().transport().inject(Fault {
        channel: Channel::MemoryRead,
        after: 2,
        kind: FaultKind::Stall(20_000),
    });
    assert_eq!(
        b.msm(&scalars[..20]),
        Err(MsmError::Card(CardError::Watchdog))
    );
    b.card().set_watchdog(0).unwrap();
    next_is_correct(&mut b, &bases, &scalars);
    // A driver timeout (the card is slower than the host will wait): the backend resets the
    // card, and the next MSM works.
    b.card().set_timeout(std::time::Duration::from_millis(1));
    assert!(matches!(b.msm(&scalars), Err(MsmError::CardTimeout { .. })));
    b.card().set_timeout(std::time::Duration::from_secs(600));
    assert_eq!(b.card().bases_loaded().unwrap(), KEY as u32);
    next_is_correct(&mut b, &bases, &scalars);
}

#[test]
fn queued_pair_matches_single_msms() {
    let (mut b, bases, w) = keyed("card pair");
    let (_, t) = random_inputs(KEY, 5);
    let both = b.msm_many(&[&w, &t]).unwrap();
    assert_eq!(both[0].point, want(&bases, &w));
    assert_eq!(both[1].point, want(&bases, &t));
}

/// The card at 2^14 (test configuration, c = 10): right, and at least 0.94 of the lanes' issue
/// slots useful, with scalars and results moved at PCIe Gen3 x16 pace (cycles include DMA).
#[test]
#[ignore = "3 min in Verilator: `make test-long`"]
fn card_at_2_14() {
    let (bases, scalars) = random_inputs(1 << 14, msm_sim::seed::seed("card 2^14"));
    let mut b = msm_host::simulated(Some(10), Timing::default()).unwrap();
    b.load_bases(&bases).unwrap();
    let r = b.msm_report(&scalars).unwrap();
    assert_eq!(r.point, want(&bases, &scalars));
    let e = r.efficiency().unwrap();
    eprintln!(
        "2^14: {} cycles, {} adds, efficiency {e:.3}",
        r.cycles.unwrap(),
        r.adds.unwrap()
    );
    assert!(e >= 0.94, "efficiency {e:.3}");
}

/// The schedule model (what `msm fold` projects the u55c card with) against the simulated
/// card's clocks, with the card's shape and the same scalars: it must track the RTL, on
/// uniform scalars and on a prover's kind (half of them 1: a witness's bits, which all land in
/// one bucket and wait on each other).
#[test]
fn schedule_model_tracks_the_card() {
    let timing = Timing::default();
    let mut model = msm_host::ScheduleBackend::new(
        msm_host::ScheduleCard {
            shape: msm_host::SIM_SHAPE,
            interval: 1,
            c_max: msm_spec::config::SIM.c_max,
            dma_bytes_per_clock: timing.host_bytes_per_cycle.unwrap(),
            dma_latency: timing.host_latency,
            memory_latency: timing.memory_latency,
        },
        None,
    )
    .unwrap();
    let mut b = msm_host::simulated(None, timing).unwrap();
    let mut ratios = Vec::new();
    for (n, bits) in [(256, false), (1000, false), (256, true)] {
        let what = format!("schedule vs card {n}{}", if bits { " bits" } else { "" });
        let (bases, mut scalars) = random_inputs(n, msm_sim::seed::seed(&what));
        if bits {
            scalars.iter_mut().step_by(2).for_each(|s| *s = Fr::one());
        }
        b.load_bases(&bases).unwrap();
        model.load_bases(&bases).unwrap();
        let card = b.msm_report(&scalars).unwrap();
        let m = model.msm_report(&scalars).unwrap();
        assert_eq!(card.point, m.point);
        assert_eq!(card.window, m.window, "{what}: the host's window choice");
        assert_eq!(card.dma_bytes, m.dma_bytes, "{what}");
        let clocks = card.cycles.unwrap() - card.sweep_cycles.unwrap_or(0);
        let ratio = m.cycles.unwrap() as f64 / clocks as f64;
        println!(
            "{what}, c = {}: card {clocks} clocks, {} adds; model {} clocks, {} adds; model/card {ratio:.3}",
            card.window,
            card.adds.unwrap(),
            m.cycles.unwrap(),
            m.adds.unwrap()
        );
        ratios.push((what, ratio));
    }
    for (what, ratio) in ratios {
        assert!(
            (0.93..=1.05).contains(&ratio),
            "{what}: model/card = {ratio:.3}"
        );
    }
}
