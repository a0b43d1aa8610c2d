//! The Verilated scalar slicer (msm-hw `msm::slicer`) behind a safe API.

use std::ffi::c_void;

use crate::model::{lifecycle, Model};
use crate::to_words;

extern "C" {
    fn msm_slicer_set(p: *mut c_void, c: u8, scalar_valid: u8, scalar: *const u32, ready: u8);
    fn msm_slicer_eval(p: *mut c_void);
    fn msm_slicer_get(
        p: *mut c_void,
        scalar_ready: *mut u8,
        digit_valid: *mut u8,
        window: *mut u8,
        magnitude: *mut u32,
        negative: *mut u8,
        last: *mut u8,
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
    pub window: u8,
    pub magnitude: u32,
    pub negative: bool,
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

/// What one clock did: whether the offered scalar was taken, and the digit that left, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlicerStep {
    pub scalar_taken: bool,
    pub digit: Option<Digit>,
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
    pub fn step(&mut self, c: u32, scalar: Option<&[u64; 4]>, digit_ready: bool) -> SlicerStep {
        let words = to_words(scalar.unwrap_or(&[0; 4]));
        let (mut sr, mut dv, mut win, mut mag, mut neg, mut last) = (0u8, 0u8, 0u8, 0u32, 0, 0);
        let m = self.model.ptr();
        // SAFETY: `m` is live while self is; `words` is the 8 words the shim reads; the outputs
        // are plain locals the shim writes once each.
        unsafe {
            msm_slicer_set(
                m,
                c as u8,
                scalar.is_some().into(),
                words.as_ptr(),
                digit_ready.into(),
            );
            msm_slicer_eval(m);
            msm_slicer_get(m, &mut sr, &mut dv, &mut win, &mut mag, &mut neg, &mut last);
        }
        self.model.tick();
        SlicerStep {
            scalar_taken: scalar.is_some() && sr != 0,
            digit: (dv != 0 && digit_ready).then_some(Digit {
                window: win,
                magnitude: mag,
                negative: neg != 0,
                last: last != 0,
            }),
        }
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
