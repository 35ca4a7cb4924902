//! Tests on counts: a reference and a current row of category counts (a 2×k table), or
//! the successes of two proportions.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};
use statrs::function::gamma::ln_gamma;

use super::{PValueMethod, TestResult};
use crate::error::StatsError;

/// Pearson's chi-square test of homogeneity on the 2×k table whose rows are `reference` and
/// `current` (counts per category, aligned by index): scipy's `chi2_contingency(table)`,
/// including Yates' continuity correction when the table is 2×2 (one degree of freedom).
///
/// Categories with no count in either row are dropped (scipy refuses them). One category
/// left gives statistic 0 and p-value 1. Both rows must have at least one count.
///
/// ```
/// use seismo_stats::two_sample::chi2_contingency;
///
/// let r = chi2_contingency(&[30, 20, 50], &[40, 25, 35]).unwrap();
/// assert!(r.p_value > 0.05);
/// ```
pub fn chi2_contingency(reference: &[u64], current: &[u64]) -> Result<TestResult, StatsError> {
    contingency(reference, current, "chi2", |observed, expected| {
        (observed - expected).powi(2) / expected
    })
}

/// The G-test (log-likelihood ratio) of homogeneity on the same 2×k table:
/// scipy's `chi2_contingency(table, lambda_="log-likelihood")`, with the same continuity
/// correction for 2×2 tables and the same handling of empty categories.
pub fn g_test(reference: &[u64], current: &[u64]) -> Result<TestResult, StatsError> {
    contingency(reference, current, "g_test", |observed, expected| {
        if observed == 0.0 {
            0.0
        } else {
            2.0 * observed * (observed / expected).ln()
        }
    })
}

fn contingency(
    reference: &[u64],
    current: &[u64],
    test: &'static str,
    term: impl Fn(f64, f64) -> f64,
) -> Result<TestResult, StatsError> {
    if reference.len() != current.len() {
        return Err(StatsError::InvalidArgument(format!(
            "{test}: {} reference categories against {} current ones",
            reference.len(),
            current.len()
        )));
    }
    let columns: Vec<[f64; 2]> = reference
        .iter()
        .zip(current)
        .filter(|(r, c)| **r + **c > 0)
        .map(|(&r, &c)| [r as f64, c as f64])
        .collect();
    let rows = [
        columns.iter().map(|c| c[0]).sum::<f64>(),
        columns.iter().map(|c| c[1]).sum::<f64>(),
    ];
    if rows[0] == 0.0 || rows[1] == 0.0 {
        return Err(StatsError::NotEnoughData {
            test,
            needed: 1,
            reference: rows[0] as usize,
            current: rows[1] as usize,
        });
    }
    let dof = columns.len().saturating_sub(1);
    if dof == 0 {
        return Ok(TestResult {
            statistic: 0.0,
            p_value: 1.0,
            method: PValueMethod::Asymptotic,
        });
    }
    let total = rows[0] + rows[1];
    let mut statistic = 0.0;
    for column in &columns {
        let column_total = column[0] + column[1];
        for (row, &observed) in column.iter().enumerate() {
            let expected = rows[row] * column_total / total;
            // Yates: move each observed count half a unit toward its expectation.
            let observed = if dof == 1 {
                let gap = expected - observed;
                observed + gap.signum() * gap.abs().min(0.5)
            } else {
                observed
            };
            statistic += term(observed, expected);
        }
    }
    let p_value = ChiSquared::new(dof as f64).expect("dof ≥ 1").sf(statistic);
    Ok(TestResult {
        statistic,
        p_value,
        method: PValueMethod::Asymptotic,
    })
}

/// The two-sided z-test for two proportions with the pooled variance: statsmodels'
/// `proportions_ztest([successes_ref, successes_cur], [n_ref, n_cur])`. The statistic is
/// `z`. When both proportions are 0 or both 1 (no variance), z is 0 and the p-value 1.
pub fn z_test_proportions(
    successes_reference: u64,
    n_reference: u64,
    successes_current: u64,
    n_current: u64,
) -> Result<TestResult, StatsError> {
    if n_reference == 0 || n_current == 0 {
        return Err(StatsError::not_enough(
            "z",
            1,
            n_reference as usize,
            n_current as usize,
        ));
    }
    if successes_reference > n_reference || successes_current > n_current {
        return Err(StatsError::InvalidArgument(
            "z: more successes than trials".into(),
        ));
    }
    let (n1, n2) = (n_reference as f64, n_current as f64);
    let (p1, p2) = (
        successes_reference as f64 / n1,
        successes_current as f64 / n2,
    );
    let pooled = (successes_reference + successes_current) as f64 / (n1 + n2);
    let std = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if std == 0.0 {
        return Ok(TestResult {
            statistic: 0.0,
            p_value: 1.0,
            method: PValueMethod::Asymptotic,
        });
    }
    let z = (p1 - p2) / std;
    let p_value = 2.0 * Normal::standard().sf(z.abs());
    Ok(TestResult {
        statistic: z,
        p_value: p_value.min(1.0),
        method: PValueMethod::Asymptotic,
    })
}

/// Fisher's exact test on the 2×2 table `[[a, b], [c, d]]` (rows: reference and current;
/// columns: the two outcomes): scipy's `fisher_exact(table)`. The statistic is the sample
/// odds ratio `ad/bc` (infinite when `bc = 0 < ad`, NaN when both are 0, as scipy). The
/// two-sided p-value sums the probabilities of all tables with the same margins that are no
/// more likely than the observed one (with scipy's relative tolerance of 1e-7).
pub fn fisher_exact(table: [[u64; 2]; 2]) -> Result<TestResult, StatsError> {
    let [[a, b], [c, d]] = table;
    let (ad, bc) = ((a * d) as f64, (b * c) as f64);
    let statistic = if bc == 0.0 {
        if ad == 0.0 { f64::NAN } else { f64::INFINITY }
    } else {
        ad / bc
    };
    let (row1, row2, column1) = (a + b, c + d, a + c);
    if row1 == 0 || row2 == 0 || column1 == 0 || column1 == row1 + row2 {
        // A zero margin: every table with these margins is the observed one.
        return Ok(TestResult {
            statistic,
            p_value: 1.0,
            method: PValueMethod::Exact,
        });
    }
    let ln_choose = |n: u64, k: u64| {
        ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
    };
    let denominator = ln_choose(row1 + row2, column1);
    let pmf = |x: u64| (ln_choose(row1, x) + ln_choose(row2, column1 - x) - denominator).exp();
    let low = column1.saturating_sub(row2);
    let high = row1.min(column1);
    let observed = pmf(a);
    let p_value: f64 = (low..=high)
        .map(pmf)
        .filter(|&p| p <= observed * (1.0 + 1e-7))
        .sum();
    Ok(TestResult {
        statistic,
        p_value: p_value.min(1.0),
        method: PValueMethod::Exact,
    })
}
