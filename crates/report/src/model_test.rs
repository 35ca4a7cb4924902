//! `seismo test`'s reports for people: a text table of the results and the regressions
//! against the baseline, JUnit XML for CI, and an HTML page. (JSON is the report itself.)

use seismo_slices::{ModelTestResult, TestOutcome, TestReport};
use seismo_stats::profile::format_number;

use super::escape;
use super::junit::{self, Case, CaseOutcome};

fn number(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), format_number)
}

fn signed(v: f64) -> String {
    if v >= 0.0 {
        format!("+{}", format_number(v))
    } else {
        format_number(v)
    }
}

fn threshold(result: &ModelTestResult) -> String {
    result
        .threshold
        .iter()
        .map(|(k, v)| format!("{} {}", k.replace('_', " "), format_number(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn outcome(verdict: TestOutcome) -> &'static str {
    match verdict {
        TestOutcome::Pass => "pass",
        TestOutcome::Inconclusive => "inconclusive",
        TestOutcome::Skipped => "skipped",
        TestOutcome::Warn => "warn",
        TestOutcome::Fail => "fail",
    }
}

/// What the result says, in a few words: the comparison, the interval or the reason.
fn note(result: &ModelTestResult) -> String {
    let mut parts = Vec::new();
    if let Some(b) = result.baseline
        && let Some(v) = result.value
    {
        parts.push(format!("baseline {} ({})", format_number(b), signed(v - b)));
    }
    if let Some([lo, hi]) = result.interval {
        parts.push(format!(
            "interval {}..{}",
            format_number(lo),
            format_number(hi)
        ));
    }
    if let Some(reason) = &result.reason {
        parts.push(reason.clone());
    }
    parts.join("; ")
}

pub fn text(report: &TestReport) -> String {
    let mut table = super::table(&[
        "outcome",
        "test",
        "slice",
        "metric",
        "value",
        "rows",
        "threshold",
        "overall",
        "note",
    ]);
    for r in &report.results {
        table.add_row(vec![
            outcome(r.outcome).to_uppercase(),
            r.test.clone(),
            r.slice.clone(),
            r.metric.clone(),
            number(r.value),
            r.rows.to_string(),
            threshold(r),
            number(r.overall),
            note(r),
        ]);
    }
    let count = |v: TestOutcome| report.results.iter().filter(|r| r.outcome == v).count();
    let mut out = format!("{table}\n");
    out.push_str(&format!(
        "{} rows{}; {} tests: {} pass, {} fail, {} warn, {} inconclusive, {} skipped. {}\n",
        report.rows,
        if report.rows_without_label > 0 {
            format!(
                " ({} without a target or prediction left out)",
                report.rows_without_label
            )
        } else {
            String::new()
        },
        report.results.len(),
        count(TestOutcome::Pass),
        count(TestOutcome::Fail),
        count(TestOutcome::Warn),
        count(TestOutcome::Inconclusive),
        count(TestOutcome::Skipped),
        if report.passed { "Passed." } else { "Failed." }
    ));
    if !report.regressions.is_empty() {
        out.push_str("\nWorse than the baseline:\n");
        for g in &report.regressions {
            out.push_str(&format!(
                "  {} on {} ({} rows): {} vs baseline {} ({}){}\n",
                g.metric,
                g.slice,
                g.rows,
                format_number(g.candidate),
                format_number(g.baseline),
                signed(g.delta),
                g.overall_delta
                    .map(|d| format!(", while overall {}", signed(d)))
                    .unwrap_or_default()
            ));
        }
    }
    if !report.churn.is_empty() {
        out.push_str("\nChurn (decisions that differ from the baseline's):\n");
        for c in &report.churn {
            let changed = match (c.changed, c.change_rate) {
                (Some(n), Some(rate)) => format!("{:.1}% of decisions ({n} rows)", 100.0 * rate),
                _ => "no decisions".to_owned(),
            };
            let mean = c
                .mean_abs_change
                .map(|m| format!(", mean |Δprediction| {}", format_number(m)))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} ({} rows): {changed}{mean}\n",
                c.slice, c.rows
            ));
        }
    }
    out
}

pub fn junit(suite: &str, report: &TestReport) -> String {
    let cases: Vec<Case> = report
        .results
        .iter()
        .map(|r| {
            let outcome = match r.outcome {
                TestOutcome::Pass => CaseOutcome::Pass,
                TestOutcome::Fail => CaseOutcome::Fail,
                TestOutcome::Warn | TestOutcome::Inconclusive => CaseOutcome::Warn,
                TestOutcome::Skipped => CaseOutcome::Skipped,
            };
            let message = match (&r.reason, outcome) {
                (Some(reason), CaseOutcome::Skipped) => reason.clone(),
                _ => format!(
                    "{} on {}: {} ({} rows), threshold {}{}",
                    r.metric,
                    r.slice,
                    number(r.value),
                    r.rows,
                    threshold(r),
                    match note(r) {
                        n if n.is_empty() => String::new(),
                        n => format!("; {n}"),
                    }
                ),
            };
            Case {
                classname: r.slice.clone(),
                name: r.test.clone(),
                outcome,
                message,
                body: r.location.clone(),
                kind: r.metric.clone(),
            }
        })
        .collect();
    junit::render("seismo test", suite, &cases)
}

pub fn html(suite: &str, data: &str, baseline: Option<&str>, report: &TestReport) -> String {
    let mut page = String::new();
    page.push_str(&format!(
        "<h1>Model tests</h1>\n<p id=\"summary\"><code>{}</code> on <code>{}</code>{}: {} rows, {} tests. <b>{}</b></p>\n",
        escape(suite),
        escape(data),
        baseline
            .map(|b| format!(" against baseline <code>{}</code>", escape(b)))
            .unwrap_or_default(),
        report.rows,
        report.results.len(),
        if report.passed { "Passed." } else { "Failed." }
    ));
    page.push_str("<table id=\"results\"><thead><tr><th>outcome</th><th>test</th><th>slice</th><th>metric</th><th>value</th><th>rows</th><th>threshold</th><th>overall</th><th>note</th></tr></thead><tbody>\n");
    for r in &report.results {
        let o = outcome(r.outcome);
        page.push_str(&format!(
            "<tr class=\"{o}\"><td>{o}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            escape(&r.test),
            escape(&r.slice),
            escape(&r.metric),
            number(r.value),
            r.rows,
            escape(&threshold(r)),
            number(r.overall),
            escape(&note(r)),
        ));
    }
    page.push_str("</tbody></table>\n");
    if !report.regressions.is_empty() {
        page.push_str("<h2>Worse than the baseline</h2>\n<table id=\"regressions\"><thead><tr><th>slice</th><th>metric</th><th>rows</th><th>candidate</th><th>baseline</th><th>delta</th><th>overall delta</th></tr></thead><tbody>\n");
        for g in &report.regressions {
            page.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                escape(&g.slice),
                escape(&g.metric),
                g.rows,
                format_number(g.candidate),
                format_number(g.baseline),
                signed(g.delta),
                g.overall_delta.map(signed).unwrap_or_default()
            ));
        }
        page.push_str("</tbody></table>\n");
    }
    if !report.churn.is_empty() {
        page.push_str("<h2>Churn: decisions that differ from the baseline's</h2>\n<table id=\"churn\"><thead><tr><th>slice</th><th>rows</th><th>decisions changed</th><th>share</th><th>mean |Δprediction|</th></tr></thead><tbody>\n");
        for c in &report.churn {
            page.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                escape(&c.slice),
                c.rows,
                c.changed.map(|n| n.to_string()).unwrap_or_default(),
                c.change_rate
                    .map(|r| format!("{:.1}%", 100.0 * r))
                    .unwrap_or_default(),
                number(c.mean_abs_change)
            ));
        }
        page.push_str("</tbody></table>\n");
    }
    super::page("seismo model tests", &page)
}
