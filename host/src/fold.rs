//! What the folding-prover adapters (`msm-nova`, `msm-sonobe`) record of a prover's
//! commitments, and the per-step report `msm fold` prints.

use std::sync::Mutex;
use std::time::Duration;

use crate::backend::MsmReport;
use crate::error::MsmError;

/// Where a commitment's MSM ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ran {
    /// On the attached [`crate::SharedBackend`] (named).
    Backend(&'static str),
    /// On the prover's own CPU code: no backend attached, a key that is not the loaded
    /// commitment key, or a commitment too small to be worth sending.
    Cpu,
    /// On the prover's CPU code because the backend failed (the error): the result is still
    /// right, the time is not the card's.
    Fallback(MsmError),
}

/// One commitment a prover made, as its adapter saw it.
#[derive(Clone, Debug)]
pub struct Commit {
    /// Points of the MSM (the vector's length).
    pub n: usize,
    /// Wall time of the whole commit call: conversion, queueing, the MSM, the blinding term.
    pub wall: Duration,
    /// Of `wall`, converting scalars and the result between the prover's types and ours.
    pub convert: Duration,
    pub ran: Ran,
    /// The backend's report (cycles, adds) when a backend ran it.
    pub report: Option<MsmReport>,
}

/// The commitments an adapter saw, in completion order. A static of each adapter.
#[derive(Default)]
pub struct CommitLog(Mutex<Vec<Commit>>);

impl CommitLog {
    pub const fn new() -> Self {
        CommitLog(Mutex::new(Vec::new()))
    }

    pub fn push(&self, c: Commit) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(c);
    }

    /// The commitments since the last call.
    pub fn take(&self) -> Vec<Commit> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// One folding step as measured: the prover's whole step and the commitments within it.
#[derive(Clone, Debug)]
pub struct Step {
    pub index: usize,
    pub wall: Duration,
    pub commits: Vec<Commit>,
}

impl Step {
    /// Wall time of the commitments (they may overlap when the prover commits in parallel,
    /// so this is an upper bound of their share of `wall`).
    pub fn commit_wall(&self) -> Duration {
        self.commits.iter().map(|c| c.wall).sum()
    }

    /// The host's other work: `wall` minus the commitments.
    pub fn host_wall(&self) -> Duration {
        self.wall.saturating_sub(self.commit_wall())
    }
}

/// A whole IVC run: set-up, the steps, verification.
#[derive(Clone, Debug)]
pub struct FoldRun {
    /// "nova" or "sonobe".
    pub prover: &'static str,
    /// The backend commitments went to ("cpu" when none was attached).
    pub backend: String,
    /// Constraints of the step circuit asked for (about 2^k).
    pub step_constraints: usize,
    /// Constraints and variables of the whole primary circuit (step + verifier circuit).
    pub primary_constraints: usize,
    pub primary_variables: usize,
    /// Generators in the primary commitment key.
    pub key_len: usize,
    pub setup: Duration,
    pub steps: Vec<Step>,
    pub verify: Duration,
    /// `verify` accepted the final proof (a run whose proof fails is an error, not a report).
    pub verified: bool,
}
