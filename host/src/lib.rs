//! Host library of the BN254 MSM accelerator: one API with arkworks types over every backend.
//!
//! ```
//! use ark_bn254::{Fr, G1Affine, G1Projective};
//! use ark_ec::{CurveGroup, PrimeGroup};
//! use msm_host::{CpuBackend, MsmBackend};
//!
//! let g = G1Projective::generator();
//! let bases: Vec<G1Affine> = (1..=4u64).map(|i| (g * Fr::from(i)).into_affine()).collect();
//! let mut backend = CpuBackend::new();
//! backend.load_bases(&bases)?; // once: the commitment key
//! let c = backend.msm(&[Fr::from(1u64), Fr::from(1u64)])?; // a prefix of the key
//! assert_eq!(c, g * Fr::from(3u64));
//! # Ok::<(), msm_host::MsmError>(())
//! ```

pub mod backend;
pub mod card;
pub mod cpu;
pub mod error;
pub mod fold;
pub mod input;
pub mod model;
pub mod schedule;
pub mod shared;
/// Seeded random inputs (`msm_sim::workload`).
pub use msm_sim::workload;

pub use backend::{MsmBackend, MsmReport};
#[cfg(feature = "serial")]
pub use card::serial;
#[cfg(feature = "sim")]
pub use card::{simulated, simulated_of, CardModel, Timing, SIM_SHAPE};
#[cfg(feature = "vfio")]
pub use card::{vfio_pci, vfio_user};
pub use card::{CardAt, CardBackend};
pub use cpu::CpuBackend;
pub use error::MsmError;
pub use model::ModelBackend;
pub use msm_spec::reduction::CardShape;
pub use schedule::{ScheduleBackend, ScheduleCard};
pub use shared::{BatchRecord, Key, SharedBackend};
