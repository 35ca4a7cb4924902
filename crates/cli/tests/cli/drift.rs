//! `seismo drift` on the bundled example data, forced tests, schema findings and bad input.

use crate::common::*;
use serde_json::Value;

fn drift_json(extra: &[&str]) -> (Value, Option<i32>) {
    let (r, c) = (example("reference.parquet"), example("current.parquet"));
    let mut args = vec![
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--prediction",
        "score",
        "--target",
        "label",
        "--ignore",
        "id,timestamp,model_version",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = seismo(&args);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code(),
    )
}

/// `seismo drift` of two files with extra flags.
fn drift_files(
    reference: &std::path::Path,
    current: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let args = [
        "drift",
        "--reference",
        path(reference),
        "--current",
        path(current),
    ];
    seismo(&[&args[..], extra].concat())
}

fn drifted(report: &Value) -> Vec<String> {
    report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["drifted"] == true)
        .map(|c| c["column"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn example_data_drifts_in_income_and_the_prediction_only() {
    let (report, code) = drift_json(&[]);
    let mut found = drifted(&report);
    found.sort();
    assert_eq!(found, ["income", "score"]);
    assert_eq!(report["prediction_drift"], true);
    assert_eq!(report["target_drift"], false);
    assert_eq!(report["dataset_drift"], false);
    assert_eq!(
        code,
        Some(1),
        "one drifted feature of ten is not dataset drift, but the shifted prediction fails"
    );
    assert_eq!(report["features"], 10);
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["column"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["id", "timestamp", "model_version"]);
    for c in report["columns"].as_array().unwrap() {
        for key in [
            "column",
            "kind",
            "role",
            "test",
            "statistic",
            "p_value",
            "threshold",
            "drifted",
        ] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
}

#[test]
fn the_example_config_sets_roles_and_a_column_test() {
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
        "json",
    ]);
    // The prediction moved 54 reference standard deviations: the gate fails by default.
    let report = found_json(&out);
    let mut found = drifted(&report);
    found.sort();
    assert_eq!(found, ["income", "score"]);
    let credit = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "credit_score")
        .unwrap();
    assert_eq!(
        (credit["test"].as_str(), credit["threshold"].as_f64()),
        (Some("psi"), Some(0.2))
    );
    // A flag wins over the file.
    let out = seismo(&[
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--drift-share",
        "0.1",
    ]);
    assert_found(&out);
}

#[test]
fn fail_on_chooses_what_fails_the_run() {
    // The example: one feature of ten drifted (no dataset drift), the prediction drifted, the
    // target did not.
    let code = |fail_on: &str| drift_json(&["--fail-on", fail_on]).1;
    assert_eq!(code("dataset"), Some(0));
    assert_eq!(code("prediction"), Some(1));
    assert_eq!(code("target"), Some(0));
    assert_eq!(code("any"), Some(1));
    assert_eq!(code("none"), Some(0));
    assert_eq!(code("dataset,target"), Some(0));
    assert_eq!(code("target,prediction"), Some(1));
    // In the settings file too; the flag wins over it.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("drift.toml");
    std::fs::write(&config, "fail_on = [\"dataset\"]\n").unwrap();
    assert_eq!(
        drift_json(&["--config", path(&config)]).1,
        Some(0),
        "the file says dataset only"
    );
    assert_eq!(
        drift_json(&["--config", path(&config), "--fail-on", "any"]).1,
        Some(1)
    );
    std::fs::write(&config, "fail_on = [\"datset\"]\n").unwrap();
    let (r, c) = (example("reference.parquet"), example("current.parquet"));
    let out = drift_files(&r, &c, &["--config", path(&config)]);
    assert_bad_input(&out, "unknown variant `datset`");
    let out = drift_files(&r, &c, &["--fail-on", "everything"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown fail-on condition"));
}

#[test]
fn signed_zeros_are_one_value() {
    // Issue 13: reference [0.0]*50 + [1.0]*50, current [-0.0]*50 + [1.0]*60. scipy:
    // ks_2samp D = 0.0454545, p = 0.999613; mannwhitneyu U = 5250, p = 0.511943.
    let (r, c) = (
        fixture("hostile/zeros_reference.parquet"),
        fixture("hostile/zeros_current.parquet"),
    );
    let run = |test: &str| {
        let out = drift_files(
            &r,
            &c,
            &[
                "--numeric-test",
                test,
                "--ignore",
                "channel",
                "--format",
                "json",
            ],
        );
        let report = stdout_json(&out);
        let x = report["columns"][0].clone();
        (x["statistic"].as_f64().unwrap(), x["p_value"].as_f64())
    };
    let (d, p) = run("ks");
    assert!(close(d, 1.0 / 22.0, 1e-12), "{d}");
    assert!(close(p.unwrap(), 0.999_613, 1e-5), "{p:?}");
    let (u, p) = run("mann_whitney");
    assert_eq!(u, 5250.0);
    assert!(close(p.unwrap(), 0.511_943_5, 1e-6), "{p:?}");
    // A few-valued column: the default test compares value counts, with one zero.
    let out = drift_files(&r, &c, &["--ignore", "channel", "--format", "json"]);
    let report = stdout_json(&out);
    assert_eq!(report["columns"][0]["drifted"], false, "{report}");
}

#[test]
fn nested_and_all_null_columns_are_skipped_with_the_reason() {
    let (nested, nulls) = (
        fixture("hostile/nested.parquet"),
        fixture("hostile/all_null.parquet"),
    );
    let out = drift_files(&nested, &nested, &["--format", "json"]);
    let report = stdout_json(&out);
    let skipped: Vec<(String, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["column"].as_str().unwrap().into(),
                s["reason"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            ("point", "nested (struct) columns are not analysed"),
            ("tags", "nested (list) columns are not analysed"),
            ("attrs", "nested (map) columns are not analysed"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(report["features"], 2);
    let out = drift_files(&nulls, &nulls, &["--format", "json"]);
    let report = stdout_json(&out);
    let reasons: Vec<String> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s["column"].as_str().unwrap(),
                s["reason"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("nothing: every value is null")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r == "no_float: no values on either side: every value is null"),
        "an all-null float column is skipped with the reason: {reasons:?}"
    );
}

#[test]
fn a_lower_share_makes_it_dataset_drift_with_exit_code_1() {
    let (report, code) = drift_json(&["--drift-share", "0.1"]);
    assert_eq!(report["dataset_drift"], true);
    assert_eq!(code, Some(1));
}

#[test]
fn forced_tests_are_the_kernels_on_the_same_columns() {
    use seismo_stats::two_sample::{KsMethod, ks_2samp};
    let (report, _) = drift_json(&["--numeric-test", "ks", "--categorical-test", "chi2"]);
    let column = |name: &str| {
        report["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["column"] == name)
            .unwrap()
            .clone()
    };
    let age = column("age");
    assert_eq!(age["test"], "ks");
    // The same KS on the same column, read independently.
    let read = |file: &str| {
        let dataset = seismo_io::read_dataset(example(file), &Default::default()).unwrap();
        let index = dataset.arrow_schema().index_of("age").unwrap();
        dataset
            .batches()
            .iter()
            .flat_map(|b| seismo_stats::values::numeric_values(b.column(index).as_ref()).unwrap())
            .collect::<Vec<f64>>()
    };
    let direct = ks_2samp(
        &read("reference.parquet"),
        &read("current.parquet"),
        KsMethod::Auto,
    )
    .unwrap();
    assert_eq!(age["statistic"].as_f64().unwrap(), direct.statistic);
    assert_eq!(age["p_value"].as_f64().unwrap(), direct.p_value);
    assert_eq!(column("country")["test"], "chi2");
    // Every test name is accepted where it applies; tests for numbers skip categorical columns.
    // (Their values against scipy are the drift crate's test; here, the flags reach it.)
    use seismo_drift::{ALL_TESTS, TestName};
    let forced = ALL_TESTS
        .into_iter()
        .filter(|t| !matches!(t, TestName::Chi2 | TestName::Mmd));
    for test in forced.map(TestName::as_str) {
        let (report, _) = drift_json(&["--numeric-test", test, "--categorical-test", test]);
        let tested = report["columns"].as_array().unwrap().len()
            + report["skipped"].as_array().unwrap().len();
        assert_eq!(
            tested, 15,
            "{test}: every column is tested or skipped with a reason"
        );
        assert!(
            report["columns"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["test"] == test),
            "{test}"
        );
    }
    let (report, _) = drift_json(&["--correction", "holm", "--numeric-test", "ks"]);
    for c in report["columns"].as_array().unwrap() {
        // Every p-value is adjusted, never below itself; distances have none to adjust.
        match c["p_value"].as_f64() {
            Some(p) => assert!(
                c["adjusted_p_value"].as_f64().is_some_and(|q| q >= p),
                "{c}"
            ),
            None => assert!(c.get("adjusted_p_value").is_none(), "{c}"),
        }
    }
}

#[test]
fn schema_differences_are_findings_not_silence() {
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = (dir.path().join("r.csv"), dir.path().join("c.csv"));
    std::fs::write(&r, "a,b,c\n1,x,1\n2,y,2\n3,x,3\n").unwrap();
    std::fs::write(&c, "a,b,d\n1,x,5\n2,y,6\n4,z,7\n").unwrap();
    let out = seismo(&[
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--format",
        "json",
        "--type",
        "b=categorical",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<(String, String)> = report["schema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["column"].as_str().unwrap().to_owned(),
                f["finding"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            ("c".to_owned(), "missing_in_current".to_owned()),
            ("d".to_owned(), "missing_in_reference".to_owned())
        ]
    );
    std::fs::write(&c, "a,b,c\nx,x,1\ny,y,2\n").unwrap();
    let out = seismo(&[
        "drift",
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schema"][0]["finding"], "kind_changed");
    assert_eq!(report["schema"][0]["column"], "a");
}

#[test]
fn bad_drift_input_is_exit_code_2() {
    let (r, c) = (example("reference.parquet"), example("current.parquet"));
    let (r, c) = (r.to_str().unwrap(), c.to_str().unwrap());
    assert_bad_input(
        &seismo(&[
            "drift",
            "--reference",
            r,
            "--current",
            c,
            "--prediction",
            "nope",
        ]),
        "--prediction nope",
    );
    assert_bad_input(
        &seismo(&[
            "drift",
            "--reference",
            r,
            "--current",
            c,
            "--drift-share",
            "0",
        ]),
        "--drift-share",
    );
    assert_bad_input(
        &seismo(&["drift", "--reference", r, "--current", c, "--threshold=-1"]),
        "--threshold",
    );
    assert_bad_input(
        &seismo(&["drift", "--reference", r, "--current", c, "--ignore", "zzz"]),
        "--ignore zzz",
    );
    assert_bad_input(
        &seismo(&["drift", "--reference", r, "--current", "/no/such.parquet"]),
        "no such file",
    );
    let out = seismo(&[
        "drift",
        "--reference",
        r,
        "--current",
        c,
        "--numeric-test",
        "kolmogorov",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ks chi2 z"));
}

#[test]
fn a_saved_profile_can_be_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("reference.profile.json");
    let out = seismo(&[
        "profile",
        example("reference.parquet").to_str().unwrap(),
        "--save",
        saved.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let (c, config) = (example("current.parquet"), example("drift.toml"));
    let run = |extra: &[&str]| -> Value {
        let mut args = vec![
            "drift",
            "--reference",
            saved.to_str().unwrap(),
            "--current",
            c.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = seismo(&args);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let report = run(&[]);
    assert_eq!(report["reference_is_profile"], true);
    let mut found = drifted(&report);
    found.sort();
    assert_eq!(
        found,
        ["income", "score"],
        "the same findings as from the data"
    );
    for column in report["columns"].as_array().unwrap() {
        assert_eq!(
            column["from_sketches"] == true,
            column["kind"] == "numeric",
            "{column}"
        );
    }
    // Forced KS gives a statistic close to the exact one and a p-value.
    let report = run(&["--numeric-test", "ks"]);
    let age = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "age")
        .unwrap();
    let exact: Value = serde_json::from_slice(
        &std::fs::read(fixture("../../../drift/tests/fixtures/scipy_forced.json")).unwrap(),
    )
    .unwrap();
    let d = exact["age"]["ks"][0].as_f64().unwrap();
    assert!(
        (age["statistic"].as_f64().unwrap() - d).abs() <= 0.0145,
        "{age} vs exact {d}"
    );
    assert!(age["p_value"].as_f64().is_some());
    // A test sketches cannot answer is skipped with the reason.
    let report = run(&["--numeric-test", "t_test"]);
    let reasons: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("cannot run from a saved profile")),
        "{reasons:?}"
    );
}

#[test]
fn new_and_vanished_values_are_named_with_their_counts() {
    // The reference has channel web/branch/phone; the current data web/branch/kiosk.
    let (r, c) = (
        fixture("hostile/zeros_reference.parquet"),
        fixture("hostile/zeros_current.parquet"),
    );
    let run = |format: &str| drift_files(&r, &c, &["--format", format]);
    let report = found_json(&run("json"));
    let channel = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "channel")
        .unwrap();
    assert_eq!(
        channel["new_values"],
        serde_json::json!([{"value": "kiosk", "count": 10}])
    );
    assert_eq!(
        channel["missing_values"],
        serde_json::json!([{"value": "phone", "count": 10}])
    );
    // x holds 0 and 1 on both sides (signed zeros are one value): nothing new, and as
    // Evidently decides on both samples' distinct values, two values get the z-test.
    let x = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "x")
        .unwrap();
    assert!(
        x.get("new_values").is_none() && x.get("missing_values").is_none(),
        "{x}"
    );
    assert_eq!(x["test"], "z");
    let text = String::from_utf8(run("text").stdout).unwrap();
    assert!(
        text.contains("new values in channel: kiosk (10)\nmissing values in channel: phone (10)\n"),
        "{text}"
    );
    let html = String::from_utf8(run("html").stdout).unwrap();
    assert!(html.contains("New values in channel: kiosk (10)"), "{html}");
}

#[test]
fn a_few_valued_numeric_column_is_judged_on_both_samples_values() {
    // 5 values in the reference, 8 in the current data: more than 5 together, so `ks` (as
    // Evidently), not `chi2` on the reference's 5 values.
    let dir = tempfile::tempdir().unwrap();
    let (r, c) = (dir.path().join("r.csv"), dir.path().join("c.csv"));
    let column = |values: &[u32], n: usize| {
        "v\n".to_owned()
            + &(0..n)
                .map(|i| values[i % values.len()].to_string())
                .collect::<Vec<_>>()
                .join("\n")
    };
    std::fs::write(&r, column(&[1, 2, 3, 4, 5], 100)).unwrap();
    std::fs::write(&c, column(&[1, 2, 3, 4, 5, 6, 7, 8], 100)).unwrap();
    let out = drift_files(&r, &c, &["--format", "json", "--fail-on", "none"]);
    let report = stdout_json(&out);
    assert_eq!(report["columns"][0]["test"], "ks", "{report}");
    assert!(report["columns"][0].get("new_values").is_none());
}

#[test]
fn multivariate_mmd_finds_the_joint_drift_that_every_column_misses() {
    let dir = tempfile::tempdir().unwrap();
    let reference = example("reference.parquet");
    let joint = example("joint.parquet");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<&str> = vec![
            "drift",
            "--reference",
            path(&reference),
            "--current",
            path(&joint),
            "--prediction",
            "score",
            "--target",
            "label",
            "--ignore",
            "id,timestamp,model_version",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect()
    };
    let seismo = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        seismo(&args)
    };
    // Per column: nothing, exit 0.
    let plain = seismo(args(&[]));
    assert_eq!(plain.status.code(), Some(0));
    // Together: drifted, exit 1, in text, JSON and HTML.
    let text = seismo(args(&["--multivariate", "mmd"]));
    assert_eq!(text.status.code(), Some(1));
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("Multivariate drift (mmd of 12 columns together): YES"),
        "{out}"
    );
    let report = found_json(&seismo(args(&[
        "--multivariate",
        "mmd",
        "--format",
        "json",
    ])));
    let m = &report["multivariate"];
    assert_eq!(m["method"], "mmd");
    assert_eq!(m["drifted"], true);
    assert!(m["p_value"].as_f64().unwrap() < 0.05);
    assert!(m["statistic"].as_f64().unwrap() > m["threshold"].as_f64().unwrap());
    assert_eq!(
        report["dataset_drift"], false,
        "no column drifted on its own"
    );
    let html = dir.path().join("drift.html");
    let output = seismo(args(&[
        "--multivariate",
        "mmd",
        "--format",
        "html",
        "-o",
        path(&html),
    ]));
    assert_eq!(output.status.code(), Some(1));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("id=\"multivariate\""),
        "the HTML report shows it"
    );
    // Without --multivariate the JSON has no such section.
    assert!(found_json_or_clean(&seismo(args(&["--format", "json"])))["multivariate"].is_null());
}

fn found_json_or_clean(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn multivariate_needs_the_reference_rows_not_a_saved_profile() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("reference.profile.json");
    let output = seismo(&[
        "profile",
        path(&example("reference.parquet")),
        "--save",
        path(&saved),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let refused = seismo(&[
        "drift",
        "--reference",
        path(&saved),
        "--current",
        path(&example("joint.parquet")),
        "--multivariate",
        "mmd",
    ]);
    assert_bad_input(
        &refused,
        "--multivariate compares rows, so it needs the reference data",
    );
    let bad = drift_on_joint(&["--multivariate", "pca"]);
    // A usage error from the argument parser: exit 2, naming the value and the choices.
    assert_eq!(bad.status.code(), Some(2));
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(
        message.contains("'pca'") && message.contains("mmd"),
        "{message}"
    );
}

/// `seismo drift` between the example month and the join bug, with `extra` flags.
fn drift_on_joint(extra: &[&str]) -> std::process::Output {
    drift_files(
        &example("reference.parquet"),
        &example("joint.parquet"),
        extra,
    )
}

/// `seismo drift --multivariate method --format json` between the example month and the
/// join bug, the prediction and target named, with `extra` flags.
fn joint_drift(method: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "--prediction",
        "score",
        "--target",
        "label",
        "--ignore",
        "id,timestamp,model_version",
        "--multivariate",
        method,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    drift_on_joint(&args)
}

#[test]
fn multivariate_reconstruction_alerts_per_chunk_and_names_the_residuals() {
    let run = |extra: &[&str]| {
        let output = joint_drift("reconstruction", extra);
        (
            serde_json::from_slice::<Value>(&output.stdout).unwrap_or(Value::Null),
            output.status.code(),
        )
    };
    // The join bug: every chunk of 500 rows lies beyond the reference's spread; exit 1.
    let (report, code) = run(&[]);
    let m = &report["multivariate"];
    assert_eq!(m["method"], "reconstruction");
    assert_eq!(m["chunk_size"], 500, "a tenth of the reference by default");
    assert_eq!(m["chunks"].as_array().unwrap().len(), 10);
    assert_eq!(m["drifted"], true);
    assert_eq!(code, Some(1));
    assert!(m["statistic"].as_f64().unwrap() > m["upper_threshold"].as_f64().unwrap());
    // --chunk-size sets the chunks of both datasets.
    let (report, _) = run(&["--chunk-size", "1000"]);
    assert_eq!(
        report["multivariate"]["chunks"].as_array().unwrap().len(),
        5
    );
    assert_eq!(
        report["multivariate"]["reference_chunks"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let (_, code) = run(&["--chunk-size", "1"]);
    assert_eq!(code, Some(2), "chunks of one row are refused");
    // Columns are encoded and the components fitted on threads: the same report on one
    // thread and on two.
    assert_eq!(run(&["--threads", "1"]), run(&["--threads", "2"]));
}

#[test]
fn multivariate_classifier_sees_the_join_bug_and_names_its_columns() {
    let run = |extra: &[&str]| {
        let output = joint_drift("classifier", extra);
        (output.stdout, output.stderr, output.status.code())
    };
    // The join bug: every column's own test passes; the forest tells the months apart by the
    // two columns the join decoupled.
    let (stdout, _, code) = run(&[]);
    let report: Value = serde_json::from_slice(&stdout).unwrap();
    let m = &report["multivariate"];
    assert_eq!(m["method"], "classifier");
    assert_eq!(report["dataset_drift"], false);
    assert_eq!(m["drifted"], true);
    assert_eq!(code, Some(1));
    assert!(m["statistic"].as_f64().unwrap() > m["threshold"].as_f64().unwrap());
    assert_eq!(m["threshold"], 0.65);
    assert_eq!(
        (m["reference_rows"].as_u64(), m["current_rows"].as_u64()),
        (Some(5000), Some(5000))
    );
    let top: Vec<&str> = m["importances"].as_array().unwrap()[..2]
        .iter()
        .map(|i| i["column"].as_str().unwrap())
        .collect();
    assert!(
        top.contains(&"credit_score") && top.contains(&"score"),
        "{top:?}"
    );
    // The same bytes on one thread and on two; another seed, another draw.
    let (again, _, _) = run(&["--threads", "1"]);
    let (two, _, _) = run(&["--threads", "2"]);
    assert_eq!(again, two);
    assert_eq!(stdout, two);
    // A threshold above the AUC: no joint drift, exit 0.
    let (stdout, _, code) = run(&["--auc-threshold", "0.9"]);
    let report: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(report["multivariate"]["drifted"], false);
    assert_eq!(code, Some(0));
    // Fewer rows than folds, a threshold outside (0, 1): bad input, exit 2.
    for (extra, message) in [
        (
            &["--classifier-rows", "3"][..],
            "domain classifier needs at least 5",
        ),
        (
            &["--auc-threshold", "1.5"][..],
            "--auc-threshold must be between 0 and 1",
        ),
        (
            &["--auc-threshold", "NaN"][..],
            "--auc-threshold must be between 0 and 1",
        ),
    ] {
        let (_, stderr, code) = run(extra);
        let stderr = String::from_utf8_lossy(&stderr);
        assert_eq!(code, Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(message), "{extra:?}: {stderr}");
    }
}

#[test]
fn multivariate_only_tests_the_joint_distribution_alone() {
    let full = joint_drift("reconstruction", &[]);
    let only = joint_drift("reconstruction", &["--multivariate-only"]);
    assert_eq!(only.status.code(), Some(1), "the joint drift fails the run");
    let (full, only): (Value, Value) = (
        serde_json::from_slice(&full.stdout).unwrap(),
        serde_json::from_slice(&only.stdout).unwrap(),
    );
    // The same joint test on the same columns, and no column tested on its own.
    assert_eq!(full["multivariate"], only["multivariate"]);
    assert_eq!(only["columns"].as_array().unwrap().len(), 0);
    let together: Vec<&str> = only["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["reason"]
                .as_str()
                .unwrap()
                .starts_with("tested together only")
        })
        .map(|s| s["column"].as_str().unwrap())
        .collect();
    let tested: Vec<&str> = full["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert_eq!(together, tested, "every column accounted for");
    // The text says the per-column tests did not run, not that nothing drifted.
    let text = drift_on_joint(&[
        "--ignore",
        "id,timestamp,model_version",
        "--multivariate",
        "mmd",
        "--multivariate-only",
    ]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.starts_with("Per-column tests: not run (12 columns tested together only)"),
        "{stdout}"
    );
    assert!(!stdout.contains("Dataset drift"), "{stdout}");
    // Without --multivariate there is nothing to test: a usage error.
    let bad = drift_on_joint(&["--multivariate-only"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--multivariate <METHOD>"));
}
