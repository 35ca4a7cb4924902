//! Fairness across groups, as fairlearn measures it: per-group selection rates and error
//! rates, and their largest gaps.

use serde::Serialize;

use crate::metrics::{Metric, Predictions};

/// One group's rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRates {
    /// The group's value in each grouping column.
    pub group: Vec<String>,
    /// Rows in the group.
    pub rows: u64,
    /// Share predicted positive.
    pub selection_rate: f64,
    /// Recall among the group's positives (0 without positives).
    pub true_positive_rate: f64,
    /// Share of the group's negatives predicted positive (0 without negatives).
    pub false_positive_rate: f64,
}

/// The rates of one group's rows.
pub fn group_rates(predictions: &Predictions, group: Vec<String>, rows: &[u32]) -> GroupRates {
    let rate = |metric| predictions.metric(metric, rows).unwrap_or(0.0);
    GroupRates {
        group,
        rows: rows.len() as u64,
        selection_rate: rate(Metric::PositiveRate),
        true_positive_rate: rate(Metric::TruePositiveRate),
        false_positive_rate: rate(Metric::FalsePositiveRate),
    }
}

fn spread(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The largest difference in selection rate between two groups (fairlearn's
/// `demographic_parity_difference`); `None` without groups.
pub fn demographic_parity_difference(groups: &[GroupRates]) -> Option<f64> {
    spread(groups.iter().map(|g| g.selection_rate)).map(|(lo, hi)| hi - lo)
}

/// The smallest selection rate over the largest (fairlearn's `demographic_parity_ratio`, the
/// disparate impact ratio; 1 is parity, the "four-fifths rule" asks ≥ 0.8); `None` without
/// groups or when no group is selected at all.
pub fn disparate_impact_ratio(groups: &[GroupRates]) -> Option<f64> {
    spread(groups.iter().map(|g| g.selection_rate))
        .filter(|(_, hi)| *hi > 0.0)
        .map(|(lo, hi)| lo / hi)
}

/// The larger of the true-positive-rate gap and the false-positive-rate gap between groups
/// (fairlearn's `equalized_odds_difference`).
pub fn equalized_odds_difference(groups: &[GroupRates]) -> Option<f64> {
    let tpr = spread(groups.iter().map(|g| g.true_positive_rate))?;
    let fpr = spread(groups.iter().map(|g| g.false_positive_rate))?;
    Some((tpr.1 - tpr.0).max(fpr.1 - fpr.0))
}
