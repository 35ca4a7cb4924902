//! Validation throughput: 1M rows x 26 columns from memory against the 50 checks of
//! benches/rules/validate50.toml, on one thread and on all cores.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seismo_core::Dataset;
use seismo_rules::{Rules, ValidateOptions, validate};

fn bench(c: &mut Criterion) {
    let batches = seismo_benches::batches(1_000_000, 16_384, 7);
    let data = Dataset::from_batches(batches[0].schema(), batches).unwrap();
    let rules = Rules::parse("validate50.toml", include_str!("../rules/validate50.toml")).unwrap();
    let mut group = c.benchmark_group("validate_1m_rows_50_checks");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(1_000_000));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, cores] {
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| {
                let result =
                    validate(&rules, &data, None, &ValidateOptions::new(5, threads)).unwrap();
                assert_eq!(result.checks.len(), 50);
                result
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
