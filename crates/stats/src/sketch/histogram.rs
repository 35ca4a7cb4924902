//! Counts on fixed bins: the simplest mergeable summary of a distribution.

use serde::{Deserialize, Serialize};

use crate::error::StatsError;

/// Counts of values on fixed interior edges `e₁ < … < eₖ`: bins `(−∞, e₁], (e₁, e₂], …,
/// (eₖ, ∞)`, the same right-closed bins as [`crate::distance::bin`], so a histogram built from
/// a reference's edges feeds PSI and the other binned distances directly. Exact, and merges
/// with any histogram on the same edges. NaN is counted apart.
///
/// ```
/// use seismo_stats::sketch::FixedHistogram;
///
/// let mut h = FixedHistogram::new(vec![0.0, 10.0]).unwrap();
/// h.extend(&[-1.0, 0.0, 5.0, 11.0, f64::NAN]);
/// assert_eq!(h.counts(), &[2, 1, 1]);
/// assert_eq!(h.nan(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixedHistogram {
    edges: Vec<f64>,
    counts: Vec<u64>,
    nan: u64,
}

impl FixedHistogram {
    /// An empty histogram on strictly increasing, non-NaN interior `edges`.
    pub fn new(edges: Vec<f64>) -> Result<Self, StatsError> {
        if edges.iter().any(|e| e.is_nan()) || edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(StatsError::InvalidArgument(
                "histogram edges must be increasing numbers".into(),
            ));
        }
        let counts = vec![0; edges.len() + 1];
        Ok(Self {
            edges,
            counts,
            nan: 0,
        })
    }

    /// Counts one value.
    pub fn update(&mut self, value: f64) {
        if value.is_nan() {
            self.nan += 1;
        } else {
            self.counts[self.edges.partition_point(|&e| e < value)] += 1;
        }
    }

    /// Counts every value of a slice.
    pub fn extend(&mut self, values: &[f64]) {
        values.iter().for_each(|&v| self.update(v));
    }

    /// Adds another histogram on the same edges.
    pub fn merge(&mut self, other: &Self) -> Result<(), StatsError> {
        if self.edges != other.edges {
            return Err(StatsError::Incompatible(
                "histograms on different edges".into(),
            ));
        }
        self.counts
            .iter_mut()
            .zip(&other.counts)
            .for_each(|(a, b)| *a += b);
        self.nan += other.nan;
        Ok(())
    }

    /// The interior edges.
    pub fn edges(&self) -> &[f64] {
        &self.edges
    }

    /// The count per bin.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// NaN values seen.
    pub fn nan(&self) -> u64 {
        self.nan
    }

    /// The histogram as bytes (its JSON form; edges keep full precision).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a histogram always serializes")
    }

    /// A histogram from [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StatsError> {
        let h: Self = serde_json::from_slice(bytes)
            .map_err(|e| StatsError::Sketch(format!("histogram: {e}")))?;
        Self::new(h.edges.clone())?;
        if h.counts.len() != h.edges.len() + 1 {
            return Err(StatsError::Sketch(
                "histogram: counts do not match edges".into(),
            ));
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distance::{Binning, bin};

    #[test]
    fn agrees_with_binning_and_merges() {
        let values: Vec<f64> = (0..1000).map(|i| ((i * 37) % 101) as f64 / 10.0).collect();
        let edges = vec![2.0, 5.0, 5.5, 9.0];
        let whole = bin(&values, &values, &Binning::Edges(edges.clone())).unwrap();
        let (mut a, mut b) = (
            FixedHistogram::new(edges.clone()).unwrap(),
            FixedHistogram::new(edges).unwrap(),
        );
        a.extend(&values[..400]);
        b.extend(&values[400..]);
        a.merge(&b).unwrap();
        assert_eq!(a.counts(), whole.reference.as_slice());
        let back = FixedHistogram::from_bytes(&a.to_bytes()).unwrap();
        assert_eq!(back, a);
        assert!(a.merge(&FixedHistogram::new(vec![1.0]).unwrap()).is_err());
        assert!(FixedHistogram::new(vec![2.0, 1.0]).is_err());
        assert!(FixedHistogram::from_bytes(br#"{"edges":[1.0],"counts":[1],"nan":0}"#).is_err());
    }
}
