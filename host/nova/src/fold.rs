//! A measured Nova IVC: set up, prove steps, verify, with each step's commitments taken from
//! the adapter's log (what `msm fold --prover nova` runs).

use std::time::Instant;

use msm_host::fold::{FoldRun, Step};
use nova_snark::nova::{PublicParams, RecursiveSNARK};
use nova_snark::provider::GrumpkinEngine;
use nova_snark::traits::circuit::StepCircuit;
use nova_snark::traits::snark::default_ck_hint;
use nova_snark::traits::Engine;

use crate::circuits::{z0, NonTrivialCircuit};
use crate::{attached, take_commits, unattached, Bn256EngineMsm};

pub type E1 = Bn256EngineMsm;
pub type E2 = GrumpkinEngine;
pub type Scalar = <E1 as Engine>::Scalar;

/// What the run is at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Setup,
    /// Step i of n done.
    Step(usize, usize),
    Verify,
}

/// Proves `steps` steps of `circuit` (after the base case), verifies, and reports. The first
/// `prove_step` of a nova `RecursiveSNARK` only marks the base case that `new` proved, so it is
/// part of the set-up and the steps are the ones that fold.
pub fn run<C: StepCircuit<Scalar>>(
    circuit: &C,
    step_constraints: usize,
    steps: usize,
    mut progress: impl FnMut(Phase),
) -> Result<FoldRun, String> {
    let backend = attached().map_or_else(|| "cpu".to_string(), |b| b.name().to_string());
    progress(Phase::Setup);
    let t = Instant::now();
    let pp = PublicParams::<E1, E2, C>::setup(circuit, &*default_ck_hint(), &*default_ck_hint())
        .map_err(|e| format!("nova setup: {e}"))?;
    let z0 = z0::<Scalar>();
    let mut snark = RecursiveSNARK::new(&pp, circuit, &z0).map_err(|e| format!("nova: {e}"))?;
    snark
        .prove_step(&pp, circuit)
        .map_err(|e| format!("nova base step: {e}"))?;
    let setup = t.elapsed();
    take_commits();

    let mut measured = Vec::with_capacity(steps);
    for i in 0..steps {
        let t = Instant::now();
        snark
            .prove_step(&pp, circuit)
            .map_err(|e| format!("nova step {i}: {e}"))?;
        measured.push(Step {
            index: i,
            wall: t.elapsed(),
            commits: take_commits(),
        });
        progress(Phase::Step(i + 1, steps));
    }

    progress(Phase::Verify);
    let t = Instant::now();
    // On nova's CPU MSM: a check of the backend's commitments, not a second use of them.
    unattached(|| snark.verify(&pp, steps + 1, &z0))
        .map_err(|e| format!("nova verify rejected the proof: {e}"))?;
    let verify = t.elapsed();
    take_commits();

    let (cons, vars) = (pp.num_constraints().0, pp.num_variables().0);
    Ok(FoldRun {
        prover: "nova",
        backend,
        step_constraints,
        primary_constraints: cons,
        primary_variables: vars,
        // nova's Pedersen key: one generator per constraint or variable, rounded up.
        key_len: cons.max(vars).next_power_of_two(),
        setup,
        steps: measured,
        verify,
        verified: true,
    })
}

/// The `msm fold` workload: nova's `NonTrivialCircuit` with 2^log_constraints squarings.
pub fn nontrivial(
    log_constraints: u32,
    steps: usize,
    progress: impl FnMut(Phase),
) -> Result<FoldRun, String> {
    let n = 1usize << log_constraints;
    run(&NonTrivialCircuit::<Scalar>::new(n), n, steps, progress)
}
