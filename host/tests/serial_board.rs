//! The ecp5 board as a user drives it: the card behind its UART host link (`msm_board`, field
//! units behavioural, everything else the generated RTL, the UART at 4 clocks a bit), over a
//! simulated serial line, through the driver's `Uart` transport: the host serves the card's
//! DMA and card-memory bursts. MSMs against arkworks, then the paths that go wrong: a DMA
//! fault, a board that stops answering, a frame cut short, and that the next MSM is right
//! after each.
#![cfg(feature = "sim")]

use std::time::Duration;

use ark_bn254::{Fr, G1Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{One, UniformRand, Zero};
use msm_driver::{Card, Transport, TransportError, Uart};
use msm_host::workload::random_inputs;
use msm_host::{CardBackend, MsmBackend};
use msm_spec::config::ECP5_85F;
use msm_verilator::SimBoard;
use rand::Rng;

fn board() -> CardBackend<Uart<SimBoard>> {
    let card = Card::open(Uart::new(SimBoard::new())).expect("the board answers");
    CardBackend::new(card, None).unwrap()
}

#[test]
fn the_board_computes_msms_over_its_serial_link() {
    let mut b = board();
    let info = *b.card().info();
    assert_eq!(
        (info.lanes, info.c_max, info.clock_mhz, info.lane_interval),
        (1, ECP5_85F.c_max, ECP5_85F.clock_mhz, 48)
    );
    let seed = msm_sim::seed::seed("serial board");
    let mut rng = msm_sim::seed::rng("serial board");
    let n = 70;
    let (mut bases, _) = random_inputs(n, seed);
    bases[1] = bases[0];
    bases[3] = -bases[2];
    b.load_bases(&bases).unwrap();
    let r_1 = -Fr::one();
    let mut mixed: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    mixed[5] = Fr::zero();
    mixed[6] = r_1;
    let sets: Vec<(&str, Vec<Fr>)> = vec![
        ("one point", vec![Fr::from(3u64)]),
        ("P + P and P + (-P)", vec![Fr::from(5u64); 4]),
        ("r - 1", vec![r_1; 9]),
        ("random, zero, r - 1", mixed),
    ];
    for (what, s) in &sets {
        let want = G1Projective::msm(&bases[..s.len()], s).unwrap();
        let r = b.msm_report(s).unwrap();
        assert_eq!(r.point, want, "{what} (seed {seed})");
        println!(
            "serial board, {what}: {} adds, {} card clocks, {} clocks on the line",
            r.adds.unwrap_or(0),
            r.cycles.unwrap_or(0),
            b.card().transport().line().cycles()
        );
    }
    // Several commands queued at once: the link serves their bursts as the card asks.
    let depth = b.card().info().queue_depth as usize;
    assert!(depth >= 2);
    let batches: Vec<&[Fr]> = sets.iter().map(|(_, s)| &s[..]).take(depth).collect();
    let got = b.msm_many(&batches).unwrap();
    for ((what, s), r) in sets.iter().zip(&got) {
        let want = G1Projective::msm(&bases[..s.len()], s).unwrap();
        assert_eq!(r.point, want, "{what}, queued (seed {seed})");
    }
}

#[test]
fn a_dma_fault_and_a_silent_board_are_errors_and_the_next_msm_is_right() {
    let mut b = board();
    let seed = msm_sim::seed::seed("serial board faults");
    let (bases, scalars) = random_inputs(8, seed);
    b.load_bases(&bases).unwrap();
    let want = G1Projective::msm(&bases, &scalars).unwrap();

    // Scalars from an IOVA no buffer holds: the host answers the card's reads with SLVERR.
    let card = b.card();
    let dst = card.alloc(1 << 16).unwrap();
    let d = msm_spec::card::Descriptor {
        op: msm_spec::card::Op::Msm as u32,
        c: 4,
        count: 8,
        base: 0,
        src: 0x7000_0000,
        dst: msm_driver::DmaBuffer::iova(&dst),
        dst_len: 1 << 16,
    };
    let t = card.submit(&d).unwrap();
    match card.wait(t) {
        Err(e) if e.is_dma_fault() => {}
        other => panic!("a DMA fault must end the command with the card's error: {other:?}"),
    }
    assert_eq!(
        b.msm(&scalars).unwrap(),
        want,
        "after the DMA fault (seed {seed})"
    );

    // The board stops answering: the transport times out.
    b.card().transport().line().cut(true);
    match b.card().transport().read(msm_spec::card::Reg::Status) {
        Err(TransportError::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::TimedOut),
        other => panic!("a silent board must time out: {other:?}"),
    }
    b.card().transport().line().cut(false);

    // Bytes lost on the line, either way, in the middle of MSMs: the host sends the frame
    // again and the board acts on it once (a lost poll reply's records are sent again, a
    // lost beat reply's beat is not taken twice).
    let mut rng = msm_sim::seed::rng("serial board losses");
    for (i, after) in [40usize, 700, 1500, 2600].into_iter().enumerate() {
        let after = after + rng.gen_range(0..64);
        let line = b.card().transport().line();
        if i % 2 == 0 {
            line.lose_from_board(after, 1 + i);
        } else {
            line.lose_to_board(after, 2);
        }
        assert_eq!(
            b.msm(&scalars).unwrap(),
            want,
            "bytes lost after {after} (seed {seed})"
        );
    }

    // A host that dies part-way through a frame: the board drops the partial frame after 4
    // silent byte times and takes the next frame whole.
    let line = b.card().transport().line();
    std::io::Write::write_all(line, &[msm_spec::link::WRITE_REG, 0x04, 0x00]).unwrap();
    let byte_time = 10 * u64::from(line.clocks_per_bit());
    line.run(3 * byte_time + 4 * byte_time + 2);
    b.card().set_timeout(Duration::from_secs(600));
    assert_eq!(
        b.msm(&scalars).unwrap(),
        want,
        "after the timeout (seed {seed})"
    );
}
