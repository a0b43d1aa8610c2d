//! The MSM algorithm the core runs, on the model's bit-exact points: accumulation with mixed
//! adds (Algorithm 8, as the lane computes them), then the reduction and the host's finish of
//! `msm_spec::reduction`.

use msm_spec::limbs::Limbs;
use msm_spec::reduction::{accumulate as accumulate_with, window_segment_sums, Group, Plan};

use super::point::{Affine, Projective};

impl Group for Projective {
    fn identity() -> Projective {
        Projective::IDENTITY
    }
    fn add(&self, rhs: &Projective) -> Projective {
        Projective::add(self, rhs)
    }
}

/// How many additions each phase performed. Doublings count as additions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddCounts {
    /// Card: mixed adds `bucket += ±P`, one per non-zero digit.
    pub accumulation: u64,
    /// Card: full adds of the segment running sums, 2 per bucket of every window. A left-over
    /// window's extra shares are not counted: every lane runs its whole address space anyway.
    pub reduction: u64,
    /// Host: segment finishing and window combination.
    pub host: u64,
}

impl AddCounts {
    /// Additions that run on the card: accumulation and reduction.
    pub fn on_card(&self) -> u64 {
        self.accumulation + self.reduction
    }
}

/// `bucket[w][h][|d|] += sign(d) P` for every non-zero digit, as the card does it (h: the share
/// of window w that the point goes to under `plan`). Returns, per window and share, its
/// 2^(width-1) + 1 buckets (index 0 unused), and the number of adds.
pub fn accumulate(
    bases: &[Affine],
    scalars: &[Limbs],
    plan: &Plan,
) -> (Vec<Vec<Vec<Projective>>>, u64) {
    accumulate_with(
        bases,
        scalars,
        plan.c,
        &plan.split(),
        |b: &Projective, p, negate| b.add_mixed(p, negate),
    )
}

/// The whole MSM sum_i scalars[i] * bases[i] as card and host compute it under `plan`.
pub fn msm(bases: &[Affine], scalars: &[Limbs], plan: &Plan) -> (Projective, AddCounts) {
    let (buckets, accumulation) = accumulate(bases, scalars, plan);
    let m = plan.segment_len();
    let (point, host) =
        plan.finish(|w, h, j| window_segment_sums(&buckets[w][h][1..], m, j as usize));
    let counts = AddCounts {
        accumulation,
        reduction: msm_spec::window::reduction_adds(plan.c),
        host,
    };
    (point, counts)
}
