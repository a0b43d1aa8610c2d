//! The driver on the simulated card (InProcess): identity, loads, MSMs against arkworks.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::VariableBaseMSM;
use msm_driver::{segment_sums, Card, DmaBuffer, InProcess};
use msm_sim::model::ark::{affine_from_ark, projective_to_ark, scalar_limbs};
use msm_sim::model::Projective;
use msm_spec::bus;
use msm_spec::card::{self as spec};
use msm_spec::reduction::Plan;
use msm_verilator::{projective, Timing};

fn open() -> Card<InProcess> {
    Card::open(InProcess::new(Timing::default())).expect("open the simulated card")
}

fn load(card: &mut Card<InProcess>, bases: &[G1Affine]) {
    let limbs: Vec<_> = bases
        .iter()
        .map(|b| {
            let a = affine_from_ark(b).unwrap();
            [a.x.montgomery(), a.y.montgomery()]
        })
        .collect();
    let mut buf = card.alloc(bases.len() * spec::BEAT_BYTES).unwrap();
    buf.write_at(0, &bus::encode(&limbs));
    card.load_bases(0, bases.len() as u32, &buf).unwrap();
}

fn msm(card: &mut Card<InProcess>, c: u32, scalars: &[Fr]) -> G1Projective {
    let shape = card.info().shape();
    let plan = Plan::new(c, shape);
    let limbs: Vec<_> = scalars.iter().map(|s| [scalar_limbs(s)]).collect();
    let mut s = card
        .alloc(spec::scalar_buffer_bytes(scalars.len()))
        .unwrap();
    s.write_at(0, &bus::encode(&limbs));
    let r = card.alloc(spec::result_bytes(shape, &plan)).unwrap();
    let t = card.submit_msm(c, 0, scalars.len() as u32, &s, &r).unwrap();
    card.wait(t).unwrap();
    let (point, _) = plan.finish(|w, h, j| {
        let [p, t] = segment_sums(&r, shape, &plan, (w, h, j)).unwrap();
        (projective(&p), projective(&t))
    });
    let _: &Projective = &point;
    projective_to_ark(&point)
}

#[test]
fn opens_and_reports_the_test_configuration() {
    let mut card = open();
    let info = *card.info();
    assert_eq!(info.lanes, msm_verilator::LANES);
    assert_eq!(info.c_max, msm_verilator::C_MAX);
    assert_eq!(info.lane_latency, msm_verilator::FQ_LANE_LATENCY);
    assert_eq!(info.queue_depth, spec::QUEUE_DEPTH);
    assert_eq!(card.bases_loaded().unwrap(), 0);
}

#[test]
fn one_small_msm_matches_arkworks() {
    let (bases, scalars) = msm_sim::workload::random_inputs(7, msm_sim::seed::seed("driver msm"));
    let mut card = open();
    load(&mut card, &bases);
    assert_eq!(card.bases_loaded().unwrap(), 7);
    for (c, n) in [(4, 7), (3, 5)] {
        let got = msm(&mut card, c, &scalars[..n]);
        let want = G1Projective::msm(&bases[..n], &scalars[..n]).unwrap();
        assert_eq!(got, want, "c = {c}, n = {n}");
        let last = card.last().unwrap();
        eprintln!("c = {c}, n = {n}: {last:?}");
    }
    assert!(card.transport().card().protocol_errors().is_empty());
}

/// A transport that reports another id or version: the driver refuses the card. (It forwards
/// everything else to the simulated card: only the identity it isolates is altered.)
struct Impostor {
    inner: InProcess,
    id: Option<u32>,
    version: Option<u32>,
}

impl msm_driver::Transport for Impostor {
    type Buffer = <InProcess as msm_driver::Transport>::Buffer;

    fn read(&mut self, reg: spec::Reg) -> Result<u32, msm_driver::TransportError> {
        match (reg, self.id, self.version) {
            (spec::Reg::Id, Some(id), _) => Ok(id),
            (spec::Reg::Version, _, Some(v)) => Ok(v),
            _ => self.inner.read(reg),
        }
    }

    fn write(&mut self, reg: spec::Reg, value: u32) -> Result<(), msm_driver::TransportError> {
        self.inner.write(reg, value)
    }

    fn alloc(&mut self, len: usize) -> Result<Self::Buffer, msm_driver::TransportError> {
        self.inner.alloc(len)
    }

    fn wait_irq(
        &mut self,
        timeout: std::time::Duration,
    ) -> Result<bool, msm_driver::TransportError> {
        self.inner.wait_irq(timeout)
    }
}

#[test]
fn an_incompatible_card_is_refused() {
    use msm_driver::{DriverError, Transport};
    let impostor = |id, version| Impostor {
        inner: InProcess::new(Timing::default()),
        id,
        version,
    };
    assert!(matches!(
        Card::open(impostor(Some(0x1234_5678), None)),
        Err(DriverError::NotOurCard {
            id: 0x1234_5678,
            ..
        })
    ));
    assert!(matches!(
        Card::open(impostor(None, Some(spec::VERSION + (1 << 16)))),
        Err(DriverError::IncompatibleVersion { .. })
    ));
    // A newer minor version is compatible.
    let mut card = Card::open(impostor(None, Some(spec::VERSION + 1))).unwrap();
    assert_eq!(card.info().version, spec::VERSION + 1);
    assert_eq!(card.transport().read(spec::Reg::Id).unwrap(), spec::CARD_ID);
}

#[test]
fn totals_add_up_the_msms() {
    let (bases, scalars) = msm_sim::workload::random_inputs(6, msm_sim::seed::seed("totals"));
    let mut card = open();
    load(&mut card, &bases);
    let before = card.totals().unwrap();
    let (mut adds, mut conflicts, mut dma) = (0, 0, 0);
    for n in [6, 4] {
        let want = G1Projective::msm(&bases[..n], &scalars[..n]).unwrap();
        assert_eq!(msm(&mut card, 3, &scalars[..n]), want);
        let last = card.last().unwrap();
        adds += last.adds;
        conflicts += last.conflicts;
        dma += last.dma_bytes;
    }
    let after = card.totals().unwrap();
    assert_eq!(after.adds - before.adds, adds);
    assert_eq!(after.conflicts - before.conflicts, conflicts);
    assert_eq!(after.dma_bytes - before.dma_bytes, dma);
    assert!(after.cycles > before.cycles);
}
