//! The two-sample Kolmogorov–Smirnov test.

use super::{PValueMethod, TestResult};
use crate::error::StatsError;
use crate::sort::{SENTINEL, keys_with_sentinel, sorted_keys};
use crate::special::kolmogorov_sf;

/// How [`ks_2samp`] computes the p-value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KsMethod {
    /// Exact when both samples have at most 10,000 values, asymptotic otherwise (scipy's
    /// `method='auto'`).
    #[default]
    Auto,
    /// The exact distribution of the two-sample statistic, by counting lattice paths.
    /// `O(max(n₁, n₂) · band)` time, `O(min(n₁, n₂))` memory.
    Exact,
    /// `kstwo.sf(D, round(n₁n₂/(n₁+n₂)))`, as scipy's `method='asymp'`.
    Asymptotic,
}

/// The two-sided two-sample Kolmogorov–Smirnov test: scipy's
/// `ks_2samp(reference, current, method=...)` with `nan_policy='omit'`.
///
/// The statistic is the largest distance between the two empirical CDFs. Ties within and
/// across samples are handled as scipy does (the CDFs step at each distinct value).
///
/// The exact p-value counts the lattice paths that leave the band `|F₁ − F₂| < D` as a
/// fraction of all paths, with a recursion on that fraction that never overflows and adds
/// no cancellation: tiny p-values keep their relative precision (scipy computes one minus
/// the inside fraction, so below about 1e-10 its exact p-values carry absolute rounding
/// error and the two can differ in relative terms).
///
/// ```
/// use seismo_stats::two_sample::{KsMethod, ks_2samp};
///
/// let reference = [0.1, 0.4, 0.7, 1.0, 1.3];
/// let current = [0.9, 1.2, 1.5, 1.8, 2.1];
/// let result = ks_2samp(&reference, &current, KsMethod::Auto).unwrap();
/// assert_eq!(result.statistic, 0.6);
/// assert!((result.p_value - 0.357_142_857_142_857_1).abs() < 1e-12);
/// ```
pub fn ks_2samp(
    reference: &[f64],
    current: &[f64],
    method: KsMethod,
) -> Result<TestResult, StatsError> {
    let mut a = sorted_keys(reference);
    let mut b = sorted_keys(current);
    a.push(SENTINEL);
    b.push(SENTINEL);
    ks_from_keys(&a, &b, method)
}

/// [`ks_2samp`] on samples that are already sorted and free of NaN.
pub fn ks_2samp_sorted(a: &[f64], b: &[f64], method: KsMethod) -> Result<TestResult, StatsError> {
    ks_from_keys(&keys_with_sentinel(a), &keys_with_sentinel(b), method)
}

/// The test on sorted keys, each ending with the sentinel.
fn ks_from_keys(a: &[u64], b: &[u64], method: KsMethod) -> Result<TestResult, StatsError> {
    let (n1, n2) = ((a.len() - 1) as u64, (b.len() - 1) as u64);
    if n1 == 0 || n2 == 0 {
        return Err(StatsError::not_enough("ks", 1, n1 as usize, n2 as usize));
    }
    let span = ks_span(a, b);
    let statistic = span as f64 / (n1 as f64 * n2 as f64);
    let exact = match method {
        KsMethod::Auto => n1.max(n2) <= 10_000,
        KsMethod::Exact => true,
        KsMethod::Asymptotic => false,
    };
    if exact {
        let p_value = if span == 0 {
            1.0
        } else {
            exact_outside_probability(n1, n2, span)
        };
        return Ok(TestResult {
            statistic,
            p_value,
            method: PValueMethod::Exact,
        });
    }
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let effective = (m * n / (m + n)).round_ties_even().max(1.0) as u64;
    Ok(TestResult {
        statistic,
        p_value: kolmogorov_sf(effective, statistic),
        method: PValueMethod::Asymptotic,
    })
}

/// The KS statistic of two sorted NaN-free samples: `max |F₁(x) − F₂(x)|`.
pub fn ks_statistic_sorted(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return f64::NAN;
    }
    ks_span(&keys_with_sentinel(a), &keys_with_sentinel(b)) as f64
        / (a.len() as f64 * b.len() as f64)
}

/// `max |i·n₂ − j·n₁|` over the steps of the two empirical CDFs: the statistic times
/// `n₁n₂`, as an exact integer. `a` and `b` are sorted keys ending with the sentinel.
///
/// One branch-free pass over the merged order: each step takes the smaller head (the
/// reference's on ties; an exhausted side's head is the sentinel, larger than any key), and
/// the CDF gap counts only where the next key is strictly larger, so tied values on both
/// sides are consumed before the gap is read.
fn ks_span(a: &[u64], b: &[u64]) -> u128 {
    let (n1, n2) = (a.len() - 1, b.len() - 1);
    let (w1, w2) = (n1 as i128, n2 as i128);
    let (mut i, mut j) = (0usize, 0usize);
    let mut best = 0i128;
    for _ in 0..n1 + n2 {
        let (x, y) = (a[i], b[j]);
        let take_a = usize::from(x <= y);
        let v = x.min(y);
        i += take_a;
        j += 1 - take_a;
        let next = a[i].min(b[j]);
        let gap = (i as i128 * w2 - j as i128 * w1).abs();
        best = best.max(gap * i128::from(next > v));
    }
    best as u128
}

/// `P(D ≥ span/(n₁n₂))` under the null: the fraction of monotone lattice paths from (0, 0)
/// to (m, n) that touch `|n·x − m·y| ≥ span` somewhere.
///
/// `Q(x, y)`, the fraction of paths to (x, y) that have touched the boundary, is 1 on the
/// boundary and outside it, and `(x·Q(x−1, y) + y·Q(x, y−1)) / (x + y)` inside (the share of
/// paths arriving from the left is `x/(x+y)`). Only the band inside the boundary is stored.
fn exact_outside_probability(n1: u64, n2: u64, span: u128) -> f64 {
    let (m, n) = (n1.max(n2) as i128, n1.min(n2) as i128);
    let c = span as i128;
    let mut q = vec![1.0f64; n as usize + 1];
    // The inside band of column x: n·x − c < m·y < n·x + c.
    let band = |x: i128| -> Option<(usize, usize)> {
        let lo = (n * x - c).div_euclid(m) + 1;
        let hi = (n * x + c - 1).div_euclid(m);
        let (lo, hi) = (lo.max(0), hi.min(n));
        (lo <= hi).then_some((lo as usize, hi as usize))
    };
    let mut previous_lo = 0usize;
    for x in 0..=m {
        let Some((lo, hi)) = band(x) else { return 1.0 };
        for cell in q.iter_mut().take(lo).skip(previous_lo) {
            *cell = 1.0;
        }
        let xf = x as f64;
        for y in lo..=hi {
            let below = if y == 0 { 0.0 } else { q[y - 1] };
            q[y] = if x == 0 && y == 0 {
                0.0
            } else {
                (xf * q[y] + y as f64 * below) / (xf + y as f64)
            };
        }
        previous_lo = lo;
    }
    q[n as usize].clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over all C(n1+n2, n1) label orders of distinct values.
    fn brute_force(n1: usize, n2: usize, span: u128) -> f64 {
        let total = n1 + n2;
        let (mut hit, mut all) = (0u64, 0u64);
        for mask in 0u32..(1 << total) {
            if mask.count_ones() as usize != n1 {
                continue;
            }
            all += 1;
            let (mut i, mut j, mut best) = (0i128, 0i128, 0i128);
            for bit in 0..total {
                if mask >> bit & 1 == 1 {
                    i += 1
                } else {
                    j += 1
                }
                best = best.max((i * n2 as i128 - j * n1 as i128).abs());
            }
            if best as u128 >= span {
                hit += 1;
            }
        }
        hit as f64 / all as f64
    }

    #[test]
    fn exact_probability_equals_brute_force() {
        for (n1, n2) in [(1, 1), (3, 5), (4, 4), (6, 3), (7, 8), (2, 11)] {
            for span in 1..=(n1 * n2) as u128 {
                let want = brute_force(n1, n2, span);
                let got = exact_outside_probability(n1 as u64, n2 as u64, span);
                assert!(
                    (got - want).abs() < 1e-12,
                    "n1={n1} n2={n2} span={span}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn empty_and_nan_inputs() {
        assert!(ks_2samp(&[], &[1.0], KsMethod::Auto).is_err());
        assert!(ks_2samp(&[f64::NAN], &[1.0], KsMethod::Auto).is_err());
        let same = ks_2samp(&[1.0, 2.0, f64::NAN], &[1.0, 2.0], KsMethod::Auto).unwrap();
        assert_eq!((same.statistic, same.p_value), (0.0, 1.0));
    }
}
