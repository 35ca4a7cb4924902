//! `seismo test`: run a suite of slice tests on a scored dataset, optionally against a
//! baseline model's scores on the same rows.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use seismo_slices::{RunOptions, Suite, run_suite};

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes};
use crate::render;

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
    let baseline = args
        .baseline
        .as_deref()
        .map(|b| seismo_io::read_dataset(b, &options))
        .transpose()?;
    let options = RunOptions::with_threads(args.input.threads()?);
    let report = run_suite(&suite, &data, baseline.as_ref(), &options)?;
    let suite_name = args.suite.display().to_string();
    let rendered = match args.format {
        TestFormat::Json => json_bytes(&report)?,
        TestFormat::Text => render::model_test::text(&report).into_bytes(),
        TestFormat::Junit => render::model_test::junit(&suite_name, &report).into_bytes(),
        TestFormat::Html => {
            let baseline = args.baseline.as_deref();
            render::model_test::html(&suite_name, &args.data, baseline, &report).into_bytes()
        }
    };
    emit(args.output.as_deref(), &rendered)?;
    Ok(if report.passed {
        Exit::Clean
    } else {
        Exit::Found
    })
}
