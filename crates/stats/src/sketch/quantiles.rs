//! Quantiles of a stream: a seeded KLL sketch over `f64`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::kll::Kll;
use super::serde_helpers;
use crate::error::StatsError;

/// A KLL quantile sketch of non-NaN `f64` values.
///
/// With `k = 400` (the default) the rank of a returned quantile is within
/// [`rank_error`](Self::rank_error) ≈ 0.68% of the asked rank, with 99% confidence, whatever
/// the stream's length; below about `k` values the sketch is exact. Sketches merge, and a
/// merged sketch keeps the bound.
///
/// KLL compaction flips a coin; here the coin is seeded ([`seeded`](Self::seeded)), so the
/// same values in the same order, merged in the same order, give the same sketch and the same
/// answers on every run. Callers that build partial sketches in parallel seed each from what
/// it covers (a column, a batch) and merge in a fixed order.
///
/// ```
/// use seismo_stats::sketch::QuantileSketch;
///
/// let mut sketch = QuantileSketch::default();
/// for i in 0..10_000 {
///     sketch.update(i as f64);
/// }
/// let median = sketch.quantile(0.5).unwrap();
/// assert!((median - 5000.0).abs() <= 10_000.0 * sketch.rank_error());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileSketch(Kll);

impl Default for QuantileSketch {
    fn default() -> Self {
        Self::new(Self::DEFAULT_K)
    }
}

impl QuantileSketch {
    /// The `k` seismo uses unless told otherwise.
    pub const DEFAULT_K: u16 = 400;

    /// An empty sketch with accuracy parameter `k` (at least 8), seed 0.
    pub fn new(k: u16) -> Self {
        Self::seeded(k, 0)
    }

    /// An empty sketch with accuracy parameter `k` (at least 8) whose compaction coin starts
    /// from `seed`.
    pub fn seeded(k: u16, seed: u64) -> Self {
        Self(Kll::new(k, seed))
    }

    /// Adds a value. NaN is ignored (callers count it apart); `-0.0` is `0.0`.
    #[inline]
    pub fn update(&mut self, value: f64) {
        self.0.update(value);
    }

    /// Adds every value of a slice.
    pub fn extend(&mut self, values: &[f64]) {
        values.iter().for_each(|&v| self.update(v));
    }

    /// Adds another sketch's values.
    pub fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0);
    }

    /// How many values the sketch has seen.
    pub fn count(&self) -> u64 {
        self.0.count()
    }

    /// The value at normalized rank `q` in `[0, 1]` (inclusive search: the smallest value
    /// whose rank is at least `q`). `None` when empty or `q` is outside `[0, 1]`.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        self.quantiles_at(&[q])?.pop()
    }

    /// The estimated fraction of values `<= x`. `None` when empty or `x` is NaN.
    pub fn cdf(&self, x: f64) -> Option<f64> {
        self.cdf_at(&[x])?.pop()
    }

    /// The estimated fractions of values `<= x` at each of `points` (strictly increasing,
    /// non-NaN), from one sorted view. `None` when empty or the points are not increasing.
    pub fn cdf_at(&self, points: &[f64]) -> Option<Vec<f64>> {
        let n = self.count();
        if n == 0 || points.iter().any(|p| p.is_nan()) || points.windows(2).any(|w| w[1] <= w[0]) {
            return None;
        }
        let view = self.0.sorted();
        Some(
            points
                .iter()
                .map(|&x| {
                    let at = view.partition_point(|&(v, _)| v <= x);
                    let below = if at == 0 { 0 } else { view[at - 1].1 };
                    below as f64 / n as f64
                })
                .collect(),
        )
    }

    /// The estimated shares of values in the bins `(−∞, e₁], (e₁, e₂], …, (eₖ, ∞)` for
    /// strictly increasing `edges`. `None` when empty or the edges are not increasing.
    pub fn shares(&self, edges: &[f64]) -> Option<Vec<f64>> {
        let cdf = self.cdf_at(edges)?;
        let mut previous = 0.0;
        let mut shares: Vec<f64> = cdf
            .into_iter()
            .map(|c| {
                let share = c - previous;
                previous = c;
                share
            })
            .collect();
        shares.push(1.0 - previous);
        Some(shares)
    }

    /// The values at each of the normalized `ranks` in `[0, 1]`, from one sorted view:
    /// for rank `q`, the first value whose cumulative weight reaches `⌈q·n⌉`.
    pub fn quantiles_at(&self, ranks: &[f64]) -> Option<Vec<f64>> {
        let n = self.count();
        if n == 0 || ranks.iter().any(|q| !(0.0..=1.0).contains(q)) {
            return None;
        }
        let view = self.0.sorted();
        Some(
            ranks
                .iter()
                .map(|&q| {
                    let target = (q * n as f64).ceil() as u64;
                    let at = view.partition_point(|&(_, weight)| weight < target);
                    view[at.min(view.len() - 1)].0
                })
                .collect(),
        )
    }

    /// The bound on the error of a share from [`shares`](Self::shares) (99% confidence):
    /// DataSketches' empirical constant for KLL, `2.446 / k^0.9433`.
    pub fn share_error(&self) -> f64 {
        2.446 / f64::from(self.0.k()).powf(0.9433)
    }

    /// The smallest and largest value seen (exact).
    pub fn range(&self) -> Option<(f64, f64)> {
        self.0.range()
    }

    /// The normalized rank error bound (99% confidence) of this sketch's answers:
    /// DataSketches' empirical constant for KLL, `2.296 / k^0.9723`.
    pub fn rank_error(&self) -> f64 {
        2.296 / f64::from(self.0.k()).powf(0.9723)
    }

    /// The sketch as bytes (the `SKL1` format of `sketch::kll`, documented in
    /// docs/profile.md).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes()
    }

    /// A sketch from [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StatsError> {
        Kll::from_bytes(bytes).map(Self)
    }
}

impl Serialize for QuantileSketch {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_helpers::encode(&self.to_bytes()))
    }
}

impl<'de> Deserialize<'de> for QuantileSketch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes = serde_helpers::decode(&String::deserialize(d)?)?;
        Self::from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_rank(sorted: &[f64], x: f64) -> f64 {
        sorted.partition_point(|&v| v <= x) as f64 / sorted.len() as f64
    }

    #[test]
    fn quantiles_stay_within_the_rank_bound_after_merging() {
        let values: Vec<f64> = (0..200_000u64)
            .map(|i| ((i * 2_654_435_761) % 100_003) as f64)
            .collect();
        let mut parts = [QuantileSketch::default(), QuantileSketch::default()];
        for (i, chunk) in values.chunks(10_000).enumerate() {
            parts[i % 2].extend(chunk);
        }
        let [mut merged, other] = parts;
        merged.merge(&other);
        assert_eq!(merged.count(), values.len() as u64);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] {
            let x = merged.quantile(q).unwrap();
            let rank = exact_rank(&sorted, x);
            assert!(
                (rank - q).abs() <= merged.rank_error(),
                "q={q} x={x} rank={rank}"
            );
        }
        assert_eq!(merged.range(), Some((0.0, 100_002.0)));
    }

    #[test]
    fn the_rank_bound_holds_across_seeds() {
        // 40 seeds × 9 ranks on 50,000 values with k = 100 (bound ≈ 2.6%): the bound is a
        // 99% one, so a handful of misses is expected and more would mean a broken coin.
        let values: Vec<f64> = (0..50_000u64)
            .map(|i| ((i * 2_654_435_761) % 50_021) as f64)
            .collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let (mut misses, mut checks) = (0, 0);
        for seed in 0..40 {
            let mut a = QuantileSketch::seeded(100, seed);
            let mut b = QuantileSketch::seeded(100, seed + 1000);
            a.extend(&values[..20_000]);
            b.extend(&values[20_000..]);
            a.merge(&b);
            for q in [0.01, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.99] {
                let rank = exact_rank(&sorted, a.quantile(q).unwrap());
                checks += 1;
                misses += usize::from((rank - q).abs() > a.rank_error());
            }
        }
        assert!(
            misses * 100 <= checks * 3,
            "{misses} of {checks} outside the bound"
        );
    }

    #[test]
    fn small_streams_are_exact_and_nan_is_ignored() {
        let mut s = QuantileSketch::default();
        for v in [3.0, f64::NAN, 1.0, 2.0] {
            s.update(v);
        }
        assert_eq!(s.count(), 3);
        assert_eq!(s.quantile(0.5), Some(2.0));
        assert_eq!(s.quantile(1.5), None);
        assert_eq!(QuantileSketch::default().quantile(0.5), None);
    }

    #[test]
    fn bytes_round_trip() {
        let mut s = QuantileSketch::default();
        s.extend(&(0..5000).map(f64::from).collect::<Vec<_>>());
        let back = QuantileSketch::from_bytes(&s.to_bytes()).unwrap();
        assert_eq!(back.quantile(0.3), s.quantile(0.3));
        assert!(QuantileSketch::from_bytes(b"junk").is_err());
    }
}
