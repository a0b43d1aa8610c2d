//! One backend shared by many threads, for provers that commit from static functions and in
//! parallel (nova-snark's `CommitmentEngineTrait::commit`, Sonobe's `CommitmentOps::commit`).
//!
//! The backend lives on a thread of its own (a card handle is neither `Send` nor `Sync`) and
//! serves requests in arrival order. Requests that wait together for the same key go to it in one
//! [`MsmBackend::msm_many`], which a card runs back to back. A [`Key`] is known by a fingerprint
//! of its bases: the backend loads it when a request names another key than the loaded one, so
//! a prover that commits with one key loads it once.

use std::collections::VecDeque;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Affine};
use ark_ff::PrimeField;

use crate::backend::{MsmBackend, MsmReport};
use crate::error::MsmError;

/// A commitment key: its bases and their fingerprint. Cloning shares the bases.
#[derive(Clone, Debug)]
pub struct Key {
    fingerprint: u64,
    bases: Arc<[G1Affine]>,
}

impl Key {
    pub fn new(bases: Vec<G1Affine>) -> Self {
        let mut h = DefaultHasher::new();
        bases.len().hash(&mut h);
        for b in &bases {
            b.x.into_bigint().0.hash(&mut h);
            b.y.into_bigint().0.hash(&mut h);
            ark_ec::AffineRepr::is_zero(b).hash(&mut h);
        }
        Key {
            fingerprint: h.finish(),
            bases: bases.into(),
        }
    }

    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    pub fn bases(&self) -> &[G1Affine] {
        &self.bases
    }
}

/// What the backend did for MSMs that ran together (one [`MsmBackend::msm_many`]).
#[derive(Clone, Debug)]
pub struct BatchRecord {
    /// Points of each MSM, in order.
    pub sizes: Vec<usize>,
    /// The backend's report of each MSM (empty if the batch failed).
    pub reports: Vec<MsmReport>,
    /// Wall time of the batch on the backend's thread (key load excluded).
    pub wall: Duration,
    /// Time spent loading the key first, if this batch needed it.
    pub key_load: Option<Duration>,
    pub error: Option<MsmError>,
}

struct Request {
    key: Key,
    scalars: Vec<Fr>,
    reply: Sender<Result<MsmReport, MsmError>>,
}

/// A handle on a backend running on its own thread. `Send + Sync`: share it by reference or in
/// an `Arc`. Dropping it ends the thread once the queued requests are served.
pub struct SharedBackend {
    name: &'static str,
    tx: Option<Sender<Request>>,
    records: Arc<Mutex<Vec<BatchRecord>>>,
    thread: Option<JoinHandle<()>>,
}

impl SharedBackend {
    /// Starts the backend `make` builds, on a thread of its own (so it may hold what cannot
    /// leave that thread, as the simulated card does). Fails as `make` fails.
    pub fn spawn<F>(make: F) -> Result<Self, MsmError>
    where
        F: FnOnce() -> Result<Box<dyn MsmBackend>, MsmError> + Send + 'static,
    {
        let (tx, rx) = channel();
        let (ready_tx, ready_rx) = channel();
        let records = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&records);
        let thread = std::thread::Builder::new()
            .name("msm-backend".into())
            .spawn(move || {
                // The backend's own parallel work (arkworks' MSM) runs on a pool of its own:
                // the callers may be every thread of the global pool, blocked on their answers.
                let pool = match rayon::ThreadPoolBuilder::new()
                    .thread_name(|i| format!("msm-backend-{i}"))
                    .build()
                {
                    Ok(p) => p,
                    Err(e) => {
                        let _ = ready_tx.send(Err(MsmError::Driver(format!("thread pool: {e}"))));
                        return;
                    }
                };
                pool.install(|| match make() {
                    Ok(backend) => {
                        let _ = ready_tx.send(Ok(backend.name()));
                        serve(backend, rx, &log);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                })
            })
            .map_err(|e| MsmError::Driver(format!("cannot start the backend thread: {e}")))?;
        let name = ready_rx
            .recv()
            .map_err(|_| MsmError::Driver("the backend panicked while starting".into()))??;
        Ok(SharedBackend {
            name,
            tx: Some(tx),
            records,
            thread: Some(thread),
        })
    }

    /// The CPU backend (arkworks), shared.
    pub fn cpu() -> Result<Self, MsmError> {
        Self::spawn(|| Ok(Box::new(crate::CpuBackend::new())))
    }

    /// The reference model of a card of `shape` (the window chosen per MSM), shared.
    pub fn model(shape: crate::CardShape) -> Result<Self, MsmError> {
        Self::spawn(move || Ok(Box::new(crate::ModelBackend::new(None, shape)?)))
    }

    /// The simulated card (its RTL in Verilator, through the driver), shared.
    #[cfg(feature = "sim")]
    pub fn simulated(timing: crate::Timing) -> Result<Self, MsmError> {
        Self::spawn(move || Ok(Box::new(crate::simulated(None, timing)?)))
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// sum_i scalars[i] * key[i], after whatever was queued before it. Blocks until done.
    pub fn msm(&self, key: &Key, scalars: Vec<Fr>) -> Result<MsmReport, MsmError> {
        let (reply, answer) = channel();
        let request = Request {
            key: key.clone(),
            scalars,
            reply,
        };
        let gone = || MsmError::CardGone("the backend's thread has ended".into());
        self.tx
            .as_ref()
            .expect("set until drop")
            .send(request)
            .map_err(|_| gone())?;
        answer.recv().map_err(|_| gone())?
    }

    /// The batches run since the last call, oldest first.
    pub fn take_records(&self) -> Vec<BatchRecord> {
        std::mem::take(&mut *self.records.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Drop for SharedBackend {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut backend: Box<dyn MsmBackend>, rx: Receiver<Request>, log: &Mutex<Vec<BatchRecord>>) {
    let mut loaded: Option<u64> = None;
    let mut queue = VecDeque::new();
    loop {
        if queue.is_empty() {
            match rx.recv() {
                Ok(r) => queue.push_back(r),
                Err(_) => return,
            }
        }
        queue.extend(rx.try_iter());
        let key = queue[0].key.clone();
        let same = queue
            .iter()
            .take_while(|r| r.key.fingerprint == key.fingerprint)
            .count();
        let run: Vec<Request> = queue.drain(..same).collect();

        let mut key_load = None;
        if loaded != Some(key.fingerprint) {
            let t = Instant::now();
            loaded = None;
            if let Err(e) = backend.load_bases(&key.bases) {
                answer(run, Err(e), Duration::ZERO, Some(t.elapsed()), log);
                continue;
            }
            loaded = Some(key.fingerprint);
            key_load = Some(t.elapsed());
        }
        let t = Instant::now();
        let batches: Vec<&[Fr]> = run.iter().map(|r| r.scalars.as_slice()).collect();
        let result = backend.msm_many(&batches);
        if backend.num_bases() != key.bases.len() {
            loaded = None; // a failure that lost the key: load it again next time
        }
        match result {
            // One bad request must not fail the others: retry them one by one.
            Err(_) if run.len() > 1 => {
                for r in run {
                    let t = Instant::now();
                    let one = backend.msm_report(&r.scalars);
                    if backend.num_bases() != key.bases.len() {
                        loaded = None;
                    }
                    answer(
                        vec![r],
                        one.map(|x| vec![x]),
                        t.elapsed(),
                        key_load.take(),
                        log,
                    );
                }
            }
            result => answer(run, result, t.elapsed(), key_load, log),
        }
    }
}

fn answer(
    run: Vec<Request>,
    result: Result<Vec<MsmReport>, MsmError>,
    wall: Duration,
    key_load: Option<Duration>,
    log: &Mutex<Vec<BatchRecord>>,
) {
    let sizes = run.iter().map(|r| r.scalars.len()).collect();
    let (reports, error) = match &result {
        Ok(reports) => (reports.clone(), None),
        Err(e) => (Vec::new(), Some(e.clone())),
    };
    log.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(BatchRecord {
            sizes,
            reports,
            wall,
            key_load,
            error,
        });
    match result {
        Ok(reports) => {
            for (r, report) in run.into_iter().zip(reports) {
                let _ = r.reply.send(Ok(report));
            }
        }
        Err(e) => {
            for r in run {
                let _ = r.reply.send(Err(e.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CpuBackend, ModelBackend};
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_std::UniformRand;
    use rand::SeedableRng;

    fn key(n: usize, seed: u64) -> Key {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        Key::new(
            (0..n)
                .map(|_| ark_bn254::G1Projective::rand(&mut rng).into_affine())
                .collect(),
        )
    }

    fn scalars(n: usize, seed: u64) -> Vec<Fr> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| Fr::rand(&mut rng)).collect()
    }

    fn expect(key: &Key, s: &[Fr]) -> ark_bn254::G1Projective {
        ark_bn254::G1Projective::msm_unchecked(&key.bases()[..s.len()], s)
    }

    #[test]
    fn parallel_requests_are_served_and_batched_per_key() {
        let shared = SharedBackend::spawn(|| {
            Ok(Box::new(ModelBackend::new(
                None,
                crate::CardShape {
                    lanes: 2,
                    latency: 40,
                    interval: 1,
                },
            )?))
        })
        .unwrap();
        let (a, b) = (key(64, 1), key(48, 2));
        std::thread::scope(|s| {
            for i in 0..8u64 {
                let (shared, k) = (&shared, if i % 2 == 0 { &a } else { &b });
                s.spawn(move || {
                    let x = scalars(1 + (i as usize * 5) % 48, i);
                    assert_eq!(shared.msm(k, x.clone()).unwrap().point, expect(k, &x));
                });
            }
        });
        let records = shared.take_records();
        assert_eq!(records.iter().map(|r| r.sizes.len()).sum::<usize>(), 8);
        assert!(records.iter().all(|r| r.error.is_none()));
        assert!(shared.take_records().is_empty());
    }

    /// Every thread of the global pool waits on the backend, whose arkworks MSM is parallel:
    /// it must not need those threads (nova commits from `rayon::join`).
    #[test]
    fn callers_on_every_pool_thread_do_not_starve_the_backend() {
        use rayon::prelude::*;
        let shared = SharedBackend::spawn(|| Ok(Box::new(CpuBackend::new()))).unwrap();
        let k = key(256, 9);
        (0..4 * rayon::current_num_threads() as u64)
            .into_par_iter()
            .for_each(|i| {
                let x = scalars(256, 100 + i);
                assert_eq!(shared.msm(&k, x.clone()).unwrap().point, expect(&k, &x));
            });
    }

    #[test]
    fn a_key_is_loaded_once_while_it_stays_in_use() {
        let shared = SharedBackend::spawn(|| Ok(Box::new(CpuBackend::new()))).unwrap();
        let k = key(32, 3);
        for i in 0..5 {
            let x = scalars(32, 10 + i);
            assert_eq!(shared.msm(&k, x.clone()).unwrap().point, expect(&k, &x));
        }
        let loads = shared
            .take_records()
            .iter()
            .filter(|r| r.key_load.is_some())
            .count();
        assert_eq!(loads, 1);
        // The same bases built again are the same key.
        let again = Key::new(k.bases().to_vec());
        assert_eq!(again.fingerprint(), k.fingerprint());
        shared.msm(&again, scalars(3, 4)).unwrap();
        assert!(shared.take_records()[0].key_load.is_none());
    }

    #[test]
    fn errors_are_typed_and_the_next_request_is_right() {
        let shared = SharedBackend::spawn(|| Ok(Box::new(CpuBackend::new()))).unwrap();
        let k = key(8, 5);
        let err = shared.msm(&k, scalars(9, 6)).unwrap_err();
        assert_eq!(
            err,
            MsmError::TooManyScalars {
                bases: 8,
                scalars: 9
            }
        );
        let x = scalars(8, 7);
        assert_eq!(shared.msm(&k, x.clone()).unwrap().point, expect(&k, &x));
        let bad = Key::new(vec![<G1Affine as ark_ec::AffineRepr>::zero()]);
        assert_eq!(
            shared.msm(&bad, scalars(1, 8)).unwrap_err(),
            MsmError::PointAtInfinity { index: 0 }
        );
        assert_eq!(shared.msm(&k, x.clone()).unwrap().point, expect(&k, &x));
    }

    #[test]
    fn a_backend_that_fails_to_start_says_why() {
        let e = SharedBackend::spawn(|| Err(MsmError::CardOpen("no card here".into())));
        assert_eq!(e.err(), Some(MsmError::CardOpen("no card here".into())));
    }
}
