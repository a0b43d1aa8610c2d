//! Sonobe's Nova folding with the primary commitments' MSMs on an MSM backend (CPU, the card's
//! model, the card): [`MsmPedersen`] is Sonobe's Pedersen with the MSM sent to the attached
//! [`msm_host::SharedBackend`], and [`fold`] runs a hash-chain IVC over it.

pub mod chain;
pub mod commitment;

pub use chain::{fold, fold_seeded, HashChain, HashChainIvc, DEFAULT_SEED};
pub use commitment::{
    attach, attached, take_commits, Attached, MsmPedersen, MsmPedersenEmulatedGadget,
    MsmPedersenEmulatedKeyVar, MsmPedersenGadget, MsmPedersenKey, MsmPedersenKeyVar,
};
