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

/// A multiclass model end to end: the stats oracle's Segment case
/// (scripts/oracles/cbpe_multiclass_nannyml.py) written as CSV with class names, estimated
/// by the command in chunks of 150 rows with every class calibrated, equal to NannyML.
#[test]
fn a_multiclass_model_from_csv_equals_nannyml() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../stats/tests/fixtures/cbpe_multiclass_nannyml.json"
    );
    let oracle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    let classes: Vec<&str> = oracle["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let write = |side: &str| {
        let v = &oracle[side];
        let mut csv = classes
            .iter()
            .map(|c| format!("p_{c}"))
            .collect::<Vec<_>>()
            .join(",");
        csv.push_str(",decided,label\n");
        let n = v["label"].as_array().unwrap().len();
        for i in 0..n {
            for k in 0..classes.len() {
                csv.push_str(&format!("{},", v["probabilities"][k][i].as_f64().unwrap()));
            }
            let class = |key: &str| classes[v[key][i].as_u64().unwrap() as usize];
            csv.push_str(&format!("{},{}\n", class("predicted"), class("label")));
        }
        let path = dir.path().join(format!("{side}.csv"));
        std::fs::write(&path, csv).unwrap();
        path
    };
    let (reference, current) = (write("reference"), write("analysis"));
    let prediction = classes
        .iter()
        .map(|c| format!("{c}=p_{c}"))
        .collect::<Vec<_>>()
        .join(",");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "estimate",
            "--reference",
            path(&reference),
            "--current",
            path(&current),
            "--prediction",
            &prediction,
            "--target",
            "label",
            "--chunk",
            "150",
            "--calibration",
            "always",
            "--metric",
            "roc_auc,accuracy,precision,recall,f1,specificity",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        report_json(&seismo(&args))
    };
    let report = run(&["--predicted-class", "decided"]);
    assert_eq!(report["classes"].as_array().unwrap().len(), classes.len());
    assert_eq!(
        report["calibrated_classes"].as_array().unwrap().len(),
        classes.len()
    );
    let want = &oracle["cases"]["calibrated"]["metrics"];
    let chunks = report["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 6);
    for (k, c) in chunks.iter().enumerate() {
        for m in [
            "accuracy",
            "precision",
            "recall",
            "f1",
            "specificity",
            "roc_auc",
        ] {
            let tolerance = if m == "roc_auc" { 1e-5 } else { 1e-9 };
            for field in ["estimated", "realized"] {
                let Some(w) = want[m][field][k].as_f64() else {
                    // Undefined in NannyML (a class missing from the chunk's labels).
                    assert!(c[field][m].is_null(), "chunk {k} {m} {field}");
                    continue;
                };
                let got = c[field][m].as_f64().unwrap();
                assert!(
                    (got - w).abs() <= tolerance * w.abs(),
                    "chunk {k} {m} {field}: {got} vs {w}"
                );
            }
        }
    }
    // The predicted class defaults to the class of highest probability: the same here.
    assert_eq!(run(&[]), report);
    // A label that is not a class is refused with its row.
    let bad = dir.path().join("bad.csv");
    let text = std::fs::read_to_string(&current).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let last = lines[3].rsplit_once(',').unwrap().0.to_owned();
    lines[3] = format!("{last},martian");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let out = seismo(&[
        "estimate",
        "--reference",
        path(&reference),
        "--current",
        path(&bad),
        "--prediction",
        &prediction,
        "--target",
        "label",
    ]);
    assert_bad_input(
        &out,
        "row 3, column `label`: `martian` is not one of the classes",
    );
    assert_bad_input(
        &seismo(&[
            "estimate",
            "--reference",
            path(&reference),
            "--current",
            path(&current),
            "--prediction",
            "a=p_a",
            "--target",
            "label",
        ]),
        "two classes or more",
    );
}
