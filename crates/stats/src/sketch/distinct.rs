//! Distinct counts: a HyperLogLog sketch.

use datasketches::hll::{HllSketch, HllType, HllUnion};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::serde_helpers;
use crate::error::StatsError;

/// A HyperLogLog sketch of distinct values (lg k = 14: about 0.8% relative standard error;
/// small counts are kept in exact coupon lists and are nearly exact).
///
/// Numbers are hashed by their bit pattern with `-0.0` folded into `0.0`; strings by their
/// bytes. The hash is seeded identically everywhere, so sketches from different processes
/// merge.
///
/// ```
/// use seismo_stats::sketch::DistinctSketch;
///
/// let mut a = DistinctSketch::default();
/// let mut b = DistinctSketch::default();
/// (0..1000).for_each(|i| a.update_f64(i as f64));
/// (500..1500).for_each(|i| b.update_f64(i as f64));
/// a.merge(&b);
/// assert!((a.estimate() - 1500.0).abs() < 1500.0 * 0.03);
/// ```
#[derive(Debug, Clone)]
pub struct DistinctSketch(HllSketch);

const LG_K: u8 = 14;

impl Default for DistinctSketch {
    fn default() -> Self {
        Self(HllSketch::new(LG_K, HllType::Hll8).expect("lg k 14 is valid"))
    }
}

impl DistinctSketch {
    /// Adds a number.
    #[inline]
    pub fn update_f64(&mut self, value: f64) {
        self.0.update(crate::sort::canonical(value).to_bits());
    }

    /// Adds a string.
    #[inline]
    pub fn update_str(&mut self, value: &str) {
        self.0.update(value);
    }

    /// Adds another sketch's values.
    pub fn merge(&mut self, other: &Self) {
        let mut union = HllUnion::new(LG_K).expect("lg k 14 is valid");
        union.update(&self.0);
        union.update(&other.0);
        self.0 = union.to_sketch(HllType::Hll8);
    }

    /// The estimated number of distinct values.
    pub fn estimate(&self) -> f64 {
        self.0.estimate()
    }

    /// The sketch in the DataSketches HLL byte format.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.serialize()
    }

    /// A sketch from the DataSketches HLL byte format.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StatsError> {
        HllSketch::deserialize(bytes)
            .map(Self)
            .map_err(|e| StatsError::Sketch(format!("distinct sketch: {e}")))
    }
}

impl Serialize for DistinctSketch {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_helpers::encode(&self.to_bytes()))
    }
}

impl<'de> Deserialize<'de> for DistinctSketch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes = serde_helpers::decode(&String::deserialize(d)?)?;
        Self::from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_and_round_trips() {
        let mut s = DistinctSketch::default();
        for i in 0..100_000 {
            s.update_f64((i % 20_000) as f64);
        }
        let e = s.estimate();
        assert!((e - 20_000.0).abs() < 20_000.0 * 0.03, "{e}");
        let back = DistinctSketch::from_bytes(&s.to_bytes()).unwrap();
        assert_eq!(back.estimate(), e);
        let mut z = DistinctSketch::default();
        z.update_f64(0.0);
        z.update_f64(-0.0);
        z.update_str("a");
        assert_eq!(z.estimate().round(), 2.0);
    }
}
