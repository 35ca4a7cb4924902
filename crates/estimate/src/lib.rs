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
use seismo_stats::cbpe::{Cbpe, Estimate};
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
    /// The score column (a probability of the positive class).
    pub prediction: String,
    /// The label column (0/1 or boolean); needed in the reference, used in the current data
    /// where present (missing values are labels that have not arrived).
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
    /// Whether the scores were calibrated on the reference.
    pub calibrated: bool,
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
    scores: Vec<f64>,
    labels: Vec<f64>,
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
    if reference.scores.is_empty() {
        return Err(EstimateError::data(
            Side::Reference,
            format!(
                "no row has both a score (`{}`) and a label (`{}`)",
                options.prediction, options.target
            ),
        ));
    }
    let reference_ranges: Vec<Range<usize>> =
        reference.chunks.iter().map(|c| c.0.clone()).collect();
    let cbpe = Cbpe::fit(
        &reference.scores,
        &reference.labels,
        &reference_ranges,
        &options.cbpe,
    )
    .map_err(|e| EstimateError::data(Side::Reference, e.to_string()))?;
    let threads = options.cbpe.threads.max(1);
    let reference_chunks = chunk_reports(&cbpe, &reference, threads);
    let chunks = chunk_reports(&cbpe, &current, threads);
    let finite = |v: f64| v.is_finite().then_some(v);
    Ok(EstimateReport {
        prediction: options.prediction.clone(),
        target: options.target.clone(),
        threshold: options.cbpe.threshold,
        calibration: options.cbpe.calibration.as_str(),
        calibrated: cbpe.calibrated(),
        chunking: match chunking {
            Chunking::Rows(_) => "rows",
            Chunking::Period(_) => "period",
        },
        chunk: match chunking {
            Chunking::Rows(n) => n.to_string(),
            Chunking::Period(length) => length.to_string(),
        },
        reference_rows: reference.scores.len(),
        reference_dropped: reference.dropped,
        current_dropped: current.dropped,
        metrics: cbpe
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

/// Reads a dataset's scores and labels and cuts it into chunks; the reference keeps only
/// rows with a label.
fn prepare(
    data: &Dataset,
    side: Side,
    options: &EstimateOptions,
    chunking: Chunking,
) -> Result<Prepared, EstimateError> {
    let scores = read::scores(
        &read::required(data, side, &options.prediction, "prediction")?,
        side,
        &options.prediction,
    )?;
    let labels = match side {
        Side::Reference => Some(read::required(data, side, &options.target, "target")?),
        Side::Current => read::optional(data, side, &options.target)?,
    };
    let labels = match labels {
        Some(array) => read::labels(&array, side, &options.target)?,
        None => vec![f64::NAN; scores.len()],
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
        !scores[i].is_nan()
            && (side == Side::Current || !labels[i].is_nan())
            && (matches!(chunking, Chunking::Rows(_))
                || times.as_ref().is_some_and(|t| t[i].is_some()))
    };
    let mut rows: Vec<usize> = (0..scores.len()).filter(|&i| usable(i)).collect();
    let dropped = scores.len() - rows.len();
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
        scores: rows.iter().map(|&i| scores[i]).collect(),
        labels: rows.iter().map(|&i| labels[i]).collect(),
        chunks,
        dropped,
    })
}

fn chunk_reports(cbpe: &Cbpe, data: &Prepared, threads: usize) -> Vec<ChunkReport> {
    map_ordered(&data.chunks, threads, |(range, start, end)| {
        let labels = &data.labels[range.clone()];
        let estimates = cbpe.estimate(&data.scores[range.clone()], Some(labels));
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
            .zip(cbpe.metrics())
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
