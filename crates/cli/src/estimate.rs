//! `seismo estimate`: a binary classifier's performance per chunk before its labels arrive
//! (CBPE), against a labelled reference.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use seismo_estimate::{
    Calibration, CbpeOptions, Chunking, DEFAULT_METRICS, EstimateError, EstimateOptions, Metric,
    Side,
};
use seismo_history::WindowLength;

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes};

#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// The labelled reference (the model's validation data)
    #[arg(long, value_name = "DATA")]
    reference: String,
    /// The data to estimate (labels, where present, give the realized values beside)
    #[arg(long, value_name = "DATA")]
    current: String,
    /// The score column: the model's probability of the positive class; for a multiclass
    /// model, each class and its probability column: `setosa=p_setosa,versicolor=p_versicolor,...`
    #[arg(long, value_name = "COLUMN|CLASS=COLUMN,...")]
    prediction: String,
    /// Multiclass: the column of the class the model predicted [default: the class of
    /// highest probability]
    #[arg(long, value_name = "COLUMN")]
    predicted_class: Option<String>,
    /// The label column (0/1 or boolean); missing values are labels not yet logged
    #[arg(long, value_name = "COLUMN")]
    target: String,
    /// Chunks of N rows in file order, or periods of the time column (15m, 1h, 1d, 1w)
    /// [default: a tenth of the reference's rows]
    #[arg(long, value_name = "N|LENGTH")]
    chunk: Option<String>,
    /// The time column: needed for periods; gives rows chunks their times otherwise
    #[arg(long, value_name = "COLUMN")]
    time: Option<String>,
    /// A row is predicted positive when its score is at least this
    #[arg(long, value_name = "P", default_value_t = 0.5)]
    threshold: f64,
    /// Metrics to estimate, comma-separated [roc_auc, accuracy, precision, recall, f1,
    /// specificity] [default: roc_auc,accuracy,precision,recall,f1]
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    metric: Vec<String>,
    /// Calibrate the scores on the reference (isotonic): when it lowers the calibration
    /// error on held-out rows (auto, as NannyML), always, or never
    #[arg(long, value_enum, default_value_t = CalibrationArg::Auto)]
    calibration: CalibrationArg,
    /// Seeds the held-out splits of --calibration auto
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = EstimateFormat::Text)]
    format: EstimateFormat,
    /// Write the report here instead of stdout (whole or not at all)
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CalibrationArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EstimateFormat {
    Text,
    Json,
    Html,
}

pub fn run(args: EstimateArgs) -> Result<Exit> {
    let chunking = args.chunk.as_deref().map(parse_chunk).transpose()?;
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!(
            "--threshold {}: a decision threshold on probabilities is in [0, 1]",
            args.threshold
        );
    }
    let metrics = if args.metric.is_empty() {
        DEFAULT_METRICS.to_vec()
    } else {
        let mut metrics = Vec::new();
        for name in &args.metric {
            let metric = Metric::parse(name.trim()).with_context(|| {
                let known: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
                format!("--metric {name}: not one of {}", known.join(", "))
            })?;
            if !metrics.contains(&metric) {
                metrics.push(metric);
            }
        }
        metrics
    };
    let classes = parse_classes(&args.prediction)?;
    if classes.is_empty() && args.predicted_class.is_some() {
        bail!("--predicted-class is for multiclass models: give --prediction CLASS=COLUMN,...");
    }
    let options = EstimateOptions {
        prediction: args.prediction.clone(),
        classes,
        predicted_class: args.predicted_class.clone(),
        target: args.target.clone(),
        time: args.time.clone(),
        chunking,
        cbpe: CbpeOptions {
            threshold: args.threshold,
            metrics,
            calibration: match args.calibration {
                CalibrationArg::Auto => Calibration::Auto,
                CalibrationArg::Always => Calibration::Always,
                CalibrationArg::Never => Calibration::Never,
            },
            seed: args.seed,
            threads: args.input.threads()?,
        },
    };
    let read = args.input.read_options()?;
    let reference = seismo_io::read_dataset(&args.reference, &read)?;
    let current = seismo_io::read_dataset(&args.current, &read)?;
    let report =
        seismo_estimate::estimate(&reference, &current, &options).map_err(|e| match e {
            EstimateError::Data { side, message } => {
                let path = match side {
                    Side::Reference => &args.reference,
                    Side::Current => &args.current,
                };
                anyhow!("{path}: {message}")
            }
            other => anyhow!("{other}"),
        })?;
    let rendered = match args.format {
        EstimateFormat::Json => json_bytes(&report)?,
        EstimateFormat::Text => {
            seismo_report::estimate::text(&report, &args.reference, &args.current).into_bytes()
        }
        EstimateFormat::Html => {
            seismo_report::estimate::html(&report, &args.reference, &args.current).into_bytes()
        }
    };
    emit(args.output.as_deref(), &rendered)?;
    Ok(if report.alert {
        Exit::Found
    } else {
        Exit::Clean
    })
}

/// `class=column,...` as pairs; a plain column name (binary) as none.
fn parse_classes(text: &str) -> Result<Vec<(String, String)>> {
    if !text.contains('=') {
        return Ok(Vec::new());
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in text.split(',') {
        let (class, column) = part
            .split_once('=')
            .filter(|(c, col)| !c.trim().is_empty() && !col.trim().is_empty())
            .with_context(|| format!("--prediction: `{part}` is not CLASS=COLUMN"))?;
        let class = class.trim().to_owned();
        if pairs.iter().any(|(c, _)| *c == class) {
            bail!("--prediction: class `{class}` is named twice");
        }
        pairs.push((class, column.trim().to_owned()));
    }
    if pairs.len() < 2 {
        bail!("--prediction: a multiclass model needs two classes or more");
    }
    Ok(pairs)
}

/// `5000` (rows) or `1d` (a period).
fn parse_chunk(text: &str) -> Result<Chunking> {
    if let Ok(rows) = text.parse::<usize>() {
        if rows == 0 {
            bail!("--chunk 0: a chunk needs at least one row");
        }
        return Ok(Chunking::Rows(rows));
    }
    let length: WindowLength = text.parse().map_err(|_| {
        anyhow!("--chunk {text}: give a number of rows (5000) or a period (15m, 1h, 1d, 1w)")
    })?;
    Ok(Chunking::Period(length))
}
