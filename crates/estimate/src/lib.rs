//! A binary classifier's performance before its labels arrive: confidence-based performance
//! estimation (CBPE, as NannyML computes it) per chunk of a dataset, fitted on a labelled
//! reference. The kernels are `seismo_stats::cbpe`; this crate reads the columns, cuts both
//! datasets into chunks (of rows, or of time) and assembles the report `seismo estimate`
//! renders.
//!
//! CBPE holds while the model's scores stay calibrated probabilities (after the reference's
//! calibration) and the relationship between features and labels does not change: a shift
//! of the population (covariate shift) is what it tracks; a concept shift, where the same
//! features come to mean another label, it cannot see (docs/estimate.md shows both).
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Float64Array, RecordBatch};
//! use seismo_core::Dataset;
//! use seismo_estimate::{Calibration, Chunking, CbpeOptions, EstimateOptions, estimate};
//!
//! fn dataset(scores: Vec<f64>, labels: Vec<Option<f64>>) -> Dataset {
//!     let batch = RecordBatch::try_from_iter([
//!         ("score", Arc::new(Float64Array::from(scores)) as _),
//!         ("label", Arc::new(Float64Array::from(labels)) as _),
//!     ])
//!     .unwrap();
//!     Dataset::from_batches(batch.schema(), vec![batch]).unwrap()
//! }
//! // A reference where scores are honest probabilities.
//! let scores: Vec<f64> = (0..1000).map(|i| (i % 100) as f64 / 100.0 + 0.005).collect();
//! let labels = scores.iter().enumerate().map(|(i, s)| Some(f64::from(((i * 37) % 100) as f64 / 100.0 < *s))).collect();
//! let reference = dataset(scores, labels);
//! // Unlabelled rows crowded at the decision threshold: accuracy near a coin flip.
//! let current = dataset(vec![0.5; 300], vec![None; 300]);
//! let options = EstimateOptions {
//!     prediction: "score".into(),
//!     classes: Vec::new(),
//!     predicted_class: None,
//!     target: "label".into(),
//!     time: None,
//!     chunking: Some(Chunking::Rows(100)),
//!     cbpe: CbpeOptions { calibration: Calibration::Never, ..CbpeOptions::default() },
//! };
//! let report = estimate(&reference, &current, &options).unwrap();
//! assert_eq!(report.chunks.len(), 3);
//! assert_eq!(report.chunks[0].estimated["accuracy"], Some(0.5));
//! assert!(report.alert);
//! assert!(serde_json::to_string(&report).unwrap().contains("\"realized\""));
//! ```

mod read;

use std::collections::BTreeMap;
use std::ops::Range;

use seismo_core::Dataset;
use seismo_history::WindowLength;
pub use seismo_stats::cbpe::{Calibration, CbpeOptions, Metric};
use seismo_stats::cbpe::{Cbpe, ClassRows, Estimate, MulticlassCbpe};
use seismo_stats::parallel::map_ordered;
use seismo_stats::profile::format_instant_micros;
use serde::Serialize;

/// Which dataset an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The labelled reference.
    Reference,
    /// The data estimated.
    Current,
}

/// Why an estimate could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EstimateError {
    /// Something in one dataset: a missing column, a value that is not a probability or a
    /// 0/1 label (the message names the row and column).
    #[error("{message}")]
    Data {
        /// The dataset.
        side: Side,
        /// What is wrong, and where.
        message: String,
    },
    /// Options that cannot work together.
    #[error("{0}")]
    Invalid(String),
}

impl EstimateError {
    fn data(side: Side, message: String) -> Self {
        Self::Data { side, message }
    }
}

/// How the datasets are cut into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunking {
    /// Runs of this many rows in file order (the last one may be shorter), as NannyML's
    /// `chunk_size`.
    Rows(usize),
    /// Periods of this length on the time column, aligned to the Unix epoch (a day runs
    /// from midnight UTC); rows without a time are in no chunk.
    Period(WindowLength),
}

/// What to estimate, and how.
#[derive(Debug, Clone)]
pub struct EstimateOptions {
    /// The score column (a probability of the positive class) of a binary classifier;
    /// unused when `classes` is given.
    pub prediction: String,
    /// A multiclass classifier: per class, its name (as the labels write it) and its
    /// probability column. Empty for a binary classifier.
    pub classes: Vec<(String, String)>,
    /// Multiclass: the column of the predicted class (a class name); `None`: the class of
    /// highest probability (the first on ties).
    pub predicted_class: Option<String>,
    /// The label column: 0/1 or boolean for a binary classifier, class names for a
    /// multiclass one; needed in the reference, used in the current data where present
    /// (missing values are labels that have not arrived).
    pub target: String,
    /// The time column; needed for [`Chunking::Period`], used for chunk bounds otherwise.
    pub time: Option<String>,
    /// How to chunk; `None`: ten chunks' worth of the reference's rows, as NannyML's default.
    pub chunking: Option<Chunking>,
    /// The decision threshold, the metrics, the calibration, its seed and threads (also
    /// the threads chunks are estimated on; the report is the same on any count).
    pub cbpe: CbpeOptions,
}

/// A chunk's bound: a row (0-based; the end is exclusive) or an instant (RFC 3339).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Bound {
    /// A row index.
    Row(usize),
    /// An instant.
    Time(String),
}

/// One chunk's estimates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChunkReport {
    /// Where the chunk starts: its first row, or its period's start.
    pub start: Bound,
    /// Where it ends: one past its last row, or its period's end.
    pub end: Bound,
    /// Rows with a score.
    pub rows: usize,
    /// Of those, rows with a label.
    pub labelled: usize,
    /// Metric → estimate.
    pub estimated: BTreeMap<&'static str, Option<f64>>,
    /// Metric → the sampling error of the estimate.
    pub sampling_error: BTreeMap<&'static str, Option<f64>>,
    /// Metric → estimate − 3 sampling errors (at least 0).
    pub lower: BTreeMap<&'static str, Option<f64>>,
    /// Metric → estimate + 3 sampling errors (at most 1).
    pub upper: BTreeMap<&'static str, Option<f64>>,
    /// Metric → the value on the chunk's labelled rows, null without labels.
    pub realized: BTreeMap<&'static str, Option<f64>>,
    /// The metrics whose estimate fell below their lower threshold.
    pub alerts: Vec<&'static str>,
    /// The metrics whose realized value fell below their lower threshold (where labels
    /// exist). One here but not in `alerts` is what CBPE cannot see: a concept shift, or
    /// scores that stopped being calibrated.
    pub realized_alerts: Vec<&'static str>,
    /// Whether an estimate or a realized value fell below its threshold.
    pub alert: bool,
}

/// A metric's alert thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricThresholds {
    /// The metric.
    pub metric: &'static str,
    /// An estimate below this alerts (the reference chunks' mean − 3σ of the realized
    /// values, at least 0); null when no reference chunk had a realized value.
    pub lower_threshold: Option<f64>,
    /// The reference chunks' mean + 3σ (at most 1): reported, not alerted on.
    pub upper_threshold: Option<f64>,
}

/// What `seismo estimate` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateReport {
    /// The score column.
    pub prediction: String,
    /// The label column.
    pub target: String,
    /// The decision threshold.
    pub threshold: f64,
    /// `auto`, `always` or `never`, as asked.
    pub calibration: &'static str,
    /// Whether the scores were calibrated on the reference (any class's, for a multiclass
    /// model).
    pub calibrated: bool,
    /// A multiclass model's classes, in the order of `calibrated_classes`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// Per class, whether its probabilities were calibrated (one against the rest).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calibrated_classes: Vec<bool>,
    /// `rows` or `period`.
    pub chunking: &'static str,
    /// Rows per chunk, or the period (`1d`).
    pub chunk: String,
    /// Reference rows with a score and a label (what CBPE is fitted on).
    pub reference_rows: usize,
    /// Reference rows left out: no score, no label, or (by period) no time.
    pub reference_dropped: usize,
    /// Current rows left out: no score, or (by period) no time.
    pub current_dropped: usize,
    /// Per metric, its thresholds.
    pub metrics: Vec<MetricThresholds>,
    /// The reference's chunks, estimated as the current ones are (they show how closely the
    /// estimate follows the realized value where it is known to hold).
    pub reference_chunks: Vec<ChunkReport>,
    /// The current data's chunks.
    pub chunks: Vec<ChunkReport>,
    /// Whether any current chunk alerted (its estimate or its realized value).
    pub alert: bool,
}

/// A dataset's usable rows and chunks.
struct Prepared {
    /// Binary: one column, the scores. Multiclass: one probability column per class.
    scores: Vec<Vec<f64>>,
    /// Binary: 0, 1 or NaN. Multiclass: the class index, or NaN.
    labels: Vec<f64>,
    /// Multiclass: each row's predicted class (empty for binary).
    predicted: Vec<usize>,
    /// Per chunk: its rows (indexes into `scores`) as a range, and its bounds.
    chunks: Vec<(Range<usize>, Bound, Bound)>,
    dropped: usize,
}

/// Estimates the current data's performance per chunk against the labelled reference.
pub fn estimate(
    reference: &Dataset,
    current: &Dataset,
    options: &EstimateOptions,
) -> Result<EstimateReport, EstimateError> {
    if options.cbpe.metrics.is_empty() {
        return Err(EstimateError::Invalid("no metric to estimate".into()));
    }
    let chunking = match options.chunking {
        Some(Chunking::Rows(0)) => {
            return Err(EstimateError::Invalid(
                "chunks of 0 rows: give a positive size".into(),
            ));
        }
        Some(c) => c,
        None => Chunking::Rows((reference.num_rows() / 10).max(1)),
    };
    if matches!(chunking, Chunking::Period(_)) && options.time.is_none() {
        return Err(EstimateError::Invalid(
            "chunks of time need the time column (--time)".into(),
        ));
    }
    let reference = prepare(reference, Side::Reference, options, chunking)?;
    let current = prepare(current, Side::Current, options, chunking)?;
    if reference.labels.is_empty() {
        return Err(EstimateError::data(
            Side::Reference,
            format!(
                "no row has both a prediction (`{}`) and a label (`{}`)",
                prediction_name(options),
                options.target
            ),
        ));
    }
    let reference_ranges: Vec<Range<usize>> =
        reference.chunks.iter().map(|c| c.0.clone()).collect();
    let fitted = Fitted::fit(&reference, &reference_ranges, &options.cbpe)
        .map_err(|e| EstimateError::data(Side::Reference, e.to_string()))?;
    let threads = options.cbpe.threads.max(1);
    let reference_chunks = chunk_reports(&fitted, &reference, threads);
    let chunks = chunk_reports(&fitted, &current, threads);
    let finite = |v: f64| v.is_finite().then_some(v);
    Ok(EstimateReport {
        prediction: prediction_name(options),
        target: options.target.clone(),
        threshold: options.cbpe.threshold,
        calibration: options.cbpe.calibration.as_str(),
        calibrated: fitted.calibrated().iter().any(|c| *c),
        classes: options.classes.iter().map(|(c, _)| c.clone()).collect(),
        calibrated_classes: match &fitted {
            Fitted::Binary(_) => Vec::new(),
            Fitted::Classes(m) => m.calibrated(),
        },
        chunking: match chunking {
            Chunking::Rows(_) => "rows",
            Chunking::Period(_) => "period",
        },
        chunk: match chunking {
            Chunking::Rows(n) => n.to_string(),
            Chunking::Period(length) => length.to_string(),
        },
        reference_rows: reference.labels.len(),
        reference_dropped: reference.dropped,
        current_dropped: current.dropped,
        metrics: fitted
            .metrics()
            .iter()
            .map(|m| MetricThresholds {
                metric: m.metric.as_str(),
                lower_threshold: finite(m.lower_threshold),
                upper_threshold: finite(m.upper_threshold),
            })
            .collect(),
        alert: chunks.iter().any(|c| c.alert),
        reference_chunks,
        chunks,
    })
}

/// The prediction as reports name it: the score column, or `class=column,...`.
fn prediction_name(options: &EstimateOptions) -> String {
    if options.classes.is_empty() {
        return options.prediction.clone();
    }
    let pairs: Vec<String> = options
        .classes
        .iter()
        .map(|(class, column)| format!("{class}={column}"))
        .collect();
    pairs.join(",")
}

/// The label column: required in the reference, optional in the current data.
fn label_column(
    data: &Dataset,
    side: Side,
    options: &EstimateOptions,
) -> Result<Option<arrow_array::ArrayRef>, EstimateError> {
    match side {
        Side::Reference => read::required(data, side, &options.target, "target").map(Some),
        Side::Current => read::optional(data, side, &options.target),
    }
}

/// CBPE fitted for a binary or a multiclass model.
enum Fitted {
    Binary(Cbpe),
    Classes(MulticlassCbpe),
}

impl Fitted {
    fn fit(
        reference: &Prepared,
        chunks: &[Range<usize>],
        options: &CbpeOptions,
    ) -> Result<Self, seismo_stats::StatsError> {
        if reference.predicted.is_empty() {
            let scores = &reference.scores[0];
            return Cbpe::fit(scores, &reference.labels, chunks, options).map(Self::Binary);
        }
        let labels: Vec<usize> = reference.labels.iter().map(|l| *l as usize).collect();
        let rows = ClassRows {
            probabilities: &reference.scores,
            predicted: &reference.predicted,
        };
        MulticlassCbpe::fit(rows, &labels, chunks, options).map(Self::Classes)
    }

    fn metrics(&self) -> &[seismo_stats::cbpe::FittedMetric] {
        match self {
            Self::Binary(c) => c.metrics(),
            Self::Classes(c) => c.metrics(),
        }
    }

    fn calibrated(&self) -> Vec<bool> {
        match self {
            Self::Binary(c) => vec![c.calibrated()],
            Self::Classes(c) => c.calibrated(),
        }
    }

    /// The estimates of the rows `range` of `data`.
    fn estimate(&self, data: &Prepared, range: Range<usize>) -> Vec<Estimate> {
        let labels = &data.labels[range.clone()];
        match self {
            Self::Binary(c) => c.estimate(&data.scores[0][range], Some(labels)),
            Self::Classes(c) => {
                let probabilities: Vec<Vec<f64>> = data
                    .scores
                    .iter()
                    .map(|col| col[range.clone()].to_vec())
                    .collect();
                let classes: Vec<Option<usize>> = labels
                    .iter()
                    .map(|l| (!l.is_nan()).then_some(*l as usize))
                    .collect();
                let rows = ClassRows {
                    probabilities: &probabilities,
                    predicted: &data.predicted[range],
                };
                c.estimate(rows, Some(&classes))
            }
        }
    }
}

/// Reads a dataset's scores and labels and cuts it into chunks; the reference keeps only
/// rows with a label.
fn prepare(
    data: &Dataset,
    side: Side,
    options: &EstimateOptions,
    chunking: Chunking,
) -> Result<Prepared, EstimateError> {
    let (scores, predicted, labels) = if options.classes.is_empty() {
        let score = read::required(data, side, &options.prediction, "prediction")?;
        let scores = read::scores(&score, side, &options.prediction)?;
        let labels = match label_column(data, side, options)? {
            Some(array) => read::labels(&array, side, &options.target)?,
            None => vec![f64::NAN; scores.len()],
        };
        (vec![scores], Vec::new(), labels)
    } else {
        let names: Vec<&str> = options.classes.iter().map(|(c, _)| c.as_str()).collect();
        let scores = options
            .classes
            .iter()
            .map(|(_, column)| {
                let array = read::required(data, side, column, "class probability")?;
                read::scores(&array, side, column)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = scores.first().map_or(0, Vec::len);
        let predicted = match &options.predicted_class {
            Some(column) => {
                let array = read::required(data, side, column, "predicted class")?;
                read::classes(&array, side, column, &names)?
                    .into_iter()
                    .map(|c| c.unwrap_or(usize::MAX))
                    .collect()
            }
            // The first class of highest probability; usize::MAX where one is missing.
            None => (0..n)
                .map(|i| {
                    let mut best = 0;
                    for c in 0..scores.len() {
                        if scores[c][i].is_nan() {
                            return usize::MAX;
                        }
                        if scores[c][i] > scores[best][i] {
                            best = c;
                        }
                    }
                    best
                })
                .collect(),
        };
        let labels = match label_column(data, side, options)? {
            Some(array) => read::classes(&array, side, &options.target, &names)?
                .into_iter()
                .map(|c| c.map_or(f64::NAN, |c| c as f64))
                .collect(),
            None => vec![f64::NAN; n],
        };
        (scores, predicted, labels)
    };
    let times = match &options.time {
        Some(name) => Some(read::times(
            &read::required(data, side, name, "time")?,
            side,
            name,
        )?),
        None => None,
    };
    let usable = |i: usize| {
        scores.iter().all(|c| !c[i].is_nan())
            && predicted.get(i).is_none_or(|p| *p != usize::MAX)
            && (side == Side::Current || !labels[i].is_nan())
            && (matches!(chunking, Chunking::Rows(_))
                || times.as_ref().is_some_and(|t| t[i].is_some()))
    };
    let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| usable(i)).collect();
    let dropped = labels.len() - rows.len();
    let time_bound = |micros: i64| {
        Bound::Time(format_instant_micros(micros).unwrap_or_else(|| format!("{micros}µs")))
    };
    let chunks = match chunking {
        Chunking::Rows(size) => (0..rows.len())
            .step_by(size)
            .map(|start| {
                let end = (start + size).min(rows.len());
                (
                    start..end,
                    Bound::Row(rows[start]),
                    Bound::Row(rows[end - 1] + 1),
                )
            })
            .collect(),
        Chunking::Period(length) => {
            let times = times.as_ref().expect("checked: periods need times");
            let length = length.micros();
            let period = |i: usize| {
                times[i]
                    .expect("usable rows have a time")
                    .div_euclid(length)
            };
            // Stable: rows keep their file order within a period.
            rows.sort_by_key(|&i| period(i));
            let mut chunks = Vec::new();
            let mut start = 0;
            while start < rows.len() {
                let p = period(rows[start]);
                let end = start + rows[start..].partition_point(|&i| period(i) == p);
                chunks.push((
                    start..end,
                    time_bound(p * length),
                    time_bound((p + 1) * length),
                ));
                start = end;
            }
            chunks
        }
    };
    Ok(Prepared {
        scores: scores
            .iter()
            .map(|c| rows.iter().map(|&i| c[i]).collect())
            .collect(),
        predicted: if predicted.is_empty() {
            Vec::new()
        } else {
            rows.iter().map(|&i| predicted[i]).collect()
        },
        labels: rows.iter().map(|&i| labels[i]).collect(),
        chunks,
        dropped,
    })
}

fn chunk_reports(fitted: &Fitted, data: &Prepared, threads: usize) -> Vec<ChunkReport> {
    map_ordered(&data.chunks, threads, |(range, start, end)| {
        let labels = &data.labels[range.clone()];
        let estimates = fitted.estimate(data, range.clone());
        let map = |field: fn(&Estimate) -> f64| {
            estimates
                .iter()
                .map(|e| (e.metric.as_str(), Some(field(e)).filter(|v| v.is_finite())))
                .collect()
        };
        let alerts: Vec<&'static str> = estimates
            .iter()
            .filter(|e| e.alert)
            .map(|e| e.metric.as_str())
            .collect();
        let realized_alerts: Vec<&'static str> = estimates
            .iter()
            .zip(fitted.metrics())
            .filter(|(e, fit)| e.realized < fit.lower_threshold)
            .map(|(e, _)| e.metric.as_str())
            .collect();
        ChunkReport {
            start: start.clone(),
            end: end.clone(),
            rows: range.len(),
            labelled: labels.iter().filter(|l| !l.is_nan()).count(),
            estimated: map(|e| e.estimated),
            sampling_error: map(|e| e.sampling_error),
            lower: map(|e| e.lower),
            upper: map(|e| e.upper),
            realized: map(|e| e.realized),
            alert: !alerts.is_empty() || !realized_alerts.is_empty(),
            alerts,
            realized_alerts,
        }
    })
}

/// The metrics `seismo estimate` reports when none are named: the five the confusion
/// matrix and ranking give most users (specificity on request).
pub const DEFAULT_METRICS: [Metric; 5] = [
    Metric::RocAuc,
    Metric::Accuracy,
    Metric::Precision,
    Metric::Recall,
    Metric::F1,
];
