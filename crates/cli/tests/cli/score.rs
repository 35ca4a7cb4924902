//! `seismo score` on the bundled example rows with the models of seismo-model's oracle
//! (scikit-learn exports; onnxruntime's predictions on the first 300 rows of
//! examples/current.csv are in crates/model/tests/fixtures/onnxruntime.json).

use std::path::{Path, PathBuf};

use crate::common::{assert_bad_input, example, path, seismo};

const FEATURES: &str = "age,income,credit_score,tenure_months,num_products,balance,utilization";

fn model(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../model/tests/fixtures/models/{name}.onnx"))
}

fn oracle() -> serde_json::Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/fixtures/onnxruntime.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Runs `seismo score DATA --model MODEL -o OUT` with `extra` arguments; must succeed. Returns
/// the output file's bytes.
fn score(data: &Path, model: &Path, out: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["score", path(data), "--model", path(model), "-o", path(out)];
    args.extend_from_slice(extra);
    let output = seismo(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(out).unwrap()
}

/// The CSV's header and the values of `column`, by row.
fn column(csv: &str, name: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| l.split(',').nth(at).unwrap().to_owned())
        .collect()
}

#[test]
fn scored_rows_carry_onnxruntimes_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scored.csv");
    let data = example("current.csv");
    for (name, column_name) in [("gbm", "prediction"), ("gbm_regressor", "credit_score_fit")] {
        let bytes = score(
            &data,
            &model(name),
            &out,
            &["--features", FEATURES, "--output-column", column_name],
        );
        let csv = String::from_utf8(bytes).unwrap();
        let got = column(&csv, column_name);
        assert_eq!(got.len(), 5000, "every row is kept");
        let oracle = oracle();
        let want: Vec<f64> = if name == "gbm" {
            oracle["models"][name]["probabilities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p[1].as_f64().unwrap())
                .collect()
        } else {
            oracle["models"][name]["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        };
        for (i, (g, w)) in got.iter().zip(&want).take(300).enumerate() {
            let g: f64 = g.parse().unwrap();
            assert!(
                (g - w).abs() <= 1e-6_f64.max(1e-5 * w.abs()),
                "{name} row {i}: seismo {g} onnxruntime {w}"
            );
        }
        // The input's columns come first, unchanged.
        assert!(csv.starts_with("id,timestamp,age,"), "{}", &csv[..80]);
    }
}

#[test]
fn threads_do_not_change_a_bit_and_a_card_beside_the_model_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // The model and its card side by side, as a user keeps them.
    let copy = dir.path().join("mlp.onnx");
    std::fs::copy(model("mlp"), &copy).unwrap();
    std::fs::write(
        dir.path().join("mlp.toml"),
        format!(
            "features = [{}]\npositive_class = 1\n",
            FEATURES
                .split(',')
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .unwrap();
    let data = example("current.parquet");
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = dir.path().join(format!("scored_{threads}.csv"));
        outputs.push(score(&data, &copy, &out, &["--threads", threads]));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn bad_models_cards_and_columns_are_one_clear_error_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scored.csv");
    let data = example("current.csv");
    let logistic = model("logistic");
    let run = |extra: &[&str]| {
        let mut args = vec!["score", path(&data), "-o", path(&out)];
        args.extend_from_slice(extra);
        seismo(&args)
    };
    assert_bad_input(&run(&["--model", path(&logistic)]), "name its columns");
    let card = example("models/credit_gbm.toml");
    assert_bad_input(
        &run(&[
            "--model",
            path(&logistic),
            "--card",
            path(&card),
            "--features",
            "age",
        ]),
        "give a card or the features, not both",
    );
    assert_bad_input(
        &run(&["--model", path(&logistic), "--features", "age,income"]),
        "takes 7 features and the card names 2",
    );
    assert_bad_input(
        &run(&[
            "--model",
            path(&logistic),
            "--features",
            "age,income,country,tenure_months,num_products,balance,utilization",
        ]),
        "column `country` is Utf8",
    );
    assert_bad_input(
        &run(&[
            "--model",
            path(&logistic),
            "--features",
            "age,income,credit,tenure_months,num_products,balance,utilization",
        ]),
        "column `credit` is not in the data",
    );
    assert_bad_input(
        &run(&["--model", path(&data), "--features", FEATURES]),
        "not an ONNX model",
    );
    assert_bad_input(
        &run(&[
            "--model",
            path(&logistic),
            "--features",
            FEATURES,
            "--output-column",
            "score",
        ]),
        "--output-column: column `score` is already in the data",
    );
    let card = dir.path().join("card.toml");
    std::fs::write(&card, "features = [\"age\"]\npositive = 1\n").unwrap();
    assert_bad_input(
        &run(&["--model", path(&logistic), "--card", path(&card)]),
        "card.toml:2",
    );
    assert!(!out.exists(), "nothing is written on an error");
}

#[test]
fn a_pipeline_with_string_inputs_reads_its_columns_by_name_and_equals_onnxruntime() {
    // pipeline_gbm takes one input per column, country and channel as strings: no card.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scored.csv");
    let bytes = score(&example("current.csv"), &model("pipeline_gbm"), &out, &[]);
    let csv = String::from_utf8(bytes).unwrap();
    let got = column(&csv, "prediction");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/fixtures/pipelines.json"),
    )
    .unwrap();
    let oracle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let want = oracle["models"]["pipeline_gbm"]["probabilities"]
        .as_array()
        .unwrap();
    for (i, (g, w)) in got.iter().zip(want).take(300).enumerate() {
        let (g, w): (f64, f64) = (g.parse().unwrap(), w[1].as_f64().unwrap());
        assert!(
            (g - w).abs() <= 1e-6_f64.max(1e-5 * w.abs()),
            "row {i}: seismo {g} onnxruntime {w}"
        );
    }
    // Numbers where it takes strings, named by column and input.
    let swapped =
        "age,income,credit_score,tenure_months,num_products,balance,utilization,age,channel";
    let output = seismo(&[
        "score",
        path(&example("current.csv")),
        "--model",
        path(&model("pipeline_gbm")),
        "--features",
        swapped,
        "-o",
        path(&out),
    ]);
    assert_bad_input(
        &output,
        "column `age` is Int64; the model's input `country` takes strings",
    );
}

#[test]
fn a_pytorch_export_is_a_classifier_by_its_cards_classes() {
    // torch_mlp.toml beside the model names the features and `classes = [0, 1]`.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scored.csv");
    let csv = String::from_utf8(score(
        &example("current.csv"),
        &model("torch_mlp"),
        &out,
        &[],
    ))
    .unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/fixtures/torch.json"),
    )
    .unwrap();
    let oracle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let want = oracle["models"]["torch_mlp"]["probabilities"]
        .as_array()
        .unwrap();
    let got = column(&csv, "prediction");
    let second = column(&csv, "probability_1");
    for (i, w) in want.iter().take(300).enumerate() {
        let w = w[1].as_f64().unwrap();
        let g: f64 = got[i].parse().unwrap();
        assert!(
            (g - w).abs() <= 1e-6_f64.max(1e-5 * w),
            "row {i}: seismo {g} onnxruntime {w}"
        );
        assert_eq!(got[i], second[i]);
    }
}
