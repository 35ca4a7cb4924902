//! The service's store: 100 batches of 1,000 records (20 numeric features, ids), each
//! compressed and committed durably, as `seismo serve` stores a `Log`. The service as a
//! whole (gRPC, group commit, `Check` latency, bytes per record) is measured by
//! `cargo run --release -p seismo-benches --bin load` (docs/benchmarks.md).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use seismo_monitor::Store;
use seismo_monitor::model::Task;
use seismo_monitor::record::{Columns, FeatureValues};
use seismo_monitor::store::encode_compressed;

fn batch(b: u64) -> Columns {
    let rows = b * 1000..(b + 1) * 1000;
    Columns {
        ids: rows.clone().map(|i| format!("r{i}")).collect(),
        time_micros: rows.clone().map(|i| i as i64 * 1000).collect(),
        predictions: rows
            .clone()
            .map(|i| ((i * 13) % 100) as f64 / 100.0)
            .collect(),
        features: (0..20u64)
            .map(|f| FeatureValues {
                name: format!("f{f}"),
                numbers: rows
                    .clone()
                    .map(|i| ((i * 31 + f * 7) % 997) as f64)
                    .collect(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn bench(c: &mut Criterion) {
    let batches: Vec<Columns> = (0..100).map(batch).collect();
    let mut group = c.benchmark_group("store_100k_records");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(100_000));
    group.bench_function("append_compressed_and_commit", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let store = Store::open(dir.path(), 64 << 20).unwrap();
                for (i, columns) in batches.iter().enumerate() {
                    let mut write = store.write().unwrap();
                    write
                        .append(
                            "m@1",
                            Task::Regression,
                            i as i64 / 10,
                            columns,
                            &encode_compressed(columns),
                        )
                        .unwrap();
                    write.commit().unwrap();
                }
                dir
            },
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
