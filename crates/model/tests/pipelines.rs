//! Pipelines with one input per column (numbers and strings) against onnxruntime: scikit-learn
//! pipelines with imputers, scalers, one-hot and ordinal encoders exported by skl2onnx, and
//! onnxruntime's outputs on the same rows, from `scripts/oracles/pipelines_onnx.py` (fixtures
//! committed). The rows include unknown categories, empty and null strings, missing numbers,
//! -0.0, a subnormal and huge values.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use seismo_model::{Model, ModelError};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn oracle() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("pipelines.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The fixture's rows as an Arrow batch: numbers as Float64, strings as Utf8, nulls kept.
fn batch(oracle: &serde_json::Value) -> RecordBatch {
    let columns = oracle["columns"].as_object().unwrap();
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (name, values) in columns {
        let values = values.as_array().unwrap();
        let text = values.iter().any(serde_json::Value::is_string);
        if text {
            fields.push(Field::new(name, DataType::Utf8, true));
            arrays.push(Arc::new(StringArray::from_iter(
                values.iter().map(|v| v.as_str()),
            )));
        } else {
            fields.push(Field::new(name, DataType::Float64, true));
            arrays.push(Arc::new(Float64Array::from_iter(
                values.iter().map(serde_json::Value::as_f64),
            )));
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}

fn close(got: f32, want: f64) -> bool {
    let got = got as f64;
    (got - want).abs() <= 1e-6_f64.max(1e-5 * want.abs())
}

fn check(name: &str) {
    let oracle = oracle();
    let want = &oracle["models"][name];
    let model = Model::load(fixtures().join(format!("models/{name}.onnx"))).unwrap();
    let columns: Vec<String> = model.columns().expect("one input per column").to_vec();
    let inputs: Vec<&str> = want["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(columns, inputs, "{name}: the inputs, in order");
    let rows = model.rows(&batch(&oracle), &columns).unwrap();
    // Two threads over chunks of one row's worth: the chunked path gives the same results.
    let prediction = model.predict(rows.view()).unwrap();
    assert_eq!(prediction, model.predict_parallel(rows.view(), 2).unwrap());
    if let Some(values) = want["value"].as_array() {
        let got = prediction.values.unwrap();
        assert_eq!(got.len(), values.len());
        for (i, (g, w)) in got.iter().zip(values).enumerate() {
            let w = w.as_f64().unwrap();
            assert!(close(*g, w), "{name}: row {i}: seismo {g} onnxruntime {w}");
        }
        return;
    }
    let labels: Vec<i64> = want["label"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(prediction.labels.unwrap(), labels, "{name}: labels");
    let p = prediction.probabilities.unwrap();
    for (i, row) in want["probabilities"].as_array().unwrap().iter().enumerate() {
        for (k, w) in row.as_array().unwrap().iter().enumerate() {
            let w = w.as_f64().unwrap();
            assert!(
                close(p[[i, k]], w),
                "{name}: row {i} class {k}: seismo {} onnxruntime {w}",
                p[[i, k]]
            );
        }
    }
}

#[test]
fn one_hot_pipeline_with_imputers_equals_onnxruntime() {
    // Imputer, Scaler, the string imputer (LabelEncoder from integers to strings, Where),
    // OneHotEncoder, LinearClassifier.
    check("pipeline_onehot");
}

#[test]
fn ordinal_encoder_into_a_forest_equals_onnxruntime() {
    // LabelEncoder from strings (unknown: -1) into a TreeEnsembleClassifier.
    check("pipeline_ordinal");
}

#[test]
fn one_hot_gradient_boosting_equals_onnxruntime() {
    check("pipeline_gbm");
}

#[test]
fn integer_inputs_and_a_regressor_equal_onnxruntime() {
    // int64 inputs, cast from the matrix in front of the graph.
    check("pipeline_regressor");
}

#[test]
fn strings_are_coded_in_the_model_vocabulary() {
    let model = Model::load(fixtures().join("models/pipeline_gbm.onnx")).unwrap();
    let columns = model.columns().unwrap().to_vec();
    let country = columns.iter().position(|c| c == "country").unwrap();
    let vocabulary = model.categories(country).unwrap();
    assert!(model.categories(0).is_none(), "age is a number");
    for word in [
        "DE", "ES", "FR", "IT", "NL", "app", "branch", "web", "none", "",
    ] {
        assert!(vocabulary.words().iter().any(|w| w == word), "{word}");
    }
    assert_eq!(vocabulary.code("kiosk"), vocabulary.unknown());
    assert_eq!(vocabulary.missing(), vocabulary.code(""));
}

#[test]
fn a_column_of_the_wrong_kind_is_named() {
    let model = Model::load(fixtures().join("models/pipeline_gbm.onnx")).unwrap();
    let columns = model.columns().unwrap().to_vec();
    let batch = batch(&oracle());
    // Numbers where the model takes strings.
    let mut swapped = columns.clone();
    let country = columns.iter().position(|c| c == "country").unwrap();
    swapped[country] = "age".into();
    match model.rows(&batch, &swapped) {
        Err(ModelError::Column { column, message }) => {
            assert_eq!(column, "age");
            assert!(message.contains("takes strings"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Strings where it takes numbers.
    let mut swapped = columns.clone();
    swapped[0] = "channel".into();
    match model.rows(&batch, &swapped) {
        Err(ModelError::Column { column, message }) => {
            assert_eq!(column, "channel");
            assert!(message.contains("takes numbers"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Too few columns.
    assert!(matches!(
        model.rows(&batch, &columns[1..]),
        Err(ModelError::Input { .. })
    ));
}

#[test]
fn category_mappers_and_label_encoders_equal_onnxruntime() {
    // A graph built by hand: CategoryMapper both ways, LabelEncoder from strings and from
    // integers to floats, OneHotEncoder of integers; the data columns named by the caller.
    let oracle = oracle();
    let want = &oracle["models"]["encoders"];
    let model = Model::load(fixtures().join("models/encoders.onnx")).unwrap();
    assert_eq!(model.columns().unwrap(), ["country", "products"]);
    let columns: Vec<String> = want["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let rows = model.rows(&batch(&oracle), &columns).unwrap();
    let got = model.predict(rows.view()).unwrap().probabilities.unwrap();
    let expected = want["matrix"].as_array().unwrap();
    assert_eq!(got.nrows(), expected.len());
    for (i, row) in expected.iter().enumerate() {
        for (k, w) in row.as_array().unwrap().iter().enumerate() {
            let w = w.as_f64().unwrap();
            assert_eq!(got[[i, k]] as f64, w, "row {i} column {k}");
        }
    }
}

#[test]
fn an_input_named_as_skl2onnx_names_it_finds_its_column() {
    // skl2onnx makes a DataFrame column `credit-score` the input `credit_score`.
    let model = Model::load(fixtures().join("models/pipeline_gbm.onnx")).unwrap();
    let columns = model.columns().unwrap().to_vec();
    let original = batch(&oracle());
    let renamed = |names: &[(&str, &str)]| {
        let schema = original.schema();
        let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
        let mut arrays: Vec<ArrayRef> = original.columns().to_vec();
        for (from, to) in names.iter().filter(|(from, _)| !from.is_empty()) {
            let k = schema.index_of(from).unwrap();
            fields[k] = fields[k].clone().with_name(*to);
        }
        // A copy of credit_score under each extra name not renamed from a column.
        for (_, to) in names.iter().filter(|(from, _)| from.is_empty()) {
            fields.push(Field::new(*to, DataType::Float64, true));
            arrays.push(original.column_by_name("credit_score").unwrap().clone());
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
    };
    let dashed = renamed(&[("credit_score", "credit-score")]);
    // Bit for bit (the rows hold NaN for missing numbers).
    assert_eq!(
        model.rows(&dashed, &columns).unwrap().mapv(f32::to_bits),
        model.rows(&original, &columns).unwrap().mapv(f32::to_bits)
    );
    // Two columns that could be it: an error naming both.
    let two = renamed(&[("credit_score", "credit-score"), ("", "credit score")]);
    match model.rows(&two, &columns) {
        Err(ModelError::Column { column, message }) => {
            assert_eq!(column, "credit_score");
            assert!(message.contains("credit-score, credit score"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
