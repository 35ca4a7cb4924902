//! Binning two samples onto shared bins, and the distances between the binned shares.
//!
//! Binning is explicit ([`Binning`]):
//! - **quantile** (the default, 10 bins): interior edges at the reference's quantiles
//!   `k/B, k = 1..B−1` (linear interpolation, numpy's default), repeated edges merged, so a
//!   column with few distinct values gets fewer bins;
//! - **fixed width**: `B` equal-width bins over the range of both samples together;
//! - **edges**: interior edges given by the user (sorted, distinct).
//!
//! Bins are right-closed, `(e₍ₖ₋₁₎, eₖ]`, and the outer two are open-ended, so current values
//! beyond the reference's range still count (in the first or last bin). NaN is dropped.
//! Categories are their own bins ([`align_categories`]).
//!
//! Empty bins: PSI and KL divide by and take logs of shares, so before them every share is
//! floored at [`EMPTY_BIN_SHARE`] (1e-4, Evidently's rule); JS, Hellinger, TVD and L∞ use
//! the shares as they are.

use crate::error::StatsError;
use crate::sort::{linear_quantile, sorted_finite_or_inf};

/// The share an empty bin is given before PSI and KL.
pub const EMPTY_BIN_SHARE: f64 = 1e-4;

/// How to bin numeric samples.
#[derive(Debug, Clone, PartialEq)]
pub enum Binning {
    /// Edges at the reference's quantiles.
    Quantile {
        /// Number of bins before merging repeated edges.
        bins: usize,
    },
    /// Equal-width bins over the combined range.
    FixedWidth {
        /// Number of bins.
        bins: usize,
    },
    /// Interior edges given by the user.
    Edges(Vec<f64>),
}

impl Default for Binning {
    fn default() -> Self {
        Self::Quantile { bins: 10 }
    }
}

/// Two samples counted on the same bins.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Interior edges; bin `k` is `(edges[k−1], edges[k]]`, the outer bins open-ended.
    pub edges: Vec<f64>,
    /// Reference counts per bin.
    pub reference: Vec<u64>,
    /// Current counts per bin.
    pub current: Vec<u64>,
}

/// Counts both samples on the bins `binning` describes.
///
/// ```
/// use seismo_stats::distance::{Binning, bin};
///
/// let h = bin(&[1.0, 2.0, 3.0, 4.0], &[4.0, 5.0], &Binning::Edges(vec![2.0, 3.5])).unwrap();
/// assert_eq!(h.reference, vec![2, 1, 1]);
/// assert_eq!(h.current, vec![0, 0, 2]);
/// ```
pub fn bin(reference: &[f64], current: &[f64], binning: &Binning) -> Result<Histogram, StatsError> {
    let a = sorted_finite_or_inf(reference);
    let b = sorted_finite_or_inf(current);
    if a.is_empty() || b.is_empty() {
        return Err(StatsError::not_enough("binning", 1, a.len(), b.len()));
    }
    let mut edges = match binning {
        Binning::Quantile { bins } => {
            check_bins(*bins)?;
            (1..*bins)
                // `a` is not empty (checked above).
                .map(|k| linear_quantile(&a, k as f64 / *bins as f64).unwrap_or(f64::NAN))
                .collect()
        }
        Binning::FixedWidth { bins } => {
            check_bins(*bins)?;
            let (low, high) = (a[0].min(b[0]), a[a.len() - 1].max(b[b.len() - 1]));
            if !(low.is_finite() && high.is_finite()) {
                return Err(StatsError::InvalidArgument(
                    "fixed-width bins need finite values".into(),
                ));
            }
            let width = (high - low) / *bins as f64;
            (1..*bins).map(|k| low + width * k as f64).collect()
        }
        Binning::Edges(edges) => {
            if edges.iter().any(|e| e.is_nan()) || edges.windows(2).any(|w| w[0] >= w[1]) {
                return Err(StatsError::InvalidArgument(
                    "bin edges must be increasing numbers".into(),
                ));
            }
            edges.clone()
        }
    };
    edges.dedup();
    let count = |sorted: &[f64]| -> Vec<u64> {
        let mut counts = vec![0u64; edges.len() + 1];
        let mut start = 0;
        for (k, &edge) in edges.iter().enumerate() {
            let end = start + sorted[start..].partition_point(|&v| v <= edge);
            counts[k] = (end - start) as u64;
            start = end;
        }
        counts[edges.len()] = (sorted.len() - start) as u64;
        counts
    };
    Ok(Histogram {
        reference: count(&a),
        current: count(&b),
        edges,
    })
}

fn check_bins(bins: usize) -> Result<(), StatsError> {
    if bins == 0 {
        return Err(StatsError::InvalidArgument(
            "the number of bins must be at least 1".into(),
        ));
    }
    Ok(())
}

/// Category counts of both samples aligned on the union of categories (sorted by label):
/// `(labels, reference counts, current counts)`. A category seen on one side only gets 0 on
/// the other; a label repeated on one side adds up.
///
/// ```
/// use seismo_stats::distance::align_categories;
///
/// let (labels, r, c) = align_categories([("DE", 5), ("FR", 2)], [("FR", 1), ("NL", 4)]);
/// assert_eq!((labels, r, c), (vec!["DE".into(), "FR".into(), "NL".into()], vec![5, 2, 0], vec![0, 1, 4]));
/// ```
pub fn align_categories<'a>(
    reference: impl IntoIterator<Item = (&'a str, u64)>,
    current: impl IntoIterator<Item = (&'a str, u64)>,
) -> (Vec<String>, Vec<u64>, Vec<u64>) {
    let mut all: std::collections::BTreeMap<&str, (u64, u64)> = std::collections::BTreeMap::new();
    for (label, n) in reference {
        all.entry(label).or_default().0 += n;
    }
    for (label, n) in current {
        all.entry(label).or_default().1 += n;
    }
    let labels = all.keys().map(|s| s.to_string()).collect();
    let (r, c) = all.values().copied().unzip();
    (labels, r, c)
}

fn shares(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    counts.iter().map(|&c| c as f64 / total as f64).collect()
}

fn floored(shares: &[f64]) -> Vec<f64> {
    shares.iter().map(|p| p.max(EMPTY_BIN_SHARE)).collect()
}

fn check_counts(reference: &[u64], current: &[u64], name: &'static str) -> Result<(), StatsError> {
    if reference.len() != current.len() {
        return Err(StatsError::InvalidArgument(format!(
            "{name}: {} reference bins against {} current",
            reference.len(),
            current.len()
        )));
    }
    let (r, c): (u64, u64) = (reference.iter().sum(), current.iter().sum());
    if r == 0 || c == 0 {
        return Err(StatsError::not_enough(name, 1, r as usize, c as usize));
    }
    Ok(())
}

/// Population stability index `Σ (cᵢ − rᵢ) ln(cᵢ/rᵢ)` over bin shares (empty bins floored).
/// Rules of thumb: below 0.1 stable, 0.1–0.2 some shift, above 0.2 a major shift.
pub fn psi(reference: &[u64], current: &[u64]) -> Result<f64, StatsError> {
    check_counts(reference, current, "psi")?;
    Ok(psi_from_shares(&shares(reference), &shares(current)))
}

/// [`psi`] on bin shares (each summing to 1), as sketches give them.
pub fn psi_from_shares(reference: &[f64], current: &[f64]) -> f64 {
    let (r, c) = (floored(reference), floored(current));
    r.iter().zip(&c).map(|(r, c)| (c - r) * (c / r).ln()).sum()
}

/// Kullback–Leibler divergence of the reference from the current, `Σ rᵢ ln(rᵢ/cᵢ)` (natural
/// log, empty bins floored): scipy's `entropy(reference_shares, current_shares)`.
pub fn kl_divergence(reference: &[u64], current: &[u64]) -> Result<f64, StatsError> {
    check_counts(reference, current, "kl")?;
    let (r, c) = (floored(&shares(reference)), floored(&shares(current)));
    // scipy's entropy normalizes its inputs; after flooring the shares no longer sum to 1.
    let (sr, sc): (f64, f64) = (r.iter().sum(), c.iter().sum());
    Ok(r.iter()
        .zip(&c)
        .map(|(r, c)| (r / sr) * ((r / sr) / (c / sc)).ln())
        .sum())
}

/// Jensen–Shannon distance (the square root of the divergence, natural log): scipy's
/// `spatial.distance.jensenshannon(reference_shares, current_shares)`. In `[0, √ln 2]`.
pub fn jensen_shannon(reference: &[u64], current: &[u64]) -> Result<f64, StatsError> {
    check_counts(reference, current, "jensen_shannon")?;
    Ok(jensen_shannon_from_shares(
        &shares(reference),
        &shares(current),
    ))
}

/// [`jensen_shannon`] on bin shares (each summing to 1), as sketches give them.
pub fn jensen_shannon_from_shares(r: &[f64], c: &[f64]) -> f64 {
    let part = |p: f64, m: f64| if p == 0.0 { 0.0 } else { p * (p / m).ln() };
    let divergence: f64 = r
        .iter()
        .zip(c)
        .map(|(&p, &q)| {
            let m = (p + q) / 2.0;
            part(p, m) + part(q, m)
        })
        .sum::<f64>()
        / 2.0;
    divergence.max(0.0).sqrt()
}

/// Hellinger distance `√(½ Σ (√rᵢ − √cᵢ)²)`, in `[0, 1]`.
pub fn hellinger(reference: &[u64], current: &[u64]) -> Result<f64, StatsError> {
    check_counts(reference, current, "hellinger")?;
    let (r, c) = (shares(reference), shares(current));
    Ok((r
        .iter()
        .zip(&c)
        .map(|(p, q)| (p.sqrt() - q.sqrt()).powi(2))
        .sum::<f64>()
        / 2.0)
        .sqrt())
}

/// Total variation distance `½ Σ |rᵢ − cᵢ|`, in `[0, 1]`.
pub fn total_variation(reference: &[u64], current: &[u64]) -> Result<f64, StatsError> {
    check_counts(reference, current, "tvd")?;
    let (r, c) = (shares(reference), shares(current));
    Ok(r.iter().zip(&c).map(|(p, q)| (p - q).abs()).sum::<f64>() / 2.0)
}

/// L-infinity distance `max |rᵢ − cᵢ|` between bin shares, in `[0, 1]`.
pub fn linf(reference: &[u64], current: &[u64]) -> Result<f64, StatsError> {
    check_counts(reference, current, "linf")?;
    let (r, c) = (shares(reference), shares(current));
    Ok(r.iter()
        .zip(&c)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max))
}
