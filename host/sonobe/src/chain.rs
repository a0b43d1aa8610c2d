//! A hash-chain IVC (Sonobe's `hash_chain` example) with Sonobe's Nova over [`MsmPedersen`]:
//! each step hashes the state with Poseidon, `hashes` times, so that the step circuit has about
//! 2^k constraints.

use std::time::Instant;

use ark_bn254::Fr;
use ark_crypto_primitives::sponge::poseidon::{
    constraints::PoseidonSpongeVar, PoseidonConfig, PoseidonSponge,
};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystem, SynthesisError};
use msm_host::fold::{FoldRun, Step};
use rand::SeedableRng;
use sonobe_fs::DeciderKey;
use sonobe_ivc::compilers::cyclefold::adapters::nova::NovaNovaIVC;
use sonobe_ivc::{IVCStatefulProver, IVC};
use sonobe_primitives::circuits::FCircuit;
use sonobe_primitives::commitments::pedersen::Pedersen;
use sonobe_primitives::transcripts::poseidon::poseidon_paper_config;
use sonobe_primitives::transcripts::{Transcript, TranscriptGadget};

use crate::commitment::{attached, take_commits, unattached, MsmPedersen};

/// Nova + CycleFold: the primary (BN254) commitments through the adapter, the CycleFold
/// (Grumpkin) ones on Sonobe's Pedersen: our backend is BN254 only.
pub type HashChainIvc =
    NovaNovaIVC<MsmPedersen<true>, Pedersen<ark_grumpkin::Projective, true>, PoseidonSponge<Fr>>;

/// Generators of the CycleFold key (Sonobe's example: enough for Nova's CycleFold circuit).
const CYCLEFOLD_KEY: usize = 2048;

/// What the augmented circuit adds to the step circuit (in-circuit folding verifier, hashes of
/// the instances): measured 54.3k; key generation retries with a longer key if short.
const AUGMENTATION: usize = 55_000;

/// The seed [`fold`] uses.
pub const DEFAULT_SEED: u64 = 0x50_0b_e0;

/// The step circuit: `hashes` Poseidon hashes of the state in a row.
#[derive(Clone)]
pub struct HashChain {
    config: PoseidonConfig<Fr>,
    hashes: usize,
}

/// Sonobe's example's Poseidon (alpha 5, rate 4, 128-bit security), also the transcript's.
fn poseidon() -> PoseidonConfig<Fr> {
    poseidon_paper_config::<Fr, 128>(5, 4)
}

impl HashChain {
    pub fn new(hashes: usize) -> Self {
        HashChain {
            config: poseidon(),
            hashes: hashes.max(1),
        }
    }

    /// About 2^`log_constraints` constraints (at least one hash).
    pub fn with_constraints(log_constraints: u32) -> Self {
        let one = HashChain::new(1).constraints();
        HashChain::new(((1usize << log_constraints) + one / 2) / one)
    }

    pub fn hashes(&self) -> usize {
        self.hashes
    }

    pub fn config(&self) -> &PoseidonConfig<Fr> {
        &self.config
    }

    /// Constraints of one step, counted by synthesizing it.
    pub fn constraints(&self) -> usize {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let run = || -> Result<(), SynthesisError> {
            let i = FpVar::new_witness(cs.clone(), || Ok(Fr::from(0u64)))?;
            let z = FpVar::new_witness(cs.clone(), || Ok(Fr::from(1u64)))?;
            let _ = self.generate_step_constraints(i, [z], ())?;
            Ok(())
        };
        run().expect("the step circuit synthesizes");
        cs.num_constraints()
    }

    /// The state after `steps` steps from `z`, computed natively.
    pub fn run(&self, mut z: Fr, steps: usize) -> Fr {
        for _ in 0..steps * self.hashes {
            let mut sponge = <PoseidonSponge<Fr> as Transcript<Fr>>::new(self.config.clone());
            z = sponge.add(&z).get_field_element();
        }
        z
    }
}

impl FCircuit for HashChain {
    type Field = Fr;
    type State = [Fr; 1];
    type StateVar = [FpVar<Fr>; 1];
    type ExternalInputs = ();
    type ExternalOutputs = ();

    fn same_state_shape(_: &Self::State, _: &Self::State) -> bool {
        true // fixed size
    }

    fn dummy_state(&self) -> Self::State {
        [Fr::from(0u64)]
    }

    fn dummy_external_inputs(&self) -> Self::ExternalInputs {}

    fn generate_step_constraints(
        &self,
        _i: FpVar<Fr>,
        [mut z]: Self::StateVar,
        _: Self::ExternalInputs,
    ) -> Result<(Self::StateVar, Self::ExternalOutputs), SynthesisError> {
        for _ in 0..self.hashes {
            let mut sponge = PoseidonSpongeVar::new(self.config.clone());
            z = sponge.add(&z)?.get_field_element()?;
        }
        Ok(([z], ()))
    }
}

/// [`fold_seeded`] with [`DEFAULT_SEED`].
pub fn fold(
    log_constraints: u32,
    steps: usize,
    progress: impl FnMut(usize),
) -> Result<FoldRun, String> {
    fold_seeded(log_constraints, steps, DEFAULT_SEED, progress)
}

/// Sets up a hash chain of about 2^`log_constraints` constraints a step, proves the first step
/// (part of the set-up) and `steps` folding steps (`progress` gets the number done after each),
/// and verifies the final proof: a proof that fails is an error. Commitments go to the attached
/// backend, if any. `seed` drives the keys and the blinding.
pub fn fold_seeded(
    log_constraints: u32,
    steps: usize,
    seed: u64,
    mut progress: impl FnMut(usize),
) -> Result<FoldRun, String> {
    let circuit = HashChain::with_constraints(log_constraints);
    let step_constraints = circuit.constraints();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let backend = attached().map_or_else(|| "cpu".to_string(), |b| b.name().to_string());
    take_commits(); // whatever ran before is not this run's

    let start = Instant::now();
    let mut len = step_constraints + AUGMENTATION;
    let (pk, vk, key_len) = loop {
        let pp = HashChainIvc::preprocess((len, CYCLEFOLD_KEY, circuit.config.clone()), &mut rng)
            .map_err(|e| format!("Sonobe preprocess: {e}"))?;
        let key_len = pp.0.len();
        // Kept to load the key once it is known to fit; generate_keys takes the key.
        let key = attached().map(|_| pp.0.shared_loaded());
        match HashChainIvc::generate_keys(pp, &circuit) {
            Ok((pk, vk)) => {
                if let Some(key) = key {
                    // A failure here recurs on each commitment, which then falls back to the
                    // CPU and says why.
                    let _ = key.preload();
                }
                break (pk, vk, key_len);
            }
            Err(sonobe_ivc::Error::FoldingError(sonobe_fs::Error::InvalidPublicParameters(_)))
                if key_len < 1 << 28 =>
            {
                len = 2 * key_len
            }
            Err(e) => return Err(format!("Sonobe key generation: {e}")),
        }
    };
    let cfg = pk.0.to_arith_config();
    let initial = [Fr::from(1u64)];
    let mut prover = IVCStatefulProver::<_, HashChainIvc>::new(&pk, &circuit, initial)
        .map_err(|e| format!("Sonobe prover: {e}"))?;
    // The first step only commits to its witness (there is no running instance to fold into
    // yet): like nova's base case, part of the set-up; the measured steps fold.
    prover
        .prove_step((), &mut rng)
        .map_err(|e| format!("Sonobe base step: {e}"))?;
    let setup = start.elapsed();
    take_commits();

    let mut done = Vec::with_capacity(steps);
    for index in 0..steps {
        let start = Instant::now();
        prover
            .prove_step((), &mut rng)
            .map_err(|e| format!("Sonobe step {index}: {e}"))?;
        done.push(Step {
            index,
            wall: start.elapsed(),
            commits: take_commits(),
        });
        progress(index + 1);
    }

    let start = Instant::now();
    // On Sonobe's CPU MSM: a check of the backend's commitments, not a second use of them.
    unattached(|| {
        HashChainIvc::verify::<HashChain>(
            &vk,
            prover.i,
            &prover.initial_state,
            &prover.current_state,
            &prover.current_proof,
        )
    })
    .map_err(|e| {
        format!(
            "the IVC proof after {} steps does not verify: {e}",
            steps + 1
        )
    })?;
    let verify = start.elapsed();
    take_commits();
    if prover.current_state != [circuit.run(initial[0], steps + 1)] {
        return Err("the IVC proof verifies but its state is not the hash chain's".into());
    }

    Ok(FoldRun {
        prover: "sonobe",
        backend,
        step_constraints,
        primary_constraints: cfg.n_constraints,
        primary_variables: cfg.n_variables,
        key_len,
        setup,
        steps: done,
        verify,
        verified: true,
    })
}
