//! User-space driver of the BN254 MSM card (`msm_spec::card` is the contract with the RTL).
//! [`Card`] is the whole driver over any [`Transport`]: open and check the card, reset, load
//! bases into card memory, queue MSMs, wait, read the counters.
//! Transports: [`InProcess`] (feature `sim`), [`vfio::VfioPci`] and [`vfio::VfioUser`]
//! (feature `vfio`), [`Uart`] (a board on a serial host link, over any byte stream).
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod card;
pub mod error;
#[cfg(feature = "sim")]
pub mod in_process;
pub mod transport;
pub mod uart;
#[cfg(feature = "vfio")]
#[allow(unsafe_code)]
pub mod vfio;

pub use card::{segment_sums, Card, CardInfo, Counters, Ticket, Totals};
pub use error::DriverError;
#[cfg(feature = "sim")]
pub use in_process::InProcess;
pub use transport::{DmaBuffer, Transport, TransportError};
pub use uart::Uart;
