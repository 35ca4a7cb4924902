//! Arrow batches to what a robustness run takes: the model's input matrix, the labels and
//! each row's slice. Shared by `seismo robust` and the Python package's `seismo.robust`.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use ndarray::{Array2, ArrayView2, Axis};
use seismo_model::Model;

use crate::{Groups, RobustError};

/// The perturbations run when none is given: a scan of small, plausible changes. The
/// adversarial search runs when asked (`adversarial:0.1`).
pub const DEFAULT_PERTURBATIONS: [&str; 4] = [
    "gaussian:0.1",
    "multiply:0.01",
    "missing:0.05",
    "category:0.1",
];

/// The rows a run works on.
#[derive(Debug, Clone)]
pub struct Data {
    /// The model's input matrix, a row per data row.
    pub matrix: Array2<f32>,
    /// The label of each row (NaN where null), when a target column was named.
    pub truth: Option<Vec<f64>>,
    /// Each row's slice, when a `by` column was named: slices in the order of their values,
    /// so the report does not depend on the rows' order.
    pub groups: Option<Groups>,
}

/// Reads [`Data`] batch by batch.
#[derive(Debug)]
pub struct DataReader<'a> {
    model: &'a Model,
    features: &'a [String],
    target: Option<&'a str>,
    by: Option<&'a str>,
    parts: Vec<Array2<f32>>,
    truth: Vec<f64>,
    /// Each slice value's number, in order of first sight.
    seen: HashMap<String, usize>,
    of_row: Vec<usize>,
}

impl<'a> DataReader<'a> {
    /// A reader of rows of `schema` for `model`, whose `features` are its input columns.
    /// Errors before any row is read when a column is missing or cannot feed the model.
    pub fn new(
        model: &'a Model,
        features: &'a [String],
        schema: &SchemaRef,
        target: Option<&'a str>,
        by: Option<&'a str>,
    ) -> Result<Self, RobustError> {
        model.check(schema, features)?;
        for column in target.iter().chain(by.iter()) {
            if schema.field_with_name(column).is_err() {
                return Err(RobustError::Options(format!(
                    "column `{column}` is not in the data"
                )));
            }
        }
        Ok(Self {
            model,
            features,
            target,
            by,
            parts: Vec::new(),
            truth: Vec::new(),
            seen: HashMap::new(),
            of_row: Vec::new(),
        })
    }

    /// Adds a batch's rows.
    pub fn push(&mut self, batch: &RecordBatch) -> Result<(), RobustError> {
        self.parts.push(self.model.rows(batch, self.features)?);
        if let Some(column) = self.target {
            let labels = cast(batch, column, &DataType::Float64)?;
            let labels = labels.as_primitive::<Float64Type>();
            self.truth.extend((0..labels.len()).map(|i| {
                if labels.is_null(i) {
                    f64::NAN
                } else {
                    labels.value(i)
                }
            }));
        }
        if let Some(column) = self.by {
            let text = cast(batch, column, &DataType::Utf8)?;
            let text = text.as_string::<i32>();
            for i in 0..text.len() {
                let value = if text.is_null(i) {
                    "(null)"
                } else {
                    text.value(i)
                };
                let next = self.seen.len();
                let id = *self.seen.entry(value.to_owned()).or_insert(next);
                self.of_row.push(id);
            }
        }
        Ok(())
    }

    /// The rows read. Errors when there are none.
    pub fn finish(self) -> Result<Data, RobustError> {
        let views: Vec<ArrayView2<f32>> = self.parts.iter().map(|p| p.view()).collect();
        let matrix = if views.is_empty() {
            Array2::zeros((0, self.features.len()))
        } else {
            ndarray::concatenate(Axis(0), &views)
                .map_err(|e| RobustError::Options(e.to_string()))?
        };
        if matrix.nrows() == 0 {
            return Err(RobustError::Options("no rows".into()));
        }
        let mut values: Vec<(String, usize)> = self.seen.into_iter().collect();
        values.sort_unstable();
        let mut rank = vec![0; values.len()];
        for (k, (_, id)) in values.iter().enumerate() {
            rank[*id] = k;
        }
        let groups = self.by.map(|column| Groups {
            column: column.to_string(),
            values: values.into_iter().map(|(value, _)| value).collect(),
            of_row: self.of_row.iter().map(|id| rank[*id]).collect(),
        });
        Ok(Data {
            matrix,
            truth: self.target.map(|_| self.truth),
            groups,
        })
    }
}

fn cast(batch: &RecordBatch, column: &str, to: &DataType) -> Result<ArrayRef, RobustError> {
    let array = batch
        .column_by_name(column)
        .ok_or_else(|| RobustError::Options(format!("column `{column}` is not in the data")))?;
    arrow_cast::cast(array, to)
        .map_err(|e| RobustError::Options(format!("column `{column}` cannot be read as {to}: {e}")))
}
