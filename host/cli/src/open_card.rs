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

/// The simulated card's harness timing asked for.
#[cfg(feature = "sim")]
fn timing(p: &CardPlace) -> msm_host::Timing {
    let mut t = msm_host::Timing::default();
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
        CardAt::Sim => work.run(msm_host::simulated(p.window, timing(p)).map_err(e)?),
        #[cfg(feature = "vfio")]
        CardAt::Vfio(bdf) => work.run(msm_host::vfio_pci(bdf, p.window).map_err(e)?),
        #[cfg(feature = "vfio")]
        CardAt::VfioUser(socket) => work.run(msm_host::vfio_user(socket, p.window).map_err(e)?),
        #[allow(unreachable_patterns)]
        other => Err(format!(
            "card {other:?} needs a feature msm was built without (sim, vfio)"
        )),
    }
}
