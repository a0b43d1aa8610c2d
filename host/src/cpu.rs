//! The CPU backend: arkworks' parallel Pippenger (`ark_ec::VariableBaseMSM`).

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::VariableBaseMSM;

use crate::backend::{check_bases, check_scalars, MsmBackend, MsmReport};
use crate::error::MsmError;

#[derive(Default)]
pub struct CpuBackend {
    bases: Vec<G1Affine>,
}

impl CpuBackend {
    pub fn new() -> Self {
        Self::default()
    }
}

/// The window arkworks' Pippenger picks for n points (ark-ec 0.6, `msm_bigint_wnaf`):
/// 3 below 32 points, else floor(0.69 log2 n) + 2.
pub fn arkworks_window(n: usize) -> u32 {
    if n < 32 {
        3
    } else {
        (n.ilog2() as usize * 69 / 100) as u32 + 2
    }
}

impl MsmBackend for CpuBackend {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<(), MsmError> {
        check_bases(bases)?;
        self.bases = bases.to_vec();
        Ok(())
    }

    fn num_bases(&self) -> usize {
        self.bases.len()
    }

    fn msm_report(&mut self, scalars: &[Fr]) -> Result<MsmReport, MsmError> {
        check_scalars(self.bases.len(), scalars)?;
        let point = G1Projective::msm_unchecked(&self.bases[..scalars.len()], scalars);
        Ok(MsmReport {
            point,
            window: arkworks_window(scalars.len()),
            adds: None,
            cycles: None,
            lanes: None,
            interval: None,
            sweep_cycles: None,
            dma_bytes: None,
        })
    }
}
