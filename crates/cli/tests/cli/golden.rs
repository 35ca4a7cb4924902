//! Every command's output on the bundled examples, byte for byte, against committed copies in
//! `tests/fixtures/golden/`: a refactoring that changes one byte of a report fails here.
//!
//! One exception: a model's outputs. tract picks its matrix kernels by the CPU it runs on
//! (AVX-512, AVX2 with FMA, ...), and they sum in different orders, so a float32 prediction
//! can differ in its last bits from one machine to another (never from one run or thread
//! count to another). The reports in [`MODEL_OUTPUTS`] are compared as JSON: every string,
//! integer and boolean exactly, every fraction within [`MODEL_TOLERANCE`]. Repeated runs of
//! one report are still compared with each other byte for byte.
//!
//! After a change that is meant to change output, run
//! `SEISMO_BLESS=1 cargo test -p seismo-cli --test cli golden` and read the diff of
//! `crates/cli/tests/fixtures/golden/` before committing it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The runs, one a line: the name of its golden file, the exit code it must end with, and
/// its arguments (paths relative to the repository root, so reports that name their inputs
/// do not depend on where the repository is). A name may come again: the same report with
/// another thread count must be the same bytes.
const RUNS: &str = "\
drift.txt          1 drift --reference examples/reference.parquet --current examples/current.parquet --config examples/drift.toml
drift.json         1 drift --reference examples/reference.parquet --current examples/current.parquet --config examples/drift.toml --format json
drift.html         1 drift --reference examples/reference.parquet --current examples/current.parquet --config examples/drift.toml --format html
drift_ks_holm.json 0 drift --reference examples/reference.csv --current examples/current.csv --numeric-test ks --correction holm --format json
infer.toml         0 infer examples/reference.parquet
validate.txt       1 validate examples/current.parquet --rules examples/rules.toml --reference examples/reference.parquet
validate.json      1 validate examples/current.parquet --rules examples/rules.toml --reference examples/reference.parquet --format json
validate.xml       1 validate examples/current.parquet --rules examples/rules.toml --reference examples/reference.parquet --format junit
validate.html      1 validate examples/current.parquet --rules examples/rules.toml --reference examples/reference.parquet --format html
test.txt           1 test --suite examples/suite.toml --data examples/candidate.parquet --baseline examples/reference.parquet
test.json          1 test --suite examples/suite.toml --data examples/candidate.parquet --baseline examples/reference.parquet --format json
test.xml           1 test --suite examples/suite.toml --data examples/candidate.parquet --baseline examples/reference.parquet --format junit
test.html          1 test --suite examples/suite.toml --data examples/candidate.parquet --baseline examples/reference.parquet --format html
slices_find.toml   1 slices find --data examples/candidate.parquet --target label --prediction score --baseline examples/reference.parquet --id id --ignore id,timestamp,model_version
history.txt        1 history examples/current.parquet --time timestamp --value score --by model_version
history.json       1 history examples/current.parquet --time timestamp --value score --markers examples/deployments.csv --format json
history.html       1 history examples/current.parquet --time timestamp --value score --markers examples/deployments.csv --format html
profile.txt        0 profile examples/current.parquet
estimate.txt       1 estimate --reference examples/reference.parquet --current examples/december.parquet --prediction score --target label --chunk 1d --time timestamp
estimate.json      1 estimate --reference examples/reference.parquet --current examples/december.parquet --prediction score --target label --chunk 1d --time timestamp --format json
estimate.html      1 estimate --reference examples/reference.parquet --current examples/december.parquet --prediction score --target label --chunk 1d --time timestamp --format html
estimate_concept.txt 1 estimate --reference examples/reference.parquet --current examples/concept.parquet --prediction score --target label --chunk 1d --time timestamp --metric roc_auc,accuracy
robust.txt         1 robust examples/current.parquet --model examples/models/credit_gbm_brittle.onnx --threshold 0.3 --by channel
robust.xml         1 robust examples/current.parquet --model examples/models/credit_gbm_brittle.onnx --threshold 0.3 --by channel --format junit
robust.html        1 robust examples/current.parquet --model examples/models/credit_gbm_brittle.onnx --threshold 0.3 --by channel --perturb invariance@num_products --perturb decreases:0.1@income --perturb gaussian:0.1 --format html
robust.json        1 robust examples/current.parquet --model examples/models/credit_gbm_brittle.onnx --threshold 0.3 --by channel --target label --perturb dropout --perturb multiply:0.05@income --format json
profile.json       0 profile examples/current.csv --format json
drift.json         1 drift --reference examples/reference.parquet --current examples/current.parquet --config examples/drift.toml --format json --threads 1
drift.json         1 drift --reference examples/reference.parquet --current examples/current.parquet --config examples/drift.toml --format json --threads 3
validate.json      1 validate examples/current.parquet --rules examples/rules.toml --reference examples/reference.parquet --format json --threads 1
validate.json      1 validate examples/current.parquet --rules examples/rules.toml --reference examples/reference.parquet --format json --threads 3
test.json          1 test --suite examples/suite.toml --data examples/candidate.parquet --baseline examples/reference.parquet --format json --threads 1
test.json          1 test --suite examples/suite.toml --data examples/candidate.parquet --baseline examples/reference.parquet --format json --threads 3
robust.json        1 robust examples/current.parquet --model examples/models/credit_gbm_brittle.onnx --threshold 0.3 --by channel --target label --perturb dropout --perturb multiply:0.05@income --format json --threads 1
robust.json        1 robust examples/current.parquet --model examples/models/credit_gbm_brittle.onnx --threshold 0.3 --by channel --target label --perturb dropout --perturb multiply:0.05@income --format json --threads 3
profile.json       0 profile examples/current.csv --format json --threads 1
profile.json       0 profile examples/current.csv --format json --threads 3
";

/// Reports of a model's predictions, whose fractions depend on the CPU's kernels (module
/// docs). Two CPUs (AVX-512 and AVX2 with FMA) gave `robust.json` fractions at most 5.3e-5
/// apart, the flip counts equal.
const MODEL_OUTPUTS: &[&str] = &["robust.json"];

/// The largest difference allowed between a fraction in a [`MODEL_OUTPUTS`] report and its
/// golden copy.
const MODEL_TOLERANCE: f64 = 2e-4;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden")
        .join(name)
}

#[test]
fn outputs_on_the_bundled_examples_are_unchanged() {
    let bless = std::env::var_os("SEISMO_BLESS").is_some();
    let mut changed = Vec::new();
    let mut first: std::collections::HashMap<&str, Vec<u8>> = std::collections::HashMap::new();
    for line in RUNS.lines() {
        let mut words = line.split_whitespace();
        let (name, code) = (words.next().unwrap(), words.next().unwrap());
        let code: i32 = code.parse().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_seismo"))
            .args(words)
            .current_dir(root())
            .output()
            .expect("seismo runs");
        assert_eq!(
            out.status.code(),
            Some(code),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Another thread count: the same bytes as the report's first run.
        if let Some(earlier) = first.get(name) {
            if *earlier != out.stdout {
                changed.push(name);
            }
            continue;
        }
        first.insert(name, out.stdout.clone());
        let path = golden(name);
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &out.stdout).unwrap();
            continue;
        }
        let expected = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (SEISMO_BLESS=1 writes it)", path.display()));
        let same = if MODEL_OUTPUTS.contains(&name) {
            close(
                &serde_json::from_slice(&expected).unwrap(),
                &serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
            )
        } else {
            expected == out.stdout
        };
        if !same {
            changed.push(name);
        }
    }
    assert!(
        changed.is_empty(),
        "output changed: {changed:?} (diff against crates/cli/tests/fixtures/golden/; \
         SEISMO_BLESS=1 rewrites them)"
    );
}

/// Whether two JSON documents are the same but for fractions within [`MODEL_TOLERANCE`].
fn close(expected: &serde_json::Value, got: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (expected, got) {
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| close(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| close(v, w))
        }
        (Value::Number(a), Value::Number(b)) if a.is_f64() || b.is_f64() => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            (a - b).abs() <= MODEL_TOLERANCE
        }
        _ => expected == got,
    }
}
