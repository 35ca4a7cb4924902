//! The energy distance and its permutation test.

use super::{PValueMethod, TestResult};
use crate::error::StatsError;
use crate::random::SplitMix64;
use crate::sort::{key, unkey};

/// The energy distance between two samples, `√2 · (∫ (F_ref − F_cur)² dx)^½`: scipy's
/// `energy_distance(reference, current)`. NaN is dropped; empty samples are an error.
///
/// ```
/// use seismo_stats::two_sample::energy_distance;
///
/// let d = energy_distance(&[0.0, 1.0], &[0.0, 1.0]).unwrap();
/// assert_eq!(d, 0.0);
/// ```
pub fn energy_distance(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    let pooled = Pooled::new(reference, current)?;
    Ok(pooled.statistic(&pooled.labels))
}

/// The energy distance with a seeded permutation p-value: the share of `permutations`
/// random relabellings of the pooled sample whose distance is at least the observed one,
/// counting the observed labelling itself, `(1 + #{≥}) / (1 + permutations)`, so the
/// p-value is never 0. The same seed gives the same p-value. `O(permutations · n)` after
/// one sort.
pub fn energy_test(
    reference: &[f64],
    current: &[f64],
    permutations: usize,
    seed: u64,
) -> Result<TestResult, StatsError> {
    let pooled = Pooled::new(reference, current)?;
    let observed = pooled.statistic(&pooled.labels);
    let mut labels = pooled.labels.clone();
    let mut rng = SplitMix64::new(seed);
    let mut at_least = 0usize;
    for _ in 0..permutations {
        rng.shuffle(&mut labels);
        // A relative slack keeps ties of the statistic (equal up to rounding) counted.
        if pooled.statistic(&labels) >= observed * (1.0 - 1e-12) {
            at_least += 1;
        }
    }
    let p_value = (1 + at_least) as f64 / (1 + permutations) as f64;
    Ok(TestResult {
        statistic: observed,
        p_value,
        method: PValueMethod::Permutation,
    })
}

/// Both samples sorted together, with a label per value (`true`: reference).
struct Pooled {
    values: Vec<f64>,
    labels: Vec<bool>,
    n_reference: usize,
    n_current: usize,
}

impl Pooled {
    fn new(reference: &[f64], current: &[f64]) -> Result<Self, StatsError> {
        let mut keyed: Vec<(u64, bool)> = reference
            .iter()
            .filter(|v| !v.is_nan())
            .map(|&v| (key(v), true))
            .chain(
                current
                    .iter()
                    .filter(|v| !v.is_nan())
                    .map(|&v| (key(v), false)),
            )
            .collect();
        let n_reference = keyed.iter().filter(|(_, r)| *r).count();
        let n_current = keyed.len() - n_reference;
        if n_reference == 0 || n_current == 0 {
            return Err(StatsError::not_enough("energy", 1, n_reference, n_current));
        }
        keyed.sort_unstable();
        let (keys, labels): (Vec<u64>, Vec<bool>) = keyed.into_iter().unzip();
        Ok(Self {
            values: keys.into_iter().map(unkey).collect(),
            labels,
            n_reference,
            n_current,
        })
    }

    /// `√2 · √(Σ (F₁ − F₂)² Δx)` for one labelling of the pooled values.
    fn statistic(&self, labels: &[bool]) -> f64 {
        let (inv1, inv2) = (1.0 / self.n_reference as f64, 1.0 / self.n_current as f64);
        let (mut in_reference, mut in_current) = (0usize, 0usize);
        let mut sum = 0.0;
        for (k, (&v, &is_reference)) in self.values.iter().zip(labels).enumerate() {
            in_reference += usize::from(is_reference);
            in_current += usize::from(!is_reference);
            if let Some(&next) = self.values.get(k + 1)
                && next != v
            {
                let gap = in_reference as f64 * inv1 - in_current as f64 * inv2;
                sum += gap * gap * (next - v);
            }
        }
        (2.0 * sum).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_p_values_are_seeded_and_never_zero() {
        let a: Vec<f64> = (0..200).map(|i| f64::from(i) / 200.0).collect();
        let b: Vec<f64> = (0..150).map(|i| f64::from(i) / 150.0 + 0.5).collect();
        let first = energy_test(&a, &b, 199, 7).unwrap();
        assert_eq!(first, energy_test(&a, &b, 199, 7).unwrap());
        assert_eq!(
            first.p_value,
            1.0 / 200.0,
            "a clear shift beats every permutation"
        );
        let same = energy_test(&a, &a, 199, 7).unwrap();
        assert_eq!(same.statistic, 0.0);
        assert_eq!(
            same.p_value, 1.0,
            "identical samples: every permutation is at least 0"
        );
        assert!(energy_test(&[], &a, 10, 1).is_err());
    }
}
