//! From a dataset to predictions: reading the target and prediction columns for the task,
//! joining a baseline's predictions to the data's rows, and the rows of a slice.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef};
use arrow_cast::cast;
use arrow_schema::DataType;
use seismo_config::Location;
use seismo_core::Dataset;
use seismo_expr::Predicate;

use crate::SuiteError;
use crate::metrics::{Predictions, Task};
use crate::suite::{PredictionColumns, Suite};

/// A column of a dataset as one array (its batches concatenated).
fn column(data: &Dataset, name: &str, at: &Location, role: &str) -> Result<ArrayRef, SuiteError> {
    let index = data.arrow_schema().index_of(name).map_err(|_| {
        SuiteError::new(
            at.clone(),
            format!(
                "the {role} column: the data has {}",
                seismo_expr::unknown_column(name, data.arrow_schema())
            ),
        )
    })?;
    let parts: Vec<&dyn Array> = data
        .batches()
        .iter()
        .map(|b| b.column(index).as_ref())
        .collect();
    if parts.is_empty() {
        return Ok(arrow_array::new_empty_array(
            data.arrow_schema().field(index).data_type(),
        ));
    }
    arrow_select::concat::concat(&parts).map_err(|e| SuiteError::new(at.clone(), e.to_string()))
}

fn numbers(array: &ArrayRef, name: &str, at: &Location) -> Result<Vec<Option<f64>>, SuiteError> {
    if !(array.data_type().is_numeric() || array.data_type() == &DataType::Boolean) {
        return Err(SuiteError::new(
            at.clone(),
            format!("`{name}` holds {}, not numbers", array.data_type()),
        ));
    }
    let floats =
        cast(array, &DataType::Float64).map_err(|e| SuiteError::new(at.clone(), e.to_string()))?;
    let floats = floats.as_primitive::<Float64Type>();
    Ok(floats.iter().map(|v| v.filter(|v| !v.is_nan())).collect())
}

fn labels(array: &ArrayRef, at: &Location) -> Result<Vec<Option<String>>, SuiteError> {
    // `-0.0` and `0.0` are one label (Arrow writes the first as `-0`).
    let array = seismo_stats::values::canonical_zeros(array);
    let text =
        cast(&array, &DataType::Utf8).map_err(|e| SuiteError::new(at.clone(), e.to_string()))?;
    Ok(text
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect())
}

/// Per row, the class probabilities (missing when a probability is).
type RowProbabilities = Vec<Option<Vec<f64>>>;

/// The model's predictions and which rows have both a truth and a prediction.
pub(crate) struct Scored {
    pub predictions: Predictions,
    /// Rows with a truth and a prediction.
    pub valid: Vec<bool>,
}

/// Which columns hold the truth and the model's output, and how to read them.
pub(crate) struct Columns<'a> {
    pub task: Task,
    pub target: &'a str,
    pub prediction: &'a PredictionColumns,
    pub decision_threshold: f64,
    pub classes: Option<&'a [String]>,
    /// Where the target and prediction were named, for errors.
    pub target_at: Location,
    pub prediction_at: Location,
}

impl<'a> Columns<'a> {
    /// The columns a suite names.
    pub fn of(suite: &'a Suite) -> Self {
        let f = &suite.file;
        Self {
            task: f.task,
            target: &f.target,
            prediction: &f.prediction,
            decision_threshold: f.decision_threshold,
            classes: f.classes.as_deref(),
            target_at: suite.locate_top("target"),
            prediction_at: suite.locate_top("prediction"),
        }
    }
}

/// Reads the target and prediction columns from `data` (the truth) and `scores` (the
/// predictions: the data itself, or a baseline aligned to it by `order`).
pub(crate) fn scored(
    f: &Columns,
    data: &Dataset,
    scores: &Dataset,
    order: Option<&[usize]>,
) -> Result<Scored, SuiteError> {
    let (target_at, prediction_at) = (f.target_at.clone(), f.prediction_at.clone());
    let target = column(data, f.target, &target_at, "target")?;
    let aligned = |values: Vec<Option<f64>>| -> Vec<Option<f64>> {
        match order {
            Some(order) => order.iter().map(|&i| values[i]).collect(),
            None => values,
        }
    };
    match (f.task, &f.prediction) {
        (Task::Binary | Task::Regression, PredictionColumns::One(name)) => {
            let truth = numbers(&target, f.target, &target_at)?;
            let predicted = aligned(numbers(
                &column(scores, name, &prediction_at, "prediction")?,
                name,
                &prediction_at,
            )?);
            if f.task == Task::Binary
                && let Some((row, v)) = truth
                    .iter()
                    .enumerate()
                    .find_map(|(i, v)| v.filter(|v| *v != 0.0 && *v != 1.0).map(|v| (i, v)))
            {
                return Err(SuiteError::new(
                    target_at,
                    format!(
                        "a binary target is 0 or 1 (or boolean); `{}` is {v} in row {}",
                        f.target,
                        row + 1
                    ),
                ));
            }
            let valid: Vec<bool> = truth
                .iter()
                .zip(&predicted)
                .map(|(t, p)| t.is_some() && p.is_some())
                .collect();
            let (truth, predicted): (Vec<f64>, Vec<f64>) = truth
                .iter()
                .zip(&predicted)
                .map(|(t, p)| (t.unwrap_or(0.0), p.unwrap_or(0.0)))
                .unzip();
            let predictions = if f.task == Task::Binary {
                Predictions::binary(truth, predicted, f.decision_threshold)
            } else {
                Predictions::regression(truth, predicted)
            };
            Ok(Scored { predictions, valid })
        }
        (Task::Multiclass, prediction) => {
            let truth = labels(&target, &target_at)?;
            let (classes, predicted, probabilities): (
                Vec<String>,
                Vec<Option<String>>,
                Option<RowProbabilities>,
            ) = match prediction {
                PredictionColumns::One(name) => {
                    let predicted = labels(
                        &column(scores, name, &prediction_at, "prediction")?,
                        &prediction_at,
                    )?;
                    let predicted: Vec<Option<String>> = match order {
                        Some(order) => order.iter().map(|&i| predicted[i].clone()).collect(),
                        None => predicted,
                    };
                    let mut classes: Vec<String> = match f.classes {
                        Some(c) => c.to_vec(),
                        None => truth.iter().chain(&predicted).flatten().cloned().collect(),
                    };
                    classes.sort();
                    classes.dedup();
                    (classes, predicted, None)
                }
                PredictionColumns::PerClass(names) => {
                    let classes = f.classes.expect("checked by parse").to_vec();
                    let columns = names
                        .iter()
                        .map(|n| {
                            numbers(
                                &column(scores, n, &prediction_at, "probability")?,
                                n,
                                &prediction_at,
                            )
                            .map(&aligned)
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    let rows = truth.len();
                    let mut predicted = Vec::with_capacity(rows);
                    let mut probabilities = Vec::with_capacity(rows);
                    for r in 0..rows {
                        let row: Option<Vec<f64>> = columns.iter().map(|c| c[r]).collect();
                        predicted.push(row.as_ref().map(|p| {
                            let best = (0..p.len()).fold(0, |b, c| if p[c] > p[b] { c } else { b });
                            classes[best].clone()
                        }));
                        probabilities.push(row);
                    }
                    (classes, predicted, Some(probabilities))
                }
            };
            let index: HashMap<&str, u32> = classes
                .iter()
                .enumerate()
                .map(|(i, c)| (c.as_str(), i as u32))
                .collect();
            let class_of = |label: &Option<String>,
                            role: &str,
                            at: &Location|
             -> Result<Option<u32>, SuiteError> {
                match label {
                    None => Ok(None),
                    Some(l) => index.get(l.as_str()).copied().map(Some).ok_or_else(|| {
                        SuiteError::new(
                            at.clone(),
                            format!(
                                "the {role} `{l}` is not one of the classes: {}",
                                classes.join(", ")
                            ),
                        )
                    }),
                }
            };
            let mut valid = Vec::with_capacity(truth.len());
            let (mut t, mut p, mut probs) = (Vec::new(), Vec::new(), Vec::new());
            for r in 0..truth.len() {
                let y = class_of(&truth[r], "target", &target_at)?;
                let yhat = class_of(&predicted[r], "prediction", &prediction_at)?;
                valid.push(y.is_some() && yhat.is_some());
                t.push(y.unwrap_or(0));
                p.push(yhat.unwrap_or(0));
                if let Some(all) = &probabilities {
                    match &all[r] {
                        Some(row) => probs.extend(row),
                        None => probs.extend(std::iter::repeat_n(1.0, classes.len())),
                    }
                }
            }
            let probabilities = probabilities.map(|_| probs);
            Ok(Scored {
                predictions: Predictions::multiclass(t, p, classes.len(), probabilities),
                valid,
            })
        }
        (_, PredictionColumns::PerClass(_)) => unreachable!("checked by parse"),
    }
}

/// For each data row, the baseline's row: by the `id` column, or by position. `at` is
/// where the id was named (or the file, without one), for errors.
pub(crate) fn baseline_order(
    id: Option<&str>,
    at: Location,
    data: &Dataset,
    baseline: &Dataset,
) -> Result<Vec<usize>, SuiteError> {
    let Some(id) = id else {
        if data.num_rows() != baseline.num_rows() {
            return Err(SuiteError::new(
                at,
                format!(
                    "the baseline has {} rows and the data {}: join them by an `id` column, or give the same rows in the same order",
                    baseline.num_rows(),
                    data.num_rows()
                ),
            ));
        }
        return Ok((0..data.num_rows()).collect());
    };
    let keys = |d: &Dataset, side: &str| -> Result<Vec<Option<String>>, SuiteError> {
        labels(&column(d, id, &at, &format!("{side} id"))?, &at)
    };
    let (ours, theirs) = (keys(data, "data")?, keys(baseline, "baseline")?);
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(theirs.len());
    for (i, key) in theirs.iter().enumerate() {
        let key = key.as_deref().ok_or_else(|| {
            SuiteError::new(
                at.clone(),
                format!("the baseline's `{id}` is null in row {}", i + 1),
            )
        })?;
        if position.insert(key, i).is_some() {
            return Err(SuiteError::new(
                at.clone(),
                format!("the baseline has `{id}` {key} twice"),
            ));
        }
    }
    ours.iter()
        .enumerate()
        .map(|(i, key)| {
            key.as_deref()
                .and_then(|k| position.get(k).copied())
                .ok_or_else(|| {
                    SuiteError::new(
                        at.clone(),
                        format!(
                            "data row {} (`{id}` {}) has no row in the baseline",
                            i + 1,
                            key.as_deref().unwrap_or("null")
                        ),
                    )
                })
        })
        .collect()
}

/// The rows (among `valid`) where a condition holds.
pub(crate) fn rows_where(
    data: &Dataset,
    predicate: &Predicate,
    valid: &[bool],
) -> Result<Vec<u32>, SuiteError> {
    let mut rows = Vec::new();
    let mut offset = 0usize;
    for batch in data.batches() {
        let held = predicate
            .holds(batch)
            .map_err(|e| SuiteError::new(Location::line("", None), e.to_string()))?;
        rows.extend(
            held.set_indices()
                .filter(|&i| valid[offset + i])
                .map(|i| (offset + i) as u32),
        );
        offset += batch.num_rows();
    }
    Ok(rows)
}

/// Each row's group: its values of the grouping columns, as text (`null` for missing).
pub(crate) fn group_keys(
    data: &Dataset,
    columns: &[String],
    at: &Location,
) -> Result<Vec<Vec<String>>, SuiteError> {
    let values = columns
        .iter()
        .map(|c| labels(&column(data, c, at, "group")?, at))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((0..data.num_rows())
        .map(|r| {
            values
                .iter()
                .map(|v| v[r].clone().unwrap_or_else(|| "null".into()))
                .collect()
        })
        .collect())
}

/// One model's predictions read by column names (for weak-slice search from the command
/// line: errors name the flags), with which rows have a target and a prediction. The truth
/// comes from `data`; the predictions from `scores` when given (a baseline model's file,
/// joined to the data's rows by the `id` column or by row order), else from `data`.
pub fn read_predictions(
    data: &Dataset,
    scores: Option<(&Dataset, Option<&str>)>,
    task: Task,
    target: &str,
    prediction: &str,
    decision_threshold: f64,
) -> Result<(Predictions, Vec<bool>), SuiteError> {
    let prediction = PredictionColumns::One(prediction.to_owned());
    let columns = Columns {
        task,
        target,
        prediction: &prediction,
        decision_threshold,
        classes: None,
        target_at: Location::line("--target", None),
        prediction_at: Location::line("--prediction", None),
    };
    let scored = match scores {
        None => scored(&columns, data, data, None)?,
        Some((other, id)) => {
            let order = baseline_order(id, Location::line("--baseline", None), data, other)?;
            scored(&columns, data, other, Some(&order))?
        }
    };
    Ok((scored.predictions, scored.valid))
}
