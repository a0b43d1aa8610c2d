//! The Verilator glue of a unit, generated from its port list (`msm_hw::verilog::Unit::ports`):
//! a C++ shim with one `step` entry point and the Rust `#[repr(C)]` structs and `extern`
//! declarations that match it. Nothing of a unit's ports is written by hand on either side.
//!
//! Layout, the same in C and Rust: every input port but `clock` in `Inputs`, every output in
//! `Outputs`, in port order; a port of <= 32 bits is a `uint32_t`, <= 64 bits a `uint64_t`,
//! wider ones `uint32_t[words]` (little-endian, as Verilator's `VlWide`). Ports rust-hdl names
//! `name$0`, `name$1`, ... (an array of signals) become one array field `name`.

use std::fmt::Write as _;

use msm_hw::verilog::{Dir, Port};

/// One field of `Inputs` or `Outputs`: a port, or an array of equal ports.
struct Field {
    name: String,
    /// The Verilog port names, one per element (one for a plain port).
    ports: Vec<String>,
    /// rust-hdl's array of signals (`name$i`), even of one element.
    array: bool,
    width: usize,
}

impl Field {
    fn words(&self) -> usize {
        self.width.div_ceil(32)
    }

    /// The C and Rust types of one element.
    fn element(&self) -> (&'static str, String) {
        match self.width {
            0..=32 => ("uint32_t", "u32".into()),
            33..=64 => ("uint64_t", "u64".into()),
            _ => ("uint32_t", format!("[u32; {}]", self.words())),
        }
    }
}

/// Verilator's C++ name of a Verilog port (`$` is escaped as `__024`).
fn verilated(port: &str) -> String {
    port.replace('$', "__024")
}

fn fields(ports: &[Port], dir: Dir) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for p in ports.iter().filter(|p| p.dir == dir && p.name != "clock") {
        let (base, index) = match p.name.rsplit_once('$') {
            Some((b, i)) if i.parse::<usize>().is_ok() => (b, i.parse::<usize>().ok()),
            _ => (p.name.as_str(), None),
        };
        match out.last_mut() {
            Some(f) if index.is_some_and(|i| i > 0 && f.name == base && f.ports.len() == i) => {
                assert_eq!(
                    f.width, p.width,
                    "array port {base}: elements differ in width"
                );
                f.ports.push(p.name.clone());
            }
            _ => out.push(Field {
                name: base.to_owned(),
                ports: vec![p.name.clone()],
                array: index.is_some(),
                width: p.width,
            }),
        }
    }
    out
}

fn c_struct(name: &str, fields: &[Field]) -> String {
    let mut s = format!("struct {name} {{\n");
    for f in fields {
        let (c, _) = f.element();
        let wide = if f.width > 64 {
            format!("[{}]", f.words())
        } else {
            String::new()
        };
        let array = if f.array {
            format!("[{}]", f.ports.len())
        } else {
            String::new()
        };
        let _ = writeln!(s, "    {c} {}{array}{wide};", f.name);
    }
    s + "};\n"
}

fn rust_struct(name: &str, fields: &[Field], doc: &str) -> String {
    let mut s = format!(
        "/// {doc}\n#[repr(C)]\n#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]\npub struct {name} {{\n"
    );
    for f in fields {
        let (_, r) = f.element();
        let ty = if f.array {
            format!("[{r}; {}]", f.ports.len())
        } else {
            r
        };
        let _ = writeln!(
            s,
            "    /// `{}`, {} bits.\n    pub {}: {ty},",
            f.ports[0], f.width, f.name
        );
    }
    s + "}\n"
}

/// Copies between the model's ports and a struct: `to_model` for inputs.
fn copies(fields: &[Field], to_model: bool) -> String {
    let mut s = String::new();
    for f in fields {
        for (i, port) in f.ports.iter().enumerate() {
            let field = if f.array {
                format!("{}[{i}]", f.name)
            } else {
                f.name.clone()
            };
            let (model, st) = (format!("t->{}", verilated(port)), format!("s->{field}"));
            let line = match (f.width > 64, to_model) {
                (true, true) => format!("std::memcpy({model}.data(), {st}, {});", 4 * f.words()),
                (true, false) => format!("std::memcpy({st}, {model}.data(), {});", 4 * f.words()),
                (false, true) => format!("{model} = {st};"),
                (false, false) => format!("{st} = {model};"),
            };
            let _ = writeln!(s, "    {line}");
        }
    }
    s
}

/// Do two port lists give the same `Inputs` and `Outputs` (field names, element types and
/// array lengths), so that one Rust type serves both units?
pub fn same_layout(a: &[Port], b: &[Port]) -> bool {
    let key = |ports: &[Port], dir| -> Vec<(String, &'static str, String, usize)> {
        fields(ports, dir)
            .iter()
            .map(|f| {
                let (c, r) = f.element();
                (f.name.clone(), c, r, f.ports.len())
            })
            .collect()
    };
    [Dir::In, Dir::Out]
        .into_iter()
        .all(|d| key(a, d) == key(b, d))
}

/// The C++ shim of the Verilated model `V<name>` with the ports `ports`.
pub fn shim(name: &str, ports: &[Port], traced: bool) -> String {
    let (ins, outs) = (fields(ports, Dir::In), fields(ports, Dir::Out));
    let model = if traced { "MODEL" } else { "MODEL_UNTRACED" };
    format!(
        "// Generated by build.rs from the port list of `{name}`: do not edit.\n\
         #include \"V{name}.h\"\n#include \"model.h\"\n\n\
         {model}({name})\n\n\
         {}{}\n\
         extern \"C\" void {name}_step(void* p, const {name}_in* s_in, {name}_out* s_out) {{\n\
         \x20   V{name}* t = MODEL_TOP({name}, p);\n\
         \x20   const {name}_in* s = s_in;\n{}\
         \x20   MODEL_HALF({name}, p, 0);\n\
         \x20   {{\n\x20   {name}_out* s = s_out;\n{}\x20   }}\n\
         \x20   MODEL_HALF({name}, p, 1);\n}}\n",
        c_struct(&format!("{name}_in"), &ins),
        c_struct(&format!("{name}_out"), &outs),
        copies(&ins, true),
        copies(&outs, false),
    )
}

/// The Rust side of `name`: a module with `Inputs`, `Outputs`, the entry points and `UNIT`.
/// A unit whose ports equal those of `same_as` shares its structs.
pub fn rust(name: &str, ports: &[Port], same_as: Option<&str>) -> String {
    let structs = match same_as {
        Some(other) => format!("pub use super::{other}::{{Inputs, Outputs}};\n"),
        None => {
            rust_struct(
                "Inputs",
                &fields(ports, Dir::In),
                "Every input but the clock.",
            ) + &rust_struct("Outputs", &fields(ports, Dir::Out), "Every output.")
        }
    };
    format!(
        "/// The generated glue of `{name}`.\npub mod {name} {{\n{structs}\n\
         extern \"C\" {{\n\
         \x20   fn {name}_new() -> *mut std::ffi::c_void;\n\
         \x20   fn {name}_free(p: *mut std::ffi::c_void);\n\
         \x20   fn {name}_trace(p: *mut std::ffi::c_void, path: *const std::ffi::c_char) -> i32;\n\
         \x20   fn {name}_step(p: *mut std::ffi::c_void, i: *const Inputs, o: *mut Outputs);\n}}\n\n\
         /// The entry points of the Verilated `{name}`.\n\
         pub static UNIT: super::Unit<Inputs, Outputs> = super::Unit {{\n\
         \x20   new: {name}_new,\n    free: {name}_free,\n    trace: {name}_trace,\n    step: {name}_step,\n}};\n}}\n"
    )
}
