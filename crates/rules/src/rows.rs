//! Row-level checks: for each batch, which rows violate a check. Checks that need memory
//! across batches (uniqueness, order, duplicates, conflicting labels) keep it in a
//! [`RowState`].

use std::collections::{HashMap, HashSet};

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch};
use arrow_buffer::BooleanBuffer;
use arrow_cast::cast;
use arrow_schema::{ArrowError, DataType};
use seismo_core::ColumnKind;

use crate::file::Monotonic;
use crate::hash::{is_missing, normalize, row_hashes};
use crate::plan::{AllowedSet, Kind};

/// What a row-level check remembers between batches.
#[derive(Default)]
pub(crate) struct RowState {
    seen: HashSet<u128>,
    previous: Option<f64>,
    /// For conflicting labels: feature hash -> (first label hash, whether another was seen).
    labels: HashMap<u128, (u128, bool)>,
    /// Per batch, the feature hash of each row (labels are judged after all rows are seen).
    feature_hashes: Vec<Vec<u128>>,
}

/// `true` where the rows of a condition's result are `false` (null is not a violation).
pub(crate) fn false_rows(result: &BooleanArray) -> BooleanBuffer {
    let not_true = !result.values();
    match result.nulls() {
        Some(valid) => &not_true & valid.inner(),
        None => not_true,
    }
}

fn numbers(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    cast(array, &DataType::Float64)
}

fn texts(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    cast(array, &DataType::Utf8)
}

fn mask(len: usize, f: impl FnMut(usize) -> bool) -> BooleanBuffer {
    BooleanBuffer::collect_bool(len, f)
}

/// The rows of `batch` that violate a row-level check, or `None` when the check is not
/// row-level. Label conflicts are only known at the end ([`conflicts`]); until then they
/// report no rows. Checks that remember rows only remember those in `applies` (the rule's
/// `where`); the caller masks the result with it.
pub(crate) fn violations(
    kind: &Kind,
    batch: &RecordBatch,
    applies: Option<&BooleanBuffer>,
    state: &mut RowState,
) -> Result<Option<BooleanBuffer>, ArrowError> {
    let rows = batch.num_rows();
    let on = |i: usize| applies.is_none_or(|a| a.value(i));
    Ok(Some(match kind {
        Kind::Condition(predicate) => {
            let result = predicate
                .evaluate(batch)
                .map_err(|e| ArrowError::ComputeError(e.to_string()))?;
            false_rows(&result)
        }
        Kind::Nulls { column } => {
            let normalized = normalize(batch.column(*column))?;
            mask(rows, |i| is_missing(&normalized, i))
        }
        Kind::Nan { column } | Kind::Infinity { column } => {
            let values = numbers(batch.column(*column))?;
            let floats = values.as_primitive::<Float64Type>();
            let nan = matches!(kind, Kind::Nan { .. });
            mask(rows, |i| {
                floats.is_valid(i) && {
                    let v = floats.value(i);
                    if nan { v.is_nan() } else { v.is_infinite() }
                }
            })
        }
        Kind::Allowed { column, set } => {
            let array = batch.column(*column);
            match set {
                AllowedSet::Text(set) => {
                    let values = texts(array)?;
                    let values = values.as_string::<i32>();
                    mask(rows, |i| {
                        values.is_valid(i) && !set.contains(values.value(i))
                    })
                }
                AllowedSet::Number(set) => {
                    let values = numbers(array)?;
                    let values = values.as_primitive::<Float64Type>();
                    mask(rows, |i| {
                        values.is_valid(i) && {
                            let v = values.value(i);
                            !v.is_nan()
                                && !set.contains(&seismo_stats::sort::canonical(v).to_bits())
                        }
                    })
                }
                AllowedSet::Boolean(set) => {
                    let values = array.as_boolean();
                    mask(rows, |i| {
                        values.is_valid(i) && !set.contains(&values.value(i))
                    })
                }
            }
        }
        Kind::Regex { column, regex } => {
            let values = texts(batch.column(*column))?;
            let values = values.as_string::<i32>();
            mask(rows, |i| {
                values.is_valid(i) && !regex.is_match(values.value(i))
            })
        }
        Kind::Length { column, min, max } => {
            let values = texts(batch.column(*column))?;
            let values = values.as_string::<i32>();
            mask(rows, |i| {
                values.is_valid(i) && {
                    let n = values.value(i).chars().count() as u64;
                    min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m)
                }
            })
        }
        Kind::Type {
            column,
            expected: ColumnKind::Numeric,
            actual: ColumnKind::Categorical | ColumnKind::Text,
        } => {
            let values = texts(batch.column(*column))?;
            let values = values.as_string::<i32>();
            mask(rows, |i| {
                values.is_valid(i) && values.value(i).trim().parse::<f64>().is_err()
            })
        }
        Kind::Unique { column } => {
            let normalized = normalize(batch.column(*column))?;
            let hashes = row_hashes(std::slice::from_ref(&normalized), rows);
            mask(rows, |i| {
                on(i) && !is_missing(&normalized, i) && !state.seen.insert(hashes[i])
            })
        }
        Kind::Duplicates { columns } => {
            let hashes = hashes_of(batch, columns)?;
            mask(rows, |i| on(i) && !state.seen.insert(hashes[i]))
        }
        Kind::Monotonic { column, order } => {
            let normalized = normalize(batch.column(*column))?;
            let values = numbers(&normalized)?;
            let values = values.as_primitive::<Float64Type>();
            mask(rows, |i| {
                if !on(i) || values.is_null(i) || values.value(i).is_nan() {
                    return false;
                }
                let v = values.value(i);
                let Some(previous) = state.previous else {
                    state.previous = Some(v);
                    return false;
                };
                let in_order = match order {
                    Monotonic::Increasing => v >= previous,
                    Monotonic::StrictlyIncreasing => v > previous,
                    Monotonic::Decreasing => v <= previous,
                    Monotonic::StrictlyDecreasing => v < previous,
                };
                // Compare the next value with the furthest the order has reached.
                let furthest = match order {
                    Monotonic::Increasing | Monotonic::StrictlyIncreasing => previous.max(v),
                    _ => previous.min(v),
                };
                state.previous = Some(furthest);
                !in_order
            })
        }
        Kind::Conflicts { columns, label } => {
            let features = hashes_of(batch, columns)?;
            let labels = hashes_of(batch, std::slice::from_ref(label))?;
            for (i, (f, l)) in features.iter().zip(&labels).enumerate() {
                if !on(i) {
                    continue;
                }
                let entry = state.labels.entry(*f).or_insert((*l, false));
                if entry.0 != *l {
                    entry.1 = true;
                }
            }
            // Rows outside `where` get a hash no group has.
            let features = features
                .iter()
                .enumerate()
                .map(|(i, f)| if on(i) { *f } else { u128::MAX })
                .collect();
            state.feature_hashes.push(features);
            BooleanBuffer::new_unset(rows)
        }
        _ => return Ok(None),
    }))
}

/// Row hashes of a batch over some columns.
pub(crate) fn hashes_of(batch: &RecordBatch, columns: &[usize]) -> Result<Vec<u128>, ArrowError> {
    let normalized = columns
        .iter()
        .map(|&c| normalize(batch.column(c)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(row_hashes(&normalized, batch.num_rows()))
}

/// After all batches: the rows whose features also occur with another label.
pub(crate) fn conflicts(state: &RowState) -> Vec<BooleanBuffer> {
    state
        .feature_hashes
        .iter()
        .map(|hashes| {
            mask(hashes.len(), |i| {
                state.labels.get(&hashes[i]).is_some_and(|e| e.1)
            })
        })
        .collect()
}
