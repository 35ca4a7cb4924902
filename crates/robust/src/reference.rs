//! What the perturbations scale by: each feature's spread, median and observed values in
//! the reference rows. A feature that takes strings (its column holds codes, see
//! [`seismo_model::Model::categories`]) is categorical: noise does not touch it, category
//! swaps do, its unseen value is the model's unknown code and dropout puts in its mode.

use ndarray::ArrayView2;
use seismo_model::Model;
use seismo_stats::random::SplitMix64;

/// Per feature: the sample standard deviation (n − 1), the median and the distinct values,
/// over the values that are not missing (NaN).
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    sd: Vec<f64>,
    median: Vec<f64>,
    /// The distinct values, ascending (`-0.0` and `0.0` are one value).
    values: Vec<Vec<f64>>,
    /// Per feature: the code of an unknown string, for a categorical feature.
    unknown: Vec<Option<f64>>,
    /// Per feature: the most frequent value (the smallest on a tie; NaN when none).
    mode: Vec<f64>,
}

impl Reference {
    /// A feature with at most this many distinct whole-number values is discrete: category
    /// swaps touch it by default.
    pub const DISCRETE: usize = 20;

    /// The statistics of each column of `rows`.
    pub fn new(rows: ArrayView2<f32>) -> Self {
        let mut sd = Vec::new();
        let mut median = Vec::new();
        let mut values = Vec::new();
        let mut mode = Vec::new();
        for column in rows.columns() {
            let mut x: Vec<f64> = column
                .iter()
                .filter(|v| !v.is_nan())
                .map(|v| f64::from(*v))
                .collect();
            x.sort_by(f64::total_cmp);
            let n = x.len();
            let mean = x.iter().sum::<f64>() / n as f64;
            let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n as f64 - 1.0);
            sd.push(if n > 1 { var.sqrt() } else { 0.0 });
            median.push(match n {
                0 => f64::NAN,
                _ if n % 2 == 1 => x[n / 2],
                _ => (x[n / 2 - 1] + x[n / 2]) / 2.0,
            });
            mode.push(most_frequent(&x));
            x.dedup_by(|a, b| a == b);
            values.push(x);
        }
        let unknown = vec![None; values.len()];
        Self {
            sd,
            median,
            values,
            unknown,
            mode,
        }
    }

    /// The statistics of `rows`, the model's input matrix, knowing which of its features are
    /// categorical.
    pub fn for_model(rows: ArrayView2<f32>, model: &Model) -> Self {
        let mut reference = Self::new(rows);
        for (j, unknown) in reference.unknown.iter_mut().enumerate() {
            *unknown = model.categories(j).map(|v| v.unknown() as f64);
        }
        reference
    }

    /// Whether feature `j` takes strings (categories, as codes).
    pub fn is_categorical(&self, j: usize) -> bool {
        self.unknown[j].is_some()
    }

    /// What dropout puts in feature `j`: its median, or its mode when categorical.
    pub fn fill(&self, j: usize) -> f64 {
        if self.is_categorical(j) {
            self.mode[j]
        } else {
            self.median[j]
        }
    }

    /// Feature `j`'s standard deviation (0 when it has fewer than two values).
    pub fn sd(&self, j: usize) -> f64 {
        self.sd[j]
    }

    /// Feature `j`'s median (NaN when every value is missing).
    pub fn median(&self, j: usize) -> f64 {
        self.median[j]
    }

    /// Feature `j`'s distinct values, ascending.
    pub fn values(&self, j: usize) -> &[f64] {
        &self.values[j]
    }

    /// Whether feature `j` is categorical or takes few whole-number values.
    pub fn is_discrete(&self, j: usize) -> bool {
        if self.is_categorical(j) {
            return true;
        }
        let values = &self.values[j];
        values.len() <= Self::DISCRETE && values.iter().all(|v| v.fract() == 0.0)
    }

    /// A value of feature `j` other than `x`, uniformly among the observed ones (`None` when
    /// there is no other).
    pub(crate) fn other_value(&self, j: usize, x: f64, rng: &mut SplitMix64) -> Option<f64> {
        let values = &self.values[j];
        let own = values.iter().position(|v| *v == x);
        let others = values.len() - usize::from(own.is_some());
        if others == 0 {
            return None;
        }
        let k = rng.below(others);
        Some(match own {
            Some(p) if k >= p => values[k + 1],
            _ => values[k],
        })
    }

    /// A value feature `j` never takes: a categorical feature's unknown code, else one above
    /// the largest observed (0 if none).
    pub(crate) fn unseen(&self, j: usize) -> f64 {
        if let Some(unknown) = self.unknown[j] {
            return unknown;
        }
        self.values[j].last().map_or(0.0, |v| v.floor() + 1.0)
    }
}

/// The most frequent of sorted values, the smallest on a tie (NaN when there are none).
fn most_frequent(sorted: &[f64]) -> f64 {
    let mut best = (f64::NAN, 0);
    for run in sorted.chunk_by(|a, b| a == b) {
        if run.len() > best.1 {
            best = (run[0], run.len());
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_skip_missing_values() {
        let rows = ndarray::arr2(&[[1.0f32, 0.0], [f32::NAN, -0.0], [3.0, 5.0], [4.0, 5.0]]);
        let r = Reference::new(rows.view());
        // 1, 3, 4: mean 8/3, sample variance (25/9 + 1/9 + 16/9) / 2 = 7/3.
        assert!((r.sd(0) - (7.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(r.median(0), 3.0);
        assert_eq!(r.median(1), 2.5);
        // -0.0 and 0.0 are one value.
        assert_eq!(r.values[1], [-0.0, 5.0]);
        assert!(r.is_discrete(1));
        assert_eq!(r.unseen(1), 6.0);
        // 0 (and -0) twice, 5 twice: the mode is the smaller; no category here, so dropout
        // puts in the median.
        assert_eq!(r.mode[1], 0.0);
        assert_eq!(r.mode[0], 1.0);
        assert_eq!(r.fill(1), 2.5);
        assert!(!r.is_categorical(1));
        let mut rng = SplitMix64::new(1);
        for _ in 0..20 {
            assert_eq!(r.other_value(1, 5.0, &mut rng), Some(-0.0));
            assert_ne!(r.other_value(0, 3.0, &mut rng), Some(3.0));
        }
        let empty = Reference::new(ndarray::Array2::<f32>::zeros((0, 1)).view());
        assert!(empty.median(0).is_nan());
        assert_eq!(empty.sd(0), 0.0);
        assert_eq!(empty.unseen(0), 0.0);
    }
}
