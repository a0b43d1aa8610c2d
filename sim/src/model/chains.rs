//! The dependencies of the segment running sums, for the schedule models: chain q runs
//! R += B_i then S += R_i for i = m..1. R_i waits for R_(i+1); S_i waits for R_i and S_(i+1).
//! A model takes ready steps off [`Chains::ready`] (earliest first) and reports each step's
//! completion to [`Chains::done`], which queues the steps it frees.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// R += B_i of chain `chain` (i counts down from m to 1).
    R { chain: usize, i: usize },
    /// S += R_i of chain `chain`.
    S { chain: usize, i: usize },
}

impl Step {
    pub fn chain(&self) -> usize {
        match *self {
            Step::R { chain, .. } | Step::S { chain, .. } => chain,
        }
    }
}

struct Timing {
    r_done: Vec<u64>,
    r_issued_to: usize,
    s_done: u64,
    s_next: usize,
}

pub struct Chains {
    timing: Vec<Timing>,
    /// Steps whose operands are ready, keyed by the cycle they are.
    pub ready: BinaryHeap<Reverse<(u64, Step)>>,
}

impl Chains {
    /// Chains of the given lengths m, every first step ready at `start`.
    pub fn new(lengths: impl IntoIterator<Item = usize>, start: u64) -> Chains {
        let timing: Vec<Timing> = lengths
            .into_iter()
            .map(|m| Timing {
                r_done: vec![0; m + 1],
                r_issued_to: m + 1,
                s_done: start,
                s_next: m,
            })
            .collect();
        let ready = timing
            .iter()
            .enumerate()
            .map(|(chain, t)| Reverse((start, Step::R { chain, i: t.s_next })))
            .collect();
        Chains { timing, ready }
    }

    /// `step`'s result is written back at `done`: queues what it makes ready.
    pub fn done(&mut self, step: Step, done: u64) {
        let ch = &mut self.timing[step.chain()];
        match step {
            Step::R { chain, i } => {
                ch.r_done[i] = done;
                ch.r_issued_to = i;
                if i > 1 {
                    self.ready
                        .push(Reverse((done, Step::R { chain, i: i - 1 })));
                }
                if ch.s_next == i {
                    self.ready
                        .push(Reverse((done.max(ch.s_done), Step::S { chain, i })));
                }
            }
            Step::S { chain, i } => {
                ch.s_done = done;
                ch.s_next = i - 1;
                if i > 1 && ch.r_issued_to < i {
                    let ready = done.max(ch.r_done[i - 1]);
                    self.ready
                        .push(Reverse((ready, Step::S { chain, i: i - 1 })));
                }
            }
        }
    }
}
