//! `fq_mul`'s arithmetic below its tiles: every sum its program builds (Karatsuba
//! recombinations and half sums, the tile grids' sums, the Montgomery tail) and every
//! shift-and-add sliver, each shape proven once on its own, generated as in the unit (carry
//! segments; on Xilinx-only configs, ternary adders of LUT6_2 and CARRY8 as synthesis reads
//! them, on the models of `sim/verilator/csrc/xilinx_cells.v`).

use std::collections::BTreeSet;

use msm_hw::config::Config;
use msm_hw::field::dataflow::{Adders, Builder, Node, Operand, Program, SumShape};
use msm_hw::field::mul;
use msm_hw::pipeline::{ram_from, DelayLines};
use msm_hw::verilog::{Dir, Port};

use crate::harness::Harness;
use crate::sby::{Proof, Verdict};

const XILINX_CELLS: &str = include_str!("../../verilator/csrc/xilinx_cells.v");

/// A ternary adder bit's LUT: its INIT, and the bit dropped in the broken variant (I0 = I1 = I2
/// = 1, I3 = 0: three summand bits set lose their carry-save bit).
const LUT_INIT: &str = "LUT6_2 #(.INIT(64'h";
const BROKEN_BIT: u32 = 7;

fn port(name: &str, dir: Dir, width: usize) -> Port {
    Port {
        name: name.into(),
        dir,
        width,
    }
}

/// `program` as module `name`: inputs i0, i1, ..., output `result`, valid and a 1-bit tag; its
/// delay lines as `lines` makes them.
fn module(name: &str, program: &Program, adders: Adders, lines: DelayLines) -> (String, Vec<Port>) {
    let inputs: Vec<String> = (0..program.inputs.len()).map(|k| format!("i{k}")).collect();
    let mut ports = vec![
        port("clock", Dir::In, 1),
        port("valid_in", Dir::In, 1),
        port("tag_in", Dir::In, 1),
    ];
    for (k, &w) in program.inputs.iter().enumerate() {
        ports.push(port(&inputs[k], Dir::In, w as usize));
    }
    let out = program.width(program.output) as usize;
    ports.extend([
        port("valid_out", Dir::Out, 1),
        port("tag_out", Dir::Out, 1),
        port("result", Dir::Out, out),
    ]);
    let decl = |p: &Port| {
        let (dir, kind) = match p.dir {
            Dir::In => ("input", "wire"),
            Dir::Out => ("output", "reg"),
        };
        format!("    {dir} {kind} [{}:0] {}", p.width - 1, p.name)
    };
    let decls: Vec<String> = ports.iter().map(decl).collect();
    let names: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let body = program.verilog(&names, "result", 1, adders, lines);
    let v = format!(
        "module {name}(\n{}\n);\n{body}endmodule\n",
        decls.join(",\n")
    );
    (v, ports)
}

/// Σ ±(summand << shift) mod 2^width over the kept inputs, as the harness's `want`.
fn sum_spec(shape: &SumShape) -> String {
    let w = shape.width;
    let mut decls = String::new();
    let mut expr = format!("{w}'h0");
    let mut var = 0;
    for (k, (o, shift, neg)) in shape.summands.iter().enumerate() {
        let value = match o {
            Operand::Const(c) => format!("{w}'h{c:x}"),
            Operand::Var(_) => {
                decls += &format!("wire [{}:0] e{k} = i{var}_0;\n", w - 1);
                var += 1;
                format!("e{k}")
            }
        };
        let sign = if *neg { '-' } else { '+' };
        expr += &format!(" {sign} ({value} << {shift})");
    }
    format!("{decls}wire [{}:0] want = {expr};\n", w - 1)
}

/// The proof that `program` (module `name`) computes `want` (declared in `spec`).
fn prove(name: String, what: String, cfg: &Config, program: &Program, spec: String) -> Proof {
    let adders = mul::adders(cfg);
    let lines = DelayLines::default().with_ram(ram_from(cfg));
    let (verilog, ports) = module("unit", program, adders, lines);
    let harness = Harness {
        dut: "unit".into(),
        ports,
        latency: program.schedule().latency as usize,
        decls: spec,
        assume: vec![],
        want: vec![
            ("result".into(), "want".into()),
            ("valid_out".into(), "valid_in_0".into()),
            ("tag_out".into(), "tag_in_0".into()),
        ],
    };
    let mut files = vec![
        ("unit.v".into(), verilog),
        ("proof.v".into(), harness.verilog()),
    ];
    let mut defines = vec![];
    if adders == Adders::Xilinx {
        files.insert(0, ("xilinx_cells.v".into(), XILINX_CELLS.into()));
        defines.push("SYNTHESIS");
    }
    Proof {
        name,
        what,
        files,
        defines,
        depth: harness.depth(),
        expect: Verdict::Pass,
    }
}

/// Whether a sum has a variable: one of constants alone folds into a constant, nothing to prove.
fn has_variable(shape: &SumShape) -> bool {
    (shape.summands.iter()).any(|(o, _, _)| matches!(o, Operand::Var(_)))
}

/// One proof per sum shape and per sliver shape of `cfg`'s multiplier; on Xilinx, a broken
/// ternary adder that must fail.
pub fn proofs(cfg: &Config) -> Result<Vec<Proof>, String> {
    let (tile, chain) = (cfg.tile, cfg.carry_bits);
    let mut proofs = Vec::new();
    let shapes = mul::sum_shapes(cfg);
    let shapes = shapes.iter().filter(|s| has_variable(s));
    for (k, shape) in shapes.enumerate() {
        let program = shape.program(tile, chain);
        let what = format!(
            "a sum of {} summands ({} subtracted), {} bits, {} clocks",
            shape.summands.len(),
            shape.summands.iter().filter(|s| s.2).count(),
            shape.width,
            program.schedule().latency
        );
        let name = format!("fq_mul.{}.sum{k:02}", cfg.name);
        proofs.push(prove(name, what, cfg, &program, sum_spec(shape)));
    }
    let whole = mul::program(cfg);
    let slivers: BTreeSet<(u32, u32)> = (whole.nodes.iter())
        .filter_map(|(n, w)| match n {
            Node::Mul { b, lut: true, .. } => Some((w - whole.width(*b), whole.width(*b))),
            _ => None,
        })
        .collect();
    for (wa, wb) in slivers {
        let mut b = Builder::new(tile, chain);
        let (x, y) = (b.input(wa), b.input(wb));
        let m = b.mul(x, y);
        let program = b.finish(m);
        let lut = matches!(program.nodes[program.output].0, Node::Mul { lut: true, .. });
        if !lut {
            return Err(format!("a {wa} x {wb} product is no longer shift-and-add"));
        }
        let name = format!("fq_mul.{}.sliver{wa}x{wb}", cfg.name);
        let what = format!("a {wa} x {wb} shift-and-add product");
        let spec = format!("wire [{}:0] want = i0_0 * i1_0;\n", wa + wb - 1);
        proofs.push(prove(name, what, cfg, &program, spec));
    }
    // The broken variant: the first proof with a ternary adder, one LUT bit off.
    let unit = |p: &Proof| p.files.iter().position(|(f, _)| f == "unit.v").unwrap();
    let first = proofs
        .iter()
        .find(|p| p.files[unit(p)].1.contains(LUT_INIT));
    if let Some(p) = first {
        let k = unit(p);
        let (file, v) = &p.files[k];
        let at = v.find(LUT_INIT).unwrap() + LUT_INIT.len();
        let init = u64::from_str_radix(&v[at..at + 16], 16).map_err(|e| e.to_string())?;
        let broken = format!("{:016x}", init & !(1 << BROKEN_BIT));
        let mut files = p.files.clone();
        files[k] = (file.clone(), v.replace(&v[at..at + 16], &broken));
        assert_ne!(files[k].1, *v, "the broken variant differs");
        proofs.push(Proof {
            name: format!("{}.broken", p.name),
            what: "the same with the ternary adders' carry-save bit lost when all three summand bits are set".into(),
            files,
            defines: p.defines.clone(),
            depth: p.depth,
            expect: Verdict::Fail,
        });
    }
    Ok(proofs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;

    #[test]
    fn the_spec_is_the_signed_sum_mod_2_to_the_width() {
        let shape = SumShape {
            summands: vec![
                (Operand::Var(8), 0, false),
                (Operand::Const(BigUint::from(5u8)), 3, false),
                (Operand::Var(4), 2, true),
            ],
            width: 10,
        };
        assert_eq!(
            sum_spec(&shape),
            "wire [9:0] e0 = i0_0;\nwire [9:0] e2 = i1_0;\n\
             wire [9:0] want = 10'h0 + (e0 << 0) + (10'h5 << 3) - (e2 << 2);\n"
        );
    }

    #[test]
    fn every_sum_shape_is_proven_and_the_xilinx_config_has_a_broken_adder() {
        for cfg in msm_hw::config::ALL {
            let proofs = proofs(&cfg).unwrap();
            let shapes = mul::sum_shapes(&cfg);
            let sums = proofs
                .iter()
                .filter(|p| p.name.contains(".sum") && p.expect == Verdict::Pass);
            let sums = sums.count();
            let broken: Vec<&Proof> = proofs
                .iter()
                .filter(|p| p.expect == Verdict::Fail)
                .collect();
            let xilinx = mul::adders(&cfg) == Adders::Xilinx;
            // Sums of constants alone fold into a constant: nothing to prove.
            let variable = shapes.iter().filter(|s| has_variable(s));
            assert_eq!(sums, variable.count(), "{}", cfg.name);
            assert_eq!(broken.len(), xilinx as usize, "{}", cfg.name);
            for p in &proofs {
                assert_eq!(p.defines.contains(&"SYNTHESIS"), xilinx);
                assert_eq!(p.files.len(), 2 + xilinx as usize);
            }
        }
    }
}
