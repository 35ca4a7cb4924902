//! Whether the reference's scores are worth calibrating: NannyML's `needs_calibration`, on
//! seismo's own seeded split.

use super::isotonic::{Isotonic, sorted_order};
use super::metric::sorted_roc_auc;
use crate::parallel::map_ordered;
use crate::random::SplitMix64;
use crate::sort::key;

/// When CBPE calibrates the scores on the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Calibration {
    /// When calibrating lowers the expected calibration error on held-out reference rows
    /// ([`needs_calibration`]), as NannyML decides.
    #[default]
    Auto,
    /// Always: isotonic calibration fitted on the whole reference.
    Always,
    /// Never: the scores are taken as calibrated probabilities.
    Never,
}

impl Calibration {
    /// `auto`, `always` or `never`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "auto" => Some(Self::Auto),
            "always" => Some(Self::Always),
            "never" => Some(Self::Never),
            _ => None,
        }
    }

    /// The word [`Calibration::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Always => "always",
            Self::Never => "never",
        }
    }
}

/// Splits, held-out share and calibration-error bins of [`needs_calibration`] (NannyML's).
const SPLITS: usize = 10;
const TEST_SHARE: f64 = 0.1;
const BINS: usize = 10;

/// Whether isotonic calibration makes the scores more calibrated, as NannyML decides it:
/// never with one class of labels or a ROC AUC above 0.999; otherwise ten stratified
/// shuffle splits hold out 10% of the rows each, a calibration fitted on the rest maps the
/// held-out scores, and calibrating is worth it when the expected calibration error (ten
/// bins of equal count over all held-out rows) is lower after than before.
///
/// The splits are seismo's, seeded by `seed` (NannyML draws them with scikit-learn's
/// `StratifiedShuffleSplit(random_state=42)`), so on a reference where the two errors are
/// close the two tools can decide differently; `Calibration::Always` and `Never` fix it.
/// The splits are fitted on up to `threads` threads; the answer is the same on any count.
pub fn needs_calibration(scores: &[f64], labels: &[bool], seed: u64, threads: usize) -> bool {
    Sorted::new(scores, labels).needs_calibration(seed, threads)
}

/// The calibration CBPE applies to one class's reference rows under `mode`, decided and
/// fitted from their one sort. `None` when the scores are taken as they are.
pub(crate) fn fit_calibration(
    sorted: &Sorted<'_>,
    mode: Calibration,
    seed: u64,
    threads: usize,
) -> Option<Isotonic> {
    if mode == Calibration::Never
        || (mode == Calibration::Auto && !sorted.needs_calibration(seed, threads))
    {
        return None;
    }
    Isotonic::fit_sorted(sorted.rows.iter().copied())
}

/// A reference's rows sorted by score, then label, then row: sorted once for the
/// calibration and ROC AUC's sampling error.
pub(crate) struct Sorted<'a> {
    labels: &'a [bool],
    /// The rows in that order.
    order: Vec<usize>,
    /// (score, label as 0 or 1) in that order.
    pub(crate) rows: Vec<(f64, f64)>,
}

impl<'a> Sorted<'a> {
    pub(crate) fn new(scores: &'a [f64], labels: &'a [bool]) -> Self {
        let numeric: Vec<f64> = labels.iter().map(|l| f64::from(*l)).collect();
        let order = sorted_order(scores, &numeric);
        let rows = order.iter().map(|&i| (scores[i], numeric[i])).collect();
        Self {
            labels,
            order,
            rows,
        }
    }

    /// [`needs_calibration`] on these rows.
    fn needs_calibration(&self, seed: u64, threads: usize) -> bool {
        let labels = self.labels;
        let positives = labels.iter().filter(|l| **l).count();
        if positives == 0 || positives == labels.len() {
            return false;
        }
        if sorted_roc_auc(&self.rows) > 0.999 {
            return false;
        }
        let mut rng = SplitMix64::new(seed);
        let mut classes: [Vec<usize>; 2] = [false, true].map(|class| {
            (0..labels.len())
                .filter(|&i| labels[i] == class)
                .collect::<Vec<_>>()
        });
        let mut rank = vec![0usize; self.order.len()];
        for (r, &i) in self.order.iter().enumerate() {
            rank[i] = r;
        }
        // The held-out rows of every split as positions in the sorted order, drawn in split
        // order (the same on any thread count): 10% of each class, a fresh uniform sample
        // each time.
        let splits: Vec<Vec<bool>> = (0..SPLITS)
            .map(|_| {
                let mut held = vec![false; labels.len()];
                for rows in &mut classes {
                    let k = ((rows.len() as f64 * TEST_SHARE).ceil() as usize).min(rows.len());
                    rng.sample_front(rows, k);
                    rows[..k].iter().for_each(|&i| held[rank[i]] = true);
                }
                held
            })
            .collect();
        // Each split's calibration fitted on the rows it keeps and applied to those it holds
        // out, both walked in sorted order.
        let rows = &self.rows;
        let held_out_of = |held: &Vec<bool>| -> Option<Vec<f64>> {
            let kept = rows.iter().zip(held).filter(|(_, h)| !**h).map(|(r, _)| *r);
            let calibration = Isotonic::fit_sorted(kept)?;
            let out = rows.iter().zip(held).filter(|(_, h)| **h).map(|(r, _)| r.0);
            Some(calibration.calibrate_ascending(out))
        };
        // Every split's held-out rows: raw ones counted by sorted position, so they come
        // out by (probability, label) with no sort; calibrated ones sorted.
        let mut times_held = vec![0usize; rows.len()];
        let mut calibrated = Vec::new();
        for (held, mapped) in splits
            .iter()
            .zip(map_ordered(&splits, threads, held_out_of))
        {
            let Some(mapped) = mapped else {
                return false;
            };
            let out = rows.iter().zip(held).filter(|(_, h)| **h);
            calibrated.extend(out.zip(mapped).map(|((&(_, y), _), p)| (p, y)));
            times_held
                .iter_mut()
                .zip(held)
                .for_each(|(t, h)| *t += usize::from(*h));
        }
        let raw: Vec<(f64, f64)> = rows
            .iter()
            .zip(&times_held)
            .flat_map(|(row, &times)| std::iter::repeat_n(*row, times))
            .collect();
        binned_calibration_error(&raw) > binned_calibration_error(&by_probability(calibrated))
    }
}

/// (probability, label) rows sorted by probability, then label.
fn by_probability(mut rows: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    rows.sort_unstable_by_key(|&(p, y)| (key(p), key(y)));
    rows
}

/// The expected calibration error of probabilities against 0/1 labels: rows sorted by
/// probability, cut into [`BINS`] bins of equal count (the last takes the remainder), and
/// the row-weighted mean of |mean probability − mean label| per bin.
pub fn expected_calibration_error(labels: &[f64], probabilities: &[f64]) -> f64 {
    binned_calibration_error(&by_probability(
        probabilities
            .iter()
            .copied()
            .zip(labels.iter().copied())
            .collect(),
    ))
}

/// [`expected_calibration_error`] of (probability, label) rows already sorted by
/// probability, then label. Rows equal in both may come in any order: the sums are the same.
fn binned_calibration_error(rows: &[(f64, f64)]) -> f64 {
    let n = rows.len();
    if n < BINS {
        return f64::NAN;
    }
    let width = n / BINS;
    let mut edges: Vec<usize> = (0..=n).step_by(width).collect();
    *edges.last_mut().expect("n >= BINS") = n;
    edges
        .windows(2)
        .map(|edge| {
            let bin = &rows[edge[0]..edge[1]];
            let m = bin.len() as f64;
            let p = bin.iter().map(|r| r.0).sum::<f64>() / m;
            let y = bin.iter().map(|r| r.1).sum::<f64>() / m;
            m / n as f64 * (p - y).abs()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_error_is_zero_for_calibrated_bins_and_large_for_squashed_ones() {
        // Ten bins of ten rows; in bin k the probability is k/10 and k of ten labels are 1.
        let mut labels = Vec::new();
        let mut probabilities = Vec::new();
        for k in 0..10 {
            for j in 0..10 {
                probabilities.push(k as f64 / 10.0);
                labels.push(f64::from(j < k));
            }
        }
        assert!(expected_calibration_error(&labels, &probabilities).abs() < 1e-12);
        let squashed: Vec<f64> = probabilities.iter().map(|p| 0.4 + p / 5.0).collect();
        assert!(expected_calibration_error(&labels, &squashed) > 0.15);
    }

    #[test]
    fn one_class_or_perfect_ranking_needs_no_calibration() {
        let scores = [0.1, 0.2, 0.3, 0.4];
        assert!(!needs_calibration(&scores, &[true; 4], 1, 1));
        assert!(!needs_calibration(
            &scores,
            &[false, false, true, true],
            1,
            2
        ));
    }
}
