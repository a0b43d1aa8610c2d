//! A Verilated Fq unit (add/sub or multiplier of the test configuration, the u55c multiplier
//! as synthesis sees it, or the ecp5 two-pass multiplier) behind a safe API.

use std::path::Path;

use crate::ffi::{fq_add_sub, fq_mul, fq_mul_ecp5, fq_mul_u55c, Model};
use crate::{from_words, to_words};

/// One operation: Montgomery-form limbs below p. `sub` selects a - b on the add/sub unit and is
/// ignored by the multiplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldOp {
    pub sub: bool,
    pub tag: u32,
    pub a: [u64; 4],
    pub b: [u64; 4],
}

enum Unit {
    AddSub(Model<fq_add_sub::Inputs, fq_add_sub::Outputs>),
    Mul(Model<fq_mul::Inputs, fq_mul::Outputs>),
    MulU55c(Model<fq_mul_u55c::Inputs, fq_mul_u55c::Outputs>),
    MulEcp5(Model<fq_mul_ecp5::Inputs, fq_mul_ecp5::Outputs>),
}

/// A Verilated unit.
pub struct FieldUnit(Unit);

impl FieldUnit {
    /// The add/sub unit: a + b or a - b mod p.
    pub fn add_sub() -> Self {
        FieldUnit(Unit::AddSub(Model::new(&fq_add_sub::UNIT)))
    }

    /// The Montgomery multiplier: a b R^{-1} mod p.
    pub fn mul() -> Self {
        FieldUnit(Unit::Mul(Model::new(&fq_mul::UNIT)))
    }

    /// The u55c configuration's multiplier with `SYNTHESIS` defined: its ternary adders are the
    /// Xilinx primitives synthesis keeps, run on models of them (csrc/xilinx_cells.v).
    pub fn mul_u55c() -> Self {
        FieldUnit(Unit::MulU55c(Model::new(&fq_mul_u55c::UNIT)))
    }

    /// The ecp5 configuration's multiplier: k passes of 256 / k-bit words through one pipeline,
    /// an operation every k clocks (in clocks of one residue mod k).
    pub fn mul_ecp5() -> Self {
        FieldUnit(Unit::MulEcp5(Model::new(&fq_mul_ecp5::UNIT)))
    }

    /// Dumps a VCD waveform of every later clock to `path`.
    pub fn trace(&mut self, path: &Path) -> std::io::Result<()> {
        match &mut self.0 {
            Unit::AddSub(m) => m.trace(path),
            Unit::Mul(m) => m.trace(path),
            Unit::MulU55c(m) => m.trace(path),
            Unit::MulEcp5(m) => m.trace(path),
        }
    }

    /// One clock with `op` at the inputs (`None`: an idle cycle). Returns what the unit outputs
    /// in this clock: the tag and result of an operation that completed, if any.
    pub fn step(&mut self, op: Option<&FieldOp>) -> Option<(u32, [u64; 4])> {
        let o = op.copied().unwrap_or(FieldOp {
            sub: false,
            tag: 0,
            a: [0; 4],
            b: [0; 4],
        });
        let (valid_in, tag_in, a, b) = (op.is_some().into(), o.tag, to_words(&o.a), to_words(&o.b));
        let (valid, tag, result) = match &mut self.0 {
            Unit::AddSub(m) => {
                let out = m.step(&fq_add_sub::Inputs {
                    valid_in,
                    sub: o.sub.into(),
                    tag_in,
                    a,
                    b,
                });
                (out.valid_out, out.tag_out, out.result)
            }
            Unit::Mul(m) => {
                let out = m.step(&fq_mul::Inputs {
                    valid_in,
                    tag_in,
                    a,
                    b,
                });
                (out.valid_out, out.tag_out, out.result)
            }
            Unit::MulU55c(m) => {
                let out = m.step(&fq_mul_u55c::Inputs {
                    valid_in,
                    tag_in,
                    a,
                    b,
                });
                (out.valid_out, out.tag_out, out.result)
            }
            Unit::MulEcp5(m) => {
                let out = m.step(&fq_mul_ecp5::Inputs {
                    valid_in,
                    tag_in,
                    a,
                    b,
                });
                (out.valid_out, out.tag_out, out.result)
            }
        };
        (valid != 0).then(|| (tag, from_words(&result)))
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        match &self.0 {
            Unit::AddSub(m) => m.cycles(),
            Unit::Mul(m) => m.cycles(),
            Unit::MulU55c(m) => m.cycles(),
            Unit::MulEcp5(m) => m.cycles(),
        }
    }
}
