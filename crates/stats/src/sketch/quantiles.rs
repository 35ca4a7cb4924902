//! Quantiles of a stream: a KLL sketch over `f64`.

use datasketches::common::SearchCriteria;
use datasketches::kll::{KllFloat, KllSketch};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::serde_helpers;
use crate::error::StatsError;

/// A KLL quantile sketch of non-NaN `f64` values.
///
/// With `k = 400` (the default) the rank of a returned quantile is within
/// [`rank_error`](Self::rank_error) ≈ 0.68% of the asked rank, with 99% confidence, whatever
/// the stream's length; below about `k` values the sketch is exact. Sketches merge, and a
/// merged sketch keeps the bound. KLL compaction is randomized, so two runs over the same data
/// can give slightly different (equally bounded) answers.
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
pub struct QuantileSketch(KllSketch<KllFloat<f64>>);

impl Default for QuantileSketch {
    fn default() -> Self {
        Self::new(Self::DEFAULT_K)
    }
}

impl QuantileSketch {
    /// The `k` seismo uses unless told otherwise.
    pub const DEFAULT_K: u16 = 400;

    /// An empty sketch with accuracy parameter `k` (clamped to 8..=65535).
    pub fn new(k: u16) -> Self {
        Self(KllSketch::new(k.max(8)).expect("k is clamped into the valid range"))
    }

    /// Adds a value. NaN is ignored: callers count it apart.
    #[inline]
    pub fn update(&mut self, value: f64) {
        if let Ok(v) = KllFloat::<f64>::new(value) {
            self.0.update(v);
        }
    }

    /// Adds every value of a slice.
    pub fn extend(&mut self, values: &[f64]) {
        values.iter().for_each(|&v| self.update(v));
    }

    /// Adds another sketch's values.
    pub fn merge(&mut self, other: &Self) {
        // Both sketches hold f64 items, so the only merge error (mismatched types) cannot occur.
        let _ = self.0.merge(&other.0);
    }

    /// How many values the sketch has seen.
    pub fn count(&self) -> u64 {
        self.0.n()
    }

    /// The value at normalized rank `q` in `[0, 1]` (inclusive search: the smallest value
    /// whose rank is at least `q`). `None` when empty or `q` is outside `[0, 1]`.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if !(0.0..=1.0).contains(&q) {
            return None;
        }
        self.0
            .quantile(q, SearchCriteria::Inclusive)
            .ok()
            .flatten()
            .map(KllFloat::into_inner)
    }

    /// The estimated fraction of values `<= x`. `None` when empty or `x` is NaN.
    pub fn cdf(&self, x: f64) -> Option<f64> {
        self.0
            .rank(&KllFloat::<f64>::new(x).ok()?, SearchCriteria::Inclusive)
    }

    /// The estimated fractions of values `<= x` at each of `points` (strictly increasing,
    /// non-NaN), from one sorted view. `None` when empty or the points are not increasing.
    pub fn cdf_at(&self, points: &[f64]) -> Option<Vec<f64>> {
        let split = kll_items(points)?;
        let mut ranks = self.0.cdf(&split, SearchCriteria::Inclusive).ok()??;
        ranks.pop(); // the trailing 1.0 past the last point
        Some(ranks)
    }

    /// The estimated shares of values in the bins `(−∞, e₁], (e₁, e₂], …, (eₖ, ∞)` for
    /// strictly increasing `edges`. `None` when empty or the edges are not increasing.
    pub fn shares(&self, edges: &[f64]) -> Option<Vec<f64>> {
        let split = kll_items(edges)?;
        self.0.pmf(&split, SearchCriteria::Inclusive).ok()?
    }

    /// The values at each of the normalized `ranks` in `[0, 1]`, from one sorted view.
    pub fn quantiles_at(&self, ranks: &[f64]) -> Option<Vec<f64>> {
        let view = self.0.sorted_view();
        ranks
            .iter()
            .map(|&r| {
                view.quantile(r, SearchCriteria::Inclusive)
                    .ok()
                    .flatten()
                    .map(KllFloat::into_inner)
            })
            .collect()
    }

    /// The bound on the error of a share from [`shares`](Self::shares) (99% confidence).
    pub fn share_error(&self) -> f64 {
        self.0.normalized_pmf_error()
    }

    /// The smallest and largest value seen (exact).
    pub fn range(&self) -> Option<(f64, f64)> {
        Some((**self.0.min_item()?, **self.0.max_item()?))
    }

    /// The normalized rank error bound (99% confidence) of this sketch's answers.
    pub fn rank_error(&self) -> f64 {
        self.0.normalized_rank_error()
    }

    /// The sketch in the DataSketches KLL byte format.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.serialize()
    }

    /// A sketch from the DataSketches KLL byte format.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StatsError> {
        KllSketch::deserialize(bytes)
            .map(Self)
            .map_err(|e| StatsError::Sketch(format!("quantile sketch: {e}")))
    }
}

/// Points as KLL items; `None` if one is NaN.
fn kll_items(points: &[f64]) -> Option<Vec<KllFloat<f64>>> {
    points
        .iter()
        .map(|&x| KllFloat::<f64>::new(x).ok())
        .collect()
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
