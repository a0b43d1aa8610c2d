//! nova-snark on BN254 with every commitment's MSM on an MSM backend: the CPU, the bit-exact
//! model, the simulated card or a card over VFIO.
//!
//! [`Bn256EngineMsm`] is nova's `Bn256EngineIPA` (same fields, random oracles, transcript and
//! Pedersen generators) with its commitment engine replaced. A prover swaps the engine alias,
//! attaches a backend, and proves as before:
//!
//! ```no_run
//! use std::sync::Arc;
//! use msm_host::{CpuBackend, SharedBackend};
//! use msm_nova::Bn256EngineMsm;
//!
//! type E1 = Bn256EngineMsm; // was nova_snark::provider::Bn256EngineIPA
//! type E2 = nova_snark::provider::GrumpkinEngine;
//!
//! let backend = SharedBackend::spawn(|| Ok(Box::new(CpuBackend::new())))?;
//! let _attached = msm_nova::attach(Arc::new(backend)); // detached when dropped
//! // PublicParams::<E1, E2, C>::setup(..), RecursiveSNARK::new(..), prove_step(..), verify(..)
//! # Ok::<(), msm_host::MsmError>(())
//! ```
//!
//! With nothing attached, commitments run nova's own CPU MSM. Every commitment is recorded
//! ([`take_commits`]): its size, where it ran, its wall time and the backend's report.

use std::sync::{Arc, RwLock};

use msm_host::fold::{Commit, CommitLog};
use msm_host::SharedBackend;
use nova_snark::provider::bn256_grumpkin::bn256;
use nova_snark::provider::keccak::Keccak256Transcript;
use nova_snark::provider::poseidon::{PoseidonRO, PoseidonROCircuit};
use nova_snark::traits::Engine;
use serde::{Deserialize, Serialize};

pub mod circuits;
pub mod commitment;
pub mod convert;
pub mod fold;

/// BN254 with its commitments on the attached backend.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
pub struct Bn256EngineMsm;

impl Engine for Bn256EngineMsm {
    type Base = bn256::Base;
    type Scalar = bn256::Scalar;
    type GE = bn256::Point;
    type RO = PoseidonRO<Self::Base>;
    type ROCircuit = PoseidonROCircuit<Self::Base>;
    type RO2 = PoseidonRO<Self::Scalar>;
    type RO2Circuit = PoseidonROCircuit<Self::Scalar>;
    type TE = Keccak256Transcript<Self>;
    type CE = commitment::CommitmentEngine;
}

static ATTACHED: RwLock<Option<Arc<SharedBackend>>> = RwLock::new(None);
static LOG: CommitLog = CommitLog::new();

/// While the guard lives, every commitment of [`Bn256EngineMsm`] (in any thread) runs on
/// `backend`. Attaching again replaces the backend; dropping the guard detaches it.
#[must_use = "the backend is detached when the guard is dropped"]
pub struct Attached(());

pub fn attach(backend: Arc<SharedBackend>) -> Attached {
    *ATTACHED.write().unwrap_or_else(|p| p.into_inner()) = Some(backend);
    Attached(())
}

impl Drop for Attached {
    fn drop(&mut self) {
        *ATTACHED.write().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Runs `f` with nothing attached, then attaches again what was: [`fold::run`] verifies on
/// nova's own CPU MSM, independently of the backend that made the proof.
fn unattached<R>(f: impl FnOnce() -> R) -> R {
    let was = ATTACHED.write().unwrap_or_else(|p| p.into_inner()).take();
    let r = f();
    *ATTACHED.write().unwrap_or_else(|p| p.into_inner()) = was;
    r
}

fn attached() -> Option<Arc<SharedBackend>> {
    ATTACHED.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// The commitments made since the last call, in completion order.
pub fn take_commits() -> Vec<Commit> {
    LOG.take()
}
