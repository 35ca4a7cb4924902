//! `seismo test` and `seismo slices find` through the real binary, on the example candidate
//! model (better overall, worse for branch customers) against the signed-off baseline.

use crate::common::*;

/// `seismo test` of the example suite on the candidate, against the baseline, with `extra`.
fn example_suite(extra: &[&str]) -> std::process::Output {
    let (suite, data, baseline) = (
        example("suite.toml"),
        example("candidate.parquet"),
        example("reference.parquet"),
    );
    let mut args = vec![
        "test",
        "--suite",
        path(&suite),
        "--data",
        path(&data),
        "--baseline",
        path(&baseline),
    ];
    args.extend_from_slice(extra);
    seismo(&args)
}

#[test]
fn the_branch_slice_regresses_while_the_overall_metric_improves() {
    let out = example_suite(&["--format", "json"]);
    let report = found_json(&out);
    assert_eq!(report["passed"], false);
    let results = report["results"].as_array().unwrap();
    for r in results {
        for key in [
            "test",
            "slice",
            "metric",
            "value",
            "rows",
            "threshold",
            "outcome",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
    }
    let find = |test: &str| results.iter().find(|r| r["test"] == test).unwrap();
    let overall = find("all.roc_auc");
    assert_eq!(overall["outcome"], "pass");
    assert!(
        overall["value"].as_f64().unwrap() > overall["baseline"].as_f64().unwrap(),
        "overall improves"
    );
    let branch = find("branch.roc_auc");
    assert_eq!(branch["outcome"], "fail");
    assert_eq!(branch["rows"], 753);
    assert!(branch["value"].as_f64().unwrap() < branch["baseline"].as_f64().unwrap() - 0.05);
    assert_eq!(find("branch_not_far_below_overall")["outcome"], "warn");
    // The regression report names the branch slice for ROC AUC while overall improved.
    let regression = report["regressions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["slice"] == "branch" && g["metric"] == "roc_auc")
        .expect("branch in the regressions");
    assert!(regression["overall_delta"].as_f64().unwrap() > 0.0);
    assert!(regression["delta"].as_f64().unwrap() < -0.05);
}

#[test]
fn text_and_junit_reports() {
    let out = example_suite(&[]);
    assert_found(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("roc_auc on branch (753 rows)"), "{text}");
    assert!(text.contains("9 tests: 7 pass, 1 fail, 1 warn"), "{text}");
    let out = example_suite(&["--format", "junit"]);
    let suites = junit_parser::from_reader(std::io::Cursor::new(out.stdout)).expect("JUnit XML");
    assert_eq!(suites.suites[0].cases.len(), 9);
    assert_eq!(suites.suites[0].failures, 1);
}

#[test]
fn small_slices_are_insufficient_data_and_bootstrap_can_be_inconclusive() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite.yaml");
    std::fs::write(
        &suite,
        "task: binary\ntarget: label\nprediction: score\nbootstrap: 300\nseed: 7\nslice:\n  - name: tiny\n    where: \"age > 85\"\n  - name: branch\n    where: \"channel = 'branch'\"\n  - name: seniors\n    where: \"age >= 60\"\ntest:\n  - slice: tiny\n    metric: accuracy\n    min: 0.5\n  - slice: branch\n    metric: roc_auc\n    min: 0.7\n  - slice: seniors\n    metric: roc_auc\n    min: 0.72\n  - slice: all\n    metric: roc_auc\n    min: 0.6\n",
    )
    .unwrap();
    let out = seismo(&[
        "test",
        "--suite",
        path(&suite),
        "--data",
        path(&example("candidate.parquet")),
        "--format",
        "json",
    ]);
    let report = found_json(&out);
    let outcomes: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    // 0.64 on branch: its whole interval is below 0.7. Seniors at 0.722 against 0.72: the
    // interval straddles it. All rows at 0.716: well above 0.6.
    assert_eq!(outcomes, vec!["skipped", "fail", "inconclusive", "pass"]);
    assert!(
        report["results"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("insufficient data")
    );
    let interval = report["results"][2]["interval"].as_array().unwrap();
    assert!(interval[0].as_f64().unwrap() < 0.72 && interval[1].as_f64().unwrap() > 0.72);
}

#[test]
fn bad_suites_are_one_error_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let data = example("candidate.parquet");
    let run = |name: &str, text: &str| {
        let suite = dir.path().join(name);
        std::fs::write(&suite, text).unwrap();
        seismo(&["test", "--suite", path(&suite), "--data", path(&data)])
    };
    let head = "task = \"binary\"\ntarget = \"label\"\nprediction = \"score\"\n";
    assert_bad_input(
        &run(
            "metric.toml",
            &format!("{head}[[test]]\nslice = \"all\"\nmetric = \"auc\"\nmin = 0.5\n"),
        ),
        "metric.toml:6:11: unknown metric `auc`",
    );
    assert_bad_input(
        &run(
            "slice.toml",
            &format!("{head}[[test]]\nslice = \"olds\"\nmetric = \"accuracy\"\nmin = 0.5\n"),
        ),
        "slice.toml:5:10: no slice named `olds`",
    );
    assert_bad_input(
        &run(
            "where.toml",
            &format!("{head}[[slice]]\nname = \"x\"\nwhere = \"agee > 3\"\n"),
        ),
        "where.toml:6:10: `agee > 3`: no column `agee` (did you mean `age`?)",
    );
    assert_bad_input(
        &run(
            "target.toml",
            "task = \"binary\"\ntarget = \"labl\"\nprediction = \"score\"\n",
        ),
        "target.toml:2:11: the target column: the data has no column `labl` (did you mean `label`?)",
    );
    assert_bad_input(
        &run(
            "task.toml",
            "task = \"binary\"\ntarget = \"age\"\nprediction = \"score\"\n",
        ),
        "a binary target is 0 or 1",
    );
    assert_bad_input(
        &run(
            "regression.toml",
            "task = \"regression\"\ntarget = \"income\"\nprediction = \"score\"\n[[test]]\nslice = \"all\"\nmetric = \"roc_auc\"\nmin = 1\n",
        ),
        "`roc_auc` is not a regression metric",
    );
    assert_bad_input(
        &run(
            "nothing.toml",
            &format!("{head}[[test]]\nslice = \"all\"\nmetric = \"accuracy\"\n"),
        ),
        "nothing.toml:4: the test has no threshold",
    );
    let baseline = seismo(&[
        "test",
        "--suite",
        path(&example("suite.toml")),
        "--data",
        path(&data),
        "--baseline",
        path(&example("current.parquet")),
    ]);
    assert_bad_input(&baseline, "has no row in the baseline");
}

#[test]
fn slices_find_surfaces_the_branch_slice_unprompted() {
    let data = example("candidate.parquet");
    let args = [
        "slices",
        "find",
        "--data",
        path(&data),
        "--target",
        "label",
        "--prediction",
        "score",
        "--ignore",
        "id,timestamp,model_version",
    ];
    let out = seismo(&args);
    assert_found(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("where = \"channel = 'branch'\""), "{text}");
    // Against the baseline, branch customers come first.
    let mut with_baseline = args.to_vec();
    let baseline = example("reference.parquet");
    with_baseline.extend([
        "--baseline",
        path(&baseline),
        "--id",
        "id",
        "--format",
        "json",
    ]);
    let out = seismo(&with_baseline);
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found[0]["where"], "channel = 'branch'");
    assert_eq!(found[0]["compared_with"], "baseline");
    assert_eq!(found[0]["rows"], 753);

    // The printed entries are a suite that runs: paste them under a header.
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("found.toml");
    std::fs::write(
        &suite,
        format!("task = \"binary\"\ntarget = \"label\"\nprediction = \"score\"\n{text}"),
    )
    .unwrap();
    let out = seismo(&["test", "--suite", path(&suite), "--data", path(&data)]);
    assert_found(&out);
}

#[test]
fn slices_find_without_labelled_rows_says_so() {
    // Every target value is null: no slice can be judged, which is bad input, not "none found".
    let data = fixture("hostile/all_null.parquet");
    let out = seismo(&[
        "slices",
        "find",
        "--data",
        path(&data),
        "--target",
        "no_float",
        "--prediction",
        "amount",
    ]);
    assert_bad_input(
        &out,
        "no row has both a target (--target no_float) and a prediction",
    );
}

/// `seismo test` of the example suite on `data`, with `extra`.
fn suite_on(data: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let suite = example("suite.toml");
    let mut args = vec!["test", "--suite", path(&suite), "--data", path(data)];
    args.extend_from_slice(extra);
    seismo(&args)
}

/// The churn of a report against the oracle's (scripts/oracles/churn_onnx.py).
fn assert_churn(report: &serde_json::Value, case: &str, tolerance: f64) {
    let text = std::fs::read_to_string(fixture("churn/oracle.json")).unwrap();
    let oracle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let want = oracle[case].as_array().unwrap();
    let got = report["churn"].as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{case}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            (&g["slice"], &g["rows"], &g["changed"]),
            (&w["slice"], &w["rows"], &w["changed"]),
            "{case}"
        );
        for key in ["change_rate", "mean_abs_change"] {
            let (g, w) = (g[key].as_f64().unwrap(), w[key].as_f64().unwrap());
            assert!(
                (g - w).abs() <= tolerance * w.abs().max(1.0),
                "{case} {key}: {g} vs {w}"
            );
        }
    }
}

#[test]
fn churn_against_the_baseline_equals_the_oracles() {
    let report = found_json(&example_suite(&["--format", "json"]));
    assert_churn(&report, "files", 1e-12);
    let text = String::from_utf8(example_suite(&[]).stdout).unwrap();
    assert!(
        text.contains("branch (753 rows): 8.2% of decisions (62 rows)"),
        "{text}"
    );
}

#[test]
fn models_score_the_rows_on_the_fly_as_seismo_score_does() {
    let dir = tempfile::tempdir().unwrap();
    let (suite, data) = (example("suite.toml"), example("current.parquet"));
    let (model, brittle) = (
        example("models/credit_gbm.onnx"),
        example("models/credit_gbm_brittle.onnx"),
    );
    let on_the_fly = suite_on(
        &data,
        &[
            "--model",
            path(&model),
            "--baseline-model",
            path(&brittle),
            "--format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&on_the_fly.stdout).unwrap();
    assert_churn(&report, "models", 1e-6);
    // The same suite on rows scored in a separate step, into the suite's `score` column.
    let scored = dir.path().join("scored.parquet");
    let step = seismo(&[
        "score",
        path(&example("current.csv")),
        "--model",
        path(&model),
        "--output-column",
        "model_score",
        "-o",
        path(&scored),
    ]);
    assert!(
        step.status.success(),
        "{}",
        String::from_utf8_lossy(&step.stderr)
    );
    let suite_text = std::fs::read_to_string(&suite)
        .unwrap()
        .replace("prediction = \"score\"", "prediction = \"model_score\"");
    let renamed = dir.path().join("suite.toml");
    std::fs::write(&renamed, suite_text).unwrap();
    let separate = seismo(&[
        "test",
        "--suite",
        path(&renamed),
        "--data",
        path(&scored),
        "--format",
        "json",
    ]);
    let separate: serde_json::Value = serde_json::from_slice(&separate.stdout).unwrap();
    let values = |r: &serde_json::Value| -> Vec<(String, Option<f64>)> {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["test"].as_str().unwrap().to_owned(), t["value"].as_f64()))
            .collect()
    };
    assert_eq!(values(&report), values(&separate));
}

#[test]
fn model_options_that_do_not_fit_are_one_clear_error() {
    let (suite, data) = (example("suite.toml"), example("current.parquet"));
    let model = example("models/credit_gbm.onnx");
    let out = suite_on(
        &data,
        &["--baseline", path(&data), "--baseline-model", path(&model)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
    assert_bad_input(
        &suite_on(&data, &["--model", path(&suite)]),
        "not an ONNX model",
    );
    assert_bad_input(
        &suite_on(&example("deployments.csv"), &["--model", path(&model)]),
        "column `age` is not in the data",
    );
}
