//! The MMD test on rows against Alibi Detect's `MMDDrift` (PyTorch backend, float64), on
//! real data (breast cancer, wine) and planted cases, from `scripts/oracles/mmd_alibi.py`
//! (fixture committed). Alibi keeps σ in float32: the statistic is compared at Alibi's σ, to
//! 1e-9 relative; seismo's median heuristic against the same order statistic in float64, to
//! 1e-12; the permutation p-values within Monte-Carlo error.

use ndarray::Array2;
use seismo_stats::multivariate::{MmdEstimate, MmdMatrixOptions, median_bandwidth, mmd_matrix};

fn oracle() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mmd_alibi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn matrix(value: &serde_json::Value) -> Array2<f64> {
    let rows = value.as_array().unwrap();
    let width = rows[0].as_array().unwrap().len();
    let values = rows
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
        .collect();
    Array2::from_shape_vec((rows.len(), width), values).unwrap()
}

#[test]
fn mmd_equals_alibi_detect_at_its_bandwidth_and_the_median_heuristic_is_exact() {
    let oracle = oracle();
    let permutations = oracle["permutations"].as_u64().unwrap() as usize;
    for (name, case) in oracle["cases"].as_object().unwrap() {
        let (x, y) = (matrix(&case["reference"]), matrix(&case["current"]));
        // The bandwidth: exactly the order statistic Alibi takes, before its float32 rounding.
        let sigma = median_bandwidth(x.view(), 2);
        let want = case["median_sigma"].as_f64().unwrap();
        assert!(
            (sigma - want).abs() <= 1e-12 * want,
            "{name}: sigma {sigma} numpy {want}"
        );
        let alibi_sigma = case["alibi_sigma"].as_f64().unwrap();
        assert!(
            (sigma - alibi_sigma).abs() <= 1e-7 * alibi_sigma,
            "{name}: sigma {sigma} alibi (float32) {alibi_sigma}"
        );
        let mut options = MmdMatrixOptions::default();
        // Alibi's kernel uses γ = 1/(2σ²) computed in float32: the σ that amounts to.
        options.bandwidth = Some(case["alibi_kernel_sigma"].as_f64().unwrap());
        options.permutations = permutations;
        options.seed = 11;
        options.threads = 2;
        let got = mmd_matrix(x.view(), y.view(), &options).unwrap();
        assert_eq!(got.estimate, MmdEstimate::Quadratic);
        let want = case["mmd2"].as_f64().unwrap();
        assert!(
            (got.statistic - want).abs() <= 1e-9 * want.abs().max(1e-3),
            "{name}: mmd2 {} alibi {want}",
            got.statistic
        );
        // Both p-values estimate one permutation p-value from 1000 draws: within four
        // standard errors (and seismo's +1).
        let alibi_p = case["p_value"].as_f64().unwrap();
        let p = got.p_value;
        let se = (alibi_p * (1.0 - alibi_p) / permutations as f64)
            .sqrt()
            .max(1e-3);
        assert!(
            (p - alibi_p).abs() <= 4.0 * se + 2.0 / permutations as f64,
            "{name}: p {p} alibi {alibi_p}"
        );
        let threshold = case["threshold"].as_f64().unwrap();
        let got_threshold = got.threshold.unwrap();
        assert!(
            (got_threshold - threshold).abs() <= 0.25 * threshold.abs().max(1e-3),
            "{name}: threshold {got_threshold} alibi {threshold}"
        );
    }
}

#[test]
fn the_result_is_the_same_bits_on_any_thread_count_and_seeded() {
    let oracle = oracle();
    let case = &oracle["cases"]["breast_cancer"];
    let (x, y) = (matrix(&case["reference"]), matrix(&case["current"]));
    let run = |threads: usize, seed: u64| {
        let mut options = MmdMatrixOptions::default();
        options.threads = threads;
        options.seed = seed;
        mmd_matrix(x.view(), y.view(), &options).unwrap()
    };
    let one = run(1, 3);
    assert_eq!(one, run(2, 3));
    assert_eq!(one, run(5, 3));
    assert_eq!(
        one.statistic,
        run(1, 4).statistic,
        "the seed moves permutations only"
    );
}

#[test]
fn large_samples_use_the_linear_estimate_and_still_see_a_joint_drift() {
    let oracle = oracle();
    let case = &oracle["cases"]["joint_drift"];
    let (x, y) = (matrix(&case["reference"]), matrix(&case["current"]));
    let mut options = MmdMatrixOptions::default();
    options.max_quadratic = 100;
    let got = mmd_matrix(x.view(), y.view(), &options).unwrap();
    assert_eq!(got.estimate, MmdEstimate::Linear);
    assert!(got.threshold.is_none() && got.permutations == 0);
    assert!(got.statistic > 0.0, "{got:?}");
    let none = &oracle["cases"]["no_drift"];
    let got = mmd_matrix(
        matrix(&none["reference"]).view(),
        matrix(&none["current"]).view(),
        &options,
    )
    .unwrap();
    assert!(got.p_value > 0.05, "{got:?}");
}

#[test]
fn bad_rows_are_errors() {
    let x = Array2::from_shape_vec((3, 2), vec![0.0, 1.0, 2.0, f64::NAN, 1.0, 1.0]).unwrap();
    let y = Array2::<f64>::zeros((3, 2));
    let options = MmdMatrixOptions::default();
    assert!(mmd_matrix(x.view(), y.view(), &options).is_err(), "NaN");
    assert!(mmd_matrix(y.view(), Array2::<f64>::zeros((3, 3)).view(), &options).is_err());
    assert!(mmd_matrix(y.view(), Array2::<f64>::zeros((1, 2)).view(), &options).is_err());
    // Every row alike: σ falls back to 1 and the statistic is 0.
    let got = mmd_matrix(y.view(), y.view(), &options).unwrap();
    assert_eq!(got.bandwidth, 1.0);
    assert!(got.statistic.abs() < 1e-15);
}
