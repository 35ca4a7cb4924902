//! `seismo infer`: a first rule file from a reference dataset.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use seismo_rules::{InferOptions, infer};

use crate::Exit;
use crate::input::InputArgs;
use crate::output::emit;

/// Arguments of `seismo infer`.
#[derive(Debug, Args)]
pub struct InferArgs {
    /// The reference data the rules describe
    #[arg(value_name = "REFERENCE")]
    reference: String,
    /// Write the rules to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Prediction column(s): they get bounds on their mean and spread [default: a column
    /// named score, prediction, pred, y_pred, probability or proba]
    #[arg(long, value_name = "COLUMN")]
    prediction: Vec<String>,
    /// Columns to leave out
    #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
    ignore: Vec<String>,
    #[command(flatten)]
    input: InputArgs,
}

/// Runs `seismo infer`.
pub fn run(args: InferArgs) -> Result<Exit> {
    let reference = seismo_io::read_dataset(&args.reference, &args.input.read_options()?)?;
    let schema = reference.arrow_schema();
    for name in args.prediction.iter().chain(&args.ignore) {
        if schema.index_of(name).is_err() {
            anyhow::bail!("{}: no column `{name}`", args.reference);
        }
    }
    let mut options = InferOptions::default();
    options.prediction = args.prediction;
    options.ignore = args.ignore;
    options.source = args.reference.clone();
    let rules = infer(&reference, &options);
    emit(args.output.as_deref(), rules.as_bytes())?;
    Ok(Exit::Clean)
}
