//! A Verilated Fq unit (add/sub or multiplier of the test configuration) behind a safe API.

use std::ffi::c_void;
use std::path::Path;

use crate::model::{lifecycle, Model};
use crate::{from_words, to_words};

type Set = unsafe extern "C" fn(*mut c_void, u8, u8, u32, *const u32, *const u32);
type Get = unsafe extern "C" fn(*mut c_void, *mut u8, *mut u32, *mut u32);

extern "C" {
    fn fq_add_sub_set(p: *mut c_void, valid: u8, sub: u8, tag: u32, a: *const u32, b: *const u32);
    fn fq_add_sub_get(p: *mut c_void, valid: *mut u8, tag: *mut u32, result: *mut u32);
    fn fq_mul_set(p: *mut c_void, valid: u8, sub: u8, tag: u32, a: *const u32, b: *const u32);
    fn fq_mul_get(p: *mut c_void, valid: *mut u8, tag: *mut u32, result: *mut u32);
}
lifecycle!(
    ADD_SUB,
    fq_add_sub_new,
    fq_add_sub_free,
    fq_add_sub_trace,
    fq_add_sub_tick
);
lifecycle!(MUL, fq_mul_new, fq_mul_free, fq_mul_trace, fq_mul_tick);

/// One operation: Montgomery-form limbs below p. `sub` selects a - b on the add/sub unit and is
/// ignored by the multiplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldOp {
    pub sub: bool,
    pub tag: u32,
    pub a: [u64; 4],
    pub b: [u64; 4],
}

/// A Verilated unit.
pub struct FieldUnit {
    model: Model,
    set: Set,
    get: Get,
}

impl FieldUnit {
    /// The add/sub unit: a + b or a - b mod p.
    pub fn add_sub() -> Self {
        FieldUnit {
            model: Model::new(&ADD_SUB),
            set: fq_add_sub_set,
            get: fq_add_sub_get,
        }
    }

    /// The Montgomery multiplier: a b R^{-1} mod p.
    pub fn mul() -> Self {
        FieldUnit {
            model: Model::new(&MUL),
            set: fq_mul_set,
            get: fq_mul_get,
        }
    }

    /// Dumps a VCD waveform of every later clock to `path`.
    pub fn trace(&mut self, path: &Path) -> std::io::Result<()> {
        self.model.trace(path)
    }

    /// One clock with `op` at the inputs (`None`: an idle cycle). Returns what the unit outputs
    /// after the edge: the tag and result of a completed operation, if any.
    pub fn step(&mut self, op: Option<&FieldOp>) -> Option<(u32, [u64; 4])> {
        let idle = FieldOp {
            sub: false,
            tag: 0,
            a: [0; 4],
            b: [0; 4],
        };
        let o = op.unwrap_or(&idle);
        let (a, b) = (to_words(&o.a), to_words(&o.b));
        let (mut valid, mut tag, mut result) = (0u8, 0u32, [0u32; 8]);
        let m = self.model.ptr();
        // SAFETY: `m` is live while self is; the word arrays are 8 x u32 = 32 bytes, what the
        // shim copies.
        unsafe {
            (self.set)(
                m,
                op.is_some().into(),
                o.sub.into(),
                o.tag,
                a.as_ptr(),
                b.as_ptr(),
            )
        };
        self.model.tick();
        // SAFETY: as above.
        unsafe { (self.get)(m, &mut valid, &mut tag, result.as_mut_ptr()) };
        (valid != 0).then(|| (tag, from_words(&result)))
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
