//! A model's predictions as Arrow columns beside the rows they score: what `seismo score`
//! writes, what `seismo test --model` scores on the fly, and what the Python package's
//! `seismo.score` returns. One place decides what the prediction column holds:
//!
//! - a binary classifier: the positive class's probability (the card's `positive_class`,
//!   else the second class);
//! - another classifier: the predicted class's label;
//! - a regressor: its value.
//!
//! A classifier's class probabilities follow as `probability_<label>` columns where the
//! scored rows keep every output ([`Scored::append`]). float32 outputs widen to float64; NaN
//! becomes null.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::{Card, Model, ModelError, Prediction};

impl Card {
    /// A card from its TOML text; errors name `name`, line and column.
    pub fn parse(name: &str, text: &str) -> Result<Card, ModelError> {
        seismo_config::ConfigFile::new(name, text)
            .parse::<Card>()
            .map_err(|e| ModelError::Card(e.to_string()))
    }

    /// A card read from a file.
    pub fn read(path: &Path) -> Result<Card, ModelError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ModelError::Card(format!("{}: {e}", path.display())))?;
        Card::parse(&path.display().to_string(), &text)
    }
}

impl Model {
    /// A model and its card, as every front end finds them: the card file `card`, else a
    /// card of `features`, else the `.toml` beside the model, else (for a model with one
    /// input per column) the columns named after its inputs.
    pub fn load_with_card(
        path: impl AsRef<Path>,
        card: Option<&Path>,
        features: &[String],
    ) -> Result<(Model, Card), ModelError> {
        let path = path.as_ref();
        if card.is_some() && !features.is_empty() {
            return Err(ModelError::Card(
                "give a card or the features, not both".into(),
            ));
        }
        let model = Model::load(path)?;
        let beside = path.with_extension("toml");
        let card = match (card, features.is_empty()) {
            (Some(card), _) => Card::read(card)?,
            (None, false) => Card::new(features.to_vec()),
            (None, true) if beside.is_file() => Card::read(&beside)?,
            (None, true) => Card::new(Vec::new()),
        };
        model.with_card(card)
    }

    /// The model with its card applied: the card's `classes` make it a classifier, and a
    /// card without `features` takes the model's own input names (one input per column).
    /// Errors when the card does not fit the model.
    pub fn with_card(self, mut card: Card) -> Result<(Model, Card), ModelError> {
        let model = match card.classes.clone() {
            Some(classes) => self.with_classes(classes)?,
            None => self,
        };
        if card.features.is_empty() {
            match model.columns() {
                Some(columns) => card.features = columns.to_vec(),
                None => {
                    return Err(ModelError::Card(format!(
                        "the model's input `{}` is a matrix of {} features: name its columns, in order, in the card's `features`",
                        model.input(),
                        model.features()
                    )));
                }
            }
        }
        if card.features.len() != model.features() {
            return Err(ModelError::Card(format!(
                "the model takes {} features and the card names {}",
                model.features(),
                card.features.len()
            )));
        }
        Ok((model, card))
    }

    /// A binary classifier's positive class, by its column among the probabilities: the
    /// card's `positive_class`, else the second class. `None` for other models.
    pub fn positive_column(&self, card: &Card) -> Result<Option<usize>, ModelError> {
        Ok(match (self.classes(), card.positive_class) {
            (Some(c), Some(label)) if c.len() == 2 => {
                Some(c.iter().position(|l| *l == label).ok_or_else(|| {
                    ModelError::Card(format!(
                        "positive_class {label} is not a class of the model ({c:?})"
                    ))
                })?)
            }
            (Some(c), None) if c.len() == 2 => Some(1),
            (_, Some(label)) => {
                return Err(ModelError::Card(format!(
                    "positive_class {label} is for binary classifiers"
                )));
            }
            _ => None,
        })
    }
}

/// Rows scored by a model: the input schema with the prediction column (and, for a
/// classifier, a probability column per class) added.
#[derive(Debug, Clone)]
pub struct Scored {
    schema: SchemaRef,
    positive: Option<usize>,
    classes: Option<Vec<i64>>,
}

impl Scored {
    /// The plan for rows of `input` scored into the new column `column`. Errors when the
    /// card does not fit the model or a column to add is already in the data.
    pub fn new(
        model: &Model,
        card: &Card,
        input: &SchemaRef,
        column: &str,
    ) -> Result<Self, ModelError> {
        let classes = model.classes().map(<[i64]>::to_vec);
        let positive = model.positive_column(card)?;
        let mut fields: Vec<Field> = input.fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.push(Field::new(column, prediction_type(model, positive), true));
        for label in classes.iter().flatten() {
            fields.push(Field::new(
                format!("probability_{label}"),
                DataType::Float64,
                true,
            ));
        }
        for added in &fields[input.fields().len()..] {
            if input.field_with_name(added.name()).is_ok() {
                return Err(ModelError::Column {
                    column: added.name().clone(),
                    message: "is already in the data: name the prediction column otherwise".into(),
                });
            }
        }
        Ok(Self {
            schema: Arc::new(Schema::new(fields)),
            positive,
            classes,
        })
    }

    /// The scored rows' schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// `batch` scored by `model` on `threads` threads, its predictions appended.
    pub fn score(
        &self,
        model: &Model,
        card: &Card,
        batch: &RecordBatch,
        threads: usize,
    ) -> Result<RecordBatch, ModelError> {
        let rows = model.rows(batch, &card.features)?;
        self.append(batch, model.predict_parallel(rows.view(), threads)?)
    }

    /// `batch` with `prediction` (of its rows) appended.
    pub fn append(
        &self,
        batch: &RecordBatch,
        prediction: Prediction,
    ) -> Result<RecordBatch, ModelError> {
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns.push(prediction_column(&prediction, self.positive)?);
        if let (Some(classes), Some(p)) = (&self.classes, &prediction.probabilities) {
            for k in 0..classes.len() {
                columns.push(widen(p.column(k).to_vec()));
            }
        }
        if columns.iter().any(|c| c.len() != batch.num_rows()) {
            return Err(ModelError::Run(
                "the model returned a prediction per row for some outputs only".into(),
            ));
        }
        RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| ModelError::Run(e.to_string()))
    }
}

/// `batches` (of `schema`) with column `column` holding `model`'s predictions, replacing a
/// column of that name or added last: how `seismo test --model` scores rows on the fly.
pub fn with_predictions(
    model: &Model,
    card: &Card,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    column: &str,
    threads: usize,
) -> Result<(SchemaRef, Vec<RecordBatch>), ModelError> {
    let positive = model.positive_column(card)?;
    model.check(schema, &card.features)?;
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    let field = Field::new(column, prediction_type(model, positive), true);
    let at = match schema.index_of(column) {
        Ok(at) => {
            fields[at] = field;
            Some(at)
        }
        Err(_) => {
            fields.push(field);
            None
        }
    };
    let scored = Arc::new(Schema::new(fields));
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        let rows = model.rows(batch, &card.features)?;
        let prediction = model.predict_parallel(rows.view(), threads)?;
        let predicted = prediction_column(&prediction, positive)?;
        let mut columns = batch.columns().to_vec();
        match at {
            Some(at) => columns[at] = predicted,
            None => columns.push(predicted),
        }
        out.push(
            RecordBatch::try_new(scored.clone(), columns)
                .map_err(|e| ModelError::Run(e.to_string()))?,
        );
    }
    Ok((scored, out))
}

/// float32 values as a Float64 column, NaN as null.
fn widen(values: Vec<f32>) -> ArrayRef {
    Arc::new(Float64Array::from_iter(
        values
            .into_iter()
            .map(|x| (!x.is_nan()).then_some(x as f64)),
    ))
}

/// The prediction column: a binary classifier's positive-class probability (`positive`), a
/// multiclass classifier's label, a regressor's value.
fn prediction_column(
    prediction: &Prediction,
    positive: Option<usize>,
) -> Result<ArrayRef, ModelError> {
    Ok(match (&prediction.probabilities, positive) {
        (Some(p), Some(k)) => widen(p.column(k).to_vec()),
        (Some(_), None) => Arc::new(Int64Array::from(
            prediction.labels.clone().unwrap_or_default(),
        )),
        (None, _) => widen(prediction.values.clone().ok_or_else(|| {
            ModelError::Run("the model returned no prediction for these rows".into())
        })?),
    })
}

/// The type of the prediction column: a multiclass classifier's label, else a number.
fn prediction_type(model: &Model, positive: Option<usize>) -> DataType {
    match (model.classes(), positive) {
        (Some(_), None) => DataType::Int64,
        _ => DataType::Float64,
    }
}
