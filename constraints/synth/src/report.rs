//! The report: one table row per tool flow and its notes, printed and written to
//! `<out>/report.md` with the date, command, tool versions and how to read it.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use msm_spec::config::Family;

use crate::Args;
use msm_synth::flow::{Outcome, Task, PINS, SEED};
use msm_synth::parse::{Pnr, Resources};
use msm_synth::tools::io;

const HEADER: [&str; 9] = [
    "config", "unit", "latency", "target", "LUT", "FF", "DSP", "BRAM", "Fmax MHz",
];

/// Prints the table of `flows` and its notes and writes `<out>/report.md`; returns its path.
pub fn write(
    args: &Args,
    versions: &[String],
    wall: Instant,
    flows: &[(Task, Outcome)],
) -> Result<PathBuf, String> {
    let mut notes = Vec::new();
    let rows: Vec<_> = flows.iter().map(|(t, o)| row(t, o, &mut notes)).collect();
    let mut table = table(&HEADER, &rows);
    for (t, o) in flows {
        match &o.parts {
            Ok(parts) if !parts.is_empty() => table += &parts_table(t, parts),
            Ok(_) => {}
            Err(e) => notes.push(format!("{} {} by part: {e}", t.config, t.unit.name)),
        }
    }
    let notes: String = notes.iter().map(|n| format!("- {n}\n")).collect();
    println!("{table}");
    if !notes.is_empty() {
        println!("{notes}");
    }

    let command: Vec<String> = std::env::args().map(|a| shell_quote(&a)).collect();
    let mut md = String::new();
    let _ = writeln!(md, "# Synthesis report\n");
    let _ = writeln!(md, "- date: {}", utc_now());
    let _ = writeln!(md, "- command: `{}`", command.join(" "));
    let _ = writeln!(md, "- tools: {}", versions.join("; "));
    let _ = writeln!(md, "- wall time: {:.0} s\n", wall.elapsed().as_secs_f64());
    md.push_str(&table);
    if !notes.is_empty() {
        let _ = write!(md, "\nDetail:\n\n{notes}");
    }
    let freq = args.freq;
    let _ = write!(
        md,
        "\nHow to read it:\n\n\
         - xcup: `synth_xilinx -family xcup -flatten -noiopad -noclkbuf -uram`, out of context. \
         Estimates only: yosys is not Vivado, and no open place and route exists for \
         UltraScale+, so no Fmax. LUT counts LUT1..LUT6 plus the LUTs used as shift registers \
         (SRL16E/SRLC32E) or LUT RAM; BRAM is in RAMB36 equivalents (a RAMB18 is 0.5), plus \
         URAM288 blocks.\n\
         - ecp5: `synth_ecp5`. LUT counts LUT4 plus the two LUT4 of each CCU2C carry cell; \
         DSP is MULT18X18D, BRAM is DP16KD. Fmax: `nextpnr-ecp5 --um5g-85k --package CABGA381 \
         --speed 8` (LFE5UM5G-85F-8BG381), target {freq} MHz, seed {SEED}, of the unit inside \
         `<unit>_pins`, a generated wrapper that shifts the operands in over {PINS} pins and \
         folds the outputs into a shift register read over {PINS} pins (its figures include the \
         wrapper's registers, one LUT level each side of the unit). \"does not fit\": the unit \
         alone exceeds the device (then place and route is skipped), or nextpnr ran out of a \
         resource.\n\
         - Logs, scripts and netlists: `<config>/<unit>.*` next to this file.\n",
    );
    let path = args.out.join("report.md");
    io(std::fs::write(&path, md), "write", &path)?;
    Ok(path)
}

/// The Alveo U55C's XCU55C: LUT, FF, DSP48E2, RAMB36, URAM288.
const XCU55C: [f64; 5] = [1_303_680.0, 2_607_360.0, 9_024.0, 2_016.0, 960.0];

/// A unit's parts, their share of the unit, the whole against the U55C.
fn parts_table(task: &Task, parts: &[(&str, Resources)]) -> String {
    let figures = |r: &Resources| {
        [
            r.lut as f64,
            r.ff as f64,
            r.dsp as f64,
            r.ram36,
            r.uram as f64,
        ]
    };
    let mut total = [0.0; 5];
    for (_, r) in parts {
        for (t, f) in total.iter_mut().zip(figures(r)) {
            *t += f;
        }
    }
    let pct = |x: f64, of: f64| match of {
        0.0 => "-".to_string(),
        of => format!("{:.1}%", 100.0 * x / of),
    };
    let cells = |f: [f64; 5]| f.map(|x| format!("{x}"));
    let mut rows: Vec<Vec<String>> = parts
        .iter()
        .map(|(label, r)| {
            let f = figures(r);
            let mut row = vec![label.to_string()];
            row.extend(cells(f));
            row.extend([pct(f[0], total[0]), pct(f[2], total[2])]);
            row
        })
        .collect();
    let mut sum = vec!["whole".to_string()];
    sum.extend(cells(total));
    sum.extend(["100%".into(), "100%".into()]);
    let mut cap = vec!["Alveo U55C (XCU55C)".to_string()];
    cap.extend(cells(XCU55C));
    cap.extend(["".into(), "".into()]);
    let mut fit = vec!["whole / U55C".to_string()];
    fit.extend((0..5).map(|k| pct(total[k], XCU55C[k])));
    fit.extend(["".into(), "".into()]);
    rows.extend([sum, cap, fit]);
    let header = [
        "part",
        "LUT",
        "FF",
        "DSP",
        "RAMB36",
        "URAM",
        "LUT share",
        "DSP share",
    ];
    format!(
        "\n{} {} on {}, by part (each part's modules kept as hierarchy):\n\n{}",
        task.config,
        task.unit.name,
        task.family.name(),
        table(&header, &rows)
    )
}

/// The table row of one flow; its notes go to `notes`.
fn row(task: &Task, o: &Outcome, notes: &mut Vec<String>) -> Vec<String> {
    let (unit, family) = (task.unit, task.family.name());
    let key = format!("{} {} {family}", task.config, unit.name);
    let mut row = vec![task.config.to_string(), unit.name.to_string()];
    row.extend([unit.latency.to_string(), family.to_string()]);
    match &o.resources {
        Ok(r) => {
            row.extend([r.lut.to_string(), r.ff.to_string(), r.dsp.to_string()]);
            row.push(r.bram());
            if !r.notes.is_empty() {
                notes.push(format!("{key}: {}", r.notes.join(", ")));
            }
        }
        Err(e) => {
            row.extend(["error", "-", "-", "-"].map(String::from));
            notes.push(format!("{key}: {e}"));
        }
    }
    row.push(match &o.pnr {
        None if task.family == Family::Ecp5 => "error".into(),
        None => "-".into(),
        Some(Pnr::Fmax(mhz)) => format!("{mhz:.1}"),
        Some(Pnr::NoFit(why)) => format!("does not fit ({why})"),
        Some(Pnr::Failed(e)) => {
            notes.push(format!("{key} place and route: {e}"));
            "error".into()
        }
    });
    row
}

/// `YYYY-MM-DD HH:MM UTC` from the system clock.
fn utc_now() -> String {
    let t = time::OffsetDateTime::now_utc();
    let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", t.hour(), t.minute())
}

fn shell_quote(arg: &str) -> String {
    let plain = (arg.chars()).all(|c| c.is_ascii_alphanumeric() || "-_./=,:+@%".contains(c));
    if plain && !arg.is_empty() {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A markdown table with padded columns.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let cells: Vec<String> = (cells.iter().zip(&widths))
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out += &line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        out += &line(row.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pads() {
        let t = table(&["a", "bb"], &[vec!["xyz".into(), "1".into()]]);
        assert_eq!(t, "| a   | bb |\n| --- | -- |\n| xyz | 1  |\n");
    }

    #[test]
    fn date_format() {
        let d = utc_now();
        assert_eq!(d.len(), "2026-01-01 00:00 UTC".len());
        assert!(d.starts_with("20"));
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("--out=/tmp/x"), "--out=/tmp/x");
        assert_eq!(shell_quote("a b'c"), "'a b'\\''c'");
        assert_eq!(shell_quote(""), "''");
    }
}
