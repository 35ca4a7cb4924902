#![warn(missing_docs)]
//! The model in the loop: ONNX models run in pure Rust (tract), nothing native to install.
//!
//! Models users have: scikit-learn pipelines exported by skl2onnx (scaling, logistic
//! regression, random forests, gradient boosting, MLPs; classifiers and tree regressors),
//! with their default ZipMap outputs, and LightGBM and XGBoost exports from onnxmltools.
//! The ONNX-ML operators those exports use and tract lacks are rewritten into standard
//! operators when the model is read (`rewrite`); an operator still missing is an error
//! naming it and its node. Predictions equal onnxruntime's (the crate's tests compare them on
//! committed models and fixtures from `scripts/oracles/models_onnx.py`).
//!
//! This first part reads models whose one input is a float matrix `[rows, features]`, the
//! form skl2onnx gives a numeric pipeline; mapping Arrow columns to inputs, model cards and
//! batch scoring on all cores build on it (issue 16).
//!
//! ```
//! use seismo_model::Model;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/models/logistic.onnx");
//! let model = Model::load(path).unwrap();
//! assert_eq!(model.features(), 7);
//! // age, income, credit_score, tenure_months, num_products, balance, utilization
//! let rows = ndarray::arr2(&[[42.0f32, 48333.9, 548.0, 19.0, 2.0, 10662.1, 0.06]]);
//! let prediction = model.predict(rows.view()).unwrap();
//! let p = prediction.probabilities.unwrap();
//! assert!((p[[0, 0]] + p[[0, 1]] - 1.0).abs() < 1e-6);
//! ```

mod front;
mod input;
mod proto;
mod rewrite;
mod scored;
mod strings;
mod trees;

pub use input::{Card, UNSEEN};
pub use scored::{Scored, with_predictions};
pub use strings::Vocabulary;

use std::path::Path;
use std::sync::Arc;

use ndarray::{Array2, ArrayView2};
use tract_onnx::pb::{ModelProto, type_proto};
use tract_onnx::prelude::*;

/// Why a model could not be read or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The file could not be read, or is not an ONNX model.
    #[error("cannot read the model: {0}")]
    Read(String),
    /// An operator that neither tract nor seismo's rewrites run.
    #[error("the model uses operator {operator} (node `{node}`), which seismo cannot run yet")]
    Unsupported {
        /// `domain:op_type`.
        operator: String,
        /// The node's name in the graph.
        node: String,
    },
    /// The model's inputs are not the form this crate reads.
    #[error("input `{input}`: {message}")]
    Input {
        /// The input's name.
        input: String,
        /// What is wrong.
        message: String,
    },
    /// A data column that cannot feed the model.
    #[error("column `{column}` {message}")]
    Column {
        /// The column.
        column: String,
        /// What is wrong with it.
        message: String,
    },
    /// The model card does not fit the model.
    #[error("{0}")]
    Card(String),
    /// tract failed to prepare or run the model.
    #[error("running the model: {0}")]
    Run(String),
}

/// What a model returned for a batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The predicted class of each row (classifiers with integer labels): the label of the
    /// most probable class, the first on a tie.
    pub labels: Option<Vec<i64>>,
    /// One probability per class and row (classifiers), classes in the model's order.
    pub probabilities: Option<Array2<f32>>,
    /// The predicted value of each row (regressors; the first output when it is a float
    /// vector or a one-column matrix and there is no label output).
    pub values: Option<Vec<f32>>,
}

/// Rows per call of the model in [`Model::predict_parallel`].
pub const CHUNK: usize = 4_096;

impl Prediction {
    /// The predictions of consecutive chunks as one.
    fn concat(parts: Vec<Prediction>, rows: usize) -> Prediction {
        let mut labels: Option<Vec<i64>> = None;
        let mut values: Option<Vec<f32>> = None;
        let mut probabilities: Option<Vec<f32>> = None;
        let mut width = 0;
        for part in parts {
            if let Some(l) = part.labels {
                labels.get_or_insert_with(Vec::new).extend(l);
            }
            if let Some(v) = part.values {
                values.get_or_insert_with(Vec::new).extend(v);
            }
            if let Some(p) = part.probabilities {
                width = p.ncols();
                probabilities
                    .get_or_insert_with(Vec::new)
                    .extend(p.iter().copied());
            }
        }
        Prediction {
            labels,
            probabilities: probabilities
                .and_then(|p| Array2::from_shape_vec((rows, width), p).ok()),
            values,
        }
    }
}

/// A loaded, optimized ONNX model, run on a float matrix of rows (see [`Model::rows`]).
#[derive(Debug, Clone)]
pub struct Model {
    plan: Arc<TypedRunnableModel>,
    input: String,
    features: usize,
    outputs: Vec<String>,
    classes: Option<Vec<i64>>,
    /// The names of its inputs when it takes one input per column.
    columns: Option<Vec<String>>,
    /// Per feature: whether it takes strings (its matrix column holds codes).
    text: Vec<bool>,
    vocabulary: Vocabulary,
}

impl Model {
    /// Reads an ONNX file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ModelError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| ModelError::Read(format!("{}: {e}", path.display())))?;
        Self::from_bytes(&bytes)
    }

    /// Reads an ONNX model from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let onnx = tract_onnx::onnx();
        let mut proto = onnx
            .proto_model_for_read(&mut &bytes[..])
            .map_err(|e| ModelError::Read(format!("not an ONNX model ({e})")))?;
        let opset = proto
            .opset_import
            .iter()
            .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
            .map_or(13, |o| o.version);
        let graph = proto
            .graph
            .as_mut()
            .ok_or_else(|| ModelError::Read("the file holds no graph".into()))?;
        let columns = front::per_column(graph)?;
        let text_inputs: Vec<String> = columns
            .iter()
            .flatten()
            .filter(|c| c.text)
            .map(|c| c.name.clone())
            .collect();
        let vocabulary = strings::encode(graph, &text_inputs, opset)?;
        let classes = rewrite::standardize(&mut proto)?;
        let (input, features) = matrix_input(&proto)?;
        let text = match &columns {
            Some(columns) => columns.iter().map(|c| c.text).collect(),
            None => vec![false; features],
        };
        let outputs = proto
            .graph
            .as_ref()
            .map(|g| g.output.iter().map(|o| o.name.clone()).collect())
            .unwrap_or_default();
        let run = |e: TractError| ModelError::Run(format!("{e:#}"));
        let mut model = onnx.model_for_proto_model(&proto).map_err(run)?;
        let rows = model.symbols.sym("rows");
        model
            .set_input_fact(0, f32::fact(&[rows.to_dim(), features.to_dim()]).into())
            .map_err(run)?;
        let mut model = model.into_typed().map_err(run)?;
        trees::speed_up(&mut model).map_err(run)?;
        let plan = model
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(run)?;
        Ok(Self {
            plan,
            input,
            features,
            outputs,
            classes,
            columns: columns.map(|c| c.into_iter().map(|c| c.name).collect()),
            text,
            vocabulary,
        })
    }

    /// The model with `classes` as the labels of its probability columns, for a classifier
    /// whose graph names none (a PyTorch export). A model whose graph names other classes is
    /// an error.
    pub fn with_classes(mut self, classes: Vec<i64>) -> Result<Self, ModelError> {
        match &self.classes {
            Some(own) if *own != classes => Err(ModelError::Input {
                input: self.input.clone(),
                message: format!("the model's classes are {own:?}, the card says {classes:?}"),
            }),
            _ if classes.len() < 2 => Err(ModelError::Input {
                input: self.input.clone(),
                message: "a classifier has at least two classes".into(),
            }),
            _ => {
                self.classes = Some(classes);
                Ok(self)
            }
        }
    }

    /// The names of the model's inputs when it takes one input per column (a pipeline
    /// exported from a DataFrame): the data columns it reads by default, in order. `None`
    /// when its input is one float matrix, whose columns a [`Card`] names.
    pub fn columns(&self) -> Option<&[String]> {
        self.columns.as_deref()
    }

    /// The strings feature `j` can take, when it takes strings: its matrix column holds
    /// codes, the position in this list; [`Vocabulary::unknown`] is any other string.
    pub fn categories(&self, j: usize) -> Option<&Vocabulary> {
        self.text
            .get(j)
            .copied()
            .unwrap_or(false)
            .then_some(&self.vocabulary)
    }

    /// The name of the model's input.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The class labels of a classifier, in the order of its probability columns.
    pub fn classes(&self) -> Option<&[i64]> {
        self.classes.as_deref()
    }

    /// How many features (columns) a row has.
    pub fn features(&self) -> usize {
        self.features
    }

    /// Runs the model on `rows` in chunks of [`CHUNK`] rows, on up to `threads` threads.
    /// The chunks are the same whatever the thread count, so the results are the same bits
    /// on any number of threads.
    pub fn predict_parallel(
        &self,
        rows: ArrayView2<f32>,
        threads: usize,
    ) -> Result<Prediction, ModelError> {
        let chunks: Vec<ArrayView2<f32>> = rows.axis_chunks_iter(ndarray::Axis(0), CHUNK).collect();
        // Chunks scored on up to `threads` threads, back in chunk order; a panic in the
        // runtime is an error for its chunk, not a crash.
        let parts: Result<Vec<Prediction>, ModelError> =
            seismo_core::parallel::map_ordered(&chunks, threads, |chunk| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.predict(chunk.view())
                }))
                .unwrap_or_else(|_| Err(ModelError::Run("a scoring thread panicked".into())))
            })
            .into_iter()
            .collect();
        Ok(Prediction::concat(parts?, rows.nrows()))
    }

    /// Makes every value of a string feature a valid code: a missing value (NaN) is the
    /// missing code, a value outside the codes is unknown, others are truncated to whole.
    fn to_codes(&self, rows: &mut Array2<f32>) {
        let (missing, unknown) = (self.vocabulary.missing(), self.vocabulary.unknown());
        for (j, mut column) in rows.columns_mut().into_iter().enumerate() {
            if !self.text[j] {
                continue;
            }
            column.mapv_inplace(|v| {
                if v.is_nan() {
                    missing as f32
                } else if v < 0.0 || v >= unknown as f32 {
                    unknown as f32
                } else {
                    v.trunc()
                }
            });
        }
    }

    /// Runs the model on `rows` (`[rows, features]`).
    pub fn predict(&self, rows: ArrayView2<f32>) -> Result<Prediction, ModelError> {
        if rows.ncols() != self.features {
            return Err(ModelError::Input {
                input: self.input.clone(),
                message: format!(
                    "the model takes {} features per row, got {}",
                    self.features,
                    rows.ncols()
                ),
            });
        }
        let mut rows = rows.to_owned();
        self.to_codes(&mut rows);
        let tensor: Tensor = rows.into();
        let outputs = self
            .plan
            .run(tvec!(tensor.into()))
            .map_err(|e| ModelError::Run(format!("{e:#}")))?;
        let (mut probabilities, mut values) = (None, None);
        for (name, value) in self.outputs.iter().zip(outputs.iter()) {
            if value.datum_type() != DatumType::F32 {
                continue;
            }
            let view = value
                .to_plain_array_view::<f32>()
                .map_err(|e| ModelError::Run(format!("output `{name}`: {e}")))?;
            match view.shape() {
                [n, k] if self.classes.is_some() || *k > 1 => {
                    let data: Vec<f32> = view.iter().copied().collect();
                    probabilities = Some(
                        Array2::from_shape_vec((*n, *k), data)
                            .map_err(|e| ModelError::Run(e.to_string()))?,
                    );
                }
                _ if values.is_none() => values = Some(view.iter().copied().collect()),
                _ => {}
            }
        }
        if let (Some(classes), Some(p)) = (&self.classes, &probabilities)
            && classes.len() != p.ncols()
        {
            return Err(ModelError::Run(format!(
                "the model returned {} probability columns for {} classes",
                p.ncols(),
                classes.len()
            )));
        }
        let labels = match (&self.classes, &probabilities) {
            (Some(classes), Some(p)) if classes.len() == p.ncols() => Some(
                p.rows()
                    .into_iter()
                    .map(|row| {
                        let best = row
                            .iter()
                            .enumerate()
                            .fold(0, |best, (k, v)| if *v > row[best] { k } else { best });
                        classes[best]
                    })
                    .collect(),
            ),
            _ => None,
        };
        let prediction = Prediction {
            labels,
            probabilities,
            values: if self.classes.is_some() { None } else { values },
        };
        Ok(prediction)
    }
}

/// The model's one input, a float matrix with a known number of columns.
fn matrix_input(proto: &ModelProto) -> Result<(String, usize), ModelError> {
    let graph = proto
        .graph
        .as_ref()
        .ok_or_else(|| ModelError::Read("the file holds no graph".into()))?;
    let initializers: Vec<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    let inputs: Vec<_> = graph
        .input
        .iter()
        .filter(|i| !initializers.contains(&i.name.as_str()))
        .collect();
    let [input] = inputs.as_slice() else {
        return Err(ModelError::Input {
            input: inputs
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            message: format!(
                "the model has {} inputs; this version reads models with one float matrix input",
                inputs.len()
            ),
        });
    };
    let bad = |message: &str| ModelError::Input {
        input: input.name.clone(),
        message: message.into(),
    };
    let Some(type_proto::Value::TensorType(tensor)) =
        input.r#type.as_ref().and_then(|t| t.value.as_ref())
    else {
        return Err(bad("is not a tensor"));
    };
    if tensor.elem_type != tract_onnx::pb::tensor_proto::DataType::Float as i32 {
        return Err(bad("is not a float tensor"));
    }
    let dims = tensor
        .shape
        .as_ref()
        .map(|s| s.dim.as_slice())
        .unwrap_or(&[]);
    let features = match dims {
        [_, last] => match last.value {
            Some(tract_onnx::pb::tensor_shape_proto::dimension::Value::DimValue(v)) if v > 0 => {
                v as usize
            }
            _ => return Err(bad("has no fixed number of columns")),
        },
        _ => return Err(bad("is not a matrix [rows, features]")),
    };
    Ok((input.name.clone(), features))
}
