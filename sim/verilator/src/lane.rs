//! The Verilated adder lane of the test configuration, or the ecp5 configuration's folded one,
//! behind a safe API.

use std::path::Path;

use msm_sim::model::Projective;

use crate::ffi::{ecp5_fq_lane, fq_lane, Model};
use crate::{from_words, to_words};

/// Projective coordinates (X, Y, Z), Montgomery-form limbs below p.
pub type Coords = [[u64; 4]; 3];

/// The model's point as coordinates.
pub fn coords(p: &Projective) -> Coords {
    [p.x.montgomery(), p.y.montgomery(), p.z.montgomery()]
}

/// Coordinates (as the RTL outputs them) as the model's point.
pub fn projective(c: &Coords) -> Projective {
    Projective::from_montgomery(c).expect("the RTL keeps coordinates below p")
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
    model: Model<fq_lane::Inputs, fq_lane::Outputs>,
}

impl Default for Lane {
    fn default() -> Self {
        Lane {
            model: Model::new(&fq_lane::UNIT),
        }
    }
}

impl Lane {
    /// The ecp5 configuration's folded lane (one two-pass multiplier and two add/sub units
    /// shared): it takes an addition in clocks 0 mod `ECP5_FQ_LANE_INTERVAL` from power-up.
    pub fn ecp5() -> Self {
        Lane {
            model: Model::new(&ecp5_fq_lane::UNIT),
        }
    }

    /// Dumps a VCD waveform of every later clock to `path`.
    pub fn trace(&mut self, path: &Path) -> std::io::Result<()> {
        self.model.trace(path)
    }

    /// One clock with `op` at the inputs (`None`: an idle cycle). Returns what the lane outputs
    /// in this clock: the tag and sum of an addition that completed, if any.
    pub fn step(&mut self, op: Option<&LaneOp>) -> Option<(u32, Coords)> {
        let o = op.copied().unwrap_or(LaneOp {
            negate: false,
            tag: 0,
            p: [[0; 4]; 3],
            q: [[0; 4]; 3],
        });
        let out = self.model.step(&fq_lane::Inputs {
            valid_in: op.is_some().into(),
            negate: o.negate.into(),
            tag_in: o.tag,
            x1: to_words(&o.p[0]),
            y1: to_words(&o.p[1]),
            z1: to_words(&o.p[2]),
            x2: to_words(&o.q[0]),
            y2: to_words(&o.q[1]),
            z2: to_words(&o.q[2]),
        });
        (out.valid_out != 0).then(|| {
            (
                out.tag_out,
                [
                    from_words(&out.x3),
                    from_words(&out.y3),
                    from_words(&out.z3),
                ],
            )
        })
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
