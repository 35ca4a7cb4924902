//! Count, mean, variance, min and max, merged exactly.

use serde::{Deserialize, Serialize};

use super::serde_helpers::float;

/// The first two moments and the range of a stream of numbers.
///
/// Built per batch with the corrected two-pass algorithm and combined with the pairwise
/// update of Chan, Golub and LeVeque. The mean is kept as a double-double
/// (`mean_hi + mean_lo`), so the difference between two partial means is exact even when the
/// values sit far from zero, and merging partial results gives one pass's numbers up to
/// floating-point rounding. NaN must be filtered out by the caller; infinities are
/// kept and make the mean infinite and the variance NaN, as in pandas.
///
/// ```
/// use seismo_stats::sketch::Moments;
///
/// let mut a = Moments::from_slice(&[1.0, 2.0, 3.0]);
/// a.merge(&Moments::from_slice(&[4.0, 5.0]));
/// assert_eq!(a.count, 5);
/// assert_eq!(a.mean(), Some(3.0));
/// assert_eq!(a.variance(1), Some(2.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values.
    pub count: u64,
    /// Their mean is `mean_hi + mean_lo` (0 when empty); use [`Moments::mean`].
    #[serde(with = "float")]
    pub mean_hi: f64,
    /// The low part of the mean.
    #[serde(with = "float")]
    pub mean_lo: f64,
    /// Sum of squared deviations from the mean.
    #[serde(with = "float")]
    pub m2: f64,
    /// Smallest value (+inf when empty).
    #[serde(with = "float")]
    pub min: f64,
    /// Largest value (-inf when empty).
    #[serde(with = "float")]
    pub max: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Self {
            count: 0,
            mean_hi: 0.0,
            mean_lo: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Moments {
    /// The moments of a slice of non-NaN values.
    ///
    /// Uses the corrected two-pass algorithm: a first mean, then the mean of the residuals
    /// to correct it, and `m2 = Σd² − (Σd)²/n`. This keeps full precision when the values
    /// sit far from zero relative to their spread (say 1e9 ± 1e-3), where a plain sum
    /// loses most digits of the variance.
    pub fn from_slice(values: &[f64]) -> Self {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &v in values {
            min = min.min(v);
            max = max.max(v);
        }
        Self {
            min,
            max,
            ..Self::centered(values)
        }
    }

    /// The count, mean and `m2` of a slice of non-NaN values, as [`from_slice`] computes
    /// them, without the pass for the minimum and maximum (left NaN): for the tests that
    /// need only the mean and the variance. Two passes: the sum, then the residuals and
    /// their squares together.
    ///
    /// [`from_slice`]: Self::from_slice
    pub(crate) fn centered(values: &[f64]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        let n = values.len() as f64;
        let first = lane_sum(values, |v| v) / n;
        if !first.is_finite() {
            // Infinities (or an overflowing sum): the mean is that infinity (NaN for both
            // signs) and the variance undefined, as pandas reports them.
            return Self {
                count: values.len() as u64,
                mean_hi: first,
                mean_lo: 0.0,
                m2: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            };
        }
        let (correction, squares) = lane_sums_of_residuals(values, first);
        let m2 = squares - correction * correction / n;
        let mut moments = Self {
            count: values.len() as u64,
            mean_hi: first,
            mean_lo: correction / n,
            m2: m2.max(0.0),
            min: f64::NAN,
            max: f64::NAN,
        };
        moments.normalize();
        moments
    }

    /// Adds another stream's moments to these.
    pub fn merge(&mut self, other: &Self) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.count as f64, other.count as f64);
        let n = na + nb;
        let delta = (other.mean_hi - self.mean_hi) + (other.mean_lo - self.mean_lo);
        if delta != 0.0 {
            self.mean_lo += delta * (nb / n);
            self.m2 += other.m2 + delta * delta * (na * nb / n);
        } else {
            self.m2 += other.m2;
        }
        self.normalize();
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Keeps `mean_hi` the f64 nearest the mean and `mean_lo` the remainder (fast two-sum).
    fn normalize(&mut self) {
        let sum = self.mean_hi + self.mean_lo;
        if sum.is_finite() {
            self.mean_lo -= sum - self.mean_hi;
            self.mean_hi = sum;
        }
    }

    /// The variance with `ddof` delta degrees of freedom (1 for the sample variance, as
    /// pandas; 0 for the population variance). `None` when there are at most `ddof` values.
    pub fn variance(&self, ddof: u64) -> Option<f64> {
        (self.count > ddof).then(|| self.m2 / (self.count - ddof) as f64)
    }

    /// The sample standard deviation (ddof = 1), as pandas' `std()`.
    pub fn std(&self) -> Option<f64> {
        self.variance(1).map(f64::sqrt)
    }

    /// The mean, `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then_some(self.mean_hi + self.mean_lo)
    }

    /// This mean minus `other`'s, from both double-double means: exact to rounding even when
    /// the two means round to the same `f64` (samples that differ in the last bits), where
    /// subtracting [`mean`](Self::mean)s gives 0. `None` when either is empty.
    pub fn mean_difference(&self, other: &Self) -> Option<f64> {
        (self.count > 0 && other.count > 0)
            .then_some((self.mean_hi - other.mean_hi) + (self.mean_lo - other.mean_lo))
    }

    /// The moments as 48 bytes: `count` (u64) then `mean_hi`, `mean_lo`, `m2`, `min`, `max`
    /// (f64), all little-endian.
    pub fn to_bytes(&self) -> [u8; 48] {
        let mut out = [0u8; 48];
        out[..8].copy_from_slice(&self.count.to_le_bytes());
        for (i, v) in [self.mean_hi, self.mean_lo, self.m2, self.min, self.max]
            .iter()
            .enumerate()
        {
            out[8 + 8 * i..16 + 8 * i].copy_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Moments from [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::StatsError> {
        if bytes.len() != 48 {
            return Err(crate::StatsError::Sketch(format!(
                "moments: {} bytes, expected 48",
                bytes.len()
            )));
        }
        let word = |i: usize| <[u8; 8]>::try_from(&bytes[8 * i..8 * i + 8]).expect("8 bytes");
        let f = |i: usize| f64::from_le_bytes(word(i));
        Ok(Self {
            count: u64::from_le_bytes(word(0)),
            mean_hi: f(1),
            mean_lo: f(2),
            m2: f(3),
            min: f(4),
            max: f(5),
        })
    }

    /// The smallest and largest value, `None` when empty.
    pub fn range(&self) -> Option<(f64, f64)> {
        (self.count > 0).then_some((self.min, self.max))
    }
}

/// The sum of `f(v)` over `values` in eight independent lanes: fewer rounding steps per
/// accumulator than a plain loop, and the compiler can vectorize it.
#[inline]
/// `Σ(v − center)` and `Σ(v − center)²` in one pass, each summed in eight lanes exactly as
/// [`lane_sum`] sums it (so the two are the same bits as two separate passes).
fn lane_sums_of_residuals(values: &[f64], center: f64) -> (f64, f64) {
    let (mut residuals, mut squares) = ([0.0f64; 8], [0.0f64; 8]);
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for k in 0..8 {
            let d = chunk[k] - center;
            residuals[k] += d;
            squares[k] += d * d;
        }
    }
    let tail_residuals: f64 = rest.iter().map(|&v| v - center).sum();
    let tail_squares: f64 = rest.iter().map(|&v| (v - center) * (v - center)).sum();
    (
        residuals.iter().sum::<f64>() + tail_residuals,
        squares.iter().sum::<f64>() + tail_squares,
    )
}

fn lane_sum(values: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [0.0f64; 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += f(v);
        }
    }
    let tail: f64 = rest.iter().map(|&v| f(v)).sum();
    lanes.iter().sum::<f64>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_equals_one_pass() {
        let values: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1013) as f64 * 0.37 + 1e6)
            .collect();
        let whole = Moments::from_slice(&values);
        let mut merged = Moments::default();
        for chunk in values.chunks(97) {
            merged.merge(&Moments::from_slice(chunk));
        }
        assert_eq!(merged.count, whole.count);
        let (a, b) = (merged.mean().unwrap(), whole.mean().unwrap());
        assert!((a - b).abs() <= 1e-12 * b.abs());
        assert!((merged.m2 - whole.m2).abs() <= 1e-9 * whole.m2);
        assert_eq!((merged.min, merged.max), (whole.min, whole.max));
    }

    #[test]
    fn large_offsets_keep_the_variance() {
        // 1e9 + k·1e-3 for k in -500..500: the exact sample variance is known in closed form.
        let values: Vec<f64> = (-500..500).map(|k| 1e9 + f64::from(k) * 1e-3).collect();
        let m = Moments::from_slice(&values);
        let mut merged = Moments::default();
        for chunk in values.chunks(33) {
            merged.merge(&Moments::from_slice(chunk));
        }
        let grid: Vec<f64> = (-500..500).map(|k| f64::from(k) * 1e-3).collect();
        let exact = Moments::from_slice(&grid).variance(1).unwrap();
        for m in [m, merged] {
            let v = m.variance(1).unwrap();
            assert!((v - exact).abs() <= 1e-9 * exact, "{m:?}: {v} vs {exact}");
        }
    }

    #[test]
    fn empty_and_single() {
        let empty = Moments::default();
        assert_eq!(
            (empty.mean(), empty.std(), empty.range()),
            (None, None, None)
        );
        let one = Moments::from_slice(&[4.0]);
        assert_eq!(
            (one.mean(), one.std(), one.variance(0)),
            (Some(4.0), None, Some(0.0))
        );
    }

    #[test]
    fn non_finite_values_survive_json() {
        let m = Moments::from_slice(&[1.0, f64::INFINITY]);
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains("\"inf\""), "{json}");
        let back: Moments = serde_json::from_str(&json).unwrap();
        assert_eq!(back.max, f64::INFINITY);
        assert_eq!(back.mean(), Some(f64::INFINITY));
        assert!(back.m2.is_nan() && back.std().unwrap().is_nan());
        let empty: Moments =
            serde_json::from_str(&serde_json::to_string(&Moments::default()).unwrap()).unwrap();
        assert_eq!(empty, Moments::default());
    }
}
