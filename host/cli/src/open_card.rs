//! Opening the card a command names (`--card`), whatever its transport: the work is generic
//! over the transport, so one implementation runs on each.

use msm_driver::Transport;
use msm_host::{CardAt, CardBackend, MsmError};

/// Which card, and how to run it if it is the simulated one.
pub struct CardPlace<'a> {
    pub at: &'a CardAt,
    pub window: Option<u32>,
    // The simulated card's harness only.
    #[cfg_attr(not(feature = "sim"), allow(dead_code))]
    pub ideal_dma: bool,
    #[cfg_attr(not(feature = "sim"), allow(dead_code))]
    pub dma_bytes_per_cycle: Option<f64>,
    /// The simulated card's configuration (`sim`, `u55c`) and whether its field units are the
    /// behavioural leaves (`--fast-sim`).
    #[cfg_attr(not(feature = "sim"), allow(dead_code))]
    pub sim: SimBuild<'a>,
}

/// Which Verilated card build `--card sim` runs.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "sim"), allow(dead_code))]
pub struct SimBuild<'a> {
    pub config: &'a str,
    pub fast: bool,
}

impl Default for SimBuild<'_> {
    fn default() -> Self {
        SimBuild {
            config: "sim",
            fast: false,
        }
    }
}

/// Work to do on whichever card it is.
pub trait OnCard {
    type Out;
    fn run<T: Transport + 'static>(self, card: CardBackend<T>) -> Result<Self::Out, String>;
}

/// The card as a boxed backend.
pub struct Boxed;

impl OnCard for Boxed {
    type Out = Box<dyn msm_host::MsmBackend>;
    fn run<T: Transport + 'static>(self, card: CardBackend<T>) -> Result<Self::Out, String> {
        Ok(Box::new(card))
    }
}

/// The configuration called `name` and its card's shape (lanes, lane latency and interval computed from it).
#[cfg(feature = "sim")]
pub fn config_shape(name: &str) -> Result<(msm_spec::config::Config, msm_host::CardShape), String> {
    let cfg = msm_spec::config::by_name(name)
        .ok_or_else(|| format!("unknown config {name:?} (u55c, sim, ecp5)"))?;
    let shape = msm_host::CardShape {
        lanes: cfg.lanes,
        latency: msm_hw::point::lane::latency(&cfg),
        interval: msm_hw::point::lane::interval(&cfg),
    };
    Ok((cfg, shape))
}

/// The Verilated card build asked for.
#[cfg(feature = "sim")]
fn sim_build(p: &CardPlace) -> Result<&'static msm_host::CardModel, String> {
    let SimBuild { config, fast } = p.sim;
    msm_host::CardModel::find(config, fast).ok_or_else(|| {
        format!(
            "no simulated card of config {config:?}{}: this build has {}",
            if fast { " with --fast-sim" } else { "" },
            msm_host::CardModel::names().join(", ")
        )
    })
}

/// The simulated card's harness timing asked for, at the card's clock.
#[cfg(feature = "sim")]
fn timing(p: &CardPlace, build: &msm_host::CardModel) -> msm_host::Timing {
    let mut t = msm_host::Timing::pcie(build.config.clock_mhz);
    if p.ideal_dma {
        t = msm_host::Timing::ideal();
    }
    if let Some(b) = p.dma_bytes_per_cycle {
        t.host_bytes_per_cycle = Some(b);
    }
    t
}

pub fn on_card<W: OnCard>(p: &CardPlace, work: W) -> Result<W::Out, String> {
    let e = |e: MsmError| e.to_string();
    match p.at {
        #[cfg(feature = "sim")]
        CardAt::Sim => {
            let build = sim_build(p)?;
            let card = msm_host::simulated_of(build, p.window, timing(p, build)).map_err(e)?;
            work.run(card)
        }
        #[cfg(feature = "vfio")]
        CardAt::Vfio(bdf) => work.run(msm_host::vfio_pci(bdf, p.window).map_err(e)?),
        #[cfg(feature = "vfio")]
        CardAt::VfioUser(socket) => work.run(msm_host::vfio_user(socket, p.window).map_err(e)?),
        #[cfg(feature = "serial")]
        CardAt::Uart(port) => work.run(msm_host::serial(port, p.window).map_err(e)?),
        #[allow(unreachable_patterns)]
        other => Err(format!(
            "card {other:?} needs a feature msm was built without (sim, vfio, serial)"
        )),
    }
}
