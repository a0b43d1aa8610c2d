//! BN254 G1 (y^2 = x^3 + 3) with the complete projective formulas of Renes, Costello and Batina
//! (eprint 2015/1060) for a = 0, 3b = 9.
//!
//! The operation order is that of the paper's Algorithms 7 and 8, step for step; the RTL adder
//! schedules exactly these operations, so this is its bit-exact model (projective outputs are
//! compared limb for limb, not up to scaling).

use super::field::Fq;

/// Homogeneous projective point (X : Y : Z), x = X/Z, y = Y/Z. The identity is (0 : 1 : 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Projective {
    pub x: Fq,
    pub y: Fq,
    pub z: Fq,
}

/// Affine point (x, y). The identity has no affine form: a base is never the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Affine {
    pub x: Fq,
    pub y: Fq,
}

/// b = 3 in Montgomery form.
fn b() -> Fq {
    Fq::ONE.double().add(&Fq::ONE)
}

impl Affine {
    /// Whether y^2 = x^3 + 3. BN254 G1 has prime order, so this is also the subgroup check.
    pub fn is_on_curve(&self) -> bool {
        self.y.square() == self.x.square().mul(&self.x).add(&b())
    }

    pub fn neg(&self) -> Affine {
        Affine {
            x: self.x,
            y: self.y.neg(),
        }
    }
}

impl From<Affine> for Projective {
    fn from(p: Affine) -> Projective {
        Projective {
            x: p.x,
            y: p.y,
            z: Fq::ONE,
        }
    }
}

impl Projective {
    pub const IDENTITY: Projective = Projective {
        x: Fq::ZERO,
        y: Fq::ONE,
        z: Fq::ZERO,
    };

    pub fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    /// From X, Y, Z as Montgomery-form limbs (the bus and RTL layout); `None` if one is >= p.
    pub fn from_montgomery(l: &[[u64; 4]; 3]) -> Option<Projective> {
        Some(Projective {
            x: Fq::from_montgomery(l[0])?,
            y: Fq::from_montgomery(l[1])?,
            z: Fq::from_montgomery(l[2])?,
        })
    }

    /// `None` for the identity.
    pub fn to_affine(&self) -> Option<Affine> {
        if self.is_identity() {
            return None;
        }
        let zi = self.z.inverse();
        Some(Affine {
            x: self.x.mul(&zi),
            y: self.y.mul(&zi),
        })
    }

    /// Equality of the points represented, whatever the scaling.
    pub fn same_point(&self, o: &Projective) -> bool {
        self.x.mul(&o.z) == o.x.mul(&self.z) && self.y.mul(&o.z) == o.y.mul(&self.z)
    }

    /// Doubling is an addition of a point to itself: the formula is complete.
    pub fn double(&self) -> Projective {
        self.add(self)
    }

    /// Algorithm 7: complete projective + projective, 12M + 2 m(3b) + 19 add/sub.
    pub fn add(&self, q: &Projective) -> Projective {
        let (x1, y1, z1) = (self.x, self.y, self.z);
        let (x2, y2, z2) = (q.x, q.y, q.z);
        let t0 = x1.mul(&x2); // 1
        let t1 = y1.mul(&y2); // 2
        let t2 = z1.mul(&z2); // 3
        let t3 = x1.add(&y1); // 4
        let t4 = x2.add(&y2); // 5
        let t3 = t3.mul(&t4); // 6
        let t4 = t0.add(&t1); // 7
        let t3 = t3.sub(&t4); // 8
        let t4 = y1.add(&z1); // 9
        let x3 = y2.add(&z2); // 10
        let t4 = t4.mul(&x3); // 11
        let x3 = t1.add(&t2); // 12
        let t4 = t4.sub(&x3); // 13
        let x3 = x1.add(&z1); // 14
        let y3 = x2.add(&z2); // 15
        let x3 = x3.mul(&y3); // 16
        let y3 = t0.add(&t2); // 17
        let y3 = x3.sub(&y3); // 18
        let x3 = t0.add(&t0); // 19
        let t0 = x3.add(&t0); // 20
        let t2 = t2.mul_by_9(); // 21
        let z3 = t1.add(&t2); // 22
        let t1 = t1.sub(&t2); // 23
        let y3 = y3.mul_by_9(); // 24
        finish(t0, t1, t3, t4, y3, z3)
    }

    /// Algorithm 8: complete projective + affine, 11M + 2 m(3b) + 13 add/sub. With `negate` the
    /// affine addend is -q (y -> p - y), which is how the core applies a negative digit.
    pub fn add_mixed(&self, q: &Affine, negate: bool) -> Projective {
        let (x1, y1, z1) = (self.x, self.y, self.z);
        let x2 = q.x;
        let y2 = if negate { q.y.neg() } else { q.y };
        let t0 = x1.mul(&x2); // 1
        let t1 = y1.mul(&y2); // 2
        let t3 = x2.add(&y2); // 3
        let t4 = x1.add(&y1); // 4
        let t3 = t3.mul(&t4); // 5
        let t4 = t0.add(&t1); // 6
        let t3 = t3.sub(&t4); // 7
        let t4 = y2.mul(&z1); // 8
        let t4 = t4.add(&y1); // 9
        let y3 = x2.mul(&z1); // 10
        let y3 = y3.add(&x1); // 11
        let x3 = t0.add(&t0); // 12
        let t0 = x3.add(&t0); // 13
        let t2 = z1.mul_by_9(); // 14
        let z3 = t1.add(&t2); // 15
        let t1 = t1.sub(&t2); // 16
        let y3 = y3.mul_by_9(); // 17
        finish(t0, t1, t3, t4, y3, z3)
    }
}

/// The common tail of Algorithms 7 (steps 25-33) and 8 (steps 18-26).
fn finish(t0: Fq, t1: Fq, t3: Fq, t4: Fq, y3: Fq, z3: Fq) -> Projective {
    let x3 = t4.mul(&y3);
    let t2 = t3.mul(&t1);
    let x3 = t2.sub(&x3);
    let y3 = y3.mul(&t0);
    let t1 = t1.mul(&z3);
    let y3 = t1.add(&y3);
    let t0 = t0.mul(&t3);
    let z3 = z3.mul(&t4);
    let z3 = z3.add(&t0);
    Projective {
        x: x3,
        y: y3,
        z: z3,
    }
}
