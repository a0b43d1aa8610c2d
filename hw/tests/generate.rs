//! Every unit of every configuration generates: the concrete type parameters in
//! `msm_hw::verilog` agree with the values derived from the configuration (asserted in the
//! types' constructors), and the Verilog has the unit as its top module with direct clocks.
//! The lane's file defines each unit it instantiates once, and instantiates the units of its
//! configuration (one per operation, or the shared ones of a folded lane).

use msm_hw::config::{LaneUnits, ALL};
use msm_hw::field::{add_sub, mul};
use msm_hw::point::schedule::lane_program;
use msm_hw::verilog::units;

#[test]
fn every_unit_of_every_config_generates() {
    for cfg in ALL {
        let units = units(&cfg);
        let names: Vec<_> = units.iter().map(|u| u.name).collect();
        let mut want = vec![
            "fq_add_sub",
            "fq_mul",
            "fq_lane",
            "msm_slicer",
            "msm_core",
            "msm_card",
        ];
        // A board on a serial link is a unit of its own, the top of its bitstream.
        if cfg.uart_clocks_per_bit().is_some() {
            want.push("msm_board");
        }
        assert_eq!(names, want, "{}", cfg.name);
        for u in &units {
            assert!(
                u.verilog.contains(&format!("module {}(", u.name)),
                "{} {}",
                cfg.name,
                u.name
            );
            assert!(
                !u.verilog.contains("$clock = clock;\n        "),
                "clocks are wires"
            );
        }
        // The card's memory ports are 512-bit AXI with IOVA addresses; BAR0 is 4 KB.
        let card = units.iter().find(|u| u.name == "msm_card").unwrap();
        let width = |name: &str| card.ports.iter().find(|p| p.name == name).unwrap().width;
        for port in ["dma_r_data", "dma_w_data", "mem_r_data", "mem_w_data"] {
            assert_eq!(width(port), 8 * msm_spec::card::BEAT_BYTES, "{port}");
        }
        assert_eq!(width("dma_ar_addr"), 64);
        assert_eq!(1 << width("reg_address"), msm_spec::card::BAR0_BYTES);
        if let Some(board) = units.iter().find(|u| u.name == "msm_board") {
            let pins: Vec<_> = board
                .ports
                .iter()
                .map(|p| (p.name.as_str(), p.width))
                .collect();
            assert_eq!(
                pins,
                [("clock", 1), ("uart_rx", 1), ("uart_tx", 1), ("led", 8)]
            );
        }
        let carry = cfg.carry_stages() as usize;
        assert_eq!(units[0].latency, carry + 1);
        assert_eq!(add_sub::latency(cfg.carry_bits as usize), carry + 1);
        assert_eq!(units[1].latency, mul::latency(&cfg), "{}", cfg.name);
        let lane = &units[2];
        // ASAP's critical path with a unit per operation; sharing units can only delay it.
        let critical = 2 * units[1].latency + 7 * units[0].latency;
        let (muls, add_subs) = lane_program().units(cfg.lane_units);
        match cfg.lane_units {
            LaneUnits::PerOperation => assert_eq!(lane.latency, critical),
            LaneUnits::Shared { .. } => assert!(lane.latency >= critical),
        }
        assert_eq!(lane.instantiates, ["fq_mul", "fq_add_sub"]);
        for (module, instances) in [("fq_mul", muls), ("fq_add_sub", add_subs)] {
            assert_eq!(
                lane.verilog.matches(&format!("module {module}(")).count(),
                1
            );
            let uses = format!("{module} {}$", &module[3..]);
            assert_eq!(lane.verilog.matches(&uses).count(), instances, "{module}");
        }
    }
}

#[test]
fn multiplier_tile_counts() {
    // Three products of 3^levels leaves; at 4 levels a 256-bit product's leaves are 16 to 20
    // bits, one DSP tile each (a 26 x 17 tile takes the bits above 17 as shift-and-add). A pass
    // over 128-bit words: a 256 x 128 and a 128 x 254 product of two 3-level halves each, and
    // the low half of a 128 x 128 one (9 + 2 x 4.5 leaves). Over 64-bit words the same at
    // 2 levels: four 64 x 64 products of 9 leaves each for 256 x 64 and for 64 x 254, and 9.
    for cfg in ALL {
        let dsp = match (cfg.mul_passes, cfg.karatsuba_levels) {
            (1, 4) => 3 * 81,
            (2, 3) => 2 * 27 + 2 * 27 + 27,
            (4, 2) => 4 * 9 + 4 * 9 + 9,
            other => panic!("{}: no expected count for {other:?}", cfg.name),
        };
        assert_eq!(mul::counts(&cfg).dsp, dsp, "{}", cfg.name);
    }
}

#[test]
fn the_deepest_stand_in_core_has_the_lanes_latency() {
    let deepest = msm_hw::verilog::stand_in_cores().pop().unwrap();
    assert_eq!(
        deepest.unit.latency,
        msm_hw::point::lane::latency(&msm_hw::config::SIM)
    );
}

#[test]
fn every_config_has_a_fast_card_with_the_structural_ports_and_latencies() {
    for cfg in ALL {
        let fast = msm_hw::verilog::fast_card(&cfg);
        let units = units(&cfg);
        let card = units.iter().find(|u| u.name == "msm_card").unwrap();
        assert_eq!(fast.name, format!("msm_card_{}_fast", cfg.name));
        assert_eq!(fast.ports, card.ports, "{}", cfg.name);
        assert!(fast.verilog.contains(&format!("module {}(", fast.name)));
        // Its own copies of the lane's modules, the field units behavioural: a ring as long as
        // the structural unit's latency.
        for (unit, latency) in [
            ("fq_lane", units[2].latency),
            ("fq_mul", units[1].latency),
            ("fq_add_sub", units[0].latency),
        ] {
            let module = format!("module {}_{unit}(", fast.name);
            assert_eq!(fast.verilog.matches(&module).count(), 1, "{module}");
            if unit != "fq_lane" {
                let ring = format!("reg [255:0] r [0:{}];", latency - 1);
                let body = &fast.verilog[fast.verilog.find(&module).unwrap()..];
                let body = &body[..body.find("endmodule").unwrap()];
                assert!(body.contains(&ring), "{}: {unit} ring", cfg.name);
            }
        }
        assert!(!fast.verilog.contains("module fq_"), "{}", cfg.name);
        assert_eq!(fast.instantiates, [] as [&str; 0]);
    }
}
