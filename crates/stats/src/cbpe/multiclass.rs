//! CBPE for multiclass classifiers, as NannyML 0.13.1 computes it: each class calibrated
//! one against the rest, the calibrated probabilities of a row scaled to sum to 1, every
//! metric the macro average of its one-against-the-rest estimates (accuracy: the mean
//! calibrated probability of the predicted class).

use std::ops::Range;

use super::calibration::{Calibration, Sorted, fit_calibration};
use super::isotonic::Isotonic;
use super::metric::{Metric, SamplingError, roc_auc};
use super::{CbpeOptions, Estimate, FittedMetric, band};
use crate::error::StatsError;

/// Rows of a multiclass model: per class its probability column, and per row the class
/// the model predicted (an index into the columns).
#[derive(Debug, Clone, Copy)]
pub struct ClassRows<'a> {
    /// One column per class, every column as long as `predicted`.
    pub probabilities: &'a [Vec<f64>],
    /// The predicted class of each row.
    pub predicted: &'a [usize],
}

impl ClassRows<'_> {
    fn len(&self) -> usize {
        self.predicted.len()
    }

    fn classes(&self) -> usize {
        self.probabilities.len()
    }

    /// The rows in `range`.
    fn slice(&self, range: Range<usize>) -> (Vec<Vec<f64>>, &[usize]) {
        let columns = self
            .probabilities
            .iter()
            .map(|c| c[range.clone()].to_vec())
            .collect();
        (columns, &self.predicted[range])
    }
}

/// Multiclass CBPE fitted on a labelled reference.
#[derive(Debug, Clone, PartialEq)]
pub struct MulticlassCbpe {
    calibrations: Vec<Option<Isotonic>>,
    /// Per metric, its fit; the sampling components per class are in `class_sampling`.
    metrics: Vec<FittedMetric>,
    class_sampling: Vec<Vec<SamplingError>>,
    accuracy_std: f64,
}

impl MulticlassCbpe {
    /// Fits on the reference's rows and labels (class indexes; every class must occur):
    /// each class's calibration (decided one against the rest), each metric's
    /// sampling-error components per class, and its thresholds from the realized values of
    /// the reference's `chunks`. `options.threshold` is not used: the model's predicted
    /// class is given.
    pub fn fit(
        rows: ClassRows<'_>,
        labels: &[usize],
        chunks: &[Range<usize>],
        options: &CbpeOptions,
    ) -> Result<Self, StatsError> {
        let k = rows.classes();
        let invalid = |m: String| Err(StatsError::InvalidArgument(m));
        if k < 2 {
            return invalid(format!(
                "a multiclass model needs two classes or more, not {k}"
            ));
        }
        if rows.probabilities.iter().any(|c| c.len() != rows.len()) || labels.len() != rows.len() {
            return invalid(
                "every class column, the predictions and the labels need one length".into(),
            );
        }
        if rows.len() == 0 {
            return Err(StatsError::not_enough("cbpe", 1, 0, 0));
        }
        if let Some(i) = (0..rows.len()).find(|&i| labels[i] >= k || rows.predicted[i] >= k) {
            return invalid(format!(
                "reference row {i}: a class outside the {k} classes"
            ));
        }
        if let Some(c) = (0..k).find(|c| !labels.contains(c)) {
            return invalid(format!(
                "class {c} never occurs among the reference's labels"
            ));
        }
        if rows.probabilities.iter().flatten().any(|p| p.is_nan()) {
            return invalid("a reference row has no probability".into());
        }
        let mut calibrations = Vec::with_capacity(k);
        let mut class_sampling = vec![Vec::new(); options.metrics.len()];
        for c in 0..k {
            let scores = &rows.probabilities[c];
            let truth: Vec<bool> = labels.iter().map(|l| *l == c).collect();
            let predicted: Vec<bool> = rows.predicted.iter().map(|p| *p == c).collect();
            calibrations.push(if options.calibration == Calibration::Never {
                None
            } else {
                fit_calibration(
                    &Sorted::new(scores, &truth),
                    options.calibration,
                    options.seed,
                    options.threads.max(1),
                )
            });
            for (m, metric) in options.metrics.iter().enumerate() {
                class_sampling[m].push(SamplingError::one_vs_rest(
                    *metric, scores, &truth, &predicted,
                ));
            }
        }
        let correct = (0..rows.len())
            .filter(|&i| rows.predicted[i] == labels[i])
            .count() as f64
            / rows.len() as f64;
        let labelled: Vec<Option<usize>> = labels.iter().copied().map(Some).collect();
        let metrics = options
            .metrics
            .iter()
            .map(|&metric| {
                let reference_chunks: Vec<f64> = chunks
                    .iter()
                    .map(|r| {
                        let (columns, predicted) = rows.slice(r.clone());
                        realized(metric, &columns, predicted, &labelled[r.clone()])
                    })
                    .collect();
                // The multiclass sampling error combines the classes' components
                // (`class_sampling`), not one pair.
                let none = SamplingError {
                    std: f64::NAN,
                    share: f64::NAN,
                };
                FittedMetric::new(metric, none, reference_chunks)
            })
            .collect();
        Ok(Self {
            calibrations,
            metrics,
            class_sampling,
            accuracy_std: (correct * (1.0 - correct)).sqrt(),
        })
    }

    /// Whether each class's scores are calibrated before estimating.
    pub fn calibrated(&self) -> Vec<bool> {
        self.calibrations.iter().map(Option::is_some).collect()
    }

    /// The metrics as fitted (their `sampling` is NaN: see [`MulticlassCbpe::estimate`]).
    pub fn metrics(&self) -> &[FittedMetric] {
        &self.metrics
    }

    /// Every metric's estimate on one chunk, with its realized value where `labels` are
    /// given (`None`: not yet labelled). Rows with a missing probability are left out.
    pub fn estimate(&self, rows: ClassRows<'_>, labels: Option<&[Option<usize>]>) -> Vec<Estimate> {
        let k = self.calibrations.len();
        let kept: Vec<usize> = (0..rows.len())
            .filter(|&i| rows.probabilities.iter().all(|c| !c[i].is_nan()))
            .collect();
        let n = kept.len();
        let raw: Vec<Vec<f64>> = rows
            .probabilities
            .iter()
            .map(|c| kept.iter().map(|&i| c[i]).collect())
            .collect();
        let predicted: Vec<usize> = kept.iter().map(|&i| rows.predicted[i]).collect();
        // Calibrated per class, then each row scaled to sum to 1 (uniform where all are 0).
        let mut calibrated: Vec<Vec<f64>> = raw
            .iter()
            .zip(&self.calibrations)
            .map(|(column, calibration)| match calibration {
                Some(c) => column.iter().map(|s| c.calibrate(*s)).collect(),
                None => column.clone(),
            })
            .collect();
        for i in 0..n {
            let total: f64 = calibrated.iter().map(|c| c[i]).sum();
            for column in &mut calibrated {
                column[i] = if total != 0.0 {
                    column[i] / total
                } else {
                    1.0 / k as f64
                };
            }
        }
        let labels: Vec<Option<usize>> = match labels {
            Some(l) => kept.iter().map(|&i| l.get(i).copied().flatten()).collect(),
            None => vec![None; n],
        };
        self.metrics
            .iter()
            .zip(&self.class_sampling)
            .map(|(fit, sampling)| {
                let estimated = if n == 0 {
                    f64::NAN
                } else if fit.metric == Metric::Accuracy {
                    (0..n).map(|i| calibrated[predicted[i]][i]).sum::<f64>() / n as f64
                } else {
                    let per_class: Vec<f64> = (0..k)
                        .map(|c| {
                            let decided: Vec<bool> = predicted.iter().map(|p| *p == c).collect();
                            fit.metric.estimate(&calibrated[c], &raw[c], &decided)
                        })
                        .collect();
                    per_class.iter().sum::<f64>() / k as f64
                };
                let sampling_error = if fit.metric == Metric::Accuracy {
                    self.accuracy_std / (n as f64).sqrt()
                } else {
                    let variances: f64 = sampling
                        .iter()
                        .map(|s| s.std * s.std / (n as f64 * s.share))
                        .sum();
                    let factor = if fit.metric == Metric::RocAuc {
                        1.2
                    } else {
                        1.0
                    };
                    variances.sqrt() / k as f64 * factor
                };
                let (lower, upper) = band(estimated, sampling_error);
                Estimate {
                    metric: fit.metric,
                    estimated,
                    sampling_error,
                    lower,
                    upper,
                    realized: realized(fit.metric, &raw, &predicted, &labels),
                    alert: estimated < fit.lower_threshold,
                }
            })
            .collect()
    }
}

/// A metric on the labelled rows, macro-averaged over the classes as scikit-learn with
/// `labels=` all classes; NaN where NannyML's is: ROC AUC unless every class occurs among
/// the labels; precision, recall, F1 and specificity with one class of labels or of
/// predictions; any metric without labelled rows.
fn realized(
    metric: Metric,
    probabilities: &[Vec<f64>],
    predicted: &[usize],
    labels: &[Option<usize>],
) -> f64 {
    let k = probabilities.len();
    let rows: Vec<usize> = (0..predicted.len())
        .filter(|&i| labels[i].is_some())
        .collect();
    if rows.is_empty() {
        return f64::NAN;
    }
    let truth: Vec<usize> = rows.iter().map(|&i| labels[i].expect("kept")).collect();
    let decided: Vec<usize> = rows.iter().map(|&i| predicted[i]).collect();
    let distinct = |v: &[usize]| {
        let mut seen = vec![false; k];
        v.iter().for_each(|c| seen[*c] = true);
        seen.iter().filter(|s| **s).count()
    };
    let mean = |per_class: Vec<f64>| per_class.iter().sum::<f64>() / k as f64;
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    match metric {
        Metric::Accuracy => {
            let right = truth.iter().zip(&decided).filter(|(t, d)| t == d).count();
            right as f64 / rows.len() as f64
        }
        Metric::RocAuc => {
            if distinct(&truth) < k {
                return f64::NAN;
            }
            mean(
                (0..k)
                    .map(|c| {
                        let scores: Vec<f64> = rows.iter().map(|&i| probabilities[c][i]).collect();
                        let is_c: Vec<bool> = truth.iter().map(|t| *t == c).collect();
                        roc_auc(&scores, &is_c)
                    })
                    .collect(),
            )
        }
        _ if distinct(&truth) <= 1 || distinct(&decided) <= 1 => f64::NAN,
        _ => mean(
            (0..k)
                .map(|c| {
                    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
                    for (t, d) in truth.iter().zip(&decided) {
                        match (*t == c, *d == c) {
                            (true, true) => tp += 1,
                            (false, true) => fp += 1,
                            (true, false) => fn_ += 1,
                            (false, false) => tn += 1,
                        }
                    }
                    match metric {
                        Metric::Precision => ratio(tp, tp + fp),
                        Metric::Recall => ratio(tp, tp + fn_),
                        Metric::F1 => ratio(2 * tp, 2 * tp + fp + fn_),
                        // NaN for a class with no negatives makes the mean NaN, as numpy's.
                        _ if tn + fp == 0 => f64::NAN,
                        _ => ratio(tn, tn + fp),
                    }
                })
                .collect(),
        ),
    }
}
