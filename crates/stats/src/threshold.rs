//! Alert thresholds from a reference's chunks.

/// The mean ± `multiplier` population standard deviations of `values`, skipping NaN (as
/// NannyML's `StandardDeviationThreshold`, numpy's `nanmean` and `nanstd`); `None` when
/// every value is NaN.
///
/// ```
/// use seismo_stats::threshold::sigma_band;
///
/// assert_eq!(sigma_band(&[1.0, 3.0, f64::NAN], 3.0), Some((-1.0, 5.0)));
/// assert_eq!(sigma_band(&[f64::NAN], 3.0), None);
/// ```
pub fn sigma_band(values: &[f64], multiplier: f64) -> Option<(f64, f64)> {
    let kept = values.iter().filter(|v| !v.is_nan());
    let k = kept.clone().count() as f64;
    if k == 0.0 {
        return None;
    }
    let mean = kept.clone().sum::<f64>() / k;
    let std = (kept.map(|v| (v - mean) * (v - mean)).sum::<f64>() / k).sqrt();
    Some((mean - multiplier * std, mean + multiplier * std))
}
