//! The Verilated MSM core (msm-hw `msm::core`, `LANES` lanes) behind a safe API: stream an
//! MSM's points and scalars in (`accumulate`), run the segment running sums (`reduce`), read the
//! buckets and the segment sums. Window w lives in lane w mod LANES as its window w / LANES.

use std::ffi::c_void;

use msm_sim::model::digits::windows;
use msm_sim::model::msm::{self, combine_windows, finish_window};
use msm_sim::model::Projective;

use crate::lane::{projective, Coords};
use crate::model::{lifecycle, Model};
use crate::{from_words, to_words, CHAINS, LANES};

extern "C" {
    #[allow(clippy::too_many_arguments)]
    fn msm_core_set(
        p: *mut c_void,
        c: u8,
        start: u8,
        point_valid: u8,
        point: *const u32,
        scalar: *const u32,
        read_enable: u8,
        read_lane: u8,
        read_address: u32,
        reduce: u8,
        m_log2: u8,
        last_chain: u32,
    );
    fn msm_core_get(
        p: *mut c_void,
        point_ready: *mut u8,
        idle: *mut u8,
        bucket_current: *mut u8,
        points: *mut u32,
        conflicts: *mut u32,
        adds: *mut u32,
    );
}
lifecycle!(
    MSM_CORE,
    msm_core_new,
    msm_core_free,
    msm_core_trace,
    msm_core_tick
);

/// Inputs of one clock.
#[derive(Clone, Copy, Debug, Default)]
struct Inputs<'a> {
    c: u32,
    start: bool,
    /// Affine (x, y) in Montgomery form and the canonical scalar.
    point: Option<(&'a [[u64; 4]; 2], &'a [u64; 4])>,
    /// (lane, address).
    read: Option<(usize, u32)>,
    /// Start the reduction with segments of 2^m_log2 buckets, this many chains.
    reduce: Option<(u32, u32)>,
}

#[derive(Clone, Copy, Debug)]
struct Outputs {
    point_ready: bool,
    idle: bool,
    bucket_current: bool,
    bucket: Coords,
    plain: Coords,
    triangle: Coords,
    conflicts: u32,
    adds: u32,
}

/// Cycle counts of one accumulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accumulation {
    /// Clocks from `start` until idle.
    pub cycles: u64,
    /// Clocks a non-zero digit found its bucket busy (parked, or stalled on a full FIFO).
    pub conflicts: u32,
    /// Additions issued: one per non-zero digit.
    pub adds: u64,
}

/// A whole MSM on the core, finished on the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreMsm {
    pub point: Projective,
    pub accumulation: Accumulation,
    /// Clocks of the segment running sums.
    pub reduction_cycles: u64,
    /// Additions that matter: one per non-zero digit, two per bucket of each window.
    pub adds: u64,
}

impl CoreMsm {
    pub fn cycles(&self) -> u64 {
        self.accumulation.cycles + self.reduction_cycles
    }

    /// adds / (cycles x lanes): the share of the lanes' issue slots that did useful work.
    pub fn efficiency(&self) -> f64 {
        self.adds as f64 / (self.cycles().max(1) * LANES as u64) as f64
    }
}

/// The core did not finish within its clock budget (a hang in the RTL, or too small a budget).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeout {
    pub cycles: u64,
}

/// The reduction plan (`msm_sim::model::msm::segment_plan`) for a lane of the test
/// configuration: (m_log2, chains per lane).
pub fn segment_plan(c: u32) -> (u32, u32) {
    let (m_log2, chains) =
        msm::segment_plan(c, windows(c).len().div_ceil(LANES), crate::FQ_LANE_LATENCY);
    assert!(
        chains as usize <= CHAINS,
        "{chains} chains: the core holds {CHAINS}"
    );
    (m_log2, chains)
}

/// Where window w's entry `index` lives: (lane, address). Entry `index` is bucket index + 1
/// in the bucket RAM, segment `index` in the chain-sum RAMs (2^(c-1) / m per window).
fn locate(window: usize, per_window: u32, index: u32) -> (usize, u32) {
    let local = (window / LANES) as u32;
    (window % LANES, local * per_window + index)
}

/// The Verilated MSM core.
pub struct MsmCore {
    model: Model,
    /// Clocks any one call may take before it gives up.
    limit: u64,
}

impl Default for MsmCore {
    fn default() -> Self {
        MsmCore {
            model: Model::new(&MSM_CORE),
            limit: u64::MAX,
        }
    }
}

impl MsmCore {
    /// Sets the inputs, reads the settled outputs, clocks once.
    fn step(&mut self, i: &Inputs) -> Outputs {
        let (p, s) = i.point.unwrap_or((&[[0; 4]; 2], &[0; 4]));
        let mut point = [0u32; 16];
        point[..8].copy_from_slice(&to_words(&p[0]));
        point[8..].copy_from_slice(&to_words(&p[1]));
        let scalar = to_words(s);
        let (mut ready, mut idle, mut current, mut points, mut conflicts, mut adds) =
            (0u8, 0u8, 0u8, [0u32; 72], 0u32, 0u32);
        let (m_log2, chains) = i.reduce.unwrap_or((0, 1));
        let m = self.model.ptr();
        // SAFETY: `m` is live while self is; the arrays have the word counts the shim copies
        // (16, 8 and 72); the scalar outputs are locals written once each.
        unsafe {
            msm_core_set(
                m,
                i.c as u8,
                i.start.into(),
                i.point.is_some().into(),
                point.as_ptr(),
                scalar.as_ptr(),
                i.read.is_some().into(),
                i.read.map_or(0, |r| r.0 as u8),
                i.read.map_or(0, |r| r.1),
                i.reduce.is_some().into(),
                m_log2 as u8,
                chains - 1,
            );
            msm_core_get(
                m,
                &mut ready,
                &mut idle,
                &mut current,
                points.as_mut_ptr(),
                &mut conflicts,
                &mut adds,
            );
        }
        self.model.tick();
        let coord = |k: usize| from_words(points[8 * k..8 * k + 8].try_into().unwrap());
        let point = |p: usize| [coord(3 * p), coord(3 * p + 1), coord(3 * p + 2)];
        Outputs {
            point_ready: ready != 0,
            idle: idle != 0,
            bucket_current: current != 0,
            bucket: point(0),
            plain: point(1),
            triangle: point(2),
            conflicts,
            adds,
        }
    }

    /// Accumulates one MSM at window width c: `start`, every point streamed in (offered each
    /// clock until taken), then clocks until idle.
    pub fn accumulate(
        &mut self,
        c: u32,
        points: &[[[u64; 4]; 2]],
        scalars: &[[u64; 4]],
    ) -> Result<Accumulation, Timeout> {
        assert_eq!(points.len(), scalars.len());
        let begin = self.model.cycles();
        let before = self.step(&Inputs {
            c,
            start: true,
            ..Default::default()
        });
        let mut next = 0;
        let mut out;
        loop {
            let point = points.get(next).map(|p| (p, &scalars[next]));
            out = self.step(&Inputs {
                c,
                point,
                ..Default::default()
            });
            if point.is_some() && out.point_ready {
                next += 1;
            }
            if next == points.len() && out.idle && point.is_none() {
                break;
            }
            self.check_limit(begin)?;
        }
        Ok(Accumulation {
            cycles: self.model.cycles() - begin,
            conflicts: out.conflicts.wrapping_sub(before.conflicts),
            adds: u64::from(out.adds.wrapping_sub(before.adds)),
        })
    }

    /// Gives up (`Timeout`) when one call takes more than `limit` clocks.
    pub fn set_cycle_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    fn check_limit(&self, begin: u64) -> Result<(), Timeout> {
        let cycles = self.model.cycles() - begin;
        if cycles > self.limit {
            return Err(Timeout { cycles });
        }
        Ok(())
    }

    /// Bucket k (|d| = k, 1..=2^(c-1)) of `window` after a run; `None` if the MSM left it
    /// empty.
    pub fn bucket(&mut self, c: u32, window: usize, k: u32) -> Option<Coords> {
        let out = self.read(c, locate(window, 1 << (c - 1), k - 1));
        out.bucket_current.then_some(out.bucket)
    }

    /// Reads entry `address` of a lane's bucket RAM and segment-sum RAMs (one clock to
    /// present the address, the data the next).
    fn read(&mut self, c: u32, (lane, address): (usize, u32)) -> Outputs {
        let read = Inputs {
            c,
            read: Some((lane, address)),
            ..Default::default()
        };
        self.step(&read);
        self.step(&read)
    }

    /// Runs the segment running sums after [`MsmCore::accumulate`], in every lane: `chains`
    /// segments of 2^m_log2 buckets over the lane's bucket address space, chain q holding
    /// addresses [q m, (q + 1) m). Needs chains >= L + 2 (each chain's next add reads its last
    /// result). Returns the clocks taken.
    pub fn reduce(&mut self, c: u32, m_log2: u32, chains: u32) -> Result<u64, Timeout> {
        assert!(
            chains as usize >= crate::FQ_LANE_LATENCY + 2,
            "{chains} chains cannot cover the lane's latency"
        );
        let begin = self.model.cycles();
        self.step(&Inputs {
            c,
            reduce: Some((m_log2, chains)),
            ..Default::default()
        });
        while !self
            .step(&Inputs {
                c,
                ..Default::default()
            })
            .idle
        {
            self.check_limit(begin)?;
        }
        Ok(self.model.cycles() - begin)
    }

    /// sum_i scalars[i] (x_i, y_i) at window width c: accumulation and the segment running
    /// sums on the core ([`segment_plan`]); each window finished and the windows combined on
    /// the host (`msm_sim::model::msm`).
    pub fn msm(
        &mut self,
        c: u32,
        points: &[[[u64; 4]; 2]],
        scalars: &[[u64; 4]],
    ) -> Result<CoreMsm, Timeout> {
        let accumulation = self.accumulate(c, points, scalars)?;
        let (m_log2, chains) = segment_plan(c);
        let reduction_cycles = self.reduce(c, m_log2, chains)?;
        let per_window = (1u32 << (c - 1)) >> m_log2;
        let wins = windows(c);
        let mut window_sums = Vec::with_capacity(wins.len());
        for w in 0..wins.len() {
            let sums: Vec<_> = (0..per_window)
                .map(|j| {
                    let (s, t) = self.segment_sums(c, w, j);
                    (projective(&s), projective(&t))
                })
                .collect();
            window_sums.push(finish_window(&sums, 1 << m_log2).0);
        }
        Ok(CoreMsm {
            point: combine_windows(&window_sums, &wins).0,
            accumulation,
            reduction_cycles,
            adds: accumulation.adds + wins.iter().map(|w| 2 * w.buckets() as u64).sum::<u64>(),
        })
    }

    /// Segment j of `window` after a reduction ([`segment_plan`]): its plain sum S_j and
    /// triangle sum T_j (sum of k B_k over its m buckets, k = 1..m).
    pub fn segment_sums(&mut self, c: u32, window: usize, j: u32) -> (Coords, Coords) {
        let (m_log2, _) = segment_plan(c);
        let out = self.read(c, locate(window, (1 << (c - 1)) >> m_log2, j));
        (out.plain, out.triangle)
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
