//! The Verilated adder lane of the test configuration behind a safe API.

use std::ffi::c_void;
use std::path::Path;

use msm_sim::model::{Fq, Projective};

use crate::model::{lifecycle, Model};
use crate::{from_words, to_words};

extern "C" {
    fn fq_lane_set(p: *mut c_void, valid: u8, negate: u8, tag: u32, inputs: *const u32);
    fn fq_lane_get(p: *mut c_void, valid: *mut u8, tag: *mut u32, outputs: *mut u32);
}
lifecycle!(LANE, fq_lane_new, fq_lane_free, fq_lane_trace, fq_lane_tick);

/// Projective coordinates (X, Y, Z), Montgomery-form limbs below p.
pub type Coords = [[u64; 4]; 3];

/// The model's point as coordinates.
pub fn coords(p: &Projective) -> Coords {
    [p.x.montgomery(), p.y.montgomery(), p.z.montgomery()]
}

/// Coordinates (as the RTL outputs them) as the model's point.
pub fn projective(c: &Coords) -> Projective {
    let f = |l: &[u64; 4]| Fq::from_montgomery(*l).expect("the RTL keeps coordinates below p");
    Projective {
        x: f(&c[0]),
        y: f(&c[1]),
        z: f(&c[2]),
    }
}

/// One addition: `p` + (`q` with Y negated if `negate`). A mixed addition has q's Z = 1 in
/// Montgomery form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaneOp {
    pub negate: bool,
    pub tag: u32,
    pub p: Coords,
    pub q: Coords,
}

/// The Verilated lane.
pub struct Lane {
    model: Model,
}

impl Default for Lane {
    fn default() -> Self {
        Lane {
            model: Model::new(&LANE),
        }
    }
}

impl Lane {
    /// Dumps a VCD waveform of every later clock to `path`.
    pub fn trace(&mut self, path: &Path) -> std::io::Result<()> {
        self.model.trace(path)
    }

    /// One clock with `op` at the inputs (`None`: an idle cycle). Returns what the lane outputs
    /// after the edge: the tag and sum of a completed addition, if any.
    pub fn step(&mut self, op: Option<&LaneOp>) -> Option<(u32, Coords)> {
        let mut words = [0u32; 48];
        let (valid, negate, tag) = match op {
            Some(o) => {
                for (i, c) in o.p.iter().chain(&o.q).enumerate() {
                    words[8 * i..8 * i + 8].copy_from_slice(&to_words(c));
                }
                (1, o.negate.into(), o.tag)
            }
            None => (0, 0, 0),
        };
        let (mut valid_out, mut tag_out, mut out) = (0u8, 0u32, [0u32; 24]);
        let m = self.model.ptr();
        // SAFETY: `m` is live while self is; `words` is the 6 x 8 words the shim reads.
        unsafe { fq_lane_set(m, valid, negate, tag, words.as_ptr()) };
        self.model.tick();
        // SAFETY: as above; `out` is the 3 x 8 words the shim writes.
        unsafe { fq_lane_get(m, &mut valid_out, &mut tag_out, out.as_mut_ptr()) };
        (valid_out != 0).then(|| {
            let coord = |i: usize| from_words(out[8 * i..8 * i + 8].try_into().unwrap());
            (tag_out, [coord(0), coord(1), coord(2)])
        })
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
