//! The `seismo` command. Thin by design: it parses arguments, opens inputs, calls the
//! library crates and renders what they return.
//!
//! Exit codes: 0 when all is well, 1 when the command found what it looks for (drift, a
//! failing rule or test), 2 for bad input or usage. Errors are one line on stderr.

mod drift;
mod estimate;
mod history;
mod infer;
mod input;
mod model_test;
mod output;
mod profile;
mod robust;
mod score;
mod serve;
mod slices;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Catch machine-learning models failing in production before their users do.
#[derive(Debug, Parser)]
#[command(name = "seismo", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Profile a dataset: counts, nulls, distinct values, range, moments, quantiles, top values.
    Profile(profile::ProfileArgs),
    /// Compare a current dataset with a reference: drift per column and for the dataset.
    Drift(drift::DriftArgs),
    /// Estimate a binary classifier's performance per chunk before its labels arrive
    /// (CBPE, as NannyML), against a labelled reference.
    Estimate(estimate::EstimateArgs),
    /// Follow a value over time: per-window statistics, change points, and the release or
    /// marker each lines up with.
    History(history::HistoryArgs),
    /// Check a dataset against a rule file: per rule the outcome, the violating rows, and
    /// optionally the rows split into quarantined and clean files.
    Validate(validate::ValidateArgs),
    /// Write a first rule file from a reference dataset, to edit and then validate with.
    Infer(infer::InferArgs),
    /// Test a model: metrics on slices of the data against thresholds, a baseline model and
    /// fairness bounds (unit tests for models).
    Test(model_test::TestArgs),
    /// Work with slices: `seismo slices find` searches for weak ones.
    Slices(slices::SlicesArgs),
    /// Add a model's predictions to the rows of a file: an ONNX model (scikit-learn, tree
    /// ensembles, MLPs) run in pure Rust, equal to onnxruntime.
    Score(score::ScoreArgs),
    /// Test a model's robustness: how many decisions flip under noise, rounding, missing
    /// values, category swaps or a feature's dropout, and how far a row must move to flip.
    Robust(robust::RobustArgs),
    /// Run the gRPC monitoring service (see docs/server.md).
    Serve(serve::ServeArgs),
}

/// What a command found: decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing to report (exit 0).
    Clean,
    /// The command found what it looks for (exit 1).
    Found,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Profile(args) => profile::run(args),
        Command::Drift(args) => drift::run(args),
        Command::Estimate(args) => estimate::run(args),
        Command::History(args) => history::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Infer(args) => infer::run(args),
        Command::Test(args) => model_test::run(args),
        Command::Slices(args) => slices::run(args),
        Command::Score(args) => score::run(args),
        Command::Robust(args) => robust::run(args),
        Command::Serve(args) => serve::run(args),
    };
    match result {
        Ok(Exit::Clean) => ExitCode::SUCCESS,
        Ok(Exit::Found) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
