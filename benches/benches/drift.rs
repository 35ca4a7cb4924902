//! `seismo drift`'s work without the reading: 1M reference rows against 1M current rows of
//! 26 columns (the whole-command benchmark's shape) from memory, every column tested, on
//! one thread and on all cores. The whole command's figure (with reading) is in
//! docs/benchmarks.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seismo_core::Dataset;
use seismo_drift::{DriftOptions, detect};

fn bench(c: &mut Criterion) {
    let dataset = |seed| {
        let batches = seismo_benches::batches(1_000_000, 65_536, seed);
        Dataset::from_batches(batches[0].schema(), batches).unwrap()
    };
    let (reference, current) = (dataset(1), dataset(2));
    let mut group = c.benchmark_group("drift_1m_vs_1m_26_columns");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(2_000_000));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, cores] {
        let mut options = DriftOptions::default();
        options.threads = threads;
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| {
                let report = detect(&reference, &current, &options);
                assert_eq!(report.columns.len(), 26);
                report
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
