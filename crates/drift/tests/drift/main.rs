//! The integration tests of `seismo-drift`, one test binary: every test the library can be
//! told to run, on the bundled example data, against scipy (the fixture from
//! `scripts/oracles/drift_scipy.py`); and the report's invariants.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use seismo_core::Dataset;
use seismo_drift::{ALL_TESTS, DriftOptions, TestName, detect};

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
