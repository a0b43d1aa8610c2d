//! BN254 base field Fq on 4 x u64 little-endian limbs in Montgomery form, R = 2^256.
//!
//! This is the bit-exact model of the RTL's field units: the limbs are exactly those of
//! `ark_bn254::Fq` (and of the bus format), and every operation returns a fully reduced value.
//! Only the modulus is written down; every other constant is derived from it at compile time.

/// 256-bit little-endian integer.
pub type Limbs = [u64; 4];

/// The BN254 base field modulus p.
pub const P: Limbs = [
    0x3c20_8c16_d87c_fd47,
    0x9781_6a91_6871_ca8d,
    0xb850_45b6_8181_585d,
    0x3064_4e72_e131_a029,
];

/// -p^{-1} mod 2^256: the Montgomery constant of the full-width reduction
/// `m = (t mod R) * P_NEG_INV mod R` used by the RTL.
pub const P_NEG_INV: Limbs = neg(&inv_mod_r(&P));

/// R mod p: the Montgomery form of 1.
pub const R_MOD_P: Limbs = pow2_mod_p(256);

/// R^2 mod p: multiplying a canonical value by it (Montgomery) converts it into Montgomery form.
pub const R2_MOD_P: Limbs = pow2_mod_p(512);

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

/// Bits [lo, lo + n) of a 256-bit integer as a u64 (n <= 64; zero above bit 255).
pub fn bits(v: &Limbs, lo: usize, n: usize) -> u64 {
    assert!(n <= 64);
    (0..n).fold(0, |acc, i| {
        let bit = lo + i;
        let b = if bit < 256 {
            (v[bit / 64] >> (bit % 64)) & 1
        } else {
            0
        };
        acc | (b << i)
    })
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

/// Full 256 x 256 -> 512-bit product.
pub const fn mul_wide(a: &Limbs, b: &Limbs) -> [u64; 8] {
    let mut out = [0u64; 8];
    let mut i = 0;
    while i < 4 {
        let mut carry = 0u128;
        let mut j = 0;
        while j < 4 {
            let t = a[i] as u128 * b[j] as u128 + out[i + j] as u128 + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
            j += 1;
        }
        out[i + 4] = carry as u64;
        i += 1;
    }
    out
}

/// Low 256 bits of a 256 x 256 product.
pub const fn mul_lo(a: &Limbs, b: &Limbs) -> Limbs {
    let w = mul_wide(a, b);
    [w[0], w[1], w[2], w[3]]
}

pub const fn add(a: &Limbs, b: &Limbs) -> (Limbs, bool) {
    let mut out = [0u64; 4];
    let mut carry = 0u128;
    let mut i = 0;
    while i < 4 {
        let s = a[i] as u128 + b[i] as u128 + carry;
        out[i] = s as u64;
        carry = s >> 64;
        i += 1;
    }
    (out, carry != 0)
}

pub const fn sub(a: &Limbs, b: &Limbs) -> (Limbs, bool) {
    let mut out = [0u64; 4];
    let mut borrow = false;
    let mut i = 0;
    while i < 4 {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow as u64);
        out[i] = d2;
        borrow = b1 || b2;
        i += 1;
    }
    (out, borrow)
}

/// a < b for 256-bit integers.
pub const fn lt(a: &Limbs, b: &Limbs) -> bool {
    sub(a, b).1
}

/// -a mod 2^256.
const fn neg(a: &Limbs) -> Limbs {
    sub(&[0; 4], a).0
}

/// a^{-1} mod 2^256 for odd a, by Newton's iteration x <- x (2 - a x): each step doubles the
/// number of correct low bits, so 1 -> 256 bits takes 8 steps.
const fn inv_mod_r(a: &Limbs) -> Limbs {
    let mut x: Limbs = [1, 0, 0, 0];
    let mut i = 0;
    while i < 8 {
        let ax = mul_lo(a, &x);
        let two_minus_ax = sub(&[2, 0, 0, 0], &ax).0;
        x = mul_lo(&x, &two_minus_ax);
        i += 1;
    }
    x
}

/// 2^k mod p by doubling 1 k times.
const fn pow2_mod_p(k: usize) -> Limbs {
    let mut v: Limbs = [1, 0, 0, 0];
    let mut i = 0;
    while i < k {
        let (d, _) = add(&v, &v);
        let (r, borrow) = sub(&d, &P);
        v = if borrow { d } else { r };
        i += 1;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_constants_hold() {
        assert_eq!(mul_lo(&P, &P_NEG_INV), [u64::MAX; 4], "p * p' = -1 mod R");
        assert_eq!(Fq::ONE.canonical(), [1, 0, 0, 0]);
        assert_eq!(Fq::from_canonical([1, 0, 0, 0]), Some(Fq::ONE));
    }
}
