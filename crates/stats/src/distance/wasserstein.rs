//! The Wasserstein-1 (earth mover's) distance between two samples.

use crate::error::StatsError;
use crate::sort::sorted_finite_or_inf;

/// The Wasserstein-1 distance: the area between the two empirical CDFs,
/// `∫ |F_ref(x) − F_cur(x)| dx`, as scipy's `wasserstein_distance(reference, current)`.
///
/// NaN is dropped. Infinite values are kept: the distance is infinite when the two CDFs
/// differ over an infinite interval, and finite when they agree there (scipy returns NaN for
/// any infinite value). Empty samples are an error.
///
/// ```
/// use seismo_stats::distance::wasserstein;
///
/// assert_eq!(wasserstein(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0]).unwrap(), 5.0);
/// ```
pub fn wasserstein(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    let a = sorted_finite_or_inf(reference);
    let b = sorted_finite_or_inf(current);
    if a.is_empty() || b.is_empty() {
        return Err(StatsError::NotEnoughData {
            test: "wasserstein",
            needed: 1,
            reference: a.len(),
            current: b.len(),
        });
    }
    Ok(wasserstein_sorted(&a, &b))
}

/// The Wasserstein-1 distance divided by the reference's population standard deviation
/// (ddof = 0), so that it reads in units of the reference's spread; a shift of one standard
/// deviation gives 1. This is the normalization Evidently uses. `None` when the reference's
/// standard deviation is 0 or not finite.
pub fn wasserstein_normalized(
    reference: &[f64],
    current: &[f64],
) -> Result<Option<f64>, StatsError> {
    let distance = wasserstein(reference, current)?;
    let values: Vec<f64> = reference.iter().copied().filter(|v| !v.is_nan()).collect();
    let std = crate::sketch::Moments::from_slice(&values)
        .variance(0)
        .map(f64::sqrt);
    Ok(std
        .filter(|s| *s > 0.0 && s.is_finite())
        .map(|s| distance / s))
}

/// [`wasserstein`] on samples that are sorted, NaN-free and not empty.
pub fn wasserstein_sorted(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut previous = a[0].min(b[0]);
    // Neumaier-compensated sum of |F₁ − F₂| · Δx over the steps.
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => unreachable!("the loop condition"),
        };
        let gap = (i as f64 / n1 - j as f64 / n2).abs();
        if gap != 0.0 {
            let term = gap * (v - previous);
            let t = sum + term;
            compensation += if sum.abs() >= term.abs() {
                (sum - t) + term
            } else {
                (term - t) + sum
            };
            sum = t;
        }
        while i < a.len() && a[i] <= v {
            i += 1;
        }
        while j < b.len() && b[j] <= v {
            j += 1;
        }
        previous = v;
    }
    let total = sum + compensation;
    if total.is_nan() { f64::INFINITY } else { total }
}
