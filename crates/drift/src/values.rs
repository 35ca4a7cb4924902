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

    /// Whether the two samples hold more than `k` distinct values together (NaN excluded),
    /// as Evidently counts them (`pd.concat([reference, current]).nunique()`). Stops as soon
    /// as it has seen `k + 1`, so on continuous data it reads a handful of values, not a
    /// million.
    pub fn more_distinct_than(&self, other: &Self, k: usize) -> bool {
        match (self, other) {
            (Self::Numbers(a), Self::Numbers(b)) => {
                let mut seen: Vec<u64> = Vec::with_capacity(k + 1);
                for x in a.iter().chain(b).filter(|x| !x.is_nan()) {
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
            // Labels on both sides, or (not for one column kind) labels and numbers: every
            // present label of `a`, then those of `b` that `a` lacks.
            _ => {
                let (a, b) = (self.labels(), other.labels());
                let in_a = |label: &String| a.get(label).is_some_and(|c| *c > 0);
                let only_b = b.iter().filter(|(l, c)| **c > 0 && !in_a(l)).count();
                a.values().filter(|c| **c > 0).count() + only_b > k
            }
        }
    }

    /// The values as label counts: numbers become their text (`1`, `2.5`).
    pub fn into_labels(self) -> BTreeMap<String, u64> {
        match self {
            Self::Labels(m) => m,
            numbers => numbers.labels().into_owned(),
        }
    }

    /// The label counts, borrowed when the values are labels already.
    pub fn labels(&self) -> std::borrow::Cow<'_, BTreeMap<String, u64>> {
        match self {
            Self::Labels(m) => std::borrow::Cow::Borrowed(m),
            Self::Numbers(v) => {
                let mut m = BTreeMap::new();
                for &x in v.iter().filter(|x| !x.is_nan()) {
                    *m.entry(seismo_stats::sort::canonical(x).to_string())
                        .or_default() += 1;
                }
                std::borrow::Cow::Owned(m)
            }
        }
    }
}

/// A value per label, for counting and looking up a label per row. foldhash rather than the
/// standard SipHash (which was most of the time of counting a categorical column); its fixed
/// seed keeps runs alike. Never listed in its own order: counts go into a `BTreeMap` before
/// anything reads them in order.
pub(crate) type LabelMap<V> = std::collections::HashMap<String, V, foldhash::fast::FixedState>;

/// Adds `n` to a label's count, allocating the label only the first time it is seen.
fn add_label(counts: &mut LabelMap<u64>, label: &str, n: u64) {
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
            let mut m: LabelMap<u64> = LabelMap::default();
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
            Some(Values::Labels(m.into_iter().collect()))
        }
        ColumnKind::Datetime => None,
    }
}

/// A value and how many rows hold it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ValueCount {
    /// The value, as text (numbers as their shortest round-trip text).
    pub value: String,
    /// Rows holding it.
    pub count: u64,
}

/// The most values [`category_changes`] lists on each side.
pub const CHANGED_VALUES_SHOWN: usize = 20;

/// Values only the current data holds (`new`) and values only the reference holds
/// (`missing`), with their counts, most frequent first: the clearest sign of a changed
/// source. For categorical and boolean columns, and numeric ones of at most 5 values over
/// both samples; `None` for other numeric columns, where every value may be new.
pub fn category_changes(
    reference: &Values,
    current: &Values,
) -> Option<(Vec<ValueCount>, Vec<ValueCount>)> {
    if matches!(reference, Values::Numbers(_)) && reference.more_distinct_than(current, 5) {
        return None;
    }
    let (a, b) = (reference.labels(), current.labels());
    let only = |here: &BTreeMap<String, u64>, there: &BTreeMap<String, u64>| {
        let mut values: Vec<ValueCount> = here
            .iter()
            .filter(|(label, count)| **count > 0 && there.get(*label).is_none_or(|c| *c == 0))
            .map(|(label, count)| ValueCount {
                value: label.clone(),
                count: *count,
            })
            .collect();
        values.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.value.cmp(&y.value)));
        values.truncate(CHANGED_VALUES_SHOWN);
        values
    };
    Some((only(&b, &a), only(&a, &b)))
}
