//! Reports for people, shared by the `seismo` binary and the Python package: the page
//! skeleton and stylesheet every HTML report shares, the chart helper, text tables, the
//! JUnit writer, and the drift, estimate and validation reports. The history, model-test
//! and robustness reports are behind the features `history`, `slices` and `robust`, so a
//! crate that renders drift alone does not build the model runtime.
//!
//! Renderers draw what the domain crates computed (distributions, chunks, checks); they
//! compute no statistics. Every page is self-contained: no network, no external assets.
//!
//! ```
//! let page = seismo_report::page("a <report>", "<p>body</p>\n");
//! assert!(page.starts_with("<!doctype html>"));
//! assert!(page.contains("<title>a &lt;report&gt;</title>"));
//! ```

pub mod chart;
pub mod drift;
pub mod estimate;
#[cfg(feature = "history")]
pub mod history;
pub mod junit;
#[cfg(feature = "slices")]
pub mod model_test;
#[cfg(feature = "robust")]
pub mod robust;
pub mod validate;

/// The stylesheet of every HTML report: base typography and tables, row colours by outcome,
/// and the classes of the charts.
const STYLE: &str = r#"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
table.sortable th{cursor:pointer;user-select:none}table.sortable th:after{content:" \2195";color:#999}
.fail td,tr.drift td{background:#fde8e8}.warn td,.inconclusive td{background:#fff6dd}.skipped td{color:#777}
.outcome{font-weight:bold}.sample{font-family:ui-monospace,monospace;font-size:12px}.badge{font-weight:bold;color:#b00}
.plots{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;border:1px solid #ddd;padding:.5em}figcaption{font-weight:600}
.axis{stroke:#999}.tick{font-size:10px;fill:#666}
rect.ref{fill:#3b6fb6;opacity:.55}rect.cur{fill:#e8833a;opacity:.55}
.band{fill:#3b6fb6;opacity:.18}.mean{fill:none;stroke:#3b6fb6;stroke-width:1.5}.change{stroke:#c0392b;stroke-width:2}
.event{stroke:#777;stroke-dasharray:4 3}.event-label{font-size:10px;fill:#555}
.legend span{display:inline-block;width:1em;height:1em;vertical-align:middle;margin:0 .3em 0 1em}
.legend.lines span{width:1.2em;height:.25em}
"#;

/// A whole HTML page: the shared head and stylesheet, then `body` (which ends with a
/// newline).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\n{STYLE}</style></head><body>\n{body}</body></html>\n",
        escape(title)
    )
}

/// Text made safe for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A text table in the style every command uses, with its header row.
pub fn table(header: &[&str]) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(header.iter().map(comfy_table::Cell::new));
    table
}
