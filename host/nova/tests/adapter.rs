//! The adapter against nova's own Pedersen engine, and nova's IVC proving and verifying with
//! every commitment on a backend. Tests that attach a backend hold `LOCK` (the attachment is
//! global, as nova's static `commit` needs).

use std::sync::{Arc, Mutex, MutexGuard};

use ff::Field;
use msm_host::fold::Ran;
use msm_host::{CardShape, CpuBackend, MsmBackend, MsmError, MsmReport, SharedBackend};
use msm_nova::circuits::{HashChain, NonTrivialCircuit};
use msm_nova::fold::{run, Scalar};
use msm_nova::{attach, take_commits, Bn256EngineMsm};
use nova_snark::provider::Bn256EngineIPA;
use nova_snark::traits::commitment::{CommitmentEngineTrait, CommitmentTrait};
use nova_snark::traits::Engine;
use rand::{Rng, SeedableRng};

static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

type Ours = <Bn256EngineMsm as Engine>::CE;
type Nova = <Bn256EngineIPA as Engine>::CE;

fn cpu() -> Arc<SharedBackend> {
    Arc::new(SharedBackend::cpu().unwrap())
}

fn model() -> Arc<SharedBackend> {
    Arc::new(
        SharedBackend::model(CardShape {
            lanes: 2,
            latency: 40,
            interval: 1,
        })
        .unwrap(),
    )
}

fn seed() -> u64 {
    let s = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    eprintln!("seed {s} (replay with SEED={s})");
    s
}

/// Every kind of commitment through the adapter equals nova's Pedersen's on the same label.
fn commitments_match(expect_ran: impl Fn(&Ran) -> bool) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed());
    let n = 200;
    let (ours, nova) = (
        Ours::setup(b"test", n).unwrap(),
        Nova::setup(b"test", n).unwrap(),
    );
    let same = |a: <Ours as CommitmentEngineTrait<Bn256EngineMsm>>::Commitment,
                b: <Nova as CommitmentEngineTrait<Bn256EngineIPA>>::Commitment| {
        assert_eq!(a.to_coordinates(), b.to_coordinates());
    };
    let r = Scalar::random(&mut rng);
    for len in [0, 1, 2, 37, 200] {
        let mut v: Vec<Scalar> = (0..len).map(|_| Scalar::random(&mut rng)).collect();
        if len > 2 {
            v[0] = Scalar::ZERO;
            v[1] = -Scalar::ONE; // r - 1
        }
        same(Ours::commit(&ours, &v, &r), Nova::commit(&nova, &v, &r));
        same(
            Ours::commit(&ours, &v, &Scalar::ZERO),
            Nova::commit(&nova, &v, &Scalar::ZERO),
        );
    }
    let small: Vec<u64> = (0..150)
        .map(|i| [0, 1, 7, u64::MAX, rng.gen()][i % 5])
        .collect();
    same(
        Ours::commit_small(&ours, &small, &r),
        Nova::commit_small(&nova, &small, &r),
    );
    same(
        Ours::commit_small_range(&ours, &small, &r, 20..90, 64),
        Nova::commit_small_range(&nova, &small, &r, 20..90, 64),
    );
    let idx = [3usize, 150, 7, 199, 7];
    let vals: Vec<Scalar> = idx.iter().map(|_| Scalar::random(&mut rng)).collect();
    same(
        Ours::commit_sparse(&ours, &idx, &vals, &r),
        Nova::commit_sparse(&nova, &idx, &vals, &r),
    );
    same(
        Ours::commit_sparse_binary(&ours, &[0, 5, 199], &r),
        Nova::commit_sparse_binary(&nova, &[0, 5, 199], &r),
    );
    let derived_ours = Ours::ck_derive_by_address(&ours, &[0, 2, 2, 9], 12).unwrap();
    let derived_nova = Nova::ck_derive_by_address(&nova, &[0, 2, 2, 9], 12).unwrap();
    let t: Vec<Scalar> = (0..12).map(|_| Scalar::random(&mut rng)).collect();
    same(
        Ours::commit(&derived_ours, &t, &r),
        Nova::commit(&derived_nova, &t, &r),
    );
    let commits = take_commits();
    let (derived, rest) = commits.split_last().expect("commitments were logged");
    assert_eq!(derived.ran, Ran::Cpu, "a derived key holds identities: CPU");
    for c in rest.iter().filter(|c| c.n > 0) {
        assert!(expect_ran(&c.ran), "{c:?}");
    }
}

#[test]
fn commitments_equal_novas_pedersen_without_a_backend() {
    let _l = lock();
    take_commits();
    commitments_match(|r| *r == Ran::Cpu);
}

#[test]
fn commitments_equal_novas_pedersen_on_the_cpu_backend() {
    let _l = lock();
    let backend = cpu();
    let _a = attach(backend.clone());
    take_commits();
    commitments_match(|r| *r == Ran::Backend("cpu"));
    // One key, loaded once (the derived key never reaches the backend).
    let loads = backend
        .take_records()
        .iter()
        .filter(|b| b.key_load.is_some())
        .count();
    assert_eq!(loads, 1);
}

#[test]
fn commitments_equal_novas_pedersen_on_the_model_backend() {
    let _l = lock();
    let _a = attach(model());
    take_commits();
    commitments_match(|r| *r == Ran::Backend("model"));
}

#[test]
fn the_key_serializes_without_device_state() {
    let _l = lock();
    let ck = Ours::setup(b"digest", 64).unwrap();
    let before = bincode::serde::encode_to_vec(&ck, bincode::config::standard()).unwrap();
    let _a = attach(cpu());
    Ours::commit(&ck, &[Scalar::ONE; 64], &Scalar::ZERO);
    let after = bincode::serde::encode_to_vec(&ck, bincode::config::standard()).unwrap();
    assert_eq!(before, after);
    take_commits();
}

fn nontrivial_ivc(backend: &'static str) {
    let circuit = NonTrivialCircuit::<Scalar>::new(256);
    let run = run(&circuit, 256, 3, |_| {}).unwrap();
    assert!(run.verified);
    assert_eq!(run.backend, backend);
    assert_eq!(run.steps.len(), 3);
    for s in &run.steps {
        // Each fold commits to W (num_vars points) and T (num_cons points).
        let sizes: Vec<usize> = s.commits.iter().map(|c| c.n).collect();
        assert_eq!(sizes.len(), 2, "{sizes:?}");
        assert!(sizes.contains(&run.primary_constraints), "{sizes:?}");
        for c in &s.commits {
            assert_eq!(c.ran, Ran::Backend(backend));
        }
    }
    eprintln!(
        "{backend}: {} constraints, {} variables, steps {:?}",
        run.primary_constraints,
        run.primary_variables,
        run.steps.iter().map(|s| s.wall).collect::<Vec<_>>()
    );
}

#[test]
fn ivc_proves_and_verifies_with_novas_cpu_msm() {
    let _l = lock();
    let circuit = NonTrivialCircuit::<Scalar>::new(256);
    let r = run(&circuit, 256, 3, |_| {}).unwrap();
    assert_eq!(r.backend, "cpu");
    assert!(r
        .steps
        .iter()
        .flat_map(|s| &s.commits)
        .all(|c| c.ran == Ran::Cpu));
}

#[test]
fn ivc_proves_and_verifies_on_the_cpu_backend() {
    let _l = lock();
    let backend = cpu();
    let _a = attach(backend.clone());
    nontrivial_ivc("cpu");
    let loads = backend
        .take_records()
        .iter()
        .filter(|b| b.key_load.is_some())
        .count();
    assert_eq!(loads, 1, "the primary key is loaded once per run");
}

#[test]
fn ivc_proves_and_verifies_on_the_model_backend() {
    let _l = lock();
    let _a = attach(model());
    nontrivial_ivc("model");
}

#[test]
fn hash_chain_ivc_on_the_model_backend() {
    let _l = lock();
    let _a = attach(model());
    let circuit = HashChain::<Scalar>::new(16, seed());
    let r = run(&circuit, 0, 2, |_| {}).unwrap();
    assert!(r.verified);
    assert!(r
        .steps
        .iter()
        .flat_map(|s| &s.commits)
        .all(|c| c.ran == Ran::Backend("model")));
}

/// A stand-in that isolates what verification checks: the CPU backend, with the generator
/// added to the result of MSM number `corrupt`.
struct Corrupting {
    cpu: CpuBackend,
    count: usize,
    corrupt: usize,
}

impl MsmBackend for Corrupting {
    fn name(&self) -> &'static str {
        "corrupting"
    }
    fn load_bases(&mut self, bases: &[ark_bn254::G1Affine]) -> Result<(), MsmError> {
        self.cpu.load_bases(bases)
    }
    fn num_bases(&self) -> usize {
        self.cpu.num_bases()
    }
    fn msm_report(&mut self, scalars: &[ark_bn254::Fr]) -> Result<MsmReport, MsmError> {
        let mut r = self.cpu.msm_report(scalars)?;
        if self.count == self.corrupt {
            r.point += <ark_bn254::G1Projective as ark_ec::PrimeGroup>::generator();
        }
        self.count += 1;
        Ok(r)
    }
}

#[test]
fn a_corrupted_commitment_fails_verification_and_the_next_run_verifies() {
    let _l = lock();
    let circuit = NonTrivialCircuit::<Scalar>::new(64);
    // MSMs 0 and 1 are the base case; 2.. are the folds' W and T.
    for corrupt in [2, 3] {
        let bad = SharedBackend::spawn(move || {
            Ok(Box::new(Corrupting {
                cpu: CpuBackend::new(),
                count: 0,
                corrupt,
            }))
        })
        .unwrap();
        let _a = attach(Arc::new(bad));
        let e = run(&circuit, 64, 2, |_| {}).unwrap_err();
        assert!(e.contains("verify rejected"), "{e}");
    }
    let _a = attach(cpu());
    assert!(run(&circuit, 64, 2, |_| {}).unwrap().verified);
    take_commits();
}

#[test]
fn a_failing_backend_falls_back_to_the_cpu_and_the_proof_verifies() {
    let _l = lock();
    // Card memory for 16 bases: every key of the IVC is too large for it.
    struct Small(CpuBackend);
    impl MsmBackend for Small {
        fn name(&self) -> &'static str {
            "small"
        }
        fn load_bases(&mut self, b: &[ark_bn254::G1Affine]) -> Result<(), MsmError> {
            if b.len() > 16 {
                return Err(MsmError::KeyTooLarge {
                    bases: b.len(),
                    capacity: 16,
                });
            }
            self.0.load_bases(b)
        }
        fn num_bases(&self) -> usize {
            self.0.num_bases()
        }
        fn msm_report(&mut self, s: &[ark_bn254::Fr]) -> Result<MsmReport, MsmError> {
            self.0.msm_report(s)
        }
    }
    let _a = attach(Arc::new(
        SharedBackend::spawn(|| Ok(Box::new(Small(CpuBackend::new())))).unwrap(),
    ));
    let r = run(&NonTrivialCircuit::<Scalar>::new(64), 64, 2, |_| {}).unwrap();
    assert!(r.verified);
    for c in r.steps.iter().flat_map(|s| &s.commits) {
        assert!(
            matches!(c.ran, Ran::Fallback(MsmError::KeyTooLarge { .. })),
            "{c:?}"
        );
    }
}

/// `make test-long`: nova's IVC with every primary commitment on the simulated card (the
/// Verilated `msm_card` through the driver), 2 folding steps, verified on nova's CPU MSM.
#[cfg(feature = "sim")]
#[test]
#[ignore = "the simulated card: minutes per 10^4-point MSM"]
fn ivc_proves_and_verifies_on_the_simulated_card() {
    let _l = lock();
    let card = SharedBackend::simulated(msm_host::Timing::default()).unwrap();
    let card = Arc::new(card);
    let _a = attach(Arc::clone(&card));
    let start = std::time::Instant::now();
    let circuit = NonTrivialCircuit::<Scalar>::new(16);
    let run = run(&circuit, 16, 2, |p| {
        eprintln!("{p:?} at {:.0?}", start.elapsed())
    })
    .unwrap();
    assert!(run.verified);
    assert_eq!(run.backend, "card");
    for s in &run.steps {
        assert_eq!(s.commits.len(), 2);
        for c in &s.commits {
            assert_eq!(c.ran, Ran::Backend("card"));
            let cycles = c.report.as_ref().and_then(|r| r.cycles).unwrap();
            eprintln!(
                "step {}: MSM of {} in {:.1?}, {cycles} card clocks",
                s.index, c.n, c.wall
            );
        }
    }
    let loads = card
        .take_records()
        .iter()
        .filter(|b| b.key_load.is_some())
        .count();
    assert_eq!(loads, 1, "the primary key is loaded once");
}
