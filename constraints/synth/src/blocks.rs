//! The parts of the core and the card reported on their own: yosys keeps the modules that
//! match a part's patterns as hierarchy, and each kept module's cells, with those of the
//! modules it flattens, count to the first part that matches it, or else to its parent's.
//! Keeping a boundary stops optimisation across it, so a kept run can count a little more than
//! a flat one.

use std::collections::BTreeMap;

use glob::Pattern;

use crate::parse::{Cells, ModuleStat};

pub struct Block {
    pub label: &'static str,
    /// Module name patterns (`*`, `?`), as yosys selections and for [`attribute`].
    pub modules: &'static [&'static str],
}

/// The engine's parts: rust-hdl names the modules after the fields (`<core>$engine$<lane>`).
const CORE: [Block; 5] = [
    Block {
        label: "lanes (multipliers, add/subs, delay lines)",
        modules: &["*fq_lane"],
    },
    Block {
        label: "bucket memories",
        modules: &["*$engine$?$ram", "*$engine$??$ram"],
    },
    Block {
        label: "chain-sum memories",
        modules: &[
            "*$engine$?$plain",
            "*$engine$??$plain",
            "*$engine$?$triangle",
            "*$engine$??$triangle",
        ],
    },
    // The in-flight table is a register module per entry (`cam$k`, `cam_valid$k`): kept, its
    // 944 modules on u55c each took an ABC run (7 a minute), so it counts with its engine.
    Block {
        label: "engines' control (FIFOs, in-flight tables, issue, reduction)",
        modules: &["*$engine$?", "*$engine$??"],
    },
    Block {
        label: "slicer",
        modules: &["*$slicer"],
    },
];

/// The parts of `unit` (none for a unit reported whole). What no part takes is the top's own:
/// the core's glue, and on the card the shell.
pub fn of(unit: &str) -> &'static [Block] {
    match unit {
        "msm_core" | "msm_card" => &CORE,
        _ => &[],
    }
}

/// The label of what the top keeps for itself.
pub fn rest(unit: &str) -> &'static str {
    match unit {
        "msm_card" => "shell (BAR0, queue, DMA, sequencer, counters) and the core's glue",
        _ => "the core's glue",
    }
}

/// Every pattern of `blocks`, for `setattr -mod -set keep_hierarchy 1`.
pub fn patterns(blocks: &[Block]) -> Vec<&'static str> {
    blocks
        .iter()
        .flat_map(|b| b.modules.iter().copied())
        .collect()
}

/// The cells of each part (in `blocks` order, then the top's rest), from `stat`'s per-module
/// counts: a module's own cells times its instances.
pub fn attribute(
    stats: &BTreeMap<String, ModuleStat>,
    top: &str,
    blocks: &[Block],
    rest: &'static str,
) -> Result<Vec<(&'static str, Cells)>, String> {
    let label_of = |m: &str| {
        blocks.iter().find_map(|b| {
            let hit = b
                .modules
                .iter()
                .any(|p| Pattern::new(p).is_ok_and(|p| p.matches(m)));
            hit.then_some(b.label)
        })
    };
    let mut parts: Vec<(&'static str, Cells)> = blocks
        .iter()
        .map(|b| b.label)
        .chain([rest])
        .map(|l| (l, Cells::new()))
        .collect();
    // Depth first from the top: (module, instances, the part it counts to).
    let mut stack = vec![(top.to_owned(), 1u64, rest)];
    while let Some((m, n, part)) = stack.pop() {
        let stat = stats
            .get(&m)
            .ok_or_else(|| format!("no `stat` section for module {m}"))?;
        let cells = &mut parts.iter_mut().find(|(l, _)| *l == part).unwrap().1;
        for (kind, k) in &stat.cells {
            *cells.entry(kind.clone()).or_insert(0) += n * k;
        }
        for (child, k) in &stat.children {
            stack.push((child.clone(), n * k, label_of(child).unwrap_or(part)));
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(cells: &[(&str, u64)], children: &[(&str, u64)]) -> ModuleStat {
        let map = |v: &[(&str, u64)]| v.iter().map(|(k, n)| (k.to_string(), *n)).collect();
        ModuleStat {
            cells: map(cells),
            children: map(children),
        }
    }

    #[test]
    fn cells_count_per_instance_to_the_first_matching_part_or_the_parent() {
        let stats: BTreeMap<String, ModuleStat> = [
            (
                "top",
                stat(
                    &[("LUT2", 5)],
                    &[("top$core$engine$0", 1), ("card_fq_lane", 2)],
                ),
            ),
            (
                "top$core$engine$0",
                stat(
                    &[("FDRE", 3)],
                    &[("top$core$engine$0$ram", 1), ("top$core$engine$0$cam$7", 1)],
                ),
            ),
            ("top$core$engine$0$ram", stat(&[("URAM288", 218)], &[])),
            ("top$core$engine$0$cam$7", stat(&[("FDRE", 17)], &[])),
            (
                "card_fq_lane",
                stat(&[("LUT6_2", 10)], &[("card_fq_mul", 12)]),
            ),
            ("card_fq_mul", stat(&[("DSP48E2", 243)], &[])),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let parts = attribute(&stats, "top", of("msm_card"), rest("msm_card")).unwrap();
        let get = |label: &str, kind: &str| {
            let (_, cells) = parts.iter().find(|(l, _)| l.starts_with(label)).unwrap();
            cells.get(kind).copied().unwrap_or(0)
        };
        assert_eq!(get("lanes", "DSP48E2"), 2 * 12 * 243);
        assert_eq!(get("lanes", "LUT6_2"), 20);
        assert_eq!(get("bucket", "URAM288"), 218);
        assert_eq!(get("engines", "FDRE"), 3 + 17);
        assert_eq!(get("shell", "LUT2"), 5);
        assert_eq!(parts.len(), CORE.len() + 1);
    }

    #[test]
    fn every_pattern_matches_a_module_of_the_u55c_card() {
        let card = msm_hw::verilog::units(&msm_hw::config::U55C)
            .into_iter()
            .find(|u| u.name == "msm_card")
            .unwrap();
        let modules: Vec<&str> = card
            .verilog
            .lines()
            .filter_map(|l| l.strip_prefix("module "))
            .map(|l| l.split('(').next().unwrap().trim())
            .collect();
        for p in patterns(of("msm_card")) {
            if p.contains("??") {
                continue; // ten lanes or more
            }
            let pat = Pattern::new(p).unwrap();
            assert!(
                modules.iter().any(|m| pat.matches(m)),
                "{p} matches no module"
            );
        }
    }
}
