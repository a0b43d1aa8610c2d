//! The Verilated MSM core of one lane (msm-hw `msm::core`) behind a safe API: stream an MSM's
//! points and scalars in (`accumulate`), run the segment running sums (`reduce`), read the
//! buckets and the segment sums.

use std::ffi::c_void;

use crate::lane::Coords;
use crate::model::{lifecycle, Model};
use crate::{from_words, to_words};

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
    read: Option<u32>,
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
}

/// Cycle counts of one accumulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accumulation {
    /// Clocks from `start` until idle.
    pub cycles: u64,
    /// Clocks a non-zero digit found its bucket busy (parked, or stalled on a full FIFO).
    pub conflicts: u32,
}

/// The Verilated accumulation block.
pub struct MsmCore {
    model: Model,
}

impl Default for MsmCore {
    fn default() -> Self {
        MsmCore {
            model: Model::new(&MSM_CORE),
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
        let (mut ready, mut idle, mut current, mut points, mut conflicts) =
            (0u8, 0u8, 0u8, [0u32; 72], 0u32);
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
                i.read.unwrap_or(0),
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
        }
    }

    /// Accumulates one MSM at window width c: `start`, every point streamed in (offered each
    /// clock until taken), then clocks until idle.
    pub fn accumulate(
        &mut self,
        c: u32,
        points: &[[[u64; 4]; 2]],
        scalars: &[[u64; 4]],
    ) -> Accumulation {
        assert_eq!(points.len(), scalars.len());
        let begin = self.model.cycles();
        let before = self
            .step(&Inputs {
                c,
                start: true,
                ..Default::default()
            })
            .conflicts;
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
        }
        Accumulation {
            cycles: self.model.cycles() - begin,
            conflicts: out.conflicts - before,
        }
    }

    /// Bucket `address` (window * 2^(c-1) + |d| - 1) after a run; `None` if the MSM left it
    /// empty.
    pub fn bucket(&mut self, c: u32, address: u32) -> Option<Coords> {
        let read = Inputs {
            c,
            read: Some(address),
            ..Default::default()
        };
        self.step(&read);
        let out = self.step(&read);
        out.bucket_current.then_some(out.bucket)
    }

    /// Runs the segment running sums after [`MsmCore::accumulate`]: `chains` segments of
    /// 2^m_log2 buckets over the bucket address space, chain q holding addresses
    /// [q m, (q + 1) m). Needs chains >= L + 2 (each chain's next add reads its last result).
    /// Returns the clocks taken.
    pub fn reduce(&mut self, c: u32, m_log2: u32, chains: u32) -> u64 {
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
        {}
        self.model.cycles() - begin
    }

    /// Chain q's plain sum S_q and triangle sum T_q (sum of k B_k, k = 1..m) after a reduction.
    pub fn segment_sums(&mut self, c: u32, chain: u32) -> (Coords, Coords) {
        let read = Inputs {
            c,
            read: Some(chain),
            ..Default::default()
        };
        self.step(&read);
        let out = self.step(&read);
        (out.plain, out.triangle)
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
