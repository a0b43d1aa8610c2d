# msm_card on the Alveo U55C: project, block design (PCIe bridge, HBM, clocks, the card),
# synthesis, implementation, reports, bitstream. From the repository root:
#   make rtl CONFIG=u55c   # build/rtl/u55c/msm_card.v
#   vivado -mode batch -source constraints/u55c/build.tcl [-tclargs path/to/msm_card.v]
# Writes build/u55c/msm_card_u55c.bit, build/u55c/*.rpt and the project in build/u55c/vivado.
# IP property names were read from Vivado-generated .xci/.bd files and scripts of public U55C
# projects (README.md here says which); those marked "unverified" were not found in any.

set card_mhz  250                ;# msm_spec::config::U55C.clock_mhz
set hbm_mhz   450                ;# HBM AXI port clock: its maximum
set mem_bytes [expr {1 << 32}]   ;# card memory the card addresses: 2^26 bases of 64 B
set part      xcu55c-fsvh2892-2L-e
set jobs      [expr {[info exists ::env(JOBS)] ? $::env(JOBS) : 2}]

set root [file normalize [file join [file dirname [info script]] .. ..]]
set here $root/constraints/u55c
set out  $root/build/u55c
set rtl  $root/build/rtl/u55c/msm_card.v
if {[llength $argv] > 0} { set rtl [file normalize [lindex $argv 0]] }
if {![file exists $rtl]} { error "$rtl is missing: run `make rtl CONFIG=u55c` first" }
puts "Vivado [version -short], $part, card clock $card_mhz MHz, RTL $rtl"

file mkdir $out
create_project -force msm_u55c $out/vivado -part $part
set_property target_language Verilog [current_project]
read_verilog $rtl
read_verilog $here/msm_card_u55c.v
read_xdc $here/u55c.xdc
# The XDC names clocks the IP make (PCIe user clock, MMCM outputs): after theirs, impl only.
set_property -dict {PROCESSING_ORDER LATE USED_IN_SYNTHESIS false} [get_files u55c.xdc]
update_compile_order -fileset sources_1

create_bd_design msm
foreach clk {pcie_refclk hbm_refclk sysclk} {
    create_bd_intf_port -mode Slave -vlnv xilinx.com:interface:diff_clock_rtl:1.0 $clk
    set_property CONFIG.FREQ_HZ 100000000 [get_bd_intf_ports $clk]
}
create_bd_intf_port -mode Master -vlnv xilinx.com:interface:pcie_7x_mgt_rtl:1.0 pcie_mgt
set_property CONFIG.POLARITY ACTIVE_LOW [create_bd_port -dir I -type rst pcie_perstn]
create_bd_port -dir O hbm_cattrip

# The card and its MSI synchronizer, RTL module references (msm_card_u55c.v).
create_bd_cell -type module -reference msm_card_u55c msm
create_bd_cell -type module -reference msm_irq_cdc irq_cdc

# PCIe Gen3 x16, AXI bridge mode: BAR0 (4 KB, 32-bit, as the simulated card) out of M_AXI_B;
# the card's DMA into S_AXI_B, one AXI BAR over the 64-bit space, untranslated (IOVAs); one
# MSI vector from usr_irq_req[0] (that this is vector 0 in bridge mode: unverified).
set_property -dict [list \
    CONFIG.functional_mode {AXI_Bridge}  CONFIG.mode_selection {Advanced} \
    CONFIG.pcie_blk_locn {PCIE4C_X1Y1}   CONFIG.pl_link_cap_max_link_width {X16} \
    CONFIG.pl_link_cap_max_link_speed {8.0_GT/s} \
    CONFIG.axi_data_width {512_bit}      CONFIG.axisten_freq {250} \
    CONFIG.axi_addr_width {64}           CONFIG.en_axi_slave_if {true} \
    CONFIG.pf0_device_id {7E54} \
    CONFIG.pf0_base_class_menu {Processing_accelerators} \
    CONFIG.pf0_class_code_base {12} CONFIG.pf0_class_code_sub {00} \
    CONFIG.pf0_class_code_interface {00} \
    CONFIG.pf0_bar0_size {4} CONFIG.pf0_bar0_scale {Kilobytes} CONFIG.pf0_bar0_64bit {false} \
    CONFIG.pciebar2axibar_0 {0x0000000000000000} \
    CONFIG.axibar_num {1} CONFIG.axibar2pciebar_0 {0x0000000000000000} \
    CONFIG.pf0_msi_enabled {true} CONFIG.pf0_msi_cap_multimsgcap {1_vector} \
    CONFIG.xdma_num_usr_irq {1} \
] [create_bd_cell -type ip -vlnv xilinx.com:ip:xdma xdma]
set_property CONFIG.C_BUF_TYPE {IBUFDSGTE} \
    [create_bd_cell -type ip -vlnv xilinx.com:ip:util_ds_buf pcie_refclk_buf]

# HBM: the left stack (8 GB of the 16), AXI port 0 reaching all of it through the switch.
# Only port 0 is used (USER_SAXI_xx as a port enable: unverified; the other ports' clocks and
# resets are connected all the same, below).
set hbm_config [list CONFIG.USER_HBM_DENSITY {8GB} CONFIG.USER_HBM_STACK {1} \
    CONFIG.USER_SINGLE_STACK_SELECTION {LEFT} CONFIG.USER_SWITCH_ENABLE_00 {TRUE} \
    CONFIG.USER_APB_EN {false} CONFIG.USER_AXI_CLK_FREQ $hbm_mhz]
for {set i 1} {$i < 16} {incr i} { lappend hbm_config [format CONFIG.USER_SAXI_%02d $i] false }
set_property -dict $hbm_config [create_bd_cell -type ip -vlnv xilinx.com:ip:hbm hbm]
create_bd_cell -type ip -vlnv xilinx.com:ip:util_ds_buf hbm_refclk_buf
set_property CONFIG.CONST_VAL {1} [create_bd_cell -type ip -vlnv xilinx.com:ip:xlconstant one]

# From SYSCLK3: the card clock on clk_out2 (an integer divider, so exact) and the HBM AXI
# clock on clk_out1 (the fractional one). The wizard's choice is checked.
set clk_wiz [create_bd_cell -type ip -vlnv xilinx.com:ip:clk_wiz clk_wiz]
set_property -dict [list \
    CONFIG.PRIM_SOURCE {Differential_clock_capable_pin} CONFIG.PRIM_IN_FREQ {100.000} \
    CONFIG.CLK_OUT1_PORT {hbm_clk} CONFIG.CLKOUT1_REQUESTED_OUT_FREQ $hbm_mhz \
    CONFIG.CLKOUT2_USED {true} CONFIG.CLK_OUT2_PORT {card_clk} \
    CONFIG.CLKOUT2_REQUESTED_OUT_FREQ $card_mhz CONFIG.NUM_OUT_CLKS {2} \
    CONFIG.USE_RESET {false} CONFIG.USE_LOCKED {true} \
] $clk_wiz
set vco [expr {100.0 * [get_property CONFIG.MMCM_CLKFBOUT_MULT_F $clk_wiz] \
    / [get_property CONFIG.MMCM_DIVCLK_DIVIDE $clk_wiz]}]
set hbm_got [expr {$vco / [get_property CONFIG.MMCM_CLKOUT0_DIVIDE_F $clk_wiz]}]
set card_got [expr {$vco / [get_property CONFIG.MMCM_CLKOUT1_DIVIDE $clk_wiz]}]
puts [format "clk_wiz: VCO %.3f MHz, card %.3f MHz, HBM AXI %.3f MHz" $vco $card_got $hbm_got]
if {abs($card_got - $card_mhz) > 0.01 || $hbm_got > 450.0} {
    error "clk_wiz: card $card_got MHz (want $card_mhz), HBM AXI $hbm_got MHz (at most 450)"
}

create_bd_cell -type ip -vlnv xilinx.com:ip:proc_sys_reset rst_card
create_bd_cell -type ip -vlnv xilinx.com:ip:proc_sys_reset rst_hbm
# One SmartConnect per card port: clock, width (HBM: 256-bit AXI3) and protocol conversion.
foreach smc {smc_bar smc_dma smc_mem} {
    set_property -dict {CONFIG.NUM_SI 1 CONFIG.NUM_MI 1 CONFIG.NUM_CLKS 2} \
        [create_bd_cell -type ip -vlnv xilinx.com:ip:smartconnect $smc]
}

connect_bd_intf_net [get_bd_intf_ports pcie_refclk] [get_bd_intf_pins pcie_refclk_buf/CLK_IN_D]
connect_bd_intf_net [get_bd_intf_ports pcie_mgt] [get_bd_intf_pins xdma/pcie_mgt]
connect_bd_intf_net [get_bd_intf_ports hbm_refclk] [get_bd_intf_pins hbm_refclk_buf/CLK_IN_D]
connect_bd_intf_net [get_bd_intf_ports sysclk] [get_bd_intf_pins clk_wiz/CLK_IN1_D]
connect_bd_intf_net [get_bd_intf_pins xdma/M_AXI_B] [get_bd_intf_pins smc_bar/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins smc_bar/M00_AXI] [get_bd_intf_pins msm/s_axil]
connect_bd_intf_net [get_bd_intf_pins msm/m_axi_dma] [get_bd_intf_pins smc_dma/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins smc_dma/M00_AXI] [get_bd_intf_pins xdma/S_AXI_B]
connect_bd_intf_net [get_bd_intf_pins msm/m_axi_mem] [get_bd_intf_pins smc_mem/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins smc_mem/M00_AXI] [get_bd_intf_pins hbm/SAXI_00_8HI]

# Clocks (a SmartConnect's aclk is its slave side, aclk1 its master side).
connect_bd_net [get_bd_pins pcie_refclk_buf/IBUF_OUT] [get_bd_pins xdma/sys_clk_gt]
connect_bd_net [get_bd_pins pcie_refclk_buf/IBUF_DS_ODIV2] [get_bd_pins xdma/sys_clk]
connect_bd_net [get_bd_pins xdma/axi_aclk] [get_bd_pins smc_bar/aclk] \
    [get_bd_pins smc_dma/aclk1] [get_bd_pins irq_cdc/pcie_clk]
connect_bd_net [get_bd_pins clk_wiz/card_clk] [get_bd_pins msm/aclk] \
    [get_bd_pins irq_cdc/card_clk] [get_bd_pins rst_card/slowest_sync_clk] \
    [get_bd_pins smc_bar/aclk1] [get_bd_pins smc_dma/aclk] [get_bd_pins smc_mem/aclk]
connect_bd_net [get_bd_pins clk_wiz/hbm_clk] [get_bd_pins rst_hbm/slowest_sync_clk] \
    [get_bd_pins smc_mem/aclk1] [get_bd_pins hbm/AXI_*_ACLK]
connect_bd_net [get_bd_pins hbm_refclk_buf/IBUF_OUT] [get_bd_pins hbm/HBM_REF_CLK_0] \
    [get_bd_pins hbm/APB_0_PCLK]

# Resets: PERST# resets the bridge; the bridge's reset and the MMCM's lock the rest.
connect_bd_net [get_bd_ports pcie_perstn] [get_bd_pins xdma/sys_rst_n]
connect_bd_net [get_bd_pins xdma/axi_aresetn] [get_bd_pins smc_bar/aresetn] \
    [get_bd_pins irq_cdc/pcie_aresetn] [get_bd_pins rst_card/ext_reset_in] \
    [get_bd_pins rst_hbm/ext_reset_in]
connect_bd_net [get_bd_pins clk_wiz/locked] [get_bd_pins rst_card/dcm_locked] \
    [get_bd_pins rst_hbm/dcm_locked]
connect_bd_net [get_bd_pins rst_card/peripheral_aresetn] [get_bd_pins msm/aresetn]
connect_bd_net [get_bd_pins rst_card/interconnect_aresetn] [get_bd_pins smc_dma/aresetn] \
    [get_bd_pins smc_mem/aresetn]
connect_bd_net [get_bd_pins rst_hbm/peripheral_aresetn] [get_bd_pins hbm/AXI_*_ARESET_N]
connect_bd_net [get_bd_pins one/dout] [get_bd_pins hbm/APB_0_PRESET_N]

# MSI; the HBM's over-temperature to the board (low in normal operation; left undriven, the
# board pulls it high and its controller cuts the power).
connect_bd_net [get_bd_pins msm/irq] [get_bd_pins irq_cdc/irq]
connect_bd_net [get_bd_pins irq_cdc/usr_irq_req] [get_bd_pins xdma/usr_irq_req]
connect_bd_net [get_bd_pins xdma/usr_irq_ack] [get_bd_pins irq_cdc/usr_irq_ack]
connect_bd_net [get_bd_pins hbm/DRAM_0_STAT_CATTRIP] [get_bd_ports hbm_cattrip]

# Address map: BAR0 -> the registers at 0; DMA addresses pass to PCIe unchanged; card memory
# from 0 (base k at 64 k). (-range 16E, and -of_objects on an address space: unverified.)
assign_bd_address -offset 0x0 -range 4K \
    -target_address_space [get_bd_addr_spaces xdma/M_AXI_B] [get_bd_addr_segs msm/s_axil/reg0]
assign_bd_address -offset 0x0 -range 16E \
    -target_address_space [get_bd_addr_spaces msm/m_axi_dma] [get_bd_addr_segs xdma/S_AXI_B/BAR0]
assign_bd_address -target_address_space [get_bd_addr_spaces msm/m_axi_mem] \
    [get_bd_addr_segs hbm/SAXI_00_8HI/*]
foreach space {xdma/M_AXI_B msm/m_axi_dma msm/m_axi_mem} {
    set bytes 0
    foreach seg [get_bd_addr_segs -of_objects [get_bd_addr_spaces $space]] {
        puts [format "%-14s %-28s at %s, %s" $space [get_property NAME $seg] \
            [get_property OFFSET $seg] [get_property RANGE $seg]]
        set bytes [expr {$bytes + [get_property RANGE $seg]}]
    }
    if {$space eq "msm/m_axi_mem" && $bytes < $mem_bytes} {
        error "card memory maps $bytes bytes of HBM; the card addresses $mem_bytes"
    }
}

validate_bd_design
save_bd_design
add_files -norecurse [make_wrapper -files [get_files msm.bd] -top]
set_property top msm_wrapper [current_fileset]
update_compile_order -fileset sources_1

launch_runs synth_1 -jobs $jobs
wait_on_run synth_1
if {[get_property PROGRESS [get_runs synth_1]] ne "100%"} { error "synthesis failed" }
launch_runs impl_1 -to_step route_design -jobs $jobs
wait_on_run impl_1
if {[get_property PROGRESS [get_runs impl_1]] ne "100%"} { error "implementation failed" }

open_run impl_1
report_utilization -file $out/utilization.rpt
report_utilization -hierarchical -hierarchical_depth 4 -file $out/utilization_hier.rpt
report_timing_summary -max_paths 20 -report_unconstrained -file $out/timing_summary.rpt
report_clocks -file $out/clocks.rpt
report_clock_interaction -file $out/clock_interaction.rpt
puts [report_utilization -return_string]
set wns [get_property SLACK [get_timing_paths -max_paths 1 -nworst 1 -setup]]
puts "WNS $wns ns[expr {$wns < 0 ? ": timing not met (timing_summary.rpt)" : ""}]"
write_bitstream -force $out/msm_card_u55c.bit
puts "bitstream: $out/msm_card_u55c.bit"
