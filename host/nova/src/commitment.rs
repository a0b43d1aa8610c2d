//! Pedersen commitments over BN254 whose MSMs run on the attached backend. Keys, commitments
//! and their encodings are nova's Pedersen's (the same generators from the same label, the same
//! transcript and RO absorption), so a proof is the one nova's `Bn256EngineIPA` would make.

use std::ops::{Add, Mul, MulAssign, Range};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use ff::Field;
use halo2curves::group::Curve;
use msm_host::fold::{Commit, Ran};
use nova_snark::errors::NovaError;
use nova_snark::gadgets::utils::to_bignat_repr;
use nova_snark::provider::bn256_grumpkin::bn256;
use nova_snark::provider::pedersen;
use nova_snark::provider::traits::{DlogGroup, DlogGroupExt};
use nova_snark::traits::commitment::{CommitmentEngineTrait, CommitmentTrait, Len};
use nova_snark::traits::evm_serde::EvmCompatSerde;
use nova_snark::traits::{AbsorbInRO2Trait, AbsorbInROTrait, Engine, ROTrait, TranscriptReprTrait};
use num_integer::Integer;
use num_traits::ToPrimitive;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_with::serde_as;

use crate::{attached, convert, Bn256EngineMsm, LOG};

type E = Bn256EngineMsm;

/// The generators and the blinding generator. The backend's copy of the key (arkworks form,
/// with its fingerprint) is built on first use and is not part of the serialized key, so the
/// public parameters' digest does not depend on where commitments run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CommitmentKey {
    ck: Vec<bn256::Affine>,
    h: bn256::Affine,
    #[serde(skip)]
    device: Arc<OnceLock<msm_host::Key>>,
    /// Keys derived by address may hold the identity, which no card key can: CPU only.
    #[serde(skip)]
    cpu_only: bool,
}

impl PartialEq for CommitmentKey {
    fn eq(&self, o: &Self) -> bool {
        self.ck == o.ck && self.h == o.h
    }
}

impl CommitmentKey {
    fn new(ck: Vec<bn256::Affine>, h: bn256::Affine, cpu_only: bool) -> Self {
        CommitmentKey {
            ck,
            h,
            device: Arc::default(),
            cpu_only,
        }
    }

    pub fn generators(&self) -> &[bn256::Affine] {
        &self.ck
    }

    /// The key as the backend knows it (converted once: about 30 ms at 2^20 on 2 cores).
    pub fn device_key(&self) -> &msm_host::Key {
        self.device
            .get_or_init(|| msm_host::Key::new(convert::affines(&self.ck)))
    }

    fn blind(&self, r: &bn256::Scalar) -> bn256::Point {
        if bool::from(r.is_zero()) {
            bn256::Point::zero()
        } else {
            <bn256::Point as DlogGroup>::group(&self.h) * r
        }
    }
}

impl Len for CommitmentKey {
    fn length(&self) -> usize {
        self.ck.len()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerandKey {
    h: bn256::Affine,
}

#[serde_as]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    #[serde_as(as = "EvmCompatSerde")]
    comm: bn256::Point,
}

impl Commitment {
    pub fn point(&self) -> bn256::Point {
        self.comm
    }
}

impl Default for Commitment {
    fn default() -> Self {
        Commitment {
            comm: bn256::Point::zero(),
        }
    }
}

impl CommitmentTrait<E> for Commitment {
    fn to_coordinates(&self) -> (bn256::Base, bn256::Base, bool) {
        self.comm.to_coordinates()
    }
}

impl TranscriptReprTrait<bn256::Point> for Commitment {
    fn to_transcript_bytes(&self) -> Vec<u8> {
        let (x, y, is_infinity) = self.comm.to_coordinates();
        [
            TranscriptReprTrait::<bn256::Point>::to_transcript_bytes(&x),
            TranscriptReprTrait::<bn256::Point>::to_transcript_bytes(&y),
            vec![u8::from(is_infinity)],
        ]
        .concat()
    }
}

impl AbsorbInROTrait<E> for Commitment {
    fn absorb_in_ro(&self, ro: &mut <E as Engine>::RO) {
        let (x, y, is_infinity) = self.comm.to_coordinates();
        ro.absorb(x);
        ro.absorb(y);
        ro.absorb(if is_infinity {
            bn256::Base::ONE
        } else {
            bn256::Base::ZERO
        });
    }
}

impl AbsorbInRO2Trait<E> for Commitment {
    fn absorb_in_ro2(&self, ro: &mut <E as Engine>::RO2) {
        let (x, y, is_infinity) = self.comm.to_coordinates();
        let (lx, ly) = (
            to_bignat_repr::<_, bn256::Scalar>(&x),
            to_bignat_repr::<_, bn256::Scalar>(&y),
        );
        for limb in lx.iter().chain(ly.iter()) {
            ro.absorb(*limb);
        }
        ro.absorb(if is_infinity {
            bn256::Scalar::ONE
        } else {
            bn256::Scalar::ZERO
        });
    }
}

impl MulAssign<bn256::Scalar> for Commitment {
    fn mul_assign(&mut self, s: bn256::Scalar) {
        self.comm *= s;
    }
}

impl Mul<&bn256::Scalar> for &Commitment {
    type Output = Commitment;
    fn mul(self, s: &bn256::Scalar) -> Commitment {
        Commitment {
            comm: self.comm * s,
        }
    }
}

impl Mul<bn256::Scalar> for Commitment {
    type Output = Commitment;
    fn mul(self, s: bn256::Scalar) -> Commitment {
        Commitment {
            comm: self.comm * s,
        }
    }
}

impl Add for Commitment {
    type Output = Commitment;
    fn add(self, o: Commitment) -> Commitment {
        Commitment {
            comm: self.comm + o.comm,
        }
    }
}

/// The commitment engine of [`Bn256EngineMsm`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentEngine;

/// sum v_i ck_i + r h, the MSM on the attached backend (or nova's CPU MSM), recorded in the log.
/// `dense` gives the scalars as a prefix of the key; `cpu` is nova's own path for the same sum.
fn commit_with(
    ck: &CommitmentKey,
    n: usize,
    dense: impl FnOnce() -> Vec<ark_bn254::Fr>,
    cpu: impl FnOnce() -> bn256::Point,
    r: &bn256::Scalar,
) -> Commitment {
    let start = Instant::now();
    let mut convert_time = Duration::ZERO;
    let (msm, ran, report) = match attached() {
        Some(backend) if n > 0 && !ck.cpu_only => {
            let t = Instant::now();
            let key = ck.device_key().clone();
            let scalars = dense();
            convert_time += t.elapsed();
            match backend.msm(&key, scalars) {
                Ok(report) => {
                    let t = Instant::now();
                    let p = convert::point(&report.point);
                    convert_time += t.elapsed();
                    (p, Ran::Backend(backend.name()), Some(report))
                }
                Err(e) => (cpu(), Ran::Fallback(e), None),
            }
        }
        _ => (cpu(), Ran::Cpu, None),
    };
    let comm = msm + ck.blind(r);
    LOG.push(Commit {
        n,
        wall: start.elapsed(),
        convert: convert_time,
        ran,
        report,
    });
    Commitment { comm }
}

fn small_to_ark<T: Into<u64> + Copy + Sync>(v: &[T]) -> Vec<ark_bn254::Fr> {
    v.par_iter()
        .map(|&x| ark_bn254::Fr::from(x.into()))
        .collect()
}

impl CommitmentEngineTrait<E> for CommitmentEngine {
    type CommitmentKey = CommitmentKey;
    type DerandKey = DerandKey;
    type Commitment = Commitment;

    fn setup(label: &'static [u8], n: usize) -> Result<CommitmentKey, NovaError> {
        let gens = bn256::Point::from_label(label, n.next_power_of_two() + 1);
        let (h, ck) = gens.split_first().expect("at least one generator");
        Ok(CommitmentKey::new(ck.to_vec(), *h, false))
    }

    fn load_setup(
        reader: &mut (impl std::io::Read + std::io::Seek),
        label: &'static [u8],
        n: usize,
    ) -> Result<CommitmentKey, nova_snark::provider::ptau::PtauFileError> {
        let k = pedersen::CommitmentEngine::<nova_snark::provider::Bn256EngineIPA>::load_setup(
            reader, label, n,
        )?;
        Ok(reencode(&k))
    }

    fn save_setup(
        ck: &CommitmentKey,
        writer: &mut (impl std::io::Write + std::io::Seek),
    ) -> Result<(), nova_snark::provider::ptau::PtauFileError> {
        pedersen::CommitmentEngine::<nova_snark::provider::Bn256EngineIPA>::save_setup(
            &reencode(ck),
            writer,
        )
    }

    fn derand_key(ck: &CommitmentKey) -> DerandKey {
        DerandKey { h: ck.h }
    }

    fn commit(ck: &CommitmentKey, v: &[bn256::Scalar], r: &bn256::Scalar) -> Commitment {
        assert!(ck.ck.len() >= v.len());
        commit_with(
            ck,
            v.len(),
            || convert::scalars(v),
            || bn256::Point::vartime_multiscalar_mul(v, &ck.ck[..v.len()]),
            r,
        )
    }

    fn commit_small<T: Integer + Into<u64> + Copy + Sync + ToPrimitive>(
        ck: &CommitmentKey,
        v: &[T],
        r: &bn256::Scalar,
    ) -> Commitment {
        assert!(ck.ck.len() >= v.len());
        commit_with(
            ck,
            v.len(),
            || small_to_ark(v),
            || bn256::Point::vartime_multiscalar_mul_small(v, &ck.ck[..v.len()]),
            r,
        )
    }

    fn commit_small_range<T: Integer + Into<u64> + Copy + Sync + ToPrimitive>(
        ck: &CommitmentKey,
        v: &[T],
        r: &bn256::Scalar,
        range: Range<usize>,
        max_num_bits: usize,
    ) -> Commitment {
        assert!(range.end <= ck.ck.len() && range.end <= v.len());
        // The backend takes a prefix of the key: zeros before the range cost the card nothing
        // but their 32 bytes of DMA each.
        commit_with(
            ck,
            range.end,
            || {
                let mut d = vec![ark_bn254::Fr::from(0u64); range.start];
                d.extend(small_to_ark(&v[range.clone()]));
                d
            },
            || {
                bn256::Point::vartime_multiscalar_mul_small_with_max_num_bits(
                    &v[range.clone()],
                    &ck.ck[range.clone()],
                    max_num_bits,
                )
            },
            r,
        )
    }

    fn commit_sparse_binary(
        ck: &CommitmentKey,
        non_zero_indices: &[usize],
        r: &bn256::Scalar,
    ) -> Commitment {
        let ones = vec![bn256::Scalar::ONE; non_zero_indices.len()];
        Self::commit_sparse(ck, non_zero_indices, &ones, r)
    }

    fn commit_sparse(
        ck: &CommitmentKey,
        indices: &[usize],
        scalars: &[bn256::Scalar],
        r: &bn256::Scalar,
    ) -> Commitment {
        assert_eq!(indices.len(), scalars.len());
        let n = indices.iter().max().map_or(0, |&m| m + 1);
        commit_with(
            ck,
            n,
            || {
                let mut d = vec![ark_bn254::Fr::from(0u64); n];
                for (&i, s) in indices.iter().zip(scalars) {
                    d[i] += convert::scalar(s);
                }
                d
            },
            || {
                let bases: Vec<_> = indices.par_iter().map(|&i| ck.ck[i]).collect();
                bn256::Point::vartime_multiscalar_mul(scalars, &bases)
            },
            r,
        )
    }

    fn derandomize(dk: &DerandKey, commit: &Commitment, r: &bn256::Scalar) -> Commitment {
        Commitment {
            comm: commit.comm - <bn256::Point as DlogGroup>::group(&dk.h) * r,
        }
    }

    fn ck_to_coordinates(ck: &CommitmentKey) -> Vec<(bn256::Base, bn256::Base)> {
        ck.ck
            .par_iter()
            .map(|c| {
                let (x, y, is_infinity) = <bn256::Point as DlogGroup>::group(c).to_coordinates();
                assert!(!is_infinity, "a generator is the identity");
                (x, y)
            })
            .collect()
    }

    fn ck_to_group_elements(ck: &CommitmentKey) -> Vec<bn256::Point> {
        ck.ck
            .par_iter()
            .map(|g| {
                let p = <bn256::Point as DlogGroup>::group(g);
                assert!(p != bn256::Point::zero(), "a generator is the identity");
                p
            })
            .collect()
    }

    fn ck_derive_by_address(
        ck: &CommitmentKey,
        addresses: &[usize],
        table_size: usize,
    ) -> Result<CommitmentKey, NovaError> {
        if addresses.len() > ck.ck.len() {
            return Err(NovaError::InvalidCommitmentKeyLength);
        }
        if addresses.iter().any(|&j| j >= table_size) {
            return Err(NovaError::InvalidIndex);
        }
        let mut acc = vec![bn256::Point::zero(); table_size];
        for (i, &j) in addresses.iter().enumerate() {
            acc[j] += <bn256::Point as DlogGroup>::group(&ck.ck[i]);
        }
        let mut derived = vec![bn256::Affine::default(); table_size];
        bn256::Point::batch_normalize(&acc, &mut derived);
        Ok(CommitmentKey::new(derived, ck.h, true))
    }
}

/// Nova's Pedersen key and ours serialize alike (the generators, then h): convert through that.
fn reencode<A: Serialize, B: serde::de::DeserializeOwned>(k: &A) -> B {
    let c = bincode::config::standard();
    let bytes = bincode::serde::encode_to_vec(k, c).expect("a key serializes");
    bincode::serde::decode_from_slice(&bytes, c)
        .expect("the same fields")
        .0
}
