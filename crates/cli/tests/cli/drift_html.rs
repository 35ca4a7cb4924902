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
