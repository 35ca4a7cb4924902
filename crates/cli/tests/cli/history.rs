//! `seismo history` on the bundled example data and on bad input, through the real binary.

use crate::common::*;

fn history(args: &[&str]) -> std::process::Output {
    let mut all = vec!["history"];
    all.extend_from_slice(args);
    seismo(&all)
}

/// `seismo history` of the example's current month's score, with `extra` flags.
fn current_score(extra: &[&str]) -> std::process::Output {
    let current = example("current.parquet");
    let mut args = vec![
        current.to_str().unwrap(),
        "--time",
        "timestamp",
        "--value",
        "score",
    ];
    args.extend_from_slice(extra);
    history(&args)
}

#[test]
fn the_hundredfold_score_is_found_at_its_window_and_blamed_on_1_5_0() {
    let report = found_json(&current_score(&[
        "--by",
        "model_version",
        "--format",
        "json",
    ]));
    assert_eq!(report["window"], "3h");
    assert_eq!(report["scale"], "log");
    assert_eq!(report["rows"], 5000);
    let windows = report["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 248);
    assert_eq!(
        windows
            .iter()
            .map(|w| w["rows"].as_u64().unwrap())
            .sum::<u64>(),
        5000
    );
    let changes = report["change_points"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let change = &changes[0];
    assert_eq!(change["time"], "2026-10-16T00:00:00Z");
    assert_eq!(change["kind"], "mean_and_variance");
    let log10 = change["log10_ratio"].as_f64().unwrap();
    assert!((1.9..2.1).contains(&log10), "{log10}");
    let ratio = change["ratio"].as_f64().unwrap();
    let (before, after) = (
        change["before"]["mean"].as_f64().unwrap(),
        change["after"]["mean"].as_f64().unwrap(),
    );
    assert!(close(ratio, after / before, 1e-12));
    assert_eq!(change["before"]["rows"], 2356);
    assert_eq!(change["after"]["rows"], 2644);
    let cause = &change["attributed_to"];
    assert_eq!(cause["source"], "model_version");
    assert_eq!(cause["label"], "1.5.0");
    assert_eq!(cause["time"], "2026-10-16T00:01:05Z");
    assert_eq!(cause["offset_seconds"], 65.0);
}

#[test]
fn csv_and_several_files_and_markers_agree() {
    let (reference, current, markers) = (
        example("reference.csv"),
        example("current.csv"),
        example("deployments.csv"),
    );
    let out = history(&[
        reference.to_str().unwrap(),
        current.to_str().unwrap(),
        "--time",
        "timestamp",
        "--value",
        "score",
        "--window",
        "6h",
        "--markers",
        markers.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report = found_json(&out);
    assert_eq!(report["rows"], 10_000);
    assert_eq!(report["window"], "6h");
    let changes = report["change_points"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0]["time"], "2026-10-16T00:00:00Z");
    assert_eq!(changes[0]["attributed_to"]["source"], "marker");
    assert_eq!(changes[0]["attributed_to"]["label"], "deploy model 1.5.0");
    assert_eq!(report["events"].as_array().unwrap().len(), 3);
}

#[test]
fn a_steady_series_exits_0_and_says_so() {
    let reference = example("reference.parquet");
    let out = history(&[
        reference.to_str().unwrap(),
        "--time",
        "timestamp",
        "--value",
        "score",
        "--window",
        "1d",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("No change points"), "{text}");
    assert!(text.contains("5000 rows in 30 windows of 1d"), "{text}");
}

#[test]
fn the_text_report_names_the_change_and_its_cause() {
    let out = current_score(&["--by", "model_version"]);
    assert_found(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2026-10-16T00:00:00Z"), "{text}");
    assert!(text.contains("model_version 1.5.0"), "{text}");
    assert!(text.contains("+2.01"), "{text}");
}

#[test]
fn bad_input_is_one_clear_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let current = example("current.parquet");
    let current = current.to_str().unwrap();
    let run = current_score;
    assert_bad_input(
        &history(&[current, "--time", "when", "--value", "score"]),
        "the time column `when` is not in the data (columns: ",
    );
    assert_bad_input(
        &history(&[current, "--time", "timestamp", "--value", "country"]),
        "the value column `country` holds LargeUtf8, not numbers",
    );
    assert_bad_input(
        &run(&["--penalty=-1"]),
        "--penalty must be a positive number",
    );
    assert_bad_input(
        &run(&["--min-segment", "0"]),
        "--min-windows (--min-segment) must be at least 1",
    );
    // clap rejects a malformed duration (its message spans lines, so only the code is checked).
    assert_eq!(run(&["--window", "15 minutes"]).status.code(), Some(2));
    let ids = dir.path().join("ids.csv");
    let rows: String = (0..10_001)
        .map(|i| format!("{},{i},0.5\n", 1_790_000_000 + i))
        .collect();
    std::fs::write(&ids, format!("t,id,score\n{rows}")).unwrap();
    assert_bad_input(
        &history(&[
            ids.to_str().unwrap(),
            "--time",
            "t",
            "--value",
            "score",
            "--by",
            "id",
        ]),
        "not an id",
    );

    let markers = dir.path().join("markers.csv");
    std::fs::write(&markers, "time,label\n2026-10-01,ok\nnext tuesday,bad\n").unwrap();
    assert_bad_input(
        &run(&["--markers", markers.to_str().unwrap()]),
        "markers.csv: line 3: `next tuesday` is not a time",
    );
    assert_bad_input(
        &run(&["--markers", "/no/such/file.csv"]),
        "/no/such/file.csv",
    );

    let log = dir.path().join("log.csv");
    std::fs::write(
        &log,
        "t,score\n2026-10-01T00:00:00Z,0.1\n2026-10-01T01:00:00Z,0.2\nsoon,0.3\n",
    )
    .unwrap();
    assert_bad_input(
        &history(&[log.to_str().unwrap(), "--time", "t", "--value", "score"]),
        "log.csv: line 4, column t: `soon` is not a time",
    );
}

#[test]
fn an_empty_log_is_an_empty_history() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("empty.csv");
    std::fs::write(&log, "t,score\n").unwrap();
    let out = history(&[
        log.to_str().unwrap(),
        "--time",
        "t",
        "--value",
        "score",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rows"], 0);
    assert!(report["windows"].as_array().unwrap().is_empty());
}

#[test]
fn the_html_report_draws_the_series_change_and_events() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("history.html");
    let markers = example("deployments.csv");
    let out = current_score(&[
        "--by",
        "model_version",
        "--markers",
        markers.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_found(&out);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.match_indices("http")
            .all(|(i, _)| html[i..].starts_with("http://www.w3.org/2000/svg")),
        "no external references"
    );
    let dom = dump_dom(
        &chromium,
        &format!("file://{}", page.display()),
        &dir.path().join("profile"),
    );
    assert!(
        dom.contains(r#"data-windows="248""#),
        "the chart is in the DOM"
    );
    assert_eq!(dom.matches(r#"class="change""#).count(), 1);
    // Events inside the plotted span: the dashboard release, 1.5.0 first seen, the deploy.
    assert_eq!(dom.matches(r#"class="event""#).count(), 3);
    assert!(dom.contains("deploy model 1.5.0"));
    assert!(dom.contains(r#"<polyline class="mean""#));
}
