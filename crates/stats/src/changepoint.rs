//! Offline change-point detection on a series: where did the mean (or the mean and the
//! variance) change?
//!
//! Two searches over the same segment costs, matching the `ruptures` package (with
//! `jump=1`): [`pelt`] finds the segmentation that minimizes total cost plus a penalty per
//! segment, exactly (Killick, Fearnhead and Eckley 2012); [`binary_segmentation`] splits
//! greedily, faster on long series but not always optimal.
//!
//! Costs come from prefix sums, so each segment costs O(1):
//! - [`Cost::Mean`] (ruptures' `l2`): `Σ (x − x̄)²` over the segment: changes in mean.
//! - [`Cost::MeanAndVariance`] (ruptures' `normal`): `n · ln(σ̂² + 10⁻⁶)` with the population
//!   variance σ̂²: changes in mean and/or variance. Its segments need two values.
//!
//! [`trend`] searches segments that may be straight lines (a trend is no change), with
//! jumps and bends told apart.
//!
//! Results are the indices where new segments start (`0 < i < n`), ascending. The series
//! must be free of NaN and infinities (an error otherwise).

use crate::error::StatsError;
use candidates::{Candidate, within};

mod candidates;
pub mod trend;

/// What a change means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// A change in mean (squared error around the segment mean).
    Mean,
    /// A change in mean and/or variance (Gaussian negative log-likelihood).
    MeanAndVariance,
}

impl Cost {
    fn min_size(self) -> usize {
        match self {
            Self::Mean => 1,
            Self::MeanAndVariance => 2,
        }
    }
}

/// When [`binary_segmentation`] stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// Split while the best split lowers the cost by more than this.
    Penalty(f64),
    /// Find this many change points.
    Count(usize),
}

/// Prefix sums of a series: segment costs in O(1).
struct Prefix {
    /// Prefix sums of the weights (of 1 per value when unweighted).
    weight: Vec<f64>,
    sum: Vec<f64>,
    squares: Vec<f64>,
    cost: Cost,
}

impl Prefix {
    fn new(series: &[f64], weights: Option<&[f64]>, cost: Cost) -> Result<Self, StatsError> {
        check_series(series, weights)?;
        let weight_of = |i: usize| weights.map_or(1.0, |w| w[i]);
        // Center on the mean first: prefix sums of squares then lose far fewer digits.
        let center = series.iter().sum::<f64>() / series.len().max(1) as f64;
        let mut weight = vec![0.0; series.len() + 1];
        let mut sum = vec![0.0; series.len() + 1];
        let mut squares = vec![0.0; series.len() + 1];
        for (i, &v) in series.iter().enumerate() {
            let (v, w) = (v - center, weight_of(i));
            weight[i + 1] = weight[i] + w;
            sum[i + 1] = sum[i] + w * v;
            squares[i + 1] = squares[i] + w * v * v;
        }
        Ok(Self {
            weight,
            sum,
            squares,
            cost,
        })
    }

    /// The weight, the weighted sum and the scatter `Σ w (x − x̄)²` of `series[start..end]`
    /// (values centered on the series mean).
    fn segment(&self, start: usize, end: usize) -> (f64, f64, f64) {
        let w = self.weight[end] - self.weight[start];
        let s = self.sum[end] - self.sum[start];
        (
            w,
            s,
            (self.squares[end] - self.squares[start] - s * s / w).max(0.0),
        )
    }

    /// The cost of `series[start..end]`.
    fn cost(&self, start: usize, end: usize) -> f64 {
        let (_, _, scatter) = self.segment(start, end);
        match self.cost {
            Cost::Mean => scatter,
            Cost::MeanAndVariance => {
                let n = (end - start) as f64;
                n * (scatter / n + 1e-6).ln()
            }
        }
    }
}

/// PELT: the change points minimizing `Σ (segment cost + penalty)`, with segments of at
/// least `min_size` values (raised to the cost's own minimum). A larger penalty gives fewer
/// change points; `σ²·ln n` to `3σ²·ln n` are usual for [`Cost::Mean`].
///
/// ```
/// use seismo_stats::changepoint::{Cost, pelt};
///
/// let series: Vec<f64> = (0..60).map(|i| if i < 40 { (i % 3) as f64 } else { 10.0 + (i % 3) as f64 }).collect();
/// assert_eq!(pelt(&series, Cost::Mean, 10.0, 2).unwrap(), vec![40]);
/// ```
pub fn pelt(
    series: &[f64],
    cost: Cost,
    penalty: f64,
    min_size: usize,
) -> Result<Vec<usize>, StatsError> {
    check_penalty(penalty)?;
    search(
        &Prefix::new(series, None, cost)?,
        series.len(),
        penalty,
        min_size,
    )
}

/// PELT for changes in mean with a weight per value: the cost of a segment is
/// `Σ wᵢ (xᵢ − x̄_w)²` around its weighted mean. With `wᵢ = 1/σᵢ²` this is the Gaussian
/// likelihood of values whose noise differs from one to the next (window means over windows
/// of different sizes, say), so a noisier stretch is not mistaken for a change. With unit
/// weights it equals [`pelt`] with [`Cost::Mean`].
///
/// ```
/// use seismo_stats::changepoint::{Cost, pelt, pelt_weighted};
///
/// // The last five values are ten times noisier, and weighted for it: their mean of 0.68
/// // is no evidence of a change.
/// let series = [0.0, 0.1, -0.1, 0.0, 0.1, 1.5, -0.5, 1.3, -0.4, 1.5];
/// let weights = [1.0, 1.0, 1.0, 1.0, 1.0, 0.01, 0.01, 0.01, 0.01, 0.01];
/// assert!(pelt_weighted(&series, &weights, 1.0, 2).unwrap().is_empty());
/// assert_eq!(pelt(&series, Cost::Mean, 1.0, 2).unwrap(), vec![5]);
/// ```
pub fn pelt_weighted(
    series: &[f64],
    weights: &[f64],
    penalty: f64,
    min_size: usize,
) -> Result<Vec<usize>, StatsError> {
    check_penalty(penalty)?;
    search(
        &Prefix::new(series, Some(weights), Cost::Mean)?,
        series.len(),
        penalty,
        min_size,
    )
}

/// How the search drops starts of the last segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pruning {
    /// ruptures' rule: drop a start once its total exceeds the best by the penalty.
    Ruptures,
    /// As functions of the segment mean ([`candidates`]): only starts that are strictly
    /// worse for every mean, so the result is the optimal segmentation.
    Functional,
    /// None: optimal partitioning in O(n²), the reference the tests hold the others to.
    #[cfg(test)]
    None,
}

/// The PELT search over `n` values with the costs of `prefix`. For the mean cost, starts
/// are pruned as functions of the segment mean ([`candidates`]): the search stays about
/// linear on long stretches without a change, and its result is the exact optimum.
fn search(
    prefix: &Prefix,
    n: usize,
    penalty: f64,
    min_size: usize,
) -> Result<Vec<usize>, StatsError> {
    let pruning = match prefix.cost {
        Cost::Mean => Pruning::Functional,
        Cost::MeanAndVariance => Pruning::Ruptures,
    };
    search_pruned(prefix, n, penalty, min_size, pruning)
}

fn search_pruned(
    prefix: &Prefix,
    n: usize,
    penalty: f64,
    min_size: usize,
    pruning: Pruning,
) -> Result<Vec<usize>, StatsError> {
    let min_size = min_size.max(prefix.cost.min_size()).max(1);
    if n < min_size {
        return Ok(Vec::new());
    }
    // best[t]: the least total of the series[..t]; last[t]: where its last segment starts.
    let mut best = vec![f64::INFINITY; n + 1];
    let mut last = vec![usize::MAX; n + 1];
    best[0] = 0.0;
    let mut admissible: Vec<Candidate> = Vec::new();
    let mut totals: Vec<f64> = Vec::new();
    let ends = (min_size..n).chain(std::iter::once(n));
    for end in ends {
        // A start whose prefix has no segmentation (shorter than min_size) is never best.
        let start = end - min_size;
        if best[start].is_finite() {
            let mut new = Candidate::unbounded(start);
            if pruning == Pruning::Functional {
                for c in &mut admissible {
                    let (weight, sum, scatter) = prefix.segment(c.start, start);
                    let room = best[start] - best[c.start] - scatter;
                    let margin =
                        1e-9 * (prefix.squares[start] + best[start].abs() + best[c.start].abs());
                    // Where c may still be best: widened; where it surely beats the new
                    // start: narrowed.
                    let (low, high) = within(weight, sum / weight, room + margin)
                        .unwrap_or((f64::INFINITY, f64::NEG_INFINITY));
                    c.keep(low, high);
                    if let Some((low, high)) = within(weight, sum / weight, room - margin) {
                        new.remove(low, high);
                    }
                }
                admissible.retain(Candidate::alive);
            }
            admissible.push(new);
        }
        // The first minimum, as ruptures' `min` takes it.
        totals.clear();
        let mut minimum = f64::INFINITY;
        let mut arg = usize::MAX;
        for c in &admissible {
            let total = best[c.start] + prefix.cost(c.start, end) + penalty;
            totals.push(total);
            if total < minimum {
                minimum = total;
                arg = c.start;
            }
        }
        best[end] = minimum;
        last[end] = arg;
        if pruning == Pruning::Ruptures {
            let mut total = totals.iter();
            admissible.retain(|_| total.next().is_some_and(|&t| t <= minimum + penalty));
        }
    }
    let mut points = Vec::new();
    let mut at = n;
    while at > 0 && last[at] != usize::MAX {
        at = last[at];
        if at > 0 {
            points.push(at);
        }
    }
    points.reverse();
    Ok(points)
}

/// Binary segmentation: split the segment whose best split lowers the total cost most, until
/// `stop`. Segments keep at least `min_size` values (raised to the cost's own minimum).
pub fn binary_segmentation(
    series: &[f64],
    cost: Cost,
    stop: Stop,
    min_size: usize,
) -> Result<Vec<usize>, StatsError> {
    if let Stop::Penalty(p) = stop {
        check_penalty(p)?;
    }
    let prefix = Prefix::new(series, None, cost)?;
    let min_size = min_size.max(cost.min_size()).max(1);
    let mut points: Vec<usize> = Vec::new();
    loop {
        let mut bounds = vec![0];
        bounds.extend(&points);
        bounds.push(series.len());
        // The best split of each segment; the largest gain over segments, the first on ties.
        let mut choice: Option<(usize, f64)> = None;
        for pair in bounds.windows(2) {
            if let Some((at, gain)) = best_split(&prefix, pair[0], pair[1], min_size)
                && choice.is_none_or(|(_, g)| gain > g)
            {
                choice = Some((at, gain));
            }
        }
        let Some((at, gain)) = choice else { break };
        let go_on = match stop {
            Stop::Penalty(p) => gain > p,
            Stop::Count(k) => points.len() < k,
        };
        if !go_on {
            break;
        }
        points.push(at);
        points.sort_unstable();
    }
    Ok(points)
}

/// The split of `start..end` with the largest gain (the later index on ties, as ruptures).
fn best_split(prefix: &Prefix, start: usize, end: usize, min_size: usize) -> Option<(usize, f64)> {
    let whole = prefix.cost(start, end);
    let mut best: Option<(usize, f64)> = None;
    for at in start + min_size..=end.saturating_sub(min_size) {
        let gain = whole - prefix.cost(start, at) - prefix.cost(at, end);
        if best.is_none_or(|(_, g)| gain >= g) {
            best = Some((at, gain));
        }
    }
    best
}

/// An error unless every value is finite and, when given, the weights are one positive
/// finite number per value.
fn check_series(series: &[f64], weights: Option<&[f64]>) -> Result<(), StatsError> {
    if let Some(i) = series.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::InvalidArgument(format!(
            "value {} at index {i} is not finite",
            series[i]
        )));
    }
    let Some(weights) = weights else {
        return Ok(());
    };
    if weights.len() != series.len() {
        return Err(StatsError::InvalidArgument(format!(
            "{} weights for {} values",
            weights.len(),
            series.len()
        )));
    }
    if let Some(i) = weights.iter().position(|w| !(*w > 0.0 && w.is_finite())) {
        return Err(StatsError::InvalidArgument(format!(
            "weight {} at index {i} is not a positive number",
            weights[i]
        )));
    }
    Ok(())
}

fn check_penalty(penalty: f64) -> Result<(), StatsError> {
    if !(penalty >= 0.0 && penalty.is_finite()) {
        return Err(StatsError::InvalidArgument(format!(
            "the penalty must be a finite number ≥ 0, got {penalty}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SplitMix64;

    /// Functional pruning drops only starts that can never be best: on every kind of series
    /// (no change, many changes, ties, constant stretches, weights) it finds what the search
    /// without pruning finds.
    #[test]
    fn functional_pruning_changes_nothing() {
        let mut random = SplitMix64::new(7);
        let mut compared = 0;
        for case in 0..300 {
            let n = 20 + random.below(400);
            let changes = random.below(6);
            let mut level = 0.0;
            let series: Vec<f64> = (0..n)
                .map(|i| {
                    if changes > 0 && i % (n / changes + 1) == 0 {
                        level = (random.below(7) as f64 - 3.0) * 0.5;
                    }
                    let noise = random.uniform() - 0.5;
                    match case % 4 {
                        0 => level + noise,
                        1 => level + (noise * 4.0).round(), // ties
                        2 if i % 50 < 20 => level,          // constant stretches
                        _ => level + noise * 1e-3 + 1e6,    // far from zero
                    }
                })
                .collect();
            let weights: Vec<f64> = (0..n).map(|_| 0.5 + random.uniform()).collect();
            let penalty = [0.05, 0.3, 1.0, 3.0][case / 4 % 4]
                * (n as f64).ln()
                * if case % 4 == 3 { 1e-6 } else { 1.0 };
            let min_size = 1 + case % 3;
            for weights in [None, Some(weights.as_slice())] {
                let prefix = Prefix::new(&series, weights, Cost::Mean).unwrap();
                let plain = search_pruned(&prefix, n, penalty, min_size, Pruning::None).unwrap();
                let pruned =
                    search_pruned(&prefix, n, penalty, min_size, Pruning::Functional).unwrap();
                assert_eq!(pruned, plain, "case {case}, weighted {}", weights.is_some());
                compared += 1;
            }
        }
        assert_eq!(compared, 600);
    }
}
