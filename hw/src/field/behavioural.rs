//! Behavioural leaves of the field units, for fast simulation of a whole configuration: the
//! same module name and ports as the structural unit, the same latency, valid and tag.
//! Everything around them stays the generated RTL.
//!
//! A result is computed only for a valid input (the lane discards the rest) and waits in a
//! ring of `latency` entries, so the simulator does one operation per valid input instead of
//! stepping every pipeline register. The add/sub unit's arithmetic is a plain Verilog
//! expression. The multiplier's is the DPI-C function [`MUL_DPI`], which the simulator
//! supplies (`sim/verilator/csrc/fast_leaves.cpp`: 64-bit limbs; Verilator's 512-bit `*`
//! took 80% of a whole card's simulation).

use std::fmt::Write as _;

use msm_spec::limbs::{Limbs, P};

use crate::verilog::Port;

/// A 256-bit Verilog constant.
fn hex(l: &Limbs) -> String {
    format!("256'h{:016x}{:016x}{:016x}{:016x}", l[3], l[2], l[1], l[0])
}

/// The module header, from the structural unit's port list.
fn header(name: &str, ports: &[Port]) -> String {
    let decls: Vec<String> = ports
        .iter()
        .map(|p| format!("    {}", p.declaration()))
        .collect();
    format!("module {name}(\n{}\n);\n", decls.join(",\n"))
}

fn width(ports: &[Port], name: &str) -> usize {
    ports
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("the unit has no port {name}"))
        .width
}

/// The DPI-C function of the behavioural multiplier: `r = a b R^-1 mod p` for a, b below p,
/// each 8 little-endian 32-bit words.
pub const MUL_DPI: &str = "msm_fq_mont_mul";

/// The ring that delays valid, tag and the result by `latency` clocks. `call` is a statement
/// that sets `result_now` from the operands (with what `decls` declares); it runs for valid
/// inputs only.
fn leaf(name: &str, ports: &[Port], latency: usize, decls: &str, call: &str) -> String {
    assert!(latency >= 1, "{name}: latency {latency}");
    let tag = width(ports, "tag_in");
    assert_eq!(width(ports, "result"), 256, "{name}: result width");
    let last = latency - 1;
    let mut v = header(name, ports);
    let _ = write!(
        v,
        "{decls}\
         \x20   reg [255:0] r [0:{last}];\n\
         \x20   reg [{tl}:0] g [0:{last}];\n\
         \x20   reg v [0:{last}];\n\
         \x20   reg [15:0] at;\n\
         \x20   reg [255:0] result_now;\n\
         \x20   integer i;\n\
         \x20   initial begin\n\
         \x20       at = 16'd0;\n\
         \x20       for (i = 0; i < {latency}; i = i + 1) begin\n\
         \x20           v[i] = 1'b0;\n\
         \x20           g[i] = {tag}'d0;\n\
         \x20           r[i] = 256'd0;\n\
         \x20       end\n\
         \x20   end\n\
         \x20   always @(posedge clock) begin\n\
         \x20       if (valid_in) begin\n\
         \x20           {call};\n\
         \x20           r[at[{ab}:0]] <= result_now;\n\
         \x20       end\n\
         \x20       v[at[{ab}:0]] <= valid_in;\n\
         \x20       g[at[{ab}:0]] <= tag_in;\n\
         \x20       at <= (at == 16'd{last}) ? 16'd0 : at + 16'd1;\n\
         \x20   end\n\
         \x20   assign result = r[at[{ab}:0]];\n\
         \x20   assign valid_out = v[at[{ab}:0]];\n\
         \x20   assign tag_out = g[at[{ab}:0]];\n\
         endmodule\n",
        tl = tag - 1,
        // Index bits of the ring (at least one).
        ab = (usize::BITS - last.max(1).leading_zeros()) as usize - 1,
    );
    v
}

/// The Montgomery multiplier a b R^-1 mod p for operands below p, by [`MUL_DPI`].
pub fn mul(name: &str, ports: &[Port], latency: usize) -> String {
    leaf(
        name,
        ports,
        latency,
        &format!(
            "    import \"DPI-C\" function void {MUL_DPI}(input bit [255:0] a, \
             input bit [255:0] b, output bit [255:0] r);\n"
        ),
        &format!("{MUL_DPI}(a, b, result_now)"),
    )
}

/// a + b or a - b mod p (`sub`) for operands below p.
pub fn add_sub(name: &str, ports: &[Port], latency: usize) -> String {
    assert_eq!(width(ports, "sub"), 1, "{name}: the sub port");
    leaf(
        name,
        ports,
        latency,
        &format!(
            "    localparam [255:0] P = {};\n\
             \x20   function automatic [255:0] f(input [255:0] x, input [255:0] y, input s);\n\
             \x20       reg [256:0] d;\n\
             \x20       begin\n\
             \x20           if (s) begin\n\
             \x20               d = {{1'b0, x}} - {{1'b0, y}};\n\
             \x20               f = (x >= y) ? d[255:0] : d[255:0] + P;\n\
             \x20           end else begin\n\
             \x20               d = {{1'b0, x}} + {{1'b0, y}};\n\
             \x20               f = (d >= {{1'b0, P}}) ? d[255:0] - P : d[255:0];\n\
             \x20           end\n\
             \x20       end\n\
             \x20   endfunction\n",
            hex(&P)
        ),
        "result_now = f(a, b, sub)",
    )
}
