//! The HTML drift report renders in headless Chromium: its script runs (the table sorts), one
//! chart per tested column, and nothing is fetched from the network.

use crate::common::*;

#[test]
fn the_html_report_renders_sorts_and_stays_offline() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("drift.html");
    let (r, c, config) = (
        example("reference.parquet"),
        example("current.parquet"),
        example("drift.toml"),
    );
    let out = seismo(&[
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    // The prediction drifted: exit 1, and the page is written all the same.
    assert_found(&out);
    let html = std::fs::read_to_string(&page).unwrap();
    let external: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 30).min(html.len())])
        .collect();
    assert!(
        external
            .iter()
            .all(|u| u.starts_with("http://www.w3.org/2000/svg")),
        "external references: {external:?}"
    );

    let dom = dump_dom(
        &chromium,
        &format!("file://{}#sort=-statistic", page.display()),
        &dir.path().join("profile"),
    );
    assert!(
        dom.contains(r#"data-sorted="statistic:desc""#),
        "the sort script did not run"
    );
    let body = &dom[dom.find("<tbody>").unwrap()..];
    let first_row = &body[..body.find("</tr>").unwrap()];
    assert!(
        first_row.contains(">score<"),
        "largest statistic first: {first_row}"
    );
    let rows = body[..body.find("</tbody>").unwrap()]
        .matches("<tr")
        .count();
    assert_eq!(rows, 12, "one row per tested column");
    assert_eq!(
        dom.matches("<svg").count(),
        12,
        "one chart per tested column"
    );
    assert!(dom.contains("Prediction drift: <span class=\"badge\">YES</span>"));
}

/// The HTML report of `--multivariate method` between the example month and the join bug,
/// as headless Chromium reads it.
fn joint_drift_page(chromium: &str, method: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("drift.html");
    let (r, c) = (example("reference.parquet"), example("joint.parquet"));
    let out = seismo(&[
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--ignore",
        "id,timestamp,model_version",
        "--multivariate",
        method,
        "--format",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_found(&out);
    dump_dom(
        chromium,
        &format!("file://{}", page.display()),
        &dir.path().join("profile"),
    )
}

#[test]
fn the_reconstruction_chart_draws_every_chunk_and_the_contributions() {
    let Some(chromium) = chromium() else { return };
    let dom = joint_drift_page(&chromium, "reconstruction");
    let chart = &dom[dom.find("id=\"reconstruction\"").expect("the chart")..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert_eq!(chart.matches("class=\"chunk reference\"").count(), 10);
    assert_eq!(chart.matches("class=\"chunk current\"").count(), 10);
    assert!(chart.contains("class=\"threshold upper\""));
    let table = &dom[dom.find("id=\"contributions\"").expect("the contributions")..];
    let first = &table[table.find("<tbody>").unwrap()..];
    assert!(
        first[..first.find("</tr>").unwrap()].contains(">credit_score<"),
        "the decoupled column first"
    );
    assert!(dom.contains("id=\"multivariate\""));
}

#[test]
fn the_classifier_section_lists_the_columns_that_told_the_rows_apart() {
    let Some(chromium) = chromium() else { return };
    let dom = joint_drift_page(&chromium, "classifier");
    let table = &dom[dom.find("id=\"importances\"").expect("the importances")..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<tr>").count(),
        13,
        "a header and the 12 columns"
    );
    let first = &table[table.find("<tbody>").unwrap()..];
    let first = &first[..first.find("</tr>").unwrap()];
    assert!(
        first.contains(">credit_score<") || first.contains(">score<"),
        "a decoupled column first: {first}"
    );
    assert!(dom.contains("ROC AUC"));
}
