//! The HTML drift report: one self-contained page (no network), with a summary, a sortable
//! table and, per column, the reference and current distributions drawn over each other as
//! inline SVG.

use std::collections::BTreeMap;
use std::fmt::Write;

use seismo_drift::{Bins, Distribution, DriftReport};
use seismo_stats::profile::format_number;

use crate::chart::{Anchor, Frame};
use crate::escape;

/// What each bin is called on the chart: `low – high` for ranges.
fn labels(bins: &Bins) -> Vec<String> {
    match bins {
        Bins::Ranges(bounds) => bounds
            .windows(2)
            .map(|w| format!("{} – {}", format_number(w[0]), format_number(w[1])))
            .collect(),
        Bins::Categories(names) => names.clone(),
    }
}

/// Reference and current shares as overlaid bars.
fn svg(d: &Distribution) -> String {
    const FRAME: Frame = Frame::even(420.0, 140.0, 18.0);
    let labels = labels(&d.bins);
    let n = labels.len().max(1) as f64;
    let top = d
        .reference
        .iter()
        .chain(&d.current)
        .fold(0.0f64, |m, &v| m.max(v))
        .max(f64::MIN_POSITIVE);
    let width = FRAME.inner_width() / n;
    let mut out = FRAME.open(r#" role="img""#);
    for (series, values, class) in [
        ("reference", &d.reference, "ref"),
        ("current", &d.current, "cur"),
    ] {
        for (i, (&v, label)) in values.iter().zip(&labels).enumerate() {
            let h = FRAME.inner_height() * v / top;
            let _ = write!(
                out,
                r#"<rect class="{class}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{series} {}: {:.1}%</title></rect>"#,
                FRAME.left + i as f64 * width,
                FRAME.base() - h,
                (width - 1.0).max(0.5),
                h,
                escape(label),
                100.0 * v
            );
        }
    }
    FRAME.x_axis(&mut out);
    if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
        FRAME.tick(&mut out, FRAME.left, FRAME.height, Anchor::Start, first);
        let right = FRAME.width - FRAME.right;
        FRAME.tick(&mut out, right, FRAME.height, Anchor::End, last);
    }
    out.push_str("</svg>");
    out
}

/// The whole page: the summary, the table of columns, what changed or was skipped, the
/// distributions, and the script that sorts the table.
pub fn render(
    report: &DriftReport,
    distributions: &BTreeMap<String, Distribution>,
    reference: &str,
    current: &str,
) -> String {
    let mut page = String::new();
    summary(&mut page, report, reference, current);
    columns_table(&mut page, report);
    match &report.multivariate {
        Some(seismo_drift::MultivariateDrift::Reconstruction(r)) => reconstruction(&mut page, r),
        Some(seismo_drift::MultivariateDrift::Classifier(c)) => importances(&mut page, c),
        _ => {}
    }
    notes(&mut page, report);
    plots(&mut page, report, distributions);
    page.push_str(SORT_SCRIPT);
    crate::page("seismo drift report", &page)
}

/// What was compared, and the dataset, prediction and target verdicts.
fn summary(page: &mut String, report: &DriftReport, reference: &str, current: &str) {
    let yes = |b: bool| if b { "YES" } else { "no" };
    let _ = write!(
        page,
        "<h1>Drift report</h1>\n<p>Reference <code>{}</code>{} against current <code>{}</code>.</p>\n",
        escape(reference),
        if report.reference_is_profile {
            " (a saved profile: numeric columns compared through sketches)"
        } else {
            ""
        },
        escape(current)
    );
    if report.joint_only() {
        page.push_str(
            "<p id=\"summary\">Per-column tests: not run (the columns were tested together only).",
        );
    } else {
        let _ = write!(
            page,
            "<p id=\"summary\">Dataset drift: <span class=\"{}\">{}</span> — {}.",
            if report.dataset_drift { "badge" } else { "" },
            yes(report.dataset_drift),
            escape(&report.share_summary())
        );
    }
    for (label, value) in [
        ("Prediction drift", report.prediction_drift),
        ("Target drift", report.target_drift),
    ] {
        if let Some(v) = value {
            let _ = write!(
                page,
                " {label}: <span class=\"{}\">{}</span>.",
                if v { "badge" } else { "" },
                yes(v)
            );
        }
    }
    if let Some(m) = &report.multivariate {
        let _ = write!(
            page,
            "</p>\n<p id=\"multivariate\">Multivariate drift: <span class=\"{}\">{}</span>",
            if m.drifted() { "badge" } else { "" },
            yes(m.drifted())
        );
        let line = multivariate_summary(m);
        let detail = line.split_once(" — ").map_or(line.as_str(), |(_, d)| d);
        let _ = write!(
            page,
            " — {}. Columns tested together: {}.",
            escape(detail),
            escape(&m.columns().join(", "))
        );
    }
}

/// The columns the domain classifier split on most, each with its share and a bar.
fn importances(page: &mut String, c: &seismo_drift::ClassifierDrift) {
    page.push_str(
        "<h2>Columns that told the rows apart</h2>\n<p>Each column's share of the classifier's splits' gain (impurity decrease), averaged over the folds.</p>\n<table id=\"importances\"><thead><tr><th>column</th><th>share</th><th></th></tr></thead><tbody>",
    );
    let top = c
        .importances
        .first()
        .map_or(1.0, |i| i.importance)
        .max(f64::MIN_POSITIVE);
    for i in &c.importances {
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td><svg width=\"200\" height=\"10\" role=\"img\" aria-label=\"share\"><rect width=\"{:.1}\" height=\"10\" fill=\"#2c7fb8\"/></svg></td></tr>",
            escape(&i.column),
            format_number(i.importance),
            200.0 * i.importance / top
        );
    }
    page.push_str("</tbody></table>\n");
}

/// The reconstruction error per chunk as a chart (reference chunks, then current ones, the
/// thresholds as lines) and the columns whose residuals grew.
fn reconstruction(page: &mut String, r: &seismo_drift::ReconstructionDrift) {
    let points: Vec<(&seismo_drift::ReconstructionChunk, bool)> = r
        .reference_chunks
        .iter()
        .map(|c| (c, true))
        .chain(r.chunks.iter().map(|c| (c, false)))
        .collect();
    let (width, height, pad) = (640.0, 200.0, 24.0);
    let mut top = r.upper_threshold;
    let mut bottom = r.lower_threshold.unwrap_or(r.upper_threshold);
    for (c, _) in &points {
        top = top.max(c.upper);
        bottom = bottom.min(c.lower);
    }
    let span = (top - bottom).max(f64::MIN_POSITIVE);
    let x = |k: usize| pad + (width - 2.0 * pad) * (k as f64 + 0.5) / points.len().max(1) as f64;
    let y = |v: f64| pad + (height - 2.0 * pad) * (top - v) / span;
    let _ = write!(
        page,
        "<h2>Reconstruction error per chunk</h2>\n<svg id=\"reconstruction\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"reconstruction error per chunk\">"
    );
    for (value, label) in [
        (Some(r.upper_threshold), "upper"),
        (r.lower_threshold, "lower"),
    ] {
        if let Some(v) = value {
            let _ = write!(
                page,
                "<line class=\"threshold {label}\" x1=\"{pad}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"/>",
                width - pad,
                y(v),
                y(v)
            );
        }
    }
    for (k, (c, is_reference)) in points.iter().enumerate() {
        let colour = if *is_reference {
            "#3b6fb6"
        } else if c.alert {
            "#c0392b"
        } else {
            "#e8833a"
        };
        let _ = write!(
            page,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"{colour}\" opacity=\".5\"/><circle class=\"chunk{3}\" cx=\"{0:.1}\" cy=\"{4:.1}\" r=\"4\" fill=\"{colour}\"><title>{5} rows {6}..{7}: {8}</title></circle>",
            x(k),
            y(c.upper),
            y(c.lower),
            if *is_reference {
                " reference"
            } else {
                " current"
            },
            y(c.value),
            if *is_reference {
                "reference"
            } else {
                "current"
            },
            c.start,
            c.start + c.rows,
            format_number(c.value)
        );
    }
    page.push_str("</svg>\n<p class=\"legend\"><span style=\"background:#3b6fb6\"></span>reference chunks<span style=\"background:#e8833a\"></span>current chunks (red: outside the thresholds, dashed)</p>\n");
    page.push_str("<table id=\"contributions\"><thead><tr><th>column</th><th>mean |residual|, reference</th><th>current</th></tr></thead><tbody>");
    for c in &r.contributions {
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.column),
            format_number(c.reference),
            format_number(c.current)
        );
    }
    page.push_str("</tbody></table>\n");
}

/// One row per tested column, sortable by any header.
fn columns_table(page: &mut String, report: &DriftReport) {
    page.push_str("</p>\n<table id=\"columns\" class=\"sortable\"><thead><tr>");
    for (name, kind) in [
        ("column", "text"),
        ("role", "text"),
        ("kind", "text"),
        ("test", "text"),
        ("statistic", "num"),
        ("p-value", "num"),
        ("threshold", "num"),
        ("drift", "text"),
    ] {
        let _ = write!(
            page,
            "<th data-type=\"{kind}\" data-key=\"{name}\">{name}</th>"
        );
    }
    page.push_str("</tr></thead><tbody>\n");
    for c in &report.columns {
        let p = c.adjusted_p_value.or(c.p_value);
        let _ = writeln!(
            page,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\" data-value=\"{}\">{}</td><td class=\"num\" data-value=\"{}\">{}</td><td class=\"num\" data-value=\"{}\">{}</td><td>{}</td></tr>",
            if c.drifted { "drift" } else { "" },
            escape(&c.column),
            c.role,
            c.kind,
            c.test,
            c.statistic,
            format_number(c.statistic),
            p.unwrap_or(f64::NAN),
            p.map(format_number).unwrap_or_else(|| "–".into()),
            c.threshold,
            format_number(c.threshold),
            if c.drifted { "DRIFT" } else { "" }
        );
    }
    page.push_str("</tbody></table>\n");
}

/// New and vanished values, skipped columns and schema findings.
fn notes(page: &mut String, report: &DriftReport) {
    for c in &report.columns {
        for (what, values) in [("New", &c.new_values), ("Missing", &c.missing_values)] {
            if !values.is_empty() {
                let _ = writeln!(
                    page,
                    "<p class=\"changed-values\">{what} values in {}: {}</p>",
                    escape(&c.column),
                    escape(&value_counts(values))
                );
            }
        }
    }
    for s in &report.skipped {
        let _ = writeln!(
            page,
            "<p class=\"skipped\">Skipped {}: {}</p>",
            escape(&s.column),
            escape(&s.reason)
        );
    }
    for f in &report.schema {
        let _ = writeln!(
            page,
            "<p class=\"schema\">Schema: {} {}</p>",
            escape(&f.column),
            f.finding.replace('_', " ")
        );
    }
}

/// Both sides' distributions per tested column.
fn plots(page: &mut String, report: &DriftReport, distributions: &BTreeMap<String, Distribution>) {
    page.push_str("<h2>Distributions</h2>\n<p class=\"legend\"><span style=\"background:#3b6fb6;opacity:.55\"></span>reference<span style=\"background:#e8833a;opacity:.55\"></span>current</p>\n<div class=\"plots\">\n");
    for c in &report.columns {
        if let Some(d) = distributions.get(&c.column) {
            let _ = writeln!(
                page,
                "<figure id=\"plot-{}\"><figcaption>{} — {} {}</figcaption>{}</figure>",
                escape(&c.column),
                escape(&c.column),
                c.test,
                format_number(c.statistic),
                svg(d)
            );
        }
    }
    page.push_str("</div>\n");
}

/// Sorts the table: click a header; `#sort=KEY` (or `#sort=-KEY`) sorts on load.
const SORT_SCRIPT: &str = r##"<script>
// Sortable table: click a header; "#sort=KEY" (or "#sort=-KEY" for descending) sorts on load.
(function () {
  var table = document.getElementById("columns"), body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function value(row, i, type) {
    var cell = row.cells[i];
    if (type === "num") { var v = parseFloat(cell.getAttribute("data-value")); return isNaN(v) ? Infinity : v; }
    return cell.textContent;
  }
  function sort(i, descending) {
    var type = heads[i].getAttribute("data-type");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, i, type), y = value(b, i, type);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.setAttribute("data-sorted", heads[i].getAttribute("data-key") + (descending ? ":desc" : ":asc"));
  }
  heads.forEach(function (th, i) {
    th.addEventListener("click", function () {
      var desc = table.getAttribute("data-sorted") === th.getAttribute("data-key") + ":asc";
      sort(i, desc);
    });
  });
  var m = /sort=(-?)([\w-]+)/.exec(location.hash);
  if (m) { heads.forEach(function (th, i) { if (th.getAttribute("data-key") === m[2]) sort(i, m[1] === "-"); }); }
})();
</script>
"##;

/// `kiosk (10), 7 (3)`: values with their counts.
pub fn value_counts(values: &[seismo_drift::ValueCount]) -> String {
    values
        .iter()
        .map(|v| format!("{} ({})", v.value, v.count))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The joint test in one line, as the text and HTML reports show it.
pub fn multivariate_summary(m: &seismo_drift::MultivariateDrift) -> String {
    let yes = if m.drifted() { "YES" } else { "no" };
    match m {
        seismo_drift::MultivariateDrift::Mmd(m) => format!(
            "Multivariate drift (mmd of {} columns together): {yes} — MMD² {}, p-value {} ({} permutations, threshold {}), {} + {} rows, bandwidth {}",
            m.columns.len(),
            format_number(m.statistic),
            format_number(m.p_value),
            m.permutations,
            m.alpha,
            m.reference_rows,
            m.current_rows,
            format_number(m.bandwidth)
        ),
        seismo_drift::MultivariateDrift::Classifier(c) => format!(
            "Multivariate drift (classifier of {} columns together): {yes} — ROC AUC {} (threshold {}), a random forest of {} trees, {}-fold cross-validated on {} + {} rows",
            c.columns.len(),
            format_number(c.statistic),
            c.threshold,
            c.trees,
            c.folds,
            c.reference_rows,
            c.current_rows
        ),
        seismo_drift::MultivariateDrift::Reconstruction(r) => format!(
            "Multivariate drift (reconstruction of {} columns together): {yes} — {} of {} chunks of {} rows outside {}{}, mean reconstruction error {} ({} components)",
            r.columns.len(),
            r.chunks.iter().filter(|c| c.alert).count(),
            r.chunks.len(),
            r.chunk_size,
            r.lower_threshold
                .map_or(String::new(), |l| format!("{} – ", format_number(l))),
            format_number(r.upper_threshold),
            format_number(r.statistic),
            r.components
        ),
    }
}
