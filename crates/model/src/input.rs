//! Arrow columns to a model's input: the model card names the columns that make the float
//! matrix, in the model's order; each is cast to float32 (numbers and booleans; a null is
//! NaN, which tree models route as their missing value and linear models propagate).

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use ndarray::Array2;

use crate::ModelError;

/// What the model needs to know about the data: a small TOML file beside the model.
///
/// ```toml
/// # the columns of the model's input matrix, in its order
/// features = ["age", "income", "credit_score"]
/// # a binary classifier's prediction is this class's probability (default: the last class)
/// positive_class = 1
/// ```
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Card {
    /// The data columns that make the model's input matrix, in its order.
    pub features: Vec<String>,
    /// For a binary classifier: the class whose probability is the prediction.
    #[serde(default)]
    pub positive_class: Option<i64>,
}

impl Card {
    /// A card with these feature columns and the default positive class.
    pub fn new(features: Vec<String>) -> Self {
        Self {
            features,
            positive_class: None,
        }
    }
}

/// Checks, before any row is read, that every column of `features` is in `schema` and can
/// feed the model (the errors [`matrix`] would give on the first batch).
pub fn check(schema: &SchemaRef, features: &[String]) -> Result<(), ModelError> {
    matrix(&RecordBatch::new_empty(schema.clone()), features).map(|_| ())
}

/// The rows of `batch` as the float matrix of `features`.
pub fn matrix(batch: &RecordBatch, features: &[String]) -> Result<Array2<f32>, ModelError> {
    let rows = batch.num_rows();
    let mut out = Array2::<f32>::zeros((rows, features.len()));
    for (j, name) in features.iter().enumerate() {
        let column = batch
            .column_by_name(name)
            .ok_or_else(|| ModelError::Column {
                column: name.clone(),
                message: "is not in the data".into(),
            })?;
        let numeric = column.data_type().is_numeric()
            || matches!(column.data_type(), DataType::Boolean | DataType::Null);
        if !numeric {
            return Err(ModelError::Column {
                column: name.clone(),
                message: format!(
                    "is {}; the model takes numbers (encode it first, or export the encoder with the model)",
                    column.data_type()
                ),
            });
        }
        let floats =
            arrow_cast::cast(column, &DataType::Float32).map_err(|e| ModelError::Column {
                column: name.clone(),
                message: e.to_string(),
            })?;
        let floats = floats.as_primitive::<Float32Type>();
        for i in 0..rows {
            out[[i, j]] = if floats.is_null(i) {
                f32::NAN
            } else {
                floats.value(i)
            };
        }
    }
    Ok(out)
}
