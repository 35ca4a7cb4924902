//! The metrics CBPE estimates: each one's estimate from calibrated probabilities, its
//! realized value from labels, and its sampling error, all as NannyML 0.13.1 computes them.

use super::expected::{Expected, estimate_roc_auc};

/// A metric of a binary classifier that CBPE estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Area under the ROC curve of the scores.
    RocAuc,
    /// Share of decisions that are right.
    Accuracy,
    /// Right positives over predicted positives.
    Precision,
    /// Right positives over actual positives.
    Recall,
    /// Harmonic mean of precision and recall.
    F1,
    /// Right negatives over actual negatives.
    Specificity,
}

impl Metric {
    /// Every metric, in the order reports list them.
    pub const ALL: [Metric; 6] = [
        Metric::RocAuc,
        Metric::Accuracy,
        Metric::Precision,
        Metric::Recall,
        Metric::F1,
        Metric::Specificity,
    ];

    /// The name in flags, JSON and metrics (`roc_auc`, `accuracy`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RocAuc => "roc_auc",
            Self::Accuracy => "accuracy",
            Self::Precision => "precision",
            Self::Recall => "recall",
            Self::F1 => "f1",
            Self::Specificity => "specificity",
        }
    }

    /// The metric named `name` (as [`Metric::as_str`] writes it).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The estimate on rows with calibrated probabilities `calibrated`, the model's own
    /// `scores` (which rank the rows for ROC AUC) and its decisions `predicted`.
    pub fn estimate(self, calibrated: &[f64], scores: &[f64], predicted: &[bool]) -> f64 {
        if calibrated.is_empty() {
            return f64::NAN;
        }
        let expected = Expected::new(calibrated, predicted);
        match self {
            Self::RocAuc => estimate_roc_auc(calibrated, scores),
            Self::Accuracy => expected.accuracy(),
            Self::Precision => expected.precision(),
            Self::Recall => expected.recall(),
            Self::F1 => expected.f1(),
            Self::Specificity => expected.specificity(),
        }
    }

    /// The realized value on labelled rows (`labels` 0 or 1), NaN where NannyML's is: ROC
    /// AUC with one class of labels; precision, recall and F1 with one class of labels or of
    /// decisions; specificity without negatives; any metric without rows.
    pub fn realized(self, scores: &[f64], labels: &[bool], predicted: &[bool]) -> f64 {
        let n = labels.len();
        if n == 0 {
            return f64::NAN;
        }
        let positives = labels.iter().filter(|l| **l).count();
        let decided = predicted.iter().filter(|p| **p).count();
        let one_class = positives == 0 || positives == n;
        let one_decision = decided == 0 || decided == n;
        let c = Counts::of(labels, predicted);
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        match self {
            Self::RocAuc if one_class => f64::NAN,
            Self::RocAuc => roc_auc(scores, labels),
            Self::Accuracy => ratio(c.tp + c.tn, n),
            Self::Precision | Self::Recall | Self::F1 if one_class || one_decision => f64::NAN,
            Self::Precision => ratio(c.tp, c.tp + c.fp),
            Self::Recall => ratio(c.tp, c.tp + c.fn_),
            Self::F1 => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn_),
            Self::Specificity if c.tn + c.fp == 0 => f64::NAN,
            Self::Specificity => ratio(c.tn, c.tn + c.fp),
        }
    }
}

/// The ROC AUC of `scores` against `labels` (ties count half: scikit-learn's
/// `roc_auc_score`; NaN scores left out); NaN with one class. The positives' and the
/// negatives' scores are sorted apart, as plain integer keys, then walked together one
/// distinct score at a time.
pub(crate) fn roc_auc(scores: &[f64], labels: &[bool]) -> f64 {
    let (mut positives, mut negatives) = (Vec::new(), Vec::new());
    for (&score, &label) in scores.iter().zip(labels) {
        if !score.is_nan() {
            let key = crate::sort::key(score);
            if label {
                positives.push(key);
            } else {
                negatives.push(key);
            }
        }
    }
    positives.sort_unstable();
    negatives.sort_unstable();
    let (mut pairs, mut negatives_below) = (0.0, 0.0);
    crate::sort::tie_groups(&positives, &negatives, |p, q| {
        let (p, q) = (p as f64, q as f64);
        pairs += p * (negatives_below + q / 2.0);
        negatives_below += q;
    });
    pairs / (positives.len() as f64 * negatives.len() as f64)
}

/// The ROC AUC of (score, 0/1 label) rows sorted by score (ties count half), in one pass.
pub(crate) fn sorted_roc_auc(sorted: &[(f64, f64)]) -> f64 {
    let (mut pairs, mut negatives_below, mut positives) = (0.0, 0.0, 0.0);
    let mut start = 0;
    while start < sorted.len() {
        let value = sorted[start].0;
        let run = sorted[start..].iter().take_while(|r| r.0 == value).count();
        let end = start + run;
        let p: f64 = sorted[start..end].iter().map(|r| r.1).sum();
        let q = run as f64 - p;
        pairs += p * (negatives_below + q / 2.0);
        negatives_below += q;
        positives += p;
        start = end;
    }
    pairs / (positives * negatives_below)
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A confusion matrix of labels and decisions.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Counts {
    fn of(labels: &[bool], predicted: &[bool]) -> Self {
        let mut c = Self::default();
        for (l, p) in labels.iter().zip(predicted) {
            match (l, p) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => c.tn += 1,
            }
        }
        c
    }
}

/// What a metric's sampling error is made of, fitted on the labelled reference (NannyML's
/// `sampling_error` module): the standard deviation of a per-row contribution and the share
/// of rows that contribute. A chunk of `n` rows then has the sampling error
/// `std / √(n · share)` (the standard error of a mean over the contributing rows).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SamplingError {
    /// Population standard deviation of the per-row contributions.
    pub std: f64,
    /// Share of rows that contribute (1 for accuracy).
    pub share: f64,
}

impl SamplingError {
    /// The components of `metric` on the reference's raw `scores`, `labels` and decisions.
    ///
    /// ROC AUC follows NannyML's Mann–Whitney decomposition: with the minority class as
    /// positives (labels and scores flipped when positives are the majority), the rows sorted
    /// by score, each positive contributes the number of negatives ranked below it over the
    /// number of negatives. Rows tied on score are ordered by label, negatives first; NannyML
    /// leaves their order to numpy's unstable sort, so on ties the two can differ slightly
    /// (docs/estimate.md gives the size on the bundled example).
    pub fn fit(metric: Metric, scores: &[f64], labels: &[bool], predicted: &[bool]) -> Self {
        Self::components(metric, scores, labels, predicted, true, None)
    }

    /// [`SamplingError::fit`] with the rows already sorted as (score, label 0/1) by score,
    /// then label: ROC AUC's ranks need no sort of their own.
    pub(crate) fn fit_sorted(
        metric: Metric,
        scores: &[f64],
        labels: &[bool],
        predicted: &[bool],
        sorted: &[(f64, f64)],
    ) -> Self {
        Self::components(metric, scores, labels, predicted, true, Some(sorted))
    }

    /// One class's components for a multiclass metric (one against the rest): as
    /// [`SamplingError::fit`], except that F1's per-row contributions are not rescaled
    /// (NannyML's multiclass module leaves them 0/1).
    pub(crate) fn one_vs_rest(
        metric: Metric,
        scores: &[f64],
        labels: &[bool],
        predicted: &[bool],
    ) -> Self {
        Self::components(metric, scores, labels, predicted, false, None)
    }

    fn components(
        metric: Metric,
        scores: &[f64],
        labels: &[bool],
        predicted: &[bool],
        scale_f1: bool,
        sorted: Option<&[(f64, f64)]>,
    ) -> Self {
        let n = labels.len() as f64;
        let c = Counts::of(labels, predicted);
        // A 0/1 contribution vector with `ones` ones among `rows`, each scaled by `scale`.
        let binary = |ones: usize, rows: usize, scale: f64| {
            if rows == 0 {
                return f64::NAN;
            }
            let q = ones as f64 / rows as f64;
            scale * (q * (1.0 - q)).sqrt()
        };
        match metric {
            Metric::RocAuc => roc_auc_components(scores, labels, sorted),
            Metric::Accuracy => Self {
                std: binary(c.tp + c.tn, labels.len(), 1.0),
                share: 1.0,
            },
            Metric::Precision => Self {
                std: binary(c.tp, c.tp + c.fp, 1.0),
                share: (c.tp + c.fp) as f64 / n,
            },
            Metric::Recall => Self {
                std: binary(c.tp, c.tp + c.fn_, 1.0),
                share: (c.tp + c.fn_) as f64 / n,
            },
            Metric::F1 => {
                let rows = c.tp + c.fp + c.fn_;
                let scale = if scale_f1 {
                    rows as f64 / ((c.fn_ + c.fp) as f64 * 0.5 + c.tp as f64)
                } else {
                    1.0
                };
                Self {
                    std: binary(c.tp, rows, scale),
                    share: rows as f64 / n,
                }
            }
            Metric::Specificity => Self {
                std: binary(c.tn, c.tn + c.fp, 1.0),
                share: (c.tn + c.fp) as f64 / n,
            },
        }
    }

    /// The sampling error of a chunk of `rows` rows.
    pub fn of_chunk(&self, rows: usize) -> f64 {
        self.std / (rows as f64 * self.share).sqrt()
    }
}

/// `sorted`: the rows as (score, label 0/1) by score, then label, when the caller has them.
fn roc_auc_components(
    scores: &[f64],
    labels: &[bool],
    sorted: Option<&[(f64, f64)]>,
) -> SamplingError {
    let n = labels.len();
    let positives = labels.iter().filter(|l| **l).count();
    // The minority class as positives, as NannyML flips when the mean label exceeds 1/2.
    let flip = 2 * positives > n;
    let n_pos = if flip { n - positives } else { positives };
    let std = match sorted.filter(|_| !flip) {
        Some(rows) => positive_rank_std(rows.iter().map(|r| r.1 == 1.0), n_pos, n - n_pos),
        None => {
            let rows: Vec<(f64, bool)> = scores
                .iter()
                .zip(labels)
                .map(|(s, l)| if flip { (1.0 - s, !l) } else { (*s, *l) })
                .collect();
            let (values, truth): (Vec<f64>, Vec<f64>) =
                rows.iter().map(|(s, l)| (*s, f64::from(*l))).unzip();
            let order = super::isotonic::sorted_order(&values, &truth);
            positive_rank_std(order.iter().map(|&i| rows[i].1), n_pos, n - n_pos)
        }
    };
    SamplingError {
        std,
        share: n_pos as f64 / n as f64,
    }
}

/// The population standard deviation over positives of the share of negatives ranked below
/// each, from the labels in rank order.
fn positive_rank_std(positive: impl Iterator<Item = bool>, n_pos: usize, n_neg: usize) -> f64 {
    // A positive at rank r (0-based) with i positives before it has r − i negatives below.
    // NannyML takes the distinct nonzero ranks of positives, so a positive at rank 0
    // contributes nothing; kept for equality.
    let mut below = Vec::with_capacity(n_pos);
    for (rank, is_positive) in positive.enumerate() {
        if is_positive && rank > 0 {
            below.push((rank - below.len()) as f64 / n_neg as f64);
        }
    }
    let m = below.len() as f64;
    let mean = below.iter().sum::<f64>() / m;
    (below.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / m).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_pass_roc_auc_counts_ties_half() {
        let sorted = [(0.1, 0.0), (0.2, 1.0), (0.2, 0.0), (0.3, 1.0)];
        // Pairs (positive above negative): 0.2>0.1, 0.3>0.1, 0.3>0.2, and the tie at 0.2 half.
        assert_eq!(sorted_roc_auc(&sorted), 3.5 / 4.0);
    }

    #[test]
    fn roc_auc_leaves_nan_scores_out_and_is_nan_with_one_class() {
        let scores = [0.1, f64::NAN, 0.2, 0.2, 0.3];
        let labels = [false, true, true, false, true];
        assert_eq!(roc_auc(&scores, &labels), 3.5 / 4.0);
        assert!(roc_auc(&[0.1, 0.2], &[true, true]).is_nan());
        assert!(roc_auc(&[], &[]).is_nan());
    }
}
