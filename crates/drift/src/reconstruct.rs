//! Data reconstruction drift, as NannyML's `DataReconstructionDriftCalculator` computes it:
//! how far rows lie from the principal components of the reference rows.
//!
//! Fitted on the reference: numbers imputed with their mean; each category (and boolean)
//! replaced by its share of the reference rows (a value the reference never had: 0), a null
//! counting as a value of its own. (NannyML imputes categories with their most frequent
//! value first, but its imputer looks for NaN, and pandas holds a missing string as `None`,
//! which the imputer keeps and the count encoder then counts: a null is its own category in
//! NannyML's results, and in seismo's.) Every column is then standardised
//! (population standard deviation; 1 when it is 0), and the principal components that explain
//! more than 65% of the variance kept ([`Pca`]). A row's reconstruction error is its distance
//! from their span.
//!
//! Both datasets are cut into chunks of `chunk_size` rows in order (the last chunk keeps the
//! remainder); a chunk's value is its rows' mean error, with the sampling error
//! `sd(errors, n − 1) / √n` and a band of ±3 of those (the lower end at least 0). The
//! thresholds are the reference chunks' mean ± 3 standard deviations (population), the lower
//! one dropped when it is not above 0; a current chunk outside them alerts.

use seismo_core::{ColumnKind, Dataset};
use seismo_stats::multivariate::Pca;
use seismo_stats::threshold::sigma_band;
use serde::Serialize;

use crate::encoded::standardised;

/// The share of variance the kept components explain (NannyML's default).
pub const VARIANCE: f64 = 0.65;

/// One chunk's reconstruction error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconstructionChunk {
    /// Its first row (0-based, in its dataset).
    pub start: usize,
    /// Rows in it.
    pub rows: usize,
    /// The mean reconstruction error of its rows.
    pub value: f64,
    /// The standard error of that mean.
    pub sampling_error: f64,
    /// `value ± 3 · sampling_error`, the lower end at least 0.
    pub lower: f64,
    /// The upper end of the band.
    pub upper: f64,
    /// Whether the value lies outside the thresholds.
    pub alert: bool,
}

/// A column's part in the residuals: the mean |residual| of its standardised value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The column.
    pub column: String,
    /// Over the reference rows.
    pub reference: f64,
    /// Over the current rows.
    pub current: f64,
}

/// The reconstruction drift of the tested columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconstructionDrift {
    /// The columns tested together.
    pub columns: Vec<String>,
    /// Principal components kept.
    pub components: usize,
    /// Rows per chunk.
    pub chunk_size: usize,
    /// The reference's chunks (their values make the thresholds).
    pub reference_chunks: Vec<ReconstructionChunk>,
    /// The current data's chunks.
    pub chunks: Vec<ReconstructionChunk>,
    /// A chunk above this alerts.
    pub upper_threshold: f64,
    /// A chunk below this alerts (`None` when the reference's spread reaches 0).
    pub lower_threshold: Option<f64>,
    /// The mean reconstruction error of all current rows.
    pub statistic: f64,
    /// Per column, the largest rise from the reference first.
    pub contributions: Vec<Contribution>,
    /// Whether a current chunk alerted.
    pub drifted: bool,
}

/// Reconstruction drift of `columns` between the datasets, in chunks of `chunk_size` rows
/// (`None`: a tenth of the reference, as NannyML's default chunker).
///
/// Columns are encoded and the principal components fitted and applied on `threads`
/// threads; the result is the same bits on any count.
pub fn reconstruction(
    reference: &Dataset,
    current: &Dataset,
    columns: &[(String, ColumnKind)],
    chunk_size: Option<usize>,
    threads: usize,
) -> Result<ReconstructionDrift, String> {
    if columns.is_empty() {
        return Err("no column to test together".into());
    }
    let chunk_size = chunk_size.unwrap_or(reference.num_rows() / 10);
    if chunk_size < 2 {
        return Err(format!(
            "chunks of {chunk_size} rows are too small (the reference has {} rows)",
            reference.num_rows()
        ));
    }
    if reference.num_rows() < 2 {
        return Err("the reference needs two rows".into());
    }
    let (x, y) = standardised(reference, current, columns, threads)?;
    let pca = Pca::fit(&x, VARIANCE, threads).map_err(|e| e.to_string())?;
    let (x_errors, x_sums) = pca.errors_and_residuals(&x, threads);
    let (y_errors, y_sums) = pca.errors_and_residuals(&y, threads);
    let reference_values: Vec<f64> = chunk(&x_errors, chunk_size)
        .iter()
        .map(|c| c.value)
        .collect();
    let (lower, upper_threshold) =
        sigma_band(&reference_values, 3.0).ok_or("the reference has no chunks")?;
    let lower_threshold = Some(lower).filter(|l| *l > 0.0);
    let judge = |mut chunks: Vec<ReconstructionChunk>| {
        for c in &mut chunks {
            c.alert = !(lower_threshold.unwrap_or(f64::NEG_INFINITY) < c.value
                && c.value < upper_threshold);
        }
        chunks
    };
    let reference_chunks = judge(chunk(&x_errors, chunk_size));
    let chunks = judge(chunk(&y_errors, chunk_size));
    let mut contributions: Vec<Contribution> = columns
        .iter()
        .enumerate()
        .map(|(j, (name, _))| Contribution {
            column: name.clone(),
            reference: x_sums[j] / x_errors.len().max(1) as f64,
            current: y_sums[j] / y_errors.len().max(1) as f64,
        })
        .collect();
    // The columns whose residuals grew most first: where the rows stopped fitting.
    contributions.sort_by(|a, b| {
        (b.current - b.reference)
            .total_cmp(&(a.current - a.reference))
            .then(a.column.cmp(&b.column))
    });
    let statistic = y_errors.iter().sum::<f64>() / y_errors.len().max(1) as f64;
    Ok(ReconstructionDrift {
        columns: columns.iter().map(|(c, _)| c.clone()).collect(),
        components: pca.kept(),
        chunk_size,
        drifted: chunks.iter().any(|c| c.alert),
        reference_chunks,
        chunks,
        upper_threshold,
        lower_threshold,
        statistic,
        contributions,
    })
}

/// Consecutive chunks of `size` errors (the last one the remainder), each with its mean,
/// sampling error and band; not yet judged.
fn chunk(errors: &[f64], size: usize) -> Vec<ReconstructionChunk> {
    errors
        .chunks(size)
        .enumerate()
        .map(|(k, c)| {
            let n = c.len() as f64;
            let value = c.iter().sum::<f64>() / n;
            let sd = (c.iter().map(|v| (v - value) * (v - value)).sum::<f64>() / (n - 1.0)).sqrt();
            let sampling_error = sd / n.sqrt();
            ReconstructionChunk {
                start: k * size,
                rows: c.len(),
                value,
                sampling_error,
                lower: (value - 3.0 * sampling_error).max(0.0),
                upper: value + 3.0 * sampling_error,
                alert: false,
            }
        })
        .collect()
}
