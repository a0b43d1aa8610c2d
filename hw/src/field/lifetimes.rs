//! Shorter delay lines than ASAP's at the same latency: a registered node may run later than
//! its operands allow, up to when its readers need it, so that narrow operands wait instead of
//! a wide result (z0 and z2 of a Karatsuba node wait as their 16-bit halves for zm, not as
//! 32-bit products). Local search: each registered node in turn, last first, takes the ready
//! time in its window that costs least, over a few passes. Wiring stays ASAP (a slice is
//! ready with what it slices), so it moves with the registers it reads.
//!
//! The cost of a stretch of `d` cycles of a delay line, per bit: a flip-flop when `d` is 1, else
//! a shift-register LUT (yosys makes SRLs of untapped runs of three registers, and the source's
//! own register starts the run), which outweighs any flip-flops (LUTs are what the large
//! configurations run out of).

use super::dataflow::{Id, Node, Program};

/// Per bit, for a program of `latency`: an SRL outweighs the flip-flops of any line.
fn line_cost(d: u64, latency: u64) -> u64 {
    match d {
        0..=1 => d,
        d => latency.max(63) + 1 + d,
    }
}

/// Nodes whose move touches more than this many lines are left where they are: the search
/// would be slow and they are few (a product read by hundreds of slices).
const MAX_TOUCHED: usize = 512;
const PASSES: usize = 4;

struct Search<'a> {
    p: &'a Program,
    ready: Vec<u64>,
    readers: Vec<Vec<Id>>,
    latency: u64,
}

impl Search<'_> {
    fn registered(&self, i: Id) -> bool {
        self.p.nodes[i].0.registered()
    }

    fn is_const(&self, i: Id) -> bool {
        matches!(self.p.nodes[i].0, Node::Const(_))
    }

    fn reads_at(&self, r: Id) -> u64 {
        self.ready[r] - self.registered(r) as u64
    }

    /// The cost of `v`'s delay line (`pipeline::DelayLines`): one shift register to its last
    /// read, tapped at each read, so each stretch between taps is an SRL or flip-flops.
    fn cost(&self, v: Id) -> u64 {
        if self.is_const(v) {
            return 0;
        }
        let mut reads: Vec<u64> = self.readers[v].iter().map(|&r| self.reads_at(r)).collect();
        if v == self.p.output {
            reads.push(self.latency);
        }
        reads.sort_unstable();
        reads.dedup();
        let mut from = self.ready[v];
        let mut cost = 0;
        for at in reads {
            cost += line_cost(at - from, self.latency);
            from = at;
        }
        self.p.width(v) as u64 * cost
    }

    /// The wiring that moves with `i` (read from it through wiring alone), in program order.
    fn wiring_after(&self, i: Id) -> Vec<Id> {
        let mut found = vec![];
        let mut stack = vec![i];
        while let Some(v) = stack.pop() {
            for &r in &self.readers[v] {
                if !self.registered(r) && !found.contains(&r) {
                    found.push(r);
                    stack.push(r);
                }
            }
        }
        found.sort_unstable();
        found
    }

    /// Moves `i` to ready at `t` with its wiring; whether every reader still gets its values in
    /// time.
    fn place(&mut self, i: Id, t: u64, wiring: &[Id]) -> bool {
        self.ready[i] = t;
        for &w in wiring {
            let ops = self.p.nodes[w].0.operands();
            self.ready[w] = ops.iter().map(|&o| self.ready[o]).max().unwrap_or(0);
        }
        std::iter::once(&i).chain(wiring).all(|&v| {
            self.readers[v]
                .iter()
                .all(|&r| !self.registered(r) || self.ready[v] < self.ready[r])
        })
    }

    /// One node: the cheapest feasible ready time; whether it moved.
    fn improve(&mut self, i: Id) -> bool {
        let wiring = self.wiring_after(i);
        let mut touched: Vec<Id> = self.p.nodes[i].0.operands();
        touched.push(i);
        for &w in &wiring {
            touched.push(w);
            touched.extend(self.p.nodes[w].0.operands());
        }
        touched.sort_unstable();
        touched.dedup();
        if touched.len() > MAX_TOUCHED {
            return false;
        }
        let ops = self.p.nodes[i].0.operands();
        let lo = ops.iter().map(|&o| self.ready[o]).max().unwrap_or(0) + 1;
        let hi = (self.readers[i].iter())
            .filter(|&&r| self.registered(r))
            .map(|&r| self.ready[r] - 1)
            .min()
            .unwrap_or(self.latency);
        let now = self.ready[i];
        let cost = |s: &Self| touched.iter().map(|&v| s.cost(v)).sum::<u64>();
        let mut best = (cost(self), now);
        for t in lo..=hi.max(lo) {
            if t != now && self.place(i, t, &wiring) {
                best = best.min((cost(self), t));
            }
        }
        let moved = best.1 != now;
        assert!(self.place(i, best.1, &wiring));
        moved
    }
}

/// `asap` (the program's ASAP ready times) with registered nodes moved to shorten the delay
/// lines; the latency and the output's ready time stay.
pub fn shorten(p: &Program, asap: Vec<u64>) -> Vec<u64> {
    let mut readers = vec![vec![]; p.nodes.len()];
    for (i, (node, _)) in p.nodes.iter().enumerate() {
        let mut ops = node.operands();
        ops.sort_unstable();
        ops.dedup();
        for o in ops {
            readers[o].push(i);
        }
    }
    let latency = asap[p.output];
    let mut s = Search {
        p,
        ready: asap,
        readers,
        latency,
    };
    for _ in 0..PASSES {
        let mut moved = false;
        for i in (0..p.nodes.len()).rev() {
            if s.registered(i) && i != p.output {
                moved |= s.improve(i);
            }
        }
        if !moved {
            break;
        }
    }
    s.ready
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ALL;
    use crate::field::mul;

    /// The search's cost of a whole schedule.
    fn total(p: &Program, ready: Vec<u64>) -> u64 {
        let s = Search {
            p,
            latency: ready[p.output],
            ready,
            readers: {
                let mut r = vec![vec![]; p.nodes.len()];
                for (i, (n, _)) in p.nodes.iter().enumerate() {
                    let mut ops = n.operands();
                    ops.dedup();
                    for o in ops {
                        if !r[o].contains(&i) {
                            r[o].push(i);
                        }
                    }
                }
                r
            },
        };
        (0..p.nodes.len()).map(|v| s.cost(v)).sum()
    }

    #[test]
    fn every_config_waits_less_at_the_same_latency_in_a_valid_schedule() {
        for cfg in ALL {
            let p = mul::program(&cfg);
            let (asap, s) = (p.asap(), p.schedule());
            assert_eq!(s.latency, asap[p.output], "{}", cfg.name);
            assert_eq!(s.ready[p.output], s.latency);
            for (i, (node, _)) in p.nodes.iter().enumerate() {
                let last = node.operands().iter().map(|&o| s.ready[o]).max();
                let last = last.unwrap_or(0);
                match node.registered() {
                    true => assert!(s.ready[i] > last && s.ready[i] <= s.latency),
                    false => assert_eq!(s.ready[i], last, "wiring stays with its operands"),
                }
            }
            let (before, after) = (total(&p, asap), total(&p, s.ready));
            assert!(after * 5 < before * 4, "{}: {before} -> {after}", cfg.name);
        }
    }
}
