//! The proof harness of a pipelined unit: the unit's inputs are free at every step; those of
//! step 0 are kept, and `latency` steps later the outputs must equal the specification of the
//! kept inputs. The units are feed-forward (no register feeds back), so an output is a function
//! of the inputs `latency` clocks before alone: this step stands for every step, whatever else
//! is in the pipeline.

use msm_hw::verilog::{Dir, Port};

pub struct Harness {
    /// The unit's module, and its ports (`clock` among them).
    pub dut: String,
    pub ports: Vec<Port>,
    pub latency: usize,
    /// Verilog declarations the conditions below use (localparams, wires over `<input>_0`).
    pub decls: String,
    /// Conditions on the kept inputs (`<input>_0`), assumed.
    pub assume: Vec<String>,
    /// (output, the value it must have), asserted `latency` steps after step 0.
    pub want: Vec<(String, String)>,
}

/// `[w-1:0] ` (or nothing for one bit).
fn range(width: usize) -> String {
    match width {
        1 => String::new(),
        w => format!("[{}:0] ", w - 1),
    }
}

impl Harness {
    /// The harness module `proof`.
    pub fn verilog(&self) -> String {
        let inputs: Vec<&Port> = self
            .ports
            .iter()
            .filter(|p| p.dir == Dir::In && p.name != "clock")
            .collect();
        let mut v = String::from("module proof(\n    input clock");
        for p in &inputs {
            v += &format!(",\n    input {}{}", range(p.width), p.name);
        }
        v += "\n);\n";
        for p in self.ports.iter().filter(|p| p.dir == Dir::Out) {
            v += &format!("wire {}{};\n", range(p.width), p.name);
        }
        let conns: Vec<String> = self
            .ports
            .iter()
            .map(|p| format!(".{0}({0})", p.name))
            .collect();
        v += &format!("{} dut({});\n", self.dut, conns.join(", "));
        // Counts the steps up to the check and stays there.
        v += "reg [15:0] step = 0;\nalways @(posedge clock) if (step != 16'hffff) step <= step + 1;\n";
        // `<input>_0`: the input of step 0, then and later (a latency of 0 checks it at once).
        for p in &inputs {
            let r = range(p.width);
            v += &format!(
                "reg {r}{0}_kept;\nwire {r}{0}_0 = step == 0 ? {0} : {0}_kept;\n",
                p.name
            );
        }
        let keep: Vec<String> = inputs
            .iter()
            .map(|p| format!("{0}_kept <= {0};", p.name))
            .collect();
        v += &format!(
            "always @(posedge clock) if (step == 0) begin {} end\n",
            keep.join(" ")
        );
        v += &self.decls;
        v += &format!("always @(*) if (step == {}) begin\n", self.latency);
        for a in &self.assume {
            v += &format!("    assume ({a});\n");
        }
        for (out, want) in &self.want {
            v += &format!("    assert ({out} == {want});\n");
        }
        v += "end\nendmodule\n";
        v
    }

    /// Steps of the bounded check: step 0 to the assertion's.
    pub fn depth(&self) -> usize {
        self.latency + 1
    }
}
