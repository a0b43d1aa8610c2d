# Alveo U55C (xcu55c-fsvh2892-2L-e) pins and clocks of the msm_card block design
# (constraints/u55c/build.tcl: the port names are those of its block design).
#
# Pins from public U55C constraint files, not invented:
#   [F] alexforencich/verilog-pcie example/Alveo/fpga/fpga_au55.xdc (a working Gen3 x16
#       U55C design): configuration, PCIe lanes, x16 reference clock, PERST#, CATTRIP.
#   [C] fpgasystems/Coyote hw/constraints/u55c/u55c_pcie.xdc and u55c_base.xdc: the same
#       lanes, reference clock and PERST#; the HBM reference clock; CATTRIP's pull-down.
#   [M] Xilinx's U55C master XDC (U55C_xdc_1v00.xdc, in DouglasWWolf/u55c_hbm_template
#       xdc/U55C_xdc_1v00.xdc): SYSCLK2 and SYSCLK3, 100 MHz, LVDS; the lanes (PEX_RX/TX).
# Applied late and to the implemented design only (build.tcl): it refers to clocks the IP
# create.

# ---- Configuration [F] ----
set_property CFGBVS GND                                [current_design]
set_property CONFIG_VOLTAGE 1.8                        [current_design]
set_property BITSTREAM.CONFIG.CONFIGFALLBACK ENABLE    [current_design]
set_property BITSTREAM.GENERAL.COMPRESS TRUE           [current_design]
set_property CONFIG_MODE SPIx4                         [current_design]
set_property BITSTREAM.CONFIG.SPI_BUSWIDTH 4           [current_design]
set_property BITSTREAM.CONFIG.CONFIGRATE 85.0          [current_design]
set_property BITSTREAM.CONFIG.EXTMASTERCCLK_EN DISABLE [current_design]
set_property BITSTREAM.CONFIG.SPI_FALL_EDGE YES        [current_design]
set_property BITSTREAM.CONFIG.UNUSEDPIN PULLUP         [current_design]
set_property BITSTREAM.CONFIG.SPI_32BIT_ADDR YES       [current_design]
set_property BITSTREAM.CONFIG.OVERTEMPSHUTDOWN Enable  [current_design]

# ---- PCIe Gen3 x16 ----
# Reference clock for x16: MGTREFCLK0 of quad 225 [F][C] (quad 227's AL15/AL14 serves only
# the bifurcated lanes 0-7).
set_property PACKAGE_PIN AR15 [get_ports pcie_refclk_clk_p]
set_property PACKAGE_PIN AR14 [get_ports pcie_refclk_clk_n]
create_clock -period 10.000 -name pcie_refclk [get_ports pcie_refclk_clk_p]

# PERST#, active low, from the edge connector [F][C].
set_property -dict {PACKAGE_PIN BF41 IOSTANDARD LVCMOS18 PULLUP true} [get_ports pcie_perstn]
set_false_path -from [get_ports pcie_perstn]

# Lanes 0-15 on quads 227 (lane 0) down to 224 [F][C][M]. The XDMA places its GT channels
# from pcie_blk_locn/select_quad; these must agree (a mismatch fails placement, not silently).
set_property PACKAGE_PIN AL2  [get_ports {pcie_mgt_rxp[0]}]
set_property PACKAGE_PIN AL1  [get_ports {pcie_mgt_rxn[0]}]
set_property PACKAGE_PIN AL11 [get_ports {pcie_mgt_txp[0]}]
set_property PACKAGE_PIN AL10 [get_ports {pcie_mgt_txn[0]}]
set_property PACKAGE_PIN AM4  [get_ports {pcie_mgt_rxp[1]}]
set_property PACKAGE_PIN AM3  [get_ports {pcie_mgt_rxn[1]}]
set_property PACKAGE_PIN AM9  [get_ports {pcie_mgt_txp[1]}]
set_property PACKAGE_PIN AM8  [get_ports {pcie_mgt_txn[1]}]
set_property PACKAGE_PIN AN6  [get_ports {pcie_mgt_rxp[2]}]
set_property PACKAGE_PIN AN5  [get_ports {pcie_mgt_rxn[2]}]
set_property PACKAGE_PIN AN11 [get_ports {pcie_mgt_txp[2]}]
set_property PACKAGE_PIN AN10 [get_ports {pcie_mgt_txn[2]}]
set_property PACKAGE_PIN AN2  [get_ports {pcie_mgt_rxp[3]}]
set_property PACKAGE_PIN AN1  [get_ports {pcie_mgt_rxn[3]}]
set_property PACKAGE_PIN AP9  [get_ports {pcie_mgt_txp[3]}]
set_property PACKAGE_PIN AP8  [get_ports {pcie_mgt_txn[3]}]
set_property PACKAGE_PIN AP4  [get_ports {pcie_mgt_rxp[4]}]
set_property PACKAGE_PIN AP3  [get_ports {pcie_mgt_rxn[4]}]
set_property PACKAGE_PIN AR11 [get_ports {pcie_mgt_txp[4]}]
set_property PACKAGE_PIN AR10 [get_ports {pcie_mgt_txn[4]}]
set_property PACKAGE_PIN AR2  [get_ports {pcie_mgt_rxp[5]}]
set_property PACKAGE_PIN AR1  [get_ports {pcie_mgt_rxn[5]}]
set_property PACKAGE_PIN AR7  [get_ports {pcie_mgt_txp[5]}]
set_property PACKAGE_PIN AR6  [get_ports {pcie_mgt_txn[5]}]
set_property PACKAGE_PIN AT4  [get_ports {pcie_mgt_rxp[6]}]
set_property PACKAGE_PIN AT3  [get_ports {pcie_mgt_rxn[6]}]
set_property PACKAGE_PIN AT9  [get_ports {pcie_mgt_txp[6]}]
set_property PACKAGE_PIN AT8  [get_ports {pcie_mgt_txn[6]}]
set_property PACKAGE_PIN AU2  [get_ports {pcie_mgt_rxp[7]}]
set_property PACKAGE_PIN AU1  [get_ports {pcie_mgt_rxn[7]}]
set_property PACKAGE_PIN AU11 [get_ports {pcie_mgt_txp[7]}]
set_property PACKAGE_PIN AU10 [get_ports {pcie_mgt_txn[7]}]
set_property PACKAGE_PIN AV4  [get_ports {pcie_mgt_rxp[8]}]
set_property PACKAGE_PIN AV3  [get_ports {pcie_mgt_rxn[8]}]
set_property PACKAGE_PIN AU7  [get_ports {pcie_mgt_txp[8]}]
set_property PACKAGE_PIN AU6  [get_ports {pcie_mgt_txn[8]}]
set_property PACKAGE_PIN AW6  [get_ports {pcie_mgt_rxp[9]}]
set_property PACKAGE_PIN AW5  [get_ports {pcie_mgt_rxn[9]}]
set_property PACKAGE_PIN AV9  [get_ports {pcie_mgt_txp[9]}]
set_property PACKAGE_PIN AV8  [get_ports {pcie_mgt_txn[9]}]
set_property PACKAGE_PIN AW2  [get_ports {pcie_mgt_rxp[10]}]
set_property PACKAGE_PIN AW1  [get_ports {pcie_mgt_rxn[10]}]
set_property PACKAGE_PIN AW11 [get_ports {pcie_mgt_txp[10]}]
set_property PACKAGE_PIN AW10 [get_ports {pcie_mgt_txn[10]}]
set_property PACKAGE_PIN AY4  [get_ports {pcie_mgt_rxp[11]}]
set_property PACKAGE_PIN AY3  [get_ports {pcie_mgt_rxn[11]}]
set_property PACKAGE_PIN AY9  [get_ports {pcie_mgt_txp[11]}]
set_property PACKAGE_PIN AY8  [get_ports {pcie_mgt_txn[11]}]
set_property PACKAGE_PIN BA6  [get_ports {pcie_mgt_rxp[12]}]
set_property PACKAGE_PIN BA5  [get_ports {pcie_mgt_rxn[12]}]
set_property PACKAGE_PIN BA11 [get_ports {pcie_mgt_txp[12]}]
set_property PACKAGE_PIN BA10 [get_ports {pcie_mgt_txn[12]}]
set_property PACKAGE_PIN BA2  [get_ports {pcie_mgt_rxp[13]}]
set_property PACKAGE_PIN BA1  [get_ports {pcie_mgt_rxn[13]}]
set_property PACKAGE_PIN BB9  [get_ports {pcie_mgt_txp[13]}]
set_property PACKAGE_PIN BB8  [get_ports {pcie_mgt_txn[13]}]
set_property PACKAGE_PIN BB4  [get_ports {pcie_mgt_rxp[14]}]
set_property PACKAGE_PIN BB3  [get_ports {pcie_mgt_rxn[14]}]
set_property PACKAGE_PIN BC11 [get_ports {pcie_mgt_txp[14]}]
set_property PACKAGE_PIN BC10 [get_ports {pcie_mgt_txn[14]}]
set_property PACKAGE_PIN BC2  [get_ports {pcie_mgt_rxp[15]}]
set_property PACKAGE_PIN BC1  [get_ports {pcie_mgt_rxn[15]}]
set_property PACKAGE_PIN BC7  [get_ports {pcie_mgt_txp[15]}]
set_property PACKAGE_PIN BC6  [get_ports {pcie_mgt_txn[15]}]

# ---- HBM ----
# Reference clock of the left stack: SYSCLK2, 100 MHz [C][M] (also u55c_smem's HBM0 clock).
set_property -dict {PACKAGE_PIN BK10 IOSTANDARD LVDS} [get_ports hbm_refclk_clk_p]
set_property -dict {PACKAGE_PIN BL10 IOSTANDARD LVDS} [get_ports hbm_refclk_clk_n]
create_clock -period 10.000 -name hbm_refclk [get_ports hbm_refclk_clk_p]

# CATTRIP to the satellite controller: driven by the HBM's DRAM_0_STAT_CATTRIP, low unless the
# stack overheats; pulled down so it reads low before configuration too [F][C].
set_property -dict {PACKAGE_PIN BE45 IOSTANDARD LVCMOS18 PULLDOWN true} [get_ports hbm_cattrip]
set_false_path -to [get_ports hbm_cattrip]
set_output_delay 0 [get_ports hbm_cattrip]

# ---- The card's clock source: SYSCLK3, 100 MHz [M] (clk_100mhz_1 in [F]) ----
# The clocking wizard's MMCM makes the card clock (clk_out2) and the HBM AXI clock (clk_out1)
# from it; Vivado derives both, so they are not created here. (The wizard also creates a
# clock on this port; this one, the same, replaces it.)
set_property -dict {PACKAGE_PIN BK43 IOSTANDARD LVDS} [get_ports sysclk_clk_p]
set_property -dict {PACKAGE_PIN BK44 IOSTANDARD LVDS} [get_ports sysclk_clk_n]
create_clock -period 10.000 -name sysclk [get_ports sysclk_clk_p]

# ---- Clock domains ----
# The PCIe user clock (XDMA axi_aclk, 250 MHz from the GTs), the card clock and the HBM AXI
# clock are unrelated: every crossing is a SmartConnect's clock converter or msm_irq_cdc,
# whose own constraints (bus skew, ASYNC_REG) still apply.
set pcie_user_clk [get_clocks -of_objects [get_pins -hierarchical xdma/axi_aclk]]
set card_clk [get_clocks -of_objects [get_pins -hierarchical clk_wiz/card_clk]]
set hbm_axi_clk [get_clocks -of_objects [get_pins -hierarchical clk_wiz/hbm_clk]]
set_clock_groups -name msm_async -asynchronous \
    -group $pcie_user_clk -group $card_clk -group $hbm_axi_clk
