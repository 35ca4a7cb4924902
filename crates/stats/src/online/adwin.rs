//! ADWIN: adaptive windowing (Bifet and Gavaldà 2007).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::Signal;

/// Values of one bucket: a count of `2^level`, their sum and their sum of squared deviations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Bucket {
    total: f64,
    m2: f64,
}

/// ADWIN2: keeps a window of recent values, as an exponential histogram of buckets, and
/// drops its oldest part whenever some split of the window into an older and a newer part
/// shows means that differ by more than
/// `ε = √(2σ²·ln(2/δ′)·(1/n₀ + 1/n₁)) + ⅔·ln(2/δ′)·(1/n₀ + 1/n₁)`, `δ′ = δ/ln n`
/// (the variance-aware bound of the paper, as MOA computes it). The chance of a false alarm
/// on a stationary stream is bounded by `δ`; memory and time per value are logarithmic in
/// the window.
///
/// ```
/// use seismo_stats::online::{Adwin, Signal};
///
/// let mut adwin = Adwin::new(0.002);
/// let mut alarms = Vec::new();
/// for t in 0..4000 {
///     let x = if t < 2000 { (t % 7) as f64 } else { (t % 7) as f64 + 3.0 };
///     if adwin.update(x) == Signal::Change { alarms.push(t); }
/// }
/// assert!(alarms.iter().all(|&t| t >= 2000) && alarms[0] < 2200);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adwin {
    /// Confidence: the false-alarm bound.
    pub delta: f64,
    /// Rows of buckets; row `i` holds buckets of `2^i` values, oldest first. Higher rows hold
    /// older values.
    rows: Vec<VecDeque<Bucket>>,
    width: u64,
    total: f64,
    m2: f64,
    ticks: u64,
}

/// Buckets kept per row before the two oldest merge.
const MAX_BUCKETS: usize = 5;
/// Check for a cut every this many values.
const CLOCK: u64 = 32;
/// The smallest part on either side of a split.
const MIN_PART: u64 = 5;

impl Adwin {
    /// A detector with confidence `delta` (0.002 is a common choice).
    pub fn new(delta: f64) -> Self {
        Self {
            delta,
            rows: Vec::new(),
            width: 0,
            total: 0.0,
            m2: 0.0,
            ticks: 0,
        }
    }

    /// The number of values in the window.
    pub fn width(&self) -> u64 {
        self.width
    }

    /// The mean of the window (`None` when empty).
    pub fn mean(&self) -> Option<f64> {
        (self.width > 0).then(|| self.total / self.width as f64)
    }

    /// Feeds one value; `Change` when the window was cut.
    pub fn update(&mut self, x: f64) -> Signal {
        if x.is_nan() {
            return Signal::Stable;
        }
        self.insert(x);
        self.ticks += 1;
        if !self.ticks.is_multiple_of(CLOCK) || self.width < 2 * MIN_PART {
            return Signal::Stable;
        }
        let mut changed = false;
        while self.cut_found() {
            self.drop_oldest();
            changed = true;
        }
        if changed {
            Signal::Change
        } else {
            Signal::Stable
        }
    }

    fn insert(&mut self, x: f64) {
        if self.width > 0 {
            let mean = self.total / self.width as f64;
            let n = self.width as f64;
            self.m2 += n / (n + 1.0) * (x - mean) * (x - mean);
        }
        self.width += 1;
        self.total += x;
        if self.rows.is_empty() {
            self.rows.push(VecDeque::new());
        }
        self.rows[0].push_back(Bucket { total: x, m2: 0.0 });
        let mut level = 0;
        while self.rows[level].len() > MAX_BUCKETS {
            let size = (1u64 << level) as f64;
            let a = self.rows[level]
                .pop_front()
                .expect("the row is over capacity");
            let b = self.rows[level]
                .pop_front()
                .expect("the row is over capacity");
            let gap = a.total / size - b.total / size;
            let merged = Bucket {
                total: a.total + b.total,
                m2: a.m2 + b.m2 + size / 2.0 * gap * gap,
            };
            if self.rows.len() == level + 1 {
                self.rows.push(VecDeque::new());
            }
            self.rows[level + 1].push_back(merged);
            level += 1;
        }
    }

    /// Whether some split, oldest part first, separates means by more than ε.
    fn cut_found(&self) -> bool {
        let n = self.width as f64;
        let variance = self.m2 / n;
        let log_term = (2.0 * n.ln() / self.delta).ln();
        let (mut n0, mut t0) = (0u64, 0.0f64);
        for (level, row) in self.rows.iter().enumerate().rev() {
            for bucket in row {
                n0 += 1 << level;
                t0 += bucket.total;
                let n1 = self.width - n0;
                if n1 < MIN_PART {
                    return false;
                }
                if n0 < MIN_PART {
                    continue;
                }
                let inverse = 1.0 / n0 as f64 + 1.0 / n1 as f64;
                let epsilon =
                    (2.0 * variance * log_term * inverse).sqrt() + 2.0 / 3.0 * log_term * inverse;
                let gap = t0 / n0 as f64 - (self.total - t0) / n1 as f64;
                if gap.abs() > epsilon {
                    return true;
                }
            }
        }
        false
    }

    fn drop_oldest(&mut self) {
        let Some(level) = self.rows.iter().rposition(|row| !row.is_empty()) else {
            return;
        };
        let bucket = self.rows[level].pop_front().expect("the row is not empty");
        let count = (1u64 << level) as f64;
        let n = self.width as f64;
        let rest = n - count;
        if rest <= 0.0 {
            *self = Self::new(self.delta);
            return;
        }
        let rest_mean = (self.total - bucket.total) / rest;
        let bucket_mean = bucket.total / count;
        self.m2 =
            (self.m2 - bucket.m2 - count * rest / n * (bucket_mean - rest_mean).powi(2)).max(0.0);
        self.width -= 1 << level;
        self.total -= bucket.total;
        while self.rows.last().is_some_and(VecDeque::is_empty) {
            self.rows.pop();
        }
    }
}
