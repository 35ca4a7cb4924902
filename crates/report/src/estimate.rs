//! The `seismo estimate` report: a text table of estimates per chunk, and an HTML page with
//! one chart per metric (the estimate and its band over the reference's chunks and then the
//! current ones, the realized value where labels exist, the alert threshold).

use std::fmt::Write;

use seismo_estimate::{Bound, ChunkReport, EstimateReport};
use seismo_stats::profile::format_number;

use crate::chart::{Anchor, Frame};
use crate::{escape, page, table};

/// A chunk's name: its first and last row, or its period's start (a date when it is
/// midnight).
fn chunk_name(c: &ChunkReport) -> String {
    match (&c.start, &c.end) {
        (Bound::Row(start), Bound::Row(end)) => format!("rows {start}–{}", end - 1),
        (Bound::Time(start), _) => start.strip_suffix("T00:00:00Z").unwrap_or(start).to_owned(),
        (Bound::Row(start), Bound::Time(_)) => format!("row {start}"),
    }
}

fn value(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.4}"))
}

/// A chunk's metric: the estimate, (the realized value) where labels exist, ▼ marks.
fn cell(c: &ChunkReport, metric: &str) -> String {
    let mut cell = value(c.estimated[metric]);
    if let Some(r) = c.realized[metric] {
        let _ = write!(cell, " ({r:.4})");
    }
    if c.alerts.contains(&metric) {
        cell.push_str(" ▼");
    }
    if c.realized_alerts.contains(&metric) {
        cell.push_str(" realized ▼");
    }
    cell
}

/// The sentence saying what was estimated, how, and what alerts.
fn preamble(report: &EstimateReport, reference: &str, current: &str) -> String {
    let chunks = match report.chunking {
        "rows" => format!("chunks of {} rows", report.chunk),
        _ => format!("chunks of {}", report.chunk),
    };
    let calibration = if !report.classes.is_empty() {
        let calibrated: Vec<&str> = report
            .classes
            .iter()
            .zip(&report.calibrated_classes)
            .filter(|(_, c)| **c)
            .map(|(class, _)| class.as_str())
            .collect();
        format!(
            "probabilities calibrated on the reference one class against the rest for {} (--calibration {})",
            if calibrated.is_empty() {
                "no class".to_owned()
            } else {
                calibrated.join(", ")
            },
            report.calibration
        )
    } else if report.calibrated {
        format!(
            "scores calibrated on the reference (isotonic, --calibration {})",
            report.calibration
        )
    } else {
        format!(
            "scores taken as calibrated (--calibration {})",
            report.calibration
        )
    };
    let model = if report.classes.is_empty() {
        format!(
            "`{}` (positive when ≥ {})",
            report.prediction, report.threshold
        )
    } else {
        format!(
            "the {}-class model `{}` (metrics averaged over the classes)",
            report.classes.len(),
            report.prediction
        )
    };
    let mut text = format!(
        "Estimated performance of {model} on {current} against {reference} ({} labelled reference rows), {chunks}; {calibration}.",
        report.reference_rows
    );
    for (rows, which) in [
        (
            report.reference_dropped,
            "reference rows without a score or label",
        ),
        (report.current_dropped, "current rows without a score"),
    ] {
        if rows > 0 {
            let _ = write!(text, " {rows} {which} are left out.");
        }
    }
    text
}

/// The text report.
pub fn text(report: &EstimateReport, reference: &str, current: &str) -> String {
    let mut out = preamble(report, reference, current);
    out.push_str(
        "\nEach cell: the estimate, then (the realized value) where labels exist; ▼ marks an estimate below its lower threshold, `realized ▼` a realized value below it.\n\n",
    );
    let mut thresholds = table(&["metric", "lower threshold", "upper threshold"]);
    for m in &report.metrics {
        thresholds.add_row(vec![
            m.metric.to_owned(),
            value(m.lower_threshold),
            value(m.upper_threshold),
        ]);
    }
    let _ = writeln!(out, "{thresholds}\n");
    let mut header = vec!["chunk", "rows", "labelled"];
    header.extend(report.metrics.iter().map(|m| m.metric));
    let mut chunks = table(&header);
    for c in &report.chunks {
        let mut row = vec![chunk_name(c), c.rows.to_string(), c.labelled.to_string()];
        for m in &report.metrics {
            row.push(cell(c, m.metric));
        }
        chunks.add_row(row);
    }
    let _ = writeln!(out, "{chunks}");
    summary(&mut out, report);
    out
}

/// Where estimates and realized values fell below their thresholds, one sentence each.
fn summary(out: &mut String, report: &EstimateReport) {
    let total = report.chunks.len();
    let first = |list: fn(&ChunkReport) -> &Vec<&'static str>| {
        let hits: Vec<&ChunkReport> = report
            .chunks
            .iter()
            .filter(|c| !list(c).is_empty())
            .collect();
        hits.first().map(|c| {
            (
                hits.len(),
                format!("{} ({})", chunk_name(c), list(c).join(", ")),
            )
        })
    };
    match first(|c| &c.alerts) {
        Some((n, at)) => {
            let _ = writeln!(
                out,
                "Estimates fall below their thresholds in {n} of {total} chunks, the first {at}."
            );
        }
        None => {
            let _ = writeln!(
                out,
                "No chunk's estimate falls below its threshold ({total} chunks)."
            );
        }
    }
    if let Some((n, at)) = first(|c| &c.realized_alerts) {
        let unseen = report
            .chunks
            .iter()
            .filter(|c| c.realized_alerts.iter().any(|m| !c.alerts.contains(m)))
            .count();
        let _ = write!(
            out,
            "Realized values fall below their thresholds in {n} of {total} chunks, the first {at}."
        );
        if unseen > 0 {
            let _ = write!(
                out,
                " In {unseen} of them the estimate did not: the labels no longer follow the scores as on the reference (a concept shift, or scores no longer calibrated), which CBPE cannot see."
            );
        }
        out.push('\n');
    }
}

const FRAME: Frame = Frame {
    width: 960.0,
    height: 240.0,
    left: 56.0,
    right: 16.0,
    top: 16.0,
    bottom: 28.0,
};

/// One metric's chart: reference chunks then current ones along x; the band as a shaded
/// area, the estimate as a line with dots (red where it alerts), the realized values as
/// hollow rings, the lower threshold dashed.
fn chart(out: &mut String, report: &EstimateReport, metric: &'static str) {
    let chunks: Vec<(&ChunkReport, bool)> = report
        .reference_chunks
        .iter()
        .map(|c| (c, true))
        .chain(report.chunks.iter().map(|c| (c, false)))
        .collect();
    let thresholds = report.metrics.iter().find(|m| m.metric == metric);
    let lower_threshold = thresholds.and_then(|t| t.lower_threshold);
    let values = chunks
        .iter()
        .flat_map(|(c, _)| [c.lower[metric], c.upper[metric], c.realized[metric]])
        .chain([lower_threshold])
        .flatten();
    let (mut y0, mut y1) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !y0.is_finite() {
        (y0, y1) = (0.0, 1.0);
    }
    if y1 - y0 < 1e-9 {
        (y0, y1) = (y0 - 0.05, y1 + 0.05);
    }
    let n = chunks.len().max(1) as f64;
    let x = |k: usize| FRAME.left + FRAME.inner_width() * (k as f64 + 0.5) / n;
    let y = |v: f64| FRAME.base() - (v - y0) / (y1 - y0) * FRAME.inner_height();
    let _ = write!(
        out,
        "<figure><figcaption>{metric}</figcaption>{}",
        FRAME.open(&format!(
            r#" id="estimate-{metric}" role="img" aria-label="estimated {metric} per chunk""#
        ))
    );
    FRAME.x_axis(out);
    FRAME.y_axis(out);
    for v in [y0, (y0 + y1) / 2.0, y1] {
        FRAME.tick(
            out,
            FRAME.left - 6.0,
            y(v) + 3.0,
            Anchor::End,
            &format_number(v),
        );
    }
    // The divide between reference and current chunks.
    let divide = FRAME.left + FRAME.inner_width() * report.reference_chunks.len() as f64 / n;
    let _ = write!(
        out,
        r#"<line class="event" x1="{divide:.1}" x2="{divide:.1}" y1="{}" y2="{}"/>"#,
        FRAME.top,
        FRAME.base()
    );
    FRAME.tick(
        out,
        divide - 4.0,
        FRAME.base() + 16.0,
        Anchor::End,
        "reference",
    );
    FRAME.tick(
        out,
        divide + 4.0,
        FRAME.base() + 16.0,
        Anchor::Start,
        "current",
    );
    // The band, as one polygon per run of chunks with an estimate.
    let banded: Vec<(usize, f64, f64)> = chunks
        .iter()
        .enumerate()
        .filter_map(|(k, (c, _))| Some((k, c.lower[metric]?, c.upper[metric]?)))
        .collect();
    if !banded.is_empty() {
        let mut points = String::new();
        for (k, _, upper) in &banded {
            let _ = write!(points, "{:.1},{:.1} ", x(*k), y(*upper));
        }
        for (k, lower, _) in banded.iter().rev() {
            let _ = write!(points, "{:.1},{:.1} ", x(*k), y(*lower));
        }
        let _ = write!(
            out,
            r#"<polygon class="band" points="{}"/>"#,
            points.trim_end()
        );
    }
    if let Some(t) = lower_threshold {
        let _ = write!(
            out,
            r##"<line class="threshold" x1="{}" x2="{}" y1="{ty:.1}" y2="{ty:.1}" stroke="#c0392b" stroke-dasharray="4 3"><title>lower threshold {}</title></line>"##,
            FRAME.left,
            FRAME.width - FRAME.right,
            format_number(t),
            ty = y(t)
        );
    }
    let line: Vec<String> = chunks
        .iter()
        .enumerate()
        .filter_map(|(k, (c, _))| Some(format!("{:.1},{:.1}", x(k), y(c.estimated[metric]?))))
        .collect();
    let _ = write!(
        out,
        r#"<polyline class="mean" points="{}"/>"#,
        line.join(" ")
    );
    for (k, (c, is_reference)) in chunks.iter().enumerate() {
        let name = escape(&chunk_name(c));
        if let Some(e) = c.estimated[metric] {
            let alert = c.alerts.contains(&metric);
            let (class, fill) = match (is_reference, alert) {
                (true, _) => ("reference", "#3b6fb6"),
                (false, true) => ("current alert", "#c0392b"),
                (false, false) => ("current", "#e8833a"),
            };
            let _ = write!(
                out,
                r#"<circle class="estimate {class}" cx="{:.1}" cy="{:.1}" r="3.5" fill="{fill}"><title>{name}: estimated {}</title></circle>"#,
                x(k),
                y(e),
                format_number(e)
            );
        }
        if let Some(r) = c.realized[metric] {
            let _ = write!(
                out,
                r##"<circle class="realized" cx="{:.1}" cy="{:.1}" r="4.5" fill="none" stroke="#222"><title>{name}: realized {}</title></circle>"##,
                x(k),
                y(r),
                format_number(r)
            );
        }
    }
    out.push_str("</svg></figure>\n");
}

/// The HTML report.
pub fn html(report: &EstimateReport, reference: &str, current: &str) -> String {
    let mut body = format!(
        "<h1>Estimated performance</h1>\n<p>{}</p>\n",
        escape(&preamble(report, reference, current))
    );
    let mut verdict = String::new();
    summary(&mut verdict, report);
    let _ = writeln!(
        body,
        "<p id=\"verdict\" class=\"{}\">{}</p>",
        if report.alert { "badge" } else { "" },
        escape(verdict.trim_end()).replace('\n', "<br>")
    );
    body.push_str("<p class=\"legend lines\"><span style=\"background:#3b6fb6\"></span>reference chunks<span style=\"background:#e8833a\"></span>current chunks (red: below the lower threshold, dashed)<span style=\"background:#3b6fb6;opacity:.3;height:1em\"></span>± 3 sampling errors; rings: realized</p>\n<div class=\"plots\">\n");
    for m in &report.metrics {
        chart(&mut body, report, m.metric);
    }
    body.push_str(
        "</div>\n<table id=\"chunks\"><thead><tr><th>chunk</th><th>rows</th><th>labelled</th>",
    );
    for m in &report.metrics {
        let _ = write!(body, "<th>{}</th>", m.metric);
    }
    body.push_str("</tr></thead><tbody>\n");
    for c in &report.chunks {
        let _ = write!(
            body,
            "<tr class=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            if c.alert { "fail" } else { "pass" },
            escape(&chunk_name(c)),
            c.rows,
            c.labelled
        );
        for m in &report.metrics {
            let _ = write!(
                body,
                "<td class=\"num\">{}</td>",
                escape(&cell(c, m.metric))
            );
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</tbody></table>\n");
    page("seismo estimate", &body)
}
