//! Deterministic synthetic data for the criterion benches, built in memory so the benches
//! need no files: `cargo bench -p seismo-benches`.

use std::sync::Arc;

use arrow_array::{ArrayRef, DictionaryArray, Float64Array, RecordBatch, types::Int32Type};
use arrow_schema::{DataType, Field, Schema};
use seismo_stats::random::SplitMix64;

/// `n` bell-shaped values `loc + scale·(u₁+u₂+u₃+u₄ − 2)` from seed `seed`: the
/// `irwin_hall` generator of `scripts/oracles/stats_scipy.py`, bit for bit, so the Python
/// peers can rebuild the very same arrays (`benches/scripts/scipy_kernels.py`).
pub fn irwin_hall(n: usize, seed: u64, loc: f64, scale: f64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let (a, b, c, d) = (rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform());
            loc + scale * (a + b + c + d - 2.0)
        })
        .collect()
}

/// `rows` rows of 20 numeric columns (1% nulls), 5 categorical (dictionary-encoded, as
/// Parquet readers give them) and a prediction, in batches of `batch_rows`: the shape of the
/// whole-command benchmarks' files.
pub fn batches(rows: usize, batch_rows: usize, seed: u64) -> Vec<RecordBatch> {
    let mut fields: Vec<Field> = (0..20)
        .map(|i| Field::new(format!("f{i}"), DataType::Float64, true))
        .collect();
    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    fields.extend((0..5).map(|i| Field::new(format!("c{i}"), dict.clone(), true)));
    fields.push(Field::new("prediction", DataType::Float64, true));
    let schema = Arc::new(Schema::new(fields));
    let mut rng = SplitMix64::new(seed);
    let mut normal = move || {
        // Box–Muller: enough for bench data.
        let (u, v) = (rng.uniform().max(f64::MIN_POSITIVE), rng.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let mut labels = SplitMix64::new(seed ^ 0x5EED);
    let mut out = Vec::new();
    let mut left = rows;
    while left > 0 {
        let n = left.min(batch_rows);
        left -= n;
        let mut columns: Vec<ArrayRef> = Vec::new();
        for i in 0..20 {
            let values: Float64Array = (0..n)
                .map(|_| (labels.uniform() >= 0.01).then(|| normal() * (i + 1) as f64))
                .collect();
            columns.push(Arc::new(values));
        }
        for k in [3u64, 5, 10, 20, 50] {
            let values: Vec<String> = (0..n)
                .map(|_| format!("v{}", labels.next_u64() % k))
                .collect();
            let array: DictionaryArray<Int32Type> = values.iter().map(String::as_str).collect();
            columns.push(Arc::new(array));
        }
        let prediction: Float64Array = (0..n).map(|_| Some(labels.uniform())).collect();
        columns.push(Arc::new(prediction));
        out.push(RecordBatch::try_new(schema.clone(), columns).expect("columns match the schema"));
    }
    out
}
