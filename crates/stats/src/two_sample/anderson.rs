//! The k-sample Anderson–Darling test.

use super::{PValueMethod, TestResult};
use crate::error::StatsError;
use crate::sort::sorted_keys;

/// The k-sample Anderson–Darling test (Scholz and Stephens 1987), midrank version for data
/// with ties: scipy's `anderson_ksamp(samples)` (the default `midrank=True`).
///
/// The statistic is the standardized `(A²ₐₖₙ − (k − 1)) / σ`. Its p-value is interpolated, as
/// scipy does, from a quadratic fit of log significance on the critical values for 25%, 10%,
/// 5%, 2.5%, 1%, 0.5% and 0.1%, and is therefore capped to `[0.001, 0.25]`: a result of 0.25
/// means "0.25 or more", 0.001 "0.001 or less".
///
/// NaN is dropped. Each sample needs a value, and all together two distinct values.
///
/// ```
/// use seismo_stats::two_sample::anderson_ksamp;
///
/// let a = [0.1, 0.5, 0.9, 1.3, 1.7, 2.1];
/// let b = [2.5, 2.9, 3.3, 3.7, 4.1, 4.5];
/// let result = anderson_ksamp(&[&a, &b]).unwrap();
/// // scipy.stats.anderson_ksamp([a, b]) gives 5.758347340196102 and 0.0018732762975305478.
/// assert!((result.statistic - 5.758347340196102).abs() < 1e-12);
/// assert!((result.p_value - 0.0018732762975305478).abs() < 1e-12);
/// ```
pub fn anderson_ksamp(samples: &[&[f64]]) -> Result<TestResult, StatsError> {
    let k = samples.len();
    if k < 2 {
        return Err(StatsError::InvalidArgument(
            "anderson needs at least two samples".into(),
        ));
    }
    let sorted: Vec<Vec<u64>> = samples.iter().map(|s| sorted_keys(s)).collect();
    if sorted.iter().any(Vec::is_empty) {
        return Err(StatsError::not_enough(
            "anderson",
            1,
            sorted[0].len(),
            sorted[1..].iter().map(Vec::len).min().unwrap_or(0),
        ));
    }
    let n_total: usize = sorted.iter().map(Vec::len).sum();
    let nf = n_total as f64;
    // One merge walk over the sorted samples, distinct value by distinct value z_j: its
    // pooled count l_j, the count below it, and each sample's count equal to it. Each
    // sample's sum runs over the distinct values in order, as the formula writes it.
    let mut at = vec![0usize; k]; // values of each sample below the current z
    let mut equal = vec![0usize; k];
    let mut inner = vec![0.0f64; k];
    let mut below = 0usize;
    let mut distinct = 0usize;
    while let Some(z) = sorted
        .iter()
        .zip(&at)
        .filter_map(|(sample, &at)| sample.get(at).copied())
        .min()
    {
        let mut pooled_equal = 0;
        for ((sample, &at), equal) in sorted.iter().zip(&at).zip(equal.iter_mut()) {
            *equal = sample[at..].iter().take_while(|&&v| v == z).count();
            pooled_equal += *equal;
        }
        let l = pooled_equal as f64;
        let b = below as f64 + l / 2.0;
        for i in 0..k {
            let ni = sorted[i].len() as f64;
            // M_ij: values ≤ z_j, minus half of those equal to it.
            let m = (at[i] + equal[i]) as f64 - equal[i] as f64 / 2.0;
            inner[i] += l / nf * (nf * m - b * ni).powi(2) / (b * (nf - b) - nf * l / 4.0);
            at[i] += equal[i];
        }
        below += pooled_equal;
        distinct += 1;
    }
    if distinct < 2 {
        return Err(StatsError::InvalidArgument(
            "anderson needs more than one distinct value".into(),
        ));
    }
    let mut a2 = 0.0;
    for (sample, inner) in sorted.iter().zip(&inner) {
        a2 += inner / sample.len() as f64;
    }
    a2 *= (nf - 1.0) / nf;

    // Standardize with the exact variance under the null (Scholz and Stephens, eq. 4).
    let kf = k as f64;
    let h_big: f64 = sorted.iter().map(|s| 1.0 / s.len() as f64).sum();
    // Σ_{i=1}^{N−1} 1/i built from the top as scipy does; g sums each partial sum from the
    // top, Σ_{j=i}^{N−1} 1/j, over 1/(N − i + 1).
    let mut harmonic = 0.0;
    let mut g = 0.0;
    for i in (2..n_total).rev() {
        harmonic += 1.0 / i as f64;
        g += harmonic / (n_total + 1 - i) as f64;
    }
    let h = harmonic + 1.0;
    let a = (4.0 * g - 6.0) * (kf - 1.0) + (10.0 - 6.0 * g) * h_big;
    let b = (2.0 * g - 4.0) * kf * kf + 8.0 * h * kf + (2.0 * g - 14.0 * h - 4.0) * h_big - 8.0 * h
        + 4.0 * g
        - 6.0;
    let c = (6.0 * h + 2.0 * g - 2.0) * kf * kf
        + (4.0 * h - 4.0 * g + 6.0) * kf
        + (2.0 * h - 6.0) * h_big
        + 4.0 * h;
    let d = (2.0 * h + 6.0) * kf * kf - 4.0 * h * kf;
    let variance =
        (a * nf.powi(3) + b * nf * nf + c * nf + d) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0));
    let statistic = (a2 - (kf - 1.0)) / variance.sqrt();
    Ok(TestResult {
        statistic,
        p_value: interpolated_p_value(statistic, kf - 1.0),
        method: PValueMethod::Asymptotic,
    })
}

/// scipy's interpolation: the critical values for 7 significance levels at `m = k − 1`, a
/// least-squares quadratic of ln(significance) on them, capped outside their range.
fn interpolated_p_value(statistic: f64, m: f64) -> f64 {
    const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
    const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
    const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
    const SIGNIFICANCE: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
    let critical: Vec<f64> = (0..7)
        .map(|i| B0[i] + B1[i] / m.sqrt() + B2[i] / m)
        .collect();
    let (low, high) = critical
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &c| {
            (a.min(c), b.max(c))
        });
    if statistic < low {
        return 0.25;
    }
    if statistic > high {
        return 0.001;
    }
    let ys: Vec<f64> = SIGNIFICANCE.iter().map(|s| s.ln()).collect();
    let [c2, c1, c0] = quadratic_fit(&critical, &ys);
    (c2 * statistic * statistic + c1 * statistic + c0).exp()
}

/// Least-squares `y ≈ c₂x² + c₁x + c₀` (numpy's `polyfit(x, y, 2)`), via normal equations on
/// centered x (well conditioned for the seven points used here).
fn quadratic_fit(x: &[f64], y: &[f64]) -> [f64; 3] {
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let mut s = [0.0f64; 5]; // Σ t^p, t = x − mean
    let mut r = [0.0f64; 3]; // Σ y t^p
    for (&xi, &yi) in x.iter().zip(y) {
        let t = xi - mean;
        let mut power = 1.0;
        for p in 0..5 {
            s[p] += power;
            if p < 3 {
                r[p] += yi * power;
            }
            power *= t;
        }
    }
    // Solve [[s0 s1 s2],[s1 s2 s3],[s2 s3 s4]] · [a0 a1 a2] = r by Cramer's rule.
    let m = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]];
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let full = det(m);
    let solve = |col: usize| {
        let mut replaced = m;
        for row in 0..3 {
            replaced[row][col] = r[row];
        }
        det(replaced) / full
    };
    let (a0, a1, a2) = (solve(0), solve(1), solve(2));
    // Back from t = x − mean to x.
    [a2, a1 - 2.0 * a2 * mean, a0 - a1 * mean + a2 * mean * mean]
}
