//! The reports of `seismo robust`: text, JUnit (a test case per perturbation) and a
//! self-contained HTML page with the flip rate of each perturbation, overall and per slice,
//! as bars against the threshold.

use seismo_robust::{Kind, Outcome, Report};

use super::junit::{Case, CaseOutcome};
use super::{escape, page};

fn percent(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{:.1}%", 100.0 * v))
}

fn number(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v:.4}"))
}

/// The report for people: a line per perturbation, then the failing slices.
pub fn text(report: &Report, model: &str) -> String {
    let mut out = format!(
        "robustness of {model} on {} rows ({}, seed {}, fail above {} flips unless a limit says otherwise)\n",
        report.rows,
        match report.threshold {
            Some(t) => format!("decision: probability >= {t}"),
            None => report.task.to_string(),
        },
        report.seed,
        percent(Some(report.max_flip_rate)),
    );
    for o in &report.perturbations {
        let verdict = if o.passed { "pass" } else { "FAIL" };
        let mut line = format!("  {verdict} {:<28}", o.name);
        if let Some(rate) = o.flip_rate {
            line += &format!(
                " {:<9} {:>6} ({} rows)",
                rate_label(o),
                percent(Some(rate)),
                o.flipped.unwrap_or(0)
            );
        }
        if let Some(r) = &o.radius {
            line += &format!(
                "  radius p10 {} p50 {} p90 {} sd (budget {})",
                number(r.p10),
                number(r.p50),
                number(r.p90),
                r.budget
            );
        } else {
            line += &format!(
                "  mean |Δ| {}  p99 |Δ| {}",
                number(o.mean_abs_change),
                number(o.p99_abs_change)
            );
        }
        if o.max_flip_rate != report.max_flip_rate {
            line += &format!("  (limit {})", percent(Some(o.max_flip_rate)));
        }
        if o.invalid_rate > 0.0 {
            line += &format!("  invalid {}", percent(Some(o.invalid_rate)));
        }
        for m in &o.metrics {
            if let Some(d) = m.drop {
                line += &format!("  {} drop {d:.4}", m.metric);
            }
        }
        out += line.trim_end();
        out.push('\n');
        // The slice that flips most, among those judged.
        let judged = o.slices.iter().filter(|s| s.rows >= report.min_rows);
        if let Some(worst) = judged.max_by(|a, b| {
            a.flip_rate
                .unwrap_or(0.0)
                .total_cmp(&b.flip_rate.unwrap_or(0.0))
        }) {
            let failing = o.slices.iter().filter(|s| !s.passed).count();
            if failing > 0 {
                out += &format!(
                    "       worst slice {}: {} {} of {} rows ({failing} of {} slices fail)\n",
                    worst.slice,
                    rate_label(o),
                    percent(worst.flip_rate),
                    worst.rows,
                    o.slices.len()
                );
            }
        }
        for (slice, drops) in metric_failures(o) {
            out += &format!("       slice {slice}: {drops}\n");
        }
    }
    let failed = report.perturbations.iter().filter(|o| !o.passed).count();
    out += &if failed == 0 {
        format!("{}, all passed\n", count(report.perturbations.len()))
    } else {
        format!("{}, {failed} failed\n", count(report.perturbations.len()))
    };
    out
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 perturbation".into()
    } else {
        format!("{n} perturbations")
    }
}

/// The judged slices whose metrics dropped beyond the limit, each with those drops
/// (`roc_auc drop 0.0812 > 0.05`).
fn metric_failures(o: &Outcome) -> Vec<(&str, String)> {
    let Some(limit) = o.max_slice_metric_drop else {
        return Vec::new();
    };
    o.slices
        .iter()
        .filter(|s| !s.passed)
        .filter_map(|s| {
            let drops: Vec<String> = s
                .metrics
                .iter()
                .filter_map(|m| m.drop.filter(|d| *d > limit).map(|d| (m, d)))
                .map(|(m, d)| format!("{} drop {d:.4} > {limit}", m.metric))
                .collect();
            (!drops.is_empty()).then(|| (s.slice.as_str(), drops.join(", ")))
        })
        .collect()
}

/// What the flip rate measures for a perturbation.
fn rate_label(o: &Outcome) -> &'static str {
    match o.kind {
        Kind::Decreases | Kind::Increases => "violated",
        _ => "flip rate",
    }
}

/// One test case per perturbation; a failure names the rate and the failing slices.
pub fn junit(model: &str, report: &Report) -> String {
    let cases: Vec<Case> = report
        .perturbations
        .iter()
        .map(|o| {
            let failing: Vec<String> = o
                .slices
                .iter()
                .filter(|s| !s.passed)
                .map(|s| format!("{}: {} of {} rows", s.slice, percent(s.flip_rate), s.rows))
                .chain(
                    metric_failures(o)
                        .into_iter()
                        .map(|(slice, drops)| format!("{slice}: {drops}")),
                )
                .collect();
            Case {
                classname: format!("robust.{}", o.kind),
                name: o.name.clone(),
                outcome: if o.passed {
                    CaseOutcome::Pass
                } else {
                    CaseOutcome::Fail
                },
                message: format!(
                    "{} {} ({} rows), mean |change| {}, limit {}",
                    rate_label(o),
                    percent(o.flip_rate),
                    o.flipped.unwrap_or(0),
                    number(o.mean_abs_change),
                    percent(Some(o.max_flip_rate))
                ),
                body: failing.join("\n"),
                kind: o.kind.to_string(),
            }
        })
        .collect();
    super::junit::render("seismo robust", model, &cases)
}

/// Horizontal bars of rates in [0, 1] (scaled to the largest, at least the limit), with the
/// limit as a dashed line: one row per (label, rate, passed).
fn bars(rows: &[(String, Option<f64>, bool)], limit: f64) -> String {
    let (label_width, bar_width, row_height) = (260.0, 360.0, 18.0);
    let top = rows
        .iter()
        .filter_map(|r| r.1)
        .fold(limit, f64::max)
        .max(1e-9);
    let height = row_height * rows.len() as f64 + 20.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" width=\"{}\" height=\"{height}\" role=\"img\">",
        label_width + bar_width + 70.0
    );
    for (i, (label, rate, passed)) in rows.iter().enumerate() {
        let y = i as f64 * row_height;
        let width = rate.map_or(0.0, |r| r / top * bar_width);
        svg.push_str(&format!(
            "<text class=\"tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"{}\" x=\"{label_width}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\"><title>{}: {}</title></rect><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_width - 6.0,
            y + 13.0,
            escape(label),
            if *passed { "bar pass" } else { "bar fail" },
            y + 3.0,
            row_height - 6.0,
            escape(label),
            percent(*rate),
            label_width + width + 4.0,
            y + 13.0,
            percent(*rate)
        ));
    }
    let x = label_width + limit / top * bar_width;
    svg.push_str(&format!(
        "<line class=\"limit\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"0\" y2=\"{:.1}\"/><text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\">limit {}</text></svg>",
        height - 14.0,
        height - 2.0,
        percent(Some(limit))
    ));
    svg
}

/// The page: a summary, the bars of every perturbation, a table, and per perturbation the
/// bars of its slices.
pub fn html(model: &str, data: &str, report: &Report) -> String {
    let failed = report.perturbations.iter().filter(|o| !o.passed).count();
    let mut body = format!(
        "<style>rect.bar.pass{{fill:#3b6fb6;opacity:.7}}rect.bar.fail{{fill:#c0392b;opacity:.8}}line.limit{{stroke:#333;stroke-dasharray:4 3}}</style>\n<h1>Robustness</h1>\n<p id=\"summary\"><code>{}</code> on <code>{}</code>: {} rows, {} perturbations, seed {}{}. <b>{}</b></p>\n",
        escape(model),
        escape(data),
        report.rows,
        report.perturbations.len(),
        report.seed,
        report
            .threshold
            .map(|t| format!(", decision: probability &gt;= {t}"))
            .unwrap_or_default(),
        if failed == 0 {
            "Passed.".to_owned()
        } else {
            format!("{failed} failed.")
        }
    );
    let overall: Vec<(String, Option<f64>, bool)> = report
        .perturbations
        .iter()
        .map(|o| (o.name.clone(), o.flip_rate, o.passed))
        .collect();
    body.push_str(&format!(
        "<h2>Flip rate per perturbation</h2>\n<figure id=\"overall\">{}</figure>\n",
        bars(&overall, report.max_flip_rate)
    ));
    body.push_str("<table id=\"perturbations\"><thead><tr><th>outcome</th><th>perturbation</th><th>flip or violation rate</th><th>rows</th><th>mean |Δ|</th><th>p99 |Δ|</th><th>invalid</th><th>radius p50</th><th>metric drops</th></tr></thead><tbody>\n");
    for o in &report.perturbations {
        let outcome = if o.passed { "pass" } else { "fail" };
        let drops: Vec<String> = o
            .metrics
            .iter()
            .filter_map(|m| m.drop.map(|d| format!("{} {d:.4}", m.metric)))
            .collect();
        body.push_str(&format!(
            "<tr class=\"{outcome}\"><td>{outcome}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            escape(&o.name),
            percent(o.flip_rate),
            o.flipped.map(|n| n.to_string()).unwrap_or_default(),
            number(o.mean_abs_change),
            number(o.p99_abs_change),
            percent(Some(o.invalid_rate)),
            o.radius.as_ref().map(|r| number(r.p50)).unwrap_or_default(),
            escape(&drops.join(", "))
        ));
    }
    body.push_str("</tbody></table>\n");
    if report.perturbations.iter().any(|o| !o.slices.is_empty()) {
        body.push_str("<h2>Per slice</h2>\n<div class=\"plots\">\n");
        for o in &report.perturbations {
            let rows: Vec<(String, Option<f64>, bool)> = o
                .slices
                .iter()
                .map(|s| {
                    (
                        format!("{} ({} rows)", s.slice, s.rows),
                        s.flip_rate,
                        s.passed,
                    )
                })
                .collect();
            body.push_str(&format!(
                "<figure class=\"slices\"><figcaption>{}</figcaption>{}</figure>\n",
                escape(&o.name),
                bars(&rows, report.max_flip_rate)
            ));
        }
        body.push_str("</div>\n");
    }
    page(&format!("seismo robust: {model}"), &body)
}
