//! `seismo score`: a model's predictions added to the rows of a file, streamed batch by
//! batch, the output written whole or not at all.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use seismo_core::Dataset;
use seismo_io::Sink;
use seismo_model::{Card, Model, Scored};

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

/// A model and its card ([`Model::load_with_card`]), errors naming the flags.
pub fn load_model(path: &Path, card: Option<&Path>, features: &[String]) -> Result<(Model, Card)> {
    Model::load_with_card(path, card, features).map_err(|e| match e {
        seismo_model::ModelError::Card(message) => anyhow::anyhow!(
            "model {}: {message} (the columns come from --features or a model card: --card, or {})",
            path.display(),
            path.with_extension("toml").display()
        ),
        other => anyhow::Error::new(other).context(format!("model {}", path.display())),
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
    let scored = Scored::new(&model, &card, source.arrow_schema(), &args.output_column)
        .context("--output-column")?;
    model
        .check(source.arrow_schema(), &card.features)
        .with_context(|| args.data.path().to_string())?;
    let mut sink = Sink::create(&args.output, None, scored.schema())?;
    for partition in source.into_partitions(1) {
        for batch in partition {
            sink.write(&scored.score(&model, &card, &batch?, threads)?)?;
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

/// `data` with column `column` holding `model`'s predictions (replaced, or added last):
/// how `seismo test --model` scores the rows on the fly.
pub fn with_predictions(
    data: &Dataset,
    model: &Model,
    card: &Card,
    column: &str,
    threads: usize,
) -> Result<Dataset> {
    let (schema, batches) = seismo_model::with_predictions(
        model,
        card,
        data.arrow_schema(),
        data.batches(),
        column,
        threads,
    )?;
    Ok(Dataset::from_batches(schema, batches)?)
}
