//! A dataset's score, label and time columns as plain vectors.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef};
use arrow_cast::cast;
use arrow_schema::DataType;
use seismo_core::Dataset;

use crate::{EstimateError, Side};

/// One column of `data` as one array (its batches concatenated); `None` when absent.
fn column(data: &Dataset, name: &str) -> Result<Option<ArrayRef>, String> {
    let Ok(index) = data.arrow_schema().index_of(name) else {
        return Ok(None);
    };
    let parts: Vec<&dyn Array> = data
        .batches()
        .iter()
        .map(|b| b.column(index).as_ref())
        .collect();
    if parts.is_empty() {
        let data_type = data.arrow_schema().field(index).data_type();
        return Ok(Some(arrow_array::new_empty_array(data_type)));
    }
    arrow_select::concat::concat(&parts)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The column `name`, which must exist.
pub(crate) fn required(
    data: &Dataset,
    side: Side,
    name: &str,
    role: &str,
) -> Result<ArrayRef, EstimateError> {
    match column(data, name) {
        Ok(Some(array)) => Ok(array),
        Ok(None) => {
            let names: Vec<&str> = data
                .arrow_schema()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect();
            Err(EstimateError::data(
                side,
                format!(
                    "no {role} column `{name}`; the columns are {}",
                    names.join(", ")
                ),
            ))
        }
        Err(message) => Err(EstimateError::data(
            side,
            format!("column `{name}`: {message}"),
        )),
    }
}

/// The column `name` if it exists.
pub(crate) fn optional(
    data: &Dataset,
    side: Side,
    name: &str,
) -> Result<Option<ArrayRef>, EstimateError> {
    column(data, name).map_err(|m| EstimateError::data(side, format!("column `{name}`: {m}")))
}

/// Scores as probabilities: numbers in [0, 1], NaN where missing.
pub(crate) fn scores(array: &ArrayRef, side: Side, name: &str) -> Result<Vec<f64>, EstimateError> {
    let values = numbers(array, side, name)?;
    if let Some((row, v)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_nan() || (0.0..=1.0).contains(*v)))
    {
        return Err(EstimateError::data(
            side,
            format!(
                "row {}, column `{name}`: {v} is not a probability in [0, 1] (CBPE reads the scores as probabilities of the positive class)",
                row + 1
            ),
        ));
    }
    Ok(values)
}

/// Labels as 0 and 1 (booleans or numbers), NaN where missing.
pub(crate) fn labels(array: &ArrayRef, side: Side, name: &str) -> Result<Vec<f64>, EstimateError> {
    let values = numbers(array, side, name)?;
    if let Some((row, v)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_nan() || **v == 0.0 || **v == 1.0))
    {
        return Err(EstimateError::data(
            side,
            format!(
                "row {}, column `{name}`: label {v} is not 0 or 1 (CBPE estimates binary classifiers)",
                row + 1
            ),
        ));
    }
    Ok(values)
}

fn numbers(array: &ArrayRef, side: Side, name: &str) -> Result<Vec<f64>, EstimateError> {
    // A column with no value yet (labels not logged) reads as text from CSV: all missing.
    if array.null_count() == array.len() {
        return Ok(vec![f64::NAN; array.len()]);
    }
    let data_type = array.data_type();
    if !(data_type.is_numeric() || data_type == &DataType::Boolean) {
        return Err(EstimateError::data(
            side,
            format!("column `{name}` holds {data_type}, not numbers"),
        ));
    }
    let floats = cast(array, &DataType::Float64)
        .map_err(|e| EstimateError::data(side, format!("column `{name}`: {e}")))?;
    Ok(floats
        .as_primitive::<Float64Type>()
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

/// Times as UTC microseconds, `None` where missing.
pub(crate) fn times(
    array: &ArrayRef,
    side: Side,
    name: &str,
) -> Result<Vec<Option<i64>>, EstimateError> {
    let micros = seismo_history::time_micros(array.as_ref())
        .map_err(|e| EstimateError::data(side, format!("column `{name}`: {e}")))?;
    Ok(micros
        .as_primitive::<TimestampMicrosecondType>()
        .iter()
        .collect())
}

/// Class names as class indexes into `classes` (values compared as text; integers and
/// booleans as Arrow writes them), `None` where missing. A value that is not a class is an
/// error naming its row.
pub(crate) fn classes(
    array: &ArrayRef,
    side: Side,
    name: &str,
    classes: &[&str],
) -> Result<Vec<Option<usize>>, EstimateError> {
    if array.null_count() == array.len() {
        return Ok(vec![None; array.len()]);
    }
    let array = seismo_stats::values::canonical_zeros(array);
    let text = cast(&array, &DataType::Utf8)
        .map_err(|e| EstimateError::data(side, format!("column `{name}`: {e}")))?;
    text.as_string::<i32>()
        .iter()
        .enumerate()
        .map(|(row, v)| match v {
            None => Ok(None),
            Some(v) => classes
                .iter()
                .position(|c| *c == v)
                .map(Some)
                .ok_or_else(|| {
                    EstimateError::data(
                        side,
                        format!(
                            "row {}, column `{name}`: `{v}` is not one of the classes {}",
                            row + 1,
                            classes.join(", ")
                        ),
                    )
                }),
        })
        .collect()
}
