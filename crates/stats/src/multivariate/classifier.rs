//! A domain classifier: how well a learner tells reference rows from current rows, as the
//! cross-validated ROC AUC of its out-of-fold scores. Near 0.5 the two are the same
//! distribution as far as the learner can see; near 1 they are apart. Which features the
//! learner split on most says where they differ.
//!
//! The learner is smartcore's random forest of regression trees fitted to the 0/1 label
//! "current row" (a probability forest: a leaf predicts the share of current rows in it, and
//! the squared error of a 0/1 label is its Gini impurity, so the splits are a classification
//! forest's). A forest rather than a linear model because joint drift is about interactions
//! (two features decoupling), which a linear boundary cannot see.
//!
//! The steps, all seeded:
//! 1. at most `max_rows` rows of each sample, drawn without replacement (kept in their order);
//! 2. the rows of each sample dealt to `folds` folds after a shuffle (stratified folds);
//! 3. per fold, a forest fitted on the other folds scores the fold's rows;
//! 4. the ROC AUC of all out-of-fold scores pooled (ties count half), as NannyML's
//!    `DomainClassifierCalculator` computes it with LightGBM; see docs/multivariate.md for how the
//!    two learners compare;
//! 5. each feature's importance: the forest's mean impurity decrease, normalised to sum 1,
//!    averaged over the folds.
//!
//! Folds run on threads; each is fitted from its own seed and the results are gathered in
//! fold order, so the outcome is the same bits on any thread count.

use ndarray::{Array2, ArrayView2, Axis};
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};

use crate::cbpe::metric::roc_auc;
use crate::error::StatsError;
use crate::random::SplitMix64;

/// Settings of [`domain_classifier`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClassifierOptions {
    /// Cross-validation folds (at least 2).
    pub folds: usize,
    /// Trees per forest.
    pub trees: usize,
    /// The deepest a tree grows.
    pub max_depth: u16,
    /// Rows a leaf holds at least.
    pub min_leaf: usize,
    /// Rows of each sample used at most (a seeded draw beyond it).
    pub max_rows: usize,
    /// Seed of the draw, the folds and the forests.
    pub seed: u64,
    /// Threads for the folds (the result does not depend on it).
    pub threads: usize,
}

impl Default for ClassifierOptions {
    fn default() -> Self {
        Self {
            folds: 5,
            trees: 100,
            max_depth: 8,
            min_leaf: 10,
            max_rows: 10_000,
            seed: 0,
            threads: 1,
        }
    }
}

/// What [`domain_classifier`] found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClassifierOutcome {
    /// The cross-validated ROC AUC of telling current rows (positive) from reference rows.
    pub auc: f64,
    /// Per feature (column of the matrices), its share of the forests' impurity decrease.
    pub importances: Vec<f64>,
    /// Reference rows used.
    pub reference_rows: usize,
    /// Current rows used.
    pub current_rows: usize,
}

/// The domain classifier between the rows of `reference` and of `current` (same columns,
/// no NaN: encode and impute first). Each sample needs a row per fold (of those drawn).
pub fn domain_classifier(
    reference: ArrayView2<f64>,
    current: ArrayView2<f64>,
    options: &ClassifierOptions,
) -> Result<ClassifierOutcome, StatsError> {
    let invalid = |m: String| StatsError::InvalidArgument(format!("domain classifier: {m}"));
    if options.folds < 2 || options.trees == 0 || options.max_rows == 0 || options.min_leaf == 0 {
        return Err(invalid(format!(
            "folds must be at least 2 and trees, rows and leaf size positive (got {} folds, {} trees, {} rows, leaves of {})",
            options.folds, options.trees, options.max_rows, options.min_leaf
        )));
    }
    let folds = options.folds;
    let (n, m) = (
        reference.nrows().min(options.max_rows),
        current.nrows().min(options.max_rows),
    );
    if n < folds || m < folds {
        return Err(StatsError::not_enough("domain classifier", folds, n, m));
    }
    if reference.ncols() != current.ncols() || reference.ncols() == 0 {
        return Err(invalid(format!(
            "the reference has {} columns, the current data {}",
            reference.ncols(),
            current.ncols()
        )));
    }
    if reference.iter().chain(current.iter()).any(|v| v.is_nan()) {
        return Err(invalid("a value is NaN: encode and impute first".into()));
    }
    let mut rng = SplitMix64::new(options.seed);
    let reference_rows = draw(reference.nrows(), options.max_rows, &mut rng);
    let current_rows = draw(current.nrows(), options.max_rows, &mut rng);
    // The pooled rows: the drawn reference rows, then the drawn current rows.
    let pooled = ndarray::concatenate(
        Axis(0),
        &[
            reference.select(Axis(0), &reference_rows).view(),
            current.select(Axis(0), &current_rows).view(),
        ],
    )
    .map_err(|e| invalid(e.to_string()))?;
    let split = reference_rows.len();
    let labels: Vec<bool> = (0..pooled.nrows()).map(|i| i >= split).collect();
    let fold_of = deal(split, pooled.nrows() - split, folds, &mut rng);
    let fold_seeds: Vec<(usize, u64)> = (0..folds).map(|f| (f, rng.next_u64())).collect();
    let fitted = seismo_core::parallel::map_ordered(&fold_seeds, options.threads, |&(f, seed)| {
        fit_fold(&pooled, &labels, &fold_of, f, seed, options)
    });
    let mut scores = vec![f64::NAN; pooled.nrows()];
    let mut importances = vec![0.0; pooled.ncols()];
    for fold in fitted {
        let fold = fold.map_err(invalid)?;
        for (row, score) in fold.scores {
            scores[row] = score;
        }
        for (total, share) in importances.iter_mut().zip(&fold.importances) {
            *total += share / folds as f64;
        }
    }
    Ok(ClassifierOutcome {
        auc: roc_auc(&scores, &labels),
        importances,
        reference_rows: split,
        current_rows: pooled.nrows() - split,
    })
}

/// One fold's out-of-fold scores (pooled row, score) and the forest's importances.
struct Fold {
    scores: Vec<(usize, f64)>,
    importances: Vec<f64>,
}

fn fit_fold(
    pooled: &Array2<f64>,
    labels: &[bool],
    fold_of: &[usize],
    fold: usize,
    seed: u64,
    options: &ClassifierOptions,
) -> Result<Fold, String> {
    let (train, test): (Vec<usize>, Vec<usize>) =
        (0..pooled.nrows()).partition(|&i| fold_of[i] != fold);
    let x = pooled.select(Axis(0), &train);
    let y: Vec<f64> = train
        .iter()
        .map(|&i| f64::from(u8::from(labels[i])))
        .collect();
    let features = pooled.ncols();
    let parameters = RandomForestRegressorParameters::default()
        .with_n_trees(options.trees)
        .with_max_depth(options.max_depth)
        .with_min_samples_leaf(options.min_leaf)
        .with_m(features.div_ceil(3).max(1))
        .with_seed(seed);
    let forest = RandomForestRegressor::fit(&x, &y, parameters).map_err(|e| e.to_string())?;
    let scores: Vec<f64> = forest
        .predict(&pooled.select(Axis(0), &test))
        .map_err(|e| e.to_string())?;
    let importances = forest
        .compute_feature_importances()
        .map_err(|e| e.to_string())?;
    Ok(Fold {
        scores: test.into_iter().zip(scores).collect(),
        importances,
    })
}

/// At most `max` of the indices `0..n`, drawn without replacement and sorted.
fn draw(n: usize, max: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..n).collect();
    if n > max {
        rng.sample_front(&mut rows, max);
        rows.truncate(max);
        rows.sort_unstable();
    }
    rows
}

/// The fold of each pooled row: the `reference` rows, then the `current` ones, each sample
/// shuffled and dealt round the folds, so every fold holds its share of both.
fn deal(reference: usize, current: usize, folds: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut fold_of = vec![0; reference + current];
    for (start, len) in [(0, reference), (reference, current)] {
        let mut order: Vec<usize> = (start..start + len).collect();
        rng.shuffle(&mut order);
        for (k, row) in order.into_iter().enumerate() {
            fold_of[row] = k % folds;
        }
    }
    fold_of
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of `features` uniform values; in the current rows features 0 and 1 move
    /// together when `coupled`.
    fn samples(n: usize, features: usize, coupled: bool, seed: u64) -> (Array2<f64>, Array2<f64>) {
        let mut rng = SplitMix64::new(seed);
        let reference = Array2::from_shape_fn((n, features), |_| rng.uniform());
        let mut current = Array2::from_shape_fn((n, features), |_| rng.uniform());
        if coupled {
            for mut row in current.rows_mut() {
                row[1] = 0.8 * row[0] + 0.2 * row[1];
            }
        }
        (reference, current)
    }

    fn small() -> ClassifierOptions {
        ClassifierOptions {
            trees: 30,
            ..ClassifierOptions::default()
        }
    }

    #[test]
    fn a_coupling_of_two_features_is_seen_and_named() {
        let (x, y) = samples(1500, 6, true, 1);
        let out = domain_classifier(x.view(), y.view(), &small()).unwrap();
        assert!(out.auc > 0.7, "{out:?}");
        let mut order: Vec<usize> = (0..6).collect();
        order.sort_by(|&a, &b| out.importances[b].total_cmp(&out.importances[a]));
        assert_eq!(
            {
                let mut top = order[..2].to_vec();
                top.sort();
                top
            },
            vec![0, 1],
            "{out:?}"
        );
        assert!((out.importances.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn one_distribution_gives_about_one_half() {
        let (x, y) = samples(1500, 6, false, 2);
        let out = domain_classifier(x.view(), y.view(), &small()).unwrap();
        assert!((out.auc - 0.5).abs() < 0.05, "{out:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_bits_on_any_thread_count() {
        let (x, y) = samples(600, 4, true, 3);
        let mut o = small();
        o.max_rows = 500;
        let one = domain_classifier(x.view(), y.view(), &o).unwrap();
        o.threads = 3;
        let three = domain_classifier(x.view(), y.view(), &o).unwrap();
        assert_eq!(one, three);
        assert_eq!((one.reference_rows, one.current_rows), (500, 500));
        o.seed = 9;
        assert_ne!(domain_classifier(x.view(), y.view(), &o).unwrap(), one);
    }

    #[test]
    fn bad_input_is_an_error() {
        let (x, y) = samples(20, 3, false, 4);
        let o = small();
        let few = x.slice(ndarray::s![..4, ..]);
        assert!(matches!(
            domain_classifier(few, y.view(), &o),
            Err(StatsError::NotEnoughData { .. })
        ));
        let narrow = y.slice(ndarray::s![.., ..2]);
        assert!(domain_classifier(x.view(), narrow, &o).is_err());
        let mut nan = x.clone();
        nan[[3, 1]] = f64::NAN;
        assert!(domain_classifier(nan.view(), y.view(), &o).is_err());
        let mut one_fold = o.clone();
        one_fold.folds = 1;
        assert!(domain_classifier(x.view(), y.view(), &one_fold).is_err());
    }
}
