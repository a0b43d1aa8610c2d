//! The port list of a generated unit, and a pin-reducing wrapper around it for place and route.
//!
//! A unit's operands are hundreds of bits wide; the LFE5UM5G-85F in CABGA381 has 205 user IOs.
//! The wrapper `<unit>_pins` feeds every input bit from a shift register loaded `pins` bits per
//! cycle and folds every output bit into a shift register whose low `pins` bits are the outputs
//! (`sr_out <= (sr_out >> pins) ^ outputs`): every input bit comes from a pin, every output bit
//! reaches a pin, so synthesis keeps the whole unit, and the wrapper adds one LUT level at most
//! between registers, well clear of the unit's own critical path.

use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    In,
    Out,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub dir: Dir,
    pub width: usize,
}

/// The name of the clock port of every rust-hdl unit.
pub const CLOCK: &str = "clock";

/// Removes `//` and `/* */` comments (rust-hdl emits no strings that contain either).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let line = rest.find("//");
        let block = rest.find("/*");
        match (line, block) {
            (Some(l), b) if b.is_none_or(|b| l < b) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |e| &rest[l + e..]);
            }
            (_, Some(b)) => {
                out.push_str(&rest[..b]);
                out.push(' ');
                rest = rest[b + 2..]
                    .find("*/")
                    .map_or("", |e| &rest[b + 2 + e + 2..]);
            }
            _ => {
                out.push_str(rest);
                rest = "";
            }
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Parses a declaration after its direction keyword: `wire signed [255:0] a, b`.
/// Returns the width and the declared names.
fn parse_decl(rest: &str) -> Result<(usize, Vec<String>), String> {
    let mut rest = rest.trim_start();
    for kw in ["wire", "reg", "logic", "signed", "unsigned"] {
        if let Some(r) = rest.strip_prefix(kw) {
            if !r.starts_with(is_ident_char) {
                rest = r.trim_start();
            }
        }
    }
    // Keywords may come in either order (`reg signed`), so strip them once more.
    for kw in ["signed", "unsigned"] {
        if let Some(r) = rest.strip_prefix(kw) {
            if !r.starts_with(is_ident_char) {
                rest = r.trim_start();
            }
        }
    }
    let mut width = 1;
    if let Some(r) = rest.strip_prefix('[') {
        let end = r
            .find(']')
            .ok_or_else(|| format!("unclosed range in `{rest}`"))?;
        let (hi, lo) = r[..end]
            .split_once(':')
            .ok_or_else(|| format!("range without `:` in `{rest}`"))?;
        let num = |s: &str| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| format!("non-numeric range bound `{}` in `{rest}`", s.trim()))
        };
        width = (num(hi)? - num(lo)?).unsigned_abs() as usize + 1;
        rest = r[end + 1..].trim_start();
    }
    let names: Vec<String> = rest
        .split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err(format!("declaration without a name: `{rest}`"));
    }
    Ok((width, names))
}

fn direction(stmt: &str) -> Option<(Dir, &str)> {
    for (kw, dir) in [("input", Dir::In), ("output", Dir::Out)] {
        if let Some(r) = stmt.strip_prefix(kw) {
            if !r.starts_with(is_ident_char) {
                return Some((dir, r));
            }
        }
    }
    None
}

/// The ports of module `module` in `verilog`, in header order. Accepts the non-ANSI style that
/// rust-hdl emits (`module m(a,b); input wire [255:0] a; ...`) and ANSI headers.
pub fn ports(verilog: &str, module: &str) -> Result<Vec<Port>, String> {
    let text = strip_comments(verilog);
    // Find `module <name>` followed by `(` or `;`.
    let mut search = 0;
    let header_start = loop {
        let at = text[search..]
            .find("module")
            .map(|i| search + i)
            .ok_or_else(|| format!("module `{module}` not found"))?;
        search = at + "module".len();
        let before_ok = at == 0 || !text[..at].ends_with(is_ident_char);
        let after = text[search..].trim_start();
        if before_ok {
            if let Some(r) = after.strip_prefix(module) {
                if !r.starts_with(is_ident_char) {
                    break text.len() - r.len();
                }
            }
        }
    };
    let body_end = text[header_start..]
        .find("endmodule")
        .map_or(text.len(), |i| header_start + i);
    let module_text = &text[header_start..body_end];
    let header_end = module_text
        .find(';')
        .ok_or_else(|| format!("module `{module}`: header without `;`"))?;
    let header = module_text[..header_end].trim();
    let body = &module_text[header_end + 1..];

    let mut order = Vec::new();
    let mut declared: Vec<Port> = Vec::new();
    if let Some(list) = header.strip_prefix('(') {
        let list = list
            .trim_end()
            .strip_suffix(')')
            .ok_or_else(|| format!("module `{module}`: malformed port list"))?;
        // ANSI: a direction keyword starts a declaration that following bare names continue.
        let mut current: Option<(Dir, usize)> = None;
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if let Some((dir, rest)) = direction(item) {
                let (width, names) = parse_decl(rest)?;
                current = Some((dir, width));
                for name in names {
                    order.push(name.clone());
                    declared.push(Port { name, dir, width });
                }
            } else if let Some((dir, width)) = current {
                let name = item.to_string();
                order.push(name.clone());
                declared.push(Port { name, dir, width });
            } else {
                order.push(item.to_string());
            }
        }
    }
    for stmt in body.split(';').map(str::trim) {
        if stmt.starts_with("inout") {
            return Err(format!("module `{module}`: inout ports are not supported"));
        }
        if let Some((dir, rest)) = direction(stmt) {
            let (width, names) = parse_decl(rest)?;
            for name in names {
                declared.push(Port { name, dir, width });
            }
        }
    }
    order
        .into_iter()
        .map(|name| {
            declared
                .iter()
                .find(|p| p.name == name)
                .cloned()
                .ok_or_else(|| format!("module `{module}`: port `{name}` has no declaration"))
        })
        .collect()
}

/// A Verilog identifier for `name`, escaped when it is not a simple identifier.
fn ident(name: &str) -> String {
    let simple = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(is_ident_char);
    if simple {
        name.to_string()
    } else {
        format!("\\{name} ")
    }
}

/// Bits `lo..lo + width` of `bus`.
fn slice(bus: &str, lo: usize, width: usize) -> String {
    if width == 1 {
        format!("{bus}[{lo}]")
    } else {
        format!("{bus}[{}:{lo}]", lo + width - 1)
    }
}

/// The wrapper module `<unit>_pins(clock, din, dout)` around `unit`, with `pins` input and
/// `pins` output pins (fewer when the unit has fewer bits).
pub fn pins_wrapper(unit: &str, ports: &[Port], pins: usize) -> Result<String, String> {
    assert!(pins > 0);
    if let Some(clock) = ports.iter().find(|p| p.name == CLOCK) {
        if clock.dir != Dir::In || clock.width != 1 {
            return Err(format!("{unit}: port `{CLOCK}` is not a 1-bit input"));
        }
    }
    let inputs: Vec<&Port> = ports
        .iter()
        .filter(|p| p.dir == Dir::In && p.name != CLOCK)
        .collect();
    let outputs: Vec<&Port> = ports.iter().filter(|p| p.dir == Dir::Out).collect();
    let n_in: usize = inputs.iter().map(|p| p.width).sum();
    let n_out: usize = outputs.iter().map(|p| p.width).sum();
    if n_out == 0 {
        return Err(format!("{unit}: no outputs, nothing to place"));
    }
    let p_in = pins.min(n_in);
    let p_out = pins.min(n_out);

    let mut v = String::new();
    let w = &mut v;
    let name = format!("{unit}_pins");
    let _ = writeln!(
        w,
        "// Generated by synth_report: pin-reducing wrapper around `{unit}` for place and route."
    );
    let _ = writeln!(
        w,
        "// {n_in} input bits shift in {p_in} per cycle; {n_out} output bits fold into a \
         shift register read {p_out} per cycle."
    );
    let header = if p_in > 0 {
        "clock, din, dout"
    } else {
        "clock, dout"
    };
    let _ = writeln!(w, "module {}({header});", ident(&name));
    let _ = writeln!(w, "    input wire clock;");
    if p_in > 0 {
        let _ = writeln!(w, "    input wire [{}:0] din;", p_in - 1);
    }
    let _ = writeln!(w, "    output wire [{}:0] dout;", p_out - 1);
    if n_in > 0 {
        let _ = writeln!(w, "    reg [{}:0] sr_in;", n_in - 1);
    }
    let _ = writeln!(w, "    wire [{}:0] outs;", n_out - 1);
    let _ = writeln!(w, "    reg [{}:0] sr_out;", n_out - 1);
    let _ = writeln!(w, "    always @(posedge clock) begin");
    if n_in > p_in {
        let _ = writeln!(w, "        sr_in <= {{sr_in[{}:0], din}};", n_in - p_in - 1);
    } else if n_in > 0 {
        let _ = writeln!(w, "        sr_in <= din;");
    }
    let _ = writeln!(w, "        sr_out <= (sr_out >> {p_out}) ^ outs;");
    let _ = writeln!(w, "    end");
    let _ = writeln!(w, "    assign dout = sr_out[{}:0];", p_out - 1);
    let mut conns = Vec::new();
    if ports.iter().any(|p| p.name == CLOCK) {
        conns.push(format!(".{}(clock)", ident(CLOCK)));
    }
    let (mut at_in, mut at_out) = (0, 0);
    for p in ports.iter().filter(|p| p.name != CLOCK) {
        let (bus, at) = match p.dir {
            Dir::In => ("sr_in", &mut at_in),
            Dir::Out => ("outs", &mut at_out),
        };
        conns.push(format!(".{}({})", ident(&p.name), slice(bus, *at, p.width)));
        *at += p.width;
    }
    let _ = writeln!(w, "    {} unit (", ident(unit));
    let _ = writeln!(w, "        {}", conns.join(",\n        "));
    let _ = writeln!(w, "    );");
    let _ = writeln!(w, "endmodule");
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUST_HDL: &str = "\n\nmodule fq_add_sub(clock,valid_in,sub,tag_in,a,b,valid_out,tag_out,result);\n    \n    // Module arguments\n    input wire  clock;\n    input wire  valid_in;\n    input wire  sub;\n    input wire  [15:0] tag_in;\n    input wire  [255:0] a;\n    input wire  [255:0] b;\n    output reg  valid_out;\n    output reg  [15:0] tag_out;\n    output reg  [255:0] result;\n    reg  [255:0] stages$0$a_in;\n    wire  stages$0$valid_out;\nendmodule // fq_add_sub\n\nmodule fq_add_sub$stages$0(clock,valid_in);\n    input wire clock;\n    input wire [3:0] valid_in;\nendmodule\n";

    fn port(name: &str, dir: Dir, width: usize) -> Port {
        Port {
            name: name.into(),
            dir,
            width,
        }
    }

    #[test]
    fn parses_rust_hdl_ports() {
        let p = ports(RUST_HDL, "fq_add_sub").unwrap();
        assert_eq!(
            p,
            vec![
                port("clock", Dir::In, 1),
                port("valid_in", Dir::In, 1),
                port("sub", Dir::In, 1),
                port("tag_in", Dir::In, 16),
                port("a", Dir::In, 256),
                port("b", Dir::In, 256),
                port("valid_out", Dir::Out, 1),
                port("tag_out", Dir::Out, 16),
                port("result", Dir::Out, 256),
            ]
        );
        // A submodule whose name starts with the unit's is a different module.
        let sub = ports(RUST_HDL, "fq_add_sub$stages$0").unwrap();
        assert_eq!(sub[1], port("valid_in", Dir::In, 4));
        assert!(ports(RUST_HDL, "fq_add").is_err());
    }

    #[test]
    fn parses_ansi_ports() {
        let v = "module m (input wire clock, input signed [7:0] a, b, /* x */ output reg [0:3] y);\nendmodule";
        let p = ports(v, "m").unwrap();
        assert_eq!(
            p,
            vec![
                port("clock", Dir::In, 1),
                port("a", Dir::In, 8),
                port("b", Dir::In, 8),
                port("y", Dir::Out, 4),
            ]
        );
    }

    #[test]
    fn wrapper_uses_every_bit() {
        let p = ports(RUST_HDL, "fq_add_sub").unwrap();
        let w = pins_wrapper("fq_add_sub", &p, 8).unwrap();
        assert!(w.contains("module fq_add_sub_pins(clock, din, dout);"));
        assert!(w.contains("reg [529:0] sr_in;"), "{w}");
        assert!(w.contains("sr_in <= {sr_in[521:0], din};"));
        assert!(w.contains("reg [272:0] sr_out;"));
        assert!(w.contains("sr_out <= (sr_out >> 8) ^ outs;"));
        assert!(w.contains(".valid_in(sr_in[0])"));
        assert!(w.contains(".tag_in(sr_in[17:2])"));
        assert!(w.contains(".b(sr_in[529:274])"));
        assert!(w.contains(".result(outs[272:17])"));
        assert!(w.contains(".clock(clock)"));
    }

    #[test]
    fn wrapper_of_small_unit() {
        let p = vec![port("x", Dir::In, 3), port("y", Dir::Out, 2)];
        let w = pins_wrapper("u", &p, 8).unwrap();
        assert!(w.contains("input wire [2:0] din;"));
        assert!(w.contains("sr_in <= din;"));
        assert!(w.contains("output wire [1:0] dout;"));
        assert!(!w.contains(".clock("));
        assert!(pins_wrapper("u", &[port("x", Dir::In, 3)], 8).is_err());
    }
}
