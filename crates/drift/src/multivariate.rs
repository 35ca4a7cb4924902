//! Drift of the joint distribution: the tested columns of both datasets encoded as one
//! matrix each, and a test between the two (MMD, as Alibi Detect's `MMDDrift`; the other
//! method, reconstruction error, is in `reconstruction.rs`).
//!
//! Encoding, fitted on the reference:
//! - a numeric column is standardised, `(x − mean) / sd` with the reference's mean and sample
//!   standard deviation (1 when it is 0); a missing value (null, NaN, ±∞) becomes 0, the
//!   reference mean;
//! - a categorical or boolean column becomes one 0/1 indicator per reference category, for
//!   its [`CATEGORY_INDICATORS`] most frequent values (ties by name), plus one for every other
//!   value, new ones in the current data included; a null is the category `(null)`.
//!
//! So a number moves the distance by its spread and a category by a whole indicator; the
//! median-heuristic bandwidth then scales the kernel to the data.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use ndarray::Array2;
use seismo_core::{ColumnKind, Dataset};
use seismo_stats::multivariate::{MmdEstimate, MmdMatrixOptions, mmd_matrix};
use serde::Serialize;

/// The category a null is, for the MMD encoding.
const NULL: &str = "(null)";

/// Categories per column that get their own indicator.
pub const CATEGORY_INDICATORS: usize = 20;

/// How to test the joint distribution.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MultivariateOptions {
    /// Relabellings for MMD's permutation p-value.
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// The p-value below which the joint distribution counts as drifted.
    pub alpha: f64,
    /// Pooled rows up to this get the quadratic MMD estimate; more, the linear-time one.
    pub max_quadratic: usize,
    /// Threads for the kernel (the result does not depend on it).
    pub threads: usize,
}

impl Default for MultivariateOptions {
    fn default() -> Self {
        Self {
            permutations: 100,
            seed: 0,
            alpha: 0.05,
            max_quadratic: 20_000,
            threads: 1,
        }
    }
}

/// The joint drift of the tested columns, by the method asked for (`method` in JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum MultivariateDrift {
    /// Maximum mean discrepancy.
    Mmd(MmdDrift),
    /// Data reconstruction error (NannyML's PCA drift).
    Reconstruction(crate::reconstruct::ReconstructionDrift),
}

impl MultivariateDrift {
    /// Whether the joint distribution drifted.
    pub fn drifted(&self) -> bool {
        match self {
            Self::Mmd(m) => m.drifted,
            Self::Reconstruction(r) => r.drifted,
        }
    }
}

/// The joint drift of the tested columns by MMD.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MmdDrift {
    /// The columns tested together, in schema order.
    pub columns: Vec<String>,
    /// The width of the encoded rows (a number is one, a category one per indicator).
    pub encoded_features: usize,
    /// Reference rows.
    pub reference_rows: usize,
    /// Current rows.
    pub current_rows: usize,
    /// MMD² between the encoded rows.
    pub statistic: f64,
    /// The permutation (or, for the linear estimate, normal) p-value.
    pub p_value: f64,
    /// The MMD² above which the test rejects at `alpha` (quadratic estimate).
    pub threshold: Option<f64>,
    /// The p-value below which it counts as drifted.
    pub alpha: f64,
    /// The kernel bandwidth σ (the median heuristic on the reference).
    pub bandwidth: f64,
    /// `quadratic` (permutations) or `linear`.
    pub estimate: MmdEstimate,
    /// Permutations run.
    pub permutations: usize,
    /// Whether the joint distribution drifted: `p_value < alpha`.
    pub drifted: bool,
}

/// One column's encoding, fitted on the reference.
enum Encoding {
    Number {
        mean: f64,
        sd: f64,
    },
    /// The reference's top categories, in indicator order; one more indicator for others.
    Categories(Vec<String>),
}

/// Tests the joint distribution of `columns` (each of the kind given) between the datasets.
pub fn multivariate(
    reference: &Dataset,
    current: &Dataset,
    columns: &[(String, ColumnKind)],
    options: &MultivariateOptions,
) -> Result<MmdDrift, String> {
    if columns.is_empty() {
        return Err("no column to test together".into());
    }
    let mut encodings = Vec::with_capacity(columns.len());
    for (name, kind) in columns {
        let values = read(reference, name, *kind)?;
        encodings.push(fit(&values));
    }
    let x = encode(reference, columns, &encodings)?;
    let y = encode(current, columns, &encodings)?;
    let mut mmd = MmdMatrixOptions::default();
    mmd.permutations = options.permutations;
    mmd.seed = options.seed;
    mmd.alpha = options.alpha;
    mmd.max_quadratic = options.max_quadratic;
    mmd.threads = options.threads;
    let outcome = mmd_matrix(x.view(), y.view(), &mmd).map_err(|e| e.to_string())?;
    Ok(MmdDrift {
        columns: columns.iter().map(|(c, _)| c.clone()).collect(),
        encoded_features: x.ncols(),
        reference_rows: x.nrows(),
        current_rows: y.nrows(),
        statistic: outcome.statistic,
        p_value: outcome.p_value,
        threshold: outcome.threshold,
        alpha: options.alpha,
        bandwidth: outcome.bandwidth,
        estimate: outcome.estimate,
        permutations: outcome.permutations,
        drifted: outcome.p_value < options.alpha,
    })
}

/// A column's values, a row each: numbers (missing as NaN) or labels (null as `None`).
pub(crate) enum Column {
    Numbers(Vec<f64>),
    Labels(Vec<Option<String>>),
}

pub(crate) fn read(dataset: &Dataset, name: &str, kind: ColumnKind) -> Result<Column, String> {
    let index = dataset
        .arrow_schema()
        .index_of(name)
        .map_err(|_| format!("column `{name}` is not in the data"))?;
    let arrays: Vec<&ArrayRef> = dataset.batches().iter().map(|b| b.column(index)).collect();
    let cast = |array: &ArrayRef, to: &DataType| {
        arrow_cast::cast(array, to).map_err(|e| format!("column `{name}`: {e}"))
    };
    match kind {
        ColumnKind::Numeric => {
            let mut out = Vec::with_capacity(dataset.num_rows());
            for array in arrays {
                let floats = cast(array, &DataType::Float64)?;
                let floats = floats.as_primitive::<Float64Type>();
                out.extend((0..floats.len()).map(|i| {
                    let v = floats.value(i);
                    if floats.is_null(i) || !v.is_finite() {
                        f64::NAN
                    } else {
                        v
                    }
                }));
            }
            Ok(Column::Numbers(out))
        }
        ColumnKind::Categorical | ColumnKind::Boolean => {
            let mut out = Vec::with_capacity(dataset.num_rows());
            for array in arrays {
                let text: Arc<dyn Array> = cast(array, &DataType::Utf8)?;
                let text = text.as_string::<i32>();
                out.extend(
                    (0..text.len()).map(|i| (!text.is_null(i)).then(|| text.value(i).to_string())),
                );
            }
            Ok(Column::Labels(out))
        }
        other => Err(format!("column `{name}` is {other:?}: not tested together")),
    }
}

fn fit(values: &Column) -> Encoding {
    match values {
        Column::Numbers(x) => {
            let seen: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
            let n = seen.len() as f64;
            let mean = if seen.is_empty() {
                0.0
            } else {
                seen.iter().sum::<f64>() / n
            };
            let var = seen.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
            let sd = if n > 1.0 && var > 0.0 {
                var.sqrt()
            } else {
                1.0
            };
            Encoding::Number { mean, sd }
        }
        Column::Labels(labels) => {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for label in labels {
                *counts.entry(label.as_deref().unwrap_or(NULL)).or_default() += 1;
            }
            let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            Encoding::Categories(
                ranked
                    .into_iter()
                    .take(CATEGORY_INDICATORS)
                    .map(|(l, _)| l.to_string())
                    .collect(),
            )
        }
    }
}

fn encode(
    dataset: &Dataset,
    columns: &[(String, ColumnKind)],
    encodings: &[Encoding],
) -> Result<Array2<f64>, String> {
    let width: usize = encodings
        .iter()
        .map(|e| match e {
            Encoding::Number { .. } => 1,
            Encoding::Categories(c) => c.len() + 1,
        })
        .sum();
    let rows = dataset.num_rows();
    let mut out = Array2::<f64>::zeros((rows, width));
    let mut at = 0;
    for ((name, kind), encoding) in columns.iter().zip(encodings) {
        match (read(dataset, name, *kind)?, encoding) {
            (Column::Numbers(x), Encoding::Number { mean, sd }) => {
                for (i, v) in x.iter().enumerate() {
                    out[[i, at]] = if v.is_nan() { 0.0 } else { (v - mean) / sd };
                }
                at += 1;
            }
            (Column::Labels(labels), Encoding::Categories(categories)) => {
                let index: BTreeMap<&str, usize> = categories
                    .iter()
                    .enumerate()
                    .map(|(k, c)| (c.as_str(), k))
                    .collect();
                for (i, label) in labels.iter().enumerate() {
                    let k = index
                        .get(label.as_deref().unwrap_or(NULL))
                        .copied()
                        .unwrap_or(categories.len());
                    out[[i, at + k]] = 1.0;
                }
                at += categories.len() + 1;
            }
            _ => return Err(format!("column `{name}` changed kind between the datasets")),
        }
    }
    Ok(out)
}
