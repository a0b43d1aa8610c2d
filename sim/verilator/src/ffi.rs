//! Every unsafe line of the crate: the generated glue of each Verilated unit (`build.rs`:
//! `Inputs`, `Outputs` and the C entry points, from the unit's port list) and the one safe type
//! over it, [`Model`]. The unit wrappers of the crate use only `Model`.

use std::ffi::{c_char, c_void, CString};
use std::path::Path;
use std::ptr::NonNull;

/// The C entry points of one Verilated unit (`MODEL(name)` in `csrc/model.h` and the
/// generated `name_step`).
pub struct Unit<I: 'static, O: 'static> {
    pub new: unsafe extern "C" fn() -> *mut c_void,
    pub free: unsafe extern "C" fn(*mut c_void),
    pub trace: unsafe extern "C" fn(*mut c_void, *const c_char) -> i32,
    pub step: unsafe extern "C" fn(*mut c_void, *const I, *mut O),
}

include!(concat!(env!("OUT_DIR"), "/glue.rs"));

/// A live Verilated model. Not `Send`: a Verilated model belongs to the thread that made it.
pub struct Model<I: 'static, O: 'static> {
    unit: &'static Unit<I, O>,
    ptr: NonNull<c_void>,
    cycles: u64,
}

impl<I, O: Default> Model<I, O> {
    pub fn new(unit: &'static Unit<I, O>) -> Self {
        // SAFETY: `new` allocates a fresh model; it never returns null (C++ new throws).
        let ptr = NonNull::new(unsafe { (unit.new)() }).expect("Verilated model");
        Model {
            unit,
            ptr,
            cycles: 0,
        }
    }

    /// Dumps a VCD waveform of every later clock to `path`.
    pub fn trace(&mut self, path: &Path) -> std::io::Result<()> {
        let c = CString::new(path.to_string_lossy().as_bytes()).map_err(std::io::Error::other)?;
        // SAFETY: the model is live (owned by self); `c` outlives the call, which copies it.
        match unsafe { (self.unit.trace)(self.ptr.as_ptr(), c.as_ptr()) } {
            0 => Ok(()),
            _ => Err(std::io::Error::other(format!(
                "cannot trace to {}",
                path.display()
            ))),
        }
    }

    /// One clock, the same for every unit: `inputs` set and settled, the outputs read (what the
    /// rising edge samples: registered outputs of earlier edges, and combinational ones of
    /// these inputs), then the edge.
    pub fn step(&mut self, inputs: &I) -> O {
        let mut outputs = O::default();
        // SAFETY: the model is live (owned by self); `I` and `O` are the `#[repr(C)]` structs
        // generated with the shim from one port list, so the shim reads and writes exactly
        // their fields; both references are valid for the call.
        unsafe { (self.unit.step)(self.ptr.as_ptr(), inputs, &mut outputs) };
        self.cycles += 1;
        outputs
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }
}

impl<I, O> Drop for Model<I, O> {
    fn drop(&mut self) {
        // SAFETY: the model came from this unit's `new` and is freed exactly once, here.
        unsafe { (self.unit.free)(self.ptr.as_ptr()) }
    }
}
