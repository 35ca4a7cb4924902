//! The Wasserstein-1 (earth mover's) distance between two samples.

use crate::error::StatsError;
use crate::sort::{SENTINEL, keys_with_sentinel, sorted_keys, unkey};

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
    let mut a = sorted_keys(reference);
    let mut b = sorted_keys(current);
    if a.is_empty() || b.is_empty() {
        return Err(StatsError::not_enough("wasserstein", 1, a.len(), b.len()));
    }
    a.push(SENTINEL);
    b.push(SENTINEL);
    Ok(wasserstein_keys(&a, &b))
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
    // A copy without NaN only when there is one to leave out.
    let values: std::borrow::Cow<'_, [f64]> = if reference.iter().any(|v| v.is_nan()) {
        reference.iter().copied().filter(|v| !v.is_nan()).collect()
    } else {
        reference.into()
    };
    let std = crate::sketch::Moments::centered(&values)
        .variance(0)
        .map(f64::sqrt);
    Ok(std
        .filter(|s| *s > 0.0 && s.is_finite())
        .map(|s| distance / s))
}

/// [`wasserstein`] on samples that are sorted, NaN-free and not empty.
pub fn wasserstein_sorted(a: &[f64], b: &[f64]) -> f64 {
    wasserstein_keys(&keys_with_sentinel(a), &keys_with_sentinel(b))
}

/// The distance on sorted keys, each ending with the sentinel, in its quantile form
/// `W₁ = ∫₀¹ |F⁻¹(u) − G⁻¹(u)| du`.
///
/// The quantile functions step at `u = k/n₁` and `u = l/n₂`, an order that depends only on the
/// sample sizes, so the loop's control flow is independent of the data and its loads are
/// sequential; measuring `u` in units of `1/(n₁n₂)` keeps the interval widths exact integers.
/// The same integral as the CDF form scipy sums; results agree to rounding.
fn wasserstein_keys(a: &[u64], b: &[u64]) -> f64 {
    let (n1, n2) = ((a.len() - 1) as u64, (b.len() - 1) as u64);
    let (mut k, mut l) = (0usize, 0usize);
    let (mut at, mut area) = (0u64, 0.0f64);
    while (k as u64) < n1 && (l as u64) < n2 {
        let (next_a, next_b) = ((k as u64 + 1) * n2, (l as u64 + 1) * n1);
        let next = next_a.min(next_b);
        let (x, y) = (unkey(a[k]), unkey(b[l]));
        // Equal values (also equal infinities) are at distance 0, not ∞ − ∞ = NaN.
        let distance = if x == y { 0.0 } else { (x - y).abs() };
        area += distance * (next - at) as f64;
        at = next;
        k += usize::from(next_a == next);
        l += usize::from(next_b == next);
    }
    area / (n1 as f64 * n2 as f64)
}
