//! The Verilated MSM core (msm-hw `msm::core`) behind a safe API: stream an
//! MSM's points and scalars in (`accumulate`), run the segment running sums (`reduce`), read the
//! buckets and the segment sums. Where each window's buckets and sums live is the
//! reduction plan's business (`msm_spec::reduction::Plan`).

use msm_sim::model::Projective;
use msm_spec::reduction::{CardShape, Plan};
use msm_spec::window::reduction_adds;

use crate::ffi::{msm_core, Model, Unit};
use crate::lane::{projective, Coords};
use crate::{from_words, to_words};

/// Inputs of one clock.
#[derive(Clone, Copy, Debug, Default)]
struct Inputs<'a> {
    c: u32,
    start: bool,
    /// Affine (x, y) in Montgomery form and the canonical scalar.
    point: Option<(&'a [[u64; 4]; 2], &'a [u64; 4])>,
    /// (lane, address).
    read: Option<(usize, u32)>,
    /// Start the reduction with this plan.
    reduce: Option<&'a Plan>,
}

/// A Verilated MSM core: its entry points and the shape it was generated with.
pub struct CoreModel {
    pub(crate) unit: &'static Unit<msm_core::Inputs, msm_core::Outputs>,
    /// Lanes, lane latency and interval.
    pub shape: CardShape,
    /// Chains one lane's sum RAMs hold.
    pub chains: usize,
}

pub use crate::ffi::STAND_IN_CORES;

/// The test configuration's core, with the real adder lane.
pub static SIM_CORE: CoreModel = CoreModel {
    unit: &msm_core::UNIT,
    shape: crate::SHAPE,
    chains: crate::CHAINS,
};

/// Cycle counts of one accumulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accumulation {
    /// Clocks from `start` until idle, an epoch sweep included.
    pub cycles: u64,
    /// Clocks a non-zero digit found its bucket busy (parked, or stalled on a full FIFO).
    pub conflicts: u32,
    /// Additions issued: one per non-zero digit.
    pub adds: u64,
    /// Clocks of an epoch sweep at the start (every 2^epoch_bits - 1 MSMs), in `cycles`.
    pub sweep_cycles: u64,
}

/// A whole MSM on the core, finished on the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreMsm {
    pub point: Projective,
    pub accumulation: Accumulation,
    /// Clocks of the segment running sums.
    pub reduction_cycles: u64,
    /// Additions that matter: one per non-zero digit, two per bucket of each window.
    pub adds: u64,
    pub lanes: usize,
}

impl CoreMsm {
    pub fn cycles(&self) -> u64 {
        self.accumulation.cycles + self.reduction_cycles
    }

    /// adds / (cycles x lanes): the share of the lanes' issue slots that did useful work.
    pub fn efficiency(&self) -> f64 {
        self.adds as f64 / (self.cycles().max(1) * self.lanes as u64) as f64
    }
}

/// The core did not finish within its clock budget (a hang in the RTL, or too small a budget).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeout {
    pub cycles: u64,
}

/// The Verilated MSM core.
pub struct MsmCore {
    core: &'static CoreModel,
    model: Model<msm_core::Inputs, msm_core::Outputs>,
    /// Clocks any one call may take before it gives up.
    limit: u64,
}

impl Default for MsmCore {
    fn default() -> Self {
        MsmCore::new(&SIM_CORE)
    }
}

impl MsmCore {
    pub fn new(core: &'static CoreModel) -> Self {
        MsmCore {
            core,
            model: Model::new(core.unit),
            limit: u64::MAX,
        }
    }

    pub fn model(&self) -> &'static CoreModel {
        self.core
    }

    /// The reduction plan of an MSM at width c on this core.
    pub fn plan(&self, c: u32) -> Plan {
        let plan = Plan::new(c, self.core.shape);
        assert!(
            plan.chains as usize <= self.core.chains,
            "{} chains: the core holds {}",
            plan.chains,
            self.core.chains
        );
        plan
    }

    /// Sets the inputs, reads the settled outputs, clocks once.
    fn step(&mut self, i: &Inputs) -> msm_core::Outputs {
        let (p, s) = i.point.unwrap_or((&[[0; 4]; 2], &[0; 4]));
        self.model.step(&msm_core::Inputs {
            c: i.c,
            start: i.start.into(),
            point_valid: i.point.is_some().into(),
            x: to_words(&p[0]),
            y: to_words(&p[1]),
            scalar: to_words(s),
            read_enable: i.read.is_some().into(),
            read_lane: i.read.map_or(0, |r| r.0 as u32),
            read_address: i.read.map_or(0, |r| r.1),
            reduce: i.reduce.is_some().into(),
            m_log2: i.reduce.map_or(0, |p| p.m_log2),
            last_chain: i.reduce.map_or(0, |p| p.chains - 1),
        })
    }

    /// Accumulates one MSM at window width c: `start`, every point streamed in (offered each
    /// clock until taken), then clocks until idle.
    pub fn accumulate(
        &mut self,
        c: u32,
        points: &[[[u64; 4]; 2]],
        scalars: &[[u64; 4]],
    ) -> Result<Accumulation, Timeout> {
        assert_eq!(points.len(), scalars.len());
        let begin = self.model.cycles();
        let before = self.step(&Inputs {
            c,
            start: true,
            ..Default::default()
        });
        let mut next = 0;
        let mut out;
        loop {
            let point = points.get(next).map(|p| (p, &scalars[next]));
            out = self.step(&Inputs {
                c,
                point,
                ..Default::default()
            });
            if point.is_some() && out.point_ready != 0 {
                next += 1;
            }
            if next == points.len() && out.idle != 0 && point.is_none() {
                break;
            }
            self.check_limit(begin)?;
        }
        Ok(Accumulation {
            cycles: self.model.cycles() - begin,
            conflicts: out.conflicts.wrapping_sub(before.conflicts),
            adds: u64::from(out.adds.wrapping_sub(before.adds)),
            sweep_cycles: u64::from(out.sweep_cycles.wrapping_sub(before.sweep_cycles)),
        })
    }

    /// Gives up (`Timeout`) when one call takes more than `limit` clocks.
    pub fn set_cycle_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    fn check_limit(&self, begin: u64) -> Result<(), Timeout> {
        let cycles = self.model.cycles() - begin;
        if cycles > self.limit {
            return Err(Timeout { cycles });
        }
        Ok(())
    }

    /// Bucket k (|d| = k, 1..=2^(c-1)) of share h of `window` after a run; `None` if the MSM
    /// left it empty.
    pub fn bucket(&mut self, c: u32, window: usize, h: usize, k: u32) -> Option<Coords> {
        let out = self.read(c, self.plan(c).bucket_address(window, h, k));
        (out.bucket_current != 0).then(|| points(&out)[0])
    }

    /// Reads entry `address` of a lane's bucket RAM and segment-sum RAMs (one clock to
    /// present the address, the data the next).
    fn read(&mut self, c: u32, (lane, address): (usize, u32)) -> msm_core::Outputs {
        let read = Inputs {
            c,
            read: Some((lane, address)),
            ..Default::default()
        };
        self.step(&read);
        self.step(&read)
    }

    /// Runs the segment running sums of `plan` after [`MsmCore::accumulate`], in every lane:
    /// `plan.chains` segments of 2^m_log2 buckets over the lane's bucket address space, chain q
    /// holding addresses [q m, (q + 1) m). Returns the clocks taken.
    pub fn reduce(&mut self, plan: &Plan) -> Result<u64, Timeout> {
        assert!(
            plan.chains as usize >= self.core.shape.min_chains(),
            "{} chains cannot cover the lane's latency",
            plan.chains
        );
        let begin = self.model.cycles();
        self.step(&Inputs {
            c: plan.c,
            reduce: Some(plan),
            ..Default::default()
        });
        while self
            .step(&Inputs {
                c: plan.c,
                ..Default::default()
            })
            .idle
            == 0
        {
            self.check_limit(begin)?;
        }
        Ok(self.model.cycles() - begin)
    }

    /// sum_i scalars[i] (x_i, y_i) at window width c: accumulation and the segment running
    /// sums on the core ([`MsmCore::plan`]); each window finished and the windows combined on
    /// the host (`msm_spec::reduction::Plan::finish`).
    pub fn msm(
        &mut self,
        c: u32,
        points: &[[[u64; 4]; 2]],
        scalars: &[[u64; 4]],
    ) -> Result<CoreMsm, Timeout> {
        let accumulation = self.accumulate(c, points, scalars)?;
        let plan = self.plan(c);
        let reduction_cycles = self.reduce(&plan)?;
        let (point, _) = plan.finish(|w, h, j| {
            let (s, t) = self.segment_sums(&plan, w, h, j);
            (projective(&s), projective(&t))
        });
        Ok(CoreMsm {
            point,
            accumulation,
            reduction_cycles,
            adds: accumulation.adds + reduction_adds(c),
            lanes: self.core.shape.lanes,
        })
    }

    /// Segment j of share h of `window` after a reduction under `plan`: its plain sum S_j and
    /// triangle sum T_j (sum of k B_k over its m buckets, k = 1..m).
    pub fn segment_sums(
        &mut self,
        plan: &Plan,
        window: usize,
        h: usize,
        j: u32,
    ) -> (Coords, Coords) {
        let out = self.read(plan.c, plan.segment_address(window, h, j));
        let [_, plain, triangle] = points(&out);
        (plain, triangle)
    }

    /// Clocks run so far.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}

/// The bucket, plain sum and triangle sum outputs.
fn points(out: &msm_core::Outputs) -> [Coords; 3] {
    let p = |x, y, z| [from_words(x), from_words(y), from_words(z)];
    [
        p(&out.bucket_x, &out.bucket_y, &out.bucket_z),
        p(&out.plain_x, &out.plain_y, &out.plain_z),
        p(&out.triangle_x, &out.triangle_y, &out.triangle_z),
    ]
}
