use msm_spec::card::CardError;

use crate::transport::TransportError;

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("not our card: id {id:#010x} (expected {expected:#010x})")]
    NotOurCard { id: u32, expected: u32 },
    #[error("incompatible card: version {found:#x}, this driver speaks major {major}")]
    IncompatibleVersion { found: u32, major: u32 },
    #[error("incompatible card: {0}")]
    Incompatible(String),
    #[error("the card refused or aborted command {seq}: {error:?}")]
    Card { seq: u32, error: CardError },
    #[error("the card reported unknown error code {code} for command {seq}")]
    UnknownCardError { seq: u32, code: u32 },
    #[error("command {seq} was dropped: command {failed} before it failed")]
    Dropped { seq: u32, failed: u32 },
    #[error("the card did not finish within {0:?} (reset it)")]
    Timeout(std::time::Duration),
    #[error("bad argument: {0}")]
    BadArgument(String),
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl DriverError {
    /// The card's error code, if the card reported one.
    pub fn card_error(&self) -> Option<CardError> {
        match self {
            DriverError::Card { error, .. } => Some(*error),
            _ => None,
        }
    }

    /// A DMA fault (the card saw an error response from host memory).
    pub fn is_dma_fault(&self) -> bool {
        matches!(
            self.card_error(),
            Some(CardError::DmaRead | CardError::DmaWrite)
        )
    }
}
