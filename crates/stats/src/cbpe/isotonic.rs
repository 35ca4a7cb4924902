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
    pub(crate) fn fit_sorted(mut rows: impl Iterator<Item = (f64, f64)>) -> Option<Self> {
        // Distinct scores, their label sums and counts.
        let (mut x, mut y, mut w) = (Vec::new(), Vec::new(), Vec::new());
        let (mut current, first) = rows.next()?;
        let (mut sum, mut weight) = (first, 1.0);
        for (score, label) in rows {
            if score - current >= 1e-15 {
                x.push(current);
                y.push(sum / weight);
                w.push(weight);
                current = score;
                (sum, weight) = (label, 1.0);
            } else {
                sum += label;
                weight += 1.0;
            }
        }
        x.push(current);
        y.push(sum / weight);
        w.push(weight);
        pool_adjacent_violators(&mut y, &mut w);
        // Drop the knots whose value equals both neighbours'.
        let n = y.len();
        let keep: Vec<bool> = (0..n)
            .map(|i| i == 0 || i + 1 == n || y[i] != y[i - 1] || y[i] != y[i + 1])
            .collect();
        let x = x
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| *v)
            .collect();
        let y = y
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| *v)
            .collect();
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

/// scikit-learn's in-place pool-adjacent-violators (`_inplace_contiguous_isotonic_regression`):
/// `y` becomes the weighted least-squares non-decreasing fit, in the same order of operations.
fn pool_adjacent_violators(y: &mut [f64], w: &mut [f64]) {
    let n = y.len();
    let mut target: Vec<usize> = (0..n).collect();
    let mut i = 0;
    while i < n {
        let mut k = target[i] + 1;
        if k == n {
            break;
        }
        if y[i] < y[k] {
            i = k;
            continue;
        }
        let mut sum_wy = w[i] * y[i];
        let mut sum_w = w[i];
        loop {
            let prev_y = y[k];
            sum_wy += w[k] * y[k];
            sum_w += w[k];
            k = target[k] + 1;
            if k == n || prev_y < y[k] {
                y[i] = sum_wy / sum_w;
                w[i] = sum_w;
                target[i] = k - 1;
                target[k - 1] = i;
                if i > 0 {
                    i = target[i - 1];
                }
                break;
            }
        }
    }
    let mut i = 0;
    while i < n {
        let k = target[i] + 1;
        let value = y[i];
        y[i + 1..k].iter_mut().for_each(|v| *v = value);
        i = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_adjacent_violators_averages_decreasing_runs() {
        let mut y = vec![1.0, 3.0, 2.0, 2.0, 5.0];
        let mut w = vec![1.0; 5];
        pool_adjacent_violators(&mut y, &mut w);
        assert_eq!(y, [1.0, 7.0 / 3.0, 7.0 / 3.0, 7.0 / 3.0, 5.0]);
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
