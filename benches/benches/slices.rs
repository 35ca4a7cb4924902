//! Slice testing at scale: 1M scored rows, 100 slices × 5 metrics (ROC AUC among them),
//! from memory, through the same runner `seismo test` uses.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use seismo_core::Dataset;
use seismo_slices::{RunOptions, Suite, run_suite};
use seismo_stats::random::SplitMix64;

/// The bench batches plus a label drawn from the prediction (a calibrated model).
fn scored(rows: usize) -> Dataset {
    let mut rng = SplitMix64::new(11);
    let batches: Vec<RecordBatch> = seismo_benches::batches(rows, 65_536, 7)
        .into_iter()
        .map(|batch| {
            let prediction = batch
                .column_by_name("prediction")
                .unwrap()
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap()
                .clone();
            let label: Int64Array = prediction
                .iter()
                .map(|p| Some(i64::from(rng.uniform() < p.unwrap_or(0.0))))
                .collect();
            let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
            columns.push(Arc::new(label));
            let mut fields: Vec<_> = batch.schema().fields().iter().cloned().collect();
            fields.push(Arc::new(arrow_schema::Field::new(
                "label",
                arrow_schema::DataType::Int64,
                true,
            )));
            RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), columns).unwrap()
        })
        .collect();
    Dataset::from_batches(batches[0].schema(), batches).unwrap()
}

/// 100 slices (ranges of the 20 numeric columns, values of the 5 categorical ones and
/// combinations) with 5 metrics each.
fn suite() -> Suite {
    Suite::parse("slices100.toml", include_str!("../suites/slices100.toml")).unwrap()
}

fn bench(c: &mut Criterion) {
    let data = scored(1_000_000);
    let suite = suite();
    let mut group = c.benchmark_group("test_1m_rows_100_slices_5_metrics");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(1_000_000));
    group.bench_function("run_suite", |b| {
        b.iter(|| {
            let report = run_suite(&suite, &data, None, &RunOptions::default()).unwrap();
            assert_eq!(report.results.len(), 500);
            report
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
