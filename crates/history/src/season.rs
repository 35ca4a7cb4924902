//! A regular cycle in the window series (hours of the day, days of the week, months of the
//! year), found and taken out before change points are searched, so that a cycle alone is
//! not a change.
//!
//! The period is counted in windows (positions in the series of non-empty windows), and is
//! one of [`PERIODS`]: the cycles of the calendar at the window lengths people use (24
//! hourly windows a day, 7 daily ones a week, 12 monthly values a year, 4 quarters...). A
//! period is taken when the series' first differences correlate with themselves at that lag
//! (at least [`MIN_CORRELATION`]) clearly more than at the lags beside it and at half of it
//! (by [`MIN_PEAK`]): a cycle makes a peak there, while a trend or a slowly changing growth
//! rate correlates at every lag alike. Differences, centred on their median and clipped at
//! five robust standard deviations, so that a level shift or a trend does not count and one
//! jump does not decide. The series must hold four cycles or more.
//!
//! The cycle is then the median, phase by phase, of the series minus its centred moving
//! average over one period (a moving average over a whole cycle has no cycle left in it);
//! the phases are centred to sum to zero and subtracted.

use crate::detect::median;

/// The periods tried, in windows.
pub const PERIODS: [usize; 9] = [4, 7, 8, 12, 24, 48, 52, 96, 168];
/// The least autocorrelation of the differences at the period.
pub const MIN_CORRELATION: f64 = 0.3;
/// How much more than at the lags beside it and at half of it.
pub const MIN_PEAK: f64 = 0.2;

/// The period of the cycle in `series`, if there is one; the strongest of [`PERIODS`].
pub(crate) fn period(series: &[f64]) -> Option<usize> {
    let steps = clipped_steps(series)?;
    let mut best: Option<(usize, f64)> = None;
    for p in PERIODS {
        if series.len() < 4 * p {
            continue;
        }
        let at = autocorrelation(&steps, p);
        let beside = [p - 1, p + 1, p / 2]
            .into_iter()
            .filter(|&lag| lag >= 1)
            .map(|lag| autocorrelation(&steps, lag))
            .fold(f64::NEG_INFINITY, f64::max);
        if at >= MIN_CORRELATION && at - beside >= MIN_PEAK && best.is_none_or(|(_, r)| at > r) {
            best = Some((p, at));
        }
    }
    best.map(|(p, _)| p)
}

/// `series` without its cycle of `period` windows.
pub(crate) fn remove(series: &[f64], period: usize) -> Vec<f64> {
    let n = series.len();
    let half = period / 2;
    let mut by_phase: Vec<Vec<f64>> = vec![Vec::new(); period];
    for i in half..n.saturating_sub(half) {
        let average = if !period.is_multiple_of(2) {
            series[i - half..=i + half].iter().sum::<f64>() / period as f64
        } else {
            // An even period: the centred average over period + 1 values, the two ends
            // half-weighted.
            let inner: f64 = series[i + 1 - half..i + half].iter().sum();
            (inner + 0.5 * (series[i - half] + series[i + half])) / period as f64
        };
        by_phase[i % period].push(series[i] - average);
    }
    let mut phases: Vec<f64> = by_phase
        .iter_mut()
        .map(|values| {
            if values.is_empty() {
                0.0
            } else {
                median(values)
            }
        })
        .collect();
    let mean = phases.iter().sum::<f64>() / period as f64;
    phases.iter_mut().for_each(|p| *p -= mean);
    series
        .iter()
        .enumerate()
        .map(|(i, v)| v - phases[i % period])
        .collect()
}

/// First differences, centred on their median and clipped at ±5 robust standard deviations;
/// `None` when they have no spread.
fn clipped_steps(series: &[f64]) -> Option<Vec<f64>> {
    let mut steps: Vec<f64> = series.windows(2).map(|w| w[1] - w[0]).collect();
    if steps.len() < 2 {
        return None;
    }
    let centre = median(&mut steps.clone());
    steps.iter_mut().for_each(|s| *s -= centre);
    let mut sizes: Vec<f64> = steps.iter().map(|s| s.abs()).collect();
    let scale = 1.4826 * median(&mut sizes);
    if !(scale > 0.0 && scale.is_finite()) {
        return None;
    }
    let limit = 5.0 * scale;
    steps.iter_mut().for_each(|s| *s = s.clamp(-limit, limit));
    Some(steps)
}

fn autocorrelation(steps: &[f64], lag: usize) -> f64 {
    if lag >= steps.len() {
        return 0.0;
    }
    let (a, b) = (&steps[lag..], &steps[..steps.len() - lag]);
    let dot = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>();
    let norm = (dot(a, a) * dot(b, b)).sqrt();
    if norm > 0.0 { dot(a, b) / norm } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` draws of noise uniform in [-0.15, 0.15): no cycle in it.
    fn wobble(n: usize) -> Vec<f64> {
        let mut rng = seismo_stats::random::SplitMix64::new(11);
        (0..n).map(|_| 0.3 * (rng.uniform() - 0.5)).collect()
    }

    #[test]
    fn a_weekly_cycle_on_a_trend_is_found_and_removed() {
        let cycle = [3.0, 1.0, 0.0, -1.0, -2.0, -2.5, 1.5];
        let e = wobble(140);
        let series: Vec<f64> = (0..140)
            .map(|i| 0.05 * i as f64 + cycle[i % 7] + e[i])
            .collect();
        assert_eq!(period(&series), Some(7));
        let flat = remove(&series, 7);
        // What is left is the trend and the wobble.
        for (i, v) in flat.iter().enumerate().skip(7).take(120) {
            assert!((v - 0.05 * i as f64).abs() < 0.5, "{i}: {v}");
        }
    }

    #[test]
    fn a_trend_a_shift_or_noise_is_no_cycle() {
        let e = wobble(200);
        let trend: Vec<f64> = (0..200).map(|i| (i as f64).sqrt() + e[i]).collect();
        assert_eq!(period(&trend), None);
        let shift: Vec<f64> = (0..200)
            .map(|i| if i < 90 { 0.0 } else { 10.0 } + e[i])
            .collect();
        assert_eq!(period(&shift), None);
        assert_eq!(period(&[1.0; 50]), None);
        assert_eq!(period(&[1.0]), None);
    }
}
