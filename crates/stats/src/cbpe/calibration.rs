//! Whether the reference's scores are worth calibrating: NannyML's `needs_calibration`, on
//! seismo's own seeded split.

use super::isotonic::{Isotonic, sorted_order};
use super::metric::sorted_roc_auc;
use crate::parallel::map_ordered;
use crate::random::SplitMix64;

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
    let positives = labels.iter().filter(|l| **l).count();
    if positives == 0 || positives == labels.len() {
        return false;
    }
    let mut rng = SplitMix64::new(seed);
    let classes: [Vec<usize>; 2] = [false, true].map(|class| {
        (0..labels.len())
            .filter(|&i| labels[i] == class)
            .collect::<Vec<_>>()
    });
    let numeric: Vec<f64> = labels.iter().map(|l| f64::from(*l)).collect();
    // Sorted once, into contiguous rows: each split's training rows are these with its
    // held-out rows skipped.
    let order = sorted_order(scores, &numeric);
    let sorted: Vec<(f64, f64)> = order.iter().map(|&i| (scores[i], numeric[i])).collect();
    if sorted_roc_auc(&sorted) > 0.999 {
        return false;
    }
    let mut rank = vec![0usize; order.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    // The held-out rows of every split, drawn in split order (the same on any thread
    // count), then each split fitted and applied on its own thread.
    let splits: Vec<Vec<usize>> = (0..SPLITS)
        .map(|_| {
            let mut test = Vec::new();
            for class in &classes {
                let mut rows = class.clone();
                rng.shuffle(&mut rows);
                let held = ((rows.len() as f64 * TEST_SHARE).ceil() as usize).min(rows.len());
                test.extend_from_slice(&rows[..held]);
            }
            test
        })
        .collect();
    let held_out_of = |test: &Vec<usize>| -> Option<Vec<f64>> {
        let mut held_out = vec![false; labels.len()];
        test.iter().for_each(|&i| held_out[rank[i]] = true);
        let train = sorted
            .iter()
            .zip(&held_out)
            .filter(|(_, held)| !**held)
            .map(|(row, _)| *row);
        let calibration = Isotonic::fit_sorted(train)?;
        Some(
            test.iter()
                .map(|&i| calibration.calibrate(scores[i]))
                .collect(),
        )
    };
    let (mut truth, mut raw, mut calibrated) = (Vec::new(), Vec::new(), Vec::new());
    for (test, mapped) in splits
        .iter()
        .zip(map_ordered(&splits, threads, held_out_of))
    {
        let Some(mapped) = mapped else {
            return false;
        };
        truth.extend(test.iter().map(|&i| numeric[i]));
        raw.extend(test.iter().map(|&i| scores[i]));
        calibrated.extend(mapped);
    }
    expected_calibration_error(&truth, &raw) > expected_calibration_error(&truth, &calibrated)
}

/// The expected calibration error of probabilities against 0/1 labels: rows sorted by
/// probability, cut into [`BINS`] bins of equal count (the last takes the remainder), and
/// the row-weighted mean of |mean probability − mean label| per bin.
pub fn expected_calibration_error(labels: &[f64], probabilities: &[f64]) -> f64 {
    let n = probabilities.len();
    if n < BINS {
        return f64::NAN;
    }
    let order = sorted_order(probabilities, labels);
    let width = n / BINS;
    let mut edges: Vec<usize> = (0..=n).step_by(width).collect();
    *edges.last_mut().expect("n >= BINS") = n;
    edges
        .windows(2)
        .map(|edge| {
            let rows = &order[edge[0]..edge[1]];
            let m = rows.len() as f64;
            let p = rows.iter().map(|&i| probabilities[i]).sum::<f64>() / m;
            let y = rows.iter().map(|&i| labels[i]).sum::<f64>() / m;
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
