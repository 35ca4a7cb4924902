//! Page–Hinkley, CUSUM and EWMA: small state machines on one stream.

use serde::{Deserialize, Serialize};

use super::Signal;
use crate::sketch::Moments;

/// The Page–Hinkley test (Page 1954; Hinkley 1971), two-sided.
///
/// It accumulates `Σ (xₜ − x̄ₜ − δ)` (and the mirror for decreases), where `x̄ₜ` is the running
/// mean, and signals when the sum rises more than `threshold` above its minimum. After a
/// signal the state restarts, so the next change is measured against the new level.
///
/// ```
/// use seismo_stats::online::{PageHinkley, Signal};
///
/// let mut ph = PageHinkley::new(0.005, 50.0);
/// for _ in 0..1000 { assert_eq!(ph.update(1.0), Signal::Stable); }
/// let fired = (0..1000).map(|_| ph.update(5.0)).position(|s| s == Signal::Up);
/// assert!(fired.unwrap() < 20);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageHinkley {
    /// The tolerated deviation per step (in the stream's units).
    pub delta: f64,
    /// How far the cumulative sum must rise above its minimum to signal.
    pub threshold: f64,
    /// Values seen before the test may signal.
    pub min_samples: u64,
    count: u64,
    mean: f64,
    up_sum: f64,
    up_min: f64,
    down_sum: f64,
    down_min: f64,
}

impl PageHinkley {
    /// A detector with tolerance `delta` and threshold `threshold` (30 warm-up values).
    pub fn new(delta: f64, threshold: f64) -> Self {
        Self {
            delta,
            threshold,
            min_samples: 30,
            count: 0,
            mean: 0.0,
            up_sum: 0.0,
            up_min: 0.0,
            down_sum: 0.0,
            down_min: 0.0,
        }
    }

    /// Feeds one value.
    pub fn update(&mut self, x: f64) -> Signal {
        if x.is_nan() {
            return Signal::Stable;
        }
        self.count += 1;
        self.mean += (x - self.mean) / self.count as f64;
        self.up_sum += x - self.mean - self.delta;
        self.down_sum += self.mean - x - self.delta;
        self.up_min = self.up_min.min(self.up_sum);
        self.down_min = self.down_min.min(self.down_sum);
        if self.count < self.min_samples {
            return Signal::Stable;
        }
        let signal = if self.up_sum - self.up_min > self.threshold {
            Signal::Up
        } else if self.down_sum - self.down_min > self.threshold {
            Signal::Down
        } else {
            return Signal::Stable;
        };
        *self = Self {
            min_samples: self.min_samples,
            ..Self::new(self.delta, self.threshold)
        };
        signal
    }
}

/// Target mean and standard deviation, given or learned from the first values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Target {
    Known { mean: f64, std: f64 },
    WarmingUp { moments: Moments, needed: u64 },
}

impl Target {
    /// The target once known; during warm-up, absorbs `x` and returns `None`.
    fn observe(&mut self, x: f64) -> Option<(f64, f64)> {
        match self {
            Self::Known { mean, std } => Some((*mean, *std)),
            Self::WarmingUp { moments, needed } => {
                moments.merge(&Moments::from_slice(&[x]));
                if moments.count >= *needed {
                    let mean = moments.mean().unwrap_or(0.0);
                    let std = moments.std().filter(|s| *s > 0.0).unwrap_or(1.0);
                    *self = Self::Known { mean, std };
                }
                None
            }
        }
    }

    fn from_reference(mean: Option<f64>, std: Option<f64>, warmup: u64) -> Self {
        match (mean, std) {
            (Some(mean), Some(std)) if std > 0.0 => Self::Known { mean, std },
            _ => Self::WarmingUp {
                moments: Moments::default(),
                needed: warmup.max(2),
            },
        }
    }
}

/// The tabular CUSUM (Page 1954), two-sided, against a target mean `μ₀` and standard
/// deviation `σ` (from a reference, or learned from the first `warmup` values).
///
/// `S⁺ = max(0, S⁺ + x − μ₀ − kσ)`, `S⁻ = max(0, S⁻ + μ₀ − x − kσ)`; a signal when either
/// exceeds `hσ`, after which both restart at 0. The textbook `k = 0.5`, `h = 5` detect a
/// one-σ shift in about 10 values with an in-control run length near 465.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cusum {
    /// Allowance `k`, in σ.
    pub k: f64,
    /// Decision interval `h`, in σ.
    pub h: f64,
    target: Target,
    high: f64,
    low: f64,
}

impl Cusum {
    /// A CUSUM against a known target mean and σ.
    pub fn new(mean: f64, std: f64, k: f64, h: f64) -> Self {
        Self {
            k,
            h,
            target: Target::from_reference(Some(mean), Some(std), 30),
            high: 0.0,
            low: 0.0,
        }
    }

    /// A CUSUM that learns its target from the first `warmup` values.
    pub fn learning(warmup: u64, k: f64, h: f64) -> Self {
        Self {
            k,
            h,
            target: Target::from_reference(None, None, warmup),
            high: 0.0,
            low: 0.0,
        }
    }

    /// Feeds one value.
    pub fn update(&mut self, x: f64) -> Signal {
        if x.is_nan() {
            return Signal::Stable;
        }
        let Some((mean, std)) = self.target.observe(x) else {
            return Signal::Stable;
        };
        self.high = (self.high + x - mean - self.k * std).max(0.0);
        self.low = (self.low + mean - x - self.k * std).max(0.0);
        let signal = if self.high > self.h * std {
            Signal::Up
        } else if self.low > self.h * std {
            Signal::Down
        } else {
            return Signal::Stable;
        };
        (self.high, self.low) = (0.0, 0.0);
        signal
    }
}

/// The EWMA control chart (Roberts 1959): `zₜ = λxₜ + (1 − λ)zₜ₋₁` from `z₀ = μ₀`, with
/// limits `μ₀ ± Lσ√(λ/(2 − λ)·(1 − (1 − λ)^{2t}))`. A signal when `z` leaves them; then `z`
/// restarts at `μ₀`. Common choices: `λ = 0.2`, `L = 3`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ewma {
    /// The smoothing weight `λ` in `(0, 1]`.
    pub lambda: f64,
    /// The width of the limits `L`, in σ of the chart.
    pub width: f64,
    target: Target,
    z: Option<f64>,
    steps: u64,
}

impl Ewma {
    /// A chart against a known target mean and σ.
    pub fn new(mean: f64, std: f64, lambda: f64, width: f64) -> Self {
        Self {
            lambda,
            width,
            target: Target::from_reference(Some(mean), Some(std), 30),
            z: None,
            steps: 0,
        }
    }

    /// A chart that learns its target from the first `warmup` values.
    pub fn learning(warmup: u64, lambda: f64, width: f64) -> Self {
        Self {
            lambda,
            width,
            target: Target::from_reference(None, None, warmup),
            z: None,
            steps: 0,
        }
    }

    /// Feeds one value.
    pub fn update(&mut self, x: f64) -> Signal {
        if x.is_nan() {
            return Signal::Stable;
        }
        let Some((mean, std)) = self.target.observe(x) else {
            return Signal::Stable;
        };
        let l = self.lambda;
        let z = l * x + (1.0 - l) * self.z.unwrap_or(mean);
        self.steps += 1;
        let limit = self.width
            * std
            * (l / (2.0 - l) * (1.0 - (1.0 - l).powf(2.0 * self.steps as f64))).sqrt();
        let signal = if z > mean + limit {
            Signal::Up
        } else if z < mean - limit {
            Signal::Down
        } else {
            self.z = Some(z);
            return Signal::Stable;
        };
        (self.z, self.steps) = (None, 0);
        signal
    }
}
