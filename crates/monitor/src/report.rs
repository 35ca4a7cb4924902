//! `GetReport`: a time range of a model's records against its reference, in seismo's report
//! model. The window detectors' judgements (the numbers alerts use), the drift crate's tests
//! per column (as `seismo drift` runs them), the model's rule file (as `seismo validate`),
//! and, where labels arrived, performance (as `seismo test` computes it).

use seismo_core::{Check, Report, Severity};
use seismo_drift::{detect, detect_profiles};
use seismo_rules::{RuleCheck, ValidateOptions, validate};
use seismo_slices::{Metric, Predictions};
use seismo_stats::profile::Profile;

use crate::columns;
use crate::detect::{Detector, judge_window};
use crate::model::{Estimator, Model, Task};
use crate::record::Columns;
use crate::reference::Reference;
use crate::store::{Store, StoreError};
use crate::window::Summary;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The range holds more records than the limit.
    #[error(
        "from_micros, to_micros: the range holds more than {0} records, the most one report reads; ask for a shorter range"
    )]
    TooLarge(usize),
    /// A check could not run.
    #[error("{0}")]
    Check(String),
}

/// A report with how many records (and labelled ones) it covers.
pub struct Covered {
    /// The checks.
    pub report: Report,
    /// Records with `from <= time < to`.
    pub records: u64,
    /// Those with a label.
    pub labelled: u64,
}

/// The records of `model` with `from <= time < to`, their labels joined.
fn gather(
    store: &Store,
    model: &Model,
    from: i64,
    to: i64,
    limit: usize,
) -> Result<Columns, ReportError> {
    let mut all: Option<Columns> = None;
    let batches = store
        .batches(&model.key, model.window_start(from), to, limit)?
        .ok_or(ReportError::TooLarge(limit))?;
    for batch in batches {
        let rows: Vec<usize> = (0..columns::len(&batch))
            .filter(|&r| (from..to).contains(&batch.time_micros[r]))
            .collect();
        let part = if rows.len() == columns::len(&batch) {
            batch
        } else {
            columns::take(&batch, &rows)
        };
        match &mut all {
            Some(all) => columns::append(all, part),
            None => all = Some(part),
        }
    }
    let mut all = all.unwrap_or_else(|| crate::model::empty_columns(&model.schema));
    if !all.ids.is_empty() {
        let late = store.labels(&model.key, &all.ids)?;
        if all.labels.is_empty() {
            all.labels = late;
        } else {
            for (label, late) in all.labels.iter_mut().zip(late) {
                if !late.is_nan() {
                    *label = late;
                }
            }
        }
    }
    Ok(all)
}

/// The report for `from <= time < to`, reading at most `limit` records (a report holds
/// its range in memory).
pub fn build(
    store: &Store,
    model: &Model,
    from: i64,
    to: i64,
    limit: usize,
) -> Result<Covered, ReportError> {
    let current = gather(store, model, from, to, limit)?;
    let records = columns::len(&current) as u64;
    let labelled = current.labels.iter().filter(|l| !l.is_nan()).count() as u64;
    let mut report = Report::new("report");
    if records == 0 {
        return Ok(Covered {
            report,
            records,
            labelled,
        });
    }
    let data = columns::to_dataset(&current, &model.schema);

    // The detectors, as they judge a window (without the stream's CUSUM).
    let summary = Summary::of(&current, model).map_err(|e| ReportError::Check(e.to_string()))?;
    for finding in judge_window(model, &summary, 1) {
        if finding.kind == Detector::PredictionCusum {
            continue;
        }
        report.push(
            Check::new(
                finding.kind.as_str(),
                finding.subject,
                Severity::Error.outcome(!finding.firing),
            )
            .with_value(finding.value)
            .with_threshold(finding.threshold)
            .with_detail("message", finding.message),
        );
    }

    // Each column's drift test, as `seismo drift` runs it.
    let drift = match &model.reference {
        Reference::Rows {
            data: reference, ..
        } => detect(reference, &data, &model.drift),
        Reference::Profile(reference) => {
            let schema = model.schema.seismo_schema();
            let mut current = Profile::new(schema);
            for batch in data.batches() {
                current
                    .update(batch)
                    .map_err(|e| ReportError::Check(e.to_string()))?;
            }
            detect_profiles(reference, schema, &current, schema, &model.drift)
        }
    };
    for column in &drift.columns {
        let mut check = Check::new(
            column.test.as_str(),
            column.column.clone(),
            Severity::Error.outcome(!column.drifted),
        )
        .with_value(column.p_value.unwrap_or(column.statistic))
        .with_threshold(column.threshold)
        .with_detail("statistic", column.statistic)
        .with_detail("role", column.role.as_str());
        if let Some(p) = column.p_value {
            check = check.with_detail("p_value", p);
        }
        report.push(check);
    }

    // The rule file.
    if let Some(rules) = &model.rules {
        let options = ValidateOptions::new(5, 1);
        let reference = model.reference_rows().map(|(_, data)| data);
        let validation = validate(rules, &data, reference, &options)
            .map_err(|e| ReportError::Check(e.to_string()))?;
        report
            .checks
            .extend(validation.checks.iter().map(RuleCheck::to_check));
    }

    // Performance on the labelled records, against the labelled reference.
    let empty = crate::model::empty_columns(&model.schema);
    let reference = model
        .reference_rows()
        .map_or(&empty, |(columns, _)| columns);
    for check in performance(model, reference, &current) {
        report.push(check);
    }
    report.checks.extend(estimated_roc_auc(model, &current));
    Ok(Covered {
        report,
        records,
        labelled,
    })
}

/// ROC AUC estimated without labels (CBPE) on every record, labelled or not, against the
/// ROC AUC it estimates on the reference; with its ±3σ band, and the realized value where
/// labels arrived. (Accuracy is the estimated-performance detector's check above.)
fn estimated_roc_auc(model: &Model, current: &Columns) -> Option<Check> {
    let estimator = model.estimator.as_ref()?;
    let (scores, labels): (Vec<f64>, Vec<f64>) = current
        .predictions
        .iter()
        .zip(&current.labels)
        .map(|(p, l)| {
            let label = if l.is_nan() {
                f64::NAN
            } else {
                f64::from(*l != 0.0)
            };
            (Estimator::probability(*p), label)
        })
        .unzip();
    let roc = estimator
        .cbpe
        .estimate(&scores, Some(&labels))
        .into_iter()
        .find(|e| e.metric == seismo_stats::cbpe::Metric::RocAuc)?;
    let (name, subject) = ("estimated_roc_auc", "performance");
    if !roc.estimated.is_finite() {
        return Some(Check::skipped(
            name,
            subject,
            "no positive or no negative is expected among the records",
        ));
    }
    let bound = estimator.reference_roc_auc - model.policy.performance_drop;
    let mut check = Check::new(
        name,
        subject,
        Severity::Error.outcome(roc.estimated >= bound),
    )
    .with_value(roc.estimated)
    .with_threshold(bound)
    .with_detail("reference", estimator.reference_roc_auc)
    .with_detail("lower", roc.lower)
    .with_detail("upper", roc.upper);
    if roc.realized.is_finite() {
        check = check.with_detail("realized", roc.realized);
    }
    Some(check)
}

/// The task's metrics on the labelled rows of `current`, each judged against the same
/// metric on the labelled reference: a score may fall by `performance_drop`, an error may
/// grow by that share.
fn performance(model: &Model, reference: &Columns, current: &Columns) -> Vec<Check> {
    let labelled = |c: &Columns| -> (Vec<f64>, Vec<f64>) {
        c.labels
            .iter()
            .zip(&c.predictions)
            .filter(|(l, _)| !l.is_nan())
            .map(|(&l, &p)| (l, p))
            .unzip()
    };
    let predictions = |(truth, predicted): (Vec<f64>, Vec<f64>)| match model.task {
        Task::Binary => Predictions::binary(truth, predicted, 0.5),
        Task::Regression => Predictions::regression(truth, predicted),
        Task::Multiclass => {
            let class = |x: f64| x.round().max(0.0) as u32;
            let truth: Vec<u32> = truth.into_iter().map(class).collect();
            let predicted: Vec<u32> = predicted.into_iter().map(class).collect();
            let classes = truth
                .iter()
                .chain(&predicted)
                .max()
                .map_or(0, |&m| m as usize + 1);
            Predictions::multiclass(truth, predicted, classes, None)
        }
    };
    let current = predictions(labelled(current));
    if current.is_empty() {
        return Vec::new();
    }
    let reference = predictions(labelled(reference));
    let metrics: &[Metric] = match model.task {
        Task::Binary => &[Metric::RocAuc, Metric::Accuracy, Metric::LogLoss],
        Task::Multiclass => &[Metric::Accuracy],
        Task::Regression => &[Metric::Mae, Metric::Rmse, Metric::R2],
    };
    let drop = model.policy.performance_drop;
    let all = |p: &Predictions| (0..p.len() as u32).collect::<Vec<u32>>();
    metrics
        .iter()
        .map(|&metric| {
            let value = match current.metric(metric, &all(&current)) {
                Ok(v) => v,
                Err(why) => return Check::skipped(metric.as_str(), "performance", why.0),
            };
            let Ok(base) = reference.metric(metric, &all(&reference)) else {
                // Nothing to compare with: not judged, never a pass.
                return Check::skipped(
                    metric.as_str(),
                    "performance",
                    "the reference has no labelled records to compare with",
                )
                .with_value(value);
            };
            let (bound, held) = if metric.higher_is_better() == Some(false) {
                let bound = base + drop * base.abs();
                (bound, value <= bound)
            } else {
                (base - drop, value >= base - drop)
            };
            Check::new(
                metric.as_str(),
                "performance",
                Severity::Error.outcome(held),
            )
            .with_value(value)
            .with_threshold(bound)
            .with_detail("reference", base)
        })
        .collect()
}
