//! The integration tests of `seismo-drift`, one test binary: every test the library can be
//! told to run, on the bundled example data, against scipy (the fixture from
//! `scripts/oracles/drift_scipy.py`); and the report's invariants.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use seismo_core::Dataset;
use seismo_drift::{ALL_TESTS, DriftOptions, TestName, detect};

mod classifier;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn read(name: &str) -> Dataset {
    seismo_io::read_dataset(example(name), &Default::default()).unwrap()
}

fn options(test: Option<TestName>) -> DriftOptions {
    let mut options = DriftOptions::default();
    options.numeric_test = test;
    options.categorical_test = test;
    options.ignore = BTreeSet::from(["id", "timestamp", "model_version"].map(str::to_owned));
    options
}

fn close(actual: f64, expected: f64, rel: f64) -> bool {
    actual == expected || (actual - expected).abs() <= rel * expected.abs()
}

#[test]
fn every_forced_test_matches_scipy_on_the_examples() {
    let expected: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scipy_forced.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let (reference, current) = (read("reference.parquet"), read("current.parquet"));
    let mut compared = 0;
    for test in ALL_TESTS {
        let report = detect(&reference, &current, &options(Some(test)));
        for (column, tests) in expected.as_object().unwrap() {
            let Some(want) = tests.get(test.as_str()) else {
                continue;
            };
            let got = report
                .columns
                .iter()
                .find(|c| c.column == *column)
                .unwrap_or_else(|| panic!("{test}: {column} not tested: {:?}", report.skipped));
            let want_stat = want[0].as_f64().unwrap();
            assert!(
                close(got.statistic, want_stat, 1e-9),
                "{test} {column}: statistic {} vs scipy {want_stat}",
                got.statistic
            );
            match want[1].as_f64() {
                Some(want_p) => {
                    let p = got.p_value.unwrap();
                    assert!(
                        close(p, want_p, 1e-6) || (p - want_p).abs() < 1e-12,
                        "{test} {column}: p {p:e} vs scipy {want_p:e}"
                    );
                }
                None => assert_eq!(got.p_value, None, "{test} {column}"),
            }
            compared += 1;
        }
    }
    assert!(compared >= 100, "only {compared} comparisons");
}

#[test]
fn every_column_lands_in_one_place_and_threads_change_nothing() {
    let (reference, current) = (read("reference.parquet"), read("current.parquet"));
    let one = detect(&reference, &current, &options(None));
    let mut placed: Vec<&str> = one.columns.iter().map(|c| c.column.as_str()).collect();
    placed.extend(one.skipped.iter().map(|s| s.column.as_str()));
    placed.extend(one.schema.iter().map(|s| s.column.as_str()));
    placed.sort();
    let mut names: Vec<&str> = reference
        .schema()
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    names.sort();
    assert_eq!(placed, names, "each reference column exactly once");
    // income was raised 30% in the current data; age was not touched.
    let drifted = |name: &str| {
        one.columns
            .iter()
            .find(|c| c.column == name)
            .unwrap()
            .drifted
    };
    assert!(drifted("income") && !drifted("age"));
    let mut four_threads = options(None);
    four_threads.threads = 4;
    let four = detect(&reference, &current, &four_threads);
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&four).unwrap()
    );
}

#[test]
fn a_joint_drift_is_missed_per_column_and_found_together() {
    // examples/joint.parquet: a month like the reference whose credit scores were attached
    // to the wrong customers (scripts/make_joint_drift.py).
    let (reference, joint) = (read("reference.parquet"), read("joint.parquet"));
    let mut options = options(None);
    options.threads = 2;
    let per_column = detect(&reference, &joint, &options);
    assert!(per_column.columns.iter().all(|c| !c.drifted));
    let mut together = seismo_drift::MultivariateOptions::default();
    together.threads = 2;
    let method = seismo_drift::Multivariate::Mmd(together.clone());
    let report = seismo_drift::detect_multivariate(&reference, &joint, &options, &method).unwrap();
    let Some(seismo_drift::MultivariateDrift::Mmd(m)) = report.multivariate.as_ref() else {
        panic!("an MMD section");
    };
    assert!(m.drifted && m.p_value < 0.05, "{m:?}");
    assert_eq!(m.columns.len(), per_column.columns.len());
    // 7 numbers, label and score as numbers, country 5 + 1, channel 3 + 1, is_active 2 + 1.
    assert_eq!(m.encoded_features, 9 + 6 + 4 + 3);
    assert!(report.fails(&seismo_drift::FailOn::DEFAULT));
    // The same bits on one thread.
    together.threads = 1;
    options.threads = 1;
    let method = seismo_drift::Multivariate::Mmd(together);
    let again = seismo_drift::detect_multivariate(&reference, &joint, &options, &method).unwrap();
    assert_eq!(again.multivariate, report.multivariate);
}

#[test]
fn the_encoding_standardises_numbers_and_one_hot_encodes_categories() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
    use seismo_core::ColumnKind;
    use seismo_stats::multivariate::{MmdMatrixOptions, mmd_matrix};

    let data = |x: Vec<Option<f64>>, c: Vec<Option<&str>>| {
        let batch = RecordBatch::try_from_iter([
            ("x", Arc::new(Float64Array::from(x)) as ArrayRef),
            ("c", Arc::new(StringArray::from(c)) as ArrayRef),
        ])
        .unwrap();
        Dataset::from_batches(batch.schema(), vec![batch]).unwrap()
    };
    let reference = data(
        vec![Some(1.0), Some(3.0), None, Some(f64::NAN), Some(5.0)],
        vec![Some("a"), Some("b"), Some("a"), None, Some("b")],
    );
    let current = data(
        vec![Some(2.0), Some(9.0), Some(f64::INFINITY)],
        vec![Some("b"), Some("z"), None],
    );
    let columns = [
        ("x".to_string(), ColumnKind::Numeric),
        ("c".to_string(), ColumnKind::Categorical),
    ];
    let options = seismo_drift::MultivariateOptions::default();
    let got = seismo_drift::multivariate(&reference, &current, &columns, &options).unwrap();
    // x: mean 3, sample sd 2 over 1, 3, 5; missing and infinite are 0. c: indicators for
    // a (2), b (2), (null) (1), by count then name, and one for every other value.
    let x = ndarray::arr2(&[
        [-1.0, 1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 1.0, 0.0],
        [1.0, 0.0, 1.0, 0.0, 0.0],
    ]);
    let y = ndarray::arr2(&[
        [-0.5, 0.0, 1.0, 0.0, 0.0],
        [3.0, 0.0, 0.0, 0.0, 1.0],
        [0.0, 0.0, 0.0, 1.0, 0.0],
    ]);
    let want = mmd_matrix(x.view(), y.view(), &MmdMatrixOptions::default()).unwrap();
    assert_eq!(got.encoded_features, 5);
    assert_eq!(got.statistic, want.statistic);
    assert_eq!(got.p_value, want.p_value);
    assert_eq!(got.bandwidth, want.bandwidth);
}

#[test]
fn reconstruction_drift_equals_nannymls_on_every_chunk() {
    // scripts/oracles/reconstruction_nannyml.py: NannyML 0.13.1's
    // DataReconstructionDriftCalculator on the examples, and on copies with missing values.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reconstruction_nannyml.json"),
    )
    .unwrap();
    let oracle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fixture = |name: &str| {
        seismo_io::read_dataset(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
            &Default::default(),
        )
        .unwrap()
    };
    let cases = [
        ("joint", read("reference.parquet"), read("joint.parquet")),
        (
            "current",
            read("reference.parquet"),
            read("current.parquet"),
        ),
        (
            "nulls",
            fixture("reconstruction_reference_nulls.parquet"),
            fixture("reconstruction_current_nulls.parquet"),
        ),
    ];
    for (name, reference, current) in cases {
        let want = &oracle["cases"][name];
        let columns: Vec<(String, seismo_core::ColumnKind)> = oracle["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let c = c.as_str().unwrap();
                let kind = reference.schema().column(c).unwrap().kind;
                (c.to_string(), kind)
            })
            .collect();
        let size = want["chunk_size"].as_u64().unwrap() as usize;
        let got =
            seismo_drift::reconstruction(&reference, &current, &columns, Some(size), 2).unwrap();
        assert_eq!(
            got.components as u64,
            want["components"].as_u64().unwrap(),
            "{name}"
        );
        let near = |g: f64, w: &serde_json::Value, what: &str| {
            let w = w.as_f64().unwrap();
            assert!(
                (g - w).abs() <= 1e-9 * w.abs().max(1e-3),
                "{name} {what}: seismo {g} nannyml {w}"
            );
        };
        near(
            got.upper_threshold,
            &want["upper_threshold"],
            "upper threshold",
        );
        match (got.lower_threshold, want["lower_threshold"].as_f64()) {
            (Some(g), Some(_)) => near(g, &want["lower_threshold"], "lower threshold"),
            (None, None) => {}
            (g, w) => panic!("{name}: lower threshold {g:?} nannyml {w:?}"),
        }
        for (period, got_chunks) in [
            ("reference_chunks", &got.reference_chunks),
            ("chunks", &got.chunks),
        ] {
            let want_chunks = want[period].as_array().unwrap();
            assert_eq!(got_chunks.len(), want_chunks.len(), "{name} {period}");
            for (g, w) in got_chunks.iter().zip(want_chunks) {
                let what = format!("{period} at {}", g.start);
                assert_eq!(g.start as u64, w["start"].as_u64().unwrap(), "{what}");
                near(g.value, &w["value"], &what);
                near(g.sampling_error, &w["sampling_error"], &what);
                near(g.upper, &w["upper"], &what);
                near(g.lower, &w["lower"], &what);
                assert_eq!(g.alert, w["alert"].as_bool().unwrap(), "{name} {what}");
            }
        }
    }
}
