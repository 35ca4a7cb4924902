//! Running one named test on one column's reference and current values.

use seismo_stats::distance::{
    Binning, align_categories, bin, hellinger, jensen_shannon, kl_divergence, linf, psi,
    total_variation, wasserstein, wasserstein_normalized,
};
use seismo_stats::two_sample::{
    KsMethod, MmdOptions, anderson_ksamp, chi2_contingency, cramer_von_mises, energy_distance,
    fisher_exact, g_test, ks_2samp, mann_whitney_u, mmd_test, welch_t_test, z_test_proportions,
};

use crate::test_name::TestName;
use crate::values::Values;

/// What a test measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// The statistic or distance.
    pub statistic: f64,
    /// The p-value, for p-value tests.
    pub p_value: Option<f64>,
}

/// Runs `test` on the two columns. Ordered tests need numbers; count tests use the labels
/// (numbers count by their text); binned distances bin numbers on the reference's deciles and
/// use categories as bins otherwise. An error says why the test cannot run.
pub fn run(
    test: TestName,
    reference: Values,
    current: Values,
    seed: u64,
) -> Result<Measured, String> {
    use TestName::*;
    let p = |r: seismo_stats::two_sample::TestResult| Measured {
        statistic: r.statistic,
        p_value: Some(r.p_value),
    };
    let distance = |d: f64| Measured {
        statistic: d,
        p_value: None,
    };
    let err = |e: seismo_stats::StatsError| e.to_string();
    if test.needs_numbers() {
        let (Values::Numbers(a), Values::Numbers(b)) = (&reference, &current) else {
            return Err(format!("{test} needs numeric values"));
        };
        return match test {
            Ks => ks_2samp(a, b, KsMethod::Auto).map(p).map_err(err),
            TTest => welch_t_test(a, b).map(p).map_err(err),
            MannWhitney => mann_whitney_u(a, b).map(p).map_err(err),
            Anderson => anderson_ksamp(&[a, b]).map(p).map_err(err),
            CramerVonMises => cramer_von_mises(a, b).map(p).map_err(err),
            Mmd => {
                let mut options = MmdOptions::default();
                options.seed = seed;
                mmd_test(a, b, &options).map(p).map_err(err)
            }
            Energy => energy_distance(a, b).map(distance).map_err(err),
            // In reference standard deviations; a constant reference falls back to raw units.
            _ => match wasserstein_normalized(a, b).map_err(err)? {
                Some(w) => Ok(distance(w)),
                None => wasserstein(a, b).map(distance).map_err(err),
            },
        };
    }
    let (r, c) = counts(test, reference, current)?;
    match test {
        Chi2 => chi2_contingency(&r, &c).map(p).map_err(err),
        GTest => g_test(&r, &c).map(p).map_err(err),
        Z | Fisher => {
            if r.len() != 2 {
                return Err(format!(
                    "{test} needs a column with exactly two values, this one has {}",
                    r.len()
                ));
            }
            if test == Z {
                z_test_proportions(r[0], r[0] + r[1], c[0], c[0] + c[1])
                    .map(p)
                    .map_err(err)
            } else {
                fisher_exact([[r[0], r[1]], [c[0], c[1]]])
                    .map(p)
                    .map_err(err)
            }
        }
        Psi => psi(&r, &c).map(distance).map_err(err),
        Kl => kl_divergence(&r, &c).map(distance).map_err(err),
        JensenShannon => jensen_shannon(&r, &c).map(distance).map_err(err),
        Hellinger => hellinger(&r, &c).map(distance).map_err(err),
        Tvd => total_variation(&r, &c).map(distance).map_err(err),
        _ => linf(&r, &c).map(distance).map_err(err),
    }
}

/// Aligned counts for a count test or binned distance: label counts for contingency tests
/// and for categories; decile bins of the reference for numbers under a binned distance.
fn counts(
    test: TestName,
    reference: Values,
    current: Values,
) -> Result<(Vec<u64>, Vec<u64>), String> {
    let binned = matches!(
        test,
        TestName::Psi
            | TestName::Kl
            | TestName::JensenShannon
            | TestName::Hellinger
            | TestName::Tvd
            | TestName::Linf
    );
    if let (true, Values::Numbers(a), Values::Numbers(b)) = (binned, &reference, &current) {
        let h = bin(a, b, &Binning::default()).map_err(|e| e.to_string())?;
        return Ok((h.reference, h.current));
    }
    let (a, b) = (reference.into_labels(), current.into_labels());
    let (_, r, c) = align_categories(
        a.iter().map(|(k, &n)| (k.as_str(), n)),
        b.iter().map(|(k, &n)| (k.as_str(), n)),
    );
    Ok((r, c))
}
