//! BN254 base field Fq on 4 x u64 little-endian limbs in Montgomery form, R = 2^256.
//!
//! This is the bit-exact model of the RTL's field units: the limbs are exactly those of
//! `ark_bn254::Fq` (and of the bus format), and every operation returns a fully reduced value.
//! The modulus and the Montgomery constants are `msm_spec::limbs`'.

use msm_spec::limbs::{add, lt, mul_lo, mul_wide, sub, Limbs, P, P_NEG_INV, R2_MOD_P, R_MOD_P};

/// An element of Fq in Montgomery form. The invariant `0 <= limbs < p` holds for every value
/// built through this API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Fq(Limbs);

impl Fq {
    pub const ZERO: Fq = Fq([0; 4]);
    pub const ONE: Fq = Fq(R_MOD_P);

    /// Wraps Montgomery-form limbs (the bus format). `None` if they are not below p.
    pub fn from_montgomery(limbs: Limbs) -> Option<Fq> {
        lt(&limbs, &P).then_some(Fq(limbs))
    }

    /// Converts a canonical integer below p into Montgomery form.
    pub fn from_canonical(limbs: Limbs) -> Option<Fq> {
        Fq::from_montgomery(limbs).map(|v| v.mul(&Fq(R2_MOD_P)))
    }

    /// The Montgomery-form limbs (the bus format).
    pub fn montgomery(&self) -> Limbs {
        self.0
    }

    /// The canonical integer this element represents.
    pub fn canonical(&self) -> Limbs {
        montgomery_reduce(&mul_wide(&self.0, &[1, 0, 0, 0]))
    }

    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// a + b mod p: one 257-bit add, then a conditional subtract of p.
    pub fn add(&self, rhs: &Fq) -> Fq {
        let (s, carry) = add(&self.0, &rhs.0);
        // p < 2^254, so a + b < 2^255 and the carry out of 256 bits is always 0.
        debug_assert!(!carry);
        Fq(reduce_once(s))
    }

    /// a - b mod p: one subtract, then add p back on borrow.
    pub fn sub(&self, rhs: &Fq) -> Fq {
        let (d, borrow) = sub(&self.0, &rhs.0);
        Fq(if borrow { add(&d, &P).0 } else { d })
    }

    pub fn neg(&self) -> Fq {
        Fq::ZERO.sub(self)
    }

    pub fn double(&self) -> Fq {
        self.add(self)
    }

    /// Multiplication by 9 (= 3b for BN254) as the RTL does it: shift-and-add, 8a + a.
    pub fn mul_by_9(&self) -> Fq {
        let a8 = self.double().double().double();
        a8.add(self)
    }

    /// Montgomery multiplication a * b * R^{-1} mod p, in three 256-bit products.
    pub fn mul(&self, rhs: &Fq) -> Fq {
        Fq(montgomery_reduce(&mul_wide(&self.0, &rhs.0)))
    }

    pub fn square(&self) -> Fq {
        self.mul(self)
    }

    /// A uniform element (for tests and generators).
    pub fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Fq {
        Fq(random_below(rng, &P))
    }

    /// Inverse by Fermat (a^(p-2)); zero maps to zero. Only the model's conversions use it.
    pub fn inverse(&self) -> Fq {
        let (e, _) = sub(&P, &[2, 0, 0, 0]);
        let mut acc = Fq::ONE;
        for i in (0..256).rev() {
            acc = acc.square();
            if (e[i / 64] >> (i % 64)) & 1 == 1 {
                acc = acc.mul(self);
            }
        }
        acc
    }
}

/// A uniform integer below `modulus` (which must be below 2^254, as p and r are): 254 random
/// bits, rejected until below.
pub fn random_below<R: rand::Rng + ?Sized>(rng: &mut R, modulus: &Limbs) -> Limbs {
    loop {
        let mut l: Limbs = rng.gen();
        l[3] &= (1 << 62) - 1;
        if lt(&l, modulus) {
            return l;
        }
    }
}

/// u = (t + m p) / R with m = (t mod R) p' mod R, then u -= p if u >= p.
/// The second product needs only its low half and the third only its high half.
fn montgomery_reduce(t: &[u64; 8]) -> Limbs {
    let t_lo: Limbs = t[..4].try_into().unwrap();
    let m = mul_lo(&t_lo, &P_NEG_INV);
    let mp = mul_wide(&m, &P);
    // t + m p is a multiple of R below 2^511: sum the two 512-bit values and keep the high half.
    let mut carry = 0u128;
    let mut sum = [0u64; 8];
    for i in 0..8 {
        let s = t[i] as u128 + mp[i] as u128 + carry;
        sum[i] = s as u64;
        carry = s >> 64;
    }
    debug_assert_eq!(carry, 0);
    debug_assert_eq!(sum[..4], [0; 4]);
    reduce_once(sum[4..].try_into().unwrap())
}

fn reduce_once(v: Limbs) -> Limbs {
    let (d, borrow) = sub(&v, &P);
    if borrow {
        v
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_constants_hold() {
        assert_eq!(Fq::ONE.canonical(), [1, 0, 0, 0]);
        assert_eq!(Fq::from_canonical([1, 0, 0, 0]), Some(Fq::ONE));
    }
}
