//! Change points in a series that may trend: segments are straight lines (or flat), and a
//! change is a jump in level or a bend in slope.
//!
//! [`pelt`](super::pelt) with [`Cost::Mean`](super::Cost::Mean) fits a flat segment between
//! change points, so a steady trend reads as a staircase of changes. Here each segment costs
//! the smaller of
//! - its weighted squared error around its mean (flat), and
//! - its weighted squared error around its least-squares line, plus `slope_penalty` (the
//!   price of the slope, one more parameter),
//!
//! so a straight trend is one segment, and a flat series pays nothing for slopes it does not
//! use. The search is PELT (Killick, Fearnhead and Eckley 2012) with the pruning constant
//! `−slope_penalty` that this cost needs (`C(a,b) + C(b,c) ≤ C(a,c) + slope_penalty`).
//!
//! A change found between two straight segments may be a jump or a bend. A bend has no
//! jump: the line after it starts where the line before it ends, so it is fitted by a
//! *hinge* `a + b·t + c·(t − τ)₊` (continuous at `τ`, one parameter fewer than two free
//! lines). Each change point is refined against its neighbours: when the best hinge fits
//! within `slope_penalty` of the two free lines, the change is a [`Break::Slope`] at the
//! hinge's `τ`; else it is a [`Break::Level`] where the search put it. Without that step,
//! the free lines put a bend several points off, where noise makes a small jump look best.
//!
//! Long series: PELT does not prune on a series without changes, so its cost grows with
//! the square of the length. Beyond [`EXACT_UP_TO`] values the search runs first on
//! consecutive blocks (weighted means at their weighted mean times, about 1,000 blocks),
//! then exactly again on the values with changes allowed only within a block of where the
//! blocks put one. The cost is linear in the length; a change is missed only when it is too
//! small to show at block resolution.
//!
//! ```
//! use seismo_stats::changepoint::trend::{Break, TrendOptions, trend_changes};
//!
//! // A steady trend that bends at 50, with a little deterministic noise.
//! let series: Vec<f64> = (0..100)
//!     .map(|i| {
//!         let t = i as f64;
//!         let noise = [0.3, -0.2, 0.1, -0.3, 0.2][i % 5];
//!         let line = if i < 50 { t } else { 50.0 + 3.0 * (t - 50.0) };
//!         line + noise
//!     })
//!     .collect();
//! let weights = vec![10.0; 100];
//! let found = trend_changes(&series, &weights, &TrendOptions::new(20.0, 5.0, 3)).unwrap();
//! assert_eq!(found.len(), 1);
//! assert_eq!((found[0].at, found[0].kind), (50, Break::Slope));
//! ```

use crate::error::StatsError;

/// Series up to this length are searched exactly; longer ones by blocks first.
pub const EXACT_UP_TO: usize = 2_000;

/// How [`trend_changes`] searches.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct TrendOptions {
    /// The penalty per change point, in units of the weighted squared error.
    pub penalty: f64,
    /// The price of a segment's slope, same units (`ln n` is BIC's price of one parameter).
    pub slope_penalty: f64,
    /// The fewest values in a segment (at least 1).
    pub min_size: usize,
}

impl TrendOptions {
    /// Options with these penalties and least segment length.
    pub fn new(penalty: f64, slope_penalty: f64, min_size: usize) -> Self {
        Self {
            penalty,
            slope_penalty,
            min_size,
        }
    }
}

/// What changed at a change point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// The level jumped (the slope may have changed too).
    Level,
    /// The slope changed without a jump: a trend bent.
    Slope,
}

/// A change point: the first index of a new segment, and what changed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendChange {
    /// The first index of the new segment.
    pub at: usize,
    /// A jump or a bend.
    pub kind: Break,
}

/// What the residuals of a fitted segmentation say about the noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResidualNoise {
    /// `Σ wᵢ rᵢ² / (n − parameters)`: 1 when the weights are the noise's true precisions.
    pub variance: f64,
    /// The lag-one autocorrelation of the weighted residuals `√wᵢ·rᵢ` within segments.
    pub autocorrelation: f64,
}

/// The change points of `series` (a weight per value, `1/σᵢ²` for a Gaussian likelihood)
/// under the flat-or-straight segment cost, with their kinds. See the [module docs](self).
pub fn trend_changes(
    series: &[f64],
    weights: &[f64],
    options: &TrendOptions,
) -> Result<Vec<TrendChange>, StatsError> {
    check(series, weights, options)?;
    let n = series.len();
    let min = options.min_size.max(1);
    let prefix = Sums::new(series, weights, None);
    let points = if n <= EXACT_UP_TO {
        pelt(&prefix, n, options.penalty, options.slope_penalty, min)
    } else {
        by_blocks(series, weights, &prefix, options, min)
    };
    Ok(refine(&prefix, &points, options.slope_penalty, min))
}

/// The noise left around the fit of `series` with change points `points` (each segment flat
/// or straight, whichever [`trend_changes`]' cost prefers).
pub fn residual_noise(
    series: &[f64],
    weights: &[f64],
    points: &[usize],
    slope_penalty: f64,
) -> Result<ResidualNoise, StatsError> {
    check(series, weights, &TrendOptions::new(0.0, slope_penalty, 1))?;
    let n = series.len();
    if let Some(p) = points.iter().find(|&&p| p == 0 || p >= n) {
        return Err(StatsError::InvalidArgument(format!(
            "change point {p} is outside 1..{n}"
        )));
    }
    let prefix = Sums::new(series, weights, None);
    let mut bounds = vec![0];
    bounds.extend_from_slice(points);
    bounds.push(n);
    let (mut squares, mut lagged, mut parameters) = (0.0, 0.0, 0usize);
    for pair in bounds.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        let line = prefix.line(start, end, slope_penalty);
        parameters += if line.slope == 0.0 { 1 } else { 2 };
        let mut previous: Option<f64> = None;
        let stretch = prefix.x[start..end]
            .iter()
            .zip(&prefix.t[start..end])
            .zip(&weights[start..end]);
        for ((x, t), w) in stretch {
            let r = (x - line.at(*t)) * w.sqrt();
            squares += r * r;
            if let Some(p) = previous {
                lagged += p * r;
            }
            previous = Some(r);
        }
    }
    let dof = n.saturating_sub(parameters).max(1) as f64;
    Ok(ResidualNoise {
        variance: squares / dof,
        autocorrelation: if squares > 0.0 { lagged / squares } else { 0.0 },
    })
}

fn check(series: &[f64], weights: &[f64], options: &TrendOptions) -> Result<(), StatsError> {
    super::check_series(series, Some(weights))?;
    super::check_penalty(options.penalty)?;
    super::check_penalty(options.slope_penalty)
}

/// A fitted segment: `level + slope·(t − centre)`.
#[derive(Debug, Clone, Copy)]
struct Line {
    level: f64,
    slope: f64,
    centre: f64,
}

impl Line {
    fn at(&self, t: f64) -> f64 {
        self.level + self.slope * (t - self.centre)
    }
}

/// Weighted prefix sums of 1, t, t², x, t·x and x² (t and x centred first, so that the
/// sums of squares keep their digits): any segment's flat, straight or hinged fit in O(1).
struct Sums {
    /// The centred times and values.
    t: Vec<f64>,
    x: Vec<f64>,
    /// Prefix sums: w, wt, wt², wx, wtx, wx².
    s: [Vec<f64>; 6],
}

/// The sums of one stretch: w, wt, wt², wx, wtx, wx².
#[derive(Debug, Clone, Copy)]
struct Moments([f64; 6]);

impl Sums {
    /// `times`: the time of each value (its index when `None`).
    fn new(series: &[f64], weights: &[f64], times: Option<&[f64]>) -> Self {
        let n = series.len();
        let total: f64 = weights.iter().sum();
        let time = |i: usize| times.map_or(i as f64, |t| t[i]);
        let t_mid =
            (0..n).map(|i| weights[i] * time(i)).sum::<f64>() / total.max(f64::MIN_POSITIVE);
        let x_mid =
            (0..n).map(|i| weights[i] * series[i]).sum::<f64>() / total.max(f64::MIN_POSITIVE);
        let t: Vec<f64> = (0..n).map(|i| time(i) - t_mid).collect();
        let x: Vec<f64> = series.iter().map(|v| v - x_mid).collect();
        let mut s: [Vec<f64>; 6] = std::array::from_fn(|_| vec![0.0; n + 1]);
        for i in 0..n {
            let (w, t, x) = (weights[i], t[i], x[i]);
            let terms = [w, w * t, w * t * t, w * x, w * t * x, w * x * x];
            for (sum, term) in s.iter_mut().zip(terms) {
                sum[i + 1] = sum[i] + term;
            }
        }
        Self { t, x, s }
    }

    fn moments(&self, start: usize, end: usize) -> Moments {
        Moments(std::array::from_fn(|k| self.s[k][end] - self.s[k][start]))
    }

    /// The segment's cost: flat error, or straight error plus the slope's price if less.
    fn cost(&self, start: usize, end: usize, slope_penalty: f64) -> f64 {
        let m = self.moments(start, end);
        let (flat, straight) = m.errors();
        straight.map_or(flat, |s| flat.min(s + slope_penalty))
    }

    /// The error of a free straight line (flat where a line is undefined), no price added.
    fn straight(&self, start: usize, end: usize) -> f64 {
        let (flat, straight) = self.moments(start, end).errors();
        straight.unwrap_or(flat)
    }

    /// The segment's fit under [`Sums::cost`]'s choice.
    fn line(&self, start: usize, end: usize, slope_penalty: f64) -> Line {
        let Moments([w, wt, wtt, wx, wtx, _]) = self.moments(start, end);
        let (centre, level) = (wt / w, wx / w);
        let (flat, straight) = self.moments(start, end).errors();
        let slope = match straight {
            Some(s) if s + slope_penalty < flat => (wtx - wt * level) / (wtt - wt * centre),
            _ => 0.0,
        };
        Line {
            level,
            slope,
            centre,
        }
    }

    /// The least error of a hinge `a + b·t + c·(t − tᵢ)₊` over `start..end`, for `i` in
    /// `from..=to`: `(i, error)`, the first on ties.
    fn best_hinge(&self, start: usize, end: usize, from: usize, to: usize) -> Option<(usize, f64)> {
        let all = self.moments(start, end).0;
        let mut best: Option<(usize, f64)> = None;
        for i in from..=to {
            let tau = self.t[i];
            // Sums over the hinge's right arm, i..end, where (t − τ)₊ = t − τ.
            let [u, ut, utt, ux, utx, _] = self.moments(i, end).0;
            let h = ut - tau * u;
            let hh = utt - 2.0 * tau * ut + tau * tau * u;
            let th = utt - tau * ut;
            let xh = utx - tau * ux;
            let a = [[all[0], all[1], h], [all[1], all[2], th], [h, th, hh]];
            let b = [all[3], all[4], xh];
            let Some(fit) = explained(a, b) else { continue };
            let error = (all[5] - fit).max(0.0);
            if best.is_none_or(|(_, e)| error < e) {
                best = Some((i, error));
            }
        }
        best
    }
}

impl Moments {
    /// The flat error, and the straight error where two distinct times make a line.
    fn errors(&self) -> (f64, Option<f64>) {
        let [w, wt, wtt, wx, wtx, wxx] = self.0;
        let flat = (wxx - wx * wx / w).max(0.0);
        let vtt = wtt - wt * wt / w;
        // NaN counts as no spread of times, as 0 does.
        if vtt.is_nan() || vtt <= 1e-9 * wtt.abs().max(1.0) {
            return (flat, None);
        }
        let vtx = wtx - wt * wx / w;
        (flat, Some((flat - vtx * vtx / vtt).max(0.0)))
    }
}

/// `bᵀ A⁻¹ b` for a symmetric 3×3 `A` (the squares a least-squares fit explains), by
/// elimination with partial pivoting; `None` when `A` is singular.
fn explained(mut a: [[f64; 3]; 3], b: [f64; 3]) -> Option<f64> {
    let mut rhs = b;
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..3 {
        let pivot = (col..3).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        let size = a[pivot][col].abs();
        if size.is_nan() || size <= 1e-12 * scale {
            return None;
        }
        a.swap(col, pivot);
        rhs.swap(col, pivot);
        for row in col + 1..3 {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (cell, above) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *cell -= f * above;
            }
            rhs[row] -= f * rhs[col];
        }
    }
    let mut coef = [0.0; 3];
    for row in (0..3).rev() {
        let tail: f64 = (row + 1..3).map(|k| a[row][k] * coef[k]).sum();
        coef[row] = (rhs[row] - tail) / a[row][row];
    }
    // b was permuted with the rows of A; the explained squares are Σ coefᵢ·bᵢ in the
    // original order, which the coefficients (solution of the unpermuted system) keep.
    Some(coef.iter().zip(b).map(|(c, b)| c * b).sum())
}

/// PELT over `0..n` with the flat-or-straight cost, every position a possible change.
fn pelt(sums: &Sums, n: usize, penalty: f64, slope_penalty: f64, min: usize) -> Vec<usize> {
    let ends: Vec<usize> = (min..=n).collect();
    pelt_at(sums, n, &ends, penalty, slope_penalty, min)
}

/// PELT over `0..n` where segments may end only at `ends` (ascending, the last `n`).
fn pelt_at(
    sums: &Sums,
    n: usize,
    ends: &[usize],
    penalty: f64,
    slope_penalty: f64,
    min: usize,
) -> Vec<usize> {
    if n < 2 * min {
        return Vec::new();
    }
    // best[t]: least total cost of 0..t; last[t]: the start of its last segment.
    let mut best = vec![f64::INFINITY; n + 1];
    let mut last = vec![0usize; n + 1];
    best[0] = 0.0;
    let mut candidates: Vec<usize> = vec![0];
    for &end in ends.iter().filter(|&&e| e >= min && e <= n) {
        let mut least = f64::INFINITY;
        let mut from = 0;
        let mut totals = Vec::with_capacity(candidates.len());
        for &s in &candidates {
            let total = if end - s >= min && best[s].is_finite() {
                best[s] + sums.cost(s, end, slope_penalty) + penalty
            } else {
                f64::INFINITY
            };
            if total < least {
                least = total;
                from = s;
            }
            totals.push(total);
        }
        best[end] = least;
        last[end] = from;
        // Drop starts that can never win again: best[s] + C(s, end) − slope_penalty ≥
        // best[end] (the bound C(a,b) + C(b,c) ≤ C(a,c) + slope_penalty). Starts still too
        // close to `end` for a segment stay.
        let keep: Vec<usize> = candidates
            .iter()
            .zip(&totals)
            .filter(|&(&s, &total)| end - s < min || total - penalty - slope_penalty <= least)
            .map(|(&s, _)| s)
            .collect();
        candidates = keep;
        if end + min <= n && best[end].is_finite() {
            candidates.push(end);
        }
    }
    let mut points = Vec::new();
    let mut at = n;
    while at > 0 {
        at = last[at];
        if at > 0 {
            points.push(at);
        }
    }
    points.reverse();
    points
}

/// The search on blocks of consecutive values; then the exact search, with changes allowed
/// only within a block of where the blocks put one.
fn by_blocks(
    series: &[f64],
    weights: &[f64],
    sums: &Sums,
    options: &TrendOptions,
    min: usize,
) -> Vec<usize> {
    let n = series.len();
    let size = n.div_ceil(EXACT_UP_TO / 2);
    let starts: Vec<usize> = (0..n).step_by(size).collect();
    let (mut means, mut block_weights, mut times) = (Vec::new(), Vec::new(), Vec::new());
    for &start in &starts {
        let end = (start + size).min(n);
        let w: f64 = weights[start..end].iter().sum();
        let wx: f64 = (start..end).map(|i| weights[i] * series[i]).sum();
        let wt: f64 = (start..end).map(|i| weights[i] * i as f64).sum();
        block_weights.push(w);
        means.push(wx / w);
        times.push(wt / w);
    }
    let blocks = Sums::new(&means, &block_weights, Some(&times));
    let coarse = pelt(
        &blocks,
        starts.len(),
        options.penalty,
        options.slope_penalty,
        min.div_ceil(size),
    );
    let mut ends: Vec<usize> = coarse
        .iter()
        .flat_map(|&b| starts[b].saturating_sub(size)..(starts[b] + size).min(n))
        .collect();
    ends.push(n);
    ends.sort_unstable();
    ends.dedup();
    pelt_at(sums, n, &ends, options.penalty, options.slope_penalty, min)
}

/// Each change point as a jump where the search put it, or as a bend at the best hinge
/// between its neighbours when a hinge fits within `slope_penalty` of two free lines.
fn refine(sums: &Sums, points: &[usize], slope_penalty: f64, min: usize) -> Vec<TrendChange> {
    let n = sums.t.len();
    let mut out: Vec<TrendChange> = Vec::with_capacity(points.len());
    for (k, &at) in points.iter().enumerate() {
        let start = out.last().map_or(0, |c| c.at);
        let end = points.get(k + 1).copied().unwrap_or(n);
        let free = sums.straight(start, at) + sums.straight(at, end);
        let (from, to) = (start + min.max(2), end.saturating_sub(min.max(2)));
        let hinge = if from <= to {
            sums.best_hinge(start, end, from, to)
        } else {
            None
        };
        out.push(match hinge {
            Some((tau, error)) if error <= free + slope_penalty => TrendChange {
                at: tau,
                kind: Break::Slope,
            },
            _ => TrendChange {
                at,
                kind: Break::Level,
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` draws of deterministic noise, uniform in [-0.5, 0.5).
    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = crate::random::SplitMix64::new(seed);
        (0..n).map(|_| rng.uniform() - 0.5).collect()
    }

    fn brute_force(sums: &Sums, n: usize, penalty: f64, slope: f64, min: usize) -> f64 {
        // The optimal total by dynamic programming without pruning.
        let mut best = vec![f64::INFINITY; n + 1];
        best[0] = 0.0;
        for end in min..=n {
            for s in 0..=end - min {
                if best[s].is_finite() && (s == 0 || s >= min) {
                    best[end] = best[end].min(best[s] + sums.cost(s, end, slope) + penalty);
                }
            }
        }
        best[n]
    }

    fn total(sums: &Sums, n: usize, points: &[usize], penalty: f64, slope: f64) -> f64 {
        let mut bounds = vec![0];
        bounds.extend_from_slice(points);
        bounds.push(n);
        bounds
            .windows(2)
            .map(|p| sums.cost(p[0], p[1], slope) + penalty)
            .sum()
    }

    #[test]
    fn pruned_search_finds_the_optimum() {
        for seed in 0..5 {
            let n = 120;
            let e = noise(n, seed as u64);
            let series: Vec<f64> = (0..n)
                .map(|i| {
                    let t = i as f64;
                    let step = if i >= 40 + seed * 7 { 3.0 } else { 0.0 };
                    let bend = if i >= 80 { 0.2 * (t - 80.0) } else { 0.0 };
                    0.05 * t + step + bend + 2.0 * e[i]
                })
                .collect();
            let weights = vec![1.0; n];
            let sums = Sums::new(&series, &weights, None);
            for (penalty, slope, min) in [(5.0, 4.0, 2), (2.0, 1.0, 3), (10.0, 0.0, 1)] {
                let points = pelt(&sums, n, penalty, slope, min);
                let got = total(&sums, n, &points, penalty, slope);
                let want = brute_force(&sums, n, penalty, slope, min);
                assert!(
                    (got - want).abs() < 1e-9 * want.abs().max(1.0),
                    "{got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn a_trend_is_one_segment_and_a_jump_is_a_level_change() {
        let e = noise(200, 1);
        let trend: Vec<f64> = (0..200).map(|i| 0.1 * i as f64 + e[i]).collect();
        let w = vec![12.0; 200];
        let options = TrendOptions::new(3.0 * 200f64.ln(), 200f64.ln(), 2);
        assert!(trend_changes(&trend, &w, &options).unwrap().is_empty());
        let jump: Vec<f64> = trend
            .iter()
            .enumerate()
            .map(|(i, v)| if i >= 120 { v + 4.0 } else { *v })
            .collect();
        let found = trend_changes(&jump, &w, &options).unwrap();
        assert_eq!(
            found,
            vec![TrendChange {
                at: 120,
                kind: Break::Level
            }]
        );
    }

    #[test]
    fn hinge_error_matches_a_direct_fit() {
        // A hinge through exact points leaves no error at the true τ.
        let series: Vec<f64> = (0..30)
            .map(|i| {
                if i < 12 {
                    1.0 + 0.5 * i as f64
                } else {
                    7.0 - 1.5 * (i as f64 - 12.0)
                }
            })
            .collect();
        let sums = Sums::new(&series, &vec![1.0; 30], None);
        let (tau, error) = sums.best_hinge(0, 30, 3, 27).unwrap();
        assert_eq!(tau, 12);
        assert!(error < 1e-9, "{error}");
    }

    #[test]
    fn long_series_are_searched_by_blocks_and_placed_exactly() {
        let n = 50_000;
        let e = noise(n, 2);
        let series: Vec<f64> = (0..n)
            .map(|i| e[i] + if i >= 31_337 { 2.0 } else { 0.0 })
            .collect();
        let w = vec![12.0; n];
        let options = TrendOptions::new(3.0 * (n as f64).ln(), (n as f64).ln(), 2);
        let found = trend_changes(&series, &w, &options).unwrap();
        assert_eq!(
            found,
            vec![TrendChange {
                at: 31_337,
                kind: Break::Level
            }]
        );
        let steady: Vec<f64> = (0..n).map(|i| 1e-4 * i as f64 + e[i]).collect();
        assert!(trend_changes(&steady, &w, &options).unwrap().is_empty());
    }

    #[test]
    fn residual_noise_of_a_perfect_fit_with_white_noise() {
        let series: Vec<f64> = noise(400, 3).iter().map(|e| e * 12f64.sqrt()).collect();
        let w = vec![1.0; 400];
        let fit = residual_noise(&series, &w, &[], 5.0).unwrap();
        // Uniform noise of variance 1 (scaled): variance near 1, little autocorrelation.
        assert!((fit.variance - 1.0).abs() < 0.1, "{fit:?}");
        assert!(fit.autocorrelation.abs() < 0.2, "{fit:?}");
        assert!(residual_noise(&series, &w, &[400], 5.0).is_err());
    }

    #[test]
    fn bad_input_is_an_error() {
        let o = TrendOptions::new(1.0, 1.0, 2);
        assert!(trend_changes(&[1.0, f64::NAN], &[1.0, 1.0], &o).is_err());
        assert!(trend_changes(&[1.0, 2.0], &[1.0], &o).is_err());
        assert!(trend_changes(&[1.0, 2.0], &[1.0, 0.0], &o).is_err());
        assert!(trend_changes(&[1.0, 2.0], &[1.0, 1.0], &TrendOptions::new(-1.0, 1.0, 2)).is_err());
        assert!(trend_changes(&[], &[], &o).unwrap().is_empty());
    }
}
