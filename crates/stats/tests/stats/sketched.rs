//! Drift measures from sketches against the same measures on the full samples.

use seismo_stats::distance::{
    Binning, bin, jensen_shannon, jensen_shannon_from_sketches, ks_from_sketches, psi,
    psi_from_sketches, sketch_decile_edges, wasserstein, wasserstein_from_sketches,
};
use seismo_stats::random::SplitMix64;
use seismo_stats::sketch::QuantileSketch;
use seismo_stats::two_sample::ks_statistic_sorted;

fn sample(seed: u64, n: usize, shape: &str, shift: f64, scale: f64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    let mut u = move || rng.uniform();
    (0..n)
        .map(|_| {
            let base = match shape {
                "bell" => u() + u() + u() + u() - 2.0,
                "skewed" => -(1.0 - u()).ln(), // exponential
                _ => (u() * 20.0).floor(),     // heavy ties
            };
            shift + scale * base
        })
        .collect()
}

fn sketch(values: &[f64]) -> QuantileSketch {
    let mut s = QuantileSketch::default();
    s.extend(values);
    s
}

#[test]
fn sketch_measures_stay_within_their_documented_error() {
    let cases = [
        ("bell", 0.0, 1.0),
        ("bell", 0.05, 1.0),
        ("bell", 0.3, 1.2),
        ("skewed", 0.0, 1.0),
        ("skewed", 0.2, 1.5),
        ("ties", 0.0, 1.0),
        ("ties", 1.0, 1.0),
    ];
    for (i, &(shape, shift, scale)) in cases.iter().enumerate() {
        let a = sample(100 + i as u64, 200_000, shape, 0.0, 1.0);
        let b = sample(200 + i as u64, 150_000, shape, shift, scale);
        let (sa, sb) = (sketch(&a), sketch(&b));
        let label = format!("{shape} shift {shift} scale {scale}");

        let mut sorted_a = a.clone();
        sorted_a.sort_by(f64::total_cmp);
        let mut sorted_b = b.clone();
        sorted_b.sort_by(f64::total_cmp);
        let exact = ks_statistic_sorted(&sorted_a, &sorted_b);
        let est = ks_from_sketches(&sa, &sb).unwrap();
        assert!(
            (est.value - exact).abs() <= est.error_bound.unwrap(),
            "{label}: KS {} vs {exact}",
            est.value
        );

        // Quantile noise adds to W: about the rank errors times the data's spread.
        let exact = wasserstein(&a, &b).unwrap();
        let est = wasserstein_from_sketches(&sa, &sb).unwrap().value;
        let std = seismo_stats::sketch::Moments::from_slice(&a).std().unwrap();
        let slack = 2.0 * (sa.rank_error() + sb.rank_error()) * std;
        assert!(
            (est - exact).abs() <= 0.05 * exact + slack,
            "{label}: W {est} vs {exact}"
        );

        // Exact PSI and JS on the same edges, so only the sketches' share error is measured.
        let h = bin(&a, &b, &Binning::Edges(sketch_decile_edges(&sa))).unwrap();
        let exact = psi(&h.reference, &h.current).unwrap();
        let est = psi_from_sketches(&sa, &sb).unwrap().value;
        assert!(
            (est - exact).abs() <= 0.01 + 0.05 * exact,
            "{label}: PSI {est} vs {exact}"
        );
        let exact = jensen_shannon(&h.reference, &h.current).unwrap();
        let est = jensen_shannon_from_sketches(&sa, &sb).unwrap().value;
        assert!(
            (est - exact).abs() <= 0.02 + 0.05 * exact,
            "{label}: JS {est} vs {exact}"
        );
    }
}

#[test]
fn empty_sketches_are_errors() {
    let full = sketch(&[1.0, 2.0]);
    assert!(ks_from_sketches(&QuantileSketch::default(), &full).is_err());
    assert!(psi_from_sketches(&full, &QuantileSketch::default()).is_err());
}
