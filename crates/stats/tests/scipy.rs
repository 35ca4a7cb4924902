//! seismo-stats against scipy and statsmodels on the same samples (fixtures from
//! scripts/oracles/stats_scipy.py): 1e-9 relative on statistics, 1e-6 on p-values.

mod common;

use common::{close, fixture, sample};
use seismo_stats::correction::{benjamini_hochberg, bonferroni, holm};
use seismo_stats::distance::{wasserstein, wasserstein_normalized};
use seismo_stats::special::kolmogorov_sf;
use seismo_stats::two_sample::{KsMethod, ks_2samp};

#[test]
fn ks_2samp_matches_scipy() {
    let data = fixture("scipy.json");
    let cases = data["ks"].as_array().unwrap();
    assert!(cases.len() > 40);
    for case in cases {
        let (a, b) = (sample(&case["reference"]), sample(&case["current"]));
        let method = match case["method"].as_str().unwrap() {
            "auto" => KsMethod::Auto,
            "exact" => KsMethod::Exact,
            _ => KsMethod::Asymptotic,
        };
        let got = ks_2samp(&a, &b, method).unwrap();
        let (stat, p) = (
            case["statistic"].as_f64().unwrap(),
            case["p_value"].as_f64().unwrap(),
        );
        let label = format!("{} ({})", case["name"], case["method"]);
        assert!(
            close(got.statistic, stat, 1e-9, 0.0),
            "{label}: D {} vs scipy {stat}",
            got.statistic
        );
        // scipy's exact p-values are one minus the inside fraction, which carries absolute
        // rounding error of order 1e-13; below that, relative agreement is not meaningful.
        assert!(
            close(got.p_value, p, 1e-6, 1e-12),
            "{label}: p {:e} vs scipy {p:e}",
            got.p_value
        );
    }
}

#[test]
fn kolmogorov_sf_matches_scipy_kstwo_in_every_region() {
    let data = fixture("scipy.json");
    for point in data["kstwo"].as_array().unwrap() {
        let (n, d, sf) = (
            point[0].as_u64().unwrap(),
            point[1].as_f64().unwrap(),
            point[2].as_f64().unwrap(),
        );
        let got = kolmogorov_sf(n, d);
        assert!(
            close(got, sf, 1e-6, 1e-14),
            "kstwo.sf({d}, {n}) = {sf:e}, got {got:e}"
        );
    }
}

#[test]
fn wasserstein_matches_scipy() {
    let data = fixture("scipy.json");
    for case in data["wasserstein"].as_array().unwrap() {
        let (a, b) = (sample(&case["reference"]), sample(&case["current"]));
        let want = case["distance"].as_f64().unwrap();
        let got = wasserstein(&a, &b).unwrap();
        assert!(
            close(got, want, 1e-9, 1e-15),
            "{}: {got} vs scipy {want}",
            case["name"]
        );
        let normalized = wasserstein_normalized(&a, &b).unwrap();
        match case["normalized"].as_f64() {
            Some(w) => assert!(
                close(normalized.unwrap(), w, 1e-9, 1e-15),
                "{}",
                case["name"]
            ),
            None => assert_eq!(normalized, None, "{}", case["name"]),
        }
    }
}

#[test]
fn corrections_match_statsmodels() {
    let data = fixture("scipy.json");
    for case in data["corrections"].as_array().unwrap() {
        let p: Vec<f64> = case["p_values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for (key, got) in [
            ("bonferroni", bonferroni(&p)),
            ("holm", holm(&p)),
            ("bh", benjamini_hochberg(&p)),
        ] {
            let want: Vec<f64> = case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    close(*g, *w, 1e-12, 0.0),
                    "{key} on {p:?}: {got:?} vs {want:?}"
                );
            }
        }
    }
}

#[test]
fn infinities_are_values_not_errors() {
    let w = wasserstein(&[1.0, f64::INFINITY], &[1.0, 2.0]).unwrap();
    assert_eq!(w, f64::INFINITY);
    let same = wasserstein(&[1.0, f64::INFINITY], &[1.0, f64::INFINITY]).unwrap();
    assert_eq!(same, 0.0);
    assert!(wasserstein(&[], &[1.0]).is_err());
}
