//! Arbitrary inputs (NaN, infinities, ties, empty and one-value samples, huge magnitudes) never
//! make a kernel panic: each returns a typed error or a result in its valid range.

use proptest::prelude::*;
use seismo_stats::changepoint::{Cost, Stop, binary_segmentation, pelt};
use seismo_stats::correction::{benjamini_hochberg, bonferroni, holm};
use seismo_stats::distance::{
    Binning, bin, hellinger, jensen_shannon, kl_divergence, ks_from_sketches, linf, psi,
    total_variation, wasserstein, wasserstein_normalized,
};
use seismo_stats::online::{Adwin, Cusum, Ewma, PageHinkley};
use seismo_stats::sketch::QuantileSketch;
use seismo_stats::two_sample::{
    KsMethod, MmdOptions, TestResult, anderson_ksamp, chi2_contingency, cramer_von_mises,
    energy_test, fisher_exact, g_test, ks_2samp, mann_whitney_u, mmd_test, welch_t_test,
    z_test_proportions,
};

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -5.0..5.0f64,
        2 => (0..4i32).prop_map(f64::from), // ties
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => prop_oneof![Just(1e300), Just(-1e300), Just(0.0), Just(-0.0), Just(5e-324)],
        1 => prop_oneof![Just(-5e-324), Just(1.0 + f64::EPSILON), Just(1.0 - f64::EPSILON / 2.0), Just(1.0)],
    ]
}

/// Zeros, mostly: values for samples whose signed zeros are then flipped.
fn zeroish() -> impl Strategy<Value = f64> {
    prop_oneof![3 => Just(0.0), 3 => Just(-0.0), 1 => Just(5e-324), 1 => Just(1.0), 1 => -2.0..2.0f64]
}

/// The sample with every zero's sign chosen by `flips` (cycled).
fn flip_zeros(sample: &[f64], flips: &[bool]) -> Vec<f64> {
    sample
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if v == 0.0 && flips.get(i % flips.len().max(1)).copied().unwrap_or(false) {
                -v
            } else {
                v
            }
        })
        .collect()
}

fn same(
    a: &Result<TestResult, seismo_stats::StatsError>,
    b: &Result<TestResult, seismo_stats::StatsError>,
) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            a.statistic.to_bits() == b.statistic.to_bits()
                && a.p_value.to_bits() == b.p_value.to_bits()
        }
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(value(), 0..40)
}

fn valid(r: &TestResult) -> bool {
    r.p_value.is_nan() || (0.0..=1.0).contains(&r.p_value)
}

// A fixed seed keeps CI deterministic. To explore new inputs, change the seed or `cases`
// here (these fields override the PROPTEST_* environment variables); 15 random seeds of
// 1,000 cases each passed before the seed was fixed.
proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_123),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// `-0.0 == 0.0`: flipping the sign of any zero changes no statistic, not even in the last bit.
    #[test]
    fn signed_zeros_change_nothing(a in prop::collection::vec(zeroish(), 1..30), b in prop::collection::vec(zeroish(), 1..30),
                                   flips in prop::collection::vec(any::<bool>(), 1..8)) {
        let (fa, fb) = (flip_zeros(&a, &flips), flip_zeros(&b, &flips[1..]));
        let tests = |a: &[f64], b: &[f64]| vec![
            ks_2samp(a, b, KsMethod::Auto), welch_t_test(a, b), mann_whitney_u(a, b), cramer_von_mises(a, b),
            anderson_ksamp(&[a, b]), energy_test(a, b, 20, 1),
        ];
        for (x, y) in tests(&a, &b).iter().zip(&tests(&fa, &fb)) {
            prop_assert!(same(x, y), "{x:?} vs {y:?} for {a:?} / {b:?}");
        }
        let (w, fw) = (wasserstein(&a, &b).ok(), wasserstein(&fa, &fb).ok());
        prop_assert_eq!(w.map(f64::to_bits), fw.map(f64::to_bits));
        for binning in [Binning::Quantile { bins: 4 }, Binning::FixedWidth { bins: 4 }] {
            let (x, y) = (bin(&a, &b, &binning).ok(), bin(&fa, &fb, &binning).ok());
            prop_assert_eq!(x.map(|h| (h.reference, h.current)), y.map(|h| (h.reference, h.current)));
        }
    }

    #[test]
    fn two_sample_tests_never_panic(a in sample(), b in sample()) {
        for method in [KsMethod::Auto, KsMethod::Exact, KsMethod::Asymptotic] {
            if let Ok(r) = ks_2samp(&a, &b, method) { prop_assert!(valid(&r) && (0.0..=1.0).contains(&r.statistic)); }
        }
        let mut few = MmdOptions::default();
        few.permutations = 10;
        for r in [welch_t_test(&a, &b), mann_whitney_u(&a, &b), cramer_von_mises(&a, &b), anderson_ksamp(&[&a, &b]),
                  energy_test(&a, &b, 20, 1), mmd_test(&a, &b, &few)]
            .into_iter().flatten() {
            prop_assert!(valid(&r), "{r:?}");
        }
        let _ = wasserstein(&a, &b);
        let _ = wasserstein_normalized(&a, &b);
        for binning in [Binning::default(), Binning::FixedWidth { bins: 3 }, Binning::Edges(vec![0.0, 1.0])] {
            if let Ok(h) = bin(&a, &b, &binning) {
                prop_assert_eq!(h.reference.iter().sum::<u64>() as usize, a.iter().filter(|v| !v.is_nan()).count());
                for d in [psi(&h.reference, &h.current), kl_divergence(&h.reference, &h.current), jensen_shannon(&h.reference, &h.current),
                          hellinger(&h.reference, &h.current), total_variation(&h.reference, &h.current), linf(&h.reference, &h.current)] {
                    prop_assert!(d.is_ok_and(|d| d >= -1e-12 && !d.is_nan()));
                }
            }
        }
        let (mut sa, mut sb) = (QuantileSketch::default(), QuantileSketch::default());
        sa.extend(&a);
        sb.extend(&b);
        let _ = ks_from_sketches(&sa, &sb);
    }

    #[test]
    fn count_tests_never_panic(r in prop::collection::vec(0..50u64, 0..6), c in prop::collection::vec(0..50u64, 0..6),
                               x in 0..20u64, y in 0..20u64, n in 0..20u64, m in 0..20u64) {
        for result in [chi2_contingency(&r, &c), g_test(&r, &c), z_test_proportions(x, n, y, m),
                       fisher_exact([[x, y], [n, m]])].into_iter().flatten() {
            prop_assert!(valid(&result), "{result:?}");
        }
    }

    #[test]
    fn corrections_detectors_and_change_points_never_panic(series in sample(), ps in prop::collection::vec(prop_oneof![0.0..=1.0f64, Just(f64::NAN)], 0..10)) {
        for adjusted in [bonferroni(&ps), holm(&ps), benjamini_hochberg(&ps)] {
            prop_assert!(adjusted.iter().zip(&ps).all(|(a, p)| a.is_nan() == p.is_nan() && (a.is_nan() || (0.0..=1.0).contains(a))));
        }
        let mut detectors = (PageHinkley::new(0.1, 5.0), Cusum::learning(5, 0.5, 5.0), Ewma::learning(5, 0.2, 3.0), Adwin::new(0.01));
        for &x in &series {
            detectors.0.update(x);
            detectors.1.update(x);
            detectors.2.update(x);
            detectors.3.update(x);
        }
        for cost in [Cost::Mean, Cost::MeanAndVariance] {
            let finite = series.iter().all(|v| v.is_finite());
            prop_assert_eq!(pelt(&series, cost, 1.0, 2).is_ok(), finite);
            prop_assert_eq!(binary_segmentation(&series, cost, Stop::Count(3), 2).is_ok(), finite);
        }
    }
}
