//! CBPE against NannyML 0.13.1 (`scripts/oracles/cbpe_nannyml.py`, fixture committed): for
//! ROC AUC, accuracy, precision, recall, F1 and specificity, every chunk's estimate, sampling
//! error, confidence band, realized value and the alert thresholds, on the bundled example
//! (calibrated and not), on its scores rounded to two decimals in chunks of 7 rows, and on
//! river's Shuttle set scored by a naive Bayes model; NannyML's calibration decisions; and the
//! calibration map against scikit-learn's IsotonicRegression.

use seismo_stats::cbpe::{Calibration, Cbpe, CbpeOptions, Isotonic, Metric, needs_calibration};
use serde_json::Value;

fn oracle() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cbpe_nannyml.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn near(got: f64, want: f64, tolerance: f64, what: &str) {
    let same = (got.is_nan() && want.is_nan())
        || (got - want).abs() <= tolerance * want.abs().max(1e-6)
        || (tolerance.is_infinite() && got.is_finite() == want.is_finite());
    assert!(same, "{what}: seismo {got} nannyml {want}");
}

#[test]
fn isotonic_calibration_equals_scikit_learn() {
    let oracle = oracle();
    let reference = &oracle["datasets"]["example"]["reference"];
    let calibration =
        Isotonic::fit(&numbers(&reference["score"]), &numbers(&reference["label"])).unwrap();
    let grid = numbers(&oracle["isotonic"]["grid"]);
    let want = numbers(&oracle["isotonic"]["calibrated"]);
    for (s, w) in grid.iter().zip(&want) {
        near(calibration.calibrate(*s), *w, 1e-9, &format!("score {s}"));
    }
}

/// The sampling error of ROC AUC ranks rows by score; on tied scores NannyML leaves their
/// order to numpy's unstable sort, seismo puts negatives first (docs/estimate.md): the
/// example's 50 tied scores among 5,000 move it by 1.4e-6, Shuttle's naive Bayes
/// probabilities (many tied at 0 and 1) by 4.2e-4. With every score rounded to two decimals
/// (the `tied` cases) NannyML's figure is an accident of the sort (4.5% apart on chunk 0) and
/// is not compared.
const ROC_AUC_SAMPLING: f64 = 1e-3;

#[test]
fn cbpe_equals_nannyml_on_every_chunk_of_every_case() {
    let oracle = oracle();
    let threshold = oracle["threshold"].as_f64().unwrap();
    for (name, case) in oracle["cases"].as_object().unwrap() {
        let data = &oracle["datasets"][case["data"].as_str().unwrap()];
        let size = case["chunk"].as_u64().unwrap() as usize;
        let result = &case["result"];
        let calibration = match case["calibrated"].as_bool() {
            Some(true) => Calibration::Always,
            Some(false) => Calibration::Never,
            None => Calibration::Auto,
        };
        let (scores, labels) = (
            numbers(&data["reference"]["score"]),
            numbers(&data["reference"]["label"]),
        );
        let chunks: Vec<_> = (0..scores.len())
            .step_by(size)
            .map(|start| start..(start + size).min(scores.len()))
            .collect();
        let options = CbpeOptions {
            threshold,
            calibration,
            ..CbpeOptions::default()
        };
        let cbpe = Cbpe::fit(&scores, &labels, &chunks, &options).unwrap();
        assert_eq!(
            cbpe.calibrated(),
            result["needs_calibration"].as_bool().unwrap(),
            "{name}: calibration"
        );
        let analysis = (
            numbers(&data["analysis"]["score"]),
            numbers(&data["analysis"]["label"]),
        );
        let rows: Vec<usize> = result["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let mut start = 0;
        for (k, n) in rows.iter().enumerate() {
            let range = start..start + n;
            start += n;
            let got = cbpe.estimate(&analysis.0[range.clone()], Some(&analysis.1[range]));
            for e in got {
                let want = &result["metrics"][e.metric.as_str()];
                let fit = cbpe
                    .metrics()
                    .iter()
                    .find(|m| m.metric == e.metric)
                    .unwrap();
                let what = |field: &str| format!("{name} chunk {k} {} {field}", e.metric);
                let at = |field: &str| want[field][k].as_f64().unwrap_or(f64::NAN);
                let sampling = match (e.metric, name.starts_with("tied")) {
                    (Metric::RocAuc, true) => f64::INFINITY,
                    (Metric::RocAuc, false) => ROC_AUC_SAMPLING,
                    _ => 1e-9,
                };
                near(e.estimated, at("estimated"), 1e-9, &what("estimated"));
                near(e.realized, at("realized"), 1e-9, &what("realized"));
                near(
                    e.sampling_error,
                    at("sampling_error"),
                    sampling,
                    &what("sampling error"),
                );
                near(e.lower, at("lower"), sampling, &what("lower"));
                near(e.upper, at("upper"), sampling, &what("upper"));
                near(
                    fit.lower_threshold,
                    at("lower_threshold"),
                    1e-9,
                    &what("lower threshold"),
                );
                near(
                    fit.upper_threshold,
                    at("upper_threshold"),
                    1e-9,
                    &what("upper threshold"),
                );
                assert_eq!(
                    e.alert,
                    e.estimated < at("lower_threshold"),
                    "{}",
                    what("alert")
                );
            }
        }
        assert_eq!(start, analysis.0.len(), "{name}: rows");
    }
}

/// Where NannyML's own split gives a clear margin (its expected calibration error falls by
/// 35% or more), seismo's split decides the same. On the fixture's `honest` scores
/// (calibrated by construction) NannyML's errors are 0.0167 before and 0.0145 after: a coin
/// toss that another split can turn, so it is not asserted.
#[test]
fn automatic_calibration_decides_as_nannyml_does() {
    let oracle = oracle();
    for name in ["example", "tied", "shuttle"] {
        let decision = &oracle["needs_calibration"][name];
        let reference = &oracle["datasets"][name]["reference"];
        let labels: Vec<bool> = numbers(&reference["label"])
            .iter()
            .map(|l| *l == 1.0)
            .collect();
        for (seed, threads) in [(42, 1), (7, 3)] {
            let scores = numbers(&reference["score"]);
            assert_eq!(
                needs_calibration(&scores, &labels, seed, threads),
                decision.as_bool().unwrap(),
                "{name} seed {seed}"
            );
        }
    }
}
