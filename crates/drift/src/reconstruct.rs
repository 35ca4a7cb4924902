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

use std::sync::Mutex;

use ndarray::{Array2, ArrayView1, ShapeBuilder};
use seismo_core::{ColumnKind, Dataset};
use seismo_stats::multivariate::Pca;
use seismo_stats::threshold::sigma_band;
use serde::Serialize;

use crate::columns::{Reading, each_label, each_number};
use crate::values::LabelMap;

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

/// How each column is encoded, fitted on the reference.
enum Fitted {
    /// A number; a missing one becomes `fill`, the reference mean.
    Number { fill: f64 },
    /// A category becomes its share of the reference rows; a null, the nulls' share.
    Category {
        shares: LabelMap<f64>,
        null_share: f64,
    },
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
    let mut x = Array2::<f64>::zeros((reference.num_rows(), columns.len()).f());
    let mut y = Array2::<f64>::zeros((current.num_rows(), columns.len()).f());
    // Each column encoded and standardised by one thread while its values are in cache.
    each_column_pair(&mut x, &mut y, threads, |j, x_column, y_column| {
        encode_column(reference, current, &columns[j], x_column, y_column)?;
        standardise(x_column, y_column);
        Ok(())
    })?;
    let pca = Pca::fit(x.view(), VARIANCE, threads).map_err(|e| e.to_string())?;
    let (x_errors, x_sums) = pca.errors_and_residuals(x.view(), threads);
    drop(x);
    let (y_errors, y_sums) = pca.errors_and_residuals(y.view(), threads);
    drop(y);
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

/// A reference column and the current column standardised on it, in place:
/// `(v − mean) / sd`, the population standard deviation as scikit-learn's `StandardScaler`
/// (two passes, as numpy's `var`), 1 where it is 0.
fn standardise(reference: &mut [f64], current: &mut [f64]) {
    let rows = reference.len().max(1) as f64;
    // ndarray's sum: its eight-lane order, as numpy's pairwise sum is nearly.
    let mean = ArrayView1::from(&*reference).sum() / rows;
    let variance = ArrayView1::from(&*reference)
        .iter()
        .map(|v| (v - mean) * (v - mean))
        .sum::<f64>()
        / rows;
    let sd = if variance > 0.0 { variance.sqrt() } else { 1.0 };
    for v in reference.iter_mut().chain(current.iter_mut()) {
        *v = (*v - mean) / sd;
    }
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

/// Both datasets' `columns` as one number per column: numbers as they are (a missing one
/// the reference mean), categories by their share of the reference rows (module docs).
/// A column at a time on `threads` threads, each written in place into column-major
/// matrices (a column's values side by side).
pub(crate) fn count_encoded(
    reference: &Dataset,
    current: &Dataset,
    columns: &[(String, ColumnKind)],
    threads: usize,
) -> Result<(Array2<f64>, Array2<f64>), String> {
    let mut x = Array2::<f64>::zeros((reference.num_rows(), columns.len()).f());
    let mut y = Array2::<f64>::zeros((current.num_rows(), columns.len()).f());
    each_column_pair(&mut x, &mut y, threads, |j, x_column, y_column| {
        encode_column(reference, current, &columns[j], x_column, y_column)
    })?;
    Ok((x, y))
}

/// One column of both datasets encoded as fitted on the reference, into its two slices.
fn encode_column(
    reference: &Dataset,
    current: &Dataset,
    (name, kind): &(String, ColumnKind),
    x_column: &mut [f64],
    y_column: &mut [f64],
) -> Result<(), String> {
    let fitted = fit(reference, name, *kind)?;
    encode(reference, name, &fitted, x_column)?;
    encode(current, name, &fitted, y_column)
}

/// `f(j, x_column, y_column)` for every column `j` of two column-major matrices of as many
/// columns, the columns handed out to `threads` threads; the first error, in column order.
fn each_column_pair(
    x: &mut Array2<f64>,
    y: &mut Array2<f64>,
    threads: usize,
    f: impl Fn(usize, &mut [f64], &mut [f64]) -> Result<(), String> + Sync,
) -> Result<(), String> {
    let (n, m, d) = (x.nrows(), y.nrows(), x.ncols());
    let xs = x
        .as_slice_memory_order_mut()
        .ok_or("a column-major matrix")?;
    let ys = y
        .as_slice_memory_order_mut()
        .ok_or("a column-major matrix")?;
    // Each column's two slices, handed to whichever thread takes it. A matrix of no rows
    // has no slices to split, so its columns are empty ones.
    let x_columns = xs
        .chunks_mut(n.max(1))
        .chain(std::iter::repeat_with(|| &mut [][..]));
    let y_columns = ys
        .chunks_mut(m.max(1))
        .chain(std::iter::repeat_with(|| &mut [][..]));
    let work: Vec<Mutex<(&mut [f64], &mut [f64])>> =
        x_columns.zip(y_columns).take(d).map(Mutex::new).collect();
    let indices: Vec<usize> = (0..work.len()).collect();
    seismo_stats::parallel::map_ordered(&indices, threads, |&j| {
        let mut pair = work[j].lock().unwrap_or_else(|p| p.into_inner());
        let (x_column, y_column) = &mut *pair;
        f(j, x_column, y_column)
    })
    .into_iter()
    .collect()
}

fn fit(dataset: &Dataset, name: &str, kind: ColumnKind) -> Result<Fitted, String> {
    Ok(match Reading::of(name, kind)? {
        Reading::Numbers => {
            let (mut sum, mut count) = (0.0, 0usize);
            each_number(dataset, name, |v| {
                if !v.is_nan() {
                    sum += v;
                    count += 1;
                }
            })?;
            Fitted::Number {
                fill: if count == 0 { 0.0 } else { sum / count as f64 },
            }
        }
        Reading::Labels => {
            let mut counts: LabelMap<usize> = LabelMap::default();
            let mut nulls = 0usize;
            each_label(dataset, name, |label| match label {
                None => nulls += 1,
                Some(l) => match counts.get_mut(l) {
                    Some(c) => *c += 1,
                    None => {
                        counts.insert(l.to_string(), 1);
                    }
                },
            })?;
            let total = dataset.num_rows().max(1) as f64;
            Fitted::Category {
                shares: counts
                    .into_iter()
                    .map(|(l, c)| (l, c as f64 / total))
                    .collect(),
                null_share: nulls as f64 / total,
            }
        }
    })
}

/// Column `name` of `dataset` encoded as `fitted` says, into `out` (a value per row).
fn encode(dataset: &Dataset, name: &str, fitted: &Fitted, out: &mut [f64]) -> Result<(), String> {
    let mut slots = out.iter_mut();
    let mut put = |v: f64| {
        if let Some(slot) = slots.next() {
            *slot = v;
        }
    };
    match fitted {
        Fitted::Number { fill } => each_number(dataset, name, |v| {
            put(if v.is_nan() { *fill } else { v });
        })?,
        Fitted::Category { shares, null_share } => each_label(dataset, name, |label| {
            put(match label {
                None => *null_share,
                Some(l) => shares.get(l).copied().unwrap_or(0.0),
            });
        })?,
    }
    Ok(())
}
