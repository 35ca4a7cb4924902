//! A tested column as the multivariate methods read it: row by row over the dataset's
//! batches, each batch cast once, with no value copied into a row-sized buffer of its own.

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, Float64Array};
use arrow_schema::DataType;
use seismo_core::{ColumnKind, Dataset};

/// How a column of a kind is read: as numbers or as labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    Numbers,
    Labels,
}

impl Reading {
    /// Numbers for numeric columns, labels for categorical and boolean ones; other kinds
    /// are not tested together.
    pub(crate) fn of(name: &str, kind: ColumnKind) -> Result<Self, String> {
        match kind {
            ColumnKind::Numeric => Ok(Self::Numbers),
            ColumnKind::Categorical | ColumnKind::Boolean => Ok(Self::Labels),
            other => Err(format!("column `{name}` is {other:?}: not tested together")),
        }
    }
}

fn cast_batches(
    dataset: &Dataset,
    name: &str,
    to: &DataType,
) -> Result<Vec<arrow_array::ArrayRef>, String> {
    let index = dataset
        .arrow_schema()
        .index_of(name)
        .map_err(|_| format!("column `{name}` is not in the data"))?;
    dataset
        .batches()
        .iter()
        .map(|b| arrow_cast::cast(b.column(index), to).map_err(|e| format!("column `{name}`: {e}")))
        .collect()
}

/// Column `name`'s batches as `f64` arrays (a cast only where it is stored otherwise).
pub(crate) fn number_arrays(dataset: &Dataset, name: &str) -> Result<Vec<Float64Array>, String> {
    Ok(cast_batches(dataset, name, &DataType::Float64)?
        .iter()
        .map(|a| a.as_primitive::<Float64Type>().clone())
        .collect())
}

/// Calls `f` with each row's value of column `name` as a number, NaN when it is null or not
/// finite.
pub(crate) fn each_number(
    dataset: &Dataset,
    name: &str,
    mut f: impl FnMut(f64),
) -> Result<(), String> {
    each_number_run(dataset, name, |run| run.iter().for_each(|v| f(*v)))
}

/// Calls `f` with column `name`'s rows as runs of numbers (a batch each, in order), NaN
/// where a value is null or not finite: tight loops over slices for the callers that sum.
pub(crate) fn each_number_run(
    dataset: &Dataset,
    name: &str,
    mut f: impl FnMut(&[f64]),
) -> Result<(), String> {
    let mut run = Vec::new();
    for a in number_arrays(dataset, name)? {
        run.clear();
        run.extend(
            a.values()
                .iter()
                .map(|v| if v.is_finite() { *v } else { f64::NAN }),
        );
        if let Some(nulls) = a.nulls().filter(|n| n.null_count() > 0) {
            // Nulls are few: visit them by the unset bits rather than test every row.
            for i in (!nulls.inner()).set_indices() {
                run[i] = f64::NAN;
            }
        }
        f(&run);
    }
    Ok(())
}

/// Calls `f` with each row's value of column `name` as text, `None` when it is null.
pub(crate) fn each_label(
    dataset: &Dataset,
    name: &str,
    mut f: impl FnMut(Option<&str>),
) -> Result<(), String> {
    for array in cast_batches(dataset, name, &DataType::Utf8)? {
        let a = array.as_string::<i32>();
        for i in 0..a.len() {
            f((!a.is_null(i)).then(|| a.value(i)));
        }
    }
    Ok(())
}
