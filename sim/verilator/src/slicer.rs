//! The Verilated scalar slicer (msm-hw `msm::slicer`) behind a safe API: each clock a group of
//! `LANES` digits, flattened here into the digits of the windows that exist.

use std::ffi::c_void;

use crate::model::{lifecycle, Model};
use crate::{to_words, LANES};

extern "C" {
    fn msm_slicer_set(p: *mut c_void, c: u8, scalar_valid: u8, scalar: *const u32, ready: u8);
    fn msm_slicer_eval(p: *mut c_void);
    #[allow(clippy::too_many_arguments)]
    fn msm_slicer_get(
        p: *mut c_void,
        scalar_ready: *mut u8,
        group_valid: *mut u8,
        group: *mut u8,
        last: *mut u8,
        present: *mut u8,
        magnitude: *mut u32,
        negative: *mut u8,
    );
}
lifecycle!(
    SLICER,
    msm_slicer_new,
    msm_slicer_free,
    msm_slicer_trace,
    msm_slicer_tick
);

/// One digit as the slicer emits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digit {
    /// The scalar's window: group g LANES + lane.
    pub window: usize,
    pub magnitude: u32,
    pub negative: bool,
    /// The scalar's last group.
    pub last: bool,
}

impl Digit {
    /// The signed value.
    pub fn value(&self) -> i32 {
        if self.negative {
            -(self.magnitude as i32)
        } else {
            self.magnitude as i32
        }
    }
}

/// What one clock did: whether the offered scalar was taken, and the digits that left (the
/// group's windows that exist, in lane order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlicerStep {
    pub scalar_taken: bool,
    pub digits: Vec<Digit>,
}

/// The Verilated slicer.
pub struct Slicer {
    model: Model,
}

impl Default for Slicer {
    fn default() -> Self {
        Slicer {
            model: Model::new(&SLICER),
        }
    }
}

impl Slicer {
    /// One clock with window width `c`, `scalar` offered (or not) and the consumer ready (or
    /// not). The handshakes are sampled before the edge, as the hardware sees them.
    pub fn step(&mut self, c: u32, scalar: Option<&[u64; 4]>, group_ready: bool) -> SlicerStep {
        let words = to_words(scalar.unwrap_or(&[0; 4]));
        let (mut sr, mut gv, mut group, mut last) = (0u8, 0u8, 0u8, 0u8);
        let (mut present, mut magnitude, mut negative) =
            ([0u8; LANES], [0u32; LANES], [0u8; LANES]);
        let m = self.model.ptr();
        // SAFETY: `m` is live while self is; `words` is the 8 words the shim reads; the lane
        // arrays have the LANES entries the shim writes (it is built with MSM_LANES = LANES);
        // the other outputs are plain locals the shim writes once each.
        unsafe {
            msm_slicer_set(
                m,
                c as u8,
                scalar.is_some().into(),
                words.as_ptr(),
                group_ready.into(),
            );
            msm_slicer_eval(m);
            msm_slicer_get(
                m,
                &mut sr,
                &mut gv,
                &mut group,
                &mut last,
                present.as_mut_ptr(),
                magnitude.as_mut_ptr(),
                negative.as_mut_ptr(),
            );
        }
        self.model.tick();
        let digits = if gv != 0 && group_ready {
            (0..LANES)
                .filter(|&i| present[i] != 0)
                .map(|i| Digit {
                    window: group as usize * LANES + i,
                    magnitude: magnitude[i],
                    negative: negative[i] != 0,
                    last: last != 0,
                })
                .collect()
        } else {
            Vec::new()
        };
        SlicerStep {
            scalar_taken: scalar.is_some() && sr != 0,
            digits,
        }
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
