//! The lifecycle of one Verilated model (`MODEL(name)` in `csrc/model.h`): create, trace, clock,
//! free. The unsafe calls of the crate are here and in the port accessors of `field_unit` and
//! `lane`, each with its SAFETY comment.

use std::ffi::{c_char, c_void, CString};
use std::path::Path;
use std::ptr::NonNull;

/// The C entry points `MODEL(name)` defines.
pub(crate) struct Lifecycle {
    pub new: unsafe extern "C" fn() -> *mut c_void,
    pub free: unsafe extern "C" fn(*mut c_void),
    pub trace: unsafe extern "C" fn(*mut c_void, *const c_char) -> i32,
    pub tick: unsafe extern "C" fn(*mut c_void),
}

/// Declares the entry points of `MODEL(name)` and a `Lifecycle` static over them.
macro_rules! lifecycle {
    ($static:ident, $new:ident, $free:ident, $trace:ident, $tick:ident) => {
        extern "C" {
            fn $new() -> *mut std::ffi::c_void;
            fn $free(p: *mut std::ffi::c_void);
            fn $trace(p: *mut std::ffi::c_void, path: *const std::ffi::c_char) -> i32;
            fn $tick(p: *mut std::ffi::c_void);
        }
        static $static: $crate::model::Lifecycle = $crate::model::Lifecycle {
            new: $new,
            free: $free,
            trace: $trace,
            tick: $tick,
        };
    };
}
pub(crate) use lifecycle;

/// A live Verilated model. Not `Send`: a Verilated model belongs to the thread that made it.
pub(crate) struct Model {
    life: &'static Lifecycle,
    ptr: NonNull<c_void>,
    cycles: u64,
}

impl Model {
    pub fn new(life: &'static Lifecycle) -> Self {
        // SAFETY: `new` allocates a fresh model; it never returns null (C++ new throws).
        let ptr = NonNull::new(unsafe { (life.new)() }).expect("Verilated model");
        Model {
            life,
            ptr,
            cycles: 0,
        }
    }

    /// The model's handle for the shim's port accessors; valid while `self` lives.
    pub fn ptr(&self) -> *mut c_void {
        self.ptr.as_ptr()
    }

    /// Dumps a VCD waveform of every later clock to `path`.
    pub fn trace(&mut self, path: &Path) -> std::io::Result<()> {
        let c = CString::new(path.to_string_lossy().as_bytes()).map_err(std::io::Error::other)?;
        // SAFETY: the model is live (owned by self); `c` outlives the call, which copies it.
        match unsafe { (self.life.trace)(self.ptr(), c.as_ptr()) } {
            0 => Ok(()),
            _ => Err(std::io::Error::other(format!(
                "cannot trace to {}",
                path.display()
            ))),
        }
    }

    /// One clock edge with the inputs already set.
    pub fn tick(&mut self) {
        // SAFETY: the model is live (owned by self).
        unsafe { (self.life.tick)(self.ptr()) };
        self.cycles += 1;
    }

    pub fn cycles(&self) -> u64 {
        self.cycles
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: the model came from this `new` and is freed exactly once, here.
        unsafe { (self.life.free)(self.ptr()) }
    }
}
