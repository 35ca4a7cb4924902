//! The profile of one column, updated batch by batch.

use arrow_array::Array;
use seismo_core::ColumnKind;
use serde::{Deserialize, Serialize};

use crate::error::StatsError;
use crate::sketch::{DistinctSketch, FrequentItems, Moments, QuantileSketch};
use crate::values::{count_booleans, count_strings, datetime_seconds, numeric_values};

/// Mergeable summaries of one column. Which parts are filled depends on the kind:
///
/// | kind | moments | quantiles | frequent |
/// |---|---|---|---|
/// | numeric | values | values | — |
/// | datetime | seconds since the epoch | seconds since the epoch | — |
/// | boolean | `true` as 1, `false` as 0 | — | `"true"`, `"false"` |
/// | categorical, text | — | — | values |
///
/// `nulls` counts Arrow nulls; `nan` counts NaN floats, kept apart because Arrow (unlike
/// pandas) treats NaN as a value. Neither enters the moments, quantiles or distinct count.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// The column name.
    pub name: String,
    /// The kind the column was profiled as.
    pub kind: ColumnKind,
    /// Rows seen, nulls included.
    pub rows: u64,
    /// Null values.
    pub nulls: u64,
    /// NaN values of float columns.
    pub nan: u64,
    /// Count, mean, variance, min and max of the values.
    pub moments: Moments,
    /// Quantiles of numeric and datetime values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantiles: Option<QuantileSketch>,
    /// Distinct values.
    pub distinct: DistinctSketch,
    /// Value counts of categorical, text and boolean columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequent: Option<FrequentItems>,
}

impl ColumnProfile {
    /// An empty profile of a column.
    pub fn new(name: impl Into<String>, kind: ColumnKind) -> Self {
        Self::seeded(name, kind, 0)
    }

    /// An empty profile of a column whose quantile sketch's coin starts from `seed`.
    pub fn seeded(name: impl Into<String>, kind: ColumnKind, seed: u64) -> Self {
        let ordered = matches!(kind, ColumnKind::Numeric | ColumnKind::Datetime);
        Self {
            name: name.into(),
            kind,
            rows: 0,
            nulls: 0,
            nan: 0,
            moments: Moments::default(),
            quantiles: ordered.then(|| QuantileSketch::seeded(QuantileSketch::DEFAULT_K, seed)),
            distinct: DistinctSketch::default(),
            frequent: (!ordered).then(FrequentItems::default),
        }
    }

    /// Adds the values of one array of the column.
    pub fn update(&mut self, array: &dyn Array) -> Result<(), StatsError> {
        self.rows += array.len() as u64;
        self.nulls += array.null_count() as u64;
        match self.kind {
            ColumnKind::Numeric => {
                let values = numeric_values(array).ok_or_else(|| self.type_error(array))?;
                self.add_ordered(values);
            }
            ColumnKind::Datetime => {
                let values = datetime_seconds(array).ok_or_else(|| self.type_error(array))?;
                self.add_ordered(values);
            }
            ColumnKind::Boolean => {
                let (falses, trues) =
                    count_booleans(array).ok_or_else(|| self.type_error(array))?;
                self.moments.merge(&bernoulli(falses, trues));
                self.add_label("false", falses);
                self.add_label("true", trues);
            }
            ColumnKind::Categorical | ColumnKind::Text => self.add_labels(array)?,
        }
        Ok(())
    }

    fn add_ordered(&mut self, mut values: Vec<f64>) {
        let before = values.len();
        values.retain(|v| !v.is_nan());
        self.nan += (before - values.len()) as u64;
        self.moments.merge(&Moments::from_slice(&values));
        if let Some(q) = &mut self.quantiles {
            q.extend(&values);
        }
        for &v in &values {
            self.distinct.update_f64(v);
        }
    }

    fn add_label(&mut self, label: &str, count: u64) {
        if count > 0 {
            if let Some(f) = &mut self.frequent {
                f.update(label, count);
            }
            self.distinct.update_str(label);
        }
    }

    /// Counts labels: strings as they are; numbers and booleans the user declared
    /// categorical by their text (`1`, `2.5`, `true`).
    fn add_labels(&mut self, array: &dyn Array) -> Result<(), StatsError> {
        let mut labels: Vec<(String, u64)> = Vec::new();
        let strings = count_strings(array, |s, n| {
            if let Some(f) = &mut self.frequent {
                f.update(s, n);
            }
            self.distinct.update_str(s);
        });
        if strings {
            return Ok(());
        }
        if let Some((falses, trues)) = count_booleans(array) {
            labels.extend([("false".to_owned(), falses), ("true".to_owned(), trues)]);
        } else if let Some(values) = numeric_values(array) {
            let mut counts = std::collections::HashMap::<u64, u64>::new();
            for v in values {
                *counts
                    .entry(crate::sort::canonical(v).to_bits())
                    .or_default() += 1;
            }
            labels.extend(
                counts
                    .into_iter()
                    .map(|(bits, n)| (f64::from_bits(bits).to_string(), n)),
            );
        } else {
            return Err(self.type_error(array));
        }
        for (label, count) in labels {
            self.add_label(&label, count);
        }
        Ok(())
    }

    fn type_error(&self, array: &dyn Array) -> StatsError {
        StatsError::ColumnType {
            column: self.name.clone(),
            kind: self.kind,
            found: array.data_type().to_string(),
        }
    }

    /// Adds another profile of the same column.
    pub fn merge(&mut self, other: &Self) -> Result<(), StatsError> {
        if self.name != other.name || self.kind != other.kind {
            return Err(StatsError::Incompatible(format!(
                "column `{}` ({}) against `{}` ({})",
                self.name, self.kind, other.name, other.kind
            )));
        }
        self.rows += other.rows;
        self.nulls += other.nulls;
        self.nan += other.nan;
        self.moments.merge(&other.moments);
        if let (Some(a), Some(b)) = (&mut self.quantiles, &other.quantiles) {
            a.merge(b);
        }
        self.distinct.merge(&other.distinct);
        if let (Some(a), Some(b)) = (&mut self.frequent, &other.frequent) {
            a.merge(b);
        }
        Ok(())
    }

    /// The number of distinct values: exact while value counts are exact, else estimated.
    pub fn distinct_count(&self) -> (u64, bool) {
        match self
            .frequent
            .as_ref()
            .and_then(FrequentItems::exact_distinct)
        {
            Some(n) => (n, true),
            // An estimate above the number of values is plainly wrong; cap it.
            None => (
                (self.distinct.estimate().round() as u64).min(self.rows - self.nulls - self.nan),
                false,
            ),
        }
    }
}

/// The moments of `falses` zeros and `trues` ones.
fn bernoulli(falses: u64, trues: u64) -> Moments {
    let n = falses + trues;
    if n == 0 {
        return Moments::default();
    }
    let p = trues as f64 / n as f64;
    Moments {
        count: n,
        mean_hi: p,
        mean_lo: 0.0,
        m2: n as f64 * p * (1.0 - p),
        min: if falses > 0 { 0.0 } else { 1.0 },
        max: if trues > 0 { 1.0 } else { 0.0 },
    }
}
