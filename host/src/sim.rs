//! The simulated card: the generated RTL of the MSM core (test configuration: two lanes,
//! c_max 10), compiled by Verilator and clocked from Rust (`msm_verilator::MsmCore`). Points and
//! scalars stream in; the core accumulates the buckets and runs the segment running sums; the
//! host finishes each window and combines the windows. Cycles and adds are the core's own.

use ark_bn254::{Fr, G1Affine};
use msm_sim::model::ark::{affine_from_ark, projective_to_ark, scalar_limbs};
use msm_spec::window::choose_window;
use msm_verilator::MsmCore;

use crate::backend::{check_bases, check_scalars, check_window, MsmBackend, MsmReport};
use crate::error::MsmError;

/// Largest window the simulated core's bucket memory holds (the test configuration's c_max).
pub const SIM_C_MAX: u32 = msm_verilator::C_MAX;

/// The simulated card's lanes and lane latency: what its reduction plan depends on.
pub const SHAPE: msm_spec::reduction::CardShape = msm_verilator::SHAPE;

pub struct SimBackend {
    core: MsmCore,
    /// Affine bases as the core takes them: Montgomery-form (x, y) limbs.
    bases: Vec<[[u64; 4]; 2]>,
    window: Option<u32>,
    cycle_limit: u64,
}

impl SimBackend {
    /// `window`: a fixed c in 2..=SIM_C_MAX, or `None` to pick the c with the fewest adds per MSM.
    pub fn new(window: Option<u32>) -> Result<Self, MsmError> {
        check_window(window, SIM_C_MAX)?;
        Ok(Self {
            core: MsmCore::default(),
            bases: Vec::new(),
            window,
            cycle_limit: u64::MAX,
        })
    }

    /// Gives up on an MSM (`MsmError::CardTimeout`) after this many clocks of one phase.
    pub fn set_cycle_limit(&mut self, cycles: u64) {
        self.cycle_limit = cycles;
        self.core.set_cycle_limit(cycles);
    }
}

impl MsmBackend for SimBackend {
    fn name(&self) -> &'static str {
        "sim"
    }

    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<(), MsmError> {
        check_bases(bases)?;
        self.bases = bases
            .iter()
            .map(|b| {
                let a = affine_from_ark(b).expect("checked: not the identity");
                [a.x.montgomery(), a.y.montgomery()]
            })
            .collect();
        Ok(())
    }

    fn num_bases(&self) -> usize {
        self.bases.len()
    }

    fn msm_report(&mut self, scalars: &[Fr]) -> Result<MsmReport, MsmError> {
        check_scalars(self.bases.len(), scalars)?;
        let c = self
            .window
            .unwrap_or_else(|| choose_window(scalars.len(), SIM_C_MAX));
        let limbs: Vec<_> = scalars.iter().map(scalar_limbs).collect();
        let run = match self.core.msm(c, &self.bases[..scalars.len()], &limbs) {
            Ok(run) => run,
            Err(t) => {
                // A core that gave up may still hold digits in flight: power-cycle it (a fresh
                // model) so that the next MSM starts clean. The loaded key is the host's.
                self.core = MsmCore::default();
                self.core.set_cycle_limit(self.cycle_limit);
                return Err(MsmError::CardTimeout { cycles: t.cycles });
            }
        };
        Ok(MsmReport {
            point: projective_to_ark(&run.point),
            window: c,
            adds: Some(run.adds),
            cycles: Some(run.cycles()),
            lanes: Some(run.lanes),
            sweep_cycles: Some(run.accumulation.sweep_cycles),
        })
    }
}
