//! The two-sample Cramér–von Mises test.

use statrs::function::gamma::ln_gamma;

use super::{PValueMethod, TestResult};
use crate::error::StatsError;
use crate::sort::{sorted_keys, tie_groups};

/// The two-sample Cramér–von Mises test: scipy's `cramervonmises_2samp(reference, current)`
/// (`method='auto'`). The statistic is `T` (Anderson 1962) from average ranks.
///
/// The p-value is exact when neither sample has more than 20 values (the distribution of the
/// rank statistic over all labellings, as scipy, which also assumes no ties there), and
/// otherwise from the limiting distribution of the normalized statistic, summed as scipy sums
/// it (terms added until one is below 1e-7). That p-value is `1 − CDF`; below about 1e-7 it
/// carries absolute rounding error of order 1e-15 (in scipy too). Each sample needs two
/// values.
pub fn cramer_von_mises(reference: &[f64], current: &[f64]) -> Result<TestResult, StatsError> {
    let a = sorted_keys(reference);
    let b = sorted_keys(current);
    if a.len() < 2 || b.len() < 2 {
        return Err(StatsError::not_enough(
            "cramer_von_mises",
            2,
            a.len(),
            b.len(),
        ));
    }
    let (nx, ny) = (a.len(), b.len());
    // Average ranks of each sample in the pooled order, walked by tie groups.
    let (mut rx, mut ry) = (Vec::with_capacity(nx), Vec::with_capacity(ny));
    let mut rank = 0f64;
    tie_groups(&a, &b, |in_a, in_b| {
        let t = (in_a + in_b) as f64;
        let average = rank + (t + 1.0) / 2.0;
        rx.extend(std::iter::repeat_n(average, in_a));
        ry.extend(std::iter::repeat_n(average, in_b));
        rank += t;
    });
    let squares = |ranks: &[f64]| {
        ranks
            .iter()
            .enumerate()
            .map(|(k, r)| (r - (k + 1) as f64).powi(2))
            .sum::<f64>()
    };
    let (fx, fy) = (nx as f64, ny as f64);
    let u = fx * squares(&rx) + fy * squares(&ry);
    let (k, n) = (fx * fy, fx + fy);
    let t = u / (k * n) - (4.0 * k - 1.0) / (6.0 * n);
    if nx.max(ny) <= 20 {
        let p_value = exact_p_value(u, nx, ny);
        return Ok(TestResult {
            statistic: t,
            p_value,
            method: PValueMethod::Exact,
        });
    }
    let expected = (1.0 + 1.0 / n) / 6.0;
    let variance =
        (n + 1.0) * (4.0 * k * n - 3.0 * (fx * fx + fy * fy) - 2.0 * k) / (45.0 * n * n * 4.0 * k);
    let normalized = 1.0 / 6.0 + (t - expected) / (45.0 * variance).sqrt();
    let p_value = if normalized >= 0.003 {
        (1.0 - limiting_cdf(normalized)).max(0.0)
    } else {
        1.0
    };
    Ok(TestResult {
        statistic: t,
        p_value,
        method: PValueMethod::Asymptotic,
    })
}

/// `P(U ≥ u)` over all labellings (Xiao, Gordon and Yakovlev 2006): along each lattice path
/// from (0, 0) to (n, m), the sum of `(a·v − b·u)²` with `a = lcm/m`, `b = lcm/n`; the
/// statistic `U` maps to a threshold ζ on that sum. Frequency tables are sorted
/// `(sum, count)` vectors, one per point of the current row.
fn exact_p_value(u_statistic: f64, m: usize, n: usize) -> f64 {
    let gcd = |mut x: u64, mut y: u64| {
        while y != 0 {
            (x, y) = (y, x % y);
        }
        x
    };
    let (mu, nu) = (m as u64, n as u64);
    let lcm = mu / gcd(mu, nu) * nu;
    let (a, b) = (lcm / mu, lcm / nu);
    let mn = (mu * nu) as f64;
    let zeta =
        ((lcm * lcm) as f64 * (mu + nu) as f64 * (6.0 * u_statistic - mn * (4.0 * mn - 1.0))
            / (6.0 * mn * mn))
            .floor();
    type Table = Vec<(u64, f64)>;
    let merge = |left: &Table, right: &Table, add: u64| -> Table {
        let mut out = Vec::with_capacity(left.len() + right.len());
        let (mut i, mut j) = (0, 0);
        while i < left.len() || j < right.len() {
            let take_left = j >= right.len() || (i < left.len() && left[i].0 <= right[j].0);
            let (value, count) = if take_left {
                i += 1;
                left[i - 1]
            } else {
                j += 1;
                right[j - 1]
            };
            match out.last_mut() {
                Some((last, c)) if *last == value + add => *c += count,
                _ => out.push((value + add, count)),
            }
        }
        out
    };
    // row[v] is the table at (u, v) for the current u (v counts the first sample).
    let mut row: Vec<Table> = vec![Vec::new(); m + 1];
    for u in 0..=n {
        let mut previous_in_row: Table = Vec::new();
        for (v, cell) in row.iter_mut().enumerate() {
            let cost = {
                let d = a as i64 * v as i64 - b as i64 * u as i64;
                (d * d) as u64
            };
            let table = if u == 0 && v == 0 {
                vec![(0, 1.0)]
            } else {
                merge(&previous_in_row, cell, cost)
            };
            previous_in_row = table.clone();
            *cell = table;
        }
    }
    let total: f64 = row[m].iter().map(|(_, c)| c).sum();
    let tail: f64 = row[m]
        .iter()
        .filter(|(value, _)| *value as f64 >= zeta)
        .map(|(_, c)| c)
        .sum();
    tail / total
}

/// The CDF of the one-sample Cramér–von Mises statistic for infinite samples (Csörgő and
/// Faraway 1996, eq. 1.2), summed until a term is below 1e-7, as scipy does.
fn limiting_cdf(x: f64) -> f64 {
    let mut total = 0.0;
    for k in 0.. {
        let y = (4 * k + 1) as f64;
        let q = y * y / (16.0 * x);
        let scale = (ln_gamma(k as f64 + 0.5) - ln_gamma(k as f64 + 1.0)).exp()
            / (std::f64::consts::PI.powf(1.5) * x.sqrt());
        let term = scale * y.sqrt() * scaled_bessel_k_quarter(q);
        total += term;
        if term.abs() < 1e-7 {
            break;
        }
    }
    total
}

/// `e^(−q) · K_{1/4}(q)` for `q > 0`, from `K_ν(q) = ∫₀^∞ e^(−q cosh t) cosh(νt) dt` by the
/// trapezoid rule, which converges exponentially fast for this smooth, fast-decaying integrand.
pub(crate) fn scaled_bessel_k_quarter(q: f64) -> f64 {
    const STEP: f64 = 0.025;
    let integrand = |t: f64| (-q * (1.0 + t.cosh())).exp() * (t / 4.0).cosh();
    let mut sum = integrand(0.0) / 2.0;
    let mut t = STEP;
    loop {
        let f = integrand(t);
        sum += f;
        if f <= sum * 1e-18 || f == 0.0 {
            break;
        }
        t += STEP;
    }
    sum * STEP
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_k_quarter_matches_scipy_kve() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/scipy.json");
        let data: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for point in data["bessel_k_quarter"].as_array().unwrap() {
            let (q, want) = (point[0].as_f64().unwrap(), point[1].as_f64().unwrap());
            let got = scaled_bessel_k_quarter(q);
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "q={q}: {got:e} vs {want:e}"
            );
        }
    }

    #[test]
    fn exact_distribution_is_a_distribution() {
        assert!((exact_p_value(f64::NEG_INFINITY, 4, 6) - 1.0).abs() < 1e-15);
        assert_eq!(exact_p_value(f64::INFINITY, 4, 6), 0.0);
        assert!(cramer_von_mises(&[1.0], &[1.0, 2.0]).is_err());
    }
}
