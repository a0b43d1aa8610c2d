//! `MsmPedersen` is Sonobe's Pedersen: the same keys, commitments and randomness, whichever
//! backend ran the MSM (none, the CPU backend, the card's model, a failing one).

use std::sync::{Arc, Mutex, MutexGuard};

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::PrimeGroup;
use ark_ff::{One, UniformRand, Zero};
use ark_serialize::CanonicalSerialize;
use msm_host::fold::Ran;
use msm_host::{CardShape, CpuBackend, MsmBackend, MsmError, MsmReport, SharedBackend};
use msm_sonobe::{attach, take_commits, MsmPedersen, MsmPedersenKey};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sonobe_primitives::commitments::pedersen::{Pedersen, PedersenKey};
use sonobe_primitives::commitments::{CommitmentOps, Error};

/// The attached backend is process-wide: tests that attach one take turns.
static ATTACH: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    ATTACH.lock().unwrap_or_else(|p| p.into_inner())
}

const SEED: u64 = 0x5eed_0001;
const LEN: usize = 1000; // a key of 1024

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Random, zeros, small values, r - 1, empty, one element, full length.
fn vectors(seed: u64) -> Vec<(&'static str, Vec<Fr>)> {
    println!("vectors: seed {seed:#x}");
    let mut r = rng(seed);
    let minus_one = -Fr::one();
    vec![
        ("random", (0..LEN).map(|_| Fr::rand(&mut r)).collect()),
        (
            "random, full key",
            (0..1024).map(|_| Fr::rand(&mut r)).collect(),
        ),
        ("zeros", vec![Fr::zero(); LEN]),
        (
            "half zeros",
            (0..LEN)
                .map(|i| {
                    if i % 2 == 0 {
                        Fr::zero()
                    } else {
                        Fr::rand(&mut r)
                    }
                })
                .collect(),
        ),
        (
            "small",
            (0..LEN).map(|_| Fr::from(r.gen_range(0u64..16))).collect(),
        ),
        ("ones", vec![Fr::one(); 37]),
        ("r - 1", vec![minus_one; LEN]),
        (
            "r - 1 and 1",
            (0..LEN)
                .map(|i| if i % 2 == 0 { minus_one } else { Fr::one() })
                .collect(),
        ),
        ("empty", Vec::new()),
        ("one random", vec![Fr::rand(&mut r)]),
        ("one r - 1", vec![minus_one]),
    ]
}

fn keys<const H: bool>() -> (MsmPedersenKey<H>, PedersenKey<G1Projective, H>)
where
    MsmPedersen<H>: CommitmentOps<Key = MsmPedersenKey<H>>,
    Pedersen<G1Projective, H>: CommitmentOps<Key = PedersenKey<G1Projective, H>>,
{
    println!("keys: seed {SEED:#x}, len {LEN}");
    let ours = MsmPedersen::<H>::generate_key(LEN, rng(SEED)).unwrap();
    let theirs = Pedersen::<G1Projective, H>::generate_key(LEN, rng(SEED)).unwrap();
    (ours, theirs)
}

fn bytes(k: &impl CanonicalSerialize) -> Vec<u8> {
    let mut b = Vec::new();
    k.serialize_compressed(&mut b).unwrap();
    b
}

/// Both schemes with the same rng: equal (commitment, randomness); the adapter opens its own.
fn same<A, P>(ka: &A::Key, kp: &P::Key, what: &str, v: &[Fr], seed: u64)
where
    A: CommitmentOps<Scalar = Fr, Commitment = G1Projective>,
    P: CommitmentOps<Scalar = Fr, Commitment = G1Projective, Randomness = A::Randomness>,
{
    let (cm, r) = A::commit(ka, v, rng(seed)).unwrap();
    let (cm_p, r_p) = P::commit(kp, v, rng(seed)).unwrap();
    assert_eq!((cm, r), (cm_p, r_p), "{what}: adapter != Sonobe's Pedersen");
    A::open(ka, v, &r, &cm).unwrap();
    P::open(kp, v, &r, &cm).unwrap();
    let wrong = cm + G1Projective::generator();
    assert!(matches!(
        A::open(ka, v, &r, &wrong),
        Err(Error::CommitmentVerificationFail)
    ));
}

fn check_all(ran: &Ran) {
    let (ours_h, theirs_h) = keys::<true>();
    let (ours, theirs) = keys::<false>();
    assert_eq!(bytes(&ours_h), bytes(&theirs_h), "hiding keys differ");
    assert_eq!(bytes(&ours), bytes(&theirs), "keys differ");
    assert_eq!(ours.len(), 1024);
    take_commits();
    let vs = vectors(SEED + 1);
    for (i, (what, v)) in vs.iter().enumerate() {
        let seed = SEED + 100 + i as u64;
        same::<MsmPedersen<true>, Pedersen<G1Projective, true>>(&ours_h, &theirs_h, what, v, seed);
        same::<MsmPedersen<false>, Pedersen<G1Projective, false>>(&ours, &theirs, what, v, seed);
    }
    // A Sonobe key wrapped later commits the same.
    let wrapped = MsmPedersenKey::from(theirs_h.clone());
    same::<MsmPedersen<true>, Pedersen<G1Projective, true>>(
        &wrapped, &theirs_h, "wrapped", &vs[0].1, 7,
    );

    let commits = take_commits();
    // Per vector and variant: commit, open, open of a wrong commitment; then the wrapped key.
    assert_eq!(commits.len(), vs.len() * 6 + 3);
    for c in &commits {
        assert_eq!(&c.ran, ran);
        assert_eq!(c.report.is_some(), matches!(ran, Ran::Backend(_)));
    }
    let sizes: Vec<usize> = commits.iter().step_by(3).map(|c| c.n).collect();
    assert_eq!(sizes[0], LEN);
    assert_eq!(sizes[2 * vs.len() - 2], 1); // "one r - 1" (hiding)

    // Too long a message is Sonobe's error, attached or not.
    let long = vec![Fr::one(); 1025];
    assert!(matches!(
        MsmPedersen::<true>::commit(&ours_h, &long, rng(1)),
        Err(Error::MessageTooLong(1024, 1025))
    ));
}

#[test]
fn equal_to_sonobe_with_nothing_attached() {
    let _turn = turn();
    check_all(&Ran::Cpu);
}

#[test]
fn equal_to_sonobe_on_the_cpu_backend() {
    let _turn = turn();
    let shared = Arc::new(SharedBackend::cpu().unwrap());
    let _attached = attach(Arc::clone(&shared));
    check_all(&Ran::Backend("cpu"));
    // Three keys from one seed have the same generators (only h differs): one key to the
    // backend, loaded once for all the commitments.
    let records = shared.take_records();
    assert_eq!(records.iter().filter(|r| r.key_load.is_some()).count(), 1);
    assert!(records.iter().map(|r| r.sizes.len()).sum::<usize>() > 60);
}

#[test]
fn equal_to_sonobe_on_the_model() {
    let _turn = turn();
    let shared = SharedBackend::model(CardShape {
        lanes: 2,
        latency: 40,
        interval: 1,
    })
    .unwrap();
    let _attached = attach(Arc::new(shared));
    check_all(&Ran::Backend("model"));
}

/// Loads keys but fails every MSM.
struct Failing(CpuBackend);

impl MsmBackend for Failing {
    fn name(&self) -> &'static str {
        "failing"
    }

    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<(), MsmError> {
        self.0.load_bases(bases)
    }

    fn num_bases(&self) -> usize {
        self.0.num_bases()
    }

    fn msm_report(&mut self, _: &[Fr]) -> Result<MsmReport, MsmError> {
        Err(MsmError::Driver("a stand-in that always fails".into()))
    }
}

#[test]
fn a_failing_backend_falls_back_to_the_cpu() {
    let _turn = turn();
    let shared = SharedBackend::spawn(|| Ok(Box::new(Failing(CpuBackend::new())))).unwrap();
    let _attached = attach(Arc::new(shared));
    check_all(&Ran::Fallback(MsmError::Driver(
        "a stand-in that always fails".into(),
    )));
}

#[test]
fn detached_when_the_guard_drops() {
    let _turn = turn();
    let shared = Arc::new(SharedBackend::cpu().unwrap());
    let (key, _) = keys::<true>();
    {
        let _attached = attach(Arc::clone(&shared));
        assert_eq!(msm_sonobe::attached().map(|b| b.name()), Some("cpu"));
        for i in 0..5 {
            let _ = MsmPedersen::<true>::commit(&key, &[Fr::from(i); 100], rng(i)).unwrap();
        }
    }
    assert!(msm_sonobe::attached().is_none());
    let _ = MsmPedersen::<true>::commit(&key, &[Fr::one(); 100], rng(9)).unwrap();
    let ran: Vec<Ran> = take_commits().into_iter().map(|c| c.ran).collect();
    assert_eq!(ran[..5], vec![Ran::Backend("cpu"); 5][..]);
    assert_eq!(ran[5], Ran::Cpu);
    // One key, five commitments: one load.
    let records = shared.take_records();
    assert_eq!(records.iter().filter(|r| r.key_load.is_some()).count(), 1);
    assert_eq!(records.iter().map(|r| r.sizes.len()).sum::<usize>(), 5);
}
