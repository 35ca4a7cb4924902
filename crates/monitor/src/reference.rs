//! A model's reference: what windows are compared with. From reference records, every
//! feature's bins come from the values; from a saved profile, from its sketches (deciles)
//! and value counts. Either way the reference is summarized as a window would be.

use std::collections::HashMap;

use crate::invalid::Invalid;
use seismo_core::Dataset;
use seismo_stats::distance::sketch_decile_edges;
use seismo_stats::profile::{ColumnProfile, Profile};

use crate::columns::{self, FeatureSchema, PREDICTION};
use crate::model::Model;
use crate::record::{Columns, ModelSpec};
use crate::window::{FeatureCounts, Summary};
use seismo_core::ColumnKind;

/// How a feature's values fall into bins, fixed from the reference so windows compare bin
/// by bin: numbers by the reference's deciles, labels by the reference's most frequent
/// values (and one bin for any other), booleans false and true.
#[derive(Debug, Clone)]
pub enum Binning {
    /// Interior edges; a value `x` falls in the bin of the first edge `>= x`.
    Numbers(Vec<f64>),
    /// Bin by label; bin `len()` holds every other label.
    Labels(HashMap<String, usize>),
    /// False, true.
    Booleans,
    /// Free text is not binned.
    None,
}

/// Labels kept as their own bin; the rest share one.
const MAX_LABEL_BINS: usize = 100;

impl Binning {
    fn of(kind: ColumnKind, column: &crate::record::FeatureValues, n: usize) -> Self {
        match kind {
            ColumnKind::Numeric | ColumnKind::Datetime => {
                let mut values: Vec<f64> = column
                    .numbers
                    .iter()
                    .copied()
                    .filter(|x| !x.is_nan())
                    .collect();
                values.sort_by(f64::total_cmp);
                if values.is_empty() {
                    return Self::Numbers(Vec::new());
                }
                let mut edges: Vec<f64> = (1..10)
                    .map(|d| values[(values.len() - 1) * d / 10])
                    .collect();
                edges.dedup();
                Self::Numbers(edges)
            }
            ColumnKind::Categorical => {
                let nulls = columns::null_mask(column, n);
                let mut counts: HashMap<&str, u64> = HashMap::new();
                for (t, null) in column.texts.iter().zip(nulls) {
                    if !null {
                        *counts.entry(t).or_default() += 1;
                    }
                }
                let mut labels: Vec<(&str, u64)> = counts.into_iter().collect();
                labels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                labels.truncate(MAX_LABEL_BINS);
                Self::Labels(
                    labels
                        .into_iter()
                        .enumerate()
                        .map(|(i, (l, _))| (l.to_owned(), i))
                        .collect(),
                )
            }
            ColumnKind::Boolean => Self::Booleans,
            ColumnKind::Text => Self::None,
        }
    }

    /// How many bins.
    pub fn bins(&self) -> usize {
        match self {
            Self::Numbers(edges) => edges.len() + 1,
            Self::Labels(labels) => labels.len() + 1,
            Self::Booleans => 2,
            Self::None => 0,
        }
    }

    /// Adds a column's non-null values to `counts` (one per bin).
    pub fn count(&self, column: &crate::record::FeatureValues, nulls: &[bool], counts: &mut [u64]) {
        match self {
            Self::Numbers(edges) => {
                for &x in &column.numbers {
                    if !x.is_nan() {
                        counts[edges.partition_point(|&e| e < x)] += 1;
                    }
                }
            }
            Self::Labels(labels) => {
                for (t, &null) in column.texts.iter().zip(nulls) {
                    if !null {
                        counts[labels.get(t).copied().unwrap_or(labels.len())] += 1;
                    }
                }
            }
            Self::Booleans => {
                for (&b, &null) in column.booleans.iter().zip(nulls) {
                    if !null {
                        counts[usize::from(b)] += 1;
                    }
                }
            }
            Self::None => {}
        }
    }
}

/// What windows are compared with.
pub enum Reference {
    /// Reference records: every detector, exact drift tests, rules and performance.
    Rows {
        /// As columns.
        columns: Box<Columns>,
        /// As a dataset, for reports.
        data: Dataset,
    },
    /// A saved profile: sketches only.
    Profile(Box<Profile>),
}

/// The reference from its records: the records as columns and a dataset, and the bins.
pub fn from_rows(
    spec: &ModelSpec,
    schema: &FeatureSchema,
) -> Result<(Reference, Vec<Binning>), Invalid> {
    let columns = columns::normalize(spec.reference.clone().unwrap_or_default(), schema)?;
    let n = columns::len(&columns);
    if n == 0 {
        return Err(Invalid::new(
            "reference, reference_profile: reference records or a saved profile are needed",
        ));
    }
    let bins = columns
        .features
        .iter()
        .zip(&schema.features)
        .map(|(column, (_, kind))| Binning::of(*kind, column, n))
        .collect();
    let data = columns::to_dataset(&columns, schema);
    let columns = Box::new(columns);
    Ok((Reference::Rows { columns, data }, bins))
}

/// The reference from a saved profile: each feature's bins from its sketch (deciles) or
/// value counts (the most frequent labels).
pub fn from_profile(
    spec: &ModelSpec,
    schema: &FeatureSchema,
) -> Result<(Reference, Vec<Binning>), Invalid> {
    let mut profile = Profile::from_json(&spec.reference_profile)
        .map_err(|e| Invalid::new(format!("reference_profile: {e}")))?;
    // The prediction goes by `prediction` in the service (windows, reports, rules).
    let named = match spec.profile_prediction_column.as_str() {
        "" => PREDICTION,
        name => name,
    };
    if profile.column(named).is_none() {
        return Err(Invalid::new(format!(
            "profile_prediction_column: the profile has no column `{named}` (it has: {})",
            profile
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    profile
        .columns
        .retain(|c| c.name == named || c.name != PREDICTION);
    for column in &mut profile.columns {
        if column.name == named {
            column.name = PREDICTION.to_owned();
        }
    }
    let mut bins = Vec::new();
    for (name, kind) in &schema.features {
        let column = profile_column(&profile, name)?;
        let fits = match kind {
            ColumnKind::Numeric | ColumnKind::Datetime => column.quantiles.is_some(),
            ColumnKind::Categorical | ColumnKind::Boolean => column.frequent.is_some(),
            ColumnKind::Text => true,
        };
        if !fits {
            return Err(Invalid::new(format!(
                "reference_profile: column `{name}` was profiled as {}, the schema says {}",
                column.kind.as_str(),
                kind.as_str()
            )));
        }
        bins.push(match kind {
            ColumnKind::Numeric | ColumnKind::Datetime => Binning::Numbers(
                column
                    .quantiles
                    .as_ref()
                    .map(sketch_decile_edges)
                    .unwrap_or_default(),
            ),
            ColumnKind::Categorical => Binning::Labels(
                column
                    .frequent
                    .as_ref()
                    .map(|f| f.top(MAX_LABEL_BINS))
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| (item.value.to_string(), i))
                    .collect(),
            ),
            ColumnKind::Boolean => Binning::Booleans,
            ColumnKind::Text => Binning::None,
        });
    }
    Ok((Reference::Profile(Box::new(profile)), bins))
}

fn profile_column<'a>(profile: &'a Profile, name: &str) -> Result<&'a ColumnProfile, Invalid> {
    profile.column(name).ok_or_else(|| {
        let names: Vec<&str> = profile.columns.iter().map(|c| c.name.as_str()).collect();
        Invalid::new(format!(
            "reference_profile: no column `{name}` (the profile has: {})",
            names.join(", ")
        ))
    })
}

/// A profile summarized as a window would be, and its prediction column.
pub fn profile_summary<'a>(
    profile: &'a Profile,
    model: &Model,
) -> Result<(Summary, &'a ColumnProfile), Invalid> {
    let prediction = profile_column(profile, PREDICTION)?;
    let Some(sketch) = prediction.quantiles.as_ref().filter(|q| q.count() > 0) else {
        return Err(Invalid::new(format!(
            "profile_prediction_column: `{}` holds no numbers in the profile",
            model.spec.profile_prediction_column
        )));
    };
    let mut features = Vec::new();
    for ((name, _), binning) in model.schema.features.iter().zip(&model.bins) {
        let column = profile_column(profile, name)?;
        let values = column.rows - column.nulls - column.nan;
        let bins = match binning {
            Binning::Numbers(edges) => column
                .quantiles
                .as_ref()
                .and_then(|q| q.shares(edges))
                .unwrap_or_default()
                .iter()
                .map(|share| (share * values as f64).round() as u64)
                .collect(),
            Binning::Labels(labels) => {
                let mut counts = vec![0; labels.len() + 1];
                let top = column
                    .frequent
                    .as_ref()
                    .map(|f| f.top(MAX_LABEL_BINS))
                    .unwrap_or_default();
                for item in top {
                    if let Some(&bin) = labels.get(item.value.as_str()) {
                        counts[bin] = item.count;
                    }
                }
                counts[labels.len()] = values.saturating_sub(counts.iter().sum());
                counts
            }
            Binning::Booleans => {
                let count = |value: &str| {
                    column
                        .frequent
                        .as_ref()
                        .map(|f| f.top(2))
                        .unwrap_or_default()
                        .into_iter()
                        .find(|item| item.value == value)
                        .map_or(0, |item| item.count)
                };
                vec![count("false"), count("true")]
            }
            Binning::None => Vec::new(),
        };
        features.push(FeatureCounts {
            nulls: column.nulls + column.nan,
            bins,
        });
    }
    let count = sketch.count();
    Ok((
        Summary {
            count,
            sum: prediction.moments.mean().unwrap_or(0.0) * count as f64,
            predictions: sketch.clone(),
            features,
            violations: 0,
            cusum_signals: 0,
            expected_correct: 0.0,
        },
        prediction,
    ))
}
