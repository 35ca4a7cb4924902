//! `seismo estimate`'s work without the reading: CBPE fitted on 1M labelled reference rows
//! (the calibration decided automatically: ten held-out isotonic fits), then six metrics
//! estimated on 1M current rows in ten chunks. The whole command against NannyML is in
//! docs/benchmarks.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seismo_stats::cbpe::{Cbpe, CbpeOptions};
use seismo_stats::random::SplitMix64;

/// Scores and labels of a model that is confident beyond its accuracy (so calibrating
/// helps), seeded.
fn scored(rows: usize, seed: u64, shift: f64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = SplitMix64::new(seed);
    (0..rows)
        .map(|_| {
            let p = (rng.uniform() * (1.0 - shift) + shift / 2.0).clamp(0.0, 1.0);
            let label = f64::from(rng.uniform() < 0.5 + (p - 0.5) * 0.8);
            (p, label)
        })
        .unzip()
}

fn bench(c: &mut Criterion) {
    let (scores, labels) = scored(1_000_000, 1, 0.0);
    let (current, _) = scored(1_000_000, 2, 0.3);
    let chunks: Vec<_> = (0..10).map(|i| i * 100_000..(i + 1) * 100_000).collect();
    let mut group = c.benchmark_group("cbpe_1m_reference_1m_current");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(2_000_000));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, cores] {
        let options = CbpeOptions {
            threads,
            ..CbpeOptions::default()
        };
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            b.iter(|| {
                let cbpe = Cbpe::fit(&scores, &labels, &chunks, &options).unwrap();
                assert!(cbpe.calibrated());
                let estimates: Vec<_> = chunks
                    .iter()
                    .map(|chunk| cbpe.estimate(&current[chunk.clone()], None))
                    .collect();
                estimates
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
