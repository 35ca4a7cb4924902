//! Tests of location: did the mean (Welch) or the typical value (Mann–Whitney) move?

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::{PValueMethod, TestResult};
use crate::error::StatsError;
use crate::sketch::Moments;
use crate::sort::{sorted_keys, tie_groups};

/// Welch's two-sided t-test for a difference in means without assuming equal variances:
/// scipy's `ttest_ind(reference, current, equal_var=False)`. The statistic is `t`
/// (positive when the reference mean is larger).
///
/// The means are subtracted in double-double precision, so samples whose values differ only
/// in the last bits get the exact `t` (scipy's `t` loses its digits there, and warns of
/// catastrophic cancellation; the oracle fixtures use exact rational arithmetic for them).
///
/// Needs two values per sample. When both samples are constant, `t` is 0 with p-value 1 if
/// the means are equal, and infinite with p-value 0 otherwise (scipy returns NaN). Infinite
/// values make `t` and the p-value NaN, as in scipy.
pub fn welch_t_test(reference: &[f64], current: &[f64]) -> Result<TestResult, StatsError> {
    // The mean and the variance only, read in place: a sample with no NaN (the usual case)
    // is not copied.
    let centered = |values: &[f64]| {
        if values.iter().any(|v| v.is_nan()) {
            let kept: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            Moments::centered(&kept)
        } else {
            Moments::centered(values)
        }
    };
    let (ma, mb) = (centered(reference), centered(current));
    if ma.count < 2 || mb.count < 2 {
        return Err(StatsError::not_enough(
            "t_test",
            2,
            ma.count as usize,
            mb.count as usize,
        ));
    }
    let (n1, n2) = (ma.count as f64, mb.count as f64);
    let (va, vb) = (
        ma.variance(1).unwrap_or(0.0) / n1,
        mb.variance(1).unwrap_or(0.0) / n2,
    );
    let difference = ma.mean_difference(&mb).unwrap_or(0.0);
    let spread = (va + vb).sqrt();
    if spread == 0.0 {
        let (statistic, p_value) = if difference == 0.0 {
            (0.0, 1.0)
        } else {
            (difference.signum() * f64::INFINITY, 0.0)
        };
        return Ok(TestResult {
            statistic,
            p_value,
            method: PValueMethod::Asymptotic,
        });
    }
    let t = difference / spread;
    let df = (va + vb).powi(2) / (va * va / (n1 - 1.0) + vb * vb / (n2 - 1.0));
    // Infinite values make the variances, and so t or the degrees of freedom, undefined:
    // then t and the p-value are NaN, as in scipy.
    let p_value = match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) if t.is_finite() => (2.0 * dist.sf(t.abs())).min(1.0),
        _ => f64::NAN,
    };
    let statistic = if p_value.is_nan() { f64::NAN } else { t };
    Ok(TestResult {
        statistic,
        p_value,
        method: PValueMethod::Asymptotic,
    })
}

/// The largest smaller sample for which [`mann_whitney_u`] computes the exact distribution.
pub const MANN_WHITNEY_EXACT_MAX_SMALL: usize = 8;
/// The largest larger sample for which [`mann_whitney_u`] computes the exact distribution.
pub const MANN_WHITNEY_EXACT_MAX_LARGE: usize = 2000;

/// The two-sided Mann–Whitney U test: scipy's `mannwhitneyu(reference, current)`. The
/// statistic is `U₁`, the reference's U (`R₁ − n₁(n₁+1)/2` with average ranks for ties).
///
/// As scipy's `method='auto'`: the exact distribution when one sample has at most 8 values
/// and there are no ties; otherwise the normal approximation with the tie correction and a
/// continuity correction on `max(U₁, U₂)`. seismo computes the exact distribution only while
/// the larger sample has at most 2,000 values and uses the normal approximation beyond
/// (scipy stays exact there; at such sizes the two agree closely).
pub fn mann_whitney_u(reference: &[f64], current: &[f64]) -> Result<TestResult, StatsError> {
    let a = sorted_keys(reference);
    let b = sorted_keys(current);
    if a.is_empty() || b.is_empty() {
        return Err(StatsError::not_enough("mann_whitney", 1, a.len(), b.len()));
    }
    let (n1, n2) = (a.len(), b.len());
    // Walk the merged order by tie groups: average ranks, the reference's rank sum, Σ(t³ − t).
    let (mut rank, mut rank_sum, mut tie_term) = (0f64, 0f64, 0f64);
    tie_groups(&a, &b, |in_a, in_b| {
        let t = (in_a + in_b) as f64;
        rank_sum += in_a as f64 * (rank + (t + 1.0) / 2.0);
        tie_term += t * t * t - t;
        rank += t;
    });
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = rank_sum - f1 * (f1 + 1.0) / 2.0;
    let u = u1.max(f1 * f2 - u1);
    let small = n1.min(n2);
    let exact = small <= MANN_WHITNEY_EXACT_MAX_SMALL
        && n1.max(n2) <= MANN_WHITNEY_EXACT_MAX_LARGE
        && tie_term == 0.0;
    if exact {
        let p_value = (2.0 * u_survival(n1.min(n2), n1.max(n2), u as u64)).min(1.0);
        return Ok(TestResult {
            statistic: u1,
            p_value,
            method: PValueMethod::Exact,
        });
    }
    let n = f1 + f2;
    let spread = (f1 * f2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
    let p_value = if spread > 0.0 {
        let z = (u - f1 * f2 / 2.0 - 0.5) / spread;
        (2.0 * Normal::standard().sf(z)).min(1.0)
    } else {
        1.0
    };
    Ok(TestResult {
        statistic: u1,
        p_value,
        method: PValueMethod::Asymptotic,
    })
}

/// `P(U ≥ u)` for sample sizes `m ≤ n` under the null, from the exact distribution:
/// `p(m, n, k) = m/(m+n)·p(m−1, n, k−n) + n/(m+n)·p(m, n−1, k)` (the largest value comes from
/// the first sample or the second), built up over `n` with probabilities, not counts.
fn u_survival(m: usize, n: usize, u: u64) -> f64 {
    // table[s][k] = P(U = k) for sizes (s, width) as width grows; at width 0, U = 0.
    let mut table: Vec<Vec<f64>> = vec![vec![1.0]; m + 1];
    for width in 1..=n {
        let mut next: Vec<Vec<f64>> = Vec::with_capacity(m + 1);
        next.push(vec![1.0]);
        for s in 1..=m {
            let total = (s + width) as f64;
            let mut row = vec![0.0; s * width + 1];
            // The largest value is from the first sample: it exceeds all `width` values of
            // the second, adding `width` to U.
            for (k, &p) in next[s - 1].iter().enumerate() {
                row[k + width] += s as f64 / total * p;
            }
            for (k, &p) in table[s].iter().enumerate() {
                row[k] += width as f64 / total * p;
            }
            next.push(row);
        }
        table = next;
    }
    table[m].iter().skip(u as usize).sum::<f64>().min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_samples_have_a_defined_welch_result() {
        let same = welch_t_test(&[2.0, 2.0, 2.0], &[2.0, 2.0]).unwrap();
        assert_eq!((same.statistic, same.p_value), (0.0, 1.0));
        let apart = welch_t_test(&[1.0, 1.0], &[2.0, 2.0]).unwrap();
        assert_eq!((apart.statistic, apart.p_value), (f64::NEG_INFINITY, 0.0));
        assert!(welch_t_test(&[1.0], &[2.0, 3.0]).is_err());
    }

    #[test]
    fn exact_u_distribution_sums_to_one_and_is_symmetric() {
        for (m, n) in [(1, 1), (3, 5), (8, 20)] {
            let total = u_survival(m, n, 0);
            assert!((total - 1.0).abs() < 1e-12);
            let mn = (m * n) as u64;
            for u in 0..=mn {
                // P(U ≥ u) = P(U ≤ mn − u) = 1 − P(U ≥ mn − u + 1)
                let mirrored = 1.0 - u_survival(m, n, mn - u + 1);
                assert!(
                    (u_survival(m, n, u) - mirrored).abs() < 1e-12,
                    "{m} {n} {u}"
                );
            }
        }
        assert!(mann_whitney_u(&[], &[1.0]).is_err());
    }
}
