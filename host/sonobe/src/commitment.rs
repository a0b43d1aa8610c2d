//! [`MsmPedersen`]: Sonobe's Pedersen commitment over BN254 G1, with its MSM on the attached
//! [`SharedBackend`]. Keys, commitments and randomness are Sonobe's own, so the two schemes are
//! interchangeable (the public parameters' hash is the same too).

use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use ark_r1cs_std::alloc::{AllocVar, AllocationMode};
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{Namespace, SynthesisError};
use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, Read, SerializationError, Valid, Validate,
    Write,
};
use msm_host::fold::{Commit, CommitLog, Ran};
use msm_host::{Key, MsmError, MsmReport, SharedBackend};
use rand::RngCore;
use sonobe_primitives::algebra::field::emulated::EmulatedFieldVar;
use sonobe_primitives::algebra::group::emulated::EmulatedAffineVar;
use sonobe_primitives::algebra::Val;
use sonobe_primitives::commitments::pedersen::{
    Pedersen, PedersenEmulatedKeyVar, PedersenGadget, PedersenKey, PedersenKeyVar,
};
use sonobe_primitives::commitments::{
    CommitmentDef, CommitmentDefGadget, CommitmentKey, CommitmentOps, CommitmentOpsGadget, Error,
    GroupBasedCommitment,
};
use sonobe_primitives::utils::null::Null;

static ATTACHED: RwLock<Option<Arc<SharedBackend>>> = RwLock::new(None);
static LOG: CommitLog = CommitLog::new();

/// While this lives, every [`MsmPedersen`] commitment goes to its backend. Dropping it detaches
/// (unless another backend was attached since).
#[must_use = "the backend is detached when this is dropped"]
pub struct Attached {
    backend: Arc<SharedBackend>,
}

impl Attached {
    pub fn backend(&self) -> &Arc<SharedBackend> {
        &self.backend
    }
}

impl Drop for Attached {
    fn drop(&mut self) {
        let mut a = ATTACHED.write().unwrap_or_else(|p| p.into_inner());
        if a.as_ref().is_some_and(|b| Arc::ptr_eq(b, &self.backend)) {
            *a = None;
        }
    }
}

/// Sends every [`MsmPedersen`] commitment to `backend` (process-wide: the commitment scheme's
/// functions are static) until the guard is dropped. Replaces any backend attached before.
pub fn attach(backend: Arc<SharedBackend>) -> Attached {
    *ATTACHED.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&backend));
    Attached { backend }
}

/// Runs `f` with nothing attached, then attaches again what was: [`crate::fold`] verifies on
/// Sonobe's own CPU MSM, independently of the backend that made the proof.
pub(crate) fn unattached<R>(f: impl FnOnce() -> R) -> R {
    let was = ATTACHED.write().unwrap_or_else(|p| p.into_inner()).take();
    let r = f();
    *ATTACHED.write().unwrap_or_else(|p| p.into_inner()) = was;
    r
}

/// The backend commitments go to now, if any.
pub fn attached() -> Option<Arc<SharedBackend>> {
    ATTACHED.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// The [`MsmPedersen`] commitments (and openings) made since the last call, in completion order.
pub fn take_commits() -> Vec<Commit> {
    LOG.take()
}

/// The key as the backend sees it: the bases with their fingerprint, and the blinding base.
pub(crate) struct Loaded {
    key: Key,
    h: G1Projective,
}

impl Loaded {
    /// Sonobe's key fields are private; its serialization (derived, field order) is not.
    fn of<const H: bool>(ck: &PedersenKey<G1Projective, H>) -> Loaded {
        let mut bytes = Vec::with_capacity(ck.uncompressed_size());
        ck.serialize_uncompressed(&mut bytes)
            .expect("serializing to memory");
        let mut r = &bytes[..];
        let g = Vec::<G1Affine>::deserialize_with_mode(&mut r, Compress::No, Validate::No)
            .expect("a Pedersen key starts with its generators");
        let h = G1Projective::deserialize_with_mode(&mut r, Compress::No, Validate::No)
            .expect("a Pedersen key ends with its blinding generator");
        assert!(r.is_empty(), "a Pedersen key has two fields");
        Loaded {
            key: Key::new(g),
            h,
        }
    }

    pub(crate) fn preload(&self) -> Result<(), MsmError> {
        match attached() {
            Some(b) => b.msm(&self.key, Vec::new()).map(drop),
            None => Ok(()),
        }
    }
}

/// Sonobe's [`PedersenKey`] with the backend's view of it built once, on first use.
#[derive(Clone)]
pub struct MsmPedersenKey<const H: bool> {
    inner: PedersenKey<G1Projective, H>,
    loaded: OnceLock<Arc<Loaded>>,
}

impl<const H: bool> From<PedersenKey<G1Projective, H>> for MsmPedersenKey<H> {
    fn from(inner: PedersenKey<G1Projective, H>) -> Self {
        MsmPedersenKey {
            inner,
            loaded: OnceLock::new(),
        }
    }
}

impl<const H: bool> MsmPedersenKey<H> {
    /// Sonobe's key (the same generators).
    pub fn pedersen(&self) -> &PedersenKey<G1Projective, H> {
        &self.inner
    }

    /// Generators in the key (a power of two).
    pub fn len(&self) -> usize {
        self.inner.max_scalars_len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn loaded(&self) -> &Arc<Loaded> {
        self.loaded
            .get_or_init(|| Arc::new(Loaded::of(&self.inner)))
    }

    /// The key as the backend gets it (built on first call, then cached).
    pub fn msm_key(&self) -> &Key {
        &self.loaded().key
    }

    /// Loads the key into the attached backend now (an empty MSM), so that the first commitment
    /// does not pay for it. Nothing to do when no backend is attached.
    pub fn preload(&self) -> Result<(), MsmError> {
        match attached() {
            Some(_) => self.loaded().preload(),
            None => Ok(()),
        }
    }

    /// The backend's view, shared (it outlives the key moving into Sonobe's prover key).
    pub(crate) fn shared_loaded(&self) -> Arc<Loaded> {
        Arc::clone(self.loaded())
    }

    fn check_len(&self, v: &[Fr]) -> Result<(), Error> {
        if v.len() > self.len() {
            return Err(Error::MessageTooLong(self.len(), v.len()));
        }
        Ok(())
    }

    /// <g, v> on `backend`; on the CPU (arkworks' MSM, as Sonobe) if the backend fails.
    fn offload(
        &self,
        backend: &SharedBackend,
        v: &[Fr],
    ) -> (G1Projective, &Loaded, Ran, Option<MsmReport>) {
        let loaded = self.loaded();
        match backend.msm(&loaded.key, v.to_vec()) {
            Ok(report) => (
                report.point,
                loaded,
                Ran::Backend(backend.name()),
                Some(report),
            ),
            Err(e) => (
                G1Projective::msm_unchecked(loaded.key.bases(), v),
                loaded,
                Ran::Fallback(e),
                None,
            ),
        }
    }
}

fn log(n: usize, start: Instant, ran: Ran, report: Option<MsmReport>) {
    LOG.push(Commit {
        n,
        wall: start.elapsed(),
        convert: Duration::ZERO,
        ran,
        report,
    });
}

impl<const H: bool> CommitmentKey for MsmPedersenKey<H> {
    fn max_scalars_len(&self) -> usize {
        self.len()
    }
}

// Serialized exactly as Sonobe's key: the public parameters hash to the same value.
impl<const H: bool> CanonicalSerialize for MsmPedersenKey<H> {
    fn serialize_with_mode<W: Write>(
        &self,
        writer: W,
        compress: Compress,
    ) -> Result<(), SerializationError> {
        self.inner.serialize_with_mode(writer, compress)
    }

    fn serialized_size(&self, compress: Compress) -> usize {
        self.inner.serialized_size(compress)
    }
}

impl<const H: bool> Valid for MsmPedersenKey<H> {
    fn check(&self) -> Result<(), SerializationError> {
        self.inner.check()
    }
}

impl<const H: bool> CanonicalDeserialize for MsmPedersenKey<H> {
    fn deserialize_with_mode<R: Read>(
        reader: R,
        compress: Compress,
        validate: Validate,
    ) -> Result<Self, SerializationError> {
        PedersenKey::deserialize_with_mode(reader, compress, validate).map(Self::from)
    }
}

/// Sonobe's [`Pedersen`] over BN254 G1 (`H`: hiding) with the MSM on the attached backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsmPedersen<const H: bool>;

/// The blinding term of each variant: `h * r`, or nothing.
trait Blinding: Copy {
    fn draw(rng: impl RngCore) -> Self;
    fn blind(&self, h: &G1Projective) -> G1Projective;
}

impl Blinding for Fr {
    fn draw(mut rng: impl RngCore) -> Self {
        Fr::rand(&mut rng) // as Sonobe draws it: the same rng gives the same r
    }

    fn blind(&self, h: &G1Projective) -> G1Projective {
        *h * self
    }
}

impl Blinding for Null {
    fn draw(_: impl RngCore) -> Self {
        Null
    }

    fn blind(&self, _: &G1Projective) -> G1Projective {
        G1Projective::ZERO
    }
}

/// The widget and both gadgets for one variant; the gadgets are Sonobe's with our key type.
macro_rules! variant {
    ($h:literal, $r:ty, $r_var:ty, $r_emulated:ty) => {
        impl CommitmentDef for MsmPedersen<$h> {
            const IS_HIDING: bool = $h;
            type Key = MsmPedersenKey<$h>;
            type Scalar = Fr;
            type Commitment = G1Projective;
            type Randomness = $r;
        }

        impl CommitmentOps for MsmPedersen<$h> {
            fn generate_key(len: usize, rng: impl RngCore) -> Result<Self::Key, Error> {
                Pedersen::<G1Projective, $h>::generate_key(len, rng).map(MsmPedersenKey::from)
            }

            fn commit(
                ck: &Self::Key,
                v: &[Fr],
                rng: impl RngCore,
            ) -> Result<(G1Projective, $r), Error> {
                let start = Instant::now();
                let Some(backend) = attached() else {
                    let out = Pedersen::<G1Projective, $h>::commit(&ck.inner, v, rng)?;
                    log(v.len(), start, Ran::Cpu, None);
                    return Ok(out);
                };
                ck.check_len(v)?;
                let r = <$r as Blinding>::draw(rng);
                let (gv, loaded, ran, report) = ck.offload(&backend, v);
                let cm = gv + r.blind(&loaded.h);
                log(v.len(), start, ran, report);
                Ok((cm, r))
            }

            fn open(ck: &Self::Key, v: &[Fr], r: &$r, cm: &G1Projective) -> Result<(), Error> {
                let start = Instant::now();
                let Some(backend) = attached() else {
                    let out = Pedersen::<G1Projective, $h>::open(&ck.inner, v, r, cm);
                    log(v.len(), start, Ran::Cpu, None);
                    return out;
                };
                ck.check_len(v)?;
                let (gv, loaded, ran, report) = ck.offload(&backend, v);
                let ok = gv + r.blind(&loaded.h) == *cm;
                log(v.len(), start, ran, report);
                ok.then_some(()).ok_or(Error::CommitmentVerificationFail)
            }
        }

        impl GroupBasedCommitment for MsmPedersen<$h> {
            type Gadget1 = MsmPedersenGadget<$h>;
            type Gadget2 = MsmPedersenEmulatedGadget<$h>;
        }

        impl CommitmentDefGadget for MsmPedersenGadget<$h> {
            type ConstraintField = Fq;
            type KeyVar = MsmPedersenKeyVar<$h>;
            type ScalarVar = EmulatedFieldVar<Fq, Fr>;
            type CommitmentVar = <G1Projective as Val>::Var;
            type RandomnessVar = $r_var;
            type Widget = MsmPedersen<$h>;
        }

        impl CommitmentOpsGadget for MsmPedersenGadget<$h> {
            fn open(
                ck: &Self::KeyVar,
                v: &[Self::ScalarVar],
                r: &Self::RandomnessVar,
                cm: &Self::CommitmentVar,
            ) -> Result<(), SynthesisError> {
                <PedersenGadget<G1Projective, $h> as CommitmentOpsGadget>::open(&ck.0, v, r, cm)
            }
        }

        impl CommitmentDefGadget for MsmPedersenEmulatedGadget<$h> {
            type ConstraintField = Fr;
            type KeyVar = MsmPedersenEmulatedKeyVar<$h>;
            type ScalarVar = FpVar<Fr>;
            type CommitmentVar = EmulatedAffineVar<Fr, G1Projective>;
            type RandomnessVar = $r_emulated;
            type Widget = MsmPedersen<$h>;
        }
    };
}

variant!(true, Fr, EmulatedFieldVar<Fq, Fr>, FpVar<Fr>);
variant!(false, Null, Null, Null);

/// Sonobe's `PedersenGadget` (in-circuit over Fq) for [`MsmPedersen`].
#[derive(Clone)]
pub struct MsmPedersenGadget<const H: bool>;

/// Sonobe's `PedersenEmulatedGadget` (in-circuit over Fr) for [`MsmPedersen`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsmPedersenEmulatedGadget<const H: bool>;

/// Sonobe's [`PedersenKeyVar`] allocated from an [`MsmPedersenKey`].
pub struct MsmPedersenKeyVar<const H: bool>(pub PedersenKeyVar<G1Projective, H>);

/// Sonobe's [`PedersenEmulatedKeyVar`] allocated from an [`MsmPedersenKey`].
pub struct MsmPedersenEmulatedKeyVar<const H: bool>(pub PedersenEmulatedKeyVar<G1Projective, H>);

impl<const H: bool> AllocVar<MsmPedersenKey<H>, Fq> for MsmPedersenKeyVar<H>
where
    PedersenKeyVar<G1Projective, H>: AllocVar<PedersenKey<G1Projective, H>, Fq>,
{
    fn new_variable<T: std::borrow::Borrow<MsmPedersenKey<H>>>(
        cs: impl Into<Namespace<Fq>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let key = f()?;
        PedersenKeyVar::new_variable(cs, || Ok(&key.borrow().inner), mode).map(Self)
    }
}

impl<const H: bool> AllocVar<MsmPedersenKey<H>, Fr> for MsmPedersenEmulatedKeyVar<H>
where
    PedersenEmulatedKeyVar<G1Projective, H>: AllocVar<PedersenKey<G1Projective, H>, Fr>,
{
    fn new_variable<T: std::borrow::Borrow<MsmPedersenKey<H>>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let key = f()?;
        PedersenEmulatedKeyVar::new_variable(cs, || Ok(&key.borrow().inner), mode).map(Self)
    }
}
