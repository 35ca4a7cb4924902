//! CBPE against NannyML 0.13.1 (`scripts/oracles/cbpe_nannyml.py`, fixture committed): the
//! estimated ROC AUC, accuracy, precision, recall, F1 and specificity of every chunk of 500
//! rows of the join-bug month, with the reference's isotonic calibration and without; and
//! the calibration map against scikit-learn's IsotonicRegression.

use seismo_stats::cbpe::{Expected, Isotonic, estimate_roc_auc};

fn oracle() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cbpe_nannyml.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn near(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1e-6),
        "{what}: seismo {got} nannyml {want}"
    );
}

#[test]
fn isotonic_calibration_equals_scikit_learn() {
    let oracle = oracle();
    let calibration = Isotonic::fit(
        &numbers(&oracle["reference"]["score"]),
        &numbers(&oracle["reference"]["label"]),
    )
    .unwrap();
    let grid = numbers(&oracle["isotonic"]["grid"]);
    let want = numbers(&oracle["isotonic"]["calibrated"]);
    for (s, w) in grid.iter().zip(&want) {
        near(calibration.calibrate(*s), *w, &format!("score {s}"));
    }
}

#[test]
fn cbpe_estimates_equal_nannymls_on_every_chunk() {
    let oracle = oracle();
    let calibration = Isotonic::fit(
        &numbers(&oracle["reference"]["score"]),
        &numbers(&oracle["reference"]["label"]),
    )
    .unwrap();
    let scores = numbers(&oracle["analysis"]["score"]);
    let size = oracle["chunk"].as_u64().unwrap() as usize;
    let threshold = oracle["threshold"].as_f64().unwrap();
    for (case, calibrate) in [("calibrated", true), ("raw", false)] {
        let want = &oracle["cases"][case];
        for (k, chunk) in scores.chunks(size).enumerate() {
            let p: Vec<f64> = chunk
                .iter()
                .map(|s| {
                    if calibrate {
                        calibration.calibrate(*s)
                    } else {
                        *s
                    }
                })
                .collect();
            let predicted: Vec<bool> = chunk.iter().map(|s| *s >= threshold).collect();
            let e = Expected::new(&p, &predicted);
            let got = [
                ("roc_auc", estimate_roc_auc(&p, chunk)),
                ("accuracy", e.accuracy()),
                ("precision", e.precision()),
                ("recall", e.recall()),
                ("f1", e.f1()),
                ("specificity", e.specificity()),
            ];
            for (metric, value) in got {
                let w = want[metric][k].as_f64().unwrap();
                near(value, w, &format!("{case} chunk {k} {metric}"));
            }
        }
    }
}
