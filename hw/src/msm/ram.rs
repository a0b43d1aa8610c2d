//! A RAM of any depth: one registered read port and one write port on one clock, like
//! rust-hdl's `RAM` but with `ENTRIES` words instead of 2^N. A lane's buckets are
//! ceil(W / lanes) 2^(c_max-1) entries (9 x 2^14 on a U55C), which a power of two would nearly
//! double. The body is Verilog (as `RAM`'s is); it is simulated in Verilator.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct SizedRam<const W: usize, const N: usize, const ENTRIES: usize> {
    pub clock: Signal<In, Clock>,
    pub read_address: Signal<In, Bits<N>>,
    /// The word at the address presented one clock earlier (the old word if it was written at
    /// that edge).
    pub read_data: Signal<Out, Bits<W>>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<N>>,
    pub write_data: Signal<In, Bits<W>>,
}

impl<const W: usize, const N: usize, const ENTRIES: usize> Logic for SizedRam<W, N, ENTRIES> {
    /// Simulated as Verilog (see the module documentation).
    fn update(&mut self) {}

    fn connect(&mut self) {
        assert!(
            ENTRIES >= 1 && ENTRIES <= 1 << N,
            "{ENTRIES} entries, {N} address bits"
        );
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "reg [{msb}:0] mem[0:{last}];

always @(posedge clock) begin
    read_data <= mem[read_address];
    if (write_enable) begin
        mem[write_address] <= write_data;
    end
end
",
            msb = W - 1,
            last = ENTRIES - 1
        ))
    }
}
