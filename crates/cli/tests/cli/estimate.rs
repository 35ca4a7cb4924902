//! `seismo estimate` end to end: the bundled months where the estimate warns before labels
//! and where it cannot see a concept shift, NannyML's figures through the whole command,
//! chunks of time from CSV text, the HTML charts in Chromium, and bad input.

use crate::common::*;

fn estimate(current: &str, extra: &[&str]) -> std::process::Output {
    let (r, c) = (example("reference.parquet"), example(current));
    let mut args = vec![
        "estimate",
        "--reference",
        path(&r),
        "--current",
        path(&c),
        "--prediction",
        "score",
        "--target",
        "label",
    ];
    args.extend_from_slice(extra);
    seismo(&args)
}

/// The JSON report of a run that was not refused (exit 0 or 1).
fn report_json(out: &std::process::Output) -> serde_json::Value {
    let code = out.status.code().unwrap();
    assert!(code < 2, "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn day_chunks(current: &str) -> serde_json::Value {
    let out = estimate(
        current,
        &["--chunk", "1d", "--time", "timestamp", "--format", "json"],
    );
    found_json(&out)
}

#[test]
fn the_estimate_warns_of_the_campaign_before_any_label_arrives() {
    let report = day_chunks("december.parquet");
    let chunks = report["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 31);
    assert_eq!(chunks[0]["start"], "2026-12-01T00:00:00Z");
    assert_eq!(chunks[0]["end"], "2026-12-02T00:00:00Z");
    for (day, c) in chunks.iter().enumerate() {
        let labelled = c["labelled"].as_u64().unwrap();
        let estimate_alerts = c["alerts"].as_array().unwrap();
        if day < 15 {
            // Labels known, nothing wrong yet.
            assert_eq!(labelled, c["rows"].as_u64().unwrap());
            assert!(c["realized"]["accuracy"].is_f64());
            assert!(estimate_alerts.is_empty(), "day {}: {c}", day + 1);
        } else {
            // The campaign: no label yet, the estimate alone sees accuracy fall.
            assert_eq!(labelled, 0);
            assert!(c["realized"]["accuracy"].is_null());
            assert!(
                estimate_alerts.contains(&"accuracy".into()),
                "day {}",
                day + 1
            );
            assert_eq!(c["alert"], true);
        }
        for m in ["roc_auc", "accuracy", "precision", "recall", "f1"] {
            let (e, lo, hi) = (
                c["estimated"][m].as_f64().unwrap(),
                c["lower"][m].as_f64().unwrap(),
                c["upper"][m].as_f64().unwrap(),
            );
            assert!(lo <= e && e <= hi, "{m}: {lo} {e} {hi}");
        }
    }
    assert_eq!(report["reference_rows"], 5000);
    assert_eq!(report["reference_chunks"].as_array().unwrap().len(), 30);
    assert_eq!(report["calibrated"], true);
    assert_eq!(report["alert"], true);
}

#[test]
fn a_concept_shift_shows_in_the_realized_values_and_not_in_the_estimate() {
    let report = day_chunks("concept.parquet");
    let chunks = report["chunks"].as_array().unwrap();
    for c in &chunks[15..] {
        assert!(c["alerts"].as_array().unwrap().is_empty(), "{c}");
        assert!(
            c["realized_alerts"]
                .as_array()
                .unwrap()
                .contains(&"accuracy".into()),
            "{c}"
        );
    }
    for c in &chunks[..15] {
        assert_eq!(c["alert"], false, "{c}");
    }
    let text = estimate("concept.parquet", &["--chunk", "1d", "--time", "timestamp"]);
    assert_found(&text);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("No chunk's estimate falls below its threshold"));
    assert!(text.contains("concept shift"), "{text}");
}

/// The whole command on the stats oracle's case (scripts/oracles/cbpe_nannyml.py): chunks of
/// 500 rows of joint.parquet, calibrated, equal to NannyML's estimates, bands and realized
/// values.
#[test]
fn the_command_reports_nannymls_figures() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../stats/tests/fixtures/cbpe_nannyml.json"
    );
    let oracle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    let want = &oracle["cases"]["calibrated"]["result"]["metrics"];
    let out = estimate(
        "joint.parquet",
        &[
            "--chunk",
            "500",
            "--calibration",
            "always",
            "--metric",
            "roc_auc,accuracy,precision,recall,f1,specificity",
            "--format",
            "json",
        ],
    );
    let report = report_json(&out);
    let chunks = report["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 10);
    assert_eq!(chunks[1]["start"], 500);
    assert_eq!(chunks[1]["end"], 1000);
    for (k, c) in chunks.iter().enumerate() {
        for m in [
            "accuracy",
            "precision",
            "recall",
            "f1",
            "specificity",
            "roc_auc",
        ] {
            for (field, ours) in [("estimated", "estimated"), ("realized", "realized")] {
                let got = c[ours][m].as_f64().unwrap();
                let w = want[m][field][k].as_f64().unwrap();
                assert!(
                    (got - w).abs() <= 1e-9 * w.abs(),
                    "chunk {k} {m} {field}: {got} vs {w}"
                );
            }
        }
        let got = c["lower"]["accuracy"].as_f64().unwrap();
        let w = want["accuracy"]["lower"][k].as_f64().unwrap();
        assert!((got - w).abs() <= 1e-9 * w.abs());
    }
    let thresholds = &report["metrics"].as_array().unwrap()[1];
    assert_eq!(thresholds["metric"], "accuracy");
    let w = want["accuracy"]["lower_threshold"][0].as_f64().unwrap();
    assert!((thresholds["lower_threshold"].as_f64().unwrap() - w).abs() <= 1e-9 * w);
}

#[test]
fn chunks_of_time_read_csv_text_and_rows_without_a_time_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    let current = dir.path().join("current.csv");
    let mut r = String::from("time,score,label\n");
    let mut c = String::from("time,score,label\n");
    for i in 0..400 {
        let score = ((i * 37) % 100) as f64 / 100.0;
        let label = u8::from((i * 53) % 100 < (i * 37) % 100);
        let day = 1 + i / 100;
        r.push_str(&format!("2026-05-0{day}T10:00:00Z,{score},{label}\n"));
        c.push_str(&format!("2026-06-0{day} 10:00:00,{score},\n"));
    }
    c.push_str(",0.4,\n");
    std::fs::write(&reference, r).unwrap();
    std::fs::write(&current, c).unwrap();
    let out = seismo(&[
        "estimate",
        "--reference",
        path(&reference),
        "--current",
        path(&current),
        "--prediction",
        "score",
        "--target",
        "label",
        "--time",
        "time",
        "--chunk",
        "1d",
        "--format",
        "json",
    ]);
    let report = report_json(&out);
    assert_eq!(report["chunks"].as_array().unwrap().len(), 4);
    assert_eq!(report["reference_chunks"].as_array().unwrap().len(), 4);
    assert_eq!(report["current_dropped"], 1);
    assert_eq!(report["chunks"][3]["start"], "2026-06-04T00:00:00Z");
    assert_eq!(report["chunks"][0]["labelled"], 0);
}

#[test]
fn the_same_bytes_on_every_run_and_thread_count() {
    let args = ["--chunk", "1d", "--time", "timestamp", "--format", "json"];
    let first = estimate("december.parquet", &args).stdout;
    let mut more = args.to_vec();
    more.extend(["--threads", "1"]);
    assert_eq!(first, estimate("december.parquet", &more).stdout);
    let last = more.len() - 1;
    more[last] = "3";
    assert_eq!(first, estimate("december.parquet", &more).stdout);
}

#[test]
fn bad_input_is_refused_with_where_it_is() {
    let cases: [(&str, &[&str], &str); 7] = [
        (
            "current.parquet",
            &[],
            "current.parquet: row 2357, column `score`: 19.7622 is not a probability",
        ),
        (
            "december.parquet",
            &["--chunk", "soon"],
            "--chunk soon: give a number of rows",
        ),
        (
            "december.parquet",
            &["--chunk", "1d"],
            "chunks of time need the time column (--time)",
        ),
        (
            "december.parquet",
            &["--metric", "auc"],
            "--metric auc: not one of roc_auc",
        ),
        ("december.parquet", &["--threshold", "50"], "--threshold 50"),
        (
            "december.parquet",
            &["--time", "nope"],
            "no time column `nope`; the columns are id, timestamp",
        ),
        ("december.parquet", &["--chunk", "0"], "--chunk 0"),
    ];
    for (current, extra, needle) in cases {
        assert_bad_input(&estimate(current, extra), needle);
    }
    let r = example("reference.parquet");
    let out = seismo(&[
        "estimate",
        "--reference",
        path(&r),
        "--current",
        path(&r),
        "--prediction",
        "score",
        "--target",
        "country",
    ]);
    assert_bad_input(&out, "column `country` holds");
    let out = seismo(&[
        "estimate",
        "--reference",
        path(&r),
        "--current",
        path(&r),
        "--prediction",
        "score",
        "--target",
        "num_products",
    ]);
    assert_bad_input(
        &out,
        "reference.parquet: row 1, column `num_products`: label 4 is not 0 or 1",
    );
}

#[test]
fn the_html_report_draws_one_chart_per_metric() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("estimate.html");
    let out = estimate(
        "december.parquet",
        &[
            "--chunk",
            "1d",
            "--time",
            "timestamp",
            "--format",
            "html",
            "-o",
            path(&page),
        ],
    );
    assert_found(&out);
    let dom = dump_dom(
        &chromium,
        &format!("file://{}", page.display()),
        &dir.path().join("profile"),
    );
    for metric in ["roc_auc", "accuracy", "precision", "recall", "f1"] {
        let at = dom
            .find(&format!("id=\"estimate-{metric}\""))
            .unwrap_or_else(|| panic!("no {metric} chart"));
        let chart = &dom[at..];
        let chart = &chart[..chart.find("</svg>").unwrap()];
        assert_eq!(
            chart.matches("class=\"estimate reference\"").count(),
            30,
            "{metric}"
        );
        let current = chart.matches("class=\"estimate current").count();
        assert_eq!(current, 31, "{metric}");
        // Rings where labels exist and the metric is defined (precision needs a positive
        // decision in the chunk).
        let rings = chart.matches("class=\"realized\"").count();
        assert!(rings > 0 && rings <= 30 + 15, "{metric}: {rings}");
        if metric == "accuracy" {
            assert_eq!(rings, 30 + 15);
        }
        assert!(chart.contains("class=\"band\""));
    }
    let accuracy = &dom[dom.find("id=\"estimate-accuracy\"").unwrap()..];
    let accuracy = &accuracy[..accuracy.find("</svg>").unwrap()];
    assert_eq!(
        accuracy.matches("class=\"estimate current alert\"").count(),
        16
    );
    assert!(dom.contains("id=\"verdict\""));
}
