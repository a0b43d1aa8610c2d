//! The serial host link (`msm_spec::link` is the protocol): host frames in over the UART,
//! replies out, the card's register port driven from them, and its two AXI4 master ports
//! (DMA and card memory) served by the host through poll records and beat frames.

use msm_spec::link;
use rust_hdl::prelude::*;

use super::uart::{UartRx, UartTx};

/// Byte times of silence that end a partial frame.
const FRAME_GAP: u32 = 4;
/// Bytes of the frame register: the longest frame after its opcode.
const FRAME_BYTES: usize = link::FRAME_MAX;
/// Bit offset of byte `i` of a frame of `len` bytes after its opcode: bytes shift in from
/// the top of the frame register, so a frame ends aligned to its top.
const fn at(len: usize, i: usize) -> usize {
    8 * (FRAME_BYTES - len + i)
}
/// Bytes after the opcode of a frame of `op`.
const fn len(op: u8) -> usize {
    match link::frame_len(op) {
        Some(n) => n,
        None => panic!("not an opcode"),
    }
}
// hdl_gen takes bit offsets as literals; these tie each literal below to the protocol.
const _: () = {
    let (w, r, d, b) = (
        link::WRITE_REG,
        link::READ_REG,
        link::READ_BEAT,
        link::WRITE_RESP,
    );
    assert!(FRAME_BYTES == 67);
    assert!(at(len(w), 0) == 488 && at(len(w), 2) == 504);
    assert!(at(len(r), 0) == 520);
    assert!(at(len(d), 0) == 0 && at(len(d), 1) == 8 && at(len(d), 2) == 16);
    assert!(at(len(d), 3) == 24 && link::BEAT == 64);
    assert!(at(len(b), 0) == 520 && at(len(b), 1) == 528);
};

/// One AXI4 master port of the card, served over the link: its read and write burst
/// addresses held until a poll sends them, a read beat and a write response held until the
/// card takes them.
#[derive(LogicBlock)]
pub struct PortSlave {
    pub clock: Signal<In, Clock>,
    pub ar_valid: Signal<In, Bit>,
    pub ar_ready: Signal<Out, Bit>,
    pub ar_addr: Signal<In, Bits<64>>,
    pub ar_len: Signal<In, Bits<8>>,
    pub r_valid: Signal<Out, Bit>,
    pub r_ready: Signal<In, Bit>,
    pub r_data: Signal<Out, Bits<512>>,
    pub r_resp: Signal<Out, Bits<2>>,
    pub r_last: Signal<Out, Bit>,
    pub aw_valid: Signal<In, Bit>,
    pub aw_ready: Signal<Out, Bit>,
    pub aw_addr: Signal<In, Bits<64>>,
    pub aw_len: Signal<In, Bits<8>>,
    pub b_valid: Signal<Out, Bit>,
    pub b_resp: Signal<Out, Bits<2>>,
    /// The link's side: a burst address is held (`*_held`); the low byte of its record
    /// (address, then len) is `*_byte`; `*_next` rotates the record a byte (nine make it
    /// whole again, to be sent again), `*_sent` marks it sent; `commit` frees what was sent
    /// (the host has it), `uncommit` makes it unsent (a new host).
    pub ar_held: Signal<Out, Bit>,
    pub ar_byte: Signal<Out, Bits<8>>,
    pub ar_next: Signal<In, Bit>,
    pub ar_sent: Signal<In, Bit>,
    pub aw_held: Signal<Out, Bit>,
    pub aw_byte: Signal<Out, Bits<8>>,
    pub aw_next: Signal<In, Bit>,
    pub aw_sent: Signal<In, Bit>,
    pub commit: Signal<In, Bit>,
    pub uncommit: Signal<In, Bit>,
    /// A read beat from the host (taken only while `r_free`).
    pub r_put: Signal<In, Bit>,
    pub r_free: Signal<Out, Bit>,
    pub put_data: Signal<In, Bits<512>>,
    pub put_resp: Signal<In, Bits<2>>,
    pub put_last: Signal<In, Bit>,
    /// A write response from the host (taken only while `b_free`).
    pub b_put: Signal<In, Bit>,
    pub b_free: Signal<Out, Bit>,
    ar_full: DFF<Bit>,
    ar_out: DFF<Bit>,
    ar_record: DFF<Bits<72>>,
    aw_full: DFF<Bit>,
    aw_out: DFF<Bit>,
    aw_record: DFF<Bits<72>>,
    r_full: DFF<Bit>,
    r_data_q: DFF<Bits<512>>,
    r_resp_q: DFF<Bits<2>>,
    r_last_q: DFF<Bit>,
    b_full: DFF<Bit>,
    b_resp_q: DFF<Bits<2>>,
    eight: Constant<Bits<8>>,
    addr_bits: Constant<Bits<8>>,
}

impl PortSlave {
    fn new() -> Self {
        PortSlave {
            clock: Default::default(),
            ar_valid: Default::default(),
            ar_ready: Default::default(),
            ar_addr: Default::default(),
            ar_len: Default::default(),
            r_valid: Default::default(),
            r_ready: Default::default(),
            r_data: Default::default(),
            r_resp: Default::default(),
            r_last: Default::default(),
            aw_valid: Default::default(),
            aw_ready: Default::default(),
            aw_addr: Default::default(),
            aw_len: Default::default(),
            b_valid: Default::default(),
            b_resp: Default::default(),
            ar_held: Default::default(),
            ar_byte: Default::default(),
            ar_next: Default::default(),
            ar_sent: Default::default(),
            aw_held: Default::default(),
            aw_byte: Default::default(),
            aw_next: Default::default(),
            aw_sent: Default::default(),
            commit: Default::default(),
            uncommit: Default::default(),
            r_put: Default::default(),
            r_free: Default::default(),
            put_data: Default::default(),
            put_resp: Default::default(),
            put_last: Default::default(),
            b_put: Default::default(),
            b_free: Default::default(),
            ar_full: Default::default(),
            ar_out: Default::default(),
            ar_record: Default::default(),
            aw_full: Default::default(),
            aw_out: Default::default(),
            aw_record: Default::default(),
            r_full: Default::default(),
            r_data_q: Default::default(),
            r_resp_q: Default::default(),
            r_last_q: Default::default(),
            b_full: Default::default(),
            b_resp_q: Default::default(),
            eight: Constant::new(8.into()),
            addr_bits: Constant::new(64.into()),
        }
    }
}

impl Logic for PortSlave {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, ar_full, ar_out, ar_record, aw_full, aw_out, aw_record, r_full, r_data_q,
            r_resp_q, r_last_q, b_full, b_resp_q
        );
        self.ar_ready.next = !self.ar_full.q.val();
        self.aw_ready.next = !self.aw_full.q.val();
        self.ar_held.next = self.ar_full.q.val();
        self.aw_held.next = self.aw_full.q.val();
        self.ar_byte.next = self.ar_record.q.val().get_bits::<8>(0);
        self.aw_byte.next = self.aw_record.q.val().get_bits::<8>(0);
        if self.ar_next.val() {
            self.ar_record.d.next = (self.ar_record.q.val() >> self.eight.val())
                | (self.ar_record.q.val() << self.addr_bits.val());
        }
        if self.aw_next.val() {
            self.aw_record.d.next = (self.aw_record.q.val() >> self.eight.val())
                | (self.aw_record.q.val() << self.addr_bits.val());
        }
        if self.ar_sent.val() {
            self.ar_out.d.next = true;
        }
        if self.aw_sent.val() {
            self.aw_out.d.next = true;
        }
        if self.commit.val() {
            self.ar_out.d.next = false;
            self.aw_out.d.next = false;
            if self.ar_out.q.val() {
                self.ar_full.d.next = false;
            }
            if self.aw_out.q.val() {
                self.aw_full.d.next = false;
            }
        }
        if self.uncommit.val() {
            self.ar_out.d.next = false;
            self.aw_out.d.next = false;
        }
        if self.ar_valid.val() & !self.ar_full.q.val() {
            self.ar_full.d.next = true;
            self.ar_record.d.next = bit_cast::<72, 64>(self.ar_addr.val())
                | (bit_cast::<72, 8>(self.ar_len.val()) << self.addr_bits.val());
        }
        if self.aw_valid.val() & !self.aw_full.q.val() {
            self.aw_full.d.next = true;
            self.aw_record.d.next = bit_cast::<72, 64>(self.aw_addr.val())
                | (bit_cast::<72, 8>(self.aw_len.val()) << self.addr_bits.val());
        }

        self.r_valid.next = self.r_full.q.val();
        self.r_data.next = self.r_data_q.q.val();
        self.r_resp.next = self.r_resp_q.q.val();
        self.r_last.next = self.r_last_q.q.val();
        self.r_free.next = !self.r_full.q.val();
        if self.r_full.q.val() & self.r_ready.val() {
            self.r_full.d.next = false;
        }
        if self.r_put.val() & !self.r_full.q.val() {
            self.r_full.d.next = true;
            self.r_data_q.d.next = self.put_data.val();
            self.r_resp_q.d.next = self.put_resp.val();
            self.r_last_q.d.next = self.put_last.val();
        }

        // The card's b_ready is always high: a response is shown for one clock.
        self.b_valid.next = self.b_full.q.val();
        self.b_resp.next = self.b_resp_q.q.val();
        self.b_free.next = !self.b_full.q.val();
        self.b_full.d.next = false;
        if self.b_put.val() {
            self.b_full.d.next = true;
            self.b_resp_q.d.next = self.put_resp.val();
        }
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum LinkState {
    /// Waiting for an opcode.
    Op,
    /// Receiving a frame's fields.
    Body,
    /// The frame is complete: a new one frees what the last reply sent (it came).
    Commit,
    /// Act on the frame (or, sent again, only reply again).
    Exec,
    /// A register read's word comes the clock after the read.
    ReadWait,
    /// Sending the reply.
    Reply,
}

/// The link: a UART, the frame decoder, the reply sequencer and both ports.
///
/// A reply is a sequence of fields, each sent only if its bit of `send` is set: the echoed
/// opcode, a word (a register's value, the poll status or `accepted`), the DMA and memory
/// ports' read and write burst records, and a written beat.
#[derive(LogicBlock)]
pub struct UartLink {
    pub clock: Signal<In, Clock>,
    pub rx: Signal<In, Bit>,
    pub tx: Signal<Out, Bit>,
    pub reg_read: Signal<Out, Bit>,
    pub reg_write: Signal<Out, Bit>,
    pub reg_address: Signal<Out, Bits<12>>,
    pub reg_write_data: Signal<Out, Bits<32>>,
    pub reg_read_data: Signal<In, Bits<32>>,
    pub irq: Signal<In, Bit>,
    /// The card's DMA and card-memory ports (its masters, served here).
    pub dma_ar_valid: Signal<In, Bit>,
    pub dma_ar_ready: Signal<Out, Bit>,
    pub dma_ar_addr: Signal<In, Bits<64>>,
    pub dma_ar_len: Signal<In, Bits<8>>,
    pub dma_r_valid: Signal<Out, Bit>,
    pub dma_r_ready: Signal<In, Bit>,
    pub dma_r_data: Signal<Out, Bits<512>>,
    pub dma_r_resp: Signal<Out, Bits<2>>,
    pub dma_r_last: Signal<Out, Bit>,
    pub dma_aw_valid: Signal<In, Bit>,
    pub dma_aw_ready: Signal<Out, Bit>,
    pub dma_aw_addr: Signal<In, Bits<64>>,
    pub dma_aw_len: Signal<In, Bits<8>>,
    pub dma_b_valid: Signal<Out, Bit>,
    pub dma_b_resp: Signal<Out, Bits<2>>,
    pub mem_ar_valid: Signal<In, Bit>,
    pub mem_ar_ready: Signal<Out, Bit>,
    pub mem_ar_addr: Signal<In, Bits<64>>,
    pub mem_ar_len: Signal<In, Bits<8>>,
    pub mem_r_valid: Signal<Out, Bit>,
    pub mem_r_ready: Signal<In, Bit>,
    pub mem_r_data: Signal<Out, Bits<512>>,
    pub mem_r_resp: Signal<Out, Bits<2>>,
    pub mem_r_last: Signal<Out, Bit>,
    pub mem_aw_valid: Signal<In, Bit>,
    pub mem_aw_ready: Signal<Out, Bit>,
    pub mem_aw_addr: Signal<In, Bits<64>>,
    pub mem_aw_len: Signal<In, Bits<8>>,
    pub mem_b_valid: Signal<Out, Bit>,
    pub mem_b_resp: Signal<Out, Bits<2>>,
    dma: PortSlave,
    mem: PortSlave,
    /// The card's write data, one port at a time (DMA first).
    pub dma_w_valid: Signal<In, Bit>,
    pub dma_w_ready: Signal<Out, Bit>,
    pub dma_w_data: Signal<In, Bits<512>>,
    pub mem_w_valid: Signal<In, Bit>,
    pub mem_w_ready: Signal<Out, Bit>,
    pub mem_w_data: Signal<In, Bits<512>>,
    /// Activity, for the board's LEDs.
    pub rx_active: Signal<Out, Bit>,
    pub tx_active: Signal<Out, Bit>,
    uart_rx: UartRx,
    uart_tx: UartTx,
    state: DFF<LinkState>,
    /// Clocks since the last byte in: a frame silent for `FRAME_GAP` byte times is dropped
    /// (a host that died part-way, a byte lost to a framing error).
    silent: DFF<Bits<32>>,
    gap: Constant<Bits<32>>,
    /// The frame's opcode (without its sequence bit) and sequence bit; the last acted-on
    /// frame's bit, whether there was one since `SYNC`, and the `accepted` it replied.
    op: DFF<Bits<8>>,
    seq: DFF<Bit>,
    last_seq: DFF<Bit>,
    have_last: DFF<Bit>,
    accepted: DFF<Bit>,
    /// The interrupt bit the last poll sent, sent again if that poll is.
    irq_reported: DFF<Bit>,
    need: DFF<Bits<8>>,
    frame: DFF<Bits<536>>,
    irq_seen: DFF<Bit>,
    /// The written beat held for a poll, and its port (1: memory).
    w_full: DFF<Bit>,
    w_out: DFF<Bit>,
    w_port: DFF<Bit>,
    w_data: DFF<Bits<512>>,
    /// Reply: fields to send, the current one, its bytes left, the word and its length.
    send: DFF<Bits<7>>,
    field: DFF<Bits<3>>,
    left: DFF<Bits<8>>,
    word: DFF<Bits<32>>,
    word_len: DFF<Bits<8>>,
    status: Signal<Local, Bits<16>>,
    records: Signal<Local, Bits<7>>,
    out_byte: Signal<Local, Bits<8>>,
    field_len: Signal<Local, Bits<8>>,
    field_bit: Signal<Local, Bits<7>>,
    port_mem: Signal<Local, Bit>,
    code: Signal<Local, Bits<8>>,
    replay: Signal<Local, Bit>,
    eight: Constant<Bits<8>>,
    seq_bit: Constant<Bits<8>>,
    beat_rotate: Constant<Bits<16>>,
    opcode_bits: Constant<Bits<8>>,
    op_sync: Constant<Bits<8>>,
    top: Constant<Bits<16>>,
    op_write_reg: Constant<Bits<8>>,
    op_read_reg: Constant<Bits<8>>,
    op_poll: Constant<Bits<8>>,
    op_read_beat: Constant<Bits<8>>,
    op_write_resp: Constant<Bits<8>>,
    len_write_reg: Constant<Bits<8>>,
    len_read_reg: Constant<Bits<8>>,
    len_read_beat: Constant<Bits<8>>,
    len_write_resp: Constant<Bits<8>>,
    len_record: Constant<Bits<8>>,
    len_beat: Constant<Bits<8>>,
    len_status: Constant<Bits<8>>,
    len_reg: Constant<Bits<8>>,
    echo_and_word: Constant<Bits<7>>,
    one7: Constant<Bits<7>>,
}

impl UartLink {
    pub fn new(clocks_per_bit: u32) -> Self {
        let k8 = |v: usize| Constant::new((v as u64).into());
        let len = |op| k8(len(op));
        UartLink {
            clock: Default::default(),
            rx: Default::default(),
            tx: Default::default(),
            reg_read: Default::default(),
            reg_write: Default::default(),
            reg_address: Default::default(),
            reg_write_data: Default::default(),
            reg_read_data: Default::default(),
            irq: Default::default(),
            dma_ar_valid: Default::default(),
            dma_ar_ready: Default::default(),
            dma_ar_addr: Default::default(),
            dma_ar_len: Default::default(),
            dma_r_valid: Default::default(),
            dma_r_ready: Default::default(),
            dma_r_data: Default::default(),
            dma_r_resp: Default::default(),
            dma_r_last: Default::default(),
            dma_aw_valid: Default::default(),
            dma_aw_ready: Default::default(),
            dma_aw_addr: Default::default(),
            dma_aw_len: Default::default(),
            dma_b_valid: Default::default(),
            dma_b_resp: Default::default(),
            mem_ar_valid: Default::default(),
            mem_ar_ready: Default::default(),
            mem_ar_addr: Default::default(),
            mem_ar_len: Default::default(),
            mem_r_valid: Default::default(),
            mem_r_ready: Default::default(),
            mem_r_data: Default::default(),
            mem_r_resp: Default::default(),
            mem_r_last: Default::default(),
            mem_aw_valid: Default::default(),
            mem_aw_ready: Default::default(),
            mem_aw_addr: Default::default(),
            mem_aw_len: Default::default(),
            mem_b_valid: Default::default(),
            mem_b_resp: Default::default(),
            dma: PortSlave::new(),
            mem: PortSlave::new(),
            dma_w_valid: Default::default(),
            dma_w_ready: Default::default(),
            dma_w_data: Default::default(),
            mem_w_valid: Default::default(),
            mem_w_ready: Default::default(),
            mem_w_data: Default::default(),
            rx_active: Default::default(),
            tx_active: Default::default(),
            uart_rx: UartRx::new(clocks_per_bit),
            uart_tx: UartTx::new(clocks_per_bit),
            state: Default::default(),
            silent: Default::default(),
            gap: Constant::new(u64::from(FRAME_GAP * 10 * clocks_per_bit).into()),
            op: Default::default(),
            seq: Default::default(),
            last_seq: Default::default(),
            have_last: Default::default(),
            accepted: Default::default(),
            irq_reported: Default::default(),
            need: Default::default(),
            frame: Default::default(),
            irq_seen: Default::default(),
            w_full: Default::default(),
            w_out: Default::default(),
            w_port: Default::default(),
            w_data: Default::default(),
            send: Default::default(),
            field: Default::default(),
            left: Default::default(),
            word: Default::default(),
            word_len: Default::default(),
            status: Default::default(),
            records: Default::default(),
            out_byte: Default::default(),
            field_len: Default::default(),
            field_bit: Default::default(),
            port_mem: Default::default(),
            code: Default::default(),
            replay: Default::default(),
            eight: Constant::new(8.into()),
            seq_bit: Constant::new(u64::from(link::SEQ).into()),
            beat_rotate: Constant::new((8 * (link::BEAT as u64 - 1)).into()),
            opcode_bits: Constant::new(u64::from(!link::SEQ).into()),
            op_sync: k8(link::SYNC as usize),
            top: Constant::new((8 * (FRAME_BYTES - 1) as u64).into()),
            op_write_reg: k8(link::WRITE_REG as usize),
            op_read_reg: k8(link::READ_REG as usize),
            op_poll: k8(link::POLL as usize),
            op_read_beat: k8(link::READ_BEAT as usize),
            op_write_resp: k8(link::WRITE_RESP as usize),
            len_write_reg: len(link::WRITE_REG),
            len_read_reg: len(link::READ_REG),
            len_read_beat: len(link::READ_BEAT),
            len_write_resp: len(link::WRITE_RESP),
            len_record: k8(link::BURST_RECORD),
            len_beat: k8(link::BEAT),
            len_status: k8(link::reply_len(link::POLL)),
            len_reg: k8(link::reply_len(link::READ_REG)),
            echo_and_word: Constant::new(3.into()),
            one7: Constant::new(1.into()),
        }
    }
}

// The status word's bits, as `link::Status` numbers them, and the reply's fields in the order
// of `link::Status::records`.
const _: () = {
    use link::Status as S;
    assert!(S::IRQ == 1 && S::READ[0] == 2 && S::READ[1] == 4);
    assert!(S::WRITE[0] == 8 && S::WRITE[1] == 16 && S::BEAT[0] == 32 && S::BEAT[1] == 64);
    assert!(S::READ_FREE[0] == 1 << 8 && S::READ_FREE[1] == 1 << 9);
    assert!(S::RESP_FREE[0] == 1 << 10 && S::RESP_FREE[1] == 1 << 11);
};

impl Logic for UartLink {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            silent,
            op,
            seq,
            last_seq,
            have_last,
            accepted,
            irq_reported,
            need,
            frame,
            irq_seen,
            w_full,
            w_out,
            w_port,
            w_data,
            send,
            field,
            left,
            word,
            word_len
        );
        clock!(self, clock, uart_rx, uart_tx, dma, mem);
        self.uart_rx.rx.next = self.rx.val();
        self.dma.ar_valid.next = self.dma_ar_valid.val();
        self.dma_ar_ready.next = self.dma.ar_ready.val();
        self.dma.ar_addr.next = self.dma_ar_addr.val();
        self.dma.ar_len.next = self.dma_ar_len.val();
        self.dma_r_valid.next = self.dma.r_valid.val();
        self.dma.r_ready.next = self.dma_r_ready.val();
        self.dma_r_data.next = self.dma.r_data.val();
        self.dma_r_resp.next = self.dma.r_resp.val();
        self.dma_r_last.next = self.dma.r_last.val();
        self.dma.aw_valid.next = self.dma_aw_valid.val();
        self.dma_aw_ready.next = self.dma.aw_ready.val();
        self.dma.aw_addr.next = self.dma_aw_addr.val();
        self.dma.aw_len.next = self.dma_aw_len.val();
        self.dma_b_valid.next = self.dma.b_valid.val();
        self.dma_b_resp.next = self.dma.b_resp.val();
        self.mem.ar_valid.next = self.mem_ar_valid.val();
        self.mem_ar_ready.next = self.mem.ar_ready.val();
        self.mem.ar_addr.next = self.mem_ar_addr.val();
        self.mem.ar_len.next = self.mem_ar_len.val();
        self.mem_r_valid.next = self.mem.r_valid.val();
        self.mem.r_ready.next = self.mem_r_ready.val();
        self.mem_r_data.next = self.mem.r_data.val();
        self.mem_r_resp.next = self.mem.r_resp.val();
        self.mem_r_last.next = self.mem.r_last.val();
        self.mem.aw_valid.next = self.mem_aw_valid.val();
        self.mem_aw_ready.next = self.mem.aw_ready.val();
        self.mem.aw_addr.next = self.mem_aw_addr.val();
        self.mem.aw_len.next = self.mem_aw_len.val();
        self.mem_b_valid.next = self.mem.b_valid.val();
        self.mem_b_resp.next = self.mem.b_resp.val();
        self.tx.next = self.uart_tx.tx.val();
        self.rx_active.next = self.state.q.val() != LinkState::Op;
        self.tx_active.next = self.uart_tx.busy.val();
        self.uart_tx.start.next = false;
        self.reg_read.next = false;
        self.reg_write.next = false;
        self.reg_address.next = self.frame.q.val().get_bits::<12>(488);
        self.reg_write_data.next = self.frame.q.val().get_bits::<32>(504);
        if self.op.q.val() == self.op_read_reg.val() {
            self.reg_address.next = self.frame.q.val().get_bits::<12>(520);
        }
        if self.irq.val() {
            self.irq_seen.d.next = true;
        }

        // The beat and write-response frames, to the port they name.
        self.port_mem.next = self.frame.q.val().get_bits::<8>(0) != 0;
        if self.op.q.val() == self.op_write_resp.val() {
            self.port_mem.next = self.frame.q.val().get_bits::<8>(520) != 0;
        }
        self.dma.put_data.next = self.frame.q.val().get_bits::<512>(24);
        self.mem.put_data.next = self.frame.q.val().get_bits::<512>(24);
        self.dma.put_resp.next = self.frame.q.val().get_bits::<2>(8);
        self.mem.put_resp.next = self.frame.q.val().get_bits::<2>(8);
        if self.op.q.val() == self.op_write_resp.val() {
            self.dma.put_resp.next = self.frame.q.val().get_bits::<2>(528);
            self.mem.put_resp.next = self.frame.q.val().get_bits::<2>(528);
        }
        self.dma.put_last.next = self.frame.q.val().get_bit(16);
        self.mem.put_last.next = self.frame.q.val().get_bit(16);
        self.dma.r_put.next = false;
        self.mem.r_put.next = false;
        self.dma.b_put.next = false;
        self.mem.b_put.next = false;

        // Written beats: one held at a time, the DMA port's first.
        self.dma_w_ready.next = !self.w_full.q.val();
        self.mem_w_ready.next = !self.w_full.q.val() & !self.dma_w_valid.val();
        if !self.w_full.q.val() {
            if self.dma_w_valid.val() {
                self.w_full.d.next = true;
                self.w_port.d.next = false;
                self.w_data.d.next = self.dma_w_data.val();
            } else if self.mem_w_valid.val() {
                self.w_full.d.next = true;
                self.w_port.d.next = true;
                self.w_data.d.next = self.mem_w_data.val();
            }
        }

        self.status.next = 0.into();
        self.status.next = self
            .status
            .val()
            .replace_bit(0, self.irq_seen.q.val() | self.irq_reported.q.val());
        self.status.next = self.status.val().replace_bit(1, self.dma.ar_held.val());
        self.status.next = self.status.val().replace_bit(2, self.mem.ar_held.val());
        self.status.next = self.status.val().replace_bit(3, self.dma.aw_held.val());
        self.status.next = self.status.val().replace_bit(4, self.mem.aw_held.val());
        self.status.next = self
            .status
            .val()
            .replace_bit(5, self.w_full.q.val() & !self.w_port.q.val());
        self.status.next = self
            .status
            .val()
            .replace_bit(6, self.w_full.q.val() & self.w_port.q.val());
        self.status.next = self.status.val().replace_bit(8, self.dma.r_free.val());
        self.status.next = self.status.val().replace_bit(9, self.mem.r_free.val());
        self.status.next = self.status.val().replace_bit(10, self.dma.b_free.val());
        self.status.next = self.status.val().replace_bit(11, self.mem.b_free.val());
        // The reply's fields after the word: the four burst records, then the beat.
        self.records.next = 0.into();
        self.records.next = self.records.val().replace_bit(2, self.dma.ar_held.val());
        self.records.next = self.records.val().replace_bit(3, self.mem.ar_held.val());
        self.records.next = self.records.val().replace_bit(4, self.dma.aw_held.val());
        self.records.next = self.records.val().replace_bit(5, self.mem.aw_held.val());
        self.records.next = self.records.val().replace_bit(6, self.w_full.q.val());

        self.dma.commit.next = false;
        self.mem.commit.next = false;
        self.dma.uncommit.next = false;
        self.mem.uncommit.next = false;
        self.code.next = self.uart_rx.data.val() & self.opcode_bits.val();
        self.replay.next = self.have_last.q.val() & (self.seq.q.val() == self.last_seq.q.val());
        match self.state.q.val() {
            LinkState::Op => {
                if self.uart_rx.valid.val() {
                    self.op.d.next = self.code.val();
                    self.seq.d.next = self.uart_rx.data.val().get_bit(7);
                    self.silent.d.next = 0.into();
                    if (self.code.val() == self.op_poll.val())
                        | (self.code.val() == self.op_sync.val())
                    {
                        self.state.d.next = LinkState::Commit;
                    }
                    if self.code.val() == self.op_write_reg.val() {
                        self.need.d.next = self.len_write_reg.val();
                        self.state.d.next = LinkState::Body;
                    }
                    if self.code.val() == self.op_read_reg.val() {
                        self.need.d.next = self.len_read_reg.val();
                        self.state.d.next = LinkState::Body;
                    }
                    if self.code.val() == self.op_read_beat.val() {
                        self.need.d.next = self.len_read_beat.val();
                        self.state.d.next = LinkState::Body;
                    }
                    if self.code.val() == self.op_write_resp.val() {
                        self.need.d.next = self.len_write_resp.val();
                        self.state.d.next = LinkState::Body;
                    }
                }
            }
            LinkState::Body => {
                self.silent.d.next = self.silent.q.val() + 1;
                if self.silent.q.val() == self.gap.val() {
                    self.state.d.next = LinkState::Op;
                }
                if self.uart_rx.valid.val() {
                    self.silent.d.next = 0.into();
                    self.frame.d.next = (self.frame.q.val() >> self.eight.val())
                        | (bit_cast::<536, 8>(self.uart_rx.data.val()) << self.top.val());
                    self.need.d.next = self.need.q.val() - 1;
                    if self.need.q.val() == 1 {
                        self.state.d.next = LinkState::Commit;
                    }
                }
            }
            LinkState::Commit => {
                self.state.d.next = LinkState::Exec;
                if self.op.q.val() == self.op_sync.val() {
                    self.dma.uncommit.next = true;
                    self.mem.uncommit.next = true;
                    self.w_out.d.next = false;
                    self.irq_seen.d.next = self.irq_seen.q.val() | self.irq_reported.q.val();
                    self.irq_reported.d.next = false;
                } else if !self.replay.val() {
                    self.dma.commit.next = true;
                    self.mem.commit.next = true;
                    self.w_out.d.next = false;
                    if self.w_out.q.val() {
                        self.w_full.d.next = false;
                    }
                    self.irq_reported.d.next = false;
                }
            }
            LinkState::Exec => {
                self.word.d.next = 0.into();
                self.word_len.d.next = 1.into();
                self.send.d.next = self.echo_and_word.val();
                self.field.d.next = 0.into();
                self.left.d.next = 0.into();
                self.state.d.next = LinkState::Reply;
                self.last_seq.d.next = self.seq.q.val();
                self.have_last.d.next = self.op.q.val() != self.op_sync.val();
                if self.op.q.val() == self.op_sync.val() {
                    self.send.d.next = 1.into();
                }
                if self.op.q.val() == self.op_write_reg.val() {
                    self.reg_write.next = !self.replay.val();
                    self.send.d.next = 1.into();
                }
                if self.op.q.val() == self.op_read_reg.val() {
                    self.reg_read.next = true;
                    self.send.d.next = 0.into();
                    self.state.d.next = LinkState::ReadWait;
                }
                if self.op.q.val() == self.op_poll.val() {
                    self.word.d.next = bit_cast::<32, 16>(self.status.val());
                    self.word_len.d.next = self.len_status.val();
                    self.send.d.next = self.echo_and_word.val() | self.records.val();
                    // An interrupt in this very clock is reported by the next poll.
                    self.irq_seen.d.next = self.irq.val();
                    self.irq_reported.d.next = self.status.val().get_bit(0);
                }
                if (self.op.q.val() == self.op_read_beat.val())
                    | (self.op.q.val() == self.op_write_resp.val())
                {
                    // Sent again: the same answer, nothing put.
                    if self.replay.val() & self.accepted.q.val() {
                        self.word.d.next = 1.into();
                    }
                    if !self.replay.val() {
                        self.accepted.d.next = false;
                    }
                }
                if !self.replay.val() & (self.op.q.val() == self.op_read_beat.val()) {
                    if self.port_mem.val() {
                        self.mem.r_put.next = true;
                        if self.mem.r_free.val() {
                            self.word.d.next = 1.into();
                            self.accepted.d.next = true;
                        }
                    } else {
                        self.dma.r_put.next = true;
                        if self.dma.r_free.val() {
                            self.word.d.next = 1.into();
                            self.accepted.d.next = true;
                        }
                    }
                }
                if !self.replay.val() & (self.op.q.val() == self.op_write_resp.val()) {
                    if self.port_mem.val() {
                        self.mem.b_put.next = self.mem.b_free.val();
                        if self.mem.b_free.val() {
                            self.word.d.next = 1.into();
                            self.accepted.d.next = true;
                        }
                    } else {
                        self.dma.b_put.next = self.dma.b_free.val();
                        if self.dma.b_free.val() {
                            self.word.d.next = 1.into();
                            self.accepted.d.next = true;
                        }
                    }
                }
            }
            LinkState::ReadWait => {
                self.word.d.next = self.reg_read_data.val();
                self.word_len.d.next = self.len_reg.val();
                self.send.d.next = self.echo_and_word.val();
                self.state.d.next = LinkState::Reply;
            }
            LinkState::Reply => {
                if self.send.q.val() == 0 {
                    self.state.d.next = LinkState::Op;
                }
            }
        }

        // The reply sequencer: a field's bytes one by one, low byte first.
        self.out_byte.next = self.op.q.val();
        if self.seq.q.val() {
            self.out_byte.next = self.op.q.val() | self.seq_bit.val();
        }
        self.dma.ar_next.next = false;
        self.mem.ar_next.next = false;
        self.dma.aw_next.next = false;
        self.mem.aw_next.next = false;
        self.dma.ar_sent.next = false;
        self.mem.ar_sent.next = false;
        self.dma.aw_sent.next = false;
        self.mem.aw_sent.next = false;
        if self.field.q.val() == 1 {
            self.out_byte.next = self.word.q.val().get_bits::<8>(0);
        }
        if self.field.q.val() == 2 {
            self.out_byte.next = self.dma.ar_byte.val();
        }
        if self.field.q.val() == 3 {
            self.out_byte.next = self.mem.ar_byte.val();
        }
        if self.field.q.val() == 4 {
            self.out_byte.next = self.dma.aw_byte.val();
        }
        if self.field.q.val() == 5 {
            self.out_byte.next = self.mem.aw_byte.val();
        }
        if self.field.q.val() == 6 {
            self.out_byte.next = self.w_data.q.val().get_bits::<8>(0);
        }
        self.uart_tx.data.next = self.out_byte.val();
        self.field_len.next = self.len_record.val();
        if self.field.q.val() == 0 {
            self.field_len.next = 1.into();
        }
        if self.field.q.val() == 1 {
            self.field_len.next = self.word_len.q.val();
        }
        if self.field.q.val() == 6 {
            self.field_len.next = self.len_beat.val();
        }
        self.field_bit.next = self.one7.val() << self.field.q.val();
        if (self.state.q.val() == LinkState::Reply) & (self.send.q.val() != 0) {
            if self.left.q.val() == 0 {
                if (self.send.q.val() & self.field_bit.val()) != 0 {
                    self.left.d.next = self.field_len.val();
                } else {
                    self.field.d.next = self.field.q.val() + 1;
                }
            } else if !self.uart_tx.busy.val() {
                self.uart_tx.start.next = true;
                self.left.d.next = self.left.q.val() - 1;
                if self.field.q.val() == 1 {
                    self.word.d.next = self.word.q.val() >> self.eight.val();
                }
                if self.field.q.val() == 2 {
                    self.dma.ar_next.next = true;
                }
                if self.field.q.val() == 3 {
                    self.mem.ar_next.next = true;
                }
                if self.field.q.val() == 4 {
                    self.dma.aw_next.next = true;
                }
                if self.field.q.val() == 5 {
                    self.mem.aw_next.next = true;
                }
                if self.field.q.val() == 6 {
                    self.w_data.d.next = (self.w_data.q.val() >> self.eight.val())
                        | (self.w_data.q.val() << self.beat_rotate.val());
                }
                if self.left.q.val() == 1 {
                    self.send.d.next = self.send.q.val() & !self.field_bit.val();
                    self.field.d.next = self.field.q.val() + 1;
                    if self.field.q.val() == 2 {
                        self.dma.ar_sent.next = true;
                    }
                    if self.field.q.val() == 3 {
                        self.mem.ar_sent.next = true;
                    }
                    if self.field.q.val() == 4 {
                        self.dma.aw_sent.next = true;
                    }
                    if self.field.q.val() == 5 {
                        self.mem.aw_sent.next = true;
                    }
                    if self.field.q.val() == 6 {
                        self.w_out.d.next = true;
                    }
                }
            }
        }
    }
}
