//! What the host tests share.
#![allow(dead_code)]

use msm_host::{CardShape, CpuBackend, ModelBackend, MsmBackend};

/// The card the model backend follows: the simulated card where it is built, else a small
/// stand-in shape (any shape gives the same points).
pub fn card() -> CardShape {
    #[cfg(feature = "sim")]
    return msm_host::SIM_SHAPE;
    #[cfg(not(feature = "sim"))]
    CardShape {
        lanes: 1,
        latency: 8,
        interval: 1,
    }
}

pub fn model(window: Option<u32>) -> ModelBackend {
    ModelBackend::new(window, card()).unwrap()
}

/// Every backend this build has, windows chosen per size.
pub fn backends() -> Vec<Box<dyn MsmBackend>> {
    vec![
        Box::new(CpuBackend::new()),
        Box::new(model(None)),
        #[cfg(feature = "sim")]
        Box::new(msm_host::simulated(None, msm_host::Timing::default()).unwrap()),
    ]
}
