//! PyTorch MLPs exported to ONNX (the TorchScript exporter and torch.export's) against
//! onnxruntime, from `scripts/oracles/torch_onnx.py` (fixtures committed). A PyTorch export
//! names no classes: the card's `classes` makes it a classifier.

use std::path::PathBuf;

use ndarray::Array2;
use seismo_model::{Model, ModelError};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn oracle() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("torch.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn matrix(value: &serde_json::Value) -> Array2<f64> {
    let rows = value.as_array().unwrap();
    let width = rows[0].as_array().unwrap().len();
    let values = rows
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
        .collect();
    Array2::from_shape_vec((rows.len(), width), values).unwrap()
}

fn check(name: &str) {
    let oracle = oracle();
    let rows = matrix(&oracle["rows"]).mapv(|v| v as f32);
    let model = Model::load(fixtures().join(format!("models/{name}.onnx")))
        .unwrap()
        .with_classes(vec![0, 1])
        .unwrap();
    assert_eq!(model.features(), 7);
    let prediction = model.predict(rows.view()).unwrap();
    let got = prediction.probabilities.unwrap();
    let want = matrix(&oracle["models"][name]["probabilities"]);
    assert_eq!(got.dim(), want.dim());
    for ((i, k), w) in want.indexed_iter() {
        let g = f64::from(got[[i, k]]);
        assert!(
            (g - w).abs() <= 1e-6_f64.max(1e-5 * w.abs()) || (g.is_nan() && w.is_nan()),
            "{name}: row {i} class {k}: seismo {g} onnxruntime {w}"
        );
    }
    // The labels: the more probable class, as the card numbers them.
    let labels = prediction.labels.unwrap();
    for (i, label) in labels.iter().enumerate() {
        if !want[[i, 0]].is_nan() {
            assert_eq!(*label, i64::from(want[[i, 1]] > want[[i, 0]]), "row {i}");
        }
    }
}

#[test]
fn a_torchscript_export_equals_onnxruntime() {
    check("torch_mlp");
}

#[test]
fn a_torch_export_dynamo_export_equals_onnxruntime() {
    check("torch_mlp_dynamo");
}

#[test]
fn classes_that_do_not_fit_are_refused() {
    let oracle = oracle();
    let rows = matrix(&oracle["rows"]).mapv(|v| v as f32);
    let three = Model::load(fixtures().join("models/torch_mlp.onnx"))
        .unwrap()
        .with_classes(vec![0, 1, 2])
        .unwrap();
    assert!(
        matches!(three.predict(rows.view()), Err(ModelError::Run(m)) if m.contains("2 probability columns for 3 classes"))
    );
    let one = Model::load(fixtures().join("models/torch_mlp.onnx"))
        .unwrap()
        .with_classes(vec![1]);
    assert!(one.is_err());
    // A scikit-learn model names its own classes: the card may repeat them, not change them.
    let gbm = Model::load(fixtures().join("models/gbm.onnx")).unwrap();
    assert!(gbm.clone().with_classes(vec![0, 1]).is_ok());
    assert!(gbm.with_classes(vec![1, 0]).is_err());
}
