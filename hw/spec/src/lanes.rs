//! How an MSM's windows, and the points of the windows left over, are spread over the lanes.
//!
//! W = full lanes + r windows. Window w < full lanes lives in lane w mod lanes, which calls it
//! slot w / lanes. Each of the r left-over windows is shared: left-over k goes to the
//! s = floor(lanes / r) lanes k + r h (h < s), point n of the MSM to share h = n mod s, all in
//! slot `full`. A lane then adds about W / lanes digits per point instead of ceil(W / lanes),
//! and the host adds the shares' sums. When r divides the lane count the lanes are exactly
//! balanced (every lane one left-over digit every s points); otherwise lanes r s.. hold none.

use crate::window::num_windows;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaneSplit {
    pub lanes: usize,
    /// Windows every lane holds one of: W div lanes.
    pub full: usize,
    /// Left-over windows: W mod lanes.
    pub leftover: usize,
    /// Lanes sharing each left-over window (0 if there is none).
    pub sharers: usize,
}

impl LaneSplit {
    pub fn new(c: u32, lanes: usize) -> LaneSplit {
        assert!(lanes >= 1, "lanes");
        let w = num_windows(c);
        let (full, leftover) = (w / lanes, w % lanes);
        LaneSplit {
            lanes,
            full,
            leftover,
            sharers: lanes.checked_div(leftover).unwrap_or(0),
        }
    }

    /// Slots a lane's memory needs: ceil(W / lanes).
    pub fn slots(&self) -> usize {
        self.full + usize::from(self.leftover > 0)
    }

    /// How many lanes hold a share of window w.
    pub fn shares(&self, w: usize) -> usize {
        if w < self.full * self.lanes {
            1
        } else {
            self.sharers
        }
    }

    /// Share h of window w: (lane, slot).
    pub fn share(&self, w: usize, h: usize) -> (usize, u32) {
        assert!(h < self.shares(w), "window {w} has no share {h}");
        if w < self.full * self.lanes {
            (w % self.lanes, (w / self.lanes) as u32)
        } else {
            let k = w - self.full * self.lanes;
            (k + self.leftover * h, self.full as u32)
        }
    }

    /// The share of window w that adds point n's digit.
    pub fn share_of_point(&self, w: usize, n: usize) -> usize {
        if w < self.full * self.lanes {
            0
        } else {
            n % self.sharers
        }
    }

    /// The windows lane `lane` holds shares of, each as (window, share).
    pub fn lane_shares(&self, lane: usize) -> Vec<(usize, usize)> {
        let mut mine: Vec<_> = (lane..self.full * self.lanes)
            .step_by(self.lanes)
            .map(|w| (w, 0))
            .collect();
        if self.leftover > 0 && lane < self.leftover * self.sharers {
            let (k, h) = (lane % self.leftover, lane / self.leftover);
            mine.push((self.full * self.lanes + k, h));
        }
        mine
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::WINDOW_RANGE;

    #[test]
    fn every_share_is_one_lane_slot_and_lanes_are_balanced() {
        for lanes in 1..=8 {
            for c in WINDOW_RANGE {
                let s = LaneSplit::new(c, lanes);
                let w = num_windows(c);
                let mut seen = std::collections::HashSet::new();
                for win in 0..w {
                    for h in 0..s.shares(win) {
                        let (lane, slot) = s.share(win, h);
                        assert!(lane < lanes && (slot as usize) < s.slots());
                        assert!(seen.insert((lane, slot)), "c = {c}: two shares in one slot");
                        assert!(s.lane_shares(lane).contains(&(win, h)));
                    }
                }
                // Digits per lane over `lanes` points: W in every lane when r divides lanes.
                let load: Vec<usize> = (0..lanes)
                    .map(|lane| {
                        (0..lanes)
                            .map(|n| {
                                s.lane_shares(lane)
                                    .iter()
                                    .filter(|&&(win, h)| s.share_of_point(win, n) == h)
                                    .count()
                            })
                            .sum()
                    })
                    .collect();
                assert_eq!(load.iter().sum::<usize>(), w * lanes, "c = {c}");
                if s.leftover == 0 || lanes % s.leftover == 0 {
                    assert!(
                        load.iter().all(|&l| l == w),
                        "c = {c}, {lanes} lanes: {load:?}"
                    );
                }
            }
        }
    }
}
