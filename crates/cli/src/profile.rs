//! `seismo profile`: one pass over a dataset, summaries per column; saved profiles and
//! their merging.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use comfy_table::{CellAlignment, Table};
use indicatif::{ProgressBar, ProgressStyle};
use seismo_core::ColumnKind;
use seismo_stats::profile::{Profile, ProfileError, ProfileSummary, Stat, profile_partitions};

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes, write_atomic};

/// Arguments of `seismo profile`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ProfileArgs {
    #[command(subcommand)]
    command: Option<ProfileCommand>,
    /// Data file (CSV, Parquet, Arrow, NDJSON), `-` for stdin, or a saved profile
    #[arg(value_name = "DATA", required = true)]
    data: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Write the summary to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also save the mergeable profile (sketches included) to FILE
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Subcommand)]
enum ProfileCommand {
    /// Merge saved profiles of the same columns into one, as if profiled in one pass
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// Saved profiles (from `seismo profile --save`)
    #[arg(value_name = "PROFILE", num_args = 2.., required = true)]
    inputs: Vec<PathBuf>,
    /// Where to write the merged profile
    #[arg(long, short, value_name = "FILE", required = true)]
    output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

/// Runs `seismo profile`.
pub fn run(args: ProfileArgs) -> Result<Exit> {
    if let Some(ProfileCommand::Merge(merge)) = args.command {
        return run_merge(&merge);
    }
    let data = args.data.as_deref().context("DATA is required")?;
    let profile = match load_saved(Path::new(data))? {
        Some(profile) => profile,
        None => profile_data(data, &args)?,
    };
    if let Some(save) = &args.save {
        write_atomic(save, &profile.to_json())?;
    }
    let summary = profile.summary();
    let rendered = match args.format {
        OutputFormat::Json => json_bytes(&summary)?,
        OutputFormat::Text => render_text(&summary).into_bytes(),
    };
    emit(args.output.as_deref(), &rendered)?;
    Ok(Exit::Clean)
}

fn profile_data(data: &str, args: &ProfileArgs) -> Result<Profile> {
    let threads = args.input.threads()?;
    Ok(profile_input(data, &args.input, threads)?.0)
}

/// Profiles a data input in one pass on `threads` threads, with a progress bar on a
/// terminal; also returns the input's schema.
pub(crate) fn profile_input(
    data: &str,
    input: &InputArgs,
    threads: usize,
) -> Result<(Profile, seismo_core::Schema)> {
    let source = input.open(data)?;
    let schema = source.schema().clone();
    let progress = progress_bar(&source);
    let bytes_read = source.bytes_read();
    let by_bytes = source.size_hint().rows.is_none();
    let on_batch = |rows: u64| {
        if by_bytes {
            progress.set_position(bytes_read.load(Ordering::Relaxed));
        } else {
            progress.inc(rows);
        }
    };
    let partitions = source.into_partitions(threads);
    let result = profile_partitions(&schema, partitions, threads, &on_batch);
    progress.finish_and_clear();
    match result {
        Ok(profile) => Ok((profile, schema)),
        Err(ProfileError::Read(e)) => Err(e.into()),
        Err(ProfileError::Stats(e)) => Err(anyhow::Error::new(e).context(data.to_owned())),
    }
}

/// A progress bar on stderr for inputs big enough to wait for; hidden when stderr is not a
/// terminal, so piped and CI runs print nothing.
fn progress_bar(source: &seismo_io::Source) -> ProgressBar {
    const BIG_BYTES: u64 = 32 << 20;
    const BIG_ROWS: u64 = 1_000_000;
    let hint = source.size_hint();
    let big =
        hint.bytes.is_some_and(|b| b >= BIG_BYTES) || hint.rows.is_some_and(|r| r >= BIG_ROWS);
    if !big || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (total, unit) = match hint.rows {
        Some(rows) => (rows, "rows"),
        None => (hint.bytes.unwrap_or(0), "bytes"),
    };
    let template = if unit == "rows" {
        "{spinner} profiling [{bar:30}] {human_pos}/{human_len} rows ({eta})"
    } else {
        "{spinner} profiling [{bar:30}] {bytes}/{total_bytes} ({eta})"
    };
    let bar = ProgressBar::new(total);
    bar.set_style(ProgressStyle::with_template(template).expect("the template is valid"));
    bar
}

/// A saved profile at `path`, or `None` when the path holds data rather than a profile.
pub(crate) fn load_saved(path: &Path) -> Result<Option<Profile>> {
    if path == Path::new("-") || !path.is_file() {
        return Ok(None);
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .with_context(|| path.display().to_string())?;
    let head = String::from_utf8_lossy(&head[..n]);
    let compact: String = head.chars().filter(|c| !c.is_whitespace()).collect();
    if !compact.starts_with(r#"{"format":"seismo-profile""#) {
        return Ok(None);
    }
    read_profile(path).map(Some)
}

fn read_profile(path: &Path) -> Result<Profile> {
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    Profile::from_json(&bytes).with_context(|| path.display().to_string())
}

fn run_merge(args: &MergeArgs) -> Result<Exit> {
    let mut inputs = args.inputs.iter();
    let first = inputs.next().context("at least two profiles are needed")?;
    let mut merged = read_profile(first)?;
    for path in inputs {
        let next = read_profile(path)?;
        merged
            .merge(&next)
            .with_context(|| format!("cannot merge {} into {}", path.display(), first.display()))?;
    }
    if merged.columns.is_empty() {
        bail!("the profiles have no columns");
    }
    write_atomic(&args.output, &merged.to_json())?;
    Ok(Exit::Clean)
}

fn render_text(summary: &ProfileSummary) -> String {
    let mut out = format!("{} rows, {} columns", summary.rows, summary.columns.len());
    if !summary.skipped.is_empty() {
        out.push_str(&format!(
            " ({} skipped, listed below)",
            summary.skipped.len()
        ));
    }
    out.push('\n');
    let stat = |s: &Option<Stat>| s.as_ref().map(ToString::to_string).unwrap_or_default();
    let quantile = |c: &seismo_stats::profile::ColumnSummary, name: &str| {
        c.quantiles
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.to_string())
            .unwrap_or_default()
    };
    let missing = |c: &seismo_stats::profile::ColumnSummary| {
        let m = c.nulls + c.nan;
        if m == 0 {
            "0".to_owned()
        } else {
            format!(
                "{m} ({:.1}%)",
                100.0 * m as f64 / summary.rows.max(1) as f64
            )
        }
    };
    let distinct = |c: &seismo_stats::profile::ColumnSummary| {
        if c.distinct_exact {
            c.distinct.to_string()
        } else {
            format!("~{}", c.distinct)
        }
    };

    // The cells both tables start with.
    let leading = |c: &seismo_stats::profile::ColumnSummary| {
        vec![
            c.name.clone(),
            c.kind.to_string(),
            c.count.to_string(),
            missing(c),
            distinct(c),
        ]
    };

    let ordered: Vec<_> = summary
        .columns
        .iter()
        .filter(|c| matches!(c.kind, ColumnKind::Numeric | ColumnKind::Datetime))
        .collect();
    if !ordered.is_empty() {
        let mut table = seismo_report::table(&[
            "column", "kind", "count", "missing", "distinct", "min", "p5", "p50", "p95", "max",
            "mean", "std",
        ]);
        for c in ordered {
            let std = c
                .std
                .map(seismo_stats::profile::format_number)
                .unwrap_or_default();
            let mut row = leading(c);
            row.extend([
                stat(&c.min),
                quantile(c, "p5"),
                quantile(c, "p50"),
                quantile(c, "p95"),
                stat(&c.max),
                stat(&c.mean),
                std,
            ]);
            table.add_row(row);
        }
        align_numbers(&mut table, 2);
        out.push_str(&format!("{table}\n"));
    }

    let labelled: Vec<_> = summary
        .columns
        .iter()
        .filter(|c| !matches!(c.kind, ColumnKind::Numeric | ColumnKind::Datetime))
        .collect();
    if !labelled.is_empty() {
        let mut table = seismo_report::table(&[
            "column",
            "kind",
            "count",
            "missing",
            "distinct",
            "top values",
        ]);
        for c in labelled {
            let top = c
                .top
                .iter()
                .take(5)
                .map(|t| {
                    format!(
                        "{} {:.1}%",
                        t.value,
                        100.0 * t.count as f64 / c.count.max(1) as f64
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let mut row = leading(c);
            row.push(top);
            table.add_row(row);
        }
        align_numbers(&mut table, 2);
        out.push_str(&format!("{table}\n"));
    }
    for skipped in &summary.skipped {
        out.push_str(&format!("skipped {}: {}\n", skipped.name, skipped.reason));
    }
    out
}

fn align_numbers(table: &mut Table, from: usize) {
    let n = table.column_count();
    for i in from..n {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}
