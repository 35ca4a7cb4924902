//! Functional pruning for PELT's mean cost (Maidstone, Hocking, Rigaill and Fearnhead 2017):
//! keep, for each candidate start of the last segment, the segment means μ at which it can
//! still be the best, and drop it when none is left.
//!
//! Why: PELT's own rule drops a start only once a later split beats it outright. On a long
//! stretch without a change that never happens, so every start stays and the search is
//! quadratic. Comparing as functions of μ settles most of them within a few values.
//!
//! With `f_c(μ) = best[c] + penalty + Σ_{i ∈ (c, end]} wᵢ (xᵢ − μ)²`, the last segment's cost
//! is `min_μ f_c(μ)`. Once a start `t` is admitted, `f_c − f_t = best[c] − best[t] +
//! Σ_{(c, t]} w (x − μ)²` no longer changes with `end`, so `c` is no worse than `t` exactly on
//! the interval `W (μ − m)² ≤ best[t] − best[c] − S` (`W`, `m`, `S`: the weight, weighted mean
//! and scatter of `(c, t]`). Each set kept here is a superset of the true one (comparisons
//! with starts already dropped are left out, and every bound is widened by a rounding
//! margin), so a start is only dropped when some other start is strictly better for every μ:
//! the search returns what plain PELT returns.

/// A start of the last segment and where it may still be the best.
pub(super) struct Candidate {
    /// The index its segment starts at.
    pub start: usize,
    /// Closed intervals of μ, ascending and disjoint; empty means dropped.
    set: Vec<(f64, f64)>,
}

impl Candidate {
    /// A start that is best everywhere as far as is known (no functional pruning).
    pub fn unbounded(start: usize) -> Self {
        Self {
            start,
            set: vec![(f64::NEG_INFINITY, f64::INFINITY)],
        }
    }

    /// Whether some μ is left.
    pub fn alive(&self) -> bool {
        !self.set.is_empty()
    }

    /// Keeps only `[low, high]` (nothing when `low > high`).
    pub fn keep(&mut self, low: f64, high: f64) {
        self.set.retain_mut(|(a, b)| {
            *a = a.max(low);
            *b = b.min(high);
            a <= b
        });
    }

    /// Takes out the open interval `(low, high)`.
    pub fn remove(&mut self, low: f64, high: f64) {
        if low >= high {
            return;
        }
        let mut kept = Vec::with_capacity(self.set.len() + 1);
        for &(a, b) in &self.set {
            if b <= low || a >= high {
                kept.push((a, b));
                continue;
            }
            if a <= low {
                kept.push((a, low));
            }
            if b >= high {
                kept.push((high, b));
            }
        }
        self.set = kept;
    }
}

/// Where a quadratic `weight · (μ − mean)² ≤ room` holds: `None` when nowhere.
pub(super) fn within(weight: f64, mean: f64, room: f64) -> Option<(f64, f64)> {
    (room >= 0.0).then(|| {
        let radius = (room / weight).sqrt();
        (mean - radius, mean + radius)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_shrink_and_split() {
        let mut c = Candidate::unbounded(3);
        c.remove(-1.0, 1.0);
        assert_eq!(c.set, vec![(f64::NEG_INFINITY, -1.0), (1.0, f64::INFINITY)]);
        c.keep(-2.0, 5.0);
        assert_eq!(c.set, vec![(-2.0, -1.0), (1.0, 5.0)]);
        c.remove(0.0, 0.0); // an empty open interval takes nothing
        assert_eq!(c.set.len(), 2);
        c.remove(-3.0, 2.0);
        assert_eq!(c.set, vec![(2.0, 5.0)]);
        c.keep(6.0, 7.0);
        assert!(!c.alive());
        assert_eq!(within(4.0, 1.0, 16.0), Some((-1.0, 3.0)));
        assert_eq!(within(4.0, 1.0, -1e-300), None);
    }
}
