// Simulation models of the Xilinx primitives that generated units instantiate under
// `ifdef SYNTHESIS` (the multiplier's ternary adders), after their UltraScale+ library
// descriptions (UG974): only what those instances use.

// A 6-input LUT with two outputs: O6 of all six inputs, O5 of I0..I4 (INIT's low half).
module LUT6_2 #(parameter [63:0] INIT = 64'h0) (
    output O6,
    output O5,
    input I0, I1, I2, I3, I4, I5
);
    assign O6 = INIT[{I5, I4, I3, I2, I1, I0}];
    assign O5 = INIT[{1'b0, I4, I3, I2, I1, I0}];
endmodule

// An 8-bit carry chain, single (SINGLE_CY8): carry into bit i+1 is S[i] ? carry : DI[i].
module CARRY8 #(parameter CARRY_TYPE = "SINGLE_CY8") (
    output [7:0] CO,
    output [7:0] O,
    input CI,
    input CI_TOP,
    input [7:0] DI,
    input [7:0] S
);
    wire [8:0] c /* verilator split_var */;
    assign c[0] = CI;
    genvar i;
    generate for (i = 0; i < 8; i = i + 1) begin : stage
        assign c[i + 1] = S[i] ? c[i] : DI[i];
    end endgenerate
    assign O = S ^ c[7:0];
    assign CO = c[8:1];
endmodule
