//! Build configurations: the one place where the core's parameters are set. Every latency,
//! depth and size is derived from these values.

/// A DSP-sized multiplier tile, a x b bits unsigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tile {
    pub a_bits: u32,
    pub b_bits: u32,
}

/// Xilinx DSP48E2: 27 x 18 signed, 26 x 17 unsigned.
pub const DSP48E2: Tile = Tile {
    a_bits: 26,
    b_bits: 17,
};
/// Lattice ECP5 MULT18X18D.
pub const MULT18X18: Tile = Tile {
    a_bits: 18,
    b_bits: 18,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    pub name: &'static str,
    /// Largest window width c the bucket memory holds (2^(c_max - 1) buckets per window).
    pub c_max: u32,
    /// Adder lanes.
    pub lanes: usize,
    /// The field units of each adder lane.
    pub lane_units: LaneUnits,
    /// Multiplier tile.
    pub tile: Tile,
    /// Longest carry chain in one pipeline stage of the add/sub units, in bits: 256 bits of
    /// operand take 256 / carry_bits stages.
    pub carry_bits: u32,
    /// Karatsuba-Ofman levels of each product of the multiplier (3^levels leaf products, each
    /// on tiles).
    pub karatsuba_levels: u32,
    /// Passes of an operation through the multiplier's pipeline: 1 (a multiplication a clock),
    /// or k: word-serial Montgomery over 256 / k-bit words of b, one multiplication every k
    /// clocks from about 1 / k of the tiles.
    pub mul_passes: u32,
    /// Width of the opaque tag carried alongside each operation.
    pub tag_bits: u32,
    /// Width of the bucket epoch: a bucket memory entry written by an earlier MSM reads as
    /// empty. Every 2^epoch_bits - 1 MSMs the epochs run out and the core sweeps its buckets
    /// clear (one clock per entry) before the next MSM.
    pub epoch_bits: u32,
    /// The FPGA families this configuration is synthesized for.
    pub families: &'static [Family],
    /// The card clock the board build targets (projections use it too).
    pub clock_mhz: u32,
    /// Card memory holds 2^bases_log2 bases (64 B each).
    pub bases_log2: u32,
    /// How the board reaches the host.
    pub host_link: HostLink,
}

/// How the card's ports reach the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostLink {
    /// A PCIe shell (the vendor's DMA bridge and card memory) around `msm_card`.
    Pcie,
    /// A UART at `baud` carrying the register, DMA and card-memory ports (`crate::link`).
    Uart { baud: u32 },
}

/// The field units an adder lane is built of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneUnits {
    /// One unit per operation of the addition formula: one addition a clock.
    PerOperation,
    /// `muls` multipliers and `add_subs` add/sub units shared by the operations on a modulo
    /// schedule: one addition every II clocks, II the most operations of one kind per unit.
    Shared { muls: usize, add_subs: usize },
}

/// An FPGA family the synthesis flow targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Xilinx UltraScale+ (yosys `synth_xilinx -family xcup`): resource estimates.
    Xcup,
    /// Lattice ECP5 LFE5UM5G-85F: resources, and place and route for Fmax.
    Ecp5,
}

impl Family {
    pub const ALL: [Family; 2] = [Family::Xcup, Family::Ecp5];

    pub fn name(self) -> &'static str {
        match self {
            Family::Xcup => "xcup",
            Family::Ecp5 => "ecp5",
        }
    }
}

impl Config {
    /// The UART's clocks per bit, for a board on a serial link.
    pub const fn uart_clocks_per_bit(&self) -> Option<u32> {
        match self.host_link {
            HostLink::Pcie => None,
            HostLink::Uart { baud } => crate::link::clocks_per_bit(self.clock_mhz, baud),
        }
    }
    /// Pipeline stages of the carry chain of an add/sub unit.
    pub fn carry_stages(&self) -> u32 {
        crate::limbs::FIELD_BITS / self.carry_bits
    }
}

/// Small: for simulation and tests.
pub const SIM: Config = Config {
    name: "sim",
    c_max: 10,
    lanes: 2,
    lane_units: LaneUnits::PerOperation,
    tile: MULT18X18,
    carry_bits: 64,
    karatsuba_levels: 4,
    mul_passes: 1,
    tag_bits: 16,
    // Tiny, so that tests run past a wrap.
    epoch_bits: 2,
    families: &Family::ALL,
    clock_mhz: 250,
    host_link: HostLink::Pcie,
    bases_log2: 20,
};

/// A large Xilinx card (Alveo U55C class). c_max = 15: 17 windows x 16384 buckets x 96 B fits
/// its URAM (DESIGN.md section 4).
pub const U55C: Config = Config {
    name: "u55c",
    c_max: 15,
    lanes: 4,
    lane_units: LaneUnits::PerOperation,
    tile: DSP48E2,
    carry_bits: 64,
    karatsuba_levels: 4,
    mul_passes: 1,
    tag_bits: 32,
    epoch_bits: 16,
    families: &[Family::Xcup],
    clock_mhz: 250,
    host_link: HostLink::Pcie,
    // 4 GiB of its 16 GiB HBM.
    bases_log2: 26,
};

/// Lattice ECP5 LFE5UM5G-85F, for a real open place-and-route: a folded lane.
pub const ECP5_85F: Config = Config {
    name: "ecp5",
    // Its 208 EBR (18 kbit each) hold 37 windows x 64 buckets of 784 bits (110 EBR as 512 x 36)
    // beside the chain sums; c_max = 8 (33 x 128) would need 198 of them for the buckets alone.
    c_max: 7,
    lanes: 1,
    // One multiplier (12 multiplications of 4 passes an addition) and one add/sub unit (28
    // operations): II = 48. Two passes of 128-bit words (135 MULT18X18D, II 24) placed at 80%
    // of the LUTs, and routing did not converge.
    lane_units: LaneUnits::Shared {
        muls: 1,
        add_subs: 1,
    },
    tile: MULT18X18,
    carry_bits: 32,
    // Four passes of 64-bit words, each product 2 levels deep: 81 MULT18X18D of the 156.
    karatsuba_levels: 2,
    mul_passes: 4,
    tag_bits: 16,
    epoch_bits: 16,
    families: &[Family::Ecp5],
    // From the ULX3S's 25 MHz oscillator by the PLL (x 3 / 5): the placed board estimated 21.6
    // MHz at 25 (its longest path is the slicer-to-engine ready chain, combinational).
    clock_mhz: 15,
    // The board's FT231X: 1 Mbaud is 15 clocks a bit, exactly.
    host_link: HostLink::Uart { baud: 1_000_000 },
    bases_log2: 20,
};

pub const ALL: [Config; 3] = [SIM, U55C, ECP5_85F];

// A serial board's baud rate divides its clock.
const _: () = {
    let mut i = 0;
    while i < ALL.len() {
        if let HostLink::Uart { .. } = ALL[i].host_link {
            assert!(
                ALL[i].uart_clocks_per_bit().is_some(),
                "baud must divide the clock"
            );
        }
        i += 1;
    }
};

/// The configuration called `name`.
pub fn by_name(name: &str) -> Option<Config> {
    ALL.into_iter().find(|c| c.name == name)
}
