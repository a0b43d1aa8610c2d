//! The Verilated `fq_add_sub` unit (test configuration).

use std::ffi::{c_char, c_void, CString};
use std::path::Path;
use std::ptr::NonNull;

use crate::{from_words, to_words};

extern "C" {
    fn fq_add_sub_new() -> *mut c_void;
    fn fq_add_sub_free(p: *mut c_void);
    fn fq_add_sub_trace(p: *mut c_void, path: *const c_char) -> i32;
    fn fq_add_sub_set(p: *mut c_void, valid: u8, sub: u8, tag: u32, a: *const u32, b: *const u32);
    fn fq_add_sub_tick(p: *mut c_void);
    fn fq_add_sub_get(p: *mut c_void, valid: *mut u8, tag: *mut u32, result: *mut u32);
}

/// One operation: a + b (or a - b with `sub`) mod p, Montgomery-form limbs below p.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddSubOp {
    pub sub: bool,
    pub tag: u32,
    pub a: [u64; 4],
    pub b: [u64; 4],
}

/// The unit. Not `Send`: a Verilated model belongs to the thread that made it.
pub struct FqAddSub {
    model: NonNull<c_void>,
    cycles: u64,
}

impl FqAddSub {
    pub fn new() -> Self {
        // SAFETY: fq_add_sub_new allocates a fresh model and never returns null (new throws).
        let model = NonNull::new(unsafe { fq_add_sub_new() }).expect("Verilated model");
        FqAddSub { model, cycles: 0 }
    }

    /// Dumps a VCD waveform of every later clock to `path`.
    pub fn trace(&mut self, path: &Path) -> std::io::Result<()> {
        let c = CString::new(path.to_string_lossy().as_bytes()).map_err(std::io::Error::other)?;
        // SAFETY: `model` is live (owned by self); `c` outlives the call, which copies it.
        match unsafe { fq_add_sub_trace(self.model.as_ptr(), c.as_ptr()) } {
            0 => Ok(()),
            _ => Err(std::io::Error::other(format!(
                "cannot trace to {}",
                path.display()
            ))),
        }
    }

    /// One clock with `op` at the inputs (`None`: an idle cycle). Returns what the unit outputs
    /// after the edge: the tag and result of a completed operation, if any.
    pub fn step(&mut self, op: Option<&AddSubOp>) -> Option<(u32, [u64; 4])> {
        let zero = AddSubOp {
            sub: false,
            tag: 0,
            a: [0; 4],
            b: [0; 4],
        };
        let o = op.unwrap_or(&zero);
        let (a, b) = (to_words(&o.a), to_words(&o.b));
        let (mut valid, mut tag, mut result) = (0u8, 0u32, [0u32; 8]);
        let m = self.model.as_ptr();
        // SAFETY: `m` is live; the word arrays are 8 x u32 = 32 bytes, what the shim copies.
        unsafe {
            fq_add_sub_set(
                m,
                op.is_some().into(),
                o.sub.into(),
                o.tag,
                a.as_ptr(),
                b.as_ptr(),
            );
            fq_add_sub_tick(m);
            fq_add_sub_get(m, &mut valid, &mut tag, result.as_mut_ptr());
        }
        self.cycles += 1;
        (valid != 0).then(|| (tag, from_words(&result)))
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }
}

impl Default for FqAddSub {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for FqAddSub {
    fn drop(&mut self) {
        // SAFETY: `model` came from fq_add_sub_new and is freed exactly once, here.
        unsafe { fq_add_sub_free(self.model.as_ptr()) }
    }
}
