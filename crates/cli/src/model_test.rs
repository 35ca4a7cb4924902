//! `seismo test`: run a suite of slice tests on a scored dataset, optionally against a
//! baseline model's scores on the same rows.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use seismo_core::Dataset;
use seismo_slices::{PredictionColumns, RunOptions, Suite, run_suite};

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes};
use crate::score::{load_model, with_predictions};

/// Arguments of `seismo test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The suite file (TOML, or YAML by its extension)
    #[arg(long, value_name = "FILE")]
    suite: PathBuf,
    /// The scored data: features, target and the model's predictions
    #[arg(long, value_name = "DATA")]
    data: String,
    /// The same rows scored by the previous model (joined by the suite's `id`, or by row order)
    #[arg(long, value_name = "DATA")]
    baseline: Option<String>,
    /// Score the rows with this ONNX model first: its predictions fill the suite's
    /// `prediction` column (replacing it, or added)
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// The model card of --model [default: MODEL with the extension .toml]
    #[arg(long, value_name = "FILE", requires = "model")]
    card: Option<PathBuf>,
    /// The production model: scores the same rows as the baseline, instead of --baseline
    /// (its card: beside it, else --model's)
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    baseline_model: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    format: TestFormat,
    /// Write the report to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TestFormat {
    Text,
    Json,
    Junit,
    Html,
}

/// Runs `seismo test`; `Found` (exit 1) when a test failed.
pub fn run(args: TestArgs) -> Result<Exit> {
    let text = std::fs::read_to_string(&args.suite)
        .with_context(|| format!("{}: cannot read the suite", args.suite.display()))?;
    let suite = Suite::parse(&args.suite.display().to_string(), &text)?;
    let options = args.input.read_options()?;
    let data = seismo_io::read_dataset(&args.data, &options)?;
    let threads = args.input.threads()?;
    let (data, baseline) = if args.model.is_some() || args.baseline_model.is_some() {
        score_on_the_fly(&args, &suite, data, threads)?
    } else {
        let baseline = args
            .baseline
            .as_deref()
            .map(|b| seismo_io::read_dataset(b, &options))
            .transpose()?;
        (data, baseline)
    };
    let options = RunOptions::with_threads(threads);
    let report = run_suite(&suite, &data, baseline.as_ref(), &options)?;
    let suite_name = args.suite.display().to_string();
    let rendered = match args.format {
        TestFormat::Json => json_bytes(&report)?,
        TestFormat::Text => seismo_report::model_test::text(&report).into_bytes(),
        TestFormat::Junit => seismo_report::model_test::junit(&suite_name, &report).into_bytes(),
        TestFormat::Html => {
            let baseline = args.baseline.as_deref();
            seismo_report::model_test::html(&suite_name, &args.data, baseline, &report).into_bytes()
        }
    };
    emit(args.output.as_deref(), &rendered)?;
    Ok(if report.passed {
        Exit::Clean
    } else {
        Exit::Found
    })
}

/// The rows scored by `--model` (the candidate) and `--baseline-model` (the production
/// model), each model's predictions in the suite's prediction column.
fn score_on_the_fly(
    args: &TestArgs,
    suite: &Suite,
    data: Dataset,
    threads: usize,
) -> Result<(Dataset, Option<Dataset>)> {
    let PredictionColumns::One(column) = &suite.file.prediction else {
        bail!(
            "{}: --model fills one prediction column; the suite's `prediction` names one per class",
            args.suite.display()
        );
    };
    let mut candidate_card = None;
    let candidate = match &args.model {
        Some(path) => {
            let (model, card) = load_model(path, args.card.as_deref(), &[])?;
            let scored = with_predictions(&data, &model, &card, column, threads)
                .with_context(|| format!("scoring {} with {}", args.data, path.display()))?;
            candidate_card = Some(card);
            scored
        }
        None => data.clone(),
    };
    let baseline = match &args.baseline_model {
        Some(path) => {
            // Its own card beside it, else the candidate's columns.
            let features = match (&candidate_card, path.with_extension("toml").is_file()) {
                (Some(card), false) => card.features.clone(),
                _ => Vec::new(),
            };
            let (model, card) = load_model(path, None, &features)?;
            Some(
                with_predictions(&data, &model, &card, column, threads)
                    .with_context(|| format!("scoring {} with {}", args.data, path.display()))?,
            )
        }
        None => None,
    };
    Ok((candidate, baseline))
}
