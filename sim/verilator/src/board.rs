//! The ecp5 board (`msm_board`: the card behind its UART host link, field units behavioural)
//! Verilated, and a simulated serial line to it: [`SimBoard`] is `Read + Write` as a serial
//! port is, and the board runs only while the host waits for bytes.

use std::collections::VecDeque;
use std::io;

use crate::ffi::{msm_board_ecp5_fast as board, Model};
use crate::SIM_UART_CLOCKS_PER_BIT as CPB;

/// Clocks a read waits for a byte before it reports a timeout (a board that stopped
/// answering): at 4 clocks a bit, about 25,000 bytes' time.
const READ_TIMEOUT_CLOCKS: u64 = 1_000_000;

/// The host's end of a serial line to the Verilated board.
pub struct SimBoard {
    model: Model<board::Inputs, board::Outputs>,
    /// Bytes the host wrote, not yet on the line.
    to_board: VecDeque<u8>,
    /// The line level the host drives, and what is left of the frame being sent (start, 8
    /// data bits, stop: bit 0 first) with the clocks left of its current bit.
    frame: u16,
    frame_bits: u32,
    bit_clocks: u32,
    /// The host's receiver: clocks to the next sample, the bits taken so far.
    rx_wait: Option<u32>,
    rx_bits: u32,
    rx_shift: u16,
    from_board: VecDeque<u8>,
    /// The LEDs at the last clock.
    led: u32,
    /// A line cut (tests): the board's bytes are lost.
    cut: bool,
    /// Bytes to lose (tests): (bytes to let through first, bytes to lose then), each way.
    lose_from_board: (usize, usize),
    lose_to_board: (usize, usize),
}

impl Default for SimBoard {
    fn default() -> Self {
        SimBoard::new()
    }
}

impl SimBoard {
    pub fn new() -> Self {
        SimBoard {
            model: Model::new(&board::UNIT),
            to_board: VecDeque::new(),
            frame: 0,
            frame_bits: 0,
            bit_clocks: 0,
            rx_wait: None,
            rx_bits: 0,
            rx_shift: 0,
            from_board: VecDeque::new(),
            led: 0,
            cut: false,
            lose_from_board: (0, 0),
            lose_to_board: (0, 0),
        }
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }

    /// The clocks one bit takes on the line.
    pub fn clocks_per_bit(&self) -> u32 {
        CPB
    }

    /// The board's LEDs (bit i: LED i).
    pub fn led(&self) -> u32 {
        self.led
    }

    /// Cuts the line from the board to the host (`true`) or mends it: a board that stops
    /// answering, for tests of the host's timeout.
    pub fn cut(&mut self, cut: bool) {
        self.cut = cut;
    }

    /// Loses `count` of the board's bytes after the next `after` (a reply cut on the line).
    pub fn lose_from_board(&mut self, after: usize, count: usize) {
        self.lose_from_board = (after, count);
    }

    /// Loses `count` of the host's bytes after the next `after` (a frame cut on the line).
    pub fn lose_to_board(&mut self, after: usize, count: usize) {
        self.lose_to_board = (after, count);
    }

    /// Runs `clocks` clocks.
    pub fn run(&mut self, clocks: u64) {
        for _ in 0..clocks {
            self.clock();
        }
    }

    fn clock(&mut self) {
        if self.frame_bits == 0 {
            if let Some(byte) = self.to_board.pop_front() {
                self.frame = (u16::from(byte) << 1) | (1 << 9);
                self.frame_bits = 10;
                self.bit_clocks = CPB;
            }
        }
        let rx = self.frame_bits == 0 || self.frame & 1 != 0;
        let out = self.model.step(&board::Inputs { uart_rx: rx.into() });
        self.led = out.led;
        if self.frame_bits > 0 {
            self.bit_clocks -= 1;
            if self.bit_clocks == 0 {
                self.frame >>= 1;
                self.frame_bits -= 1;
                self.bit_clocks = CPB;
            }
        }
        self.receive(out.uart_tx != 0);
    }

    /// The host's UART: a start bit's edge, then a sample in the middle of each bit.
    fn receive(&mut self, tx: bool) {
        match self.rx_wait {
            None if !tx => {
                // This clock is the start bit's first: its middle is CPB / 2 - 1 clocks on.
                self.rx_wait = Some(CPB / 2 - 1);
                self.rx_bits = 0;
                self.rx_shift = 0;
            }
            None => {}
            Some(0) => {
                self.rx_shift |= u16::from(tx) << self.rx_bits;
                self.rx_bits += 1;
                self.rx_wait = Some(CPB - 1);
                if self.rx_bits == 10 {
                    self.rx_wait = None;
                    // Start bit low and stop bit high: a byte.
                    if self.rx_shift & 1 == 0
                        && self.rx_shift >> 9 == 1
                        && !self.cut
                        && !take(&mut self.lose_from_board)
                    {
                        self.from_board.push_back((self.rx_shift >> 1) as u8);
                    }
                }
            }
            Some(n) => self.rx_wait = Some(n - 1),
        }
    }
}

/// Counts one byte against a loss (bytes to let through, bytes to lose): whether to lose it.
fn take(loss: &mut (usize, usize)) -> bool {
    match loss {
        (0, 0) => false,
        (0, n) => {
            *n -= 1;
            true
        }
        (k, _) => {
            *k -= 1;
            false
        }
    }
}

impl io::Write for SimBoard {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for &b in buf {
            if !take(&mut self.lose_to_board) {
                self.to_board.push_back(b);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl io::Read for SimBoard {
    /// Runs the board until at least one byte has come (or the timeout), then returns what
    /// has.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut waited = 0;
        while self.from_board.is_empty() {
            if waited == READ_TIMEOUT_CLOCKS {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no byte from the board in {READ_TIMEOUT_CLOCKS} clocks"),
                ));
            }
            self.clock();
            waited += 1;
        }
        let n = buf.len().min(self.from_board.len());
        for (b, x) in buf.iter_mut().zip(self.from_board.drain(..n)) {
            *b = x;
        }
        Ok(n)
    }
}
