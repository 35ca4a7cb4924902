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
    each_number_run(&number_arrays(dataset, name)?, |run| {
        run.iter().for_each(|v| f(*v))
    });
    Ok(())
}

/// Calls `f` with the rows of `arrays` (a column's batches) as runs of numbers, an array
/// each, in order, NaN where a value is null or not finite: tight loops over slices for the
/// callers that sum.
pub(crate) fn each_number_run(arrays: &[Float64Array], mut f: impl FnMut(&[f64])) {
    let mut run = Vec::new();
    for a in arrays {
        run.resize(a.len(), 0.0);
        numbers_into(a, 0, &mut run, f64::NAN, |v| v);
        f(&run);
    }
}

/// Rows `offset .. offset + out.len()` of `array` into `out`, each finite value as
/// `scale(v)` and `missing` where a value is null or not finite (one pass over the values,
/// then the few nulls by the unset validity bits).
pub(crate) fn numbers_into(
    array: &Float64Array,
    offset: usize,
    out: &mut [f64],
    missing: f64,
    scale: impl Fn(f64) -> f64,
) {
    let take = out.len();
    out.copy_from_slice(&array.values()[offset..offset + take]);
    for v in out.iter_mut() {
        *v = if v.is_finite() { scale(*v) } else { missing };
    }
    if let Some(nulls) = array.nulls().filter(|n| n.null_count() > 0) {
        for i in (!&nulls.inner().slice(offset, take)).set_indices() {
            out[i] = missing;
        }
    }
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
