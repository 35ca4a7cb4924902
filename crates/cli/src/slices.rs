//! `seismo slices find`: search a scored dataset for slices that do worse than overall, and
//! print them as suite entries to paste.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use seismo_slices::{FindOptions, FoundSlice, Metric, Task, find_slices, read_predictions};
use seismo_stats::profile::format_number;

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes};

/// `seismo slices ...`.
#[derive(Debug, Args)]
pub struct SlicesArgs {
    #[command(subcommand)]
    command: SlicesCommand,
}

#[derive(Debug, Subcommand)]
enum SlicesCommand {
    /// Find slices (single columns and pairs) whose metric is significantly worse than overall
    Find(FindArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TaskArg {
    Binary,
    Multiclass,
    Regression,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FindFormat {
    /// Suite entries to paste, with what was found in comments
    Toml,
    Json,
}

/// Arguments of `seismo slices find`.
#[derive(Debug, Args)]
pub struct FindArgs {
    /// The scored data
    #[arg(long, value_name = "DATA")]
    data: String,
    /// The true outcome
    #[arg(long, value_name = "COLUMN")]
    target: String,
    /// Compare each slice with a baseline model's predictions on the same rows (the same
    /// prediction column in this file) instead of with the whole dataset
    #[arg(long, value_name = "DATA")]
    baseline: Option<String>,
    /// The column joining the baseline's rows to the data's [default: row order]
    #[arg(long, value_name = "COLUMN")]
    id: Option<String>,
    /// The model's prediction (binary: the probability of the positive class)
    #[arg(long, value_name = "COLUMN")]
    prediction: String,
    /// The task
    #[arg(long, value_enum, default_value_t = TaskArg::Binary)]
    task: TaskArg,
    /// The metric [default: roc_auc for binary, accuracy for multiclass, mae for regression]
    #[arg(long, value_name = "METRIC")]
    metric: Option<String>,
    /// Binary: the decision threshold
    #[arg(long, value_name = "P", default_value_t = 0.5)]
    decision_threshold: f64,
    /// The fewest rows a slice may have
    #[arg(long, value_name = "N", default_value_t = 50)]
    min_rows: usize,
    /// How many slices to report at most
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
    /// The significance level, after correction for the slices tested
    #[arg(long, value_name = "ALPHA", default_value_t = 0.05)]
    alpha: f64,
    /// Columns not to slice by (ids, timestamps, versions)
    #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
    ignore: Vec<String>,
    /// The bootstrap's seed
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = FindFormat::Toml)]
    format: FindFormat,
    /// Write to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

/// Runs `seismo slices ...`.
pub fn run(args: SlicesArgs) -> Result<Exit> {
    match args.command {
        SlicesCommand::Find(find) => run_find(find),
    }
}

fn run_find(args: FindArgs) -> Result<Exit> {
    let task = match args.task {
        TaskArg::Binary => Task::Binary,
        TaskArg::Multiclass => Task::Multiclass,
        TaskArg::Regression => Task::Regression,
    };
    let metric: Metric = match &args.metric {
        Some(m) => m
            .parse()
            .map_err(|e: seismo_core::UnknownWord| anyhow::anyhow!("--metric: {e}"))?,
        None => match task {
            Task::Binary => Metric::RocAuc,
            Task::Multiclass => Metric::Accuracy,
            Task::Regression => Metric::Mae,
        },
    };
    if !metric.fits(task) {
        bail!(
            "--metric: `{metric}` is not a {} metric; those are: {}",
            format!("{task:?}").to_lowercase(),
            Metric::names_for(task).join(", ")
        );
    }
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        bail!("--alpha must be in (0, 1), got {}", args.alpha);
    }
    if !(0.0..=1.0).contains(&args.decision_threshold) {
        bail!(
            "--decision-threshold is a probability in [0, 1], got {}",
            args.decision_threshold
        );
    }
    let read_options = args.input.read_options()?;
    let data = seismo_io::read_dataset(&args.data, &read_options)?;
    for name in &args.ignore {
        if data.arrow_schema().index_of(name).is_err() {
            bail!("--ignore: {}: no column `{name}`", args.data);
        }
    }
    let (predictions, mut valid) = read_predictions(
        &data,
        None,
        task,
        &args.target,
        &args.prediction,
        args.decision_threshold,
    )?;
    let baseline_data = args
        .baseline
        .as_deref()
        .map(|b| seismo_io::read_dataset(b, &read_options))
        .transpose()?;
    let baseline = match &baseline_data {
        Some(b) => {
            let (scores, scored) = read_predictions(
                &data,
                Some((b, args.id.as_deref())),
                task,
                &args.target,
                &args.prediction,
                args.decision_threshold,
            )?;
            for (v, s) in valid.iter_mut().zip(scored) {
                *v &= s;
            }
            Some(scores)
        }
        None => None,
    };
    if !valid.contains(&true) {
        bail!(
            "{}: no row has both a target (--target {}) and a prediction (--prediction {}){}; \
             there is nothing to search",
            args.data,
            args.target,
            args.prediction,
            if args.baseline.is_some() {
                " joined to the baseline"
            } else {
                ""
            }
        );
    }
    let mut ignore = args.ignore.clone();
    ignore.extend([args.target.clone(), args.prediction.clone()]);
    let mut options = FindOptions::new(metric);
    options.min_rows = args.min_rows.max(1);
    options.ignore = ignore;
    options.alpha = args.alpha;
    options.top = args.top;
    options.seed = args.seed;
    let found = find_slices(&data, &predictions, baseline.as_ref(), &valid, &options);
    let rendered = match args.format {
        FindFormat::Json => json_bytes(&found)?,
        FindFormat::Toml => suite_entries(&args, metric, &found).into_bytes(),
    };
    emit(args.output.as_deref(), &rendered)?;
    Ok(if found.is_empty() {
        Exit::Clean
    } else {
        Exit::Found
    })
}

/// The slices as `[[slice]]` and `[[test]]` entries, each test asking the slice to be no
/// worse than overall by more than it is now minus a margin, with the finding in comments.
fn suite_entries(args: &FindArgs, metric: Metric, found: &[FoundSlice]) -> String {
    let mut out = format!(
        "# Slices of {} where {} is significantly worse than {} (seismo slices find).\n",
        args.data,
        metric,
        match &args.baseline {
            Some(b) => format!("the baseline {b} on the same rows"),
            None => "overall".into(),
        }
    );
    if found.is_empty() {
        out.push_str(
            "# None found: no slice of at least the minimum size is significantly worse.\n",
        );
        return out;
    }
    let against = if args.baseline.is_some() {
        "baseline"
    } else {
        "overall"
    };
    let lower_better = metric.higher_is_better() == Some(false);
    let direction = format!("{}_vs_{against}", if lower_better { "max" } else { "min" });
    let sign = if lower_better { 1.0 } else { -1.0 };
    out.push_str(
        "# Paste into a suite; the thresholds ask for no more than a 0.02 gap, edit them.\n\n",
    );
    for (i, f) in found.iter().enumerate() {
        out.push_str(&format!(
            "# {}. {}: {} {} on {} rows, {} {} (gap {}, p = {})\n",
            i + 1,
            f.condition,
            metric,
            format_number(f.value),
            f.rows,
            f.compared_with,
            format_number(f.reference),
            format_number(f.gap),
            format_number(f.p_value)
        ));
        out.push_str(&format!(
            "[[slice]]\nname = \"{}\"\nwhere = \"{}\"\n\n[[test]]\nslice = \"{}\"\nmetric = \"{}\"\n{direction} = {}\n\n",
            f.name,
            f.condition.replace('\\', "\\\\").replace('"', "\\\""),
            f.name,
            metric,
            sign * 0.02
        ));
    }
    out
}
