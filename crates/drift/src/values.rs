//! A column's values, gathered from a dataset the way the tests need them.

use std::collections::BTreeMap;

use seismo_core::{ColumnKind, Dataset};
use seismo_stats::values::{count_booleans, count_strings, numeric_values};

/// Numbers for ordered tests, or label counts for categorical ones. Nulls are left out
/// (NaN stays in numbers; the kernels drop it).
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// The values of a numeric column.
    Numbers(Vec<f64>),
    /// Counts per label of a categorical or boolean column.
    Labels(BTreeMap<String, u64>),
}

impl Values {
    /// How many values there are (NaN excluded).
    pub fn count(&self) -> usize {
        match self {
            Self::Numbers(v) => v.iter().filter(|x| !x.is_nan()).count(),
            Self::Labels(m) => m.values().sum::<u64>() as usize,
        }
    }

    /// The number of distinct values (NaN excluded).
    pub fn distinct(&self) -> usize {
        match self {
            Self::Numbers(v) => {
                let mut keys: Vec<u64> = v
                    .iter()
                    .filter(|x| !x.is_nan())
                    .map(|&x| seismo_stats::sort::key(x))
                    .collect();
                keys.sort_unstable();
                keys.dedup();
                keys.len()
            }
            Self::Labels(m) => m.values().filter(|&&c| c > 0).count(),
        }
    }

    /// The values as label counts: numbers become their text (`1`, `2.5`).
    pub fn into_labels(self) -> BTreeMap<String, u64> {
        match self {
            Self::Labels(m) => m,
            Self::Numbers(v) => {
                let mut m = BTreeMap::new();
                for x in v.into_iter().filter(|x| !x.is_nan()) {
                    *m.entry(x.to_string()).or_default() += 1;
                }
                m
            }
        }
    }
}

/// The values of column `name`, of kind `kind`, over all batches of `dataset`. `None` when
/// the column's Arrow type does not hold that kind.
pub fn gather(dataset: &Dataset, name: &str, kind: ColumnKind) -> Option<Values> {
    let index = dataset.arrow_schema().index_of(name).ok()?;
    let arrays = dataset.batches().iter().map(|b| b.column(index).as_ref());
    match kind {
        ColumnKind::Numeric => {
            let mut out = Vec::with_capacity(dataset.num_rows());
            for array in arrays {
                out.extend(numeric_values(array)?);
            }
            Some(Values::Numbers(out))
        }
        ColumnKind::Boolean => {
            let mut m = BTreeMap::new();
            for array in arrays {
                let (falses, trues) = count_booleans(array)?;
                *m.entry("false".to_owned()).or_default() += falses;
                *m.entry("true".to_owned()).or_default() += trues;
            }
            Some(Values::Labels(m))
        }
        ColumnKind::Categorical | ColumnKind::Text => {
            let mut m: BTreeMap<String, u64> = BTreeMap::new();
            for array in arrays {
                let mut found = true;
                if !count_strings(array, |s, n| *m.entry(s.to_owned()).or_default() += n) {
                    // Numbers declared categorical count by their text.
                    let numbers = numeric_values(array);
                    found = numbers.is_some();
                    for x in numbers.into_iter().flatten().filter(|x| !x.is_nan()) {
                        *m.entry(x.to_string()).or_default() += 1;
                    }
                }
                if !found {
                    return None;
                }
            }
            Some(Values::Labels(m))
        }
        ColumnKind::Datetime => None,
    }
}
