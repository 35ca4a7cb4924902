//! Isotonic calibration, as scikit-learn fits and applies it.

use crate::error::StatsError;

/// An isotonic (non-decreasing) calibration map fitted on scores and labels, as
/// scikit-learn's `IsotonicRegression(increasing=True, out_of_bounds="clip")`.
#[derive(Debug, Clone, PartialEq)]
pub struct Isotonic {
    /// The knots: distinct scores, ascending.
    x: Vec<f64>,
    /// The fitted value at each knot, non-decreasing.
    y: Vec<f64>,
}

impl Isotonic {
    /// Fits on `scores` and 0/1 `labels` (the same length, no NaN):
    /// 1. rows sorted by score, then label; scores closer than 1e-15 to the previous distinct
    ///    one are one knot, its value the mean of their labels (scikit-learn's `_make_unique`);
    /// 2. pool adjacent violators over the knots, weighted by their rows;
    /// 3. knots inside a flat run dropped (they do not change the interpolation).
    pub fn fit(scores: &[f64], labels: &[f64]) -> Result<Self, StatsError> {
        if scores.len() != labels.len() || scores.is_empty() {
            return Err(StatsError::InvalidArgument(format!(
                "isotonic calibration needs as many labels as scores, and one at least ({} and {})",
                scores.len(),
                labels.len()
            )));
        }
        if scores.iter().chain(labels).any(|v| v.is_nan()) {
            return Err(StatsError::InvalidArgument(
                "isotonic calibration: a score or label is missing".into(),
            ));
        }
        let order = sorted_order(scores, labels);
        Ok(Self::fit_sorted(order.iter().map(|&i| (scores[i], labels[i]))).expect("nonempty"))
    }

    /// [`Isotonic::fit`] on (score, label) rows given in ascending order of score, then label
    /// (as [`sorted_order`] lists them), with no NaN; `None` without rows. Fitting on many
    /// subsets of one sample (held-out splits) sorts it once.
    ///
    /// One pass: each distinct score becomes a block that is pooled with the blocks before
    /// it while they are not below it (pool adjacent violators on a stack). The blocks come
    /// out strictly increasing, so the knots are each block's first and last score: the
    /// ones scikit-learn keeps. Its in-place loop pools the same blocks; the means can
    /// differ from it in the last bits, as they are summed in another order.
    pub(crate) fn fit_sorted(mut rows: impl Iterator<Item = (f64, f64)>) -> Option<Self> {
        let mut blocks: Vec<Block> = Vec::new();
        let mut push = |block: Block| {
            let mut block = block;
            while let Some(last) = blocks.last()
                && last.mean >= block.mean
            {
                block = last.pooled_with(&block);
                blocks.pop();
            }
            blocks.push(block);
        };
        let (mut current, first) = rows.next()?;
        let (mut sum, mut weight) = (first, 1.0);
        for (score, label) in rows {
            if score - current >= 1e-15 {
                push(Block::new(current, sum / weight, weight));
                current = score;
                (sum, weight) = (label, 1.0);
            } else {
                sum += label;
                weight += 1.0;
            }
        }
        push(Block::new(current, sum / weight, weight));
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for block in &blocks {
            x.push(block.first);
            y.push(block.mean);
            if block.last != block.first {
                x.push(block.last);
                y.push(block.mean);
            }
        }
        Some(Self { x, y })
    }

    /// The calibrated score: linear between knots, clipped to the first and last knot.
    pub fn calibrate(&self, score: f64) -> f64 {
        let (x, y) = (&self.x, &self.y);
        if x.len() == 1 {
            return y[0];
        }
        let s = score.clamp(x[0], x[x.len() - 1]);
        // The interval [x[k], x[k + 1]] holding s.
        let k = x
            .partition_point(|v| *v <= s)
            .saturating_sub(1)
            .min(x.len() - 2);
        let slope = (y[k + 1] - y[k]) / (x[k + 1] - x[k]);
        y[k] + (s - x[k]) * slope
    }
}

impl Isotonic {
    /// [`Isotonic::calibrate`] of scores given in ascending order (no NaN), walking the
    /// knots once instead of searching them for each score; the same values.
    pub(crate) fn calibrate_ascending(&self, scores: impl Iterator<Item = f64>) -> Vec<f64> {
        let (x, y) = (&self.x, &self.y);
        if x.len() == 1 {
            return scores.map(|_| y[0]).collect();
        }
        let mut k = 0;
        scores
            .map(|score| {
                let s = score.clamp(x[0], x[x.len() - 1]);
                while k + 2 < x.len() && x[k + 1] <= s {
                    k += 1;
                }
                let slope = (y[k + 1] - y[k]) / (x[k + 1] - x[k]);
                y[k] + (s - x[k]) * slope
            })
            .collect()
    }
}

/// The rows of `scores` sorted by score, then label, then row: one order for every caller,
/// whatever the sort algorithm. Sorting packed integer keys rather than indexes compared
/// through the floats is several times faster on a million rows.
pub(crate) fn sorted_order(scores: &[f64], labels: &[f64]) -> Vec<usize> {
    let mut keyed: Vec<(u64, u64, usize)> = scores
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (s, l))| (crate::sort::key(*s), crate::sort::key(*l), i))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

/// Consecutive distinct scores pooled to one fitted value.
struct Block {
    first: f64,
    last: f64,
    mean: f64,
    weight: f64,
}

impl Block {
    fn new(score: f64, mean: f64, weight: f64) -> Self {
        Self {
            first: score,
            last: score,
            mean,
            weight,
        }
    }

    /// This block and the next one as one.
    fn pooled_with(&self, next: &Self) -> Self {
        let weight = self.weight + next.weight;
        Self {
            first: self.first,
            last: next.last,
            mean: (self.weight * self.mean + next.weight * next.mean) / weight,
            weight,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_adjacent_violators_averages_decreasing_runs() {
        let c = Isotonic::fit(&[1.0, 2.0, 3.0, 4.0, 5.0], &[0.0, 1.0, 0.5, 0.5, 1.0]).unwrap();
        // 1, 0.5 and 0.5 pool to 2/3 over the scores 2 to 4; the knots inside are dropped.
        assert_eq!(c.x, [1.0, 2.0, 4.0, 5.0]);
        assert_eq!(c.y, [0.0, 2.0 / 3.0, 2.0 / 3.0, 1.0]);
        // Equal neighbours pool too (scikit-learn's `>=`), so fitted values rise strictly.
        let c = Isotonic::fit(&[1.0, 2.0, 3.0], &[0.5, 0.5, 1.0]).unwrap();
        assert_eq!(c.x, [1.0, 2.0, 3.0]);
        assert_eq!(c.y, [0.5, 0.5, 1.0]);
    }

    #[test]
    fn calibrating_ascending_scores_walks_to_the_same_values() {
        let mut random = crate::random::SplitMix64::new(3);
        let scores: Vec<f64> = (0..2000).map(|_| random.uniform()).collect();
        let labels: Vec<f64> = scores
            .iter()
            .map(|s| f64::from(random.uniform() < *s))
            .collect();
        let c = Isotonic::fit(&scores, &labels).unwrap();
        assert!(c.x.len() > 10);
        // Beyond both ends, on knots, between them, repeated.
        let mut probe: Vec<f64> = (0..3000).map(|_| 1.2 * random.uniform() - 0.1).collect();
        probe.extend(c.x.iter().copied());
        probe.extend([c.x[3]; 4]);
        probe.sort_by(f64::total_cmp);
        let walked = c.calibrate_ascending(probe.iter().copied());
        let searched: Vec<f64> = probe.iter().map(|s| c.calibrate(*s)).collect();
        assert_eq!(walked, searched);
    }

    #[test]
    fn calibration_interpolates_between_knots_and_clips() {
        let c = Isotonic::fit(&[0.0, 1.0], &[0.0, 1.0]).unwrap();
        assert_eq!(c.calibrate(0.25), 0.25);
        assert_eq!(c.calibrate(-3.0), 0.0);
        assert_eq!(c.calibrate(7.0), 1.0);
        assert!(Isotonic::fit(&[0.1], &[]).is_err());
    }
}
