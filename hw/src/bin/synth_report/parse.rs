//! Reading the tools' logs: yosys `stat` cell counts, nextpnr Fmax and fit.

use std::collections::BTreeMap;

/// Cell type -> count, from the last `stat` section of a yosys log.
pub fn stat_cells(log: &str) -> Result<BTreeMap<String, u64>, String> {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines
        .iter()
        .rposition(|l| {
            let t = l.trim();
            t.starts_with("=== ") && t.ends_with(" ===")
        })
        .ok_or("no `stat` output in the yosys log")?;
    let mut cells = BTreeMap::new();
    let mut seen_cells = false;
    for line in &lines[start + 1..] {
        let t = line.trim();
        if t.starts_with("End of script") || is_pass_header(t) {
            break;
        }
        let mut words = t.split_whitespace();
        let (Some(n), Some(kind), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        match kind {
            "cells" => seen_cells = true,
            "wires" | "ports" | "memories" | "processes" | "submodules" => {}
            _ => *cells.entry(kind.to_string()).or_insert(0) += n,
        }
    }
    if !seen_cells {
        return Err("the yosys `stat` section has no cell count".into());
    }
    Ok(cells)
}

/// `3. Printing statistics.`, `2.57. Executing CHECK pass`.
fn is_pass_header(line: &str) -> bool {
    let Some((num, rest)) = line.split_once(". ") else {
        return false;
    };
    !rest.is_empty()
        && !num.is_empty()
        && num
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Resource figures of one unit on one target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resources {
    /// LUT sites: logic LUTs plus LUTs used as shift registers or RAM (xcup), LUT4 plus the two
    /// LUT4 of each carry cell (ECP5).
    pub lut: u64,
    pub ff: u64,
    pub dsp: u64,
    /// Block RAM as text: RAMB36 equivalents (+ URAM288) on xcup, DP16KD on ECP5.
    pub bram: String,
    /// Notable detail: shift-register LUTs, carry cells, unmapped cells.
    pub notes: Vec<String>,
}

fn count(cells: &BTreeMap<String, u64>, pred: impl Fn(&str) -> bool) -> u64 {
    cells.iter().filter(|(k, _)| pred(k)).map(|(_, n)| n).sum()
}

/// Cells yosys left unmapped (`$_DFF_P_`, `$mul`...), ignoring bookkeeping cells.
fn unmapped(cells: &BTreeMap<String, u64>, notes: &mut Vec<String>) {
    for (k, n) in cells {
        if k.starts_with('$') && k != "$scopeinfo" {
            notes.push(format!("{n} unmapped {k}"));
        }
    }
}

/// LUT sites of a Xilinx LUT-RAM or shift-register cell.
fn xilinx_lutmem_sites(cell: &str) -> Option<u64> {
    Some(match cell {
        "SRL16E" | "SRLC16E" | "SRLC32E" => 1,
        "RAM32X1S" | "RAM64X1S" => 1,
        "RAM32X1D" | "RAM64X1D" | "RAM128X1S" => 2,
        "RAM128X1D" | "RAM256X1S" | "RAM32M" | "RAM64M" => 4,
        "RAM256X1D" | "RAM512X1S" | "RAM32M16" | "RAM64M8" => 8,
        _ => return None,
    })
}

/// UltraScale+ figures from `synth_xilinx -family xcup` cells.
pub fn xilinx(cells: &BTreeMap<String, u64>) -> Resources {
    let mut notes = Vec::new();
    let logic = count(cells, |k| {
        k.len() == 4 && k.starts_with("LUT") && k.as_bytes()[3].is_ascii_digit()
    });
    let lutmem: u64 = cells
        .iter()
        .filter_map(|(k, n)| xilinx_lutmem_sites(k).map(|s| s * n))
        .sum();
    if lutmem > 0 {
        notes.push(format!("{lutmem} LUT as SRL/RAM"));
    }
    let ff = count(cells, |k| k.starts_with("FD"));
    let latches = count(cells, |k| k.starts_with("LD"));
    if latches > 0 {
        notes.push(format!("{latches} latches"));
    }
    let dsp = count(cells, |k| k.starts_with("DSP48"));
    let ramb36 = count(cells, |k| k.starts_with("RAMB36"));
    let ramb18 = count(cells, |k| k.starts_with("RAMB18"));
    let uram = count(cells, |k| k.starts_with("URAM"));
    let mut bram = if ramb18 % 2 == 1 {
        format!("{}.5", ramb36 + ramb18 / 2)
    } else {
        format!("{}", ramb36 + ramb18 / 2)
    };
    if uram > 0 {
        bram.push_str(&format!(" + {uram} URAM"));
    }
    for carry in ["CARRY4", "CARRY8"] {
        if let Some(n) = cells.get(carry) {
            notes.push(format!("{n} {carry}"));
        }
    }
    let muxf = count(cells, |k| k.starts_with("MUXF"));
    if muxf > 0 {
        notes.push(format!("{muxf} MUXF"));
    }
    unmapped(cells, &mut notes);
    Resources {
        lut: logic + lutmem,
        ff,
        dsp,
        bram,
        notes,
    }
}

/// ECP5 figures from `synth_ecp5` cells.
pub fn ecp5(cells: &BTreeMap<String, u64>) -> Resources {
    let mut notes = Vec::new();
    let lut4 = count(cells, |k| k == "LUT4");
    let ccu2 = count(cells, |k| k.starts_with("CCU2"));
    if ccu2 > 0 {
        notes.push(format!("{ccu2} CCU2C"));
    }
    let dpr = count(cells, |k| k == "TRELLIS_DPR16X4");
    if dpr > 0 {
        notes.push(format!("{dpr} TRELLIS_DPR16X4 (LUT RAM)"));
    }
    let wide = count(cells, |k| k == "PFUMX" || k == "L6MUX21");
    if wide > 0 {
        notes.push(format!("{wide} PFUMX/L6MUX21"));
    }
    let alu = count(cells, |k| k == "ALU54B");
    if alu > 0 {
        notes.push(format!("{alu} ALU54B"));
    }
    let bram = count(cells, |k| k == "DP16KD" || k == "PDPW16KD").to_string();
    unmapped(cells, &mut notes);
    Resources {
        lut: lut4 + 2 * ccu2,
        ff: count(cells, |k| k == "TRELLIS_FF"),
        dsp: count(cells, |k| k == "MULT18X18D"),
        bram,
        notes,
    }
}

/// What nextpnr made of a design.
#[derive(Clone, Debug, PartialEq)]
pub enum Pnr {
    /// Routed; Fmax of the clock domain in MHz.
    Fmax(f64),
    /// The design does not fit the device (which resource).
    NoFit(String),
    /// nextpnr failed for another reason.
    Failed(String),
}

/// Reads a nextpnr log; `ok` is whether nextpnr exited successfully. The clock whose name
/// contains `clock` wins when there are several (the wrapper has one).
pub fn nextpnr(log: &str, ok: bool) -> Pnr {
    // Over-full resources: `Info:   TRELLIS_COMB:  90000/ 83640   107%`.
    let mut in_util = false;
    for line in log.lines() {
        let t = line.trim_start_matches("Info:").trim();
        if t.starts_with("Device utilisation") {
            in_util = true;
            continue;
        }
        if in_util {
            let parsed = t.split_once(':').and_then(|(kind, rest)| {
                let (used, rest) = rest.split_once('/')?;
                let avail = rest.split_whitespace().next()?;
                Some((
                    kind.trim(),
                    used.trim().parse::<u64>().ok()?,
                    avail.parse::<u64>().ok()?,
                ))
            });
            match parsed {
                Some((kind, used, avail)) if used > avail => {
                    return Pnr::NoFit(format!("{kind} {used}/{avail}"));
                }
                Some(_) => {}
                None => in_util = false,
            }
        }
    }
    const NO_BELS: &str = "no BELs remaining to implement cell type '";
    if let Some(i) = log.find(NO_BELS) {
        let rest = &log[i + NO_BELS.len()..];
        let kind = rest.split('\'').next().unwrap_or("?");
        return Pnr::NoFit(format!("out of {kind}"));
    }
    if !ok {
        let err = log
            .lines()
            .find(|l| l.starts_with("ERROR:"))
            .unwrap_or("nextpnr failed");
        return Pnr::Failed(err.to_string());
    }
    const MAX: &str = "Max frequency for clock '";
    let mut best: Option<(bool, f64)> = None;
    for line in log.lines() {
        let Some(i) = line.find(MAX) else { continue };
        let rest = &line[i + MAX.len()..];
        let Some((clock, rest)) = rest.split_once("':") else {
            continue;
        };
        let Some(mhz) = rest
            .split_whitespace()
            .next()
            .and_then(|s| s.parse::<f64>().ok())
        else {
            continue;
        };
        let ours = clock.contains(super::wrapper::CLOCK);
        // Later lines (after routing) replace earlier ones (after placement).
        if best.is_none_or(|(was_ours, _)| ours || !was_ours) {
            best = Some((ours, mhz));
        }
    }
    match best {
        Some((_, mhz)) => Pnr::Fmax(mhz),
        None => Pnr::Failed("no Fmax in the nextpnr log".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XILINX: &str = "2.57. Executing CHECK pass (checking for obvious problems).
Found and reported 0 problems.

3. Printing statistics.

=== fq_add_sub ===

        +----------Local Count, excluding submodules.
        | 
     2233 wires
    10299 wire bits
        9 ports
      804 port bits
     2613 cells
       83   $scopeinfo
        1   BUFG
      155   CARRY4
      664   FDRE
        2   FDSE
      261   LUT2
       84   LUT6
      721   SRL16E
        3   RAMB18E2
        1   RAMB36E2
        2   URAM288
        4   DSP48E2

   Estimated number of LCs:        726

End of script. Logfile hash: 226da7eee1
";

    #[test]
    fn xilinx_stat() {
        let cells = stat_cells(XILINX).unwrap();
        assert_eq!(cells["LUT2"], 261);
        assert!(!cells.contains_key("wires"));
        assert!(!cells.contains_key("port"));
        let r = xilinx(&cells);
        assert_eq!(r.lut, 261 + 84 + 721);
        assert_eq!(r.ff, 666);
        assert_eq!(r.dsp, 4);
        assert_eq!(r.bram, "2.5 + 2 URAM");
        assert!(r.notes.contains(&"721 LUT as SRL/RAM".to_string()));
        assert!(r.notes.contains(&"155 CARRY4".to_string()));
        assert!(!r.notes.iter().any(|n| n.contains("unmapped")));
    }

    #[test]
    fn ecp5_stat() {
        let log = "=== earlier ===\n 5 cells\n 5 LUT4\n\n2.1. Pass\n=== u ===\n     100 cells\n      40   LUT4\n      10   CCU2C\n      30   TRELLIS_FF\n       2   MULT18X18D\n       1   DP16KD\n       3   $_DFF_P_\n";
        let r = ecp5(&stat_cells(log).unwrap());
        assert_eq!((r.lut, r.ff, r.dsp), (60, 30, 2));
        assert_eq!(r.bram, "1");
        assert!(r.notes.contains(&"3 unmapped $_DFF_P_".to_string()));
        assert!(stat_cells("no stat here").is_err());
    }

    #[test]
    fn nextpnr_fmax() {
        let log = "Info: Device utilisation:
Info: \t          TRELLIS_IO:      17/    365     4%
Info: \t        TRELLIS_COMB:      82/  83640     0%

Info: Max frequency for clock '$glbnet$clock$TRELLIS_IO_IN': 141.50 MHz (FAIL at 150.00 MHz)
Warning: Max frequency for clock '$glbnet$clock$TRELLIS_IO_IN': 121.51 MHz (FAIL at 150.00 MHz)
";
        assert_eq!(nextpnr(log, true), Pnr::Fmax(121.51));
        assert!(matches!(nextpnr(log, false), Pnr::Failed(_)));
    }

    #[test]
    fn nextpnr_no_fit() {
        let full =
            "Info: Device utilisation:\nInfo: \t          MULT18X18D:      200/    156   128%\n";
        assert_eq!(
            nextpnr(full, false),
            Pnr::NoFit("MULT18X18D 200/156".into())
        );
        let bels =
            "ERROR: Unable to place cell 'x', no BELs remaining to implement cell type 'DP16KD'\n";
        assert_eq!(nextpnr(bels, false), Pnr::NoFit("out of DP16KD".into()));
    }
}
