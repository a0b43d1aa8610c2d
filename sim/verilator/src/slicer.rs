//! The Verilated scalar slicer (msm-hw `msm::slicer`) behind a safe API: each clock a group of
//! `LANES` digits and the left-over windows' (`msm_spec::lanes`), flattened here into the
//! digits of the windows that exist.

use msm_spec::lanes::LaneSplit;

use crate::ffi::{msm_slicer, Model};
use crate::{to_words, LANES};

/// One digit as the slicer emits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digit {
    /// The scalar's window: group g LANES + lane, or a left-over window.
    pub window: usize,
    /// The lane it went to.
    pub lane: usize,
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
    model: Model<msm_slicer::Inputs, msm_slicer::Outputs>,
}

impl Default for Slicer {
    fn default() -> Self {
        Slicer {
            model: Model::new(&msm_slicer::UNIT),
        }
    }
}

impl Slicer {
    /// One clock with window width `c`, `scalar` offered (or not) and the consumer ready (or
    /// not); `start` begins an MSM. The handshakes are sampled before the edge, as the hardware
    /// sees them. Digits come in window order.
    pub fn step(
        &mut self,
        c: u32,
        scalar: Option<&[u64; 4]>,
        group_ready: bool,
        start: bool,
    ) -> SlicerStep {
        let out = self.model.step(&msm_slicer::Inputs {
            c,
            scalar_valid: scalar.is_some().into(),
            scalar: to_words(scalar.unwrap_or(&[0; 4])),
            group_ready: group_ready.into(),
            start: start.into(),
        });
        let split = LaneSplit::new(c, LANES);
        let mut digits = Vec::new();
        if out.group_valid != 0 && group_ready {
            let last = out.last != 0;
            for i in (0..LANES).filter(|&i| out.present[i] != 0) {
                digits.push(Digit {
                    window: out.group as usize * LANES + i,
                    lane: i,
                    magnitude: out.magnitude[i],
                    negative: out.negative[i] != 0,
                    last,
                });
            }
            let mut extra: Vec<Digit> = (0..LANES)
                .filter(|&i| out.extra[i] != 0)
                .map(|i| Digit {
                    // Lane k + r h holds left-over k.
                    window: split.full * LANES + i % split.leftover,
                    lane: i,
                    magnitude: out.extra_magnitude[i],
                    negative: out.extra_negative[i] != 0,
                    last,
                })
                .collect();
            extra.sort_by_key(|d| d.window);
            digits.extend(extra);
        }
        SlicerStep {
            scalar_taken: scalar.is_some() && out.scalar_ready != 0,
            digits,
        }
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
