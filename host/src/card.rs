//! The card backend: MSMs on a card through the driver (`msm_driver::Card`), over any
//! transport (the simulated card in process, a card over vfio-pci, a vfio-user server). The
//! key is loaded into card memory once; each MSM sends only its scalars by DMA, and the host
//! finishes every window from the chain sums the card writes back
//! (`msm_spec::reduction::Plan::finish`).

use ark_bn254::{Fr, G1Affine, G1Projective};
use msm_driver::{segment_sums, Card, DmaBuffer, DriverError, Transport, TransportError};
use msm_sim::model::ark::{affine_from_ark, projective_to_ark, scalar_limbs};
use msm_sim::model::Projective;
use msm_spec::bus;
use msm_spec::card as spec;
use msm_spec::reduction::Plan;
use msm_spec::window::{choose_window, reduction_adds};

use crate::backend::{check_bases, check_scalars, check_window, MsmBackend, MsmReport};
use crate::error::MsmError;

/// One MSM's DMA buffers, reused while they are large enough.
struct Slot<B> {
    scalars: B,
    results: B,
}

pub struct CardBackend<T: Transport> {
    card: Card<T>,
    /// Bases of the current key (a prefix of what card memory holds).
    bases: usize,
    window: Option<u32>,
    slots: Vec<Slot<T::Buffer>>,
}

impl From<DriverError> for MsmError {
    fn from(e: DriverError) -> Self {
        match e {
            DriverError::Card { error, .. } => MsmError::Card(error),
            DriverError::Timeout(d) => MsmError::CardTimeout {
                ms: d.as_millis() as u64,
            },
            DriverError::Transport(TransportError::Gone(why)) => MsmError::CardGone(why),
            other => MsmError::Driver(other.to_string()),
        }
    }
}

impl<T: Transport> CardBackend<T> {
    /// `window`: a fixed c in 2..=c_max of the card, or `None` to choose per MSM size.
    pub fn new(card: Card<T>, window: Option<u32>) -> Result<Self, MsmError> {
        check_window(window, card.info().c_max)?;
        Ok(CardBackend {
            card,
            bases: 0,
            window,
            slots: Vec::new(),
        })
    }

    pub fn card(&mut self) -> &mut Card<T> {
        &mut self.card
    }

    /// The window width an MSM of `n` points runs at.
    pub fn window_for(&self, n: usize) -> u32 {
        self.window
            .unwrap_or_else(|| choose_window(n, self.card.info().c_max))
    }

    /// Slot i with room for `n` scalars and the results of `plan`.
    fn slot(&mut self, i: usize, n: usize, plan: &Plan) -> Result<&mut Slot<T::Buffer>, MsmError> {
        let shape = self.card.info().shape();
        let (s, r) = (
            spec::scalar_buffer_bytes(n),
            spec::result_bytes(shape, plan),
        );
        let fits = |x: &Slot<T::Buffer>| x.scalars.len() >= s && x.results.len() >= r;
        if self.slots.get(i).is_none_or(|x| !fits(x)) {
            let slot = Slot {
                scalars: self.card.alloc(s)?,
                results: self.card.alloc(r)?,
            };
            if i < self.slots.len() {
                self.slots[i] = slot;
            } else {
                self.slots.push(slot);
            }
        }
        Ok(&mut self.slots[i])
    }
}

fn point(l: &bus::PointLimbs) -> Projective {
    Projective::from_montgomery(l).expect("decode_points checked every coordinate is below p")
}

fn empty_report(window: u32) -> MsmReport {
    MsmReport {
        point: G1Projective::default(),
        window,
        adds: Some(0),
        cycles: Some(0),
        lanes: None,
        interval: None,
        sweep_cycles: Some(0),
        dma_bytes: Some(0),
    }
}

impl<T: Transport> MsmBackend for CardBackend<T> {
    fn name(&self) -> &'static str {
        "card"
    }

    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<(), MsmError> {
        check_bases(bases)?;
        let capacity = self.card.info().bases_capacity as usize;
        if bases.len() > capacity {
            return Err(MsmError::KeyTooLarge {
                bases: bases.len(),
                capacity,
            });
        }
        let limbs: Vec<_> = bases
            .iter()
            .map(|b| {
                let a = affine_from_ark(b).expect("checked: not the identity");
                [a.x.montgomery(), a.y.montgomery()]
            })
            .collect();
        let mut buffer = self.card.alloc(bases.len() * spec::BEAT_BYTES)?;
        buffer.write_at(0, &bus::encode(&limbs));
        // While the load runs the old key is gone, whatever happens.
        self.bases = 0;
        self.card.load_bases(0, bases.len() as u32, &buffer)?;
        self.bases = bases.len();
        Ok(())
    }

    fn num_bases(&self) -> usize {
        self.bases
    }

    fn msm_report(&mut self, scalars: &[Fr]) -> Result<MsmReport, MsmError> {
        check_scalars(self.bases, scalars)?;
        Ok(self.msm_many(&[scalars])?.remove(0))
    }

    fn msm_many(&mut self, batches: &[&[Fr]]) -> Result<Vec<MsmReport>, MsmError> {
        for s in batches {
            check_scalars(self.bases, s)?;
        }
        let shape = self.card.info().shape();
        let interval = self.card.info().lane_interval;
        let depth = self.card.info().queue_depth as usize;
        let mut reports = Vec::with_capacity(batches.len());
        for group in batches.chunks(depth) {
            let mut queued = Vec::new();
            for (i, scalars) in group.iter().enumerate() {
                if scalars.is_empty() {
                    queued.push(None);
                    continue;
                }
                let c = self.window_for(scalars.len());
                let plan = Plan::new(c, shape);
                let limbs: Vec<[_; 1]> = scalars.iter().map(|s| [scalar_limbs(s)]).collect();
                let slot = self.slot(i, scalars.len(), &plan)?;
                slot.scalars.write_at(0, &bus::encode(&limbs));
                // Split borrows: the card and the slot's buffers.
                let Slot {
                    scalars: sb,
                    results: rb,
                } = &self.slots[i];
                let t = self.card.submit_msm(c, 0, scalars.len() as u32, sb, rb)?;
                queued.push(Some((t, c, plan)));
            }
            for (i, q) in queued.into_iter().enumerate() {
                let Some((t, c, plan)) = q else {
                    reports.push(empty_report(self.window_for(0)));
                    continue;
                };
                if let Err(e) = self.card.wait(t) {
                    if matches!(e, DriverError::Timeout(_)) {
                        // Abort what runs; the loaded key survives a soft reset.
                        self.card.reset()?;
                    }
                    return Err(e.into());
                }
                let last = self.card.last_of(t)?;
                let results = &self.slots[i].results;
                let mut bad = None;
                let (point, _) =
                    plan.finish(
                        |w, h, j| match segment_sums(results, shape, &plan, (w, h, j)) {
                            Ok([s, t]) => (point(&s), point(&t)),
                            Err(e) => {
                                bad = Some(e);
                                (Projective::IDENTITY, Projective::IDENTITY)
                            }
                        },
                    );
                if let Some(e) = bad {
                    return Err(MsmError::Driver(format!(
                        "the card wrote a bad result: {e:?}"
                    )));
                }
                // The card's counters, unless a later command has already overwritten them.
                reports.push(MsmReport {
                    point: projective_to_ark(&point),
                    window: c,
                    adds: last.map(|l| l.adds + reduction_adds(c)),
                    cycles: last.map(|l| l.cycles),
                    lanes: Some(shape.lanes),
                    interval: Some(interval),
                    sweep_cycles: last.map(|l| l.sweep_cycles),
                    dma_bytes: last.map(|l| l.dma_bytes),
                });
            }
        }
        Ok(reports)
    }
}

#[cfg(feature = "sim")]
pub use simulated::*;

#[cfg(feature = "sim")]
mod simulated {
    use msm_driver::InProcess;
    pub use msm_verilator::{CardModel, Timing};

    use super::*;

    /// The simulated card's lanes and lane latency: what its reduction plan depends on.
    pub const SIM_SHAPE: msm_spec::reduction::CardShape = msm_verilator::SHAPE;

    /// The card backend on the simulated card (the Verilated `msm_card`), in process.
    pub fn simulated(
        window: Option<u32>,
        timing: Timing,
    ) -> Result<CardBackend<InProcess>, MsmError> {
        simulated_of(&msm_verilator::SIM_CARD, window, timing)
    }

    /// The card backend on a Verilated card build: `CardModel::find("u55c", true)` is the
    /// large configuration with behavioural field units (fast, for measuring it at full size).
    pub fn simulated_of(
        build: &'static CardModel,
        window: Option<u32>,
        timing: Timing,
    ) -> Result<CardBackend<InProcess>, MsmError> {
        let card = Card::open(InProcess::of(build, timing))?;
        CardBackend::new(card, window)
    }
}

/// Where the card backend finds its card: `sim` (the simulated card in process),
/// `vfio:<BDF>` (a card bound to vfio-pci) or `vfio-user:<socket>` (a vfio-user server such
/// as `card-server`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardAt {
    Sim,
    Vfio(String),
    VfioUser(std::path::PathBuf),
    /// A board on a serial host link: its serial port.
    Uart(std::path::PathBuf),
}

impl std::str::FromStr for CardAt {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once(':') {
            _ if s == "sim" => Ok(CardAt::Sim),
            Some(("vfio", bdf)) if !bdf.is_empty() => Ok(CardAt::Vfio(bdf.to_string())),
            Some(("vfio-user", path)) if !path.is_empty() => Ok(CardAt::VfioUser(path.into())),
            Some(("uart", path)) if !path.is_empty() => Ok(CardAt::Uart(path.into())),
            _ => Err(format!(
                "{s:?}: a card is sim, vfio:<BDF> (e.g. vfio:0000:01:00.0), vfio-user:<socket> \
                 or uart:<serial port> (a board on its serial link, e.g. uart:/dev/ttyUSB0)"
            )),
        }
    }
}

#[cfg(feature = "vfio")]
pub use over_vfio::*;

/// The card backend on a board on a serial host link at `port` (e.g. `/dev/ttyUSB0`), at the
/// baud rate of the configurations on such a link (`msm_spec::config::HostLink::Uart`).
#[cfg(feature = "serial")]
pub fn serial(
    port: &std::path::Path,
    window: Option<u32>,
) -> Result<CardBackend<msm_driver::Uart<std::fs::File>>, MsmError> {
    let baud = msm_spec::config::ALL
        .iter()
        .find_map(|c| match c.host_link {
            msm_spec::config::HostLink::Uart { baud } => Some(baud),
            msm_spec::config::HostLink::Pcie => None,
        })
        .expect("a configuration on a serial link");
    let line = msm_driver::uart::open_serial(port, baud)
        .map_err(|e| MsmError::CardOpen(format!("{}: {e}", port.display())))?;
    CardBackend::new(Card::open(msm_driver::Uart::new(line))?, window)
}

#[cfg(feature = "vfio")]
mod over_vfio {
    use msm_driver::vfio::{VfioPci, VfioUser};

    use super::*;

    /// The card backend on a card bound to vfio-pci (`bdf`: e.g. `0000:01:00.0`).
    pub fn vfio_pci(bdf: &str, window: Option<u32>) -> Result<CardBackend<VfioPci>, MsmError> {
        let pci = VfioPci::open(bdf).map_err(|e| MsmError::CardOpen(e.to_string()))?;
        CardBackend::new(Card::open(pci)?, window)
    }

    /// The card backend on a vfio-user server listening at `socket`.
    pub fn vfio_user(
        socket: &std::path::Path,
        window: Option<u32>,
    ) -> Result<CardBackend<VfioUser>, MsmError> {
        let user = VfioUser::connect(socket).map_err(|e| MsmError::CardOpen(e.to_string()))?;
        CardBackend::new(Card::open(user)?, window)
    }
}

#[cfg(test)]
mod tests {
    use super::CardAt;

    #[test]
    fn card_addresses_parse() {
        assert_eq!("sim".parse(), Ok(CardAt::Sim));
        assert_eq!(
            "vfio:0000:01:00.0".parse(),
            Ok(CardAt::Vfio("0000:01:00.0".into()))
        );
        assert_eq!(
            "vfio-user:/tmp/card.sock".parse(),
            Ok(CardAt::VfioUser("/tmp/card.sock".into()))
        );
        for bad in ["", "vfio", "vfio:", "pci:0000:01:00.0", "vfio-user:"] {
            assert!(bad.parse::<CardAt>().is_err(), "{bad}");
        }
    }
}
