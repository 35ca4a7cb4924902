//! Distribution functions the tests need that `statrs` does not provide: the one-sided
//! (Smirnov) and two-sided (Kolmogorov) one-sample KS distributions for finite `n`.
//!
//! `kolmogorov_sf(n, d)` is what scipy calls `kstwo.sf(d, n)`. It picks, by region, among the
//! methods of Simard and L'Ecuyer (2011), as scipy does: closed forms near the ends
//! (Ruben–Gambino), the exact Birnbaum–Tingey sum for the one-sided tail (`2·smirnov`), the
//! exact Durbin matrix in the form of Marsaglia, Tsang and Wang (2003), and the Pelz–Good
//! asymptotic series for large `n`. Where scipy uses Pomeranz's exact recursion we use the
//! Durbin matrix, which is also exact, so answers agree to rounding.

use statrs::function::gamma::ln_gamma;

/// The survival function of a KS statistic where it needs no computing: NaN for NaN, 0 from
/// 1 up, 1 from 0 down.
fn survival_at_the_ends(d: f64) -> Option<f64> {
    if d.is_nan() {
        Some(f64::NAN)
    } else if d >= 1.0 {
        Some(0.0)
    } else if d <= 0.0 {
        Some(1.0)
    } else {
        None
    }
}

/// `ln(n! / n^n)`.
fn ln_factorial_over_power(n: u64) -> f64 {
    let n = n as f64;
    ln_gamma(n + 1.0) - n * n.ln()
}

/// `ln C(n, k)`.
fn ln_binomial(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// `P(D⁺ₙ ≥ d)`: the one-sided one-sample KS survival function, by the exact
/// Birnbaum–Tingey sum `d · Σⱼ C(n,j) (1 − d − j/n)^(n−j) (d + j/n)^(j−1)`, in logs.
/// All terms are positive, so there is no cancellation.
pub fn smirnov_sf(n: u64, d: f64) -> f64 {
    if let Some(p) = survival_at_the_ends(d) {
        return p;
    }
    let nf = n as f64;
    let last = (nf * (1.0 - d)).floor() as u64;
    // ln C(n, j) is carried from term to term (Kahan-compensated) and re-anchored with
    // ln Γ every 256 terms: three ln Γ per term cost most of a KS test on 10⁶ values.
    let (mut ln_choose, mut carry) = (0.0f64, 0.0f64);
    let mut sum = 0.0;
    for j in 0..=last.min(n) {
        if j % 256 == 0 {
            (ln_choose, carry) = (ln_binomial(n, j), 0.0);
        } else {
            let step = ((n - j + 1) as f64 / j as f64).ln() - carry;
            let next = ln_choose + step;
            carry = (next - ln_choose) - step;
            ln_choose = next;
        }
        let jf = j as f64;
        let low = 1.0 - d - jf / nf;
        if low <= 0.0 {
            // (1 − d − j/n)^(n − j) is 0 unless n − j = 0.
            if j == n {
                sum += (d + jf / nf).powf(jf - 1.0);
            }
            continue;
        }
        sum += (ln_choose + (nf - jf) * low.ln() + (jf - 1.0) * (d + jf / nf).ln()).exp();
    }
    (d * sum).clamp(0.0, 1.0)
}

/// `P(Dₙ ≤ d)` by the Durbin matrix (Marsaglia, Tsang, Wang 2003): exact, `O(m³ log n)` with
/// `m = 2⌈nd⌉ − 1`, so meant for small `nd`.
fn kolmogorov_cdf_durbin(n: u64, d: f64) -> f64 {
    let nd = n as f64 * d;
    if d >= 1.0 {
        return 1.0;
    }
    if nd <= 0.5 {
        return 0.0;
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;
    // First column v and last row (v reversed) carry the boundary corrections; inside, the
    // entry (i, j) is 1/(i − j + 1)! where i − j + 1 ≥ 0.
    let mut inv_fact = vec![1.0f64; m + 1];
    for j in 1..=m {
        inv_fact[j] = inv_fact[j - 1] / j as f64;
    }
    let mut v: Vec<f64> = (1..=m)
        .map(|j| (1.0 - h.powi(j as i32)) * inv_fact[j])
        .collect();
    let tail = (2.0 * h - 1.0).max(0.0).powi(m as i32) - 2.0 * h.powi(m as i32);
    v[m - 1] = (1.0 + tail) * inv_fact[m];
    let mut a = vec![0.0f64; m * m];
    for i in 0..m {
        for j in 1..m {
            if i + 1 >= j {
                a[i * m + j] = inv_fact[i + 1 - j];
            }
        }
        a[i * m] = v[i];
    }
    for j in 0..m {
        a[(m - 1) * m + j] = v[m - 1 - j];
    }
    // (n!/n^n) · (Aⁿ)[k−1][k−1], with powers of two split off to stay in range.
    const SCALE_EXP: i32 = 128;
    let scale = 2f64.powi(SCALE_EXP);
    let mut power = identity(m);
    let (mut power_exp, mut a_exp) = (0i64, 0i64);
    let mut e = n;
    while e > 0 {
        if e & 1 == 1 {
            power = matmul(&power, &a, m);
            power_exp += a_exp;
        }
        a = matmul(&a, &a, m);
        a_exp *= 2;
        if a[(k - 1) * m + (k - 1)].abs() > scale {
            a.iter_mut().for_each(|x| *x /= scale);
            a_exp += i64::from(SCALE_EXP);
        }
        e >>= 1;
    }
    let p = power[(k - 1) * m + (k - 1)];
    if p <= 0.0 {
        return 0.0;
    }
    let ln_p = p.ln() + power_exp as f64 * std::f64::consts::LN_2 + ln_factorial_over_power(n);
    ln_p.exp().clamp(0.0, 1.0)
}

fn identity(m: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * m];
    (0..m).for_each(|i| out[i * m + i] = 1.0);
    out
}

fn matmul(x: &[f64], y: &[f64], m: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * m];
    for i in 0..m {
        for l in 0..m {
            let xil = x[i * m + l];
            if xil == 0.0 {
                continue;
            }
            let row = &y[l * m..(l + 1) * m];
            for (o, &yv) in out[i * m..(i + 1) * m].iter_mut().zip(row) {
                *o += xil * yv;
            }
        }
    }
    out
}

/// `P(Dₙ ≤ d)` by the Pelz–Good (1976) asymptotic series in `z = d√n`, with the terms up to
/// `n^(−3/2)` and the same truncation as Simard and L'Ecuyer.
fn kolmogorov_cdf_pelz_good(n: u64, d: f64) -> f64 {
    use std::f64::consts::PI;
    let (pi2, pi4, pi6) = (PI * PI, PI.powi(4), PI.powi(6));
    let sqrt_2pi = (2.0 * PI).sqrt();
    let z = (n as f64).sqrt() * d;
    let (z2, z3, z4, z6) = (z * z, z.powi(3), z.powi(4), z.powi(6));
    let q_ln = -pi2 / 8.0 / z2;
    if q_ln < -708.0 {
        return 0.0;
    }
    let q = q_ln.exp();
    let k1 = (-z2, pi2 / 4.0);
    let k2 = (
        6.0 * z6 + 2.0 * z4,
        (2.0 * z4 - 5.0 * z2) * pi2 / 4.0,
        pi4 * (1.0 - 2.0 * z2) / 16.0,
    );
    let k3 = (
        -30.0 * z6 - 90.0 * z.powi(8),
        pi2 * (135.0 * z4 - 96.0 * z6) / 4.0,
        pi4 * (-60.0 * z2 + 212.0 * z4) / 16.0,
        pi6 * (5.0 - 30.0 * z2) / 64.0,
    );
    let max_k = (16.0 * z / PI).ceil() as i64;
    // Σ over odd m = 2k − 1 of c(m) q^(m²), by Horner in q^(8k).
    let mut sums = [0.0f64; 4];
    for k in (1..=max_k).rev() {
        let m = (2 * k - 1) as f64;
        let (m2, m4, m6) = (m * m, m.powi(4), m.powi(6));
        let q_power = q.powi((8 * k) as i32);
        let coefficients = [
            1.0,
            k1.0 + k1.1 * m2,
            k2.0 + k2.1 * m2 + k2.2 * m4,
            k3.0 + k3.1 * m2 + k3.2 * m4 + k3.3 * m6,
        ];
        for (s, c) in sums.iter_mut().zip(coefficients) {
            *s = *s * q_power + c;
        }
    }
    let denominators = [z, 6.0 * z4, 72.0 * z.powi(7), 6480.0 * z.powi(10)];
    for (s, den) in sums.iter_mut().zip(denominators) {
        *s *= q * sqrt_2pi / den;
    }
    // The extra sums over all integers k for the n⁻¹ and n^(−3/2) terms.
    let q = (-pi2 / 2.0 / z2).exp();
    let sqrt3z = 3f64.sqrt() * z;
    let (mut k2_extra, mut k3_extra) = (0.0, 0.0);
    for k in (1..=max_k).rev() {
        let kf = k as f64;
        let k2f = kf * kf;
        let qk = q.powf(k2f);
        k2_extra += k2f * qk;
        k3_extra += (sqrt3z + PI * kf) * (sqrt3z - PI * kf) * k2f * qk;
    }
    sums[2] += k2_extra * pi2 * sqrt_2pi / (-36.0 * z3);
    sums[3] += k3_extra * pi2 * sqrt_2pi / (216.0 * z6);
    let nf = n as f64;
    sums[0] + sums[1] / nf.sqrt() + sums[2] / nf + sums[3] / nf.powf(1.5)
}

/// `P(Dₙ ≥ d)` for the two-sided one-sample KS statistic: scipy's `kstwo.sf(d, n)`.
pub fn kolmogorov_sf(n: u64, d: f64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    if let Some(p) = survival_at_the_ends(d) {
        return p;
    }
    let nf = n as f64;
    let t = nf * d;
    if t <= 1.0 {
        // Ruben–Gambino: P(Dₙ ≤ d) = n!/nⁿ (2t − 1)ⁿ for 1/2n ≤ d ≤ 1/n.
        if t <= 0.5 {
            return 1.0;
        }
        let cdf = (ln_factorial_over_power(n) + nf * (2.0 * t - 1.0).ln()).exp();
        return (1.0 - cdf).clamp(0.0, 1.0);
    }
    if t >= nf - 1.0 {
        return (2.0 * (1.0 - d).powf(nf)).clamp(0.0, 1.0);
    }
    if d >= 0.5 {
        return (2.0 * smirnov_sf(n, d)).clamp(0.0, 1.0);
    }
    let nx2 = t * d;
    if n <= 140 {
        if nx2 <= 4.0 {
            return (1.0 - kolmogorov_cdf_durbin(n, d)).clamp(0.0, 1.0);
        }
        return (2.0 * smirnov_sf(n, d)).clamp(0.0, 1.0);
    }
    if nx2 >= 370.0 {
        return 0.0;
    }
    if nx2 >= 2.2 {
        return (2.0 * smirnov_sf(n, d)).clamp(0.0, 1.0);
    }
    let cdf = if nx2 >= 18.0 {
        1.0
    } else if n <= 100_000 && nf * d.powf(1.5) <= 1.4 {
        kolmogorov_cdf_durbin(n, d)
    } else {
        kolmogorov_cdf_pelz_good(n, d)
    };
    (1.0 - cdf).clamp(0.0, 1.0)
}

/// The standard normal's survival function `P(Z > z)` (scipy's `norm.sf`), accurate in the
/// far tail (through `erfc`, not `1 − cdf`).
///
/// ```
/// use seismo_stats::special::normal_sf;
///
/// assert!((normal_sf(1.959963984540054) - 0.025).abs() < 1e-15);
/// assert_eq!(normal_sf(0.0), 0.5);
/// ```
pub fn normal_sf(z: f64) -> f64 {
    // libm's `erfc` (from musl, after Sun's fdlibm) is accurate to about an ulp; statrs's
    // is off by ~1e-11 near 0.7.
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_tail_matches_scipy() {
        // scipy.stats.norm.sf, scipy 1.16
        for (z, expected) in [
            (-1.0, 0.8413447460685429),
            (1.5, 0.06680720126885807),
            (5.0, 2.866515718791933e-07),
            (10.0, 7.61985302416047e-24),
            (30.0, 4.906713927147908e-198),
        ] {
            let got = normal_sf(z);
            assert!(
                (got - expected).abs() <= 1e-12 * expected,
                "{z}: {got:e} vs {expected:e}"
            );
        }
    }

    #[test]
    fn known_values() {
        // n = 1: D₁ is uniform on [1/2, 1], so P(D₁ ≥ d) = 2(1 − d).
        assert!((kolmogorov_sf(1, 0.75) - 0.5).abs() < 1e-15);
        // One-sided n = 1: P(D⁺₁ ≥ d) = 1 − d.
        assert!((smirnov_sf(1, 0.3) - 0.7).abs() < 1e-15);
        assert_eq!(kolmogorov_sf(10, 0.0), 1.0);
        assert_eq!(kolmogorov_sf(10, 1.0), 0.0);
        // The Durbin matrix and Pelz–Good agree where both apply well.
        let (a, b) = (
            kolmogorov_cdf_durbin(5000, 0.012),
            kolmogorov_cdf_pelz_good(5000, 0.012),
        );
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
}
