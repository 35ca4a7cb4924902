//! `seismo history`: per-window statistics of a value over time, its change points, and the
//! release or marker each lines up with.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use arrow_schema::DataType;
use clap::{Args, ValueEnum};
use seismo_history::{
    HistoryOptions, HistoryReport, LogColumns, Scale, SeriesBuilder, WindowLength, history,
    parse_markers,
};
use seismo_stats::profile::format_number;

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes};

/// Arguments of `seismo history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The log: one or more files with the same columns (`-` for stdin)
    #[arg(required = true, value_name = "DATA")]
    data: Vec<String>,
    /// The time column (timestamps, dates, RFC 3339 text or epoch seconds)
    #[arg(long, value_name = "COLUMN")]
    time: String,
    /// The numeric column to follow (a prediction, a score)
    #[arg(long, value_name = "COLUMN")]
    value: String,
    /// A column whose new values are events to attribute changes to (a model version)
    #[arg(long, value_name = "COLUMN")]
    by: Option<String>,
    /// A CSV of events with `time` and `label` columns (deployments, migrations)
    #[arg(long, value_name = "FILE")]
    markers: Option<PathBuf>,
    /// Window length: 30s, 15m, 1h, 1d, 1w [default: the shortest of 1s 5s 10s 30s 1m 5m
    /// 15m 30m 1h 3h 6h 12h 1d 1w that makes at most 500 windows, or the data's own step
    /// when it comes one row per step (up to 20,000 windows)]
    #[arg(long, value_name = "DURATION")]
    window: Option<WindowLength>,
    /// How far an event may be from a change point to be named its cause [default: 2 windows]
    #[arg(long, value_name = "DURATION")]
    max_gap: Option<WindowLength>,
    /// Penalty per change point, times ln(windows), in noise variances: larger finds fewer,
    /// surer changes (fewer false alarms, more misses); 2 to 6 is the useful range
    #[arg(long, value_name = "X", default_value_t = 3.0)]
    penalty: f64,
    /// The fewest windows between two change points (a segment's least length)
    #[arg(
        long,
        visible_alias = "min-segment",
        value_name = "N",
        default_value_t = 2
    )]
    min_windows: usize,
    /// Compare window means as ratios (log) or differences (linear); auto is log when every
    /// mean is positive
    #[arg(long, value_enum, default_value_t = ScaleArg::Auto)]
    scale: ScaleArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    format: HistoryFormat,
    /// Write the report to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum HistoryFormat {
    Text,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ScaleArg {
    Auto,
    Linear,
    Log,
}

/// Runs `seismo history`; `Found` (exit 1) when there are change points.
pub fn run(args: HistoryArgs) -> Result<Exit> {
    if !(args.penalty > 0.0 && args.penalty.is_finite()) {
        bail!("--penalty must be a positive number, got {}", args.penalty);
    }
    if args.min_windows == 0 {
        bail!("--min-windows (--min-segment) must be at least 1");
    }
    let markers = match &args.markers {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
            parse_markers(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?
        }
        None => Vec::new(),
    };
    let threads = args.input.threads()?;
    let mut series = SeriesBuilder::new(args.window);
    for path in &args.data {
        series.merge(read_log(path, &args, threads)?)?;
    }
    let mut options = HistoryOptions::default();
    options.detect.scale = match args.scale {
        ScaleArg::Auto => Scale::Auto,
        ScaleArg::Linear => Scale::Linear,
        ScaleArg::Log => Scale::Log,
    };
    options.detect.penalty = args.penalty;
    options.detect.min_windows = args.min_windows;
    options.max_gap = args.max_gap;
    let report = HistoryReport {
        history: history(series.finish(), args.by.as_deref(), &markers, &options)?,
        data: args.data.clone(),
        time: args.time.clone(),
        value: args.value.clone(),
        by: args.by.clone(),
    };
    let rendered = match args.format {
        HistoryFormat::Json => json_bytes(&report)?,
        HistoryFormat::Text => render_text(&report).into_bytes(),
        HistoryFormat::Html => seismo_report::history::render(&report).into_bytes(),
    };
    emit(args.output.as_deref(), &rendered)?;
    Ok(if report.history.change_points.is_empty() {
        Exit::Clean
    } else {
        Exit::Found
    })
}

/// One input's windows, read on as many threads as it has partitions.
fn read_log(path: &str, args: &HistoryArgs, threads: usize) -> Result<SeriesBuilder> {
    let source = args.input.open(path)?;
    let schema = source.arrow_schema().clone();
    let columns = LogColumns {
        time: args.time.clone(),
        value: args.value.clone(),
        by: args.by.clone(),
    };
    // Where a bad row is in the file: CSV has lines (after a header), others rows.
    let header_lines = match source.format() {
        seismo_io::Format::Csv => Some(usize::from(!args.input.no_header)),
        _ => None,
    };
    let reader = columns
        .reader(&schema, args.window, header_lines)
        .map_err(|e| anyhow!("{path}: {e}"))?;
    // Text times can fail to parse; read them on one thread so the row number is exact.
    let text_times = matches!(
        schema.field_with_name(&args.time).map(|f| f.data_type()),
        Ok(DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
    );
    let partitions = source.into_partitions(if text_times { 1 } else { threads });
    let builders = std::thread::scope(|scope| {
        let handles: Vec<_> = partitions
            .into_iter()
            .map(|partition| {
                let mut reader = reader.clone();
                scope.spawn(move || -> Result<SeriesBuilder> {
                    for batch in partition {
                        reader.push(&batch?).map_err(|e| anyhow!("{path}: {e}"))?;
                    }
                    Ok(reader.finish())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<_>>>()
    })?;
    let mut merged = SeriesBuilder::new(args.window);
    for builder in builders {
        merged.merge(builder)?;
    }
    Ok(merged)
}

fn number(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), format_number)
}

/// A signed offset in seconds, in the largest unit that keeps it short.
fn offset(seconds: f64) -> String {
    let sign = if seconds < 0.0 { "-" } else { "+" };
    let s = seconds.abs();
    match s {
        s if s < 120.0 => format!("{sign}{s:.0}s"),
        s if s < 7_200.0 => format!("{sign}{:.0}m", s / 60.0),
        s if s < 172_800.0 => format!("{sign}{:.1}h", s / 3_600.0),
        s => format!("{sign}{:.1}d", s / 86_400.0),
    }
}

fn render_text(report: &HistoryReport) -> String {
    let h = &report.history;
    let mut out = String::new();
    let span = match (h.windows.first(), h.windows.last()) {
        (Some(first), Some(last)) => format!(", {} to {}", first.start, last.start),
        _ => String::new(),
    };
    out.push_str(&format!(
        "{} over {}: {} rows in {} windows of {} ({}){span}; means compared on a {} scale.\n",
        report.value,
        report.time,
        h.rows,
        h.windows.len(),
        h.window,
        h.window_choice.reason(),
        match h.scale {
            Scale::Log => "log",
            _ => "linear",
        }
    ));
    if h.rows_without_time > 0 {
        out.push_str(&format!(
            "{} rows have no time and are in no window.\n",
            h.rows_without_time
        ));
    }
    if h.change_points.is_empty() {
        out.push_str("No change points: the mean and the spread held steady.\n");
    } else {
        let mut table = seismo_report::table(&[
            "time",
            "change",
            "mean before",
            "mean after",
            "ratio",
            "log10",
            "std ratio",
            "attributed to",
        ]);
        for c in &h.change_points {
            let cause = c.attributed_to.as_ref().map_or_else(
                || "–".to_owned(),
                |a| {
                    format!(
                        "{} {} ({} {})",
                        a.source,
                        a.label,
                        a.time,
                        offset(a.offset_seconds)
                    )
                },
            );
            table.add_row(vec![
                c.time.clone(),
                c.kind.as_str().to_owned(),
                number(c.before.mean),
                number(c.after.mean),
                number(c.ratio),
                c.log10_ratio.map_or("–".into(), |l| format!("{l:+.2}")),
                number(c.std_ratio),
                cause,
            ]);
        }
        out.push_str(&format!(
            "{} change point(s):\n{table}\n",
            h.change_points.len()
        ));
    }
    if !h.events.is_empty() {
        let events: Vec<String> = h
            .events
            .iter()
            .map(|e| format!("{} {} at {}", e.source, e.label, e.time))
            .collect();
        out.push_str(&format!("Events: {}.\n", events.join("; ")));
    }
    out.push_str("The windows are listed by --format json; --format html draws them.\n");
    out
}
