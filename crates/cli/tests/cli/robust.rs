//! `seismo robust` on the bundled credit-risk models: its figures against onnxruntime's on
//! the same perturbed rows (crates/cli/tests/fixtures/robust/onnxruntime.json and
//! pipeline.json, from scripts/oracles/robust_onnx.py), determinism, exit codes and bad input.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{assert_bad_input, example, fixture, found_json, path, seismo, stdout_json};

/// Runs seismo from the repository root, where the oracle's arguments are relative.
fn seismo_at_root(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seismo"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .expect("seismo runs")
}

/// `seismo robust` on the example month with a bundled model (`credit_gbm`, ...), decision
/// threshold 0.3, and `extra`.
fn on_example(model: &str, extra: &[&str]) -> Output {
    let data = example("current.parquet");
    let model = example(&format!("models/{model}.onnx"));
    let mut args = vec![
        "robust",
        path(&data),
        "--model",
        path(&model),
        "--threshold",
        "0.3",
    ];
    args.extend_from_slice(extra);
    seismo(&args)
}

fn close(got: &serde_json::Value, want: &serde_json::Value, what: &str) {
    let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
    assert!((g - w).abs() <= 1e-6, "{what}: seismo {g}, onnxruntime {w}");
}

#[test]
fn flip_rates_changes_and_metric_drops_equal_onnxruntimes_on_the_same_rows() {
    equals_onnxruntime("robust/onnxruntime.json");
}

#[test]
fn category_perturbations_of_a_pipeline_with_string_inputs_equal_onnxruntime() {
    // credit_pipeline.onnx takes country and channel as strings: category swaps, unseen and
    // missing categories, dropout to the mode and invariance change them; noise does not.
    equals_onnxruntime("robust/pipeline.json");
}

/// Runs the oracle's command and compares every figure with the oracle's.
fn equals_onnxruntime(oracle: &str) {
    let text = std::fs::read_to_string(fixture(oracle)).unwrap();
    let oracle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut args: Vec<&str> = oracle["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    args.extend(["--format", "json"]);
    let output = seismo_at_root(&args);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!("{}", String::from_utf8_lossy(&output.stderr));
    });
    let got = report["perturbations"].as_array().unwrap();
    let want = oracle["perturbations"].as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        let name = w["name"].as_str().unwrap();
        assert_eq!(g["name"], w["name"]);
        assert_eq!(g["flipped"], w["flipped"], "{name}: flips");
        for key in [
            "flip_rate",
            "invalid_rate",
            "mean_abs_change",
            "p99_abs_change",
        ] {
            if w[key].is_null() {
                assert!(g[key].is_null(), "{name}: {key}");
            } else {
                close(&g[key], &w[key], &format!("{name}: {key}"));
            }
        }
        for (gm, wm) in g["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .zip(w["metrics"].as_array().unwrap())
        {
            assert_eq!(gm["metric"], wm["metric"]);
            for key in ["original", "perturbed"] {
                close(
                    &gm[key],
                    &wm[key],
                    &format!("{name}: {} {key}", wm["metric"]),
                );
            }
        }
        for (gs, ws) in g["slices"]
            .as_array()
            .unwrap()
            .iter()
            .zip(w["slices"].as_array().unwrap())
        {
            assert_eq!((&gs["slice"], &gs["rows"]), (&ws["slice"], &ws["rows"]));
            close(
                &gs["flip_rate"],
                &ws["flip_rate"],
                &format!("{name}: {}", ws["slice"]),
            );
            // A slice's ROC AUC may differ by one tied pair out of its positive × negative
            // pairs: tract and onnxruntime sum a tree ensemble's float32 votes in different
            // orders, so two rows tie in one and differ by an ulp in the other (7.3e-6 on
            // 776 rows, docs/robustness.md).
            for (gm, wm) in gs["metrics"]
                .as_array()
                .unwrap()
                .iter()
                .zip(ws["metrics"].as_array().unwrap())
            {
                for key in ["original", "perturbed"] {
                    let (g, w) = (gm[key].as_f64().unwrap(), wm[key].as_f64().unwrap());
                    assert!(
                        (g - w).abs() <= 1e-5,
                        "{name}: {} {} {key}: seismo {g}, onnxruntime {w}",
                        ws["slice"],
                        wm["metric"]
                    );
                }
            }
        }
    }
}

#[test]
fn the_brittle_model_fails_the_scan_and_the_sturdy_one_passes() {
    let run = |model: &str| on_example(model, &["--format", "json"]);
    let sturdy = stdout_json(&run("credit_gbm"));
    assert_eq!(sturdy["passed"], true);
    let brittle = found_json(&run("credit_gbm_brittle"));
    let names: Vec<&str> = brittle["perturbations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "gaussian:0.1",
            "multiply:0.01",
            "missing:0.05",
            "category:0.1"
        ]
    );
    let gaussian = &brittle["perturbations"][0];
    assert_eq!(gaussian["passed"], false);
    assert!(gaussian["flip_rate"].as_f64().unwrap() > 0.10, "{gaussian}");
}

#[test]
fn the_same_seed_gives_the_same_bytes_on_any_thread_count() {
    let data = example("current.parquet");
    let model = example("models/credit_gbm_brittle.onnx");
    let run = |threads: &str, seed: &str| {
        let args = [
            "robust",
            path(&data),
            "--model",
            path(&model),
            "--seed",
            seed,
            "--threads",
            threads,
            "--perturb",
            "gaussian:0.1",
            "--perturb",
            "missing:0.1",
            "--perturb",
            "adversarial:0.05@income",
            "--format",
            "json",
        ];
        Command::new(env!("CARGO_BIN_EXE_seismo"))
            .args(args)
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1", "3");
    assert!(!one.is_empty());
    assert_eq!(one, run("3", "3"));
    assert_ne!(one, run("1", "4"), "another seed draws other noise");
}

#[test]
fn a_regressor_reports_changes_without_flips_and_dropout_names_each_feature() {
    let data = example("current.csv");
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../model/tests/fixtures/models/gbm_regressor.onnx");
    let args = [
        "robust",
        path(&data),
        "--model",
        path(&model),
        "--features",
        "age,income,credit_score,tenure_months,num_products,balance,utilization",
        "--perturb",
        "dropout",
        "--target",
        "credit_score",
        "--max-mean-change",
        "5",
        "--format",
        "json",
    ];
    let report = found_json(
        &Command::new(env!("CARGO_BIN_EXE_seismo"))
            .args(args)
            .output()
            .unwrap(),
    );
    assert_eq!(report["task"], "regression");
    let outcomes = report["perturbations"].as_array().unwrap();
    assert_eq!(outcomes.len(), 7);
    assert_eq!(outcomes[2]["name"], "dropout@credit_score");
    assert!(outcomes.iter().all(|o| o["flip_rate"].is_null()));
    // The regressor fits credit_score from itself: without it, its predictions move most.
    let change = |o: &serde_json::Value| o["mean_abs_change"].as_f64().unwrap();
    assert!(outcomes.iter().all(|o| change(o) <= change(&outcomes[2])));
    assert_eq!(outcomes[2]["passed"], false);
    assert_eq!(outcomes[2]["metrics"][0]["metric"], "rmse");
    assert!(outcomes[2]["metrics"][0]["drop"].as_f64().unwrap() > 0.0);
}

#[test]
fn bad_perturbations_options_and_columns_are_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = example("current.parquet");
    let model = example("models/credit_gbm.onnx");
    let run = |extra: &[&str]| {
        let mut args = vec!["robust", path(&data), "--model", path(&model)];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_seismo"))
            .args(&args)
            .output()
            .unwrap()
    };
    let cases: [(&[&str], &str); 17] = [
        (&["--perturb", "gausian:0.1"], "unknown kind `gausian`"),
        (&["--perturb", "gaussian"], "needs an amount"),
        (&["--perturb", "gaussian:abc"], "`abc` is not a number"),
        (&["--perturb", "missing:1.5"], "between 0 and 1"),
        (&["--perturb", "round:0.5"], "whole number"),
        (&["--perturb", "dropout:1"], "dropout takes no amount"),
        (
            &["--perturb", "gaussian:0.1@wage"],
            "`wage` is not a feature",
        ),
        (&["--perturb", "gaussian:0.1@"], "empty column name"),
        (
            &["--target", "default"],
            "column `default` is not in the data",
        ),
        (&["--by", "region"], "column `region` is not in the data"),
        (&["--metric", "auc"], "--metric: auc: unknown metric"),
        (&["--threshold", "30"], "--threshold"),
        (&["--reference", "Cargo.toml"], "Cargo.toml"),
        (&["--perturb", "invariance@income"], "`income` is not one"),
        (&["--perturb", "invariance"], "needs the features it tests"),
        (&["--perturb", "decreases:-2@income"], "above -1"),
        (&["--tolerance=-1"], "--tolerance"),
    ];
    for (args, needle) in cases {
        assert_bad_input(&run(args), needle);
    }
    let dump = dir.path().join("dump");
    let out = dir.path().join("report.json");
    assert_bad_input(
        &run(&[
            "--perturb",
            "nope:1",
            "--dump-perturbed",
            path(&dump),
            "-o",
            path(&out),
        ]),
        "unknown kind",
    );
    assert!(
        !out.exists() && !dump.exists(),
        "nothing is written on an error"
    );
}

#[test]
fn dumped_rows_are_what_the_model_saw() {
    let dir = tempfile::tempdir().unwrap();
    let data = example("current.parquet");
    let model = example("models/credit_gbm.onnx");
    let args = [
        "robust",
        path(&data),
        "--model",
        path(&model),
        "--perturb",
        "dropout@income",
        "--perturb",
        "round:-3@balance",
        "--dump-perturbed",
        path(dir.path()),
    ];
    let output = Command::new(env!("CARGO_BIN_EXE_seismo"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.code().unwrap() < 2,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Read the dumps back through `seismo score`, which writes them as CSV.
    let column = |file: &str, name: &str| -> Vec<f64> {
        let scored = dir.path().join(format!("{file}.csv"));
        let score = Command::new(env!("CARGO_BIN_EXE_seismo"))
            .args([
                "score",
                path(&dir.path().join(file)),
                "--model",
                path(&model),
                "-o",
                path(&scored),
            ])
            .output()
            .unwrap();
        assert!(
            score.status.success(),
            "{}",
            String::from_utf8_lossy(&score.stderr)
        );
        let csv = std::fs::read_to_string(&scored).unwrap();
        let mut lines = csv.lines();
        let at = lines
            .next()
            .unwrap()
            .split(',')
            .position(|h| h == name)
            .unwrap();
        lines
            .map(|l| l.split(',').nth(at).unwrap().parse().unwrap())
            .collect()
    };
    let original = column("original.parquet", "income");
    assert_eq!(original.len(), 5000);
    // dropout@income: one income for every row, the median.
    let mut sorted = original.clone();
    sorted.sort_by(f64::total_cmp);
    let median = (sorted[2499] + sorted[2500]) / 2.0;
    let dropped = column("00.parquet", "income");
    assert!(
        dropped.iter().all(|v| (*v - median).abs() <= median * 1e-7),
        "{} vs {median}",
        dropped[0]
    );
    // round:-3@balance: whole thousands.
    assert!(
        column("01.parquet", "balance")
            .iter()
            .all(|v| v % 1000.0 == 0.0)
    );
}

#[test]
fn invariance_and_directional_expectations_judge_each_row() {
    let run = |model: &str| {
        let extra = [
            "--perturb",
            "invariance@num_products",
            "--perturb",
            "decreases:0.1@income",
            "--tolerance",
            "1",
            "--format",
            "json",
        ];
        serde_json::from_slice::<serde_json::Value>(&on_example(model, &extra).stdout).unwrap()
    };
    let sturdy = run("credit_gbm");
    let brittle = run("credit_gbm_brittle");
    let rate =
        |r: &serde_json::Value, k: usize| r["perturbations"][k]["flip_rate"].as_f64().unwrap();
    // num_products swapped for each of its other values: the brittle model changes more
    // decisions (the oracle test checks the counts against onnxruntime).
    assert!(rate(&brittle, 0) > 5.0 * rate(&sturdy, 0), "{brittle}");
    // A tolerance of 1 on a probability: no row can violate it.
    assert_eq!(rate(&sturdy, 1), 0.0);
    assert_eq!(brittle["perturbations"][1]["kind"], "decreases");
}

#[test]
fn junit_and_html_reports_render_offline() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["--by", "channel"];
        args.extend_from_slice(extra);
        on_example("credit_gbm_brittle", &args)
    };
    let xml = String::from_utf8(run(&["--format", "junit"]).stdout).unwrap();
    assert!(xml.contains("tests=\"4\" failures=\"3\""), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 4);
    let page = dir.path().join("robust.html");
    let html = run(&["--format", "html", "-o", path(&page)]);
    assert_eq!(
        html.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&html.stderr)
    );
    let text = std::fs::read_to_string(&page).unwrap();
    assert!(
        text.match_indices("http")
            .all(|(i, _)| text[i..].starts_with("http://www.w3.org/2000/svg")),
        "nothing is fetched"
    );
    let Some(chromium) = crate::common::chromium() else {
        return;
    };
    let dom = crate::common::dump_dom(
        &chromium,
        &format!("file://{}", page.display()),
        &dir.path().join("profile"),
    );
    // One chart of every perturbation, one per perturbation of its slices.
    assert_eq!(dom.matches("<svg").count(), 1 + 4);
    assert_eq!(dom.matches("class=\"bar fail\"").count(), 3 + 3 * 3);
    assert!(dom.contains("3 failed."));
}

#[test]
fn a_suite_sets_each_perturbations_limit_and_names_its_mistakes() {
    let suite = example("robust.toml");
    let run = |model: &str| on_example(model, &["--suite", path(&suite), "--format", "json"]);
    let sturdy = stdout_json(&run("credit_gbm"));
    let brittle = found_json(&run("credit_gbm_brittle"));
    let outcomes = brittle["perturbations"].as_array().unwrap();
    assert_eq!(outcomes.len(), 6);
    assert!(outcomes.iter().all(|o| o["passed"] == false));
    assert_eq!(sturdy["seed"], 7);
    assert_eq!(sturdy["perturbations"][0]["max_flip_rate"], 0.03);
    assert_eq!(sturdy["perturbations"][3]["max_flip_rate"], 0.05);
    assert_eq!(sturdy["perturbations"][4]["name"], "num_products-blind");
    // The suite's `by` and `target`: slices and metric drops.
    assert_eq!(
        sturdy["perturbations"][0]["slices"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        sturdy["perturbations"][0]["metrics"][0]["metric"],
        "roc_auc"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "seed = 1\n\n[[perturbation]]\nspec = \"gaussian:0.1@wage\"\n",
    )
    .unwrap();
    assert_bad_input(
        &on_example("credit_gbm", &["--suite", path(&bad)]),
        "bad.toml:4:9: perturbation `gaussian:0.1@wage`",
    );
    std::fs::write(
        &bad,
        "[[perturbation]]\nspec = \"missing:0.1\"\nmax_flips = 1\n",
    )
    .unwrap();
    assert_bad_input(
        &on_example("credit_gbm", &["--suite", path(&bad)]),
        "bad.toml:3",
    );
    let clash = on_example(
        "credit_gbm",
        &["--suite", path(&suite), "--perturb", "missing:0.1"],
    );
    assert_eq!(clash.status.code(), Some(2));
}

#[test]
fn noise_named_on_a_string_input_is_refused_and_the_default_scan_leaves_strings_to_swaps() {
    let refused = on_example("credit_pipeline", &["--perturb", "gaussian:0.1@country"]);
    assert_bad_input(
        &refused,
        "`country` takes strings; gaussian changes numbers",
    );
    let output = on_example(
        "credit_pipeline",
        &[
            "--perturb",
            "gaussian:0.1",
            "--perturb",
            "category:0.1",
            "--format",
            "json",
        ],
    );
    let report = stdout_json(&output);
    let columns = |k: usize| -> Vec<String> {
        report["perturbations"][k]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        !columns(0).contains(&"country".to_string()),
        "{:?}",
        columns(0)
    );
    assert!(
        columns(1).contains(&"country".to_string()),
        "{:?}",
        columns(1)
    );
    assert!(
        columns(1).contains(&"channel".to_string()),
        "{:?}",
        columns(1)
    );
}

#[test]
fn a_slice_is_held_to_its_own_metric_limit() {
    let dir = tempfile::tempdir().unwrap();
    let suite = |limits: &str| {
        let file = dir.path().join("suite.toml");
        std::fs::write(
            &file,
            format!(
                "target = \"label\"\nby = \"channel\"\nthreshold = 0.3\nseed = 7\n\n[[perturbation]]\nspec = \"gaussian:0.1\"\nmax_flip_rate = 0.5\n{limits}\n"
            ),
        )
        .unwrap();
        on_example("credit_gbm", &["--suite", path(&file)])
    };
    // Over all rows ROC AUC drops by 0.005; for the 779 branch customers by 0.031.
    let overall_only = suite("max_metric_drop = 0.02\nmax_slice_metric_drop = 0.05");
    assert_eq!(overall_only.status.code(), Some(0));
    let strict_slices = suite("max_metric_drop = 0.02\nmax_slice_metric_drop = 0.02");
    assert_eq!(strict_slices.status.code(), Some(1));
    let text = String::from_utf8_lossy(&strict_slices.stdout);
    assert!(
        text.contains("slice channel=branch: roc_auc drop 0.0309 > 0.02"),
        "{text}"
    );
    // Unset, a slice's limit is the overall one.
    let inherited = suite("max_metric_drop = 0.02");
    assert_eq!(inherited.status.code(), Some(1));
}
