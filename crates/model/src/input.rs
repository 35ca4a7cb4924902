//! Arrow columns to a model's input matrix: the model card names the column of each feature,
//! in the model's order (by default, for a model with one input per column, the inputs'
//! names). Numbers and booleans are cast to float32 (a null is NaN, which tree models route
//! as their missing value and linear models propagate); strings become their codes in the
//! model's vocabulary.

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use ndarray::{Array2, ArrayView2};

use crate::{Model, ModelError};

/// What the model needs to know about the data: a small TOML file beside the model.
///
/// ```toml
/// # the columns of the model's input matrix, in its order
/// features = ["age", "income", "credit_score"]
/// # a binary classifier's prediction is this class's probability (default: the last class)
/// positive_class = 1
/// # the classes of the probability columns, when the graph does not name them (PyTorch)
/// classes = [0, 1]
/// ```
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Card {
    /// The data columns that feed the model's inputs, in its order. Empty (the default) for
    /// a model with one input per column: the columns named after its inputs.
    #[serde(default)]
    pub features: Vec<String>,
    /// For a binary classifier: the class whose probability is the prediction.
    #[serde(default)]
    pub positive_class: Option<i64>,
    /// The class of each probability column, for a classifier whose graph records none (a
    /// PyTorch export ending in a softmax): it makes the model a classifier.
    #[serde(default)]
    pub classes: Option<Vec<i64>>,
}

impl Card {
    /// A card with these feature columns and the default positive class.
    pub fn new(features: Vec<String>) -> Self {
        Self {
            features,
            positive_class: None,
            classes: None,
        }
    }
}

/// How [`Model::batch`] writes a category the model does not know.
pub const UNSEEN: &str = "<unseen>";

impl Model {
    /// Checks, before any row is read, that every column of `columns` is in `schema` and can
    /// feed the model (the errors [`Model::rows`] would give on the first batch).
    pub fn check(&self, schema: &SchemaRef, columns: &[String]) -> Result<(), ModelError> {
        self.rows(&RecordBatch::new_empty(schema.clone()), columns)
            .map(|_| ())
    }

    /// The inverse of [`rows`](Self::rows): a matrix as columns named after `features`,
    /// numbers as float32, a string feature's codes as its strings (a missing value as
    /// null, an unknown category as [`UNSEEN`]). What a perturbed matrix looked like, as
    /// data a person or another runtime can read.
    pub fn batch(
        &self,
        features: &[String],
        rows: ArrayView2<f32>,
    ) -> Result<RecordBatch, ModelError> {
        let mut fields = Vec::with_capacity(features.len());
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(features.len());
        for (j, (feature, column)) in features.iter().zip(rows.columns()).enumerate() {
            match self.categories(j) {
                Some(vocabulary) => {
                    let words = vocabulary.words();
                    fields.push(Field::new(feature, DataType::Utf8, true));
                    columns.push(Arc::new(StringArray::from_iter(column.iter().map(
                        |code| {
                            (!code.is_nan()).then(|| {
                                words
                                    .get(code.trunc() as usize)
                                    .filter(|_| *code >= 0.0)
                                    .map_or(UNSEEN, String::as_str)
                            })
                        },
                    ))));
                }
                None => {
                    fields.push(Field::new(feature, DataType::Float32, false));
                    columns.push(Arc::new(Float32Array::from(column.to_vec())));
                }
            }
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
            .map_err(|e| ModelError::Run(e.to_string()))
    }

    /// The rows of `batch` as the model's input matrix: `columns` names the data column of
    /// each feature, in the model's order. Numbers and booleans are cast to float32, a null
    /// is NaN; a string feature holds each value's code (see [`Model::categories`]), a null
    /// is NaN, which the model reads as the empty string.
    pub fn rows(&self, batch: &RecordBatch, columns: &[String]) -> Result<Array2<f32>, ModelError> {
        if columns.len() != self.features() {
            return Err(ModelError::Input {
                input: self.input().to_string(),
                message: format!(
                    "the model takes {} features, {} columns were named",
                    self.features(),
                    columns.len()
                ),
            });
        }
        let rows = batch.num_rows();
        let mut out = Array2::<f32>::zeros((rows, columns.len()));
        for (j, name) in columns.iter().enumerate() {
            let column = find(batch, name)?;
            let bad = |message: String| ModelError::Column {
                column: name.clone(),
                message,
            };
            let input = self
                .columns()
                .map_or_else(|| format!("column {j}"), |c| format!("`{}`", c[j]));
            let text = is_text(column.data_type());
            let numeric = column.data_type().is_numeric()
                || matches!(column.data_type(), DataType::Boolean | DataType::Null);
            match self.categories(j) {
                Some(vocabulary) if text || column.data_type() == &DataType::Null => {
                    let strings = arrow_cast::cast(column, &DataType::Utf8)
                        .map_err(|e| bad(e.to_string()))?;
                    let strings = strings.as_string::<i32>();
                    for i in 0..rows {
                        out[[i, j]] = if strings.is_null(i) {
                            f32::NAN
                        } else {
                            vocabulary.code(strings.value(i)) as f32
                        };
                    }
                    continue;
                }
                Some(_) => {
                    return Err(bad(format!(
                        "is {}; the model's input {input} takes strings",
                        column.data_type()
                    )));
                }
                None if !numeric => {
                    return Err(bad(format!(
                        "is {}; the model's input {input} takes numbers (encode it first, or export the encoder with the model)",
                        column.data_type()
                    )));
                }
                None => {}
            }
            let floats =
                arrow_cast::cast(column, &DataType::Float32).map_err(|e| bad(e.to_string()))?;
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
}

/// The column `name` of `batch`, or else the one column whose name becomes `name` when every
/// character other than a letter, digit or `_` is replaced by `_`: skl2onnx names a
/// DataFrame pipeline's inputs that way (`zurich-class` becomes input `zurich_class`).
fn find<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef, ModelError> {
    if let Some(column) = batch.column_by_name(name) {
        return Ok(column);
    }
    let schema = batch.schema();
    let matching: Vec<usize> = (0..schema.fields().len())
        .filter(|&k| sanitized(schema.field(k).name()) == name)
        .collect();
    match matching.as_slice() {
        [k] => Ok(batch.column(*k)),
        [] => Err(ModelError::Column {
            column: name.to_string(),
            message: "is not in the data".into(),
        }),
        several => Err(ModelError::Column {
            column: name.to_string(),
            message: format!(
                "is not in the data, and {} columns could be it ({}): name them with --features",
                several.len(),
                several
                    .iter()
                    .map(|k| schema.field(*k).name().as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

/// `name` with every character other than an ASCII letter, digit or `_` replaced by `_`.
fn sanitized(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Whether Arrow stores strings in a column of this type.
fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, values) => is_text(values),
        _ => false,
    }
}
