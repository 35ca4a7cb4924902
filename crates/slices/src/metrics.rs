//! Model metrics over a set of rows, each equal to scikit-learn's (fairlearn's for the
//! fairness measures, in `fairness.rs`).
//!
//! A set of rows is a list of row indices into the predictions; an index may repeat (a
//! bootstrap resample counts a row as often as it was drawn). Ranking metrics (ROC AUC,
//! average precision) walk the rows in score order: the order of all rows is sorted once
//! ([`Predictions::new`]), and a set of rows is put in that order by its rows' positions.
//!
//! A metric that is not defined on a set of rows (ROC AUC with one class present, anything
//! on no rows) is an [`Undefined`] with the reason, never a made-up number.

use std::fmt;
use std::str::FromStr;

/// The kind of model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Two classes; the prediction is the probability of the positive one.
    Binary,
    /// Several classes; the prediction is a class, or one probability per class.
    Multiclass,
    /// A number.
    Regression,
}

/// A metric a test can judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Share of correct predictions.
    Accuracy,
    /// tp / (tp + fp); 0 when nothing is predicted positive (sklearn's `zero_division=0`).
    Precision,
    /// tp / (tp + fn); 0 without positives.
    Recall,
    /// The harmonic mean of precision and recall; 0 when both are 0.
    F1,
    /// Area under the ROC curve, ties counted half (sklearn's `roc_auc_score`).
    RocAuc,
    /// sklearn's `average_precision_score`: Σ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds.
    AveragePrecision,
    /// Cross-entropy, probabilities clipped to [ε, 1 − ε] with ε the `f64` machine epsilon.
    LogLoss,
    /// Mean squared difference of probability and outcome.
    Brier,
    /// Expected calibration error: 10 equal-width probability bins, Σ (nᵦ/n)·|mean outcome −
    /// mean probability|.
    Ece,
    /// Share of rows predicted positive (the selection rate).
    PositiveRate,
    /// Recall by another name, for fairness (true positive rate).
    TruePositiveRate,
    /// fp / (fp + tn).
    FalsePositiveRate,
    /// Multiclass F1, unweighted mean over classes.
    F1Macro,
    /// Multiclass F1 from global counts (equals accuracy for single-label data).
    F1Micro,
    /// Multiclass F1, mean over classes weighted by their support.
    F1Weighted,
    /// Mean absolute error.
    Mae,
    /// Root mean squared error.
    Rmse,
    /// Mean absolute percentage error, as a share: |y − ŷ| / max(|y|, ε) (sklearn's).
    Mape,
    /// Coefficient of determination (sklearn's `r2_score`, 1 or 0 for a constant target).
    R2,
    /// Mean of ŷ − y: the bias.
    MeanError,
    /// A quantile of |y − ŷ| (numpy's linear interpolation) at its rank (a test's `q`,
    /// 0.9 unless given).
    AbsErrorQuantile(Rank),
}

/// The rank of a quantile metric, in [0, 1]. Compared and hashed by its bits, so a metric
/// with its parameter is a key.
#[derive(Debug, Clone, Copy)]
pub struct Rank(f64);

impl Rank {
    /// The rank a quantile metric has when a test gives none.
    pub const DEFAULT: Self = Self(0.9);

    /// `q` as a rank; `None` outside [0, 1] (or NaN).
    pub fn new(q: f64) -> Option<Self> {
        (0.0..=1.0).contains(&q).then_some(Self(q))
    }

    /// The rank as a number.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl PartialEq for Rank {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Rank {}

impl std::hash::Hash for Rank {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// The metrics and their names, in one table.
const NAMES: [(Metric, &str); 21] = [
    (Metric::Accuracy, "accuracy"),
    (Metric::Precision, "precision"),
    (Metric::Recall, "recall"),
    (Metric::F1, "f1"),
    (Metric::RocAuc, "roc_auc"),
    (Metric::AveragePrecision, "average_precision"),
    (Metric::LogLoss, "log_loss"),
    (Metric::Brier, "brier"),
    (Metric::Ece, "ece"),
    (Metric::PositiveRate, "positive_rate"),
    (Metric::TruePositiveRate, "true_positive_rate"),
    (Metric::FalsePositiveRate, "false_positive_rate"),
    (Metric::F1Macro, "f1_macro"),
    (Metric::F1Micro, "f1_micro"),
    (Metric::F1Weighted, "f1_weighted"),
    (Metric::Mae, "mae"),
    (Metric::Rmse, "rmse"),
    (Metric::Mape, "mape"),
    (Metric::R2, "r2"),
    (Metric::MeanError, "mean_error"),
    (
        Metric::AbsErrorQuantile(Rank::DEFAULT),
        "abs_error_quantile",
    ),
];

impl Metric {
    /// The name used in suite files and reports.
    pub fn as_str(self) -> &'static str {
        let unparameterized = match self {
            Self::AbsErrorQuantile(_) => Self::AbsErrorQuantile(Rank::DEFAULT),
            other => other,
        };
        NAMES
            .iter()
            .find(|(m, _)| *m == unparameterized)
            .map_or("?", |(_, n)| n)
    }

    /// The metric with the rank `q` if it is a quantile metric (others have no parameter).
    pub fn at_rank(self, q: Rank) -> Self {
        match self {
            Self::AbsErrorQuantile(_) => Self::AbsErrorQuantile(q),
            other => other,
        }
    }

    /// Whether larger is better (`Some(true)`), smaller is (`Some(false)`), or neither.
    pub fn higher_is_better(self) -> Option<bool> {
        use Metric::*;
        match self {
            Accuracy | Precision | Recall | F1 | RocAuc | AveragePrecision | TruePositiveRate
            | F1Macro | F1Micro | F1Weighted | R2 => Some(true),
            LogLoss | Brier | Ece | FalsePositiveRate | Mae | Rmse | Mape | AbsErrorQuantile(_) => {
                Some(false)
            }
            PositiveRate | MeanError => None,
        }
    }

    /// Whether the metric applies to a task.
    pub fn fits(self, task: Task) -> bool {
        use Metric::*;
        match task {
            Task::Binary => matches!(
                self,
                Accuracy
                    | Precision
                    | Recall
                    | F1
                    | RocAuc
                    | AveragePrecision
                    | LogLoss
                    | Brier
                    | Ece
                    | PositiveRate
                    | TruePositiveRate
                    | FalsePositiveRate
            ),
            Task::Multiclass => matches!(self, Accuracy | F1Macro | F1Micro | F1Weighted | LogLoss),
            Task::Regression => {
                matches!(
                    self,
                    Mae | Rmse | Mape | R2 | MeanError | AbsErrorQuantile(_)
                )
            }
        }
    }

    /// The names of the metrics of a task, for messages.
    pub fn names_for(task: Task) -> Vec<&'static str> {
        NAMES
            .iter()
            .filter(|(m, _)| m.fits(task))
            .map(|(_, n)| *n)
            .collect()
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Metric {
    type Err = seismo_core::UnknownWord;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NAMES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(m, _)| *m)
            .ok_or_else(|| {
                let names: Vec<&str> = NAMES.iter().map(|(_, n)| *n).collect();
                seismo_core::UnknownWord::new("metric", s, names.join(", "))
            })
    }
}

/// Why a metric has no value on a set of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undefined(pub String);

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn undefined(why: &str) -> Undefined {
    Undefined(why.to_owned())
}

/// One model's predictions with the truth, row by row.
#[derive(Debug, Clone)]
pub struct Predictions {
    task: Task,
    /// Binary: 0 or 1. Regression: the target. Multiclass: the class index.
    truth: Vec<f64>,
    /// Binary: the probability of class 1. Regression: the prediction. Multiclass: the
    /// predicted class index.
    predicted: Vec<f64>,
    /// Multiclass: one probability per class per row (row-major), when given.
    probabilities: Option<Vec<f64>>,
    classes: usize,
    /// Binary: each row's position in descending score order.
    position: Vec<u32>,
    /// Binary: the rows in descending score order.
    order: Vec<u32>,
    /// Binary: each row's cell of the confusion matrix (`CELL_*`).
    cell: Vec<u8>,
    /// Binary: each row's log loss.
    log_loss: Vec<f64>,
}

const CELL_TN: u8 = 0;
const CELL_FN: u8 = 1;
const CELL_FP: u8 = 2;
const CELL_TP: u8 = 3;

impl Predictions {
    /// Binary predictions: `truth` is 0 or 1, `score` the probability of 1; a row is
    /// predicted positive when its score ≥ `threshold`.
    pub fn binary(truth: Vec<f64>, score: Vec<f64>, threshold: f64) -> Self {
        let mut order: Vec<u32> = (0..score.len() as u32).collect();
        // Descending by score, stable: ties keep row order (their order does not matter).
        order.sort_by(|&a, &b| score[b as usize].total_cmp(&score[a as usize]));
        let mut position = vec![0u32; score.len()];
        for (p, &row) in order.iter().enumerate() {
            position[row as usize] = p as u32;
        }
        // Per-row quantities every slice sums: computed once, not once per slice.
        let cell = truth
            .iter()
            .zip(&score)
            .map(|(&y, &p)| u8::from(y == 1.0) | (u8::from(p >= threshold) << 1))
            .collect();
        let eps = f64::EPSILON;
        let log_loss = truth
            .iter()
            .zip(&score)
            .map(|(&y, &p)| {
                let p = p.clamp(eps, 1.0 - eps);
                -(if y == 1.0 { p.ln() } else { (1.0 - p).ln() })
            })
            .collect();
        Self {
            task: Task::Binary,
            truth,
            predicted: score,
            probabilities: None,
            classes: 2,
            position,
            order,
            cell,
            log_loss,
        }
    }

    /// Regression predictions.
    pub fn regression(truth: Vec<f64>, predicted: Vec<f64>) -> Self {
        Self {
            task: Task::Regression,
            truth,
            predicted,
            probabilities: None,
            classes: 0,
            position: Vec::new(),
            order: Vec::new(),
            cell: Vec::new(),
            log_loss: Vec::new(),
        }
    }

    /// Multiclass predictions: class indices in `0..classes`, and optionally the
    /// probabilities (row-major, `classes` per row) for log loss.
    pub fn multiclass(
        truth: Vec<u32>,
        predicted: Vec<u32>,
        classes: usize,
        probabilities: Option<Vec<f64>>,
    ) -> Self {
        Self {
            task: Task::Multiclass,
            truth: truth.into_iter().map(f64::from).collect(),
            predicted: predicted.into_iter().map(f64::from).collect(),
            probabilities,
            classes,
            position: Vec::new(),
            order: Vec::new(),
            cell: Vec::new(),
            log_loss: Vec::new(),
        }
    }

    /// How `other`'s predictions of the same rows differ from these on `rows`: how many
    /// decisions change (binary: which side of the threshold; multiclass: the class;
    /// regressors make no decision) and the mean |Δ| of the prediction (binary: the
    /// probability; regression: the value; multiclass: none).
    pub fn churn(&self, other: &Predictions, rows: &[u32]) -> (Option<u64>, Option<f64>) {
        let changed = match self.task {
            Task::Binary => Some(
                rows.iter()
                    .filter(|r| (self.cell[**r as usize] ^ other.cell[**r as usize]) & 2 != 0)
                    .count() as u64,
            ),
            Task::Multiclass => Some(
                rows.iter()
                    .filter(|r| self.predicted[**r as usize] != other.predicted[**r as usize])
                    .count() as u64,
            ),
            Task::Regression => None,
        };
        let mean = match self.task {
            Task::Multiclass => None,
            _ if rows.is_empty() => None,
            _ => Some(
                rows.iter()
                    .map(|r| (self.predicted[*r as usize] - other.predicted[*r as usize]).abs())
                    .sum::<f64>()
                    / rows.len() as f64,
            ),
        };
        (changed, mean)
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.truth.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.truth.is_empty()
    }

    /// The task.
    pub fn task(&self) -> Task {
        self.task
    }

    /// The metric on the rows `rows` (indices, repeats allowed).
    pub fn metric(&self, metric: Metric, rows: &[u32]) -> Result<f64, Undefined> {
        if rows.is_empty() {
            return Err(undefined("no rows"));
        }
        if !metric.fits(self.task) {
            return Err(Undefined(format!("{metric} does not apply to this task")));
        }
        match self.task {
            Task::Binary => self.binary_metric(metric, rows),
            Task::Multiclass => self.multiclass_metric(metric, rows),
            Task::Regression => self.regression_metric(metric, rows),
        }
    }

    fn counts(&self, rows: &[u32]) -> Confusion {
        let mut cells = [0u64; 4];
        for &r in rows {
            cells[self.cell[r as usize] as usize] += 1;
        }
        Confusion {
            tp: cells[CELL_TP as usize],
            fp: cells[CELL_FP as usize],
            fn_: cells[CELL_FN as usize],
            tn: cells[CELL_TN as usize],
        }
    }

    fn binary_metric(&self, metric: Metric, rows: &[u32]) -> Result<f64, Undefined> {
        let n = rows.len() as f64;
        let c = self.counts(rows);
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        Ok(match metric {
            Metric::Accuracy => (c.tp + c.tn) as f64 / n,
            Metric::Precision => ratio(c.tp, c.tp + c.fp),
            Metric::Recall | Metric::TruePositiveRate => ratio(c.tp, c.tp + c.fn_),
            Metric::FalsePositiveRate => ratio(c.fp, c.fp + c.tn),
            Metric::F1 => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn_),
            Metric::PositiveRate => (c.tp + c.fp) as f64 / n,
            Metric::Brier => {
                rows.iter()
                    .map(|&r| (self.predicted[r as usize] - self.truth[r as usize]).powi(2))
                    .sum::<f64>()
                    / n
            }
            Metric::LogLoss => rows.iter().map(|&r| self.log_loss[r as usize]).sum::<f64>() / n,
            Metric::Ece => {
                let mut bins = [(0.0f64, 0.0f64, 0u64); 10];
                for &r in rows {
                    let p = self.predicted[r as usize];
                    let b = ((p * 10.0).floor() as usize).min(9);
                    bins[b].0 += p;
                    bins[b].1 += self.truth[r as usize];
                    bins[b].2 += 1;
                }
                bins.iter()
                    .filter(|b| b.2 > 0)
                    .map(|(p, y, k)| (*k as f64 / n) * ((y - p) / *k as f64).abs())
                    .sum()
            }
            Metric::RocAuc => {
                let positives = c.tp + c.fn_;
                if positives == 0 || positives as usize == rows.len() {
                    return Err(undefined(
                        "only one class among the rows: ROC AUC needs both",
                    ));
                }
                self.roc_auc(&self.ranked(rows), positives)
            }
            Metric::AveragePrecision => {
                let positives = c.tp + c.fn_;
                if positives == 0 {
                    return Err(undefined("no positive rows: average precision needs one"));
                }
                self.average_precision(&self.ranked(rows), positives)
            }
            _ => unreachable!("checked by fits"),
        })
    }

    /// The rows in descending score order.
    fn ranked(&self, rows: &[u32]) -> Vec<u32> {
        let distinct_sorted = rows.windows(2).all(|w| w[0] < w[1]);
        if rows.len() * 8 > self.len() && distinct_sorted {
            // A large slice: mark its rows, then walk the global order.
            let mut member = vec![0u64; self.len().div_ceil(64)];
            for &r in rows {
                member[r as usize / 64] |= 1 << (r % 64);
            }
            self.order
                .iter()
                .copied()
                .filter(|&r| member[r as usize / 64] & (1 << (r % 64)) != 0)
                .collect()
        } else if rows.len() * 8 > self.len() {
            // A large resample: count each row's copies, then walk the global order.
            let mut copies = vec![0u32; self.len()];
            for &r in rows {
                copies[r as usize] += 1;
            }
            let mut ranked = Vec::with_capacity(rows.len());
            for &r in &self.order {
                for _ in 0..copies[r as usize] {
                    ranked.push(r);
                }
            }
            ranked
        } else {
            let mut ranked = rows.to_vec();
            ranked.sort_unstable_by_key(|&r| self.position[r as usize]);
            ranked
        }
    }

    /// Groups of equal scores, in descending order: (positives, negatives) per group.
    fn tie_groups<'a>(&'a self, ranked: &'a [u32]) -> impl Iterator<Item = (u64, u64)> + 'a {
        let mut i = 0;
        std::iter::from_fn(move || {
            if i >= ranked.len() {
                return None;
            }
            let score = self.predicted[ranked[i] as usize];
            let (mut pos, mut neg) = (0u64, 0u64);
            while i < ranked.len() && self.predicted[ranked[i] as usize] == score {
                if self.truth[ranked[i] as usize] == 1.0 {
                    pos += 1;
                } else {
                    neg += 1;
                }
                i += 1;
            }
            Some((pos, neg))
        })
    }

    fn roc_auc(&self, ranked: &[u32], positives: u64) -> f64 {
        let negatives = ranked.len() as u64 - positives;
        // Pairs (positive, negative) with the positive ranked higher, ties counted half.
        let (mut above, mut pairs) = (0u64, 0.0f64);
        for (pos, neg) in self.tie_groups(ranked) {
            pairs += pos as f64 * (negatives - above - neg) as f64 + 0.5 * (pos * neg) as f64;
            above += neg;
        }
        pairs / (positives as f64 * negatives as f64)
    }

    fn average_precision(&self, ranked: &[u32], positives: u64) -> f64 {
        let (mut tp, mut seen, mut ap) = (0u64, 0u64, 0.0f64);
        for (pos, neg) in self.tie_groups(ranked) {
            tp += pos;
            seen += pos + neg;
            ap += (pos as f64 / positives as f64) * (tp as f64 / seen as f64);
        }
        ap
    }

    fn multiclass_metric(&self, metric: Metric, rows: &[u32]) -> Result<f64, Undefined> {
        let n = rows.len() as f64;
        let k = self.classes;
        // Per class: true positives, predicted, actual.
        let (mut tp, mut predicted, mut actual) = (vec![0u64; k], vec![0u64; k], vec![0u64; k]);
        for &r in rows {
            let (y, p) = (
                self.truth[r as usize] as usize,
                self.predicted[r as usize] as usize,
            );
            actual[y] += 1;
            predicted[p] += 1;
            if y == p {
                tp[y] += 1;
            }
        }
        let f1 = |c: usize| {
            let d = predicted[c] + actual[c];
            if d == 0 {
                0.0
            } else {
                2.0 * tp[c] as f64 / d as f64
            }
        };
        // sklearn averages over the labels present in the truth or the predictions.
        let present: Vec<usize> = (0..k).filter(|&c| predicted[c] + actual[c] > 0).collect();
        Ok(match metric {
            Metric::Accuracy | Metric::F1Micro => tp.iter().sum::<u64>() as f64 / n,
            Metric::F1Macro => present.iter().map(|&c| f1(c)).sum::<f64>() / present.len() as f64,
            Metric::F1Weighted => {
                present
                    .iter()
                    .map(|&c| f1(c) * actual[c] as f64)
                    .sum::<f64>()
                    / n
            }
            Metric::LogLoss => {
                let Some(probabilities) = &self.probabilities else {
                    return Err(undefined("log loss needs one probability column per class"));
                };
                let eps = f64::EPSILON;
                -rows
                    .iter()
                    .map(|&r| {
                        let row = &probabilities[r as usize * k..(r as usize + 1) * k];
                        let total: f64 = row.iter().sum();
                        let p = row[self.truth[r as usize] as usize] / total;
                        p.clamp(eps, 1.0 - eps).ln()
                    })
                    .sum::<f64>()
                    / n
            }
            _ => unreachable!("checked by fits"),
        })
    }

    fn regression_metric(&self, metric: Metric, rows: &[u32]) -> Result<f64, Undefined> {
        let n = rows.len() as f64;
        let pairs = || {
            rows.iter()
                .map(|&r| (self.truth[r as usize], self.predicted[r as usize]))
        };
        Ok(match metric {
            Metric::Mae => pairs().map(|(y, p)| (y - p).abs()).sum::<f64>() / n,
            Metric::Rmse => (pairs().map(|(y, p)| (y - p).powi(2)).sum::<f64>() / n).sqrt(),
            Metric::Mape => {
                pairs()
                    .map(|(y, p)| (y - p).abs() / y.abs().max(f64::EPSILON))
                    .sum::<f64>()
                    / n
            }
            Metric::MeanError => pairs().map(|(y, p)| p - y).sum::<f64>() / n,
            Metric::R2 => {
                let mean = pairs().map(|(y, _)| y).sum::<f64>() / n;
                let total: f64 = pairs().map(|(y, _)| (y - mean).powi(2)).sum();
                let residual: f64 = pairs().map(|(y, p)| (y - p).powi(2)).sum();
                if total == 0.0 {
                    if residual == 0.0 { 1.0 } else { 0.0 }
                } else {
                    1.0 - residual / total
                }
            }
            Metric::AbsErrorQuantile(q) => {
                let mut errors: Vec<f64> = pairs().map(|(y, p)| (y - p).abs()).collect();
                errors.sort_by(f64::total_cmp);
                seismo_stats::sort::linear_quantile(&errors, q.get()).unwrap_or(f64::NAN)
            }
            _ => unreachable!("checked by fits"),
        })
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Confusion {
    tp: u64,
    fp: u64,
    fn_: u64,
    tn: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        // scores 0.9(1) 0.5(0) 0.5(1) 0.1(0): pairs (pos, neg): (0.9,0.5) 1, (0.9,0.1) 1,
        // (0.5,0.5) 0.5, (0.5,0.1) 1 → 3.5 / 4.
        let p = Predictions::binary(vec![1.0, 0.0, 1.0, 0.0], vec![0.9, 0.5, 0.5, 0.1], 0.5);
        let all = [0, 1, 2, 3];
        assert_eq!(p.metric(Metric::RocAuc, &all).unwrap(), 0.875);
        // A bootstrap-like repeat counts twice.
        assert_eq!(p.metric(Metric::Accuracy, &[0, 0, 3]).unwrap(), 1.0);
        assert!(p.metric(Metric::RocAuc, &[0, 2]).is_err());
        assert!(p.metric(Metric::Accuracy, &[]).is_err());
    }

    #[test]
    fn names_round_trip() {
        for (m, n) in NAMES {
            assert_eq!(n.parse::<Metric>().unwrap(), m);
            assert_eq!(m.as_str(), n);
        }
        assert!(
            "auc"
                .parse::<Metric>()
                .unwrap_err()
                .expected
                .contains("roc_auc")
        );
    }
}
