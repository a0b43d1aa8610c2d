//! A board without PCIe: the card behind the serial host link (`msm_spec::link`), its
//! clock the board's oscillator, and LEDs that show it is alive.
//!
//! - [`uart`]: the UART;
//! - [`link`]: frames in, replies out, the card's register port and its two memory ports.
//!
//! The LEDs: 0 a heartbeat (about 0.9 Hz at 15 MHz), 1 a frame being received or acted on,
//! 2 a byte being sent, 3 toggled by each of the card's interrupts (a command ended).

pub mod link;
pub mod uart;

use msm_spec::config::Config;
use rust_hdl::prelude::*;

use self::link::UartLink;
use crate::card::MsmCard;

/// The board's top: `msm_board` (unit of `crate::verilog`).
#[derive(LogicBlock)]
pub struct Board<
    const TAG: usize,
    const LANES: usize,
    const A: usize,
    const WORD: usize,
    const DEPTH: usize,
    const ENTRIES: usize,
    const CHAINS: usize,
    const EPOCH: usize,
    const ENTRY: usize,
> {
    pub clock: Signal<In, Clock>,
    pub uart_rx: Signal<In, Bit>,
    pub uart_tx: Signal<Out, Bit>,
    pub led: Signal<Out, Bits<8>>,
    card: MsmCard<TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>,
    link: UartLink,
    heartbeat: DFF<Bits<24>>,
    irq_led: DFF<Bit>,
}

impl<
        const TAG: usize,
        const LANES: usize,
        const A: usize,
        const WORD: usize,
        const DEPTH: usize,
        const ENTRIES: usize,
        const CHAINS: usize,
        const EPOCH: usize,
        const ENTRY: usize,
    > Board<TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>
{
    /// The board of `cfg` (its lane of `latency`), its UART at `clocks_per_bit`.
    pub fn new(cfg: &Config, latency: usize, clocks_per_bit: u32) -> Self {
        Board {
            clock: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            led: Default::default(),
            card: MsmCard::new(cfg, latency),
            link: UartLink::new(clocks_per_bit),
            heartbeat: Default::default(),
            irq_led: Default::default(),
        }
    }
}

impl<
        const TAG: usize,
        const LANES: usize,
        const A: usize,
        const WORD: usize,
        const DEPTH: usize,
        const ENTRIES: usize,
        const CHAINS: usize,
        const EPOCH: usize,
        const ENTRY: usize,
    > Logic for Board<TAG, LANES, A, WORD, DEPTH, ENTRIES, CHAINS, EPOCH, ENTRY>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, heartbeat, irq_led);
        clock!(self, clock, card, link);
        self.heartbeat.d.next = self.heartbeat.q.val() + 1;
        self.link.rx.next = self.uart_rx.val();
        self.uart_tx.next = self.link.tx.val();

        self.card.reg_read.next = self.link.reg_read.val();
        self.card.reg_write.next = self.link.reg_write.val();
        self.card.reg_address.next = self.link.reg_address.val();
        self.card.reg_write_data.next = self.link.reg_write_data.val();
        self.link.reg_read_data.next = self.card.reg_read_data.val();
        self.link.irq.next = self.card.irq.val();
        if self.card.irq.val() {
            self.irq_led.d.next = !self.irq_led.q.val();
        }

        self.link.dma_ar_valid.next = self.card.dma_ar_valid.val();
        self.card.dma_ar_ready.next = self.link.dma_ar_ready.val();
        self.link.dma_ar_addr.next = self.card.dma_ar_addr.val();
        self.link.dma_ar_len.next = self.card.dma_ar_len.val();
        self.card.dma_r_valid.next = self.link.dma_r_valid.val();
        self.link.dma_r_ready.next = self.card.dma_r_ready.val();
        self.card.dma_r_data.next = self.link.dma_r_data.val();
        self.card.dma_r_resp.next = self.link.dma_r_resp.val();
        self.card.dma_r_last.next = self.link.dma_r_last.val();
        self.link.dma_aw_valid.next = self.card.dma_aw_valid.val();
        self.card.dma_aw_ready.next = self.link.dma_aw_ready.val();
        self.link.dma_aw_addr.next = self.card.dma_aw_addr.val();
        self.link.dma_aw_len.next = self.card.dma_aw_len.val();
        self.link.dma_w_valid.next = self.card.dma_w_valid.val();
        self.card.dma_w_ready.next = self.link.dma_w_ready.val();
        self.link.dma_w_data.next = self.card.dma_w_data.val();
        self.card.dma_b_valid.next = self.link.dma_b_valid.val();
        self.card.dma_b_resp.next = self.link.dma_b_resp.val();

        self.link.mem_ar_valid.next = self.card.mem_ar_valid.val();
        self.card.mem_ar_ready.next = self.link.mem_ar_ready.val();
        self.link.mem_ar_addr.next = self.card.mem_ar_addr.val();
        self.link.mem_ar_len.next = self.card.mem_ar_len.val();
        self.card.mem_r_valid.next = self.link.mem_r_valid.val();
        self.link.mem_r_ready.next = self.card.mem_r_ready.val();
        self.card.mem_r_data.next = self.link.mem_r_data.val();
        self.card.mem_r_resp.next = self.link.mem_r_resp.val();
        self.card.mem_r_last.next = self.link.mem_r_last.val();
        self.link.mem_aw_valid.next = self.card.mem_aw_valid.val();
        self.card.mem_aw_ready.next = self.link.mem_aw_ready.val();
        self.link.mem_aw_addr.next = self.card.mem_aw_addr.val();
        self.link.mem_aw_len.next = self.card.mem_aw_len.val();
        self.link.mem_w_valid.next = self.card.mem_w_valid.val();
        self.card.mem_w_ready.next = self.link.mem_w_ready.val();
        self.link.mem_w_data.next = self.card.mem_w_data.val();
        self.card.mem_b_valid.next = self.link.mem_b_valid.val();
        self.card.mem_b_resp.next = self.link.mem_b_resp.val();

        self.led.next = 0.into();
        self.led.next = self
            .led
            .val()
            .replace_bit(0, self.heartbeat.q.val().get_bit(23));
        self.led.next = self.led.val().replace_bit(1, self.link.rx_active.val());
        self.led.next = self.led.val().replace_bit(2, self.link.tx_active.val());
        self.led.next = self.led.val().replace_bit(3, self.irq_led.q.val());
    }
}
