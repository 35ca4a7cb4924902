//! Count, mean, variance, min and max, merged exactly.

use serde::{Deserialize, Serialize};

use super::serde_helpers::float;

/// The first two moments and the range of a stream of numbers.
///
/// Built per batch with a two-pass sum (accurate) and combined with the pairwise update of
/// Chan, Golub and LeVeque, so merging partial results gives the same numbers as one pass
/// up to floating-point rounding. NaN must be filtered out by the caller; infinities are
/// kept and make the mean infinite and the variance NaN, as in pandas.
///
/// ```
/// use seismo_stats::sketch::Moments;
///
/// let mut a = Moments::from_slice(&[1.0, 2.0, 3.0]);
/// a.merge(&Moments::from_slice(&[4.0, 5.0]));
/// assert_eq!(a.count, 5);
/// assert_eq!(a.mean, 3.0);
/// assert_eq!(a.variance(1), Some(2.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values.
    pub count: u64,
    /// Their mean (0 when empty).
    #[serde(with = "float")]
    pub mean: f64,
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
        Self { count: 0, mean: 0.0, m2: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY }
    }
}

impl Moments {
    /// The moments of a slice of non-NaN values.
    pub fn from_slice(values: &[f64]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let (mut m2, mut min, mut max) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
        for &v in values {
            let d = v - mean;
            m2 += d * d;
            min = min.min(v);
            max = max.max(v);
        }
        Self { count: values.len() as u64, mean, m2, min, max }
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
        let delta = other.mean - self.mean;
        self.mean = if self.mean == other.mean { self.mean } else { self.mean + delta * nb / n };
        self.m2 += other.m2 + delta * delta * na * nb / n;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
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
        (self.count > 0).then_some(self.mean)
    }

    /// The smallest and largest value, `None` when empty.
    pub fn range(&self) -> Option<(f64, f64)> {
        (self.count > 0).then_some((self.min, self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_equals_one_pass() {
        let values: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1013) as f64 * 0.37 + 1e6).collect();
        let whole = Moments::from_slice(&values);
        let mut merged = Moments::default();
        for chunk in values.chunks(97) {
            merged.merge(&Moments::from_slice(chunk));
        }
        assert_eq!(merged.count, whole.count);
        assert!((merged.mean - whole.mean).abs() <= 1e-12 * whole.mean.abs());
        assert!((merged.m2 - whole.m2).abs() <= 1e-9 * whole.m2);
        assert_eq!((merged.min, merged.max), (whole.min, whole.max));
    }

    #[test]
    fn empty_and_single() {
        let empty = Moments::default();
        assert_eq!((empty.mean(), empty.std(), empty.range()), (None, None, None));
        let one = Moments::from_slice(&[4.0]);
        assert_eq!((one.mean(), one.std(), one.variance(0)), (Some(4.0), None, Some(0.0)));
    }

    #[test]
    fn non_finite_values_survive_json() {
        let m = Moments::from_slice(&[1.0, f64::INFINITY]);
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains("\"inf\""), "{json}");
        let back: Moments = serde_json::from_str(&json).unwrap();
        assert_eq!(back.max, f64::INFINITY);
        assert!(back.m2.is_nan());
        let empty: Moments = serde_json::from_str(&serde_json::to_string(&Moments::default()).unwrap()).unwrap();
        assert_eq!(empty, Moments::default());
    }
}
