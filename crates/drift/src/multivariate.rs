//! Drift of the joint distribution: the tested columns of both datasets encoded as one
//! matrix each, and a test between the two (MMD, as Alibi Detect's `MMDDrift`; the other
//! methods, reconstruction error and a domain classifier, are in `reconstruct.rs` and
//! `domain.rs`).
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

use std::collections::HashMap;

use ndarray::Array2;
use seismo_core::{ColumnKind, Dataset};
use seismo_stats::multivariate::{MmdEstimate, MmdMatrixOptions, mmd_matrix};
use serde::Serialize;

use crate::columns::{Reading, each_label, each_number};

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
    /// A domain classifier's cross-validated ROC AUC.
    Classifier(crate::domain::ClassifierDrift),
}

impl MultivariateDrift {
    /// The columns tested together.
    pub fn columns(&self) -> &[String] {
        match self {
            Self::Mmd(m) => &m.columns,
            Self::Reconstruction(r) => &r.columns,
            Self::Classifier(c) => &c.columns,
        }
    }

    /// Whether the joint distribution drifted.
    pub fn drifted(&self) -> bool {
        match self {
            Self::Mmd(m) => m.drifted,
            Self::Reconstruction(r) => r.drifted,
            Self::Classifier(c) => c.drifted,
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
    let encodings = columns
        .iter()
        .map(|(name, kind)| fit(reference, name, *kind))
        .collect::<Result<Vec<_>, _>>()?;
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

/// The encoding of column `name` of the reference.
fn fit(reference: &Dataset, name: &str, kind: ColumnKind) -> Result<Encoding, String> {
    Ok(match Reading::of(name, kind)? {
        Reading::Numbers => {
            let mut seen = Vec::with_capacity(reference.num_rows());
            each_number(reference, name, |v| {
                if !v.is_nan() {
                    seen.push(v);
                }
            })?;
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
        Reading::Labels => {
            let mut counts: HashMap<String, usize> = HashMap::new();
            each_label(reference, name, |label| {
                let label = label.unwrap_or(NULL);
                match counts.get_mut(label) {
                    Some(c) => *c += 1,
                    None => {
                        counts.insert(label.to_string(), 1);
                    }
                }
            })?;
            let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.truncate(CATEGORY_INDICATORS);
            Encoding::Categories(ranked.into_iter().map(|(l, _)| l).collect())
        }
    })
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
    let mut out = Array2::<f64>::zeros((dataset.num_rows(), width));
    let mut at = 0;
    for ((name, _), encoding) in columns.iter().zip(encodings) {
        let mut row = 0;
        match encoding {
            Encoding::Number { mean, sd } => {
                each_number(dataset, name, |v| {
                    out[[row, at]] = if v.is_nan() { 0.0 } else { (v - mean) / sd };
                    row += 1;
                })?;
                at += 1;
            }
            Encoding::Categories(categories) => {
                let index: HashMap<&str, usize> = categories
                    .iter()
                    .enumerate()
                    .map(|(k, c)| (c.as_str(), k))
                    .collect();
                each_label(dataset, name, |label| {
                    let k = index
                        .get(label.unwrap_or(NULL))
                        .copied()
                        .unwrap_or(categories.len());
                    out[[row, at + k]] = 1.0;
                    row += 1;
                })?;
                at += categories.len() + 1;
            }
        }
    }
    Ok(out)
}
