//! The expected confusion matrix of calibrated probabilities, and the expected ROC AUC.

/// The expected confusion matrix of rows with calibrated probabilities and decisions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expected {
    /// Σ p over rows predicted positive.
    pub tp: f64,
    /// Σ (1 − p) over rows predicted positive.
    pub fp: f64,
    /// Σ p over rows predicted negative.
    pub fn_: f64,
    /// Σ (1 − p) over rows predicted negative.
    pub tn: f64,
    /// Rows.
    pub rows: usize,
}

impl Expected {
    /// The expected counts from calibrated probabilities and the model's decisions.
    pub fn new(calibrated: &[f64], predicted: &[bool]) -> Self {
        let (mut tp, mut fp, mut fn_, mut tn) = (0.0, 0.0, 0.0, 0.0);
        for (p, positive) in calibrated.iter().zip(predicted) {
            if *positive {
                tp += p;
                fp += 1.0 - p;
            } else {
                fn_ += p;
                tn += 1.0 - p;
            }
        }
        Self {
            tp,
            fp,
            fn_,
            tn,
            rows: calibrated.len().min(predicted.len()),
        }
    }

    fn ratio(a: f64, b: f64) -> f64 {
        if b != 0.0 { a / b } else { 0.0 }
    }

    /// (TP + TN) / rows.
    pub fn accuracy(&self) -> f64 {
        Self::ratio(self.tp + self.tn, self.rows as f64)
    }

    /// TP / (TP + FP); 0 when nothing is predicted positive.
    pub fn precision(&self) -> f64 {
        Self::ratio(self.tp, self.tp + self.fp)
    }

    /// TP / (TP + FN); 0 when no positive is expected.
    pub fn recall(&self) -> f64 {
        Self::ratio(self.tp, self.tp + self.fn_)
    }

    /// TN / (TN + FP).
    pub fn specificity(&self) -> f64 {
        Self::ratio(self.tn, self.tn + self.fp)
    }

    /// TP / (TP + (FP + FN) / 2).
    pub fn f1(&self) -> f64 {
        Self::ratio(self.tp, self.tp + 0.5 * (self.fp + self.fn_))
    }
}

/// The expected ROC AUC of rows with calibrated probabilities and the model's own scores
/// (NannyML's `estimate_roc_auc`): the rows in descending order of score, the expected true
/// and false positives accumulated down the ranking (each rounded to 5 decimals, as NannyML
/// rounds them), and the trapezoid area under the resulting curve. Rows tied on score have
/// equal calibrated probabilities, so their order does not matter. NaN when no positive or
/// no negative is expected.
pub fn estimate_roc_auc(calibrated: &[f64], scores: &[f64]) -> f64 {
    let n = scores.len().min(calibrated.len());
    let mut order: Vec<(u64, usize)> = (0..n).map(|i| (crate::sort::key(scores[i]), i)).collect();
    // Descending by score; the order of ties does not matter (above).
    order.sort_unstable_by(|a, b| b.cmp(a));
    let order: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
    let round = |v: f64| (v * 1e5).round_ties_even() / 1e5;
    let mut tps = vec![0.0];
    let mut fps = vec![0.0];
    let mut cumulative = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        cumulative += calibrated[i];
        tps.push(cumulative);
        fps.push(1.0 + rank as f64 - cumulative);
    }
    let (tp_total, fp_total) = (round(tps[tps.len() - 1]), round(fps[fps.len() - 1]));
    let tpr: Vec<f64> = tps.iter().map(|v| round(*v) / tp_total).collect();
    let fpr: Vec<f64> = fps.iter().map(|v| round(*v) / fp_total).collect();
    if !(tp_total > 0.0 && fp_total > 0.0) {
        return f64::NAN;
    }
    // scikit-learn's auc: the trapezoid rule over the points in order.
    (1..fpr.len())
        .map(|k| (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2.0)
        .sum()
}
