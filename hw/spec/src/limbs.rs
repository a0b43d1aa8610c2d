//! 256-bit integers as 4 little-endian u64 limbs (the bus format of every field element and
//! scalar), the two BN254 moduli, and the Montgomery constants of Fq with R = 2^256. Only the
//! moduli are written down; every other constant is derived from them at compile time.

/// 256-bit little-endian integer.
pub type Limbs = [u64; 4];

/// Bits of a field element or scalar on the bus.
pub const FIELD_BITS: u32 = 256;

/// The BN254 base field modulus p.
pub const P: Limbs = [
    0x3c20_8c16_d87c_fd47,
    0x9781_6a91_6871_ca8d,
    0xb850_45b6_8181_585d,
    0x3064_4e72_e131_a029,
];

/// The BN254 scalar field modulus r (the group order): a scalar must be below it.
pub const SCALAR_MODULUS: Limbs = [
    0x43e1_f593_f000_0001,
    0x2833_e848_79b9_7091,
    0xb850_45b6_8181_585d,
    0x3064_4e72_e131_a029,
];

/// -p^{-1} mod 2^256: the Montgomery constant of the full-width reduction
/// `m = (t mod R) * P_NEG_INV mod R`.
pub const P_NEG_INV: Limbs = neg(&inv_mod_r(&P));

/// R mod p: the Montgomery form of 1.
pub const R_MOD_P: Limbs = pow2_mod_p(256);

/// R^2 mod p: multiplying a canonical value by it (Montgomery) converts it into Montgomery form.
pub const R2_MOD_P: Limbs = pow2_mod_p(512);

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
pub const fn neg(a: &Limbs) -> Limbs {
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
        assert!(lt(&R_MOD_P, &P) && lt(&R2_MOD_P, &P));
        assert_eq!(bits(&[0, 1, 0, 0], 63, 3), 0b010);
    }
}
