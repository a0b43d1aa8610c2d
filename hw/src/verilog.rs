//! Verilog generation: maps a configuration onto the concrete rust-hdl types (rust-hdl widths
//! are const generics) and emits one Verilog module per unit.

use rust_hdl::prelude::*;

use crate::board::Board;
use crate::card::MsmCard;
use crate::config::Config;
use crate::field::behavioural;
use crate::field::mul::{self, FqMul};
use crate::msm::core::{self, MsmCore, Shaped};
use crate::msm::slicer::Slicer;
use crate::point::lane::{self, FqLane};

/// Names a configured unit and produces its top-level Verilog.
pub struct Unit {
    pub name: &'static str,
    pub verilog: String,
    /// The top module's ports, in declaration order: the one port list that simulation shims
    /// and synthesis wrappers are generated from.
    pub ports: Vec<Port>,
    /// Synthesized when no unit is named. The whole core is not: it takes 18 minutes on u55c
    /// (hw/README.md), so it runs when named.
    pub synth_by_default: bool,
    /// Latency in cycles, from the configuration.
    pub latency: usize,
    /// Other units' modules that this unit's file holds and instantiates. Synthesis keeps them
    /// as hierarchy: each is synthesized once and counted per instance.
    pub instantiates: &'static [&'static str],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    In,
    Out,
}

/// A port of a unit's top module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// The Verilog name: rust-hdl names element i of an array port `name$i`.
    pub name: String,
    pub dir: Dir,
    pub width: usize,
}

impl Port {
    /// Its declaration in a module header: `input wire [7:0] name`.
    pub fn declaration(&self) -> String {
        let dir = match self.dir {
            Dir::In => "input",
            Dir::Out => "output",
        };
        let range = if self.width > 1 {
            format!("[{}:0] ", self.width - 1)
        } else {
            String::new()
        };
        format!("{dir} wire {range}{}", self.name)
    }
}

/// Collects the top block's own ports (the atoms of the outermost scope).
#[derive(Default)]
struct PortProbe {
    depth: usize,
    ports: Vec<Port>,
}

impl Probe for PortProbe {
    fn visit_start_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth += 1;
    }

    fn visit_atom(&mut self, name: &str, signal: &dyn Atom) {
        let dir = match signal.kind() {
            AtomKind::InputParameter => Dir::In,
            AtomKind::OutputParameter => Dir::Out,
            _ => return,
        };
        if self.depth == 1 {
            self.ports.push(Port {
                name: name.to_owned(),
                dir,
                width: signal.bits(),
            });
        }
    }

    fn visit_end_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth -= 1;
    }
}

/// A generated module: its Verilog and its ports.
struct Emitted {
    verilog: String,
    ports: Vec<Port>,
}

/// The Verilog of `U` with its top module (rust-hdl calls it `top`) renamed `name`.
fn emit<U: Block + Default + 'static>(name: &str) -> Emitted {
    emit_with(name, || Box::new(U::default()))
}

/// As [`emit`], for a block built by `make`. A multiplier is a few MB of nested arrays built by
/// value: unoptimised code (build scripts) overflows the default stack, so the work runs on a
/// thread with a large one.
fn emit_with<U: Block + 'static>(
    name: &str,
    make: impl FnOnce() -> Box<U> + Send + 'static,
) -> Emitted {
    let (verilog, ports) = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(|| {
            let mut uut = make();
            uut.connect_all();
            let mut probe = PortProbe::default();
            uut.accept("top", &mut probe);
            (generate_verilog(uut.as_ref()), probe.ports)
        })
        .expect("spawn the generator thread")
        .join()
        .expect("Verilog generation panicked");
    let verilog = direct_clocks(&verilog)
        .replace("module top(", &format!("module {name}("))
        .replace("top$", &format!("{name}$"));
    Emitted { verilog, ports }
}

/// rust-hdl drives each sub-block's clock from a `reg` written inside the parent's one
/// `always @(*)` block (`x$clock = clock;`). Simulators then see hundreds of derived clocks
/// and re-run that whole block to find their edges (Verilator: 6.5k cycles/s for the
/// multiplier). Every such assignment copies `clock` unchanged, so it becomes the equivalent
/// continuous assignment `wire x$clock = clock;`.
fn direct_clocks(verilog: &str) -> String {
    let mut out = String::with_capacity(verilog.len());
    for line in verilog.lines() {
        let t = line.trim();
        if t.ends_with("$clock = clock;") {
            continue;
        }
        match t.strip_prefix("reg").map(str::trim) {
            Some(name) if name.ends_with("$clock;") => {
                out.push_str(&format!("    wire {} = clock;", name.trim_end_matches(';')));
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// Expands `$body` with the type `$t` bound to the configuration's add/sub unit: the one map
/// from a configuration to concrete types (rust-hdl widths are const generics).
#[macro_export]
macro_rules! with_add_sub {
    ($cfg:expr, $t:ident => $body:expr) => {
        match ($cfg.carry_bits, $cfg.tag_bits) {
            (64, 16) => {
                type $t = $crate::field::add_sub::FqAddSub<64, 4, 16>;
                $body
            }
            (64, 32) => {
                type $t = $crate::field::add_sub::FqAddSub<64, 4, 32>;
                $body
            }
            (32, 16) => {
                type $t = $crate::field::add_sub::FqAddSub<32, 8, 16>;
                $body
            }
            other => panic!("no add/sub instance for (carry_bits, tag_bits) = {other:?}"),
        }
    };
}

/// Calls `$m!(TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY)` with the core's and
/// the card's type parameters for `$cfg` (rust-hdl widths are const generics; each use checks
/// them against the ones the configuration derives).
macro_rules! with_core_params {
    ($cfg:expr, $m:ident) => {
        match $cfg.name {
            "sim" => $m!(16, 2, 13, 526, 114, 6656, 208, 2, 770),
            "u55c" => $m!(32, 4, 17, 530, 118, 81920, 224, 16, 784),
            "ecp5" => $m!(16, 1, 12, 525, 8, 2368, 128, 16, 784),
            other => panic!("no core instance for config {other}"),
        }
    };
}

/// The lane, multiplier and add/sub unit of `cfg` (structural).
fn lane_parts(cfg: &Config) -> (Emitted, Emitted, Emitted) {
    let add_sub = with_add_sub!(cfg, T => emit::<T>("fq_add_sub"));
    let c = *cfg;
    let mul = match cfg.tag_bits {
        16 => emit_with("fq_mul", move || Box::new(FqMul::<16>::new(&c))),
        32 => emit_with("fq_mul", move || Box::new(FqMul::<32>::new(&c))),
        other => panic!("no multiplier instance for tag_bits = {other}"),
    };
    let lane = match cfg.tag_bits {
        16 => emit_with("fq_lane", move || Box::new(FqLane::<16>::new(&c))),
        32 => emit_with("fq_lane", move || Box::new(FqLane::<32>::new(&c))),
        other => panic!("no lane instance for tag_bits = {other}"),
    };
    (lane, mul, add_sub)
}

/// Every unit of `cfg`, and the board of a configuration on a serial link. `fq_lane`'s file
/// holds the lane and the two unit modules it instantiates.
pub fn units(cfg: &Config) -> Vec<Unit> {
    let (lane, mul, add_sub) = lane_parts(cfg);
    let lane_file = lane.verilog + &mul.verilog + &add_sub.verilog;
    macro_rules! core_and_card {
        ($($p:literal),*) => {
            (
                core_verilog::<MsmCore<$($p),*>>(cfg),
                card_verilog::<$($p),*>(cfg, "msm_card", lane::latency(cfg)),
            )
        };
    }
    let (core, card) = with_core_params!(cfg, core_and_card);
    let slicer = match cfg.lanes {
        1 => emit::<Slicer<1>>("msm_slicer"),
        2 => emit::<Slicer<2>>("msm_slicer"),
        4 => emit::<Slicer<4>>("msm_slicer"),
        other => panic!("no slicer instance for {other} lanes"),
    };
    let mut units = vec![
        Unit {
            name: "fq_add_sub",
            latency: crate::field::add_sub::latency(cfg.carry_bits as usize),
            verilog: add_sub.verilog,
            ports: add_sub.ports,
            synth_by_default: true,
            instantiates: &[],
        },
        Unit {
            name: "fq_mul",
            latency: mul::latency(cfg),
            verilog: mul.verilog,
            ports: mul.ports,
            synth_by_default: true,
            instantiates: &[],
        },
        Unit {
            name: "fq_lane",
            verilog: lane_file.clone(),
            ports: lane.ports,
            synth_by_default: true,
            latency: lane::latency(cfg),
            instantiates: &["fq_mul", "fq_add_sub"],
        },
        Unit {
            name: "msm_slicer",
            verilog: slicer.verilog,
            ports: slicer.ports,
            synth_by_default: true,
            // A scalar taken at one edge has its first digit out after it.
            latency: 1,
            instantiates: &[],
        },
        Unit {
            name: "msm_core",
            verilog: core.verilog + &lane_file,
            ports: core.ports,
            synth_by_default: false,
            // Not a pipeline: `idle` says when it is done.
            latency: 0,
            instantiates: &["fq_lane", "fq_mul", "fq_add_sub"],
        },
        Unit {
            name: "msm_card",
            verilog: prefix_modules(&(card.verilog + &lane_file), "card_"),
            ports: card.ports,
            synth_by_default: false,
            latency: 0,
            instantiates: &["card_fq_lane", "card_fq_mul", "card_fq_add_sub"],
        },
    ];
    if cfg.uart_clocks_per_bit().is_some() {
        units.push(board(cfg));
    }
    units
}

/// The card of `cfg` with behavioural field units ([`behavioural`]: the same ports, latency,
/// valid and tag as the structural units; everything else the generated RTL), for simulating
/// a whole configuration fast. Unit `msm_card_<cfg>_fast`, with its own copies of the lane's
/// modules under its name.
pub fn fast_card(cfg: &Config) -> Unit {
    let name: &'static str = Box::leak(format!("msm_card_{}_fast", cfg.name).into_boxed_str());
    macro_rules! card {
        ($($p:literal),*) => {
            card_verilog::<$($p),*>(cfg, name, lane::latency(cfg))
        };
    }
    with_fast_leaves(cfg, name, with_core_params!(cfg, card))
}

/// `top` (unit `name`) with the lane of `cfg` and behavioural field units, its modules
/// prefixed with its name.
fn with_fast_leaves(cfg: &Config, name: &'static str, top: Emitted) -> Unit {
    let (lane, mul, add_sub) = lane_parts(cfg);
    let leaves = behavioural::mul("fq_mul", &mul.ports, mul::latency(cfg))
        + &behavioural::add_sub(
            "fq_add_sub",
            &add_sub.ports,
            crate::field::add_sub::latency(cfg.carry_bits as usize),
        );
    Unit {
        name,
        verilog: prefix_modules(
            &(top.verilog + &lane.verilog + &leaves),
            &format!("{name}_"),
        ),
        ports: top.ports,
        synth_by_default: false,
        latency: 0,
        // Inlined whole: behavioural leaves are small, and a hierarchical block's every
        // evaluation copies its wide ports.
        instantiates: &[],
    }
}

/// The board of `cfg` (a configuration on a serial host link): the card behind the UART link
/// (`crate::board`), its UART at the config's clock and baud rate. Unit `msm_board`, the top
/// of a bitstream; its file holds the lane's modules as `board_fq_*`.
pub fn board(cfg: &Config) -> Unit {
    let cpb = cfg
        .uart_clocks_per_bit()
        .unwrap_or_else(|| panic!("{}: no serial host link", cfg.name));
    let (lane, mul, add_sub) = lane_parts(cfg);
    let lane_file = lane.verilog + &mul.verilog + &add_sub.verilog;
    let top = board_verilog(cfg, "msm_board", cpb);
    Unit {
        name: "msm_board",
        verilog: prefix_modules(&(top.verilog + &lane_file), "board_"),
        ports: top.ports,
        synth_by_default: false,
        latency: 0,
        instantiates: &["board_fq_lane", "board_fq_mul", "board_fq_add_sub"],
    }
}

/// The board of `cfg` with behavioural field units and its UART at `clocks_per_bit`, for
/// simulating the serial link in reasonable time. Unit `msm_board_<cfg>_fast`.
pub fn fast_board(cfg: &Config, clocks_per_bit: u32) -> Unit {
    let name: &'static str = Box::leak(format!("msm_board_{}_fast", cfg.name).into_boxed_str());
    with_fast_leaves(cfg, name, board_verilog(cfg, name, clocks_per_bit))
}

/// The board's Verilog, its type parameters those of the card of `cfg`.
fn board_verilog(cfg: &Config, name: &str, clocks_per_bit: u32) -> Emitted {
    let (c, latency) = (*cfg, lane::latency(cfg));
    macro_rules! board {
        ($($p:literal),*) => {
            emit_with(name, move || {
                Box::new(Board::<$($p),*>::new(&c, latency, clocks_per_bit))
            })
        };
    }
    with_core_params!(cfg, board)
}

/// The lane of `cfg` with its own units, as unit `<config>_fq_lane` (its modules prefixed
/// `<config>_`): for a simulation of a configuration's own lane (a folded one) beside the test
/// configuration's units.
pub fn lane_unit(cfg: &Config) -> Unit {
    let (lane, mul, add_sub) = lane_parts(cfg);
    let prefix = format!("{}_", cfg.name);
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let name = leak(format!("{prefix}fq_lane"));
    let units = vec![
        leak(format!("{prefix}fq_mul")),
        leak(format!("{prefix}fq_add_sub")),
    ];
    Unit {
        name,
        verilog: prefix_modules(&(lane.verilog + &mul.verilog + &add_sub.verilog), &prefix),
        ports: lane.ports,
        synth_by_default: false,
        latency: lane::latency(cfg),
        instantiates: Box::leak(units.into_boxed_slice()),
    }
}

/// The multiplier of `cfg` alone, as unit `fq_mul_<config>`: for a simulation of a
/// configuration's own multiplier beside the test configuration's units (its Xilinx primitives
/// under `ifdef SYNTHESIS` included, with models of them).
pub fn mul_unit(cfg: &Config) -> Unit {
    let name: &'static str = Box::leak(format!("fq_mul_{}", cfg.name).into_boxed_str());
    let (_, mul, _) = lane_parts(cfg);
    Unit {
        name,
        verilog: mul
            .verilog
            .replace("module fq_mul(", &format!("module {name}(")),
        ports: mul.ports,
        synth_by_default: false,
        latency: mul::latency(cfg),
        instantiates: &[],
    }
}

/// The modules a lane's file holds.
const LANE_MODULES: [&str; 3] = ["fq_lane", "fq_mul", "fq_add_sub"];

/// The card's file with its own copies of the lane's modules, named `<prefix>fq_*`:
/// simulators that compile each unit's file on its own (Verilator's hierarchical blocks are
/// libraries with one symbol set per module name) must not see two different `fq_lane` builds
/// in one program.
fn prefix_modules(verilog: &str, prefix: &str) -> String {
    LANE_MODULES.iter().fold(verilog.to_owned(), |v, m| {
        v.replace(m, &format!("{prefix}{m}"))
    })
}

/// The core's Verilog, once its type parameters are checked against the ones `cfg` derives.
fn core_verilog<C: Block + Default + Shaped + 'static>(cfg: &Config) -> Emitted {
    assert_eq!(
        C::SHAPE,
        core::shape(cfg),
        "{}: the core's type parameters",
        cfg.name
    );
    emit::<C>("msm_core")
}

/// The card around the core with the same type parameters (its file holds its own copy of the
/// core's modules).
fn card_verilog<
    const TAG: usize,
    const LANES: usize,
    const A: usize,
    const WORD: usize,
    const DEPTH: usize,
    const ENTRIES: usize,
    const CHAINS: usize,
    const EPOCH: usize,
    const ENTRY: usize,
>(
    cfg: &Config,
    name: &str,
    latency: usize,
) -> Emitted {
    let c = *cfg;
    emit_with(name, move || {
        Box::new(MsmCard::<
            TAG,
            LANES,
            A,
            WORD,
            DEPTH,
            ENTRIES,
            CHAINS,
            EPOCH,
            ENTRY,
        >::new(&c, latency))
    })
}

/// A core around a stand-in lane, the configuration it was built for, and the lane's II.
pub struct StandIn {
    pub unit: Unit,
    pub cfg: Config,
    pub interval: usize,
}

/// The test configuration's core around a stand-in lane (`FqLane::stand_in`) of latency
/// L = 1, 2, 7, 64 and 113 (the real lane's, asserted in hw/tests/generate.rs), with 4 lanes
/// at L = 7 (left-over windows shared 2 and 4 ways, and not at all), and folded (an addition
/// every II clocks) at L = 7, II = 3 and L = 40, II = 12: the engine's and the lane split's
/// control logic, tested in seconds at any depth. Unit `msm_core_l<L>` (latency L); its file
/// holds the core and the stand-in `fq_lane`.
pub fn stand_in_cores() -> Vec<StandIn> {
    macro_rules! core {
        ($name:literal, $l:literal, $ii:literal, $lanes:literal, $a:literal, $depth:literal, $entries:literal, $chains:literal) => {{
            type C = MsmCore<16, $lanes, $a, { 513 + $a }, $depth, $entries, $chains, 2, 770>;
            let cfg = Config {
                lanes: $lanes,
                ..crate::config::SIM
            };
            assert_eq!(
                C::SHAPE,
                core::shape_with_lane(&cfg, $l, $ii),
                "{}: the core's type parameters",
                $name
            );
            let core = emit::<C>($name);
            let lane = emit_with("fq_lane", || Box::new(FqLane::<16>::stand_in($l, $ii)));
            StandIn {
                unit: Unit {
                    name: $name,
                    verilog: core.verilog + &lane.verilog,
                    ports: core.ports,
                    synth_by_default: false,
                    latency: $l,
                    instantiates: &[],
                },
                cfg,
                interval: $ii,
            }
        }};
    }
    vec![
        core!("msm_core_l1", 1, 1, 2, 13, 2, 6656, 64),
        core!("msm_core_l2", 2, 1, 2, 13, 3, 6656, 64),
        core!("msm_core_l7", 7, 1, 2, 13, 8, 6656, 64),
        core!("msm_core_l7_4lanes", 7, 1, 4, 12, 8, 3584, 32),
        core!("msm_core_l7_ii3", 7, 3, 2, 13, 3, 6656, 64),
        core!("msm_core_l40_ii12", 40, 12, 2, 13, 4, 6656, 64),
        core!("msm_core_l64", 64, 1, 2, 13, 65, 6656, 128),
        core!("msm_core_l113", 113, 1, 2, 13, 114, 6656, 208),
    ]
}
