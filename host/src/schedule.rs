//! The schedule-model backend: a card too large or too slow to simulate, in the time the
//! schedule model gives. Arkworks computes the point (exact); the schedule model
//! (`msm_sim::model::schedule`) runs on the same scalars for the cycles a card of the given
//! shape would take (a projection, not RTL: the model's assumptions are in its module doc).
//! `msm fold` uses it for the u55c configuration at sizes the Verilated card cannot run; the
//! tests check its cycles against the simulated card's at sizes both run.

use ark_bn254::{Fr, G1Affine};
use msm_sim::model::ark::scalar_limbs;
use msm_sim::model::schedule::{schedule, ScheduleParams};
use msm_spec::bus::SCALAR_BYTES;
use msm_spec::card::result_bytes;
use msm_spec::reduction::{CardShape, Plan};
use msm_spec::window::{buckets_per_window, choose_window};

use crate::backend::{check_window, MsmBackend, MsmReport};
use crate::cpu::CpuBackend;
use crate::error::MsmError;

/// Entries of each engine's park FIFO (hw/src/msm/engine.rs: `park`, 4 address bits).
pub const PARK_DEPTH: usize = 16;

/// The card the model stands for, and its host link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScheduleCard {
    pub shape: CardShape,
    /// Clocks between a lane's additions (1 unless the lane is folded).
    pub interval: u64,
    /// Largest window width its bucket memory holds.
    pub c_max: u32,
    /// Host DMA bytes per card clock. Scalars stream in faster than the lanes take them, so
    /// their transfer overlaps the work; the results go out after it.
    pub dma_bytes_per_clock: f64,
    /// Clocks from a DMA read request to its first beat, and from a write's end to its
    /// response.
    pub dma_latency: u64,
    /// Clocks from a card-memory (bases) request to its first beat.
    pub memory_latency: u64,
}

impl ScheduleCard {
    /// Card clocks of an MSM whose work the schedule model puts at `work` clocks, under `plan`:
    /// the first scalar and base arriving, the work, the results written.
    pub fn clocks(&self, work: u64, plan: &Plan) -> u64 {
        let out = result_bytes(self.shape, plan) as f64 / self.dma_bytes_per_clock;
        self.dma_latency + self.memory_latency + work + out.ceil() as u64 + self.dma_latency
    }
}

pub struct ScheduleBackend {
    card: ScheduleCard,
    /// The point, and the checks of keys and scalars.
    cpu: CpuBackend,
    window: Option<u32>,
}

impl ScheduleBackend {
    /// `window`: a fixed c in 2..=c_max, or `None` for the host's choice per size.
    pub fn new(card: ScheduleCard, window: Option<u32>) -> Result<Self, MsmError> {
        check_window(window, card.c_max)?;
        Ok(ScheduleBackend {
            card,
            cpu: CpuBackend::new(),
            window,
        })
    }

    /// The schedule model's parameters for an MSM under `plan`: its segments are the plan's.
    pub fn params(&self, plan: &Plan) -> ScheduleParams {
        ScheduleParams {
            c: plan.c,
            latency: self.card.shape.latency as u64,
            interval: self.card.interval,
            lanes: self.card.shape.lanes,
            segments: buckets_per_window(plan.c) >> plan.m_log2,
            fifo_depth: PARK_DEPTH,
        }
    }
}

impl MsmBackend for ScheduleBackend {
    fn name(&self) -> &'static str {
        "schedule"
    }

    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<(), MsmError> {
        self.cpu.load_bases(bases)
    }

    fn num_bases(&self) -> usize {
        self.cpu.num_bases()
    }

    fn msm_report(&mut self, scalars: &[Fr]) -> Result<MsmReport, MsmError> {
        let point = self.cpu.msm(scalars)?;
        let c = self
            .window
            .unwrap_or_else(|| choose_window(scalars.len(), self.card.c_max));
        let limbs: Vec<_> = scalars.iter().map(scalar_limbs).collect();
        let plan = Plan::new(c, self.card.shape);
        let r = schedule(&limbs, &self.params(&plan));
        Ok(MsmReport {
            point,
            window: c,
            adds: Some(r.adds()),
            cycles: Some(self.card.clocks(r.cycles, &plan)),
            lanes: Some(self.card.shape.lanes),
            interval: Some(self.card.interval as usize),
            sweep_cycles: None,
            dma_bytes: Some(
                (SCALAR_BYTES * scalars.len() + result_bytes(self.card.shape, &plan)) as u64,
            ),
        })
    }
}
