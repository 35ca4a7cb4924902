//! Suites for every task on small data, where the numbers can be checked by hand.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use seismo_core::Dataset;
use seismo_slices::{RunOptions, Suite, TestOutcome, run_suite};

fn dataset(columns: Vec<(&str, ArrayRef)>) -> Dataset {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    Dataset::from_batches(batch.schema(), vec![batch]).unwrap()
}

#[test]
fn multiclass_from_probability_columns_and_from_labels() {
    let data = dataset(vec![
        (
            "y",
            Arc::new(StringArray::from(vec!["a", "b", "c", "a", "b", "c"])) as ArrayRef,
        ),
        (
            "p_a",
            Arc::new(Float64Array::from(vec![0.7, 0.2, 0.1, 0.3, 0.1, 0.2])) as ArrayRef,
        ),
        (
            "p_b",
            Arc::new(Float64Array::from(vec![0.2, 0.7, 0.1, 0.6, 0.8, 0.2])) as ArrayRef,
        ),
        (
            "p_c",
            Arc::new(Float64Array::from(vec![0.1, 0.1, 0.8, 0.1, 0.1, 0.6])) as ArrayRef,
        ),
        (
            "label",
            Arc::new(StringArray::from(vec!["a", "b", "c", "b", "b", "c"])) as ArrayRef,
        ),
    ]);
    let suite = |prediction: &str| {
        Suite::parse(
            "s.toml",
            &format!(
                "task = \"multiclass\"\ntarget = \"y\"\n{prediction}\nmin_rows = 1\n[[test]]\nslice = \"all\"\nmetric = \"accuracy\"\nmin = 0.9\n[[test]]\nslice = \"all\"\nmetric = \"f1_macro\"\nmin = 0\n[[test]]\nslice = \"all\"\nmetric = \"log_loss\"\nmax = 1\n"
            ),
        )
        .unwrap()
    };
    let columns = run_suite(
        &suite("prediction = [\"p_a\", \"p_b\", \"p_c\"]\nclasses = [\"a\", \"b\", \"c\"]"),
        &data,
        None,
        &RunOptions::default(),
    )
    .unwrap();
    // Row 4 (a, predicted b) is the one mistake: 5 of 6.
    assert_eq!(columns.results[0].value, Some(5.0 / 6.0));
    assert_eq!(columns.results[0].outcome, TestOutcome::Fail);
    // F1 per class: a 2/3, b 4/5, c 1 → macro 37/45.
    assert!((columns.results[1].value.unwrap() - 37.0 / 45.0).abs() < 1e-15);
    let expected = -[0.7f64, 0.7, 0.8, 0.3, 0.8, 0.6]
        .iter()
        .map(|p| p.ln())
        .sum::<f64>()
        / 6.0;
    assert!((columns.results[2].value.unwrap() - expected).abs() < 1e-15);
    // The same predictions as labels: no probabilities, so log loss is skipped, not made up.
    let labels = run_suite(
        &suite("prediction = \"label\""),
        &data,
        None,
        &RunOptions::default(),
    )
    .unwrap();
    assert_eq!(labels.results[0].value, Some(5.0 / 6.0));
    assert_eq!(labels.results[2].outcome, TestOutcome::Skipped);
}

#[test]
fn regression_metrics_and_relative_thresholds() {
    let data = dataset(vec![
        (
            "y",
            Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0, 10.0, 20.0])) as ArrayRef,
        ),
        (
            "yhat",
            Arc::new(Float64Array::from(vec![1.5, 2.0, 2.0, 4.0, 14.0, 15.0])) as ArrayRef,
        ),
        (
            "big",
            Arc::new(StringArray::from(vec!["n", "n", "n", "n", "y", "y"])) as ArrayRef,
        ),
    ]);
    let suite = Suite::parse(
        "s.toml",
        "task = \"regression\"\ntarget = \"y\"\nprediction = \"yhat\"\nmin_rows = 2\n[[slice]]\nname = \"big\"\nwhere = \"big = 'y'\"\n[[test]]\nslice = \"all\"\nmetric = \"mae\"\nmax = 2\n[[test]]\nslice = \"big\"\nmetric = \"mae\"\nmax_vs_overall = 1\n[[test]]\nslice = \"big\"\nmetric = \"mean_error\"\nmin = -1\nmax = 1\n",
    )
    .unwrap();
    let report = run_suite(&suite, &data, None, &RunOptions::default()).unwrap();
    // |errors| 0.5 0 1 0 4 5: MAE 10.5/6 = 1.75; on the big slice 4.5, 2.75 above overall.
    assert_eq!(report.results[0].value, Some(1.75));
    assert_eq!(report.results[0].outcome, TestOutcome::Pass);
    assert_eq!(report.results[1].value, Some(4.5));
    assert_eq!(report.results[1].outcome, TestOutcome::Fail);
    assert_eq!(report.results[2].value, Some(-0.5));
    assert!(!report.passed);
}

#[test]
fn fairness_leaves_small_groups_out_and_needs_two() {
    let data = dataset(vec![
        (
            "y",
            Arc::new(Float64Array::from(vec![1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])) as ArrayRef,
        ),
        (
            "p",
            Arc::new(Float64Array::from(vec![0.9, 0.8, 0.7, 0.1, 0.2, 0.3, 0.9])) as ArrayRef,
        ),
        (
            "g",
            Arc::new(StringArray::from(vec!["x", "x", "x", "z", "z", "z", "w"])) as ArrayRef,
        ),
    ]);
    let run = |min_rows: u64| {
        let suite = Suite::parse(
            "s.toml",
            &format!("task = \"binary\"\ntarget = \"y\"\nprediction = \"p\"\n[[fairness]]\ngroups = [\"g\"]\nmin_rows = {min_rows}\nmax_demographic_parity_difference = 0.5\nmin_disparate_impact_ratio = 0.8\n"),
        )
        .unwrap();
        run_suite(&suite, &data, None, &RunOptions::default()).unwrap()
    };
    let report = run(3);
    // x selects 3 of 3, z 0 of 3; w (1 row) is left out.
    assert_eq!(report.results[0].value, Some(1.0));
    assert_eq!(report.results[0].outcome, TestOutcome::Fail);
    assert_eq!(report.results[1].value, Some(0.0));
    let details = report.results[0].details.as_ref().unwrap();
    assert_eq!(details.excluded_groups, vec![(vec!["w".to_owned()], 1)]);
    // Its JSON form keeps the documented shape.
    assert_eq!(details.to_json()["excluded_groups"][0]["group"][0], "w");
    let report = run(4);
    assert_eq!(
        report.results[0].outcome,
        TestOutcome::Skipped,
        "no two groups of 4 rows"
    );
}
