//! Deterministic synthetic data for the criterion benches, built in memory so the benches
//! need no files: `cargo bench -p seismo-benches`.

use std::sync::Arc;

use arrow_array::{ArrayRef, DictionaryArray, Float64Array, RecordBatch, types::Int32Type};
use arrow_schema::{DataType, Field, Schema};

/// A small, fast, seeded generator (SplitMix64) so bench data is the same on every run.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A uniform `u64`.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform `f64` in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal value (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(f64::MIN_POSITIVE), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// `n` bell-shaped values `loc + scale·(u₁+u₂+u₃+u₄ − 2)` from seed `seed`: the
/// `irwin_hall` generator of `scripts/oracles/stats_scipy.py`, bit for bit, so the Python
/// peers can rebuild the very same arrays (`benches/scripts/scipy_kernels.py`).
pub fn irwin_hall(n: usize, seed: u64, loc: f64, scale: f64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
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
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let mut left = rows;
    while left > 0 {
        let n = left.min(batch_rows);
        left -= n;
        let mut columns: Vec<ArrayRef> = Vec::new();
        for i in 0..20 {
            let values: Float64Array = (0..n)
                .map(|_| (rng.uniform() >= 0.01).then(|| rng.normal() * (i + 1) as f64))
                .collect();
            columns.push(Arc::new(values));
        }
        for k in [3u64, 5, 10, 20, 50] {
            let labels: Vec<String> = (0..n).map(|_| format!("v{}", rng.next_u64() % k)).collect();
            let array: DictionaryArray<Int32Type> = labels.iter().map(String::as_str).collect();
            columns.push(Arc::new(array));
        }
        let prediction: Float64Array = (0..n).map(|_| Some(rng.uniform())).collect();
        columns.push(Arc::new(prediction));
        out.push(RecordBatch::try_new(schema.clone(), columns).expect("columns match the schema"));
    }
    out
}
