//! The hash-chain IVC proves and verifies whichever backend commits; a wrong commitment fails
//! verification; the key is loaded once per run.

use std::sync::{Arc, Mutex, MutexGuard};

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::PrimeGroup;
use msm_host::fold::{FoldRun, Ran};
use msm_host::{CardShape, CpuBackend, MsmBackend, MsmError, MsmReport, SharedBackend};
use msm_sonobe::{attach, fold_seeded};

/// The attached backend is process-wide: tests that attach one take turns.
static ATTACH: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    ATTACH.lock().unwrap_or_else(|p| p.into_inner())
}

/// About 2^10 constraints a step (the augmented circuit adds about 54k).
const K: u32 = 10;

fn run(steps: usize, seed: u64) -> Result<FoldRun, String> {
    println!("hash chain: 2^{K} constraints, {steps} steps, seed {seed:#x}");
    let run = fold_seeded(K, steps, seed, |_| {})?;
    for s in &run.steps {
        let msms: Vec<usize> = s.commits.iter().map(|c| c.n).collect();
        println!("  step {}: {:.1?}, MSMs {msms:?}", s.index, s.wall);
    }
    println!("  setup {:.1?}, verify {:.1?}", run.setup, run.verify);
    Ok(run)
}

/// A verified run's shape: two commitments a folding step (the cross term, the witness), all
/// where `ran` says.
fn check(run: &FoldRun, steps: usize, backend: &str, ran: &Ran) {
    assert!(run.verified);
    assert_eq!((run.prover, run.backend.as_str()), ("sonobe", backend));
    assert!((1 << (K - 1)..2 << K).contains(&run.step_constraints));
    assert!(run.primary_constraints > run.step_constraints);
    assert!(run.key_len.is_power_of_two());
    assert!(run.key_len >= run.primary_constraints.max(run.primary_variables));
    assert_eq!(run.steps.len(), steps);
    for s in &run.steps {
        let sizes: Vec<usize> = s.commits.iter().map(|c| c.n).collect();
        let witness = run.primary_variables - 2; // less the constant one and the public input
        assert_eq!(
            sizes,
            [run.primary_constraints, witness],
            "step {}",
            s.index
        );
        for c in &s.commits {
            assert_eq!(&c.ran, ran);
            assert_eq!(c.report.is_some(), matches!(ran, Ran::Backend(_)));
        }
        assert!(s.commit_wall() <= s.wall);
    }
}

fn key_loads(shared: &SharedBackend) -> (usize, usize) {
    let records = shared.take_records();
    let loads = records.iter().filter(|r| r.key_load.is_some()).count();
    let msms = records.iter().flat_map(|r| &r.sizes).filter(|&&n| n > 0);
    (loads, msms.count())
}

#[test]
fn proves_and_verifies_with_nothing_attached() {
    let _turn = turn();
    check(&run(3, 1).unwrap(), 3, "cpu", &Ran::Cpu);
}

#[test]
fn proves_and_verifies_on_the_cpu_backend_loading_the_key_once_per_run() {
    let _turn = turn();
    let shared = Arc::new(SharedBackend::cpu().unwrap());
    let _attached = attach(Arc::clone(&shared));
    let ran = Ran::Backend("cpu");

    check(&run(3, 2).unwrap(), 3, "cpu", &ran);
    // One load; the base step's MSM and two a step (the verifier's run on Sonobe's own code).
    assert_eq!(key_loads(&shared), (1, 1 + 3 * 2));

    check(&run(2, 3).unwrap(), 2, "cpu", &ran);
    assert_eq!(key_loads(&shared), (1, 1 + 2 * 2));

    // The same seed is the same key: the backend still has it.
    check(&run(1, 3).unwrap(), 1, "cpu", &ran);
    assert_eq!(key_loads(&shared), (0, 1 + 2));
}

#[test]
fn proves_and_verifies_on_the_model() {
    let _turn = turn();
    let shared = SharedBackend::model(CardShape {
        lanes: 2,
        latency: 40,
        interval: 1,
    })
    .unwrap();
    let shared = Arc::new(shared);
    let _attached = attach(Arc::clone(&shared));
    check(&run(2, 4).unwrap(), 2, "model", &Ran::Backend("model"));
    assert_eq!(key_loads(&shared), (1, 1 + 2 * 2));
}

/// The CPU backend, but the `target`th MSM (counting those with points) is off by the generator.
struct Corrupting {
    cpu: CpuBackend,
    target: usize,
    seen: usize,
}

impl MsmBackend for Corrupting {
    fn name(&self) -> &'static str {
        "corrupting"
    }

    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<(), MsmError> {
        self.cpu.load_bases(bases)
    }

    fn num_bases(&self) -> usize {
        self.cpu.num_bases()
    }

    fn msm_report(&mut self, scalars: &[Fr]) -> Result<MsmReport, MsmError> {
        let mut report = self.cpu.msm_report(scalars)?;
        if !scalars.is_empty() {
            if self.seen == self.target {
                report.point += G1Projective::generator();
            }
            self.seen += 1;
        }
        Ok(report)
    }
}

#[test]
fn a_wrong_commitment_fails_verification() {
    let _turn = turn();
    // With 3 folding steps: #0 the base step's witness, #5 the last cross term, #6 the last
    // witness.
    for target in [0, 5, 6] {
        let shared = SharedBackend::spawn(move || {
            Ok(Box::new(Corrupting {
                cpu: CpuBackend::new(),
                target,
                seen: 0,
            }))
        })
        .unwrap();
        let _attached = attach(Arc::new(shared));
        println!("corrupting MSM #{target}");
        let err = run(3, 5).expect_err("a wrong commitment must not verify");
        println!("  {err}");
        assert!(err.contains("does not verify"), "{err}");
    }
    // The same run with right commitments verifies.
    let shared = SharedBackend::cpu().unwrap();
    let _attached = attach(Arc::new(shared));
    check(&run(3, 5).unwrap(), 3, "cpu", &Ran::Backend("cpu"));
}

/// `make test-long`: the simulated card (Verilator) commits. Slow (about 2k clocks/s, an MSM of
/// 55k points about 0.7M clocks), so the smallest step circuit, one hash.
#[cfg(feature = "sim")]
#[test]
#[ignore = "the simulated card: minutes per MSM"]
fn proves_and_verifies_on_the_simulated_card() {
    let _turn = turn();
    let shared = SharedBackend::simulated(msm_host::Timing::default()).unwrap();
    let shared = Arc::new(shared);
    let _attached = attach(Arc::clone(&shared));
    let seed = 6;
    println!("hash chain on the simulated card: one hash a step, 1 folding step, seed {seed:#x}");
    let start = std::time::Instant::now();
    let run = fold_seeded(0, 1, seed, |i| {
        eprintln!("step {i} done, {:.0?}", start.elapsed())
    })
    .unwrap();
    assert!(run.verified);
    assert_eq!(run.backend, "card");
    for s in &run.steps {
        for c in &s.commits {
            assert_eq!(c.ran, Ran::Backend("card"));
            let cycles = c.report.as_ref().and_then(|r| r.cycles);
            println!(
                "  step {}: MSM of {} in {:.1?}, {cycles:?} cycles",
                s.index, c.n, c.wall
            );
        }
    }
    println!(
        "  setup {:.1?}, verify {:.1?}, total {:.1?}",
        run.setup,
        run.verify,
        start.elapsed()
    );
    assert_eq!(key_loads(&shared), (1, 1 + 2));
}
