//! `seismo robust`: does a model's decision hold under small changes of its input?

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use ndarray::ArrayView2;
use seismo_io::Sink;
use seismo_model::Model;
use seismo_robust::{Data, DataReader, Options, Perturbation, Reference, SuiteFile};

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes};
use crate::score::{DataArg, ModelArgs};

/// Arguments of `seismo robust`.
#[derive(Debug, Args)]
pub struct RobustArgs {
    #[command(flatten)]
    data: DataArg,
    #[command(flatten)]
    model: ModelArgs,
    /// A perturbation, `kind:amount[@column,...]` (repeatable): gaussian:0.1, multiply:0.01,
    /// round:0, missing:0.05, category:0.1, unseen:0.1, dropout[@column],
    /// adversarial:0.1, invariance@column, decreases:0.1@column, increases:0.1@column
    /// [default: gaussian:0.1, multiply:0.01, missing:0.05, category:0.1]
    #[arg(long = "perturb", value_name = "SPEC")]
    perturb: Vec<String>,
    /// A suite file of perturbations with their own limits, and the run's settings (which
    /// take precedence over the options here; see docs/robustness.md)
    #[arg(long, value_name = "FILE", conflicts_with = "perturb")]
    suite: Option<PathBuf>,
    /// The rows whose spreads, medians and values scale the perturbations [default: DATA]
    #[arg(long, value_name = "DATA")]
    reference: Option<String>,
    /// The label column: reports how much each metric drops under each perturbation
    #[arg(long, value_name = "COLUMN")]
    target: Option<String>,
    /// The metrics whose drop is reported with --target (repeatable) [default: roc_auc and
    /// accuracy for binary classifiers, rmse for regressors]
    #[arg(long = "metric", value_name = "NAME")]
    metrics: Vec<String>,
    /// Report each perturbation per value of this column (a slice per value)
    #[arg(long, value_name = "COLUMN")]
    by: Option<String>,
    /// Seeds every random draw: the same seed gives the same report
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// A binary classifier decides "positive" at this probability or above
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
    /// A perturbation fails when a larger share of decisions flips, overall or in a slice
    #[arg(long, default_value_t = 0.05)]
    max_flip_rate: f64,
    /// Also fail when the mean |Δprediction| is larger (the criterion for regressors)
    #[arg(long, value_name = "X")]
    max_mean_change: Option<f64>,
    /// How far a prediction may move the wrong way under decreases/increases
    #[arg(long, default_value_t = 0.01)]
    tolerance: f64,
    /// Slices with fewer rows are reported but not judged
    #[arg(long, default_value_t = 100)]
    min_rows: usize,
    /// Write each perturbation's rows, as the model saw them, to DIR (Parquet: original.parquet,
    /// then 00.parquet, 01.parquet, ... in the report's order)
    #[arg(long, value_name = "DIR")]
    dump_perturbed: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = RobustFormat::Text)]
    format: RobustFormat,
    /// Write the report to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RobustFormat {
    Text,
    Json,
    Junit,
    Html,
}

/// Runs `seismo robust`; `Found` (exit 1) when a perturbation failed.
pub fn run(mut args: RobustArgs) -> Result<Exit> {
    let (model, card) = args.model.load()?;
    let mut options = Options {
        seed: args.seed,
        threshold: args.threshold,
        positive: model.positive_column(&card)?,
        max_flip_rate: args.max_flip_rate,
        max_mean_change: args.max_mean_change,
        tolerance: args.tolerance,
        min_rows: args.min_rows,
        threads: args.input.threads()?,
        ..Options::default()
    };
    options.set_metrics(&args.metrics).context("--metric")?;
    let perturbations: Vec<Perturbation> = match &args.suite {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the suite", path.display()))?;
            let file = seismo_config::ConfigFile::new(&path.display().to_string(), &text);
            let (suite, perturbations) = SuiteFile::read(&file, &card.features)?;
            options
                .apply(&suite)
                .with_context(|| path.display().to_string())?;
            args.target = suite.target.or(args.target.take());
            args.by = suite.by.or(args.by.take());
            perturbations
        }
        None if args.perturb.is_empty() => seismo_robust::DEFAULT_PERTURBATIONS
            .iter()
            .map(|p| Perturbation::parse(p))
            .collect::<Result<_, _>>()?,
        None => args
            .perturb
            .iter()
            .map(|p| Perturbation::parse(p))
            .collect::<Result<_, _>>()?,
    };
    options.check().map_err(|e| match e {
        seismo_robust::RobustError::Setting { name, message } => {
            anyhow::anyhow!("--{} {message}", name.replace('_', "-"))
        }
        other => other.into(),
    })?;
    let data = read(&args, &model, args.data.path(), &card.features, true)?;
    let reference = match &args.reference {
        Some(path) => Reference::for_model(
            read(&args, &model, path, &card.features, false)?
                .matrix
                .view(),
            &model,
        ),
        None => Reference::for_model(data.matrix.view(), &model),
    };
    let dump_dir = args.dump_perturbed.as_deref();
    if let Some(dir) = dump_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        write_rows(
            &dir.join("original.parquet"),
            &model,
            &card.features,
            data.matrix.view(),
        )?;
    }
    let mut written = 0usize;
    let dump =
        |_: &Perturbation, rows: ArrayView2<f32>| -> Result<(), seismo_robust::RobustError> {
            if let Some(dir) = dump_dir {
                let path = dir.join(format!("{written:02}.parquet"));
                write_rows(&path, &model, &card.features, rows)
                    .map_err(|e| seismo_robust::RobustError::Dump(format!("{e:#}")))?;
            }
            written += 1;
            Ok(())
        };
    let report = seismo_robust::run(
        &model,
        &card.features,
        data.matrix.view(),
        &reference,
        &perturbations,
        data.truth.as_deref(),
        data.groups.as_ref(),
        &options,
        dump,
    )?;
    let model_name = args.model.path().display().to_string();
    let rendered = match args.format {
        RobustFormat::Json => json_bytes(&report)?,
        RobustFormat::Text => seismo_report::robust::text(&report, &model_name).into_bytes(),
        RobustFormat::Junit => seismo_report::robust::junit(&model_name, &report).into_bytes(),
        RobustFormat::Html => {
            seismo_report::robust::html(&model_name, args.data.path(), &report).into_bytes()
        }
    };
    emit(args.output.as_deref(), &rendered)?;
    Ok(if report.passed {
        Exit::Clean
    } else {
        Exit::Found
    })
}

/// The rows of a file as the model's matrix, with the labels and slices when asked.
fn read(
    args: &RobustArgs,
    model: &Model,
    path: &str,
    features: &[String],
    with_labels: bool,
) -> Result<Data> {
    let source = args.input.open(path)?;
    let target = args.target.as_deref().filter(|_| with_labels);
    let by = args.by.as_deref().filter(|_| with_labels);
    let mut reader = DataReader::new(model, features, source.arrow_schema(), target, by)
        .with_context(|| path.to_string())?;
    for partition in source.into_partitions(1) {
        for batch in partition {
            let batch = batch.with_context(|| path.to_string())?;
            reader.push(&batch).with_context(|| path.to_string())?;
        }
    }
    reader.finish().with_context(|| path.to_string())
}

/// Writes rows as columns named after the features ([`Model::batch`]), whole or not at
/// all.
fn write_rows(
    path: &Path,
    model: &Model,
    features: &[String],
    rows: ArrayView2<f32>,
) -> Result<()> {
    let batch = model.batch(features, rows)?;
    let mut sink = Sink::create(path, None, &batch.schema())?;
    sink.write(&batch)?;
    sink.commit()?;
    Ok(())
}
