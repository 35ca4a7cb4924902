//! seismo-model's predictions against onnxruntime's on the same rows: scikit-learn models of
//! the credit-risk example exported by skl2onnx with its defaults, and onnxruntime's outputs,
//! from `scripts/oracles/models_onnx.py` (fixtures committed). Float32 models: probabilities
//! within 1e-5 relative (or 1e-6 absolute, for probabilities near 0), labels equal.

use std::path::PathBuf;

use ndarray::Array2;
use seismo_model::{Model, ModelError};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn oracle() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("onnxruntime.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn rows(oracle: &serde_json::Value) -> Array2<f32> {
    let rows = oracle["rows"].as_array().unwrap();
    let width = rows[0].as_array().unwrap().len();
    let values: Vec<f32> = rows
        .iter()
        .flat_map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
        })
        .collect();
    Array2::from_shape_vec((rows.len(), width), values).unwrap()
}

fn close(got: f32, want: f64) -> bool {
    let (got, want) = (got as f64, want);
    (got - want).abs() <= 1e-6_f64.max(1e-5 * want.abs())
}

fn check_classifier(name: &str) {
    let oracle = oracle();
    let x = rows(&oracle);
    let model = Model::load(fixtures().join(format!("models/{name}.onnx"))).unwrap();
    let prediction = model.predict(x.view()).unwrap();
    let want = &oracle["models"][name];
    let labels: Vec<i64> = want["label"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(
        prediction.labels.as_ref().unwrap(),
        &labels,
        "{name}: labels"
    );
    let probabilities = prediction.probabilities.unwrap();
    let expected = want["probabilities"].as_array().unwrap();
    assert_eq!(probabilities.nrows(), expected.len());
    for (i, row) in expected.iter().enumerate() {
        for (k, p) in row.as_array().unwrap().iter().enumerate() {
            let p = p.as_f64().unwrap();
            assert!(
                close(probabilities[[i, k]], p),
                "{name}: row {i} class {k}: seismo {} onnxruntime {p}",
                probabilities[[i, k]]
            );
        }
    }
}

#[test]
fn logistic_regression_with_scaling_equals_onnxruntime() {
    // Scaler (rewritten), LinearClassifier, ZipMap (rewritten).
    check_classifier("logistic");
}

#[test]
fn random_forest_equals_onnxruntime() {
    check_classifier("forest");
}

#[test]
fn gradient_boosting_equals_onnxruntime() {
    check_classifier("gbm");
}

#[test]
fn mlp_equals_onnxruntime() {
    // Scaler, MatMul/Relu/Sigmoid, ArrayFeatureExtractor (rewritten), ZipMap.
    check_classifier("mlp");
}

fn check_regressor(name: &str) {
    let oracle = oracle();
    let x = rows(&oracle);
    let model = Model::load(fixtures().join(format!("models/{name}.onnx"))).unwrap();
    let prediction = model.predict(x.view()).unwrap();
    assert!(prediction.labels.is_none() && prediction.probabilities.is_none());
    let values = prediction.values.unwrap();
    let expected = oracle["models"][name]["value"].as_array().unwrap();
    assert_eq!(values.len(), expected.len());
    for (i, (got, want)) in values.iter().zip(expected).enumerate() {
        let want = want.as_f64().unwrap();
        assert!(
            close(*got, want),
            "{name}: row {i}: seismo {got} onnxruntime {want}"
        );
    }
}

#[test]
fn gradient_boosting_regressor_equals_onnxruntime() {
    // TreeEnsembleRegressor (SUM), rewritten onto tract's tree ensemble.
    check_regressor("gbm_regressor");
}

#[test]
fn random_forest_regressor_equals_onnxruntime() {
    // TreeEnsembleRegressor (AVERAGE).
    check_regressor("forest_regressor");
}

#[test]
fn lightgbm_and_xgboost_equal_onnxruntime() {
    // onnxmltools' exports: LightGBM with ZipMap, XGBoost (BRANCH_LT) with a probability
    // tensor, and a LightGBM regressor.
    check_classifier("lightgbm");
    check_classifier("xgboost");
    check_regressor("lightgbm_regressor");
}

#[test]
fn the_brittle_example_model_equals_onnxruntime() {
    check_classifier("gbm_brittle");
}

#[test]
fn an_operator_seismo_cannot_run_is_named() {
    // The logistic model with its ZipMap renamed to an ONNX-ML operator nobody runs.
    let mut bytes = std::fs::read(fixtures().join("models/logistic.onnx")).unwrap();
    // The node's name and its operator: every occurrence.
    while let Some(at) = bytes.windows(6).position(|w| w == b"ZipMap") {
        bytes[at..at + 6].copy_from_slice(b"ZapMip");
    }
    let error = Model::from_bytes(&bytes).unwrap_err();
    assert!(
        matches!(&error, ModelError::Unsupported { operator, .. } if operator == "ai.onnx.ml:ZapMip"),
        "{error}"
    );
    assert!(error.to_string().contains("ZapMip"), "{error}");
}

#[test]
fn bad_files_and_shapes_are_clear_errors() {
    let error = Model::from_bytes(b"not a model at all").unwrap_err();
    assert!(matches!(error, ModelError::Read(_)), "{error}");
    assert!(Model::load("/nonexistent/model.onnx").is_err());
    let model = Model::load(fixtures().join("models/logistic.onnx")).unwrap();
    let error = model
        .predict(Array2::<f32>::zeros((3, 5)).view())
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("takes 7 features per row, got 5"),
        "{error}"
    );
    // No rows is no predictions, not an error.
    let empty = model.predict(Array2::<f32>::zeros((0, 7)).view()).unwrap();
    assert_eq!(empty.labels.map(|l| l.len()), Some(0));
}
