//! `seismo validate`: check a dataset against a rule file; `--quarantine` and `--clean`
//! split its rows by the failed rules.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use seismo_core::Dataset;
use seismo_io::Sink;
use seismo_rules::{Rules, ValidateOptions, Validation, validate};

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes};

/// Arguments of `seismo validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The data to check
    #[arg(value_name = "DATA")]
    data: String,
    /// The rule file (TOML, or YAML by its extension)
    #[arg(long, value_name = "FILE")]
    rules: PathBuf,
    /// The reference data, for drift and overlap rules
    #[arg(long, value_name = "DATA")]
    reference: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    format: ValidateFormat,
    /// Write the report to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write the rows that break a failed error-severity rule to FILE (format by extension)
    #[arg(long, value_name = "FILE")]
    quarantine: Option<PathBuf>,
    /// Write the other rows to FILE
    #[arg(long, value_name = "FILE")]
    clean: Option<PathBuf>,
    /// Violating rows shown per rule
    #[arg(long, value_name = "N", default_value_t = 5)]
    sample: usize,
    /// List passing checks too in the text report
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ValidateFormat {
    Text,
    Json,
    Junit,
    Html,
}

/// Runs `seismo validate`; `Found` (exit 1) when an error-severity rule failed.
pub fn run(args: ValidateArgs) -> Result<Exit> {
    let text = std::fs::read_to_string(&args.rules)
        .with_context(|| format!("{}: cannot read the rule file", args.rules.display()))?;
    let rules = Rules::parse(&args.rules.display().to_string(), &text)?;
    let options = args.input.read_options()?;
    let data = seismo_io::read_dataset(&args.data, &options)?;
    let reference = args
        .reference
        .as_deref()
        .map(|r| seismo_io::read_dataset(r, &options))
        .transpose()?;
    let threads = args.input.threads()?;
    let validation = validate(
        &rules,
        &data,
        reference.as_ref(),
        &ValidateOptions::new(args.sample, threads),
    )?;
    let rules_name = args.rules.display().to_string();
    let rendered = match args.format {
        ValidateFormat::Json => json_bytes(&validation.document(
            &args.data,
            &args.rules.display().to_string(),
            args.reference.as_deref(),
        ))?,
        ValidateFormat::Text => seismo_report::validate::text(&validation, args.all).into_bytes(),
        ValidateFormat::Junit => {
            seismo_report::validate::junit(&rules_name, &validation).into_bytes()
        }
        ValidateFormat::Html => {
            seismo_report::validate::html(&args.data, &rules_name, &validation).into_bytes()
        }
    };
    split_rows(
        &data,
        &validation,
        args.quarantine.as_deref(),
        args.clean.as_deref(),
    )?;
    emit(args.output.as_deref(), &rendered)?;
    Ok(if validation.passed() {
        Exit::Clean
    } else {
        Exit::Found
    })
}

/// Writes the quarantined rows and the clean rows, each file whole or not at all.
fn split_rows(
    data: &Dataset,
    validation: &Validation,
    quarantine: Option<&Path>,
    clean: Option<&Path>,
) -> Result<()> {
    if quarantine.is_some() && quarantine == clean {
        bail!("--quarantine and --clean name the same file");
    }
    if quarantine.is_none() && clean.is_none() {
        return Ok(());
    }
    let schema = data.arrow_schema();
    let (quarantined, kept) = validation.split(data.batches())?;
    let mut bad = quarantine
        .map(|p| Sink::create(p, None, schema))
        .transpose()?;
    let mut good = clean.map(|p| Sink::create(p, None, schema)).transpose()?;
    for (sink, batches) in [(bad.as_mut(), &quarantined), (good.as_mut(), &kept)] {
        if let Some(sink) = sink {
            for batch in batches {
                sink.write(batch)?;
            }
        }
    }
    if let Some(sink) = bad {
        sink.commit()?;
    }
    if let Some(sink) = good {
        sink.commit()?;
    }
    Ok(())
}
