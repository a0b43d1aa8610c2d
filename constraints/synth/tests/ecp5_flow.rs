//! The ULX3S constraints against the board they pin: every port of the generated `msm_board`
//! is placed exactly once, nothing else is, and the oscillator is constrained (the card clock
//! comes from it by a PLL).

use std::collections::BTreeSet;

use msm_spec::config::ECP5_85F;

const LPF: &str = include_str!("../../ecp5/ulx3s_85f.lpf");

/// The quoted name after `keyword` on each line that has it.
fn names_after<'a>(keyword: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    LPF.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(move |l| l.split_once(keyword))
        .filter_map(|(_, rest)| rest.trim_start().strip_prefix('"')?.split('"').next())
}

#[test]
fn the_lpf_places_every_board_pin_once() {
    let board = msm_hw::verilog::board(&ECP5_85F);
    let pins: BTreeSet<String> = board
        .ports
        .iter()
        .flat_map(|p| match p.width {
            1 => vec![p.name.clone()],
            w => (0..w).map(|i| format!("{}[{i}]", p.name)).collect(),
        })
        .collect();
    let located: Vec<&str> = names_after("LOCATE COMP").collect();
    let set: BTreeSet<String> = located.iter().map(|s| s.to_string()).collect();
    assert_eq!(set.len(), located.len(), "a pin placed twice");
    assert_eq!(set, pins, "LOCATE COMP against msm_board's ports");
    let buffered: BTreeSet<String> = names_after("IOBUF PORT").map(String::from).collect();
    assert_eq!(buffered, pins, "IOBUF against msm_board's ports");
    assert!(
        LPF.contains("FREQUENCY PORT \"clock\" 25 MHZ;"),
        "the ULX3S oscillator"
    );
    const { assert!(ECP5_85F.clock_mhz <= 25) };
}
