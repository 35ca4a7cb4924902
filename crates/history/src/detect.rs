//! Change points on a window series: where the level, the slope or the spread of the
//! values moved.
//!
//! Two series are searched, each weighted by its points' own noise so that one penalty
//! serves any unit:
//! - the window means, on a log scale when every mean is positive ([`Scale::Auto`]): the
//!   failures this looks for are often multiplicative (a unit change, a score ×100), and on
//!   a log scale a ×100 jump leaves the noise after it as large as before it. A regular
//!   cycle (hours of the day, days of the week) is taken out first (`season`). Segments
//!   are flat or straight lines (`seismo_stats::changepoint::trend`), so a steady trend is
//!   no change, and a change is a jump in level or a bend in slope;
//! - the log of each window's interquartile range (its standard deviation where an IQR is
//!   0, as with discrete values): spread, robust to the odd outlier row. Only windows of two
//!   or more values have one.
//!
//! The noise of the level series starts from `1.4826 · median |x[i+1] − x[i]| / √2`, which
//! level shifts hardly move, and is then corrected for correlation: the residuals around
//! the fitted segments give the variance and the lag-one autocorrelation ρ of what is left,
//! and the noise variance becomes the long-run variance `σ²(1 + ρ)/(1 − ρ)` (ρ within
//! 0..0.9), never less than the start. The search is repeated with it until the change
//! points stop moving (five rounds at most). Without it, a series whose noise wanders
//! (economic series, prices) reads as a staircase of changes. The penalty is
//! `penalty · ln n` per change point (`n` windows) and `ln n` per slope. Change points of
//! the two series closer than `min_windows` windows are one change.

use seismo_stats::changepoint::pelt_weighted;
use seismo_stats::changepoint::trend::{Break, TrendOptions, residual_noise, trend_changes};

use crate::HistoryError;
use crate::season;
use crate::series::WindowStats;

/// Whether window means are compared on a linear or a log scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Log when every window mean is positive, else linear.
    Auto,
    /// Differences.
    Linear,
    /// Ratios (needs every window mean positive).
    Log,
}

impl std::str::FromStr for Scale {
    type Err = seismo_core::UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "linear" => Ok(Self::Linear),
            "log" => Ok(Self::Log),
            other => Err(seismo_core::UnknownWord::new(
                "scale",
                other,
                "auto, linear, log",
            )),
        }
    }
}

/// How change points are searched.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct DetectOptions {
    /// The scale of the mean series.
    pub scale: Scale,
    /// The penalty per change point, times `ln n`, in units of the noise variance. Larger
    /// finds fewer, larger changes.
    pub penalty: f64,
    /// The fewest windows a segment between change points has.
    pub min_windows: usize,
}

impl Default for DetectOptions {
    fn default() -> Self {
        Self {
            scale: Scale::Auto,
            penalty: 3.0,
            min_windows: 2,
        }
    }
}

/// What moved at a change point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The mean jumped.
    Mean,
    /// A trend bent: the slope changed without a jump.
    Slope,
    /// The spread (variance).
    Variance,
    /// The mean jumped and the spread changed.
    MeanAndVariance,
    /// The slope changed and the spread too.
    SlopeAndVariance,
}

impl ChangeKind {
    /// The kind in words: `mean`, `slope`, `variance`, `mean and variance` or `slope and
    /// variance`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mean => "mean",
            Self::Slope => "slope",
            Self::Variance => "variance",
            Self::MeanAndVariance => "mean and variance",
            Self::SlopeAndVariance => "slope and variance",
        }
    }
}

/// A change found at `window` (an index into the series' windows: the first window after
/// the change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The first window of the new segment.
    pub window: usize,
    /// What moved.
    pub kind: ChangeKind,
}

/// Finds the change points of a window series; also returns the scale the means were
/// compared on (never `Auto`).
///
/// Series of any density: a window of one value (a daily KPI, an exported metric) counts in
/// the level series, with the noise then estimated from the series itself (the robust scale
/// of its first differences); windows of several values weigh their means by their own
/// spread, and single values among them by the median spread. Only windows of two or more
/// values have a spread of their own, so only they make the spread series. Empty windows
/// take no part.
pub fn detect(
    windows: &[WindowStats],
    options: &DetectOptions,
) -> Result<(Vec<Change>, Scale), HistoryError> {
    if !(options.penalty > 0.0 && options.penalty.is_finite()) {
        return Err(HistoryError::Invalid(format!(
            "the penalty must be a positive number, got {}",
            options.penalty
        )));
    }
    let used: Vec<usize> = (0..windows.len())
        // A mean exists for every window with a value.
        .filter(|&i| windows[i].moments.mean().is_some_and(f64::is_finite))
        .collect();
    let means: Vec<f64> = used
        .iter()
        .map(|&i| windows[i].moments.mean().unwrap_or(0.0))
        .collect();
    let counts: Vec<f64> = used
        .iter()
        .map(|&i| windows[i].moments.count as f64)
        .collect();
    let all_positive = means.iter().all(|&m| m > 0.0);
    let scale = match options.scale {
        Scale::Auto if all_positive && !means.is_empty() => Scale::Log,
        Scale::Auto => Scale::Linear,
        Scale::Log if !all_positive => {
            return Err(HistoryError::Invalid(
                "--scale log needs every window mean to be positive".into(),
            ));
        }
        other => other,
    };
    let spreads = spreads(windows, &used);
    // The noise variance of each point (up to the common factor estimated in `changes`).
    let (level, level_noise): (Vec<f64>, Vec<f64>) = match (&spreads, scale) {
        (Some(s), Scale::Log) => means
            .iter()
            .zip(s)
            .zip(&counts)
            .map(|((m, s), n)| (m.ln(), s * s / (n * m * m)))
            .unzip(),
        (Some(s), _) => means
            .iter()
            .zip(s)
            .zip(&counts)
            .map(|((m, s), n)| (*m, s * s / n))
            .unzip(),
        (None, Scale::Log) => means.iter().map(|m| (m.ln(), 1.0)).unzip(),
        (None, _) => means.iter().map(|m| (*m, 1.0)).unzip(),
    };
    // The spread series: windows with a spread of their own (two values or more), by their
    // position among `used`.
    let with_spread: Vec<usize> = (0..used.len()).filter(|&k| counts[k] >= 2.0).collect();
    let (spread, spread_noise): (Vec<f64>, Vec<f64>) = match &spreads {
        Some(s) => with_spread
            .iter()
            .map(|&k| (s[k].ln(), 1.0 / counts[k]))
            .unzip(),
        None => (Vec::new(), Vec::new()),
    };
    let min = options.min_windows.max(1);
    let level = match season::period(&level) {
        Some(period) => season::remove(&level, period),
        None => level,
    };
    let at_level = level_changes(&level, &level_noise, options.penalty, min)?;
    let at_spread: Vec<usize> = changes(&spread, &spread_noise, options.penalty, min)?
        .into_iter()
        .map(|p| with_spread[p])
        .collect();
    // One change where the two series agree within `min` windows; the level's position wins.
    let mut found: Vec<Change> = at_level
        .iter()
        .map(|&(p, bend)| {
            let spread_too = at_spread.iter().any(|&s| s.abs_diff(p) < min);
            Change {
                window: used[p],
                kind: match (bend, spread_too) {
                    (Break::Level, false) => ChangeKind::Mean,
                    (Break::Level, true) => ChangeKind::MeanAndVariance,
                    (Break::Slope, false) => ChangeKind::Slope,
                    (Break::Slope, true) => ChangeKind::SlopeAndVariance,
                },
            }
        })
        .collect();
    for &s in &at_spread {
        if !at_level.iter().any(|&(p, _)| p.abs_diff(s) < min) {
            found.push(Change {
                window: used[s],
                kind: ChangeKind::Variance,
            });
        }
    }
    found.sort_by_key(|c| c.window);
    Ok((found, scale))
}

/// A robust standard deviation per window: its interquartile range / 1.349, or its
/// standard deviation where the IQR is 0 (discrete values). Windows with neither take the
/// median of the others; `None` when no window has a spread (a constant series).
fn spreads(windows: &[WindowStats], used: &[usize]) -> Option<Vec<f64>> {
    let own: Vec<Option<f64>> = used
        .iter()
        .map(|&i| {
            let w = &windows[i];
            let iqr = w
                .quantiles
                .quantiles_at(&[0.25, 0.75])
                .map_or(0.0, |q| q[1] - q[0]);
            [iqr / 1.349, w.moments.std().unwrap_or(0.0)]
                .into_iter()
                .find(|s| *s > 0.0 && s.is_finite())
        })
        .collect();
    let mut known: Vec<f64> = own.iter().flatten().copied().collect();
    if known.is_empty() {
        return None;
    }
    let fallback = median(&mut known);
    Some(own.into_iter().map(|s| s.unwrap_or(fallback)).collect())
}

/// The median (the mean of the middle two of an even count); `values` get sorted.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// The rounds of the noise correction at most.
const NOISE_ROUNDS: usize = 5;
/// The largest lag-one autocorrelation the noise correction believes.
const MAX_AUTOCORRELATION: f64 = 0.9;

/// Jumps and bends in the level series, whose points have noise variances proportional to
/// `noise`: flat-or-straight segments (`trend_changes`), the noise scaled first by the
/// overdispersion of the standardized differences, then by the long-run variance of the
/// residuals until the change points stop moving.
fn level_changes(
    series: &[f64],
    noise: &[f64],
    penalty: f64,
    min: usize,
) -> Result<Vec<(usize, Break)>, HistoryError> {
    let Some(start) = weights_of(series, noise) else {
        return Ok(Vec::new());
    };
    let ln_n = (series.len() as f64).ln();
    let options = TrendOptions::new(penalty * ln_n, ln_n, min);
    // `factor`: the noise variance relative to `start`'s.
    let mut factor = 1.0;
    let mut found = trend_changes(series, &start, &options)?;
    for _ in 0..NOISE_ROUNDS {
        let weights: Vec<f64> = start.iter().map(|w| w / factor).collect();
        let points: Vec<usize> = found.iter().map(|c| c.at).collect();
        let left = residual_noise(series, &weights, &points, options.slope_penalty)?;
        let rho = left.autocorrelation.clamp(0.0, MAX_AUTOCORRELATION);
        let next = (left.variance * factor * (1.0 + rho) / (1.0 - rho)).max(1.0);
        if !next.is_finite() {
            break;
        }
        factor = next;
        let weights: Vec<f64> = start.iter().map(|w| w / factor).collect();
        let again = trend_changes(series, &weights, &options)?;
        if again == found {
            break;
        }
        found = again;
    }
    Ok(found.into_iter().map(|c| (c.at, c.kind)).collect())
}

/// Weights `1 / (noise · φ²)`, with `φ²` the overdispersion estimated from the
/// standardized differences (real windows vary more than sampling alone explains); `None`
/// when the series is too short or has no variation.
fn weights_of(series: &[f64], noise: &[f64]) -> Option<Vec<f64>> {
    if series.len() < 2 {
        return None;
    }
    let steps: Vec<f64> = series
        .windows(2)
        .zip(noise.windows(2))
        .map(|(x, v)| (x[1] - x[0]) / (v[0] + v[1]).sqrt())
        .collect();
    let phi = noise_scale(&steps)?;
    let weights: Vec<f64> = noise.iter().map(|v| 1.0 / (v * phi * phi)).collect();
    weights
        .iter()
        .all(|w| *w > 0.0 && w.is_finite())
        .then_some(weights)
}

/// PELT change points of one series whose points have noise variances proportional to
/// `noise`: weighted by `1 / (noise · φ²)`, with `φ²` the overdispersion estimated from the
/// standardized differences (real windows vary more than sampling alone explains).
fn changes(
    series: &[f64],
    noise: &[f64],
    penalty: f64,
    min: usize,
) -> Result<Vec<usize>, HistoryError> {
    if series.len() < 2 * min {
        return Ok(Vec::new());
    }
    let Some(weights) = weights_of(series, noise) else {
        return Ok(Vec::new());
    };
    let penalty = penalty * (series.len() as f64).ln();
    Ok(pelt_weighted(series, &weights, penalty, min)?)
}

/// `1.4826 · median |d|`: the standard deviation of standardized differences `d` (each
/// already divided by its own noise), hardly moved by the few jumps among them. Falls back
/// to the mean absolute difference when most are 0; `None` when all are.
pub(crate) fn noise_scale(steps: &[f64]) -> Option<f64> {
    let mut sizes: Vec<f64> = steps.iter().map(|d| d.abs()).collect();
    if sizes.is_empty() {
        return None;
    }
    let scale = 1.4826 * median(&mut sizes);
    if scale > 0.0 && scale.is_finite() {
        return Some(scale);
    }
    let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
    (mean > 0.0 && mean.is_finite()).then_some(mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_scale_ignores_a_jump() {
        // Steps of ±1 and one jump of 99.
        let steps: Vec<f64> = (0..99)
            .map(|i| {
                if i == 49 {
                    99.0
                } else if i % 2 == 0 {
                    1.0
                } else {
                    -1.0
                }
            })
            .collect();
        assert!((noise_scale(&steps).unwrap() - 1.4826).abs() < 1e-12);
        assert_eq!(noise_scale(&[0.0; 10]), None);
        // Mostly flat with one step: the mean step stands in.
        let mut step = vec![0.0; 9];
        step[4] = 9.0;
        assert!((noise_scale(&step).unwrap() - 1.0).abs() < 1e-12);
    }
}
