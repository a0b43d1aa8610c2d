//! The reference-model backend: the card's algorithm run by the bit-exact software model
//! (`msm_sim::model`), single-threaded, with the reduction plan of a given card. It is the
//! golden reference for the simulated and real cards, and counts the additions the card would
//! perform.

use ark_bn254::{Fr, G1Affine};
use msm_sim::model::ark::{affine_from_ark, projective_to_ark, scalar_limbs};
use msm_sim::model::msm::msm;
use msm_sim::model::Affine;
use msm_spec::reduction::{CardShape, Plan};
use msm_spec::window::{choose_window, WINDOW_RANGE};

use crate::backend::{check_bases, check_scalars, check_window, MsmBackend, MsmReport};
use crate::error::MsmError;

pub struct ModelBackend {
    bases: Vec<Affine>,
    /// Fixed window width, or `None` to choose per MSM size.
    window: Option<u32>,
    card: CardShape,
}

impl ModelBackend {
    /// `window`: a fixed c in 2..=16, or `None` to pick the c with the fewest adds per MSM.
    /// `card`: the card whose reduction plan to follow (e.g. `msm_host::sim::SHAPE`).
    pub fn new(window: Option<u32>, card: CardShape) -> Result<Self, MsmError> {
        check_window(window, *WINDOW_RANGE.end())?;
        Ok(Self {
            bases: Vec::new(),
            window,
            card,
        })
    }
}

impl MsmBackend for ModelBackend {
    fn name(&self) -> &'static str {
        "model"
    }

    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<(), MsmError> {
        check_bases(bases)?;
        self.bases = bases.iter().map(|b| affine_from_ark(b).unwrap()).collect();
        Ok(())
    }

    fn num_bases(&self) -> usize {
        self.bases.len()
    }

    fn msm_report(&mut self, scalars: &[Fr]) -> Result<MsmReport, MsmError> {
        check_scalars(self.bases.len(), scalars)?;
        let c = self
            .window
            .unwrap_or_else(|| choose_window(scalars.len(), *WINDOW_RANGE.end()));
        let limbs: Vec<_> = scalars.iter().map(scalar_limbs).collect();
        let plan = Plan::new(c, self.card);
        let (point, counts) = msm(&self.bases[..scalars.len()], &limbs, &plan);
        Ok(MsmReport {
            point: projective_to_ark(&point),
            window: c,
            adds: Some(counts.on_card()),
            cycles: None,
            lanes: None,
            interval: None,
            sweep_cycles: None,
            dma_bytes: None,
        })
    }
}
