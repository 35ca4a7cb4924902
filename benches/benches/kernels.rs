//! Drift kernels on 10^6 reference vs 10^6 current values (a 0.01 shift), the arrays
//! `benches/scripts/scipy_kernels.py` rebuilds for scipy's timing.

use criterion::{Criterion, criterion_group, criterion_main};
use seismo_benches::irwin_hall;
use seismo_stats::distance::wasserstein;
use seismo_stats::two_sample::{KsMethod, ks_2samp};

fn kernels(c: &mut Criterion) {
    let reference = irwin_hall(1_000_000, 1, 0.0, 1.0);
    let current = irwin_hall(1_000_000, 2, 0.01, 1.0);
    let mut group = c.benchmark_group("drift_1m_vs_1m");
    group.sample_size(20);
    group.bench_function("ks_2samp", |b| {
        b.iter(|| ks_2samp(&reference, &current, KsMethod::Auto).unwrap())
    });
    group.bench_function("wasserstein", |b| {
        b.iter(|| wasserstein(&reference, &current).unwrap())
    });
    group.bench_function("sort_1m", |b| {
        b.iter(|| seismo_stats::sort::sorted_keys(&reference))
    });
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
