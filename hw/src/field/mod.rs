//! BN254 Fq units: pipelined, one operation per clock, with a valid bit and an opaque tag.

pub mod add_sub;
pub mod behavioural;
pub mod dataflow;
pub mod karatsuba;
mod lifetimes;
pub mod mul;

pub use msm_spec::limbs::FIELD_BITS;

/// A 256-bit limb vector (the bus format) as an integer.
pub fn limbs_to_biguint(l: &msm_spec::Limbs) -> num_bigint::BigUint {
    let words: Vec<u32> = l
        .iter()
        .flat_map(|x| [*x as u32, (x >> 32) as u32])
        .collect();
    num_bigint::BigUint::from_slice(&words)
}

/// A 256-bit limb vector (the bus format) as a rust-hdl value of N >= 256 bits.
pub fn limbs_to_bits<const N: usize>(l: &msm_spec::Limbs) -> rust_hdl::prelude::Bits<N> {
    limbs_to_biguint(l).into()
}
