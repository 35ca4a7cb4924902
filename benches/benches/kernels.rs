//! Drift kernels on 10^6 reference vs 10^6 current values (a 0.01 shift): the arrays
//! `benches/scripts/scipy_kernels.py` rebuilds for scipy's timing. Also the detectors per
//! 10^6 updates and change points on a 10^5-value series.

use criterion::{Criterion, criterion_group, criterion_main};
use seismo_benches::irwin_hall;
use seismo_stats::changepoint::{Cost, Stop, binary_segmentation, pelt};
use seismo_stats::distance::{Binning, bin, jensen_shannon, ks_from_sketches, psi, wasserstein};
use seismo_stats::online::{Adwin, Cusum, PageHinkley};
use seismo_stats::sketch::QuantileSketch;
use seismo_stats::two_sample::{
    KsMethod, MmdOptions, anderson_ksamp, cramer_von_mises, energy_distance, ks_2samp,
    mann_whitney_u, mmd_test, welch_t_test,
};

fn kernels(c: &mut Criterion) {
    let reference = irwin_hall(1_000_000, 1, 0.0, 1.0);
    let current = irwin_hall(1_000_000, 2, 0.01, 1.0);
    let mut group = c.benchmark_group("drift_1m_vs_1m");
    group.sample_size(10);
    group.bench_function("ks_2samp", |b| {
        b.iter(|| ks_2samp(&reference, &current, KsMethod::Auto).unwrap())
    });
    group.bench_function("wasserstein", |b| {
        b.iter(|| wasserstein(&reference, &current).unwrap())
    });
    group.bench_function("mann_whitney_u", |b| {
        b.iter(|| mann_whitney_u(&reference, &current).unwrap())
    });
    group.bench_function("welch_t_test", |b| {
        b.iter(|| welch_t_test(&reference, &current).unwrap())
    });
    group.bench_function("cramer_von_mises", |b| {
        b.iter(|| cramer_von_mises(&reference, &current).unwrap())
    });
    group.bench_function("anderson_ksamp", |b| {
        b.iter(|| anderson_ksamp(&[&reference, &current]).unwrap())
    });
    group.bench_function("energy_distance", |b| {
        b.iter(|| energy_distance(&reference, &current).unwrap())
    });
    group.bench_function("mmd_linear", |b| {
        b.iter(|| mmd_test(&reference, &current, &MmdOptions::default()).unwrap())
    });
    group.bench_function("psi_and_js_10_quantile_bins", |b| {
        b.iter(|| {
            let h = bin(&reference, &current, &Binning::default()).unwrap();
            (
                psi(&h.reference, &h.current).unwrap(),
                jensen_shannon(&h.reference, &h.current).unwrap(),
            )
        })
    });
    group.bench_function("sort_1m", |b| {
        b.iter(|| seismo_stats::sort::sorted_keys(&reference))
    });
    group.finish();

    let mut group = c.benchmark_group("sketches_1m");
    group.sample_size(10);
    group.bench_function("kll_build", |b| {
        b.iter(|| {
            let mut s = QuantileSketch::default();
            s.extend(&reference);
            s
        })
    });
    let (mut sa, mut sb) = (QuantileSketch::default(), QuantileSketch::default());
    sa.extend(&reference);
    sb.extend(&current);
    group.bench_function("ks_from_sketches", |b| {
        b.iter(|| ks_from_sketches(&sa, &sb).unwrap())
    });
    group.finish();

    let mut group = c.benchmark_group("online_1m_updates");
    group.sample_size(10);
    group.bench_function("page_hinkley", |b| {
        b.iter(|| {
            let mut d = PageHinkley::new(0.25, 25.0);
            reference
                .iter()
                .filter(|&&x| d.update(x).is_change())
                .count()
        })
    });
    group.bench_function("cusum", |b| {
        b.iter(|| {
            let mut d = Cusum::new(0.0, 0.58, 0.5, 5.0);
            reference
                .iter()
                .filter(|&&x| d.update(x).is_change())
                .count()
        })
    });
    group.bench_function("adwin", |b| {
        b.iter(|| {
            let mut d = Adwin::new(0.002);
            reference
                .iter()
                .filter(|&&x| d.update(x).is_change())
                .count()
        })
    });
    group.finish();

    let series: Vec<f64> = irwin_hall(100_000, 3, 0.0, 1.0)
        .into_iter()
        .enumerate()
        .map(|(i, v)| v + if (i / 10_000) % 2 == 1 { 1.0 } else { 0.0 })
        .collect();
    let mut group = c.benchmark_group("change_points_100k");
    group.sample_size(10);
    let penalty = 3.0 * (series.len() as f64).ln() / 3.0;
    group.bench_function("pelt_mean", |b| {
        b.iter(|| pelt(&series, Cost::Mean, penalty, 2).unwrap())
    });
    group.bench_function("binseg_mean", |b| {
        b.iter(|| binary_segmentation(&series, Cost::Mean, Stop::Penalty(penalty), 2).unwrap())
    });
    // No change at all: where PELT's own pruning keeps every start.
    let flat = irwin_hall(100_000, 4, 0.0, 1.0);
    group.bench_function("pelt_mean_no_change", |b| {
        b.iter(|| pelt(&flat, Cost::Mean, penalty, 2).unwrap())
    });
    group.finish();
    let flat = irwin_hall(1_000_000, 5, 0.0, 1.0);
    let mut group = c.benchmark_group("change_points_1m");
    group.sample_size(10);
    group.bench_function("pelt_mean_no_change", |b| {
        b.iter(|| pelt(&flat, Cost::Mean, penalty, 2).unwrap())
    });
    group.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
