//! Delay lines for scheduled Verilog bodies: a value ready at one cycle and read at later ones
//! gets one shift register, as long as its latest read, with a tap per read.

use std::collections::BTreeMap;
use std::fmt::Write as _;

struct Line {
    source: String,
    width: usize,
    depth: u64,
}

/// The shift registers of a generated body, one per source expression.
#[derive(Default)]
pub struct DelayLines {
    lines: Vec<Line>,
    by_source: BTreeMap<String, usize>,
}

/// Register `d` (1-based) of shift register `line`.
fn stage(line: usize, d: u64) -> String {
    format!("line{line}_d{d}")
}

impl DelayLines {
    /// The Verilog name of `source` (a `width`-bit expression ready at cycle `ready`) as read at
    /// cycle `at`.
    pub fn tap(&mut self, source: &str, width: usize, ready: u64, at: u64) -> String {
        assert!(
            at >= ready,
            "{source} read at {at} before it is ready at {ready}"
        );
        let d = at - ready;
        if d == 0 {
            return source.to_owned();
        }
        let i = *self.by_source.entry(source.to_owned()).or_insert_with(|| {
            self.lines.push(Line {
                source: source.to_owned(),
                width,
                depth: 0,
            });
            self.lines.len() - 1
        });
        let line = &mut self.lines[i];
        assert_eq!(line.width, width, "{source} read at two widths");
        line.depth = line.depth.max(d);
        stage(i, d)
    }

    /// The declarations and the shifting.
    pub fn finish(self) -> String {
        let mut v = String::new();
        for (i, line) in self.lines.iter().enumerate() {
            let range = match line.width {
                1 => String::new(),
                w => format!("[{}:0] ", w - 1),
            };
            let _ = writeln!(v, "// {} waits up to {} cycles", line.source, line.depth);
            for d in 1..=line.depth {
                let _ = writeln!(v, "reg {range}{};", stage(i, d));
            }
            let _ = writeln!(v, "always @(posedge clock) begin");
            let _ = writeln!(v, "    {} <= {};", stage(i, 1), line.source);
            for d in 2..=line.depth {
                let _ = writeln!(v, "    {} <= {};", stage(i, d), stage(i, d - 1));
            }
            let _ = writeln!(v, "end");
        }
        v
    }
}
