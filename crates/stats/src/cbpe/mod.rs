//! Performance without labels: confidence-based performance estimation (CBPE, as NannyML
//! 0.13.1 computes it) for binary classifiers. [`Cbpe`] is fitted on a labelled reference and
//! estimates each chunk of unlabelled rows: the estimate, its sampling-error band, the
//! realized value where labels exist, and an alert below the reference chunks' band.
//!
//! If the model's probabilities are calibrated, a row scored `p` is positive with
//! probability `p`, so a chunk's expected confusion matrix follows from its scores alone:
//! a row predicted positive adds `p` to the true positives and `1 − p` to the false ones, a
//! row predicted negative `p` to the false negatives and `1 − p` to the true ones. Every
//! metric of that matrix is then an estimate, before any label arrives. It holds while the
//! scores stay calibrated and the relationship between features and labels does not change
//! (no concept shift); a shift of the features alone is what it tracks.
//!
//! The scores are calibrated on the reference first ([`Isotonic`], scikit-learn's
//! `IsotonicRegression(out_of_bounds="clip")`, which NannyML uses) when that lowers the
//! expected calibration error on held-out rows ([`needs_calibration`]), or as the caller
//! fixes it ([`Calibration`]).
//!
//! ```
//! use seismo_stats::cbpe::{Expected, Isotonic};
//!
//! let calibration = Isotonic::fit(&[0.1, 0.4, 0.35, 0.8], &[0.0, 0.0, 1.0, 1.0]).unwrap();
//! let calibrated: Vec<f64> = [0.2, 0.9].iter().map(|s| calibration.calibrate(*s)).collect();
//! let expected = Expected::new(&calibrated, &[false, true]);
//! assert!(expected.accuracy() > 0.5);
//! ```

mod calibration;
mod expected;
mod isotonic;
pub(crate) mod metric;
mod multiclass;

pub use calibration::{Calibration, expected_calibration_error, needs_calibration};
pub use expected::{Expected, estimate_roc_auc};
pub use isotonic::Isotonic;
pub use metric::{Metric, SamplingError};
pub use multiclass::{ClassRows, MulticlassCbpe};

use std::ops::Range;

use calibration::{Sorted, fit_calibration};

use crate::error::StatsError;
use crate::threshold::sigma_band;

/// How many sampling errors the band around an estimate spans, and how many standard
/// deviations of the reference chunks the alert thresholds lie from their mean (NannyML's
/// `SAMPLING_ERROR_RANGE` and `StandardDeviationThreshold` defaults).
pub const SIGMAS: f64 = 3.0;

/// The estimate ± [`SIGMAS`] sampling errors, within [0, 1]; NaN stays NaN (`f64::max`
/// would turn it into the bound).
fn band(estimated: f64, sampling_error: f64) -> (f64, f64) {
    if estimated.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    (
        (estimated - SIGMAS * sampling_error).max(0.0),
        (estimated + SIGMAS * sampling_error).min(1.0),
    )
}

/// What [`Cbpe::fit`] needs besides the data.
#[derive(Debug, Clone, PartialEq)]
pub struct CbpeOptions {
    /// A row is predicted positive when its score is at least this.
    pub threshold: f64,
    /// The metrics to estimate.
    pub metrics: Vec<Metric>,
    /// Whether to calibrate the scores on the reference.
    pub calibration: Calibration,
    /// Seeds the held-out splits of [`Calibration::Auto`].
    pub seed: u64,
    /// Threads the held-out splits are fitted on (the result is the same on any count).
    pub threads: usize,
}

impl Default for CbpeOptions {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            metrics: Metric::ALL.to_vec(),
            calibration: Calibration::Auto,
            seed: 42,
            threads: 1,
        }
    }
}

/// One metric as fitted on the reference.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedMetric {
    /// The metric.
    pub metric: Metric,
    /// Its sampling-error components.
    pub sampling: SamplingError,
    /// An estimate below this alerts: the reference chunks' realized mean − 3σ, raised to 0
    /// where it falls below (NaN when no reference chunk had a realized value).
    pub lower_threshold: f64,
    /// The reference chunks' realized mean + 3σ, lowered to 1 where it rises above.
    pub upper_threshold: f64,
    /// The realized value of each reference chunk (NaN where undefined).
    pub reference_chunks: Vec<f64>,
}

impl FittedMetric {
    /// The thresholds from the realized values of the reference's chunks.
    fn new(metric: Metric, sampling: SamplingError, reference_chunks: Vec<f64>) -> Self {
        let (lower, upper) = sigma_band(&reference_chunks, SIGMAS).unwrap_or((f64::NAN, f64::NAN));
        Self {
            metric,
            sampling,
            lower_threshold: if lower <= 0.0 { 0.0 } else { lower },
            upper_threshold: if upper >= 1.0 { 1.0 } else { upper },
            reference_chunks,
        }
    }
}

/// A metric's estimate on one chunk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The metric.
    pub metric: Metric,
    /// The estimate from the chunk's scores.
    pub estimated: f64,
    /// Its sampling error.
    pub sampling_error: f64,
    /// The estimate − 3 sampling errors, at least 0.
    pub lower: f64,
    /// The estimate + 3 sampling errors, at most 1.
    pub upper: f64,
    /// The metric on the chunk's labelled rows; NaN without labels (or where undefined).
    pub realized: f64,
    /// Whether the estimate is below the lower threshold.
    pub alert: bool,
}

/// Confidence-based performance estimation fitted on a labelled reference.
///
/// ```
/// use seismo_stats::cbpe::{Cbpe, CbpeOptions, Calibration};
///
/// let scores: Vec<f64> = (0..200).map(|i| (i as f64 + 0.5) / 200.0).collect();
/// let labels: Vec<f64> = (0..200).map(|i| f64::from(i % 4 != 0 && i >= 80)).collect();
/// let chunks: Vec<_> = (0..4).map(|k| k * 50..(k + 1) * 50).collect();
/// let options = CbpeOptions { calibration: Calibration::Never, ..CbpeOptions::default() };
/// let cbpe = Cbpe::fit(&scores, &labels, &chunks, &options).unwrap();
/// // Scores crowded at the decision threshold: a coin flip each.
/// let current = vec![0.5; 100];
/// let accuracy = cbpe.estimate(&current, None)[1];
/// assert_eq!(accuracy.estimated, 0.5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Cbpe {
    threshold: f64,
    calibration: Option<Isotonic>,
    metrics: Vec<FittedMetric>,
}

impl Cbpe {
    /// Fits on the reference's `scores` and 0/1 `labels` (no NaN in either; callers drop
    /// unlabelled rows first): the calibration, each metric's sampling-error components, and
    /// its thresholds from the realized values of the reference's `chunks`.
    pub fn fit(
        scores: &[f64],
        labels: &[f64],
        chunks: &[Range<usize>],
        options: &CbpeOptions,
    ) -> Result<Self, StatsError> {
        let invalid = |message: String| Err(StatsError::InvalidArgument(message));
        if scores.len() != labels.len() {
            return invalid(format!(
                "{} scores but {} labels",
                scores.len(),
                labels.len()
            ));
        }
        if scores.is_empty() {
            return Err(StatsError::not_enough("cbpe", 1, 0, 0));
        }
        if let Some(i) = scores.iter().position(|s| s.is_nan()) {
            return invalid(format!("reference row {i} has no score"));
        }
        if let Some(i) = labels.iter().position(|l| *l != 0.0 && *l != 1.0) {
            return invalid(format!(
                "reference row {i}: label {} is not 0 or 1",
                labels[i]
            ));
        }
        if !options.threshold.is_finite() {
            return invalid(format!("threshold {} is not a number", options.threshold));
        }
        if let Some(c) = chunks
            .iter()
            .find(|c| c.end > scores.len() || c.start >= c.end)
        {
            return invalid(format!(
                "reference chunk {c:?} is empty or outside {} rows",
                scores.len()
            ));
        }
        let truth: Vec<bool> = labels.iter().map(|l| *l == 1.0).collect();
        let predicted: Vec<bool> = scores.iter().map(|s| *s >= options.threshold).collect();
        // Sorted once, for the calibration and ROC AUC's sampling error.
        let sorted = (options.calibration != Calibration::Never
            || options.metrics.contains(&Metric::RocAuc))
        .then(|| Sorted::new(scores, &truth));
        let calibration = sorted.as_ref().and_then(|sorted| {
            fit_calibration(
                sorted,
                options.calibration,
                options.seed,
                options.threads.max(1),
            )
        });
        let metrics = options
            .metrics
            .iter()
            .map(|&metric| {
                let reference_chunks: Vec<f64> = chunks
                    .iter()
                    .map(|c| {
                        let r = c.clone();
                        metric.realized(&scores[r.clone()], &truth[r.clone()], &predicted[r])
                    })
                    .collect();
                let sampling = match &sorted {
                    Some(sorted) => {
                        SamplingError::fit_sorted(metric, scores, &truth, &predicted, &sorted.rows)
                    }
                    None => SamplingError::fit(metric, scores, &truth, &predicted),
                };
                FittedMetric::new(metric, sampling, reference_chunks)
            })
            .collect();
        Ok(Self {
            threshold: options.threshold,
            calibration,
            metrics,
        })
    }

    /// Whether the scores are calibrated before estimating.
    pub fn calibrated(&self) -> bool {
        self.calibration.is_some()
    }

    /// The metrics as fitted.
    pub fn metrics(&self) -> &[FittedMetric] {
        &self.metrics
    }

    /// The decision threshold.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// A score as the probability CBPE takes it for.
    pub fn calibrate(&self, score: f64) -> f64 {
        match &self.calibration {
            Some(c) => c.calibrate(score),
            None => score,
        }
    }

    /// Every fitted metric's estimate on one chunk's `scores`, with its realized value where
    /// `labels` (0, 1, or NaN for not yet labelled) are given. Rows without a score are left
    /// out, as NannyML drops them.
    pub fn estimate(&self, scores: &[f64], labels: Option<&[f64]>) -> Vec<Estimate> {
        let rows: Vec<usize> = (0..scores.len()).filter(|&i| !scores[i].is_nan()).collect();
        let raw: Vec<f64> = rows.iter().map(|&i| scores[i]).collect();
        let calibrated: Vec<f64> = raw.iter().map(|s| self.calibrate(*s)).collect();
        let predicted: Vec<bool> = raw.iter().map(|s| *s >= self.threshold).collect();
        // The labelled rows: raw score, label, decision.
        let (mut l_scores, mut l_truth, mut l_predicted) = (Vec::new(), Vec::new(), Vec::new());
        if let Some(labels) = labels {
            for (k, &i) in rows.iter().enumerate() {
                if let Some(&l) = labels.get(i).filter(|l| !l.is_nan()) {
                    l_scores.push(raw[k]);
                    l_truth.push(l == 1.0);
                    l_predicted.push(predicted[k]);
                }
            }
        }
        self.metrics
            .iter()
            .map(|fit| {
                let estimated = fit.metric.estimate(&calibrated, &raw, &predicted);
                let sampling_error = fit.sampling.of_chunk(raw.len());
                Estimate {
                    metric: fit.metric,
                    estimated,
                    sampling_error,
                    lower: band(estimated, sampling_error).0,
                    upper: band(estimated, sampling_error).1,
                    realized: fit.metric.realized(&l_scores, &l_truth, &l_predicted),
                    alert: estimated < fit.lower_threshold,
                }
            })
            .collect()
    }
}
