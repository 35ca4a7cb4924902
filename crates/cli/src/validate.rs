//! `seismo validate`: check a dataset against a rule file; `--quarantine` and `--clean`
//! split its rows by the failed rules.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use arrow_array::BooleanArray;
use clap::{Args, ValueEnum};
use seismo_core::{Dataset, Outcome};
use seismo_io::Sink;
use seismo_rules::{Observed, RuleCheck, Rules, Threshold, ValidateOptions, Validation, validate};
use seismo_stats::profile::format_number;
use serde_json::{Value, json};

use crate::Exit;
use crate::input::InputArgs;
use crate::output::{emit, json_bytes};
use crate::render::junit::{self, Case, CaseOutcome};
use crate::render::{self, escape};

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
    let rendered = match args.format {
        ValidateFormat::Json => json_bytes(&json_report(&args, &validation))?,
        ValidateFormat::Text => render_text(&validation, args.all).into_bytes(),
        ValidateFormat::Junit => render_junit(&args, &validation).into_bytes(),
        ValidateFormat::Html => render_html(&args, &validation).into_bytes(),
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
    let schema = data.arrow_schema();
    let mut bad = quarantine
        .map(|p| Sink::create(p, None, schema))
        .transpose()?;
    let mut good = clean.map(|p| Sink::create(p, None, schema)).transpose()?;
    for (batch, mask) in data.batches().iter().zip(validation.quarantine()) {
        let bad_rows = BooleanArray::new(mask.clone(), None);
        if let Some(sink) = bad.as_mut() {
            sink.write(&arrow_select::filter::filter_record_batch(
                batch, &bad_rows,
            )?)?;
        }
        if let Some(sink) = good.as_mut() {
            let good_rows = BooleanArray::new(!mask, None);
            sink.write(&arrow_select::filter::filter_record_batch(
                batch, &good_rows,
            )?)?;
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

fn counts(validation: &Validation) -> Value {
    json!({
        "pass": validation.count(Outcome::Pass),
        "warn": validation.count(Outcome::Warn),
        "fail": validation.count(Outcome::Fail),
        "skipped": validation.count(Outcome::Skipped),
        "error": validation.count(Outcome::Error),
    })
}

fn json_report(args: &ValidateArgs, validation: &Validation) -> Value {
    json!({
        "data": args.data,
        "rules": args.rules.display().to_string(),
        "reference": args.reference,
        "rows": validation.rows,
        "passed": validation.passed(),
        "summary": counts(validation),
        "quarantined_rows": validation.quarantined_rows(),
        "checks": validation.report().checks,
    })
}

/// What was observed, in a few words.
fn observed(check: &RuleCheck) -> String {
    match &check.observed {
        Some(Observed::Word(word)) => word.clone(),
        Some(Observed::Count(n)) => format_number(*n as f64),
        Some(Observed::Number(x)) => format_number(*x),
        None => match (&check.violations, check.value) {
            (Some(_), Some(share)) => format!("{:.2}% violate", share * 100.0),
            (_, Some(v)) => format_number(v),
            _ => String::new(),
        },
    }
}

/// The bound in a few words: numbers as `format_number` writes them, lists joined.
fn threshold(check: &RuleCheck) -> String {
    match &check.threshold {
        Threshold::None => String::new(),
        Threshold::Number(x) => format_number(*x),
        Threshold::Count(n) => format_number(*n as f64),
        Threshold::Bounds { min, max } => [("min", min), ("max", max)]
            .iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k} {}", format_number(v))))
            .collect::<Vec<_>>()
            .join(", "),
        Threshold::Flag(b) => b.to_string(),
        Threshold::Text(s) => s.clone(),
        Threshold::Values(values) => values.join(", "),
    }
}

/// The sample rows of a check, `row R: value`; with `short`, numbers at the six significant
/// digits every other number of the text table has (`6.6212`, not `6.621199999999999`).
fn samples(check: &RuleCheck, limit: usize, short: bool) -> String {
    let Some(violations) = &check.violations else {
        return String::new();
    };
    let shown: Vec<String> = violations
        .sample
        .iter()
        .take(limit)
        .map(|r| {
            let value = if short {
                short_numbers(&r.value)
            } else {
                r.value.clone()
            };
            format!("row {}: {value}", r.row)
        })
        .collect();
    shown.join("; ")
}

/// A sample cell (`6.621199999999999`, or `a=1.5, b=0.30000000000000004` for several
/// columns) with each number in the short form of `format_number`; text stays as it is.
fn short_numbers(cell: &str) -> String {
    let short = |v: &str| match v.parse::<f64>() {
        Ok(x) if x.is_finite() => format_number(x),
        _ => v.to_owned(),
    };
    cell.split(", ")
        .map(|part| match part.split_once('=') {
            Some((name, value)) => format!("{name}={}", short(value)),
            None => short(part),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn violations(check: &RuleCheck) -> String {
    match &check.violations {
        Some(v) => format!("{} of {}", v.count, check.rows),
        None => String::new(),
    }
}

/// The checks that did not pass in a table (every check with `all`), then a summary.
fn render_text(validation: &Validation, all: bool) -> String {
    let mut table = render::table(&[
        "outcome",
        "rule",
        "subject",
        "threshold",
        "observed",
        "violations",
        "sample",
    ]);
    let shown = validation
        .checks
        .iter()
        .filter(|c| all || c.outcome != Outcome::Pass);
    for check in shown {
        let mut sample = samples(check, 3, true);
        if sample.chars().count() > 60 {
            sample = sample.chars().take(57).collect::<String>() + "...";
        }
        if check.outcome == Outcome::Skipped {
            sample = check.reason.clone().unwrap_or_default();
        }
        table.add_row(vec![
            check.outcome.to_string().to_uppercase(),
            check.rule.clone(),
            check.subject.clone(),
            threshold(check),
            observed(check),
            violations(check),
            sample,
        ]);
    }
    let failed: Vec<String> = validation
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.rule.clone())
        .collect();
    let mut out = if table.is_empty() {
        String::new()
    } else {
        format!("{table}\n")
    };
    out.push_str(&format!(
        "{} rows; {} checks: {} pass, {} warn, {} fail, {} skipped.",
        validation.rows,
        validation.checks.len(),
        validation.count(Outcome::Pass),
        validation.count(Outcome::Warn),
        validation.count(Outcome::Fail),
        validation.count(Outcome::Skipped)
    ));
    if !failed.is_empty() {
        out.push_str(&format!(" Failed: {}.", failed.join(", ")));
    }
    out.push('\n');
    out
}

/// JUnit XML: one test case per check; a failed check is a `<failure>`, a skipped one
/// `<skipped>`; a warning passes with its finding in `<system-out>`.
fn render_junit(args: &ValidateArgs, validation: &Validation) -> String {
    let cases: Vec<Case> = validation
        .checks
        .iter()
        .map(|check| {
            let summary = format!(
                "{}: threshold {}, observed {}{}",
                check.rule,
                threshold(check),
                observed(check),
                match violations(check) {
                    v if v.is_empty() => String::new(),
                    v => format!(", {v} rows violate"),
                }
            );
            let outcome = match check.outcome {
                Outcome::Fail | Outcome::Error => CaseOutcome::Fail,
                Outcome::Skipped => CaseOutcome::Skipped,
                Outcome::Warn => CaseOutcome::Warn,
                Outcome::Pass => CaseOutcome::Pass,
            };
            let message = if outcome == CaseOutcome::Skipped {
                check.reason.clone().unwrap_or_default()
            } else {
                summary
            };
            Case {
                classname: check.subject.clone(),
                name: check.rule.clone(),
                outcome,
                message,
                body: samples(check, usize::MAX, false),
                kind: check.check.to_owned(),
            }
        })
        .collect();
    junit::render("seismo validate", &args.rules.display().to_string(), &cases)
}

fn render_html(args: &ValidateArgs, validation: &Validation) -> String {
    let mut page = String::new();
    page.push_str(&format!(
        "<h1>Validation report</h1>\n<p id=\"summary\"><code>{}</code> against <code>{}</code>: {} rows, {} checks — {} pass, {} warn, {} fail, {} skipped. <b>{}</b></p>\n",
        escape(&args.data),
        escape(&args.rules.display().to_string()),
        validation.rows,
        validation.checks.len(),
        validation.count(Outcome::Pass),
        validation.count(Outcome::Warn),
        validation.count(Outcome::Fail),
        validation.count(Outcome::Skipped),
        if validation.passed() { "Passed." } else { "Failed." }
    ));
    page.push_str("<table id=\"checks\"><thead><tr><th>outcome</th><th>rule</th><th>subject</th><th>threshold</th><th>observed</th><th>violations</th><th>sample</th><th>where in the rules</th></tr></thead><tbody>\n");
    for check in &validation.checks {
        let outcome = check.outcome.as_str();
        page.push_str(&format!(
            "<tr class=\"{outcome}\"><td class=\"outcome\">{outcome}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"sample\">{}</td><td>{}</td></tr>\n",
            escape(&check.rule),
            escape(&check.subject),
            escape(&threshold(check)),
            escape(&observed(check)),
            escape(&violations(check)),
            escape(&samples(check, usize::MAX, true)),
            escape(&check.location),
        ));
    }
    page.push_str("</tbody></table>\n");
    render::page("seismo validation report", &page)
}
