//! The serial host link of boards without PCIe (the ECP5 board): the card's register port, its
//! DMA port and its card-memory port carried over a UART (8 data bits, no parity, 1 stop bit,
//! least significant bit first). The host is the memory of both ports: the board forwards the
//! card's read and write bursts to it and presents the data the host sends back.
//!
//! Every exchange starts with a host frame (an opcode byte, then its fields) and ends with the
//! board's reply, whose first byte echoes the opcode. Multi-byte fields are little-endian.
//!
//! | opcode | host sends | board replies |
//! | --- | --- | --- |
//! | [`WRITE_REG`] | address u16, value u32 | nothing more |
//! | [`READ_REG`] | address u16 | value u32 |
//! | [`POLL`] | nothing | [`Status`] u16, then the records its bits name, in bit order |
//! | [`READ_BEAT`] | port u8, resp u8, last u8, 64 data bytes | accepted u8 |
//! | [`WRITE_RESP`] | port u8, resp u8 | accepted u8 |
//!
//! A poll hands the host, once each, what the board has taken from the card since the last
//! poll: a read or write burst's address (address u64, AXI len u8: beats - 1) per port, a
//! written beat per port (64 bytes), and whether the card raised its interrupt. The host answers
//! a read burst with its beats in order (`last` on its final beat), and a write burst, once all
//! its beats have come, with one write response. The board holds one read beat and one write
//! response per port; a frame that finds its slot full is not accepted (the reply says 0) and
//! is sent again after a poll shows the slot free. Ports are independent, so the card never
//! waits on one port for the host to serve the other.
//!
//! A byte that is not an opcode where one is expected is ignored, and a frame whose bytes stop
//! for 4 byte times is dropped unanswered (a host that died part-way, a byte lost to a framing
//! error), so the host sends each frame whole.
//!
//! Each frame is acted on at most once. The opcode byte carries a sequence bit ([`SEQ`]) that
//! the host flips for each new frame; a frame with the same bit as the last one the board
//! acted on is the host sending it again (its reply was lost), and the board replies again
//! without acting again: no register write, the `accepted` byte it sent, and the records and
//! interrupt a poll sent (the board holds them until a new frame shows the reply came). The
//! echo carries the bit too. [`SYNC`] (a host starting) makes the next frame new, and what a
//! poll sent to a host that never acknowledged it is reported again.

/// Writes a BAR0 register.
pub const WRITE_REG: u8 = 0x57;
/// Reads a BAR0 register.
pub const READ_REG: u8 = 0x52;
/// What the board has for the host.
pub const POLL: u8 = 0x50;
/// One beat of a read burst, for the port named.
pub const READ_BEAT: u8 = 0x44;
/// The response to a write burst, for the port named.
pub const WRITE_RESP: u8 = 0x42;
/// A host starting: the next frame is new whatever its sequence bit.
pub const SYNC: u8 = 0x53;
/// The sequence bit of an opcode byte (the opcodes are below it).
pub const SEQ: u8 = 0x80;

/// Bytes of one bus beat (the card's 512-bit data ports).
pub const BEAT: usize = 64;
/// Bytes of a burst's address record in a poll reply: address u64, len u8.
pub const BURST_RECORD: usize = 9;

/// The card's two memory ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Port {
    /// Host memory (the PCIe card's DMA port).
    Dma = 0,
    /// Card memory (HBM or DDR on a PCIe card; the host's memory on a serial board).
    Mem = 1,
}

impl Port {
    pub const ALL: [Port; 2] = [Port::Dma, Port::Mem];
}

/// Bytes after the opcode of each host frame, by opcode (None: not an opcode).
pub const fn frame_len(op: u8) -> Option<usize> {
    match op {
        WRITE_REG => Some(6),
        READ_REG => Some(2),
        POLL => Some(0),
        READ_BEAT => Some(3 + BEAT),
        WRITE_RESP => Some(2),
        SYNC => Some(0),
        _ => None,
    }
}

/// The longest host frame after its opcode.
pub const FRAME_MAX: usize = 3 + BEAT;

/// Bytes after the echoed opcode of the board's reply to a frame of `op` (a poll: the status
/// word only; its records follow as [`Status::record_bytes`] says).
pub const fn reply_len(op: u8) -> usize {
    match op {
        READ_REG => 4,
        POLL => 2,
        READ_BEAT | WRITE_RESP => 1,
        _ => 0,
    }
}

/// The status word of a poll reply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status(pub u16);

impl Status {
    /// The card raised its interrupt since the last poll.
    pub const IRQ: u16 = 1 << 0;
    /// A read burst's address follows, for each port ([`Port`] order).
    pub const READ: [u16; 2] = [1 << 1, 1 << 2];
    /// A write burst's address follows, for each port.
    pub const WRITE: [u16; 2] = [1 << 3, 1 << 4];
    /// A written beat follows, for each port.
    pub const BEAT: [u16; 2] = [1 << 5, 1 << 6];
    /// The port's read-beat slot is free.
    pub const READ_FREE: [u16; 2] = [1 << 8, 1 << 9];
    /// The port's write-response slot is free.
    pub const RESP_FREE: [u16; 2] = [1 << 10, 1 << 11];

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    /// The records that follow this status, in order, each with its byte count.
    pub fn records(self) -> impl Iterator<Item = Record> {
        let all = [
            (Self::READ[0], Record::Read(Port::Dma)),
            (Self::READ[1], Record::Read(Port::Mem)),
            (Self::WRITE[0], Record::Write(Port::Dma)),
            (Self::WRITE[1], Record::Write(Port::Mem)),
            (Self::BEAT[0], Record::Beat(Port::Dma)),
            (Self::BEAT[1], Record::Beat(Port::Mem)),
        ];
        all.into_iter()
            .filter(move |(bit, _)| self.has(*bit))
            .map(|(_, r)| r)
    }

    /// Bytes of the records that follow this status.
    pub fn record_bytes(self) -> usize {
        self.records().map(Record::bytes).sum()
    }
}

/// One record of a poll reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// A read burst: address u64, len u8.
    Read(Port),
    /// A write burst: address u64, len u8.
    Write(Port),
    /// A written beat: 64 bytes.
    Beat(Port),
}

impl Record {
    pub const fn bytes(self) -> usize {
        match self {
            Record::Read(_) | Record::Write(_) => BURST_RECORD,
            Record::Beat(_) => BEAT,
        }
    }
}

/// The UART's clocks per bit at `clock_mhz`, for `baud` bits per second, if it divides exactly
/// (the board's divider is an integer; an inexact one drifts across a frame).
pub const fn clocks_per_bit(clock_mhz: u32, baud: u32) -> Option<u32> {
    let hz = clock_mhz as u64 * 1_000_000;
    if baud == 0 || hz % baud as u64 != 0 {
        None
    } else {
        Some((hz / baud as u64) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_fit_and_records_add_up() {
        for op in [WRITE_REG, READ_REG, POLL, READ_BEAT, WRITE_RESP, SYNC] {
            assert!(frame_len(op).unwrap() <= FRAME_MAX);
            assert_eq!(op & SEQ, 0);
        }
        assert_eq!(frame_len(0), None);
        let all = Status(0x7f);
        assert_eq!(all.record_bytes(), 4 * BURST_RECORD + 2 * BEAT);
        assert_eq!(Status(Status::IRQ).record_bytes(), 0);
        assert_eq!(clocks_per_bit(25, 1_000_000), Some(25));
        assert_eq!(clocks_per_bit(25, 3_000_000), None);
    }
}
