//! The MSM backend trait: how provers use an accelerator. A commitment key (the bases) is
//! loaded once; then many MSMs run against a prefix of it or all of it.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::AffineRepr;

use crate::error::MsmError;

/// One MSM's result and what the backend measured doing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsmReport {
    pub point: G1Projective,
    /// The Pippenger window width c used.
    pub window: u32,
    /// Point additions the accelerator performed (bucket accumulation and reduction), where the
    /// backend counts them.
    pub adds: Option<u64>,
    /// Clock cycles the accelerator took, where the backend has a clock.
    pub cycles: Option<u64>,
    /// Adder lanes, where the backend has them.
    pub lanes: Option<usize>,
    /// Clocks between the additions one lane takes (its II: 1 unless the lane is folded), where
    /// the backend has lanes.
    pub interval: Option<usize>,
    /// Of `cycles`, those the card spent sweeping its bucket memory clear because its epochs ran
    /// out (every 2^epoch_bits - 1 MSMs), where the backend has a clock.
    pub sweep_cycles: Option<u64>,
    /// Bytes the card moved over its DMA port (scalars in, results out), where it counts them.
    pub dma_bytes: Option<u64>,
}

impl MsmReport {
    /// Adds per lane slot (a clock, or II clocks for a folded lane): 1.0 is a pipeline that
    /// never idles.
    pub fn efficiency(&self) -> Option<f64> {
        let (adds, cycles, lanes) = (self.adds?, self.cycles?, self.lanes?);
        let slots = cycles.max(1) as f64 / self.interval.unwrap_or(1) as f64;
        Some(adds as f64 / (slots * lanes as f64))
    }

    /// A projection, not a measurement: the cycles at an assumed clock.
    pub fn projected_ms(&self, clock_mhz: f64) -> Option<f64> {
        Some(self.cycles? as f64 / (clock_mhz * 1e3))
    }
}

pub trait MsmBackend {
    /// A short name for tables ("cpu", "model", ...).
    fn name(&self) -> &'static str;

    /// Loads the commitment key, replacing any previous one. Every base is checked: the point at
    /// infinity has no affine form and must be left out (a commitment key never contains it).
    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<(), MsmError>;

    /// How many bases are loaded.
    fn num_bases(&self) -> usize;

    /// sum_i scalars[i] * bases[i] over the first `scalars.len()` loaded bases, with what the
    /// backend measured. An empty `scalars` gives the identity.
    fn msm_report(&mut self, scalars: &[Fr]) -> Result<MsmReport, MsmError>;

    /// Several MSMs over prefixes of the key, in order. A card queues them back to back (as a
    /// folding step commits to W and then to T), starting each as the one before ends; each
    /// report's cycles are that MSM's own.
    fn msm_many(&mut self, batches: &[&[Fr]]) -> Result<Vec<MsmReport>, MsmError> {
        batches.iter().map(|s| self.msm_report(s)).collect()
    }

    /// sum_i scalars[i] * bases[i] over the first `scalars.len()` loaded bases.
    fn msm(&mut self, scalars: &[Fr]) -> Result<G1Projective, MsmError> {
        self.msm_report(scalars).map(|r| r.point)
    }

    /// One-shot convenience: load `bases` and run one MSM over all of them.
    fn msm_once(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<G1Projective, MsmError> {
        if bases.len() != scalars.len() {
            return Err(MsmError::LengthMismatch {
                bases: bases.len(),
                scalars: scalars.len(),
            });
        }
        self.load_bases(bases)?;
        self.msm(scalars)
    }
}

/// The checks every backend applies to a key: non-empty, no infinity, on the curve (BN254 G1 has
/// prime order, so on the curve is in the group).
pub fn check_bases(bases: &[G1Affine]) -> Result<(), MsmError> {
    if bases.is_empty() {
        return Err(MsmError::EmptyKey);
    }
    for (index, b) in bases.iter().enumerate() {
        if b.is_zero() {
            return Err(MsmError::PointAtInfinity { index });
        }
        if !b.is_on_curve() {
            return Err(MsmError::PointNotOnCurve { index });
        }
    }
    Ok(())
}

/// The check every backend applies before an MSM: a key is loaded and is long enough.
pub fn check_scalars(loaded: usize, scalars: &[Fr]) -> Result<(), MsmError> {
    if loaded == 0 {
        return Err(MsmError::EmptyKey);
    }
    if scalars.len() > loaded {
        return Err(MsmError::TooManyScalars {
            bases: loaded,
            scalars: scalars.len(),
        });
    }
    Ok(())
}

/// A fixed window width must lie in 2..=`max` (the backend's largest c).
pub fn check_window(window: Option<u32>, max: u32) -> Result<(), MsmError> {
    let min = *msm_spec::window::WINDOW_RANGE.start();
    match window {
        Some(c) if !(min..=max).contains(&c) => Err(MsmError::WindowOutOfRange { c, min, max }),
        _ => Ok(()),
    }
}
