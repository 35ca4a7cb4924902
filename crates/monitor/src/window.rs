//! What the detectors keep of a window: mergeable summaries, so a batch is summarized once
//! (by the request's own task, in parallel with others) and added to its window in O(bins).

use seismo_rules::{ValidateOptions, validate};
use seismo_stats::sketch::QuantileSketch;

use crate::columns::{self, null_mask};
use crate::model::{Model, Task};
use crate::record::Columns;

/// Per feature: nulls, and non-null values per reference bin.
#[derive(Debug, Clone, Default)]
pub struct FeatureCounts {
    /// Null values.
    pub nulls: u64,
    /// Non-null values per bin of the model's `Binning`.
    pub bins: Vec<u64>,
}

/// A window's (or a batch's, or the reference's) summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Records.
    pub count: u64,
    /// Sum of predictions.
    pub sum: f64,
    /// Predictions, for quantiles.
    pub predictions: QuantileSketch,
    /// Per schema feature.
    pub features: Vec<FeatureCounts>,
    /// Records breaking an error-severity `[[column]]` rule.
    pub violations: u64,
    /// CUSUM signals raised while this window's records were fed (set by the writer).
    pub cusum_signals: u64,
    /// Σ of each prediction's expected correctness under the model's CBPE (0 without one):
    /// over `count`, the estimated accuracy.
    pub expected_correct: f64,
}

impl Summary {
    /// Summarizes normalized columns of `model`. Fails only if a rule cannot run.
    pub fn of(batch: &Columns, model: &Model) -> Result<Self, seismo_rules::RuleError> {
        let n = columns::len(batch);
        let mut predictions = QuantileSketch::default();
        predictions.extend(&batch.predictions);
        let features = batch
            .features
            .iter()
            .zip(&model.bins)
            .map(|(column, binning)| {
                let nulls = null_mask(column, n);
                let mut bins = vec![0; binning.bins()];
                binning.count(column, &nulls, &mut bins);
                FeatureCounts {
                    nulls: nulls.iter().filter(|&&null| null).count() as u64,
                    bins,
                }
            })
            .collect();
        let violations = match &model.row_rules {
            Some(rules) => {
                let data = columns::to_dataset(batch, &model.schema);
                // Counts only (no sample rows), on the writer's thread.
                let options = ValidateOptions::new(0, 1);
                validate(rules, &data, None, &options)?.quarantined_rows()
            }
            None => 0,
        };
        let expected_correct = match &model.estimator {
            Some(e) => batch
                .predictions
                .iter()
                .filter(|p| !p.is_nan())
                .map(|p| e.expected_correct(*p))
                .sum(),
            None => 0.0,
        };
        Ok(Self {
            count: n as u64,
            expected_correct,
            sum: batch.predictions.iter().sum(),
            predictions,
            features,
            violations,
            cusum_signals: 0,
        })
    }

    /// Adds another summary of the same model.
    pub fn merge(&mut self, other: &Self) {
        if self.features.is_empty() {
            self.features = other.features.clone();
        } else {
            for (a, b) in self.features.iter_mut().zip(&other.features) {
                a.nulls += b.nulls;
                for (x, y) in a.bins.iter_mut().zip(&b.bins) {
                    *x += y;
                }
            }
        }
        self.count += other.count;
        self.sum += other.sum;
        self.predictions.merge(&other.predictions);
        self.violations += other.violations;
        self.cusum_signals += other.cusum_signals;
        self.expected_correct += other.expected_correct;
    }

    /// The mean prediction.
    pub fn mean(&self) -> f64 {
        self.sum / self.count as f64
    }
}

/// [`Performance`] as stored: labelled, correct, sum of labels, of squared labels, of
/// squared errors.
pub type Sums = (f64, f64, f64, f64, f64);

/// Labelled performance of a window, kept as sums so labels add (and a replaced label
/// subtracts) exactly: accuracy for classifiers, R² for regression.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Performance {
    /// Labelled records.
    pub labelled: f64,
    /// Correct ones (classifiers).
    pub correct: f64,
    /// Sum of labels, of squared labels and of squared errors (regression).
    pub sum_y: f64,
    /// See `sum_y`.
    pub sum_y2: f64,
    /// See `sum_y`.
    pub sse: f64,
}

impl Performance {
    /// Adds (`sign` 1) or removes (`sign` −1) one labelled prediction.
    pub fn add(&mut self, task: Task, prediction: f64, label: f64, sign: f64) {
        self.labelled += sign;
        let correct = match task {
            Task::Binary => (prediction >= 0.5) == (label != 0.0),
            Task::Multiclass => prediction.round() == label,
            Task::Regression => false,
        };
        if correct {
            self.correct += sign;
        }
        self.sum_y += sign * label;
        self.sum_y2 += sign * label * label;
        self.sse += sign * (prediction - label).powi(2);
    }

    /// Accuracy (classifiers) or R² (regression); none without labels, or for R² without
    /// spread in the labels.
    pub fn score(&self, task: Task) -> Option<f64> {
        if self.labelled < 1.0 {
            return None;
        }
        match task {
            Task::Binary | Task::Multiclass => Some(self.correct / self.labelled),
            Task::Regression => {
                let total = self.sum_y2 - self.sum_y * self.sum_y / self.labelled;
                (total > 1e-12 * self.sum_y2.max(1.0)).then(|| 1.0 - self.sse / total)
            }
        }
    }

    /// The sums as stored.
    pub fn to_tuple(self) -> Sums {
        (
            self.labelled,
            self.correct,
            self.sum_y,
            self.sum_y2,
            self.sse,
        )
    }

    /// See [`Performance::to_tuple`].
    pub fn from_tuple(t: Sums) -> Self {
        Self {
            labelled: t.0,
            correct: t.1,
            sum_y: t.2,
            sum_y2: t.3,
            sse: t.4,
        }
    }

    /// Adds another window's sums.
    pub fn merge(&mut self, other: &Self) {
        self.labelled += other.labelled;
        self.correct += other.correct;
        self.sum_y += other.sum_y;
        self.sum_y2 += other.sum_y2;
        self.sse += other.sse;
    }
}
