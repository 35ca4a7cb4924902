//! `seismo validate`'s reports for people: a text table of the checks that did not pass, JUnit
//! XML for CI, and an HTML page. (JSON is written from the core report model.)

use seismo_core::Outcome;
use seismo_rules::{Observed, RuleCheck, Threshold, Validation};
use seismo_stats::profile::format_number;

use crate::escape;
use crate::junit::{self, Case, CaseOutcome};

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
pub fn text(validation: &Validation, all: bool) -> String {
    let mut table = crate::table(&[
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
pub fn junit(rules: &str, validation: &Validation) -> String {
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
    junit::render("seismo validate", rules, &cases)
}

pub fn html(data: &str, rules: &str, validation: &Validation) -> String {
    let mut page = String::new();
    page.push_str(&format!(
        "<h1>Validation report</h1>\n<p id=\"summary\"><code>{}</code> against <code>{}</code>: {} rows, {} checks — {} pass, {} warn, {} fail, {} skipped. <b>{}</b></p>\n",
        escape(data),
        escape(rules),
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
    crate::page("seismo validation report", &page)
}
