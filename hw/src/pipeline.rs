//! Delay lines for scheduled Verilog bodies: a value ready at one cycle and read at later ones
//! gets one shift register, as long as its latest read, with a tap per read.
//!
//! In a body that takes an input every II clocks (a modulo schedule, II > 1) a value is new
//! once every II clocks, in a fixed phase (cycle mod II) of the body's `phase` counter: its
//! line shifts only in that phase, so a stage holds it for II clocks and a read d clocks after
//! it is ready finds it in stage ceil(d / II).

use std::collections::BTreeMap;
use std::fmt::Write as _;

struct Line {
    source: String,
    width: usize,
    depth: u64,
    /// The phase in which the line shifts (the source's ready cycle mod II).
    phase: u64,
}

/// The shift registers of a generated body, one per source expression.
pub struct DelayLines {
    lines: Vec<Line>,
    /// A shared unit's output is a new value in each phase it is used: a line per phase.
    by_source: BTreeMap<(String, u64), usize>,
    interval: u64,
}

impl Default for DelayLines {
    fn default() -> Self {
        Self::with_interval(1)
    }
}

/// The Verilog test that the body's `phase` counter is `phase`.
pub fn in_phase(phase: u64) -> String {
    format!("(phase == {phase})")
}

/// Register `d` (1-based) of shift register `line`.
fn stage(line: usize, d: u64) -> String {
    format!("line{line}_d{d}")
}

impl DelayLines {
    /// The lines of a body that takes an input every `interval` clocks.
    pub fn with_interval(interval: u64) -> Self {
        assert!(interval >= 1);
        DelayLines {
            lines: Vec::new(),
            by_source: BTreeMap::new(),
            interval,
        }
    }

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
        let phase = ready % self.interval;
        let i = *self
            .by_source
            .entry((source.to_owned(), phase))
            .or_insert_with(|| {
                self.lines.push(Line {
                    source: source.to_owned(),
                    width,
                    depth: 0,
                    phase,
                });
                self.lines.len() - 1
            });
        let line = &mut self.lines[i];
        assert_eq!(line.width, width, "{source} read at two widths");
        let d = d.div_ceil(self.interval);
        line.depth = line.depth.max(d);
        stage(i, d)
    }

    /// The declarations and the shifting, and the `phase` counter if II > 1.
    pub fn finish(self) -> String {
        let mut v = String::new();
        if self.interval > 1 {
            let bits = 64 - (self.interval - 1).leading_zeros();
            let last = self.interval - 1;
            let _ = writeln!(v, "// An input every {} clocks, in phase 0", self.interval);
            let _ = writeln!(v, "reg [{}:0] phase = 0;", bits - 1);
            let _ = writeln!(
                v,
                "always @(posedge clock) phase <= (phase == {last}) ? 0 : phase + 1;"
            );
        }
        for (i, line) in self.lines.iter().enumerate() {
            let range = match line.width {
                1 => String::new(),
                w => format!("[{}:0] ", w - 1),
            };
            let _ = writeln!(v, "// {} waits up to {} stages", line.source, line.depth);
            for d in 1..=line.depth {
                let _ = writeln!(v, "reg {range}{};", stage(i, d));
            }
            match self.interval {
                1 => {
                    let _ = writeln!(v, "always @(posedge clock) begin");
                }
                _ => {
                    let _ = writeln!(
                        v,
                        "always @(posedge clock) if {} begin",
                        in_phase(line.phase)
                    );
                }
            }
            let _ = writeln!(v, "    {} <= {};", stage(i, 1), line.source);
            for d in 2..=line.depth {
                let _ = writeln!(v, "    {} <= {};", stage(i, d), stage(i, d - 1));
            }
            let _ = writeln!(v, "end");
        }
        v
    }
}
