// msm_card on the Alveo U55C: the generated card (build/rtl/u55c/msm_card.v) with Vivado's AXI
// port names, so that IP integrator, taking this module as an RTL module reference, infers the
// interfaces s_axil (BAR0), m_axi_dma (host memory) and m_axi_mem (HBM) from the names alone
// (constraints/u55c/build.tcl connects them).
//
// msm_card has no reset port (its soft reset is a BAR0 register) and powers up from the
// flip-flops' configuration values. aresetn is used only here: by the BAR0 bridge, and to hold
// every AXI valid and ready at the boundary low while the interconnect is in reset, so that
// neither side sees a handshake the other did not make. A reset while a command runs leaves
// the card waiting for transfers the interconnect dropped: reset the link only when idle.
//
// Plain Verilog-2005; the X_INTERFACE_* attributes tie aclk and aresetn to the interfaces.
module msm_card_u55c (
    (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 aclk CLK" *)
    (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axil:m_axi_dma:m_axi_mem, ASSOCIATED_RESET aresetn" *)
    input  wire         aclk,
    (* X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 aresetn RST" *)
    (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)
    input  wire         aresetn,

    // BAR0: AXI4-Lite slave, 4 KB, one 32-bit register per word.
    input  wire         s_axil_awvalid,
    output wire         s_axil_awready,
    input  wire [11:0]  s_axil_awaddr,
    input  wire         s_axil_wvalid,
    output wire         s_axil_wready,
    input  wire [31:0]  s_axil_wdata,
    input  wire [3:0]   s_axil_wstrb,
    output wire         s_axil_bvalid,
    input  wire         s_axil_bready,
    output wire [1:0]   s_axil_bresp,
    input  wire         s_axil_arvalid,
    output wire         s_axil_arready,
    input  wire [11:0]  s_axil_araddr,
    output wire         s_axil_rvalid,
    input  wire         s_axil_rready,
    output wire [31:0]  s_axil_rdata,
    output wire [1:0]   s_axil_rresp,

    // Host memory by IOVA (to the PCIe bridge's AXI slave).
    output wire         m_axi_dma_arvalid,
    input  wire         m_axi_dma_arready,
    output wire [63:0]  m_axi_dma_araddr,
    output wire [7:0]   m_axi_dma_arlen,
    output wire [2:0]   m_axi_dma_arsize,
    output wire [1:0]   m_axi_dma_arburst,
    output wire [3:0]   m_axi_dma_arcache,
    output wire [2:0]   m_axi_dma_arprot,
    input  wire         m_axi_dma_rvalid,
    output wire         m_axi_dma_rready,
    input  wire [511:0] m_axi_dma_rdata,
    input  wire [1:0]   m_axi_dma_rresp,
    input  wire         m_axi_dma_rlast,
    output wire         m_axi_dma_awvalid,
    input  wire         m_axi_dma_awready,
    output wire [63:0]  m_axi_dma_awaddr,
    output wire [7:0]   m_axi_dma_awlen,
    output wire [2:0]   m_axi_dma_awsize,
    output wire [1:0]   m_axi_dma_awburst,
    output wire [3:0]   m_axi_dma_awcache,
    output wire [2:0]   m_axi_dma_awprot,
    output wire         m_axi_dma_wvalid,
    input  wire         m_axi_dma_wready,
    output wire [511:0] m_axi_dma_wdata,
    output wire [63:0]  m_axi_dma_wstrb,
    output wire         m_axi_dma_wlast,
    input  wire         m_axi_dma_bvalid,
    output wire         m_axi_dma_bready,
    input  wire [1:0]   m_axi_dma_bresp,

    // Card memory (HBM), the bases: base k at byte 64 k.
    output wire         m_axi_mem_arvalid,
    input  wire         m_axi_mem_arready,
    output wire [63:0]  m_axi_mem_araddr,
    output wire [7:0]   m_axi_mem_arlen,
    output wire [2:0]   m_axi_mem_arsize,
    output wire [1:0]   m_axi_mem_arburst,
    output wire [3:0]   m_axi_mem_arcache,
    output wire [2:0]   m_axi_mem_arprot,
    input  wire         m_axi_mem_rvalid,
    output wire         m_axi_mem_rready,
    input  wire [511:0] m_axi_mem_rdata,
    input  wire [1:0]   m_axi_mem_rresp,
    input  wire         m_axi_mem_rlast,
    output wire         m_axi_mem_awvalid,
    input  wire         m_axi_mem_awready,
    output wire [63:0]  m_axi_mem_awaddr,
    output wire [7:0]   m_axi_mem_awlen,
    output wire [2:0]   m_axi_mem_awsize,
    output wire [1:0]   m_axi_mem_awburst,
    output wire [3:0]   m_axi_mem_awcache,
    output wire [2:0]   m_axi_mem_awprot,
    output wire         m_axi_mem_wvalid,
    input  wire         m_axi_mem_wready,
    output wire [511:0] m_axi_mem_wdata,
    output wire [63:0]  m_axi_mem_wstrb,
    output wire         m_axi_mem_wlast,
    input  wire         m_axi_mem_bvalid,
    output wire         m_axi_mem_bready,
    input  wire [1:0]   m_axi_mem_bresp,

    // One aclk-wide pulse per MSI (msm_irq_cdc below takes it to the PCIe clock).
    (* X_INTERFACE_INFO = "xilinx.com:signal:interrupt:1.0 irq INTERRUPT" *)
    (* X_INTERFACE_PARAMETER = "SENSITIVITY EDGE_RISING" *)
    output wire         irq
);
    // The card's bursts: always 64-byte beats (size 6), INCR, every byte written. Cache 0011
    // (normal, non-cacheable, bufferable) lets the interconnect resize bursts for the HBM port.
    localparam [2:0] SIZE_64B = 3'd6;
    localparam [1:0] INCR = 2'b01;
    localparam [3:0] CACHE = 4'b0011;
    localparam [2:0] PROT = 3'b000;

    // Registered aresetn: gates the boundary handshakes.
    reg run = 1'b0;
    always @(posedge aclk) run <= aresetn;

    // ---- BAR0: AXI4-Lite to the register port, one access at a time ----
    // The card's port shares one address between reads and writes, so they never overlap; a
    // read's word appears the clock after reg_read and is held here until rready.
    localparam [2:0] IDLE = 3'd0, WRITE = 3'd1, BRESP = 3'd2, READ = 3'd3, RDATA = 3'd4,
                     RRESP = 3'd5;
    reg [2:0] state = IDLE;
    reg last_was_write = 1'b0; // alternates reads and writes when both wait
    reg [11:0] addr_q = 12'd0;
    reg [31:0] wdata_q = 32'd0;
    reg wen_q = 1'b0;
    reg [31:0] rdata_q = 32'd0;
    wire [31:0] card_reg_read_data;

    wire wr_req = s_axil_awvalid & s_axil_wvalid;
    wire rd_req = s_axil_arvalid;
    wire idle = run & (state == IDLE);
    wire take_write = idle & wr_req & (~rd_req | ~last_was_write);
    wire take_read = idle & rd_req & ~take_write;

    always @(posedge aclk) begin
        if (!aresetn) begin
            state <= IDLE;
            last_was_write <= 1'b0;
        end else begin
            case (state)
                IDLE: if (take_write) begin
                    state <= WRITE;
                    last_was_write <= 1'b1;
                end else if (take_read) begin
                    state <= READ;
                    last_was_write <= 1'b0;
                end
                WRITE: state <= BRESP;
                BRESP: if (s_axil_bready) state <= IDLE;
                READ: state <= RDATA;
                RDATA: state <= RRESP;
                RRESP: if (s_axil_rready) state <= IDLE;
                default: state <= IDLE;
            endcase
        end
    end

    // The card sees registered requests: no path from the interconnect into its decode.
    always @(posedge aclk) begin
        if (take_write) begin
            addr_q <= s_axil_awaddr;
            wdata_q <= s_axil_wdata;
            // The port writes whole words (the driver writes words): any enabled byte writes
            // the word, none writes nothing.
            wen_q <= |s_axil_wstrb;
        end else if (take_read) begin
            addr_q <= s_axil_araddr;
        end
        if (state == RDATA) rdata_q <= card_reg_read_data;
    end

    assign s_axil_awready = take_write;
    assign s_axil_wready = take_write;
    assign s_axil_arready = take_read;
    assign s_axil_bvalid = state == BRESP;
    assign s_axil_bresp = 2'b00;
    assign s_axil_rvalid = state == RRESP;
    assign s_axil_rdata = rdata_q;
    assign s_axil_rresp = 2'b00;

    wire card_reg_read = state == READ;
    wire card_reg_write = (state == WRITE) & wen_q;

    // ---- The card's AXI ports, handshakes gated by run ----
    wire         card_irq;
    wire         card_dma_ar_valid, card_dma_r_ready, card_dma_aw_valid, card_dma_w_valid;
    wire         card_dma_w_last, card_dma_b_ready;
    wire [63:0]  card_dma_ar_addr, card_dma_aw_addr;
    wire [7:0]   card_dma_ar_len, card_dma_aw_len;
    wire [511:0] card_dma_w_data;
    wire         card_dma_ar_ready = run & m_axi_dma_arready;
    wire         card_dma_r_valid = run & m_axi_dma_rvalid;
    wire         card_dma_aw_ready = run & m_axi_dma_awready;
    wire         card_dma_w_ready = run & m_axi_dma_wready;
    wire         card_dma_b_valid = run & m_axi_dma_bvalid;

    wire         card_mem_ar_valid, card_mem_r_ready, card_mem_aw_valid, card_mem_w_valid;
    wire         card_mem_w_last, card_mem_b_ready;
    wire [63:0]  card_mem_ar_addr, card_mem_aw_addr;
    wire [7:0]   card_mem_ar_len, card_mem_aw_len;
    wire [511:0] card_mem_w_data;
    wire         card_mem_ar_ready = run & m_axi_mem_arready;
    wire         card_mem_r_valid = run & m_axi_mem_rvalid;
    wire         card_mem_aw_ready = run & m_axi_mem_awready;
    wire         card_mem_w_ready = run & m_axi_mem_wready;
    wire         card_mem_b_valid = run & m_axi_mem_bvalid;

    msm_card card (
        .clock(aclk),
        .reg_read(card_reg_read),
        .reg_write(card_reg_write),
        .reg_address(addr_q),
        .reg_write_data(wdata_q),
        .reg_read_data(card_reg_read_data),
        .irq(card_irq),
        .dma_ar_valid(card_dma_ar_valid),
        .dma_ar_ready(card_dma_ar_ready),
        .dma_ar_addr(card_dma_ar_addr),
        .dma_ar_len(card_dma_ar_len),
        .dma_r_valid(card_dma_r_valid),
        .dma_r_ready(card_dma_r_ready),
        .dma_r_data(m_axi_dma_rdata),
        .dma_r_resp(m_axi_dma_rresp),
        .dma_r_last(m_axi_dma_rlast),
        .dma_aw_valid(card_dma_aw_valid),
        .dma_aw_ready(card_dma_aw_ready),
        .dma_aw_addr(card_dma_aw_addr),
        .dma_aw_len(card_dma_aw_len),
        .dma_w_valid(card_dma_w_valid),
        .dma_w_ready(card_dma_w_ready),
        .dma_w_data(card_dma_w_data),
        .dma_w_last(card_dma_w_last),
        .dma_b_valid(card_dma_b_valid),
        .dma_b_ready(card_dma_b_ready),
        .dma_b_resp(m_axi_dma_bresp),
        .mem_ar_valid(card_mem_ar_valid),
        .mem_ar_ready(card_mem_ar_ready),
        .mem_ar_addr(card_mem_ar_addr),
        .mem_ar_len(card_mem_ar_len),
        .mem_r_valid(card_mem_r_valid),
        .mem_r_ready(card_mem_r_ready),
        .mem_r_data(m_axi_mem_rdata),
        .mem_r_resp(m_axi_mem_rresp),
        .mem_r_last(m_axi_mem_rlast),
        .mem_aw_valid(card_mem_aw_valid),
        .mem_aw_ready(card_mem_aw_ready),
        .mem_aw_addr(card_mem_aw_addr),
        .mem_aw_len(card_mem_aw_len),
        .mem_w_valid(card_mem_w_valid),
        .mem_w_ready(card_mem_w_ready),
        .mem_w_data(card_mem_w_data),
        .mem_w_last(card_mem_w_last),
        .mem_b_valid(card_mem_b_valid),
        .mem_b_ready(card_mem_b_ready),
        .mem_b_resp(m_axi_mem_bresp)
    );

    assign m_axi_dma_arvalid = run & card_dma_ar_valid;
    assign m_axi_dma_araddr = card_dma_ar_addr;
    assign m_axi_dma_arlen = card_dma_ar_len;
    assign m_axi_dma_arsize = SIZE_64B;
    assign m_axi_dma_arburst = INCR;
    assign m_axi_dma_arcache = CACHE;
    assign m_axi_dma_arprot = PROT;
    assign m_axi_dma_rready = run & card_dma_r_ready;
    assign m_axi_dma_awvalid = run & card_dma_aw_valid;
    assign m_axi_dma_awaddr = card_dma_aw_addr;
    assign m_axi_dma_awlen = card_dma_aw_len;
    assign m_axi_dma_awsize = SIZE_64B;
    assign m_axi_dma_awburst = INCR;
    assign m_axi_dma_awcache = CACHE;
    assign m_axi_dma_awprot = PROT;
    assign m_axi_dma_wvalid = run & card_dma_w_valid;
    assign m_axi_dma_wdata = card_dma_w_data;
    assign m_axi_dma_wstrb = {64{1'b1}};
    assign m_axi_dma_wlast = card_dma_w_last;
    assign m_axi_dma_bready = run & card_dma_b_ready;

    assign m_axi_mem_arvalid = run & card_mem_ar_valid;
    assign m_axi_mem_araddr = card_mem_ar_addr;
    assign m_axi_mem_arlen = card_mem_ar_len;
    assign m_axi_mem_arsize = SIZE_64B;
    assign m_axi_mem_arburst = INCR;
    assign m_axi_mem_arcache = CACHE;
    assign m_axi_mem_arprot = PROT;
    assign m_axi_mem_rready = run & card_mem_r_ready;
    assign m_axi_mem_awvalid = run & card_mem_aw_valid;
    assign m_axi_mem_awaddr = card_mem_aw_addr;
    assign m_axi_mem_awlen = card_mem_aw_len;
    assign m_axi_mem_awsize = SIZE_64B;
    assign m_axi_mem_awburst = INCR;
    assign m_axi_mem_awcache = CACHE;
    assign m_axi_mem_awprot = PROT;
    assign m_axi_mem_wvalid = run & card_mem_w_valid;
    assign m_axi_mem_wdata = card_mem_w_data;
    assign m_axi_mem_wstrb = {64{1'b1}};
    assign m_axi_mem_wlast = card_mem_w_last;
    assign m_axi_mem_bready = run & card_mem_b_ready;

    assign irq = run & card_irq;
endmodule

// The card's MSI pulse (aclk) to the PCIe bridge's user interrupt (its axi_aclk, asynchronous).
// The bridge wants usr_irq_req held until usr_irq_ack, which comes once the MSI is sent. The
// pulse toggles a flip-flop; the toggle crosses through two synchronizers. A pulse while a
// request waits joins it (the driver reads `ended`, not a count of MSIs); one that comes with
// the ack asks again after req has dropped for a clock, so that every command's end is sent.
// Pulses are a command apart, far more than the synchronizer's few clocks.
module msm_irq_cdc (
    (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 card_clk CLK" *)
    input  wire       card_clk,
    (* X_INTERFACE_INFO = "xilinx.com:signal:interrupt:1.0 irq INTERRUPT" *)
    (* X_INTERFACE_PARAMETER = "SENSITIVITY EDGE_RISING" *)
    input  wire       irq,
    (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 pcie_clk CLK" *)
    (* X_INTERFACE_PARAMETER = "ASSOCIATED_RESET pcie_aresetn" *)
    input  wire       pcie_clk,
    (* X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 pcie_aresetn RST" *)
    (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)
    input  wire       pcie_aresetn,
    output wire [0:0] usr_irq_req,
    input  wire [0:0] usr_irq_ack
);
    reg toggle = 1'b0;
    always @(posedge card_clk) toggle <= toggle ^ irq;

    (* ASYNC_REG = "TRUE" *) reg [1:0] sync = 2'b00;
    reg seen = 1'b0;
    reg req = 1'b0;
    reg again = 1'b0;
    wire pulse = sync[1] ^ seen;

    always @(posedge pcie_clk) begin
        sync <= {sync[0], toggle};
        seen <= sync[1];
        if (!pcie_aresetn) begin
            req <= 1'b0;
            again <= 1'b0;
        end else if (req) begin
            if (usr_irq_ack[0]) begin
                req <= 1'b0;
                again <= pulse;
            end
        end else if (pulse | again) begin
            req <= 1'b1;
            again <= 1'b0;
        end
    end

    assign usr_irq_req = req;
endmodule
