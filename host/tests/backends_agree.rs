//! The CPU, reference-model and simulated-card backends agree with arkworks through the host
//! API, for a loaded key used many times and against prefixes.

use ark_bn254::{Fr, G1Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{One, Zero};
mod common;

use msm_host::workload::random_inputs;
use msm_host::MsmBackend;

#[test]
fn key_loaded_once_many_msms_and_prefixes() {
    let seed = msm_sim::seed::seed("backends agree");
    let (bases, scalars) = random_inputs(300, seed);
    let mut fixed = common::model(Some(5));
    let mut backends = common::backends();
    backends.push(Box::new(common::model(Some(5))));
    for b in backends.iter_mut() {
        b.load_bases(&bases).unwrap();
        assert_eq!(b.num_bases(), 300);
        for n in [1, 2, 3, 100, 257, 300] {
            let want = G1Projective::msm(&bases[..n], &scalars[..n]).unwrap();
            assert_eq!(b.msm(&scalars[..n]).unwrap(), want, "{} n = {n}", b.name());
        }
        let edge = [Fr::zero(), Fr::one(), -Fr::one()];
        let want = G1Projective::msm(&bases[..3], &edge).unwrap();
        assert_eq!(b.msm(&edge).unwrap(), want, "{} edge scalars", b.name());
    }
    fixed.load_bases(&bases).unwrap();
    let report = fixed.msm_report(&scalars).unwrap();
    assert_eq!(report.window, 5);
    assert!(report.adds.unwrap() > 0);
}

#[cfg(feature = "sim")]
#[test]
fn simulated_card_reports_its_cycles() {
    let (bases, scalars) = random_inputs(64, msm_sim::seed::seed("sim report"));
    let mut card = msm_host::simulated(Some(4), msm_host::Timing::default()).unwrap();
    card.load_bases(&bases).unwrap();
    let report = card.msm_report(&scalars).unwrap();
    assert_eq!(report.point, G1Projective::msm(&bases, &scalars).unwrap());
    let lanes = msm_host::SIM_SHAPE.lanes;
    assert_eq!((report.window, report.lanes), (4, Some(lanes)));
    let (adds, cycles) = (report.adds.unwrap(), report.cycles.unwrap());
    assert!(
        adds > 0 && cycles * lanes as u64 >= adds,
        "{adds} adds in {cycles} cycles on {lanes} lanes"
    );
    // Scalars in (whole 64-byte beats), every lane's chain sums out.
    assert!(report.dma_bytes.unwrap() >= 64 * 32);
}
