//! The detectors: each judges one window's summary against the model's reference and says
//! whether its alert should be firing. They are plain functions of (model, window); alert
//! state, storage and delivery live in the writer.

use seismo_stats::distance::jensen_shannon;

use crate::model::{Model, QUANTILES};
use crate::window::{Performance, Summary};

/// A detector: the alert's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Detector {
    /// The window's mean prediction against the reference's, as a ratio.
    PredictionMean,
    /// The window's prediction deciles against the reference's.
    PredictionQuantile,
    /// CUSUM over the stream of predictions.
    PredictionCusum,
    /// A feature's share of missing values.
    NullRate,
    /// A feature's distribution against the reference's (Jensen–Shannon).
    Drift,
    /// The share of records breaking the model's rules.
    Rules,
    /// A metric on labelled records against the reference's.
    Performance,
    /// Accuracy estimated without labels (CBPE) against the reference's estimate.
    EstimatedPerformance,
}

impl Detector {
    /// The word in alerts, reports and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PredictionMean => "prediction_mean",
            Self::PredictionQuantile => "prediction_quantile",
            Self::PredictionCusum => "prediction_cusum",
            Self::NullRate => "null_rate",
            Self::Drift => "drift",
            Self::Rules => "rules",
            Self::Performance => "performance",
            Self::EstimatedPerformance => "estimated_performance",
        }
    }
}

/// One detector's judgement of one window.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The detector.
    pub kind: Detector,
    /// What it watched: `prediction`, a feature, `rules`, `performance`.
    pub subject: String,
    /// Whether the alert should fire.
    pub firing: bool,
    /// The measured value.
    pub value: f64,
    /// The threshold it was judged by.
    pub threshold: f64,
    /// A sentence for people.
    pub message: String,
}

/// `value` over `reference`, and whether it stays within `ratio` either way (a sign change
/// or a nonzero value against a zero reference is outside).
fn within_ratio(value: f64, reference: f64, ratio: f64) -> (f64, bool) {
    if reference == 0.0 {
        return if value == 0.0 {
            (1.0, true)
        } else {
            (f64::INFINITY, false)
        };
    }
    let factor = value / reference;
    (
        factor,
        factor > 0.0 && factor <= ratio && factor >= 1.0 / ratio,
    )
}

/// Every window detector on one window; nothing when it has fewer than `min_records`.
pub fn judge_window(model: &Model, window: &Summary, min_records: u64) -> Vec<Finding> {
    let policy = &model.policy;
    if window.count < min_records.max(1) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mean = window.mean();
    let (factor, held) = within_ratio(mean, model.mean, policy.mean_ratio);
    found.push(Finding {
        kind: Detector::PredictionMean,
        subject: "prediction".into(),
        firing: !held,
        value: factor,
        threshold: policy.mean_ratio,
        message: format!(
            "the window's mean prediction is {mean:.6} against {:.6} in the reference (×{factor:.3}; allowed ×{:.3} to ×{})",
            model.mean,
            1.0 / policy.mean_ratio,
            policy.mean_ratio
        ),
    });
    for ((q, name), reference) in QUANTILES.into_iter().zip(model.quantiles) {
        let Some(value) = window.predictions.quantile(q) else {
            continue;
        };
        let (factor, held) = within_ratio(value, reference, policy.quantile_ratio);
        found.push(Finding {
            kind: Detector::PredictionQuantile,
            subject: format!("prediction {name}"),
            firing: !held,
            value: factor,
            threshold: policy.quantile_ratio,
            message: format!(
                "the window's {name} prediction is {value:.6} against {reference:.6} in the reference (×{factor:.3})"
            ),
        });
    }
    found.push(Finding {
        kind: Detector::PredictionCusum,
        subject: "prediction".into(),
        firing: window.cusum_signals > 0,
        value: window.cusum_signals as f64,
        threshold: policy.cusum_h,
        message: format!(
            "the CUSUM on single predictions (k = {}σ, h = {}σ around the reference mean {:.6}) signalled {} time(s) in the window",
            policy.cusum_k, policy.cusum_h, model.mean, window.cusum_signals
        ),
    });
    let features = if window.features.len() == model.schema.features.len() {
        model.schema.features.as_slice()
    } else {
        &[]
    };
    for (f, (name, _)) in features.iter().enumerate() {
        let (reference, current) = (&model.summary.features[f], &window.features[f]);
        let reference_rate = reference.nulls as f64 / model.summary.count as f64;
        let rate = current.nulls as f64 / window.count as f64;
        found.push(Finding {
            kind: Detector::NullRate,
            subject: name.clone(),
            firing: rate - reference_rate > policy.null_rate,
            value: rate,
            threshold: reference_rate + policy.null_rate,
            message: format!(
                "{name}: {:.2}% of the window's values are null against {:.2}% in the reference",
                rate * 100.0,
                reference_rate * 100.0
            ),
        });
        if let Ok(distance) = jensen_shannon(&reference.bins, &current.bins) {
            found.push(Finding {
                kind: Detector::Drift,
                subject: name.clone(),
                firing: distance >= policy.drift_threshold,
                value: distance,
                threshold: policy.drift_threshold,
                message: format!(
                    "{name}: Jensen-Shannon distance {distance:.4} between the window's and the reference's bins"
                ),
            });
        }
    }
    if model.row_rules.is_some() {
        let reference = model.summary.violations as f64 / model.summary.count as f64;
        let share = window.violations as f64 / window.count as f64;
        found.push(Finding {
            kind: Detector::Rules,
            subject: "rules".into(),
            firing: share - reference > policy.rule_violation_rate,
            value: share,
            threshold: reference + policy.rule_violation_rate,
            message: format!(
                "{:.2}% of the window's records break an error-severity column rule against {:.2}% of the reference's",
                share * 100.0,
                reference * 100.0
            ),
        });
    }
    found.extend(judge_estimated_performance(model, window));
    found
}

/// The estimated-performance detector: the window's accuracy as CBPE estimates it from the
/// predictions alone, against the accuracy it estimates on the reference; it fires when the
/// estimate fell by more than the policy's `performance_drop`. Comparing estimate with
/// estimate keeps scores that were never calibrated (an accuracy of 1 with scores near 0.5
/// estimates far lower) from firing on healthy windows.
fn judge_estimated_performance(model: &Model, window: &Summary) -> Option<Finding> {
    let estimator = model.estimator.as_ref()?;
    let estimate = window.expected_correct / window.count as f64;
    let reference = estimator.reference_accuracy;
    let drop = model.policy.performance_drop;
    Some(Finding {
        kind: Detector::EstimatedPerformance,
        subject: "accuracy".into(),
        firing: reference - estimate > drop,
        value: estimate,
        threshold: reference - drop,
        message: format!(
            "accuracy estimated without labels (CBPE) on the window's {} records is {estimate:.4} against {reference:.4} estimated on the reference",
            window.count
        ),
    })
}

/// The performance detector on one window's labelled sums; nothing until enough labels
/// arrived or when the reference had none.
pub fn judge_performance(model: &Model, performance: &Performance) -> Option<Finding> {
    let reference = model.performance?;
    if performance.labelled < model.policy.min_records as f64 {
        return None;
    }
    let score = performance.score(model.task)?;
    let metric = match model.task {
        crate::model::Task::Regression => "R²",
        _ => "accuracy",
    };
    Some(Finding {
        kind: Detector::Performance,
        subject: "performance".into(),
        firing: reference - score > model.policy.performance_drop,
        value: score,
        threshold: reference - model.policy.performance_drop,
        message: format!(
            "{metric} on the window's {} labelled records is {score:.4} against {reference:.4} on the reference",
            performance.labelled
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_hold_either_way_and_not_across_zero() {
        assert_eq!(within_ratio(2.0, 1.0, 10.0), (2.0, true));
        assert!(!within_ratio(1000.0, 1.0, 10.0).1);
        assert!(!within_ratio(0.05, 1.0, 10.0).1);
        assert!(!within_ratio(-1.0, 1.0, 10.0).1);
        assert!(within_ratio(0.0, 0.0, 10.0).1);
        assert!(!within_ratio(0.1, 0.0, 10.0).1);
    }
}
