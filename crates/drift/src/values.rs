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

    /// Whether there are more than `k` distinct values (NaN excluded). Stops as soon as it
    /// has seen `k + 1`, so on continuous data it reads a handful of values, not a million.
    pub fn more_distinct_than(&self, k: usize) -> bool {
        match self {
            Self::Numbers(v) => {
                let mut seen: Vec<u64> = Vec::with_capacity(k + 1);
                for x in v.iter().filter(|x| !x.is_nan()) {
                    let key = seismo_stats::sort::key(*x);
                    if !seen.contains(&key) {
                        seen.push(key);
                        if seen.len() > k {
                            return true;
                        }
                    }
                }
                false
            }
            Self::Labels(m) => m.values().filter(|&&c| c > 0).count() > k,
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

/// Adds `n` to a label's count, allocating the label only the first time it is seen.
fn add_label(counts: &mut BTreeMap<String, u64>, label: &str, n: u64) {
    match counts.get_mut(label) {
        Some(count) => *count += n,
        None => {
            counts.insert(label.to_owned(), n);
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
                if !count_strings(array, |s, n| add_label(&mut m, s, n)) {
                    // Numbers declared categorical count by their text.
                    let numbers = numeric_values(array);
                    found = numbers.is_some();
                    for x in numbers.into_iter().flatten().filter(|x| !x.is_nan()) {
                        add_label(&mut m, &x.to_string(), 1);
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
