//! A Verilated Fq unit (add/sub or multiplier of the test configuration) behind a safe API.
//! All the unsafe code of the crate is here: calls into the C shims of `csrc/field_unit.h`.

use std::ffi::{c_char, c_void, CString};
use std::path::Path;
use std::ptr::NonNull;

use crate::{from_words, to_words};

type Set = unsafe extern "C" fn(*mut c_void, u8, u8, u32, *const u32, *const u32);

/// The C entry points of one unit (`FIELD_UNIT(name, ..)` in the shim).
struct Ffi {
    new: unsafe extern "C" fn() -> *mut c_void,
    free: unsafe extern "C" fn(*mut c_void),
    trace: unsafe extern "C" fn(*mut c_void, *const c_char) -> i32,
    set: Set,
    tick: unsafe extern "C" fn(*mut c_void),
    get: unsafe extern "C" fn(*mut c_void, *mut u8, *mut u32, *mut u32),
}

macro_rules! ffi {
    ($name:ident, $new:ident, $free:ident, $trace:ident, $set:ident, $tick:ident, $get:ident) => {
        extern "C" {
            fn $new() -> *mut c_void;
            fn $free(p: *mut c_void);
            fn $trace(p: *mut c_void, path: *const c_char) -> i32;
            fn $set(p: *mut c_void, valid: u8, sub: u8, tag: u32, a: *const u32, b: *const u32);
            fn $tick(p: *mut c_void);
            fn $get(p: *mut c_void, valid: *mut u8, tag: *mut u32, result: *mut u32);
        }
        static $name: Ffi = Ffi {
            new: $new,
            free: $free,
            trace: $trace,
            set: $set,
            tick: $tick,
            get: $get,
        };
    };
}

ffi!(
    ADD_SUB,
    fq_add_sub_new,
    fq_add_sub_free,
    fq_add_sub_trace,
    fq_add_sub_set,
    fq_add_sub_tick,
    fq_add_sub_get
);
ffi!(
    MUL,
    fq_mul_new,
    fq_mul_free,
    fq_mul_trace,
    fq_mul_set,
    fq_mul_tick,
    fq_mul_get
);

/// One operation: Montgomery-form limbs below p. `sub` selects a - b on the add/sub unit and is
/// ignored by the multiplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldOp {
    pub sub: bool,
    pub tag: u32,
    pub a: [u64; 4],
    pub b: [u64; 4],
}

/// A Verilated unit. Not `Send`: a Verilated model belongs to the thread that made it.
pub struct FieldUnit {
    ffi: &'static Ffi,
    model: NonNull<c_void>,
    cycles: u64,
}

impl FieldUnit {
    /// The add/sub unit: a + b or a - b mod p.
    pub fn add_sub() -> Self {
        Self::new(&ADD_SUB)
    }

    /// The Montgomery multiplier: a b R^{-1} mod p.
    pub fn mul() -> Self {
        Self::new(&MUL)
    }

    fn new(ffi: &'static Ffi) -> Self {
        // SAFETY: `new` allocates a fresh model; it never returns null (C++ new throws).
        let model = NonNull::new(unsafe { (ffi.new)() }).expect("Verilated model");
        FieldUnit {
            ffi,
            model,
            cycles: 0,
        }
    }

    /// Dumps a VCD waveform of every later clock to `path`.
    pub fn trace(&mut self, path: &Path) -> std::io::Result<()> {
        let c = CString::new(path.to_string_lossy().as_bytes()).map_err(std::io::Error::other)?;
        // SAFETY: `model` is live (owned by self); `c` outlives the call, which copies it.
        match unsafe { (self.ffi.trace)(self.model.as_ptr(), c.as_ptr()) } {
            0 => Ok(()),
            _ => Err(std::io::Error::other(format!(
                "cannot trace to {}",
                path.display()
            ))),
        }
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
        let m = self.model.as_ptr();
        // SAFETY: `m` is live; the word arrays are 8 x u32 = 32 bytes, what the shim copies.
        unsafe {
            (self.ffi.set)(
                m,
                op.is_some().into(),
                o.sub.into(),
                o.tag,
                a.as_ptr(),
                b.as_ptr(),
            );
            (self.ffi.tick)(m);
            (self.ffi.get)(m, &mut valid, &mut tag, result.as_mut_ptr());
        }
        self.cycles += 1;
        (valid != 0).then(|| (tag, from_words(&result)))
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }
}

impl Drop for FieldUnit {
    fn drop(&mut self) {
        // SAFETY: `model` came from this unit's `new` and is freed exactly once, here.
        unsafe { (self.ffi.free)(self.model.as_ptr()) }
    }
}
