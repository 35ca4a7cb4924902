//! Profiling throughput: 1M rows x 26 columns from memory, on one thread and on all cores,
//! and the per-kind cost of updating one column.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seismo_core::Schema;
use seismo_stats::profile::{Profile, profile_partitions};

fn profile(c: &mut Criterion) {
    let batches = seismo_benches::batches(1_000_000, 16_384, 7);
    let schema = Schema::from_arrow(&batches[0].schema());
    let mut group = c.benchmark_group("profile_1m_rows_26_cols");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(1_000_000));
    group.bench_function("one_thread", |b| {
        b.iter(|| {
            let mut profile = Profile::new(&schema);
            for batch in &batches {
                profile.update(batch).unwrap();
            }
            profile
        })
    });
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    group.bench_function(BenchmarkId::new("parallel", threads), |b| {
        b.iter(|| {
            let partition = batches
                .iter()
                .cloned()
                .map(Ok::<_, std::convert::Infallible>);
            profile_partitions(&schema, vec![partition], threads, &|_| {}).unwrap()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("profile_column_1m_rows");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(1_000_000));
    for column in ["f0", "c4"] {
        let index = batches[0].schema().index_of(column).unwrap();
        let one = Schema {
            columns: vec![schema.columns[index].clone()],
            unsupported: vec![],
        };
        group.bench_function(column, |b| {
            b.iter(|| {
                let mut profile = Profile::new(&one);
                for batch in &batches {
                    profile.update(batch).unwrap();
                }
                profile
            })
        });
    }
    group.finish();
}

criterion_group!(benches, profile);
criterion_main!(benches);
