//! `seismo history`'s one pass: 10M log rows (timestamp, score, model version) from memory
//! into hourly and automatic windows, then the change-point search on the window series.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use seismo_history::{HistoryOptions, SeriesBuilder, history};
use seismo_stats::random::SplitMix64;

const ROWS: usize = 10_000_000;
const BATCH: usize = 65_536;

/// 60 days of predictions in time order; version 2 multiplies scores by 1000 from day 40.
fn log() -> Vec<RecordBatch> {
    let mut rng = SplitMix64::new(3);
    let span = 60 * 86_400 * 1_000_000_i64;
    let release = 40 * 86_400 * 1_000_000_i64;
    (0..ROWS)
        .step_by(BATCH)
        .map(|first| {
            let rows = BATCH.min(ROWS - first);
            let times: Vec<i64> = (first..first + rows)
                .map(|i| (i as i128 * span as i128 / ROWS as i128) as i64)
                .collect();
            let scores: Vec<f64> = times
                .iter()
                .map(|&t| rng.uniform() * if t >= release { 1000.0 } else { 1.0 })
                .collect();
            let versions: Vec<&str> = times
                .iter()
                .map(|&t| if t >= release { "2.0.0" } else { "1.9.3" })
                .collect();
            let columns: Vec<ArrayRef> = vec![
                Arc::new(TimestampMicrosecondArray::from(times)),
                Arc::new(Float64Array::from(scores)),
                Arc::new(StringArray::from(versions)),
            ];
            RecordBatch::try_from_iter(["t", "score", "version"].into_iter().zip(columns)).unwrap()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let batches = log();
    let mut group = c.benchmark_group("history_10m_rows");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(ROWS as u64));
    for (name, window) in [("hourly", Some("1h")), ("automatic", None)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut builder = SeriesBuilder::new(window.map(|w| w.parse().unwrap()));
                for batch in &batches {
                    builder
                        .update(batch.column(0), batch.column(1), Some(batch.column(2)))
                        .unwrap();
                }
                let report = history(
                    builder.finish(),
                    Some("version"),
                    &[],
                    &HistoryOptions::default(),
                )
                .unwrap();
                assert_eq!(report.change_points.len(), 1);
                report
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
