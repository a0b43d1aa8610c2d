//! The transport of boards without PCIe: the serial host link (`msm_spec::link`) over any
//! byte stream (a serial port; `msm_verilator::SimBoard` in simulation). The host is the
//! memory of both of the card's ports: DMA buffers live here at IOVAs this transport hands
//! out, and so does card memory. Waiting for the interrupt is polling the board and serving
//! its read and write bursts.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use msm_spec::card::Reg;
use msm_spec::link::{self, Port, Record, Status, BEAT};

use crate::transport::{DmaBuffer, Transport, TransportError};

/// AXI responses.
const OKAY: u8 = 0;
const SLVERR: u8 = 2;
/// DMA buffers start here and are 4 KB aligned (a burst never crosses 4 KB).
const IOVA_BASE: u64 = 0x1000_0000;
const PAGE: u64 = 4096;

/// Opens the serial port at `path` (e.g. `/dev/ttyUSB0`, the ULX3S's FT231X) raw, 8N1, at
/// `baud`; a read waits at most a second for its first byte (then the transport reports the
/// board silent).
#[cfg(feature = "serial")]
pub fn open_serial(path: &std::path::Path, baud: u32) -> std::io::Result<std::fs::File> {
    use rustix::termios::{self, OptionalActions, SpecialCodeIndex};
    let port = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)?;
    let mut t = termios::tcgetattr(&port)?;
    t.make_raw();
    t.set_speed(baud)?;
    t.special_codes[SpecialCodeIndex::VMIN] = 0;
    // Tenths of a second.
    t.special_codes[SpecialCodeIndex::VTIME] = 10;
    termios::tcsetattr(&port, OptionalActions::Flush, &t)?;
    Ok(port)
}

/// A burst the card asked for: its next beat's address and the beats left.
#[derive(Clone, Copy, Debug)]
struct Burst {
    address: u64,
    left: u32,
    /// A write burst whose beats missed memory answers SLVERR.
    failed: bool,
}

/// Host memory as the card's DMA port sees it.
#[derive(Default)]
struct HostMemory {
    buffers: Vec<(u64, Weak<RefCell<Vec<u8>>>)>,
    next: u64,
}

impl HostMemory {
    /// The buffer holding the beat at `address`, and the beat's offset in it.
    fn find(&self, address: u64) -> Option<(Rc<RefCell<Vec<u8>>>, usize)> {
        self.buffers.iter().find_map(|(iova, buffer)| {
            let buffer = buffer.upgrade()?;
            let offset = address.checked_sub(*iova)? as usize;
            let len = buffer.borrow().len();
            (offset + BEAT <= len).then_some((buffer, offset))
        })
    }
}

/// A DMA buffer of the serial transport.
pub struct UartBuffer {
    data: Rc<RefCell<Vec<u8>>>,
    iova: u64,
}

impl DmaBuffer for UartBuffer {
    fn iova(&self) -> u64 {
        self.iova
    }

    fn len(&self) -> usize {
        self.data.borrow().len()
    }

    fn write_at(&mut self, offset: usize, bytes: &[u8]) {
        self.data.borrow_mut()[offset..offset + bytes.len()].copy_from_slice(bytes);
    }

    fn read_at(&self, offset: usize, out: &mut [u8]) {
        out.copy_from_slice(&self.data.borrow()[offset..offset + out.len()]);
    }
}

/// The card behind a serial host link.
pub struct Uart<L: Read + Write> {
    line: L,
    host: HostMemory,
    /// Card memory, grown as the card writes it (reads past its end are zeros), up to the
    /// card's capacity (read from BAR0 when first needed).
    card_memory: Vec<u8>,
    card_memory_max: Option<u64>,
    reads: [VecDeque<Burst>; 2],
    writes: [VecDeque<Burst>; 2],
    /// Beats that came before their burst's address.
    early_beats: [VecDeque<[u8; BEAT]>; 2],
    /// Write responses owed to the card.
    responses: [VecDeque<u8>; 2],
    irq: bool,
    /// The next frame's sequence bit (`link::SEQ` or 0); whether `SYNC` has been sent.
    seq: u8,
    synced: bool,
}

/// A reply lost on the line: it stopped coming (a timeout, or the port's read returning
/// nothing), or came out of step.
fn lost(e: &TransportError) -> bool {
    match e {
        TransportError::Io(e) => matches!(
            e.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::UnexpectedEof | io::ErrorKind::WouldBlock
        ),
        TransportError::Gone(_) => true,
        TransportError::Alloc { .. } => false,
    }
}

/// Tries of one frame: a lost reply (or frame) is a timeout, and the frame is sent again; the
/// board acts on it at most once (`msm_spec::link`, sequence bit).
const TRIES: usize = 3;

impl<L: Read + Write> Uart<L> {
    /// The board on `line`.
    pub fn new(line: L) -> Self {
        Uart {
            line,
            host: HostMemory {
                next: IOVA_BASE,
                ..Default::default()
            },
            card_memory: Vec::new(),
            card_memory_max: None,
            reads: Default::default(),
            writes: Default::default(),
            early_beats: Default::default(),
            responses: Default::default(),
            irq: false,
            seq: 0,
            synced: false,
        }
    }

    /// The line (tests: the simulated board).
    pub fn line(&mut self) -> &mut L {
        &mut self.line
    }

    /// Sends a frame and returns its reply after the echoed opcode (a poll's: the status word
    /// and its records). A reply that does not come whole, or echoes another opcode, is lost:
    /// the line is drained and the same frame (the same sequence bit) sent again, up to
    /// [`TRIES`] times. The first exchange, and the first after one that failed, starts with
    /// `SYNC`.
    fn exchange(&mut self, frame: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.synced {
            self.attempt(&[link::SYNC])?;
            self.synced = true;
        }
        self.attempt(frame)
    }

    fn attempt(&mut self, frame: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut frame = frame.to_vec();
        frame[0] |= self.seq;
        let mut tries = 0;
        loop {
            tries += 1;
            match self.try_once(&frame) {
                Ok(reply) => {
                    self.seq ^= link::SEQ;
                    return Ok(reply);
                }
                Err(e) if tries < TRIES && lost(&e) => self.drain()?,
                Err(e) => {
                    // The board may or may not have acted on the frame: the next exchange
                    // starts over with SYNC.
                    self.synced = false;
                    return Err(e);
                }
            }
        }
    }

    fn try_once(&mut self, frame: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.line.write_all(frame)?;
        self.line.flush()?;
        let mut echo = [0u8];
        self.line.read_exact(&mut echo)?;
        if echo[0] != frame[0] {
            return Err(TransportError::Gone(format!(
                "serial link out of step: sent opcode {:#04x}, the reply echoes {:#04x}",
                frame[0], echo[0]
            )));
        }
        let op = frame[0] & !link::SEQ;
        let mut reply = vec![0u8; link::reply_len(op)];
        self.line.read_exact(&mut reply)?;
        if op == link::POLL {
            let status = Status(u16::from_le_bytes([reply[0], reply[1]]));
            let at = reply.len();
            reply.resize(at + status.record_bytes(), 0);
            self.line.read_exact(&mut reply[at..])?;
        }
        Ok(reply)
    }

    /// Reads until the line is silent (what is left of a reply that came late).
    fn drain(&mut self) -> Result<(), TransportError> {
        let mut buf = [0u8; 256];
        loop {
            match self.line.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) =>
                {
                    return Ok(())
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Bytes of card memory: the card's capacity in bases (it refuses loads past it, so this
    /// only bounds what a faulty card could make the host allocate).
    fn card_memory_max(&mut self) -> Result<u64, TransportError> {
        if self.card_memory_max.is_none() {
            let bases = self.read(Reg::BasesCapacity)?;
            self.card_memory_max = Some(u64::from(bases) * BEAT as u64);
        }
        Ok(self.card_memory_max.unwrap_or(0))
    }

    /// One beat at `address` of `port`'s memory, or None where there is none.
    fn read_beat(&self, port: Port, address: u64) -> Option<[u8; BEAT]> {
        let mut beat = [0u8; BEAT];
        match port {
            Port::Dma => {
                let (buffer, offset) = self.host.find(address)?;
                beat.copy_from_slice(&buffer.borrow()[offset..offset + BEAT]);
            }
            Port::Mem => {
                if address + BEAT as u64 > self.card_memory_max.unwrap_or(0) {
                    return None;
                }
                let a = address as usize;
                if let Some(have) = self.card_memory.get(a..a + BEAT) {
                    beat.copy_from_slice(have);
                }
            }
        }
        Some(beat)
    }

    fn write_beat(&mut self, port: Port, address: u64, beat: &[u8; BEAT]) -> bool {
        match port {
            Port::Dma => match self.host.find(address) {
                Some((buffer, offset)) => {
                    buffer.borrow_mut()[offset..offset + BEAT].copy_from_slice(beat);
                    true
                }
                None => false,
            },
            Port::Mem => {
                let end = address + BEAT as u64;
                if end > self.card_memory_max.unwrap_or(0) {
                    return false;
                }
                if self.card_memory.len() < end as usize {
                    self.card_memory.resize(end as usize, 0);
                }
                let a = address as usize;
                self.card_memory[a..a + BEAT].copy_from_slice(beat);
                true
            }
        }
    }

    /// A written beat into the port's oldest open write burst (kept until its address comes).
    fn take_beat(&mut self, port: Port, beat: [u8; BEAT]) {
        let p = port as usize;
        let Some(burst) = self.writes[p].front().copied() else {
            self.early_beats[p].push_back(beat);
            return;
        };
        let ok = self.write_beat(port, burst.address, &beat);
        let burst = Burst {
            address: burst.address + BEAT as u64,
            left: burst.left - 1,
            failed: burst.failed || !ok,
        };
        if burst.left == 0 {
            self.writes[p].pop_front();
            self.responses[p].push_back(if burst.failed { SLVERR } else { OKAY });
        } else {
            self.writes[p][0] = burst;
        }
    }

    /// One poll, and the beats and responses the card can take now.
    fn serve(&mut self) -> Result<(), TransportError> {
        self.card_memory_max()?;
        let reply = self.exchange(&[link::POLL])?;
        let status = Status(u16::from_le_bytes([reply[0], reply[1]]));
        let records = &reply[2..];
        self.irq |= status.has(Status::IRQ);
        let mut at = 0;
        for record in status.records() {
            let bytes = &records[at..at + record.bytes()];
            at += record.bytes();
            match record {
                Record::Read(port) | Record::Write(port) => {
                    let address = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
                    let burst = Burst {
                        address,
                        left: u32::from(bytes[8]) + 1,
                        failed: false,
                    };
                    let p = port as usize;
                    if let Record::Read(_) = record {
                        self.reads[p].push_back(burst);
                    } else {
                        self.writes[p].push_back(burst);
                        while !self.writes[p].is_empty() {
                            let Some(beat) = self.early_beats[p].pop_front() else {
                                break;
                            };
                            self.take_beat(port, beat);
                        }
                    }
                }
                Record::Beat(port) => {
                    self.take_beat(port, bytes.try_into().expect("a beat"));
                }
            }
        }
        for port in Port::ALL {
            let p = port as usize;
            if status.has(Status::RESP_FREE[p]) {
                if let Some(&resp) = self.responses[p].front() {
                    let accepted = self.exchange(&[link::WRITE_RESP, port as u8, resp])?;
                    if accepted[0] == 1 {
                        self.responses[p].pop_front();
                    }
                }
            }
            // Beats while the card takes them (it takes one a clock once its slot is free).
            let mut free = status.has(Status::READ_FREE[p]);
            while free {
                let Some(burst) = self.reads[p].front().copied() else {
                    break;
                };
                let (resp, beat) = match self.read_beat(port, burst.address) {
                    Some(beat) => (OKAY, beat),
                    None => (SLVERR, [0u8; BEAT]),
                };
                let last = u8::from(burst.left == 1);
                let mut frame = vec![link::READ_BEAT, port as u8, resp, last];
                frame.extend_from_slice(&beat);
                free = self.exchange(&frame)?[0] == 1;
                if free {
                    let front = &mut self.reads[p][0];
                    front.address += BEAT as u64;
                    front.left -= 1;
                    if front.left == 0 {
                        self.reads[p].pop_front();
                    }
                }
            }
        }
        Ok(())
    }
}

impl<L: Read + Write> Transport for Uart<L> {
    type Buffer = UartBuffer;

    fn read(&mut self, reg: Reg) -> Result<u32, TransportError> {
        let address = ((reg as u32 * 4) as u16).to_le_bytes();
        let value = self.exchange(&[link::READ_REG, address[0], address[1]])?;
        Ok(u32::from_le_bytes(value[..4].try_into().expect("4 bytes")))
    }

    fn write(&mut self, reg: Reg, value: u32) -> Result<(), TransportError> {
        let mut frame = vec![link::WRITE_REG];
        frame.extend_from_slice(&((reg as u32 * 4) as u16).to_le_bytes());
        frame.extend_from_slice(&value.to_le_bytes());
        self.exchange(&frame).map(drop)
    }

    fn alloc(&mut self, len: usize) -> Result<UartBuffer, TransportError> {
        let data = Rc::new(RefCell::new(vec![0; len]));
        let iova = self.host.next;
        self.host.next += (len as u64).div_ceil(PAGE).max(1) * PAGE;
        self.host.buffers.retain(|(_, b)| b.strong_count() > 0);
        self.host.buffers.push((iova, Rc::downgrade(&data)));
        Ok(UartBuffer { data, iova })
    }

    fn wait_irq(&mut self, timeout: Duration) -> Result<bool, TransportError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.serve()?;
            if std::mem::take(&mut self.irq) {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The host side of the protocol against a scripted board: record parsing, the order of
    //! the host's frames, and the error responses it gives the card.

    use std::collections::VecDeque;
    use std::io::{self, Read, Write};

    use super::*;

    /// A line whose board answers from a script (its echoes get the frame's sequence bit, a
    /// `SYNC` is answered by itself); what the host sent is kept, sequence bits and `SYNC`s
    /// left out, and the opcode bytes as sent.
    #[derive(Default)]
    struct Scripted {
        replies: VecDeque<u8>,
        sent: Vec<u8>,
        opcodes: Vec<u8>,
        echo_seq: Option<u8>,
        /// Reads that time out before the script goes on (a lost reply).
        lose: usize,
    }

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.replies.len());
            if n == 0 || self.lose > 0 {
                self.lose = self.lose.saturating_sub(1);
                return Err(io::Error::new(io::ErrorKind::TimedOut, "script ended"));
            }
            for (b, x) in buf.iter_mut().zip(self.replies.drain(..n)) {
                *b = x;
            }
            if let Some(seq) = self.echo_seq.take() {
                buf[0] |= seq;
            }
            Ok(n)
        }
    }

    impl Write for Scripted {
        /// One frame a call, as the transport writes them.
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.opcodes.push(buf[0]);
            self.echo_seq = Some(buf[0] & link::SEQ);
            let op = buf[0] & !link::SEQ;
            if op == link::SYNC {
                self.replies.push_front(buf[0]);
                self.echo_seq = None;
            } else {
                self.sent.push(op);
                self.sent.extend_from_slice(&buf[1..]);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn burst(address: u64, len: u8) -> Vec<u8> {
        let mut r = address.to_le_bytes().to_vec();
        r.push(len);
        r
    }

    /// The reply to a poll of `status` with `records`.
    fn poll(status: u16, records: &[Vec<u8>]) -> Vec<u8> {
        let mut r = vec![link::POLL];
        r.extend_from_slice(&status.to_le_bytes());
        for rec in records {
            r.extend_from_slice(rec);
        }
        r
    }

    fn read_beat_frame(port: Port, resp: u8, beat: &[u8; BEAT]) -> Vec<u8> {
        let mut f = vec![link::READ_BEAT, port as u8, resp, 1];
        f.extend_from_slice(beat);
        f
    }

    #[test]
    fn records_are_served_in_order_and_card_memory_keeps_what_the_card_wrote() {
        let mut uart = Uart::new(Scripted::default());
        let mut buffer = uart.alloc(4096).unwrap();
        buffer.write_at(64, &[0x11; BEAT]);
        let capacity = 16u32;
        let line = &mut uart.line;
        line.replies.extend([link::READ_REG]);
        line.replies.extend(capacity.to_le_bytes());
        let status = Status::IRQ
            | Status::READ[0]
            | Status::WRITE[1]
            | Status::BEAT[1]
            | Status::READ_FREE[0]
            | Status::RESP_FREE[1];
        let records = [
            burst(buffer.iova() + 64, 0),
            burst(0x40, 0),
            vec![0xab; BEAT],
        ];
        line.replies.extend(poll(status, &records));
        line.replies
            .extend([link::READ_BEAT, 1, link::WRITE_RESP, 1]);
        assert!(uart.wait_irq(Duration::ZERO).unwrap());
        let mut want = vec![link::READ_REG];
        want.extend((Reg::BasesCapacity as u16 * 4).to_le_bytes());
        want.push(link::POLL);
        want.extend(read_beat_frame(Port::Dma, OKAY, &[0x11; BEAT]));
        want.extend([link::WRITE_RESP, Port::Mem as u8, OKAY]);
        assert_eq!(uart.line.sent, want);

        // The card reads back what it wrote to card memory; past its capacity it gets SLVERR.
        uart.line.sent.clear();
        let status = Status::READ[1] | Status::READ_FREE[1];
        let records = [burst(0x40, 1)];
        let line = &mut uart.line;
        line.replies.extend(poll(status, &records));
        line.replies
            .extend([link::READ_BEAT, 1, link::READ_BEAT, 1]);
        assert!(!uart.wait_irq(Duration::ZERO).unwrap());
        let mut want = vec![link::POLL];
        let mut first = read_beat_frame(Port::Mem, OKAY, &[0xab; BEAT]);
        first[3] = 0;
        want.extend(first);
        want.extend(read_beat_frame(Port::Mem, OKAY, &[0; BEAT]));
        assert_eq!(uart.line.sent, want);
        uart.line.sent.clear();
        let records = [burst(u64::from(capacity) * BEAT as u64, 0)];
        uart.line.replies.extend(poll(status, &records));
        uart.line.replies.extend([link::READ_BEAT, 1]);
        uart.wait_irq(Duration::ZERO).unwrap();
        let mut want = vec![link::POLL];
        want.extend(read_beat_frame(Port::Mem, SLVERR, &[0; BEAT]));
        assert_eq!(uart.line.sent, want);
    }

    #[test]
    fn a_beat_before_its_address_and_a_write_to_no_buffer() {
        let mut uart = Uart::new(Scripted::default());
        let buffer = uart.alloc(4096).unwrap();
        uart.line.replies.extend([link::READ_REG, 16, 0, 0, 0]);
        // The beat first, its burst's address in the next poll: the host holds the beat.
        uart.line
            .replies
            .extend(poll(Status::BEAT[0], &[vec![0x5a; BEAT]]));
        uart.wait_irq(Duration::ZERO).unwrap();
        let status = Status::WRITE[0] | Status::RESP_FREE[0];
        let records = [burst(buffer.iova(), 0)];
        uart.line.replies.extend(poll(status, &records));
        uart.line.replies.extend([link::WRITE_RESP, 1]);
        uart.wait_irq(Duration::ZERO).unwrap();
        let mut got = [0u8; BEAT];
        buffer.read_at(0, &mut got);
        assert_eq!(got, [0x5a; BEAT]);
        assert!(uart.line.sent.ends_with(&[link::WRITE_RESP, 0, OKAY]));

        // A write burst to an IOVA no buffer holds (one freed): SLVERR.
        let iova = buffer.iova();
        drop(buffer);
        let status = Status::WRITE[0] | Status::BEAT[0] | Status::RESP_FREE[0];
        let records = [burst(iova, 0), vec![1; BEAT]];
        uart.line.replies.extend(poll(status, &records));
        uart.line.replies.extend([link::WRITE_RESP, 1]);
        uart.wait_irq(Duration::ZERO).unwrap();
        assert!(uart.line.sent.ends_with(&[link::WRITE_RESP, 0, SLVERR]));
        // The script is spent: the next exchange is a timeout, reported as such.
        match uart.read(Reg::Status) {
            Err(TransportError::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::TimedOut),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_lost_reply_sends_the_same_frame_again_and_the_next_frame_flips_the_bit() {
        let mut uart = Uart::new(Scripted::default());
        uart.line.replies.extend([link::WRITE_REG]);
        uart.write(Reg::Status, 1).unwrap();
        uart.line.replies.extend([link::READ_REG, 7, 0, 0, 0]);
        uart.line.replies.extend([link::WRITE_REG]);
        // The read's reply is lost: the read times out, so does the drain.
        uart.line.lose = 2;
        assert_eq!(uart.read(Reg::Status).unwrap(), 7);
        uart.write(Reg::Status, 1).unwrap();
        let (r, w, seq) = (link::READ_REG, link::WRITE_REG, link::SEQ);
        assert_eq!(uart.line.opcodes, [link::SYNC, w | seq, r, r, w | seq]);
    }
}
