//! Delay lines for scheduled Verilog bodies: a value ready at one cycle and read at later ones
//! gets one shift register, as long as its latest read, with a tap per read.
//!
//! In a body that takes an input every II clocks (a modulo schedule, II > 1) a value is new
//! once every II clocks, in a fixed phase (cycle mod II) of the body's `phase` counter: its
//! line shifts only in that phase, so a stage holds it for II clocks and a read d clocks after
//! it is ready finds it in stage ceil(d / II).
//!
//! On an FPGA without shift-register LUTs (ECP5) the flip-flops of long lines run out first: a
//! body built [`DelayLines::with_ram`] makes every stretch of at least that many stages between
//! two taps a RAM instead, a circular buffer of g - 1 entries read before it is written (a
//! delay of g edges with the register it is read into), on a pointer shared by the buffers of
//! its depth and phase.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

struct Line {
    source: String,
    width: usize,
    /// The stages read (the line is as deep as the last).
    taps: BTreeSet<u64>,
    /// The phase in which the line shifts (the source's ready cycle mod II).
    phase: u64,
}

/// The shift registers of a generated body, one per source expression.
pub struct DelayLines {
    lines: Vec<Line>,
    /// A shared unit's output is a new value in each phase it is used: a line per phase.
    by_source: BTreeMap<(String, u64), usize>,
    interval: u64,
    /// Stretches between taps of at least this many stages are RAMs.
    ram_from: Option<u64>,
}

impl Default for DelayLines {
    fn default() -> Self {
        Self::with_interval(1)
    }
}

/// Stretches of delay line from this many stages are RAMs on a configuration built for ECP5
/// alone (`DelayLines::with_ram`): each stage saves a flip-flop a bit.
pub const ECP5_RAM_FROM: u64 = 4;

/// Where `cfg`'s delay lines are RAMs: on ECP5 alone (Xilinx shift registers are LUTs).
pub fn ram_from(cfg: &crate::config::Config) -> Option<u64> {
    (cfg.families == [crate::config::Family::Ecp5]).then_some(ECP5_RAM_FROM)
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
            ram_from: None,
        }
    }

    /// Stretches of `from` (>= 2) stages or more between taps are RAMs (`None`: none).
    pub fn with_ram(self, from: Option<u64>) -> Self {
        assert!(
            from.is_none_or(|f| f >= 2),
            "a RAM stretch is at least 2 stages"
        );
        DelayLines {
            ram_from: from,
            ..self
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
                    taps: BTreeSet::new(),
                    phase,
                });
                self.lines.len() - 1
            });
        let line = &mut self.lines[i];
        assert_eq!(line.width, width, "{source} read at two widths");
        let d = d.div_ceil(self.interval);
        line.taps.insert(d);
        stage(i, d)
    }

    /// The guard of what moves in `phase` (nothing with II = 1).
    fn enable(&self, phase: u64) -> String {
        match self.interval {
            1 => String::new(),
            _ => format!("if {} ", in_phase(phase)),
        }
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
        let mut pointers = BTreeSet::new();
        let mut rams = String::new();
        let ram_from = self.ram_from.unwrap_or(u64::MAX);
        for (i, line) in self.lines.iter().enumerate() {
            let range = match line.width {
                1 => String::new(),
                w => format!("[{}:0] ", w - 1),
            };
            let enable = self.enable(line.phase);
            let depth = line.taps.last().copied().unwrap_or(0);
            let _ = writeln!(v, "// {} waits up to {depth} stages", line.source);
            let src = |d: u64| match d {
                0 => line.source.clone(),
                d => stage(i, d),
            };
            // Between taps: registers, or a RAM from `ram_from` stages on.
            let mut shifts = String::new();
            let mut from = 0;
            for &b in &line.taps {
                let a = std::mem::replace(&mut from, b);
                if b - a < ram_from {
                    for d in a + 1..=b {
                        let _ = writeln!(v, "reg {range}{};", stage(i, d));
                        let _ = writeln!(shifts, "    {} <= {};", stage(i, d), src(d - 1));
                    }
                    continue;
                }
                let entries = b - a - 1;
                pointers.insert((entries, line.phase));
                let ptr = pointer(entries, line.phase);
                let mem = format!("line{i}_m{b}");
                let _ = writeln!(v, "reg {range}{};", stage(i, b));
                let _ = writeln!(v, "reg {range}{mem} [0:{}];", entries - 1);
                let _ = writeln!(
                    rams,
                    "always @(posedge clock) {enable}begin\n    {} <= {mem}[{ptr}];\n    \
                     {mem}[{ptr}] <= {};\nend",
                    stage(i, b),
                    src(a)
                );
            }
            if !shifts.is_empty() {
                let _ = write!(v, "always @(posedge clock) {enable}begin\n{shifts}end\n");
            }
        }
        for (entries, phase) in pointers {
            let bits = (64 - (entries - 1).leading_zeros()).max(1);
            let ptr = pointer(entries, phase);
            let enable = self.enable(phase);
            let _ = writeln!(v, "reg [{}:0] {ptr} = 0;", bits - 1);
            let _ = writeln!(
                v,
                "always @(posedge clock) {enable}{ptr} <= ({ptr} == {}) ? 0 : {ptr} + 1;",
                entries - 1
            );
        }
        v + &rams
    }
}

/// The pointer of the RAM stretches of `entries` entries that move in `phase`.
fn pointer(entries: u64, phase: u64) -> String {
    format!("ram{entries}_p{phase}")
}
