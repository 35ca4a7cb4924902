#![warn(missing_docs)]
//! Robustness tests for models: does the decision hold under small, plausible changes of the
//! input, and how far must a row move before it flips?
//!
//! A [`Perturbation`] changes the rows the model sees (noise scaled to each feature's
//! reference spread, multiplicative noise, rounding, missing values, category swaps, a
//! feature replaced by its median) or searches, per row, for the smallest move that flips the
//! decision ([`search`]). [`run`] scores the rows as they are and under each perturbation and
//! reports, overall and per slice: the share of decisions that flip, the mean and 99th
//! percentile of the change in prediction, and how much each metric drops when labels are
//! known. Every random draw comes from the seed, per row, so the same seed gives the same
//! report on any number of threads.
//!
//! ```
//! use seismo_model::Model;
//! use seismo_robust::{Options, Perturbation, Reference, run};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../model/tests/fixtures/models/logistic.onnx");
//! let model = Model::load(path).unwrap();
//! let features: Vec<String> = ["age", "income", "credit_score", "tenure_months", "num_products", "balance", "utilization"]
//!     .map(String::from).to_vec();
//! let rows = ndarray::arr2(&[[42.0f32, 48333.9, 548.0, 19.0, 2.0, 10662.1, 0.06],
//!                            [61.0, 31000.0, 610.0, 80.0, 1.0, 900.0, 0.71],
//!                            [25.0, 72000.0, 701.0, 3.0, 3.0, 25000.0, 0.35]]);
//! let reference = Reference::new(rows.view());
//! let perturbations = [Perturbation::parse("multiply:0.01").unwrap()];
//! let report = run(&model, &features, rows.view(), &reference, &perturbations, None, None,
//!                  &Options::default(), |_, _| Ok(())).unwrap();
//! let outcome = &report.perturbations[0];
//! assert_eq!(outcome.name, "multiply:0.01");
//! assert!(outcome.flip_rate.unwrap() <= 1.0);
//! ```

mod data;
mod perturbation;
mod reference;
pub mod search;
mod suite;

pub use data::{DEFAULT_PERTURBATIONS, Data, DataReader};
pub use perturbation::{Kind, Limits, Perturbation, apply};
pub use reference::Reference;
pub use suite::{PerturbationEntry, SuiteFile};

use ndarray::{Array2, ArrayView2};
use seismo_model::{Model, ModelError};
use seismo_slices::{Metric, Predictions};

/// Why a robustness test could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RobustError {
    /// A perturbation that cannot be read or applied.
    #[error("perturbation `{spec}`: {message}")]
    Perturbation {
        /// As written.
        spec: String,
        /// What is wrong.
        message: String,
    },
    /// The model failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Options that do not fit the model or the data.
    #[error("{0}")]
    Options(String),
    /// A setting out of its range.
    #[error("{name} {message}")]
    Setting {
        /// The setting, as the library names it (`max_flip_rate`).
        name: &'static str,
        /// What its value must be.
        message: String,
    },
    /// A suite file that does not read.
    #[error("{location}: {message}")]
    Suite {
        /// Where: file, line and column.
        location: seismo_config::Location,
        /// What is wrong.
        message: String,
    },
    /// Writing the perturbed rows failed.
    #[error("writing the perturbed rows: {0}")]
    Dump(String),
}

/// How the test runs and what passes.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Seeds every random draw.
    pub seed: u64,
    /// A binary classifier decides "positive" when its positive-class probability is at least
    /// this.
    pub threshold: f64,
    /// The positive class of a binary classifier, by its column among the probabilities
    /// (default: the second).
    pub positive: Option<usize>,
    /// A perturbation fails when more decisions than this share flip, overall or in a slice
    /// of at least `min_rows` rows.
    pub max_flip_rate: f64,
    /// Also fail when the mean |Δprediction| exceeds this (the criterion for regressors).
    pub max_mean_change: Option<f64>,
    /// How far a prediction may move the wrong way under a directional expectation.
    pub tolerance: f64,
    /// Slices with fewer rows are reported but not judged.
    pub min_rows: usize,
    /// The metrics whose drop is reported when labels are given (default: ROC AUC and
    /// accuracy for binary classifiers, RMSE for regressors).
    pub metrics: Option<Vec<Metric>>,
    /// Threads that score.
    pub threads: usize,
    /// How hard the adversarial search tries.
    pub search: search::Search,
}

impl Options {
    /// The metrics named as `seismo test` names them (`roc_auc`, `accuracy`, `rmse`, ...);
    /// none named keeps the task's defaults.
    pub fn set_metrics(&mut self, names: &[String]) -> Result<(), RobustError> {
        let metrics = names
            .iter()
            .map(|m| {
                m.parse::<Metric>()
                    .map_err(|e| RobustError::Options(format!("{m}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.metrics = (!metrics.is_empty()).then_some(metrics);
        Ok(())
    }

    /// A suite file's settings over these: the suite's take precedence.
    pub fn apply(&mut self, suite: &SuiteFile) -> Result<(), RobustError> {
        self.threshold = suite.threshold.unwrap_or(self.threshold);
        self.seed = suite.seed.unwrap_or(self.seed);
        self.max_flip_rate = suite.max_flip_rate.unwrap_or(self.max_flip_rate);
        self.max_mean_change = suite.max_mean_change.or(self.max_mean_change);
        self.min_rows = suite.min_rows.unwrap_or(self.min_rows);
        self.tolerance = suite.tolerance.unwrap_or(self.tolerance);
        if let Some(metrics) = &suite.metrics {
            self.set_metrics(metrics)?;
        }
        Ok(())
    }

    /// Errors naming the first setting out of its range.
    pub fn check(&self) -> Result<(), RobustError> {
        let bad = |name, message: &str| {
            Err(RobustError::Setting {
                name,
                message: message.into(),
            })
        };
        if !(0.0..=1.0).contains(&self.threshold) {
            return bad("threshold", "is a probability, between 0 and 1");
        }
        if !(self.tolerance >= 0.0 && self.tolerance.is_finite()) {
            return bad("tolerance", "is a change of the prediction, 0 or more");
        }
        if !(0.0..=1.0).contains(&self.max_flip_rate) {
            return bad("max_flip_rate", "is a share, between 0 and 1");
        }
        if self.threads == 0 {
            return bad("threads", "must be at least 1");
        }
        Ok(())
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: 0,
            threshold: 0.5,
            positive: None,
            max_flip_rate: 0.05,
            max_mean_change: None,
            tolerance: 0.01,
            min_rows: 100,
            metrics: None,
            threads: 1,
            search: search::Search::default(),
        }
    }
}

/// Rows grouped by a column's value: the slices reported apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    /// The column.
    pub column: String,
    /// The value of each group, as text.
    pub values: Vec<String>,
    /// Each row's group (an index into `values`).
    pub of_row: Vec<usize>,
}

/// The report of [`run`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    /// `binary`, `multiclass` or `regression`.
    pub task: &'static str,
    /// Rows scored.
    pub rows: usize,
    /// The seed of every random draw.
    pub seed: u64,
    /// The decision threshold (binary classifiers).
    pub threshold: Option<f64>,
    /// The flip rate above which a perturbation fails.
    pub max_flip_rate: f64,
    /// Slices with fewer rows are not judged.
    pub min_rows: usize,
    /// One outcome per perturbation, in the order given (`dropout` alone: one per feature).
    pub perturbations: Vec<Outcome>,
    /// Whether every perturbation passed.
    pub passed: bool,
}

/// What one perturbation did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Outcome {
    /// As written (`gaussian:0.1@income`).
    pub name: String,
    /// The kind.
    pub kind: Kind,
    /// The amount.
    pub amount: f64,
    /// The features it touched.
    pub columns: Vec<String>,
    /// The share of rows whose decision changed (adversarial: flippable within the budget);
    /// `None` for regressors.
    pub flip_rate: Option<f64>,
    /// How many rows that is.
    pub flipped: Option<usize>,
    /// The share of rows whose prediction became missing (NaN) where it was not; such a row
    /// counts as flipped.
    pub invalid_rate: f64,
    /// Mean |Δprediction| over rows predicted before and after (the largest change over the
    /// class probabilities, for classifiers); `None` for the adversarial search.
    pub mean_abs_change: Option<f64>,
    /// The 99th percentile of |Δprediction| (linear interpolation, as numpy's default).
    pub p99_abs_change: Option<f64>,
    /// Metric drops, when labels are given.
    pub metrics: Vec<MetricDrop>,
    /// The adversarial search's radii.
    pub radius: Option<Radius>,
    /// Per slice.
    pub slices: Vec<SliceOutcome>,
    /// The flip rate above which it fails (its own limit, else the run's).
    pub max_flip_rate: f64,
    /// The metric drop above which it fails over all rows (a suite's limit).
    pub max_metric_drop: Option<f64>,
    /// The metric drop above which a judged slice fails (a suite's limit, else
    /// `max_metric_drop`).
    pub max_slice_metric_drop: Option<f64>,
    /// Whether it passed.
    pub passed: bool,
}

/// A metric on the rows as they are and perturbed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MetricDrop {
    /// The metric's name.
    pub metric: String,
    /// On the rows as they are.
    pub original: Option<f64>,
    /// On the perturbed rows.
    pub perturbed: Option<f64>,
    /// How much worse (positive: worse, whichever way the metric points).
    pub drop: Option<f64>,
}

/// The distribution of the adversarial radius, in reference standard deviations.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Radius {
    /// The budget searched.
    pub budget: f64,
    /// Rows flipped within the budget.
    pub within: usize,
    /// Percentiles 10, 50 and 90 of the radius over all rows; `None` where it lies beyond
    /// the budget.
    pub p10: Option<f64>,
    /// The median.
    pub p50: Option<f64>,
    /// The 90th percentile.
    pub p90: Option<f64>,
}

/// A perturbation's effect on one slice.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SliceOutcome {
    /// `column=value`.
    pub slice: String,
    /// Rows in the slice.
    pub rows: usize,
    /// The share of its rows whose decision changed.
    pub flip_rate: Option<f64>,
    /// Its mean |Δprediction|.
    pub mean_abs_change: Option<f64>,
    /// The metrics on its rows, when labels are given: a suite's `max_metric_drop` holds
    /// for each judged slice as for all rows.
    pub metrics: Vec<MetricDrop>,
    /// Whether it passed (slices under `min_rows` rows always pass).
    pub passed: bool,
}

/// What the model said for some rows.
struct Scores {
    /// Probabilities (classifiers) or the value (regressors), a row each.
    outputs: Array2<f64>,
    /// The prediction column: the positive-class probability, the value, or for a
    /// multiclass model the most probable class's probability.
    score: Vec<f64>,
    /// The decision (classifiers); -1 when the model gave no valid output.
    decision: Option<Vec<i64>>,
}

struct Scorer<'a> {
    model: &'a Model,
    positive: Option<usize>,
    threshold: f64,
    threads: usize,
}

impl Scorer<'_> {
    fn score(&self, rows: ArrayView2<f32>) -> Result<Scores, ModelError> {
        let p = self.model.predict_parallel(rows, self.threads)?;
        let n = rows.nrows();
        if let Some(probabilities) = p.probabilities {
            let outputs = probabilities.mapv(f64::from);
            let valid = |r: usize| outputs.row(r).iter().all(|v| !v.is_nan());
            let (score, decision): (Vec<f64>, Vec<i64>) = match self.positive {
                Some(k) => (0..n)
                    .map(|r| {
                        let s = outputs[[r, k]];
                        (
                            s,
                            if valid(r) {
                                i64::from(s >= self.threshold)
                            } else {
                                -1
                            },
                        )
                    })
                    .unzip(),
                None => {
                    let labels = p.labels.unwrap_or_default();
                    (0..n)
                        .map(|r| {
                            let best = outputs.row(r).iter().copied().fold(f64::NAN, f64::max);
                            let label = labels.get(r).copied().unwrap_or(-1);
                            (best, if valid(r) { label } else { -1 })
                        })
                        .unzip()
                }
            };
            Ok(Scores {
                outputs,
                score,
                decision: Some(decision),
            })
        } else {
            let values: Vec<f64> = p
                .values
                .unwrap_or_default()
                .into_iter()
                .map(f64::from)
                .collect();
            if values.len() != n {
                return Err(ModelError::Run(
                    "the model returned no prediction per row".into(),
                ));
            }
            Ok(Scores {
                outputs: Array2::from_shape_vec((n, 1), values.clone()).expect("n values"),
                score: values,
                decision: None,
            })
        }
    }
}

/// Scores `rows` as they are and under each perturbation and judges the changes.
///
/// `features` names the model's input columns (the columns of `rows`), `reference` gives the
/// spreads, medians and observed values the perturbations scale by, `truth` the labels (0/1
/// for a binary classifier, values for a regressor; NaN: unknown) for metric drops, `groups`
/// the slices. `dump` receives each perturbation's rows as the model saw them (for the
/// search, the flipping point of each row that flipped and the row itself otherwise).
#[allow(clippy::too_many_arguments)]
pub fn run(
    model: &Model,
    features: &[String],
    rows: ArrayView2<f32>,
    reference: &Reference,
    perturbations: &[Perturbation],
    truth: Option<&[f64]>,
    groups: Option<&Groups>,
    options: &Options,
    mut dump: impl FnMut(&Perturbation, ArrayView2<f32>) -> Result<(), RobustError>,
) -> Result<Report, RobustError> {
    let classes = model.classes().map_or(0, <[i64]>::len);
    let task = match classes {
        0 => "regression",
        2 => "binary",
        _ => "multiclass",
    };
    let positive = match (task, options.positive) {
        ("binary", p) => Some(p.unwrap_or(1)),
        (_, None) => None,
        (_, Some(_)) => {
            return Err(RobustError::Options(
                "a positive class is for binary classifiers".into(),
            ));
        }
    };
    if truth.is_some_and(|t| t.len() != rows.nrows())
        || groups.is_some_and(|g| g.of_row.len() != rows.nrows())
    {
        return Err(RobustError::Options(
            "labels or slices do not have a value per row".into(),
        ));
    }
    let metrics = match &options.metrics {
        Some(m) => m.clone(),
        None => match task {
            "binary" => vec![Metric::RocAuc, Metric::Accuracy],
            "regression" => vec![Metric::Rmse],
            _ => Vec::new(),
        },
    };
    if truth.is_some() && task == "multiclass" && !metrics.is_empty() {
        return Err(RobustError::Options(
            "metric drops are computed for binary classifiers and regressors only".into(),
        ));
    }
    let scorer = Scorer {
        model,
        positive,
        threshold: options.threshold,
        threads: options.threads,
    };
    let base = scorer.score(rows)?;
    // Each slice's rows, the same for every perturbation.
    let members: Vec<(String, Vec<usize>)> = groups
        .map(|g| {
            (0..g.values.len())
                .map(|k| {
                    let rows = (0..rows.nrows()).filter(|r| g.of_row[*r] == k).collect();
                    (format!("{}={}", g.column, g.values[k]), rows)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut outcomes = Vec::new();
    for (index, perturbation) in expand(perturbations, features).iter().enumerate() {
        let columns = perturbation.columns(features, reference)?;
        let (perturbed, radius) = if perturbation.kind == Kind::Adversarial {
            if base.decision.is_none() {
                return Err(RobustError::Options(
                    "the adversarial search flips decisions: it needs a classifier".into(),
                ));
            }
            let sd: Vec<f64> = (0..features.len()).map(|j| reference.sd(j)).collect();
            let decide = |r: ArrayView2<f32>| -> Result<Vec<i64>, ModelError> {
                Ok(scorer.score(r)?.decision.unwrap_or_default())
            };
            let seed = perturbation::row_rng(options.seed, index, 0).next_u64();
            let found = search::search(
                rows,
                &columns,
                &sd,
                perturbation.amount,
                seed,
                options.search,
                decide,
            )?;
            let radius = radius_summary(&found.radius, perturbation.amount);
            (found.points, Some(radius))
        } else if perturbation.kind == Kind::Invariance {
            (
                counterfactuals(&scorer, &base, rows, &columns, reference, features)?,
                None,
            )
        } else {
            let perturbed = apply(perturbation, &columns, rows, reference, options.seed, index);
            (perturbed, None)
        };
        dump(perturbation, perturbed.view())?;
        let after = scorer.score(perturbed.view())?;
        // A directional expectation fails a row when its prediction moves the wrong way.
        let violations: Option<Vec<bool>> = match perturbation.kind {
            Kind::Decreases | Kind::Increases => Some(
                base.score
                    .iter()
                    .zip(&after.score)
                    .map(|(b, a)| {
                        let rise = a - b;
                        (a.is_nan() && !b.is_nan())
                            || if perturbation.kind == Kind::Decreases {
                                rise > options.tolerance
                            } else {
                                rise < -options.tolerance
                            }
                    })
                    .collect(),
            ),
            _ => None,
        };
        let changes = |rows: &[usize]| changes(&base, &after, rows, violations.as_deref());
        let all: Vec<usize> = (0..rows.nrows()).collect();
        let (flip_rate, flipped, mean_abs_change, p99) = changes(&all);
        let adversarial = radius.is_some();
        let invalid = (0..rows.nrows())
            .filter(|r| !base.score[*r].is_nan() && after.score[*r].is_nan())
            .count();
        let drops = |members: &[usize]| -> Vec<MetricDrop> {
            match truth {
                Some(truth) => metrics
                    .iter()
                    .map(|m| {
                        let on = Rows {
                            truth,
                            base: &base,
                            after: &after,
                            members,
                        };
                        metric_drop(*m, task, &on, options.threshold)
                    })
                    .collect(),
                None => Vec::new(),
            }
        };
        let metric_drops = drops(&all);
        let max_flip_rate = perturbation
            .limits
            .max_flip_rate
            .unwrap_or(options.max_flip_rate);
        let max_mean_change = perturbation
            .limits
            .max_mean_change
            .or(options.max_mean_change);
        let judge = |flip: Option<f64>, mean: Option<f64>| {
            flip.is_none_or(|f| f <= max_flip_rate)
                && (adversarial || max_mean_change.is_none_or(|m| mean.is_none_or(|v| v <= m)))
        };
        let max_metric_drop = perturbation.limits.max_metric_drop;
        let max_slice_metric_drop = perturbation
            .limits
            .max_slice_metric_drop
            .or(max_metric_drop);
        let metrics_hold = |drops: &[MetricDrop], limit: Option<f64>| {
            limit.is_none_or(|limit| drops.iter().all(|m| m.drop.is_none_or(|d| d <= limit)))
        };
        let slices: Vec<SliceOutcome> = members
            .iter()
            .map(|(slice, members)| {
                let (flip, _, mean, _) = changes(members);
                let mean = mean.filter(|_| !adversarial);
                let metrics = drops(members);
                SliceOutcome {
                    slice: slice.clone(),
                    rows: members.len(),
                    flip_rate: flip,
                    mean_abs_change: mean,
                    passed: members.len() < options.min_rows
                        || (judge(flip, mean) && metrics_hold(&metrics, max_slice_metric_drop)),
                    metrics,
                }
            })
            .collect();
        let mean_abs_change = mean_abs_change.filter(|_| !adversarial);
        let passed = judge(flip_rate, mean_abs_change)
            && metrics_hold(&metric_drops, max_metric_drop)
            && slices.iter().all(|s| s.passed);
        outcomes.push(Outcome {
            name: perturbation.name.clone(),
            kind: perturbation.kind,
            amount: perturbation.amount,
            columns: columns.iter().map(|j| features[*j].clone()).collect(),
            flip_rate,
            flipped,
            invalid_rate: ratio(invalid, rows.nrows()).unwrap_or(0.0),
            mean_abs_change,
            p99_abs_change: p99.filter(|_| !adversarial),
            metrics: metric_drops,
            radius,
            slices,
            max_flip_rate,
            max_metric_drop,
            max_slice_metric_drop,
            passed,
        });
    }
    Ok(Report {
        task,
        rows: rows.nrows(),
        seed: options.seed,
        threshold: positive.map(|_| options.threshold),
        max_flip_rate: options.max_flip_rate,
        min_rows: options.min_rows,
        passed: outcomes.iter().all(|o| o.passed),
        perturbations: outcomes,
    })
}

/// `dropout` without columns: one perturbation per feature.
fn expand(perturbations: &[Perturbation], features: &[String]) -> Vec<Perturbation> {
    perturbations
        .iter()
        .flat_map(|p| {
            if p.kind == Kind::Dropout && p.columns.is_empty() {
                features
                    .iter()
                    .map(|f| Perturbation {
                        name: format!("dropout@{f}"),
                        columns: vec![f.clone()],
                        ..p.clone()
                    })
                    .collect()
            } else {
                vec![p.clone()]
            }
        })
        .collect()
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Over `rows`: the flip rate and count (classifiers; with `violations`, the rows that
/// break a directional expectation, for any model), the mean and 99th percentile of the
/// largest |Δoutput| over rows with outputs before and after.
fn changes(
    base: &Scores,
    after: &Scores,
    rows: &[usize],
    violations: Option<&[bool]>,
) -> (Option<f64>, Option<usize>, Option<f64>, Option<f64>) {
    let (flip_rate, flipped) = match (violations, &base.decision, &after.decision) {
        (Some(v), _, _) => {
            let n = rows.iter().filter(|r| v[**r]).count();
            (ratio(n, rows.len()), Some(n))
        }
        (None, Some(b), Some(a)) => {
            let n = rows.iter().filter(|r| a[**r] != b[**r]).count();
            (ratio(n, rows.len()), Some(n))
        }
        _ => (None, None),
    };
    let mut deltas: Vec<f64> = rows
        .iter()
        .filter_map(|r| {
            let d = largest_change(base, after, *r);
            (!d.is_nan()).then_some(d)
        })
        .collect();
    let mean = (!deltas.is_empty()).then(|| deltas.iter().sum::<f64>() / deltas.len() as f64);
    deltas.sort_by(f64::total_cmp);
    (flip_rate, flipped, mean, percentile(&deltas, 0.99))
}

/// Row `r`'s largest |Δ| over the outputs (NaN when either side is missing).
fn largest_change(base: &Scores, after: &Scores, r: usize) -> f64 {
    base.outputs
        .row(r)
        .iter()
        .zip(after.outputs.row(r))
        .map(|(b, a)| (a - b).abs())
        .fold(0.0f64, |m, d| {
            if d.is_nan() || m.is_nan() {
                f64::NAN
            } else {
                m.max(d)
            }
        })
}

/// The invariance test's rows: per row, the counterfactual (another observed value of a
/// tested feature) that first changes its decision, else the one that moves its prediction
/// most, else the row itself.
fn counterfactuals(
    scorer: &Scorer,
    base: &Scores,
    rows: ArrayView2<f32>,
    columns: &[usize],
    reference: &Reference,
    features: &[String],
) -> Result<Array2<f32>, RobustError> {
    let mut chosen = rows.to_owned();
    let mut flipped = vec![false; rows.nrows()];
    let mut moved = vec![0.0f64; rows.nrows()];
    for &j in columns {
        if !reference.is_discrete(j) {
            return Err(RobustError::Options(format!(
                "invariance swaps the values of a discrete feature (whole numbers, at most {}); `{}` is not one",
                Reference::DISCRETE,
                features[j]
            )));
        }
        for &value in reference.values(j) {
            let mut counterfactual = rows.to_owned();
            counterfactual.column_mut(j).fill(value as f32);
            let after = scorer.score(counterfactual.view())?;
            for r in 0..rows.nrows() {
                if flipped[r] || f64::from(rows[[r, j]]) == value {
                    continue;
                }
                let flips = match (&base.decision, &after.decision) {
                    (Some(b), Some(a)) => a[r] != b[r],
                    _ => false,
                };
                let change = largest_change(base, &after, r);
                if flips || change > moved[r] {
                    flipped[r] = flips;
                    moved[r] = change;
                    chosen.row_mut(r).assign(&counterfactual.row(r));
                }
            }
        }
    }
    Ok(chosen)
}

/// The `q` quantile of sorted values, interpolated linearly between ranks (numpy's default).
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

fn radius_summary(radius: &[Option<f64>], budget: f64) -> Radius {
    // Rows beyond the budget sort last, as infinity.
    let mut all: Vec<f64> = radius.iter().map(|r| r.unwrap_or(f64::INFINITY)).collect();
    all.sort_by(f64::total_cmp);
    let at = |q: f64| percentile(&all, q).filter(|v| v.is_finite());
    Radius {
        budget,
        within: radius.iter().filter(|r| r.is_some()).count(),
        p10: at(0.1),
        p50: at(0.5),
        p90: at(0.9),
    }
}

/// Rows to compute a metric on: their labels and predictions before and after.
struct Rows<'a> {
    truth: &'a [f64],
    base: &'a Scores,
    after: &'a Scores,
    /// Which rows (all, or a slice's).
    members: &'a [usize],
}

/// A metric on the `members` with a label and a prediction both before and after.
fn metric_drop(metric: Metric, task: &str, on: &Rows, threshold: f64) -> MetricDrop {
    let (truth, base, after) = (on.truth, on.base, on.after);
    let rows: Vec<usize> = on
        .members
        .iter()
        .copied()
        .filter(|r| !truth[*r].is_nan() && !base.score[*r].is_nan() && !after.score[*r].is_nan())
        .collect();
    let of = |scores: &Scores| -> Option<f64> {
        let y: Vec<f64> = rows.iter().map(|r| truth[*r]).collect();
        let s: Vec<f64> = rows.iter().map(|r| scores.score[*r]).collect();
        let predictions = if task == "binary" {
            Predictions::binary(y, s, threshold)
        } else {
            Predictions::regression(y, s)
        };
        let all: Vec<u32> = (0..rows.len() as u32).collect();
        predictions.metric(metric, &all).ok()
    };
    let (original, perturbed) = (of(base), of(after));
    let drop = match (original, perturbed, metric.higher_is_better()) {
        (Some(o), Some(p), Some(true)) => Some(o - p),
        (Some(o), Some(p), Some(false)) => Some(p - o),
        _ => None,
    };
    MetricDrop {
        metric: metric.as_str().to_string(),
        original,
        perturbed,
        drop,
    }
}
