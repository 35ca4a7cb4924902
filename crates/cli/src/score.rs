//! `seismo score`: a model's predictions added to the rows of a file, streamed batch by
//! batch, the output written whole or not at all.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use clap::Args;
use seismo_core::Dataset;
use seismo_io::Sink;
use seismo_model::{Card, Model, Prediction};

use crate::Exit;
use crate::input::InputArgs;

/// Which model, and which columns feed it: shared by `seismo score` and `seismo robust`.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// The ONNX model (scikit-learn exports from skl2onnx, tree ensembles, MLPs)
    #[arg(long, value_name = "FILE")]
    model: PathBuf,
    /// The model card: a TOML file with `features` (the input columns, in the model's order;
    /// for a model with one input per column, its inputs' names by default) and optionally
    /// `positive_class` [default: MODEL with the extension .toml, if present]
    #[arg(long, value_name = "FILE")]
    card: Option<PathBuf>,
    /// The input columns in the model's order, instead of a card (comma-separated)
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    features: Vec<String>,
}

impl ModelArgs {
    /// The model and its card.
    pub fn load(&self) -> Result<(Model, Card)> {
        load_model(&self.model, self.card.as_deref(), &self.features)
    }

    /// The model's path, as given.
    pub fn path(&self) -> &Path {
        &self.model
    }
}

/// A model and its card: `card`, else `features`, else the `.toml` beside the model, else
/// (for a model with one input per column) the columns named after its inputs.
pub fn load_model(path: &Path, card: Option<&Path>, features: &[String]) -> Result<(Model, Card)> {
    let model = Model::load(path).with_context(|| format!("model {}", path.display()))?;
    let beside = path.with_extension("toml");
    let mut card = match (card, features.is_empty()) {
        (Some(_), false) => bail!("give --card or --features, not both"),
        (Some(card), true) => read_card(card)?,
        (None, false) => Card::new(features.to_vec()),
        (None, true) if beside.is_file() => read_card(&beside)?,
        (None, true) => Card::new(Vec::new()),
    };
    let model = match card.classes.clone() {
        Some(classes) => model
            .with_classes(classes)
            .with_context(|| format!("model {}", path.display()))?,
        None => model,
    };
    if card.features.is_empty() {
        match model.columns() {
            Some(columns) => card.features = columns.to_vec(),
            None => bail!(
                "the model's input `{}` is a matrix of {} features: name its columns, in order, with --features or a model card (--card, or {})",
                model.input(),
                model.features(),
                beside.display()
            ),
        }
    }
    if card.features.len() != model.features() {
        bail!(
            "the model takes {} features and the card names {}",
            model.features(),
            card.features.len()
        );
    }
    Ok((model, card))
}

/// A binary classifier's positive class, by its column among the probabilities: the card's
/// `positive_class`, else the second class.
pub fn positive_column(model: &Model, card: &Card) -> Result<Option<usize>> {
    let classes = model.classes();
    Ok(match (classes, card.positive_class) {
        (Some(c), Some(label)) if c.len() == 2 => {
            Some(c.iter().position(|l| *l == label).with_context(|| {
                format!("positive_class {label} is not a class of the model ({c:?})")
            })?)
        }
        (Some(c), None) if c.len() == 2 => Some(1),
        (_, Some(label)) => bail!("positive_class {label} is for binary classifiers"),
        _ => None,
    })
}

/// The rows a model runs on: `DATA`, or `--data DATA` as the model options read.
#[derive(Debug, Args)]
pub struct DataArg {
    /// The rows (`-` for stdin; or `--data DATA`)
    #[arg(value_name = "DATA", required_unless_present = "data_option")]
    data: Option<String>,
    /// The rows, as an option
    #[arg(long = "data", value_name = "DATA", conflicts_with = "data")]
    data_option: Option<String>,
}

impl DataArg {
    /// The path given, either way.
    pub fn path(&self) -> &str {
        self.data
            .as_deref()
            .or(self.data_option.as_deref())
            .unwrap_or("-")
    }
}

/// Arguments of `seismo score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    data: DataArg,
    #[command(flatten)]
    model: ModelArgs,
    /// The name of the prediction column: a binary classifier's positive-class probability,
    /// another classifier's predicted class, a regressor's value
    #[arg(long, value_name = "NAME", default_value = "prediction")]
    output_column: String,
    /// Where to write the rows with their predictions (format by extension)
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
    #[command(flatten)]
    input: InputArgs,
}

pub fn run(args: ScoreArgs) -> Result<Exit> {
    let (model, card) = args.model.load()?;
    let threads = args.input.threads()?;
    let source = args.input.open(args.data.path())?;
    let plan = Plan::new(&model, &card, source.arrow_schema(), &args.output_column)?;
    model
        .check(source.arrow_schema(), &card.features)
        .with_context(|| args.data.path().to_string())?;
    let mut sink = Sink::create(&args.output, None, &plan.schema)?;
    for partition in source.into_partitions(1) {
        for batch in partition {
            let batch = batch?;
            let rows = model.rows(&batch, &card.features)?;
            let prediction = model.predict_parallel(rows.view(), threads)?;
            sink.write(&plan.append(&batch, prediction)?)?;
        }
    }
    let rows = sink.rows();
    sink.commit()?;
    println!(
        "{rows} rows scored by {} into {}",
        args.model.path().display(),
        args.output.display()
    );
    Ok(Exit::Clean)
}

fn read_card(path: &Path) -> Result<Card> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    Ok(seismo_config::ConfigFile::new(&path.display().to_string(), &text).parse::<Card>()?)
}

/// The columns added to each batch.
struct Plan {
    schema: SchemaRef,
    /// A binary classifier's positive class, by its column among the probabilities.
    positive: Option<usize>,
    /// The class labels (classifiers).
    classes: Option<Vec<i64>>,
}

impl Plan {
    fn new(model: &Model, card: &Card, input: &SchemaRef, column: &str) -> Result<Self> {
        let classes = model.classes().map(<[i64]>::to_vec);
        let positive = positive_column(model, card)?;
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
                bail!(
                    "the data already has a column `{}`; choose another --output-column",
                    added.name()
                );
            }
        }
        Ok(Self {
            schema: Arc::new(Schema::new(fields)),
            positive,
            classes,
        })
    }

    fn append(&self, batch: &RecordBatch, prediction: Prediction) -> Result<RecordBatch> {
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        columns.push(prediction_column(&prediction, self.positive)?);
        if let (Some(classes), Some(p)) = (&self.classes, &prediction.probabilities) {
            for k in 0..classes.len() {
                columns.push(widen(p.column(k).to_vec()));
            }
        }
        if columns.iter().any(|c| c.len() != batch.num_rows()) {
            bail!("the model returned a prediction per row for some outputs only");
        }
        Ok(RecordBatch::try_new(self.schema.clone(), columns)?)
    }
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
fn prediction_column(prediction: &Prediction, positive: Option<usize>) -> Result<ArrayRef> {
    Ok(match (&prediction.probabilities, positive) {
        (Some(p), Some(k)) => widen(p.column(k).to_vec()),
        (Some(_), None) => Arc::new(Int64Array::from(
            prediction.labels.clone().unwrap_or_default(),
        )),
        (None, _) => widen(
            prediction
                .values
                .clone()
                .context("the model returned no prediction for these rows")?,
        ),
    })
}

/// The type of the prediction column: a multiclass classifier's label, else a number.
fn prediction_type(model: &Model, positive: Option<usize>) -> DataType {
    match (model.classes(), positive) {
        (Some(_), None) => DataType::Int64,
        _ => DataType::Float64,
    }
}

/// `data` with column `column` holding `model`'s predictions (replaced, or added last):
/// how `seismo test --model` scores the rows on the fly.
pub fn with_predictions(
    data: &Dataset,
    model: &Model,
    card: &Card,
    column: &str,
    threads: usize,
) -> Result<Dataset> {
    let positive = positive_column(model, card)?;
    model.check(data.arrow_schema(), &card.features)?;
    let mut fields: Vec<Field> = data
        .arrow_schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    let field = Field::new(column, prediction_type(model, positive), true);
    let at = match data.arrow_schema().index_of(column) {
        Ok(at) => {
            fields[at] = field;
            Some(at)
        }
        Err(_) => {
            fields.push(field);
            None
        }
    };
    let schema = Arc::new(Schema::new(fields));
    let mut batches = Vec::with_capacity(data.batches().len());
    for batch in data.batches() {
        let rows = model.rows(batch, &card.features)?;
        let prediction = model.predict_parallel(rows.view(), threads)?;
        let predicted = prediction_column(&prediction, positive)?;
        let mut columns = batch.columns().to_vec();
        match at {
            Some(at) => columns[at] = predicted,
            None => columns.push(predicted),
        }
        batches.push(RecordBatch::try_new(schema.clone(), columns)?);
    }
    Ok(Dataset::from_batches(schema, batches)?)
}
