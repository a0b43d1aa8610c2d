//! Step circuits for the tests and `msm fold`: nova's `NonTrivialCircuit` (k squarings: k
//! constraints, dense witnesses) and a Poseidon hash chain (nova's `hashchain` example).

use ff::{Field, PrimeField};
use generic_array::typenum::U24;
use nova_snark::frontend::gadgets::poseidon::{
    Elt, IOPattern, Simplex, Sponge, SpongeAPI, SpongeCircuit, SpongeOp, SpongeTrait, Strength,
};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{ConstraintSystem, SynthesisError};
pub use nova_snark::traits::circuit::NonTrivialCircuit;
use nova_snark::traits::circuit::StepCircuit;
use rand::SeedableRng;

/// Each step absorbs the running digest and `x.len()` fresh field elements into a Poseidon
/// sponge and squeezes the next digest.
#[derive(Clone, Debug)]
pub struct HashChain<F: PrimeField> {
    x: Vec<F>,
}

impl<F: PrimeField> HashChain<F> {
    /// The preimage of one step: `elements` field elements from `seed`.
    pub fn new(elements: usize, seed: u64) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        HashChain {
            x: (0..elements).map(|_| F::random(&mut rng)).collect(),
        }
    }
}

impl<F: PrimeField> StepCircuit<F> for HashChain<F> {
    fn arity(&self) -> usize {
        1
    }

    fn synthesize<CS: ConstraintSystem<F>>(
        &self,
        cs: &mut CS,
        z_in: &[AllocatedNum<F>],
    ) -> Result<Vec<AllocatedNum<F>>, SynthesisError> {
        let mut m = z_in.to_vec();
        for (i, x) in self.x.iter().enumerate() {
            m.push(AllocatedNum::alloc(
                cs.namespace(|| format!("x_{i}")),
                || Ok(*x),
            )?);
        }
        let elts: Vec<_> = m.into_iter().map(Elt::Allocated).collect();
        let absorbs = elts.len() as u32;
        let pattern = IOPattern(vec![SpongeOp::Absorb(absorbs), SpongeOp::Squeeze(1)]);
        let constants = Sponge::<F, U24>::api_constants(Strength::Standard);
        let mut ns = cs.namespace(|| "sponge");
        let digest = {
            let mut sponge = SpongeCircuit::new_with_constants(&constants, Simplex);
            let acc = &mut ns;
            sponge.start(pattern, None, acc);
            SpongeAPI::absorb(&mut sponge, absorbs, &elts, acc);
            let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
            sponge
                .finish(acc)
                .map_err(|e| SynthesisError::Unsatisfiable(format!("poseidon sponge: {e:?}")))?;
            Elt::ensure_allocated(&out[0], &mut acc.namespace(|| "digest"))?
        };
        Ok(vec![digest])
    }
}

/// The first input of every chain.
pub fn z0<F: Field>() -> Vec<F> {
    vec![F::ONE + F::ONE]
}
