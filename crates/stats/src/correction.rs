//! Multiple-testing correction: adjusted p-values for a family of tests.
//!
//! When many columns are tested at once, some p-values fall below any threshold by chance.
//! Each function returns adjusted p-values in the input's order, to compare with the
//! threshold directly; they equal statsmodels' `multipletests(p, method=...)[1]`.
//!
//! NaN p-values (a test that could not run) stay NaN and do not count toward the family
//! size.

/// Bonferroni: `min(1, m·p)`. Controls the family-wise error rate under any dependence.
///
/// ```
/// use seismo_stats::correction::bonferroni;
/// assert_eq!(bonferroni(&[0.01, 0.2]), vec![0.02, 0.4]);
/// ```
pub fn bonferroni(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.iter().filter(|p| !p.is_nan()).count() as f64;
    // `f64::min` would turn NaN into 1.0: keep NaN explicitly.
    p_values
        .iter()
        .map(|&p| if p.is_nan() { p } else { (p * m).min(1.0) })
        .collect()
}

/// Holm's step-down method: uniformly more powerful than Bonferroni, same guarantee.
/// The `k`-th smallest p-value (from 0) becomes `max over i ≤ k of min(1, (m − i)·p₍ᵢ₎)`.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let order = ascending(p_values);
    let m = order.len();
    let mut out = p_values.to_vec();
    let mut running = 0.0f64;
    for (rank, &index) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p_values[index]).min(1.0));
        out[index] = running;
    }
    out
}

/// Benjamini–Hochberg: controls the false discovery rate for independent or positively
/// dependent tests. The `k`-th smallest (from 1) becomes `min over i ≥ k of min(1, m·p₍ᵢ₎/i)`.
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let order = ascending(p_values);
    let m = order.len() as f64;
    let mut out = p_values.to_vec();
    let mut running = 1.0f64;
    for (rank, &index) in order.iter().enumerate().rev() {
        running = running.min(m * p_values[index] / (rank + 1) as f64);
        out[index] = running.min(1.0);
    }
    out
}

/// Indices of the non-NaN p-values in ascending order of p (stable for ties).
fn ascending(p_values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p_values.len())
        .filter(|&i| !p_values[i].is_nan())
        .collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_is_kept_and_not_counted() {
        let p = [0.01, f64::NAN, 0.04];
        let b = bonferroni(&p);
        assert_eq!((b[0], b[2]), (0.02, 0.08));
        assert!(b[1].is_nan() && holm(&p)[1].is_nan() && benjamini_hochberg(&p)[1].is_nan());
        assert!(bonferroni(&[]).is_empty());
    }
}
