#![warn(missing_docs)]
//! Drift between a reference and a current dataset: per column, the test or distance that
//! suits its kind and size, whether it drifted, and whether the dataset as a whole did.
//!
//! Shared by the `seismo drift` command, the drift rules of `seismo validate` and the
//! monitoring service. Works on [`Dataset`]s in memory; knows nothing of files or flags.
//!
//! ## Default test per column
//!
//! With `n` the smaller of the two samples (non-missing values) and `u` the distinct values
//! of both samples together (as Evidently counts them):
//!
//! | kind | n ≤ 1000 | n > 1000 |
//! |---|---|---|
//! | numeric, u > 5 | `ks` (p < 0.05) | `wasserstein` in reference standard deviations (≥ 0.1) |
//! | numeric with u ≤ 5, categorical, boolean; u > 2 | `chi2` on the values (p < 0.05) | `jensen_shannon` on the values (≥ 0.1) |
//! | numeric with u ≤ 5, categorical, boolean; u ≤ 2 | `z` (p < 0.05) | `jensen_shannon` (≥ 0.1) |
//!
//! Why: on small samples a p-value answers "is there any evidence of a change"; on large
//! ones every p-value test flags shifts too small to matter, so an effect size with a
//! threshold answers "did it move enough to care". Datetime and text columns, and columns with
//! the `id` or `timestamp` role, are not tested (they are listed as skipped).
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Float64Array, RecordBatch};
//! use seismo_core::Dataset;
//! use seismo_drift::{DriftOptions, TestName, detect};
//!
//! let data = |values: Vec<f64>| {
//!     let batch = RecordBatch::try_from_iter([
//!         ("income", Arc::new(Float64Array::from(values)) as _),
//!     ]).unwrap();
//!     Dataset::from_batches(batch.schema(), vec![batch]).unwrap()
//! };
//! let reference = data((0..200).map(|i| f64::from(i % 50)).collect());
//! let current = data((0..200).map(|i| f64::from(i % 50) * 1.3).collect());
//! let report = detect(&reference, &current, &DriftOptions::default());
//! let income = &report.columns[0];
//! assert_eq!(income.test, TestName::Ks); // 200 values: a p-value test
//! assert!(income.drifted && income.p_value.unwrap() < 0.05);
//! assert!(report.dataset_drift); // the only feature drifted
//! ```

mod columns;
mod distribution;
mod domain;
mod encoded;
mod multivariate;
mod reconstruct;
mod run;
mod sketched;
mod test_name;
mod values;

use std::collections::BTreeMap;

use seismo_core::{Column, ColumnKind, ColumnRole, Dataset, Schema, UnknownWord};
use seismo_stats::correction::{benjamini_hochberg, bonferroni, holm};
use seismo_stats::profile::Profile;
use serde::{Deserialize, Serialize};

pub use distribution::{
    BINS, Bins, Distribution, TOP_CATEGORIES, distributions, distributions_from_profiles,
};
pub use domain::{AUC_THRESHOLD, ClassifierDrift, Importance, classifier};
pub use multivariate::{
    CATEGORY_INDICATORS, MmdDrift, MultivariateDrift, MultivariateOptions, multivariate,
};
pub use reconstruct::{
    Contribution, ReconstructionChunk, ReconstructionDrift, VARIANCE, reconstruction,
};
pub use run::Measured;
pub use seismo_stats::multivariate::ClassifierOptions;
pub use test_name::{ALL_TESTS, TestName};
pub use values::{CHANGED_VALUES_SHOWN, ValueCount, Values, category_changes, gather};

/// A multiple-testing correction applied across the p-values of all tested columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Bonferroni.
    Bonferroni,
    /// Holm's step-down.
    Holm,
    /// Benjamini–Hochberg.
    Bh,
}

impl std::str::FromStr for Correction {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, UnknownWord> {
        match s {
            "bonferroni" => Ok(Self::Bonferroni),
            "holm" => Ok(Self::Holm),
            "bh" => Ok(Self::Bh),
            _ => Err(UnknownWord::new("correction", s, "bonferroni holm bh")),
        }
    }
}

/// What makes a drift report fail a pipeline step (`seismo drift` exits 1).
///
/// The default is [`FailOn::DEFAULT`]: the dataset drifting *or* any prediction column
/// drifting. A release that shifts the mean prediction by orders of magnitude moves one column
/// only; it must fail the step whatever the features do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// The share of drifted features reached the drift share.
    Dataset,
    /// A prediction column drifted.
    Prediction,
    /// A target column drifted.
    Target,
    /// Any tested column drifted (feature, prediction or target).
    Any,
    /// Never: report only.
    None,
}

impl FailOn {
    /// What fails by default: dataset drift or prediction drift.
    pub const DEFAULT: [FailOn; 2] = [FailOn::Dataset, FailOn::Prediction];
    /// Every word, as flags and files spell them.
    pub const WORDS: [&str; 5] = ["dataset", "prediction", "target", "any", "none"];
}

impl std::str::FromStr for FailOn {
    type Err = UnknownWord;
    fn from_str(s: &str) -> Result<Self, UnknownWord> {
        match s {
            "dataset" => Ok(Self::Dataset),
            "prediction" => Ok(Self::Prediction),
            "target" => Ok(Self::Target),
            "any" => Ok(Self::Any),
            "none" => Ok(Self::None),
            _ => Err(UnknownWord::new(
                "fail-on condition",
                s,
                Self::WORDS.join(" "),
            )),
        }
    }
}

/// A test and threshold for one column, overriding the defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ColumnOptions {
    /// The test to use.
    pub test: Option<TestName>,
    /// The threshold to judge it by.
    pub threshold: Option<f64>,
}

impl ColumnOptions {
    /// A column's own test and threshold (`None`: the defaults).
    pub fn new(test: Option<TestName>, threshold: Option<f64>) -> Self {
        Self { test, threshold }
    }
}

/// How to test for drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DriftOptions {
    /// The test for every numeric column, instead of the default choice.
    pub numeric_test: Option<TestName>,
    /// The test for every categorical and boolean column.
    pub categorical_test: Option<TestName>,
    /// The threshold for every test, instead of each test's default.
    pub threshold: Option<f64>,
    /// Per-column overrides, by column name.
    pub columns: BTreeMap<String, ColumnOptions>,
    /// The share of drifted feature columns at which the dataset counts as drifted.
    pub drift_share: f64,
    /// A correction across the p-values of all tested columns.
    pub correction: Option<Correction>,
    /// The seed of permutation tests (MMD).
    pub seed: u64,
    /// Columns not to test at all.
    pub ignore: std::collections::BTreeSet<String>,
    /// Columns tested at once, each on its own thread (1: on the calling thread only).
    pub threads: usize,
}

impl Default for DriftOptions {
    fn default() -> Self {
        Self {
            numeric_test: None,
            categorical_test: None,
            threshold: None,
            columns: BTreeMap::new(),
            drift_share: 0.5,
            correction: None,
            seed: 0,
            ignore: Default::default(),
            threads: 1,
        }
    }
}

/// A drift settings file (`seismo drift --config`, and a model's `drift_toml` in the
/// service): every setting optional, per-column tests and thresholds under `[columns.NAME]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftSettings {
    /// The test for every numeric column.
    pub numeric_test: Option<TestName>,
    /// The test for every categorical and boolean column.
    pub categorical_test: Option<TestName>,
    /// The threshold for every test.
    pub threshold: Option<f64>,
    /// The share of drifted feature columns at which the dataset counts as drifted.
    pub drift_share: Option<f64>,
    /// A correction across the p-values.
    pub correction: Option<Correction>,
    /// The seed of permutation tests.
    pub seed: Option<u64>,
    /// Columns holding the model's prediction.
    #[serde(default)]
    pub prediction: Vec<String>,
    /// Columns holding the target.
    #[serde(default)]
    pub target: Vec<String>,
    /// Columns not to test.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-column overrides.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnOptions>,
    /// What fails the run (default: dataset or prediction drift).
    pub fail_on: Option<Vec<FailOn>>,
}

impl DriftSettings {
    /// The first setting out of range, as (setting, message): thresholds must be numbers
    /// ≥ 0 and the drift share in (0, 1].
    pub fn invalid(&self) -> Option<(String, String)> {
        if let Some(share) = self.drift_share
            && !(share > 0.0 && share <= 1.0)
        {
            return Some((
                "drift_share".into(),
                format!("must be in (0, 1], got {share}"),
            ));
        }
        let thresholds = self
            .threshold
            .map(|t| ("threshold".to_owned(), t))
            .into_iter()
            .chain(self.columns.iter().filter_map(|(name, c)| {
                c.threshold
                    .map(|t| (format!("[columns.{name}] threshold"), t))
            }));
        for (setting, t) in thresholds {
            if !(t.is_finite() && t >= 0.0) {
                return Some((setting, format!("must be a number ≥ 0, got {t}")));
            }
        }
        None
    }
}

/// The drift of one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnDrift {
    /// Column name.
    pub column: String,
    /// Column kind.
    pub kind: ColumnKind,
    /// Column role (feature, prediction, target, group).
    pub role: ColumnRole,
    /// The test used.
    pub test: TestName,
    /// Its statistic or distance.
    pub statistic: f64,
    /// Its p-value (`null` for distances).
    pub p_value: Option<f64>,
    /// The p-value after the correction, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted_p_value: Option<f64>,
    /// The threshold: drift when the p-value is below it, or the distance at or above it.
    pub threshold: f64,
    /// Whether the column drifted.
    pub drifted: bool,
    /// Non-missing values in the reference.
    pub reference_count: usize,
    /// Non-missing values in the current data.
    pub current_count: usize,
    /// Whether the measure came from quantile sketches (a saved profile as the reference)
    /// rather than from the values; such statistics carry the sketches' error.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub from_sketches: bool,
    /// Values only the current data holds, with their counts, most frequent first (at most
    /// [`CHANGED_VALUES_SHOWN`]); for categorical, boolean and few-valued numeric columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_values: Vec<ValueCount>,
    /// Values only the reference holds, likewise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_values: Vec<ValueCount>,
}

/// A column that was not tested, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Column name.
    pub column: String,
    /// Why it was not tested.
    pub reason: String,
}

/// A difference between the two datasets' schemas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaFinding {
    /// Column name.
    pub column: String,
    /// `missing_in_current`, `missing_in_reference` or `kind_changed`.
    pub finding: &'static str,
    /// The kind in the reference, if there.
    pub reference_kind: Option<ColumnKind>,
    /// The kind in the current data, if there.
    pub current_kind: Option<ColumnKind>,
}

/// The drift of a dataset. See `docs/drift.md` for the JSON schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    /// Whether the share of drifted feature columns reached `drift_share_threshold`.
    pub dataset_drift: bool,
    /// The share of tested feature columns that drifted.
    pub drift_share: f64,
    /// The share at which the dataset counts as drifted.
    pub drift_share_threshold: f64,
    /// Feature columns tested.
    pub features: usize,
    /// Feature columns that drifted.
    pub drifted_features: usize,
    /// Whether a prediction column drifted (`null` without one).
    pub prediction_drift: Option<bool>,
    /// Whether a target column drifted (`null` without one).
    pub target_drift: Option<bool>,
    /// The correction applied, if any.
    pub correction: Option<Correction>,
    /// Whether the reference was a saved profile (numeric columns then compare sketches).
    pub reference_is_profile: bool,
    /// Every tested column, in schema order.
    pub columns: Vec<ColumnDrift>,
    /// Columns not tested.
    pub skipped: Vec<Skipped>,
    /// Schema differences.
    pub schema: Vec<SchemaFinding>,
    /// The joint drift of the tested columns, when asked for (`--multivariate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multivariate: Option<MultivariateDrift>,
}

impl DriftReport {
    /// Whether only the joint distribution was tested ([`detect_joint`]): no column was
    /// tested on its own, so the dataset verdict says nothing.
    pub fn joint_only(&self) -> bool {
        self.multivariate.is_some()
            && self.columns.is_empty()
            && self.skipped.iter().any(|s| s.reason == TESTED_TOGETHER)
    }

    /// The dataset verdict's numbers in one phrase, as every report shows them:
    /// `1 of 10 features drifted (share 0.10, threshold 0.50)`.
    pub fn share_summary(&self) -> String {
        format!(
            "{} of {} features drifted (share {:.2}, threshold {:.2})",
            self.drifted_features, self.features, self.drift_share, self.drift_share_threshold
        )
    }

    /// Whether the report meets any of the `fail_on` conditions (none: never).
    ///
    /// ```
    /// # use seismo_drift::{DriftReport, FailOn};
    /// fn gate(report: &DriftReport) -> bool {
    ///     report.fails(&FailOn::DEFAULT)
    /// }
    /// ```
    pub fn fails(&self, fail_on: &[FailOn]) -> bool {
        fail_on.iter().any(|on| match on {
            FailOn::Dataset => {
                self.dataset_drift
                    || self
                        .multivariate
                        .as_ref()
                        .is_some_and(MultivariateDrift::drifted)
            }
            FailOn::Prediction => self.prediction_drift == Some(true),
            FailOn::Target => self.target_drift == Some(true),
            FailOn::Any => {
                self.columns.iter().any(|c| c.drifted)
                    || self
                        .multivariate
                        .as_ref()
                        .is_some_and(MultivariateDrift::drifted)
            }
            FailOn::None => false,
        })
    }
}

/// The default test for a column (see the crate docs for the table and the reasoning).
pub fn default_test(kind: ColumnKind, reference: &Values, current: &Values) -> TestName {
    let small = reference.count().min(current.count()) <= 1000;
    let numeric = kind == ColumnKind::Numeric && reference.more_distinct_than(current, 5);
    match small {
        true if numeric => TestName::Ks,
        false if numeric => TestName::Wasserstein,
        false => TestName::JensenShannon,
        true if reference.more_distinct_than(current, 2) => TestName::Chi2,
        true => TestName::Z,
    }
}

/// Tests every column of the reference against the same column of the current dataset.
/// Roles come from the reference's schema. A test that cannot run on a column (too few
/// values, a test for numbers on categories) leaves the column skipped with the reason.
pub fn detect(reference: &Dataset, current: &Dataset, options: &DriftOptions) -> DriftReport {
    detect_with(reference.schema(), current.schema(), options, |column| {
        test_column(reference, current, column, options)
    })
}

/// A test of the joint distribution of the tested columns.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Multivariate {
    /// Maximum mean discrepancy ([`multivariate`]).
    Mmd(MultivariateOptions),
    /// Data reconstruction error in chunks of this many rows (`None`: a tenth of the
    /// reference) ([`reconstruction`]).
    Reconstruction(Option<usize>),
    /// A domain classifier's cross-validated ROC AUC, drifted above `threshold`
    /// ([`classifier`]).
    Classifier {
        /// The forest, folds, rows and seed.
        options: ClassifierOptions,
        /// The AUC above which the datasets count as apart ([`AUC_THRESHOLD`]).
        threshold: f64,
    },
}

/// [`detect`], and the joint drift of every tested column (numeric, categorical and
/// boolean; features, predictions and targets) by `method`. An error when the joint test
/// cannot run (too few rows).
pub fn detect_multivariate(
    reference: &Dataset,
    current: &Dataset,
    options: &DriftOptions,
    method: &Multivariate,
) -> Result<DriftReport, String> {
    joint(
        detect(reference, current, options),
        reference,
        current,
        options,
        method,
    )
}

/// Why a column stands in [`DriftReport::skipped`] when only the joint distribution was
/// tested ([`detect_joint`]).
pub const TESTED_TOGETHER: &str = "tested together only (no per-column test asked for)";

/// The joint drift alone: [`detect_multivariate`] without the per-column tests, for when
/// only the rows' joint distribution matters (or the columns are too many to read one by
/// one). The report's `columns` is empty; every column a per-column test would have taken
/// is in `skipped` with the reason [`TESTED_TOGETHER`], so every reference column is still
/// accounted for, and the multivariate verdict is the report's only one
/// ([`DriftReport::joint_only`]).
pub fn detect_joint(
    reference: &Dataset,
    current: &Dataset,
    options: &DriftOptions,
    method: &Multivariate,
) -> Result<DriftReport, String> {
    let report = detect_with(reference.schema(), current.schema(), options, |_| {
        Err(TESTED_TOGETHER.to_owned())
    });
    joint(report, reference, current, options, method)
}

/// `report` with the joint drift by `method` of its tested (or tested-together) numeric,
/// categorical and boolean columns, in schema order.
fn joint(
    mut report: DriftReport,
    reference: &Dataset,
    current: &Dataset,
    options: &DriftOptions,
    method: &Multivariate,
) -> Result<DriftReport, String> {
    // A set, as a wide dataset's thousands of columns are exactly when one asks for this.
    let taken: std::collections::HashSet<&str> = report
        .columns
        .iter()
        .map(|c| c.column.as_str())
        .chain(
            report
                .skipped
                .iter()
                .filter(|s| s.reason == TESTED_TOGETHER)
                .map(|s| s.column.as_str()),
        )
        .collect();
    let columns: Vec<(String, ColumnKind)> = reference
        .schema()
        .columns
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                ColumnKind::Numeric | ColumnKind::Categorical | ColumnKind::Boolean
            ) && taken.contains(c.name.as_str())
        })
        .map(|c| (c.name.clone(), c.kind))
        .collect();
    report.multivariate = Some(match method {
        Multivariate::Mmd(o) => {
            MultivariateDrift::Mmd(multivariate(reference, current, &columns, o)?)
        }
        Multivariate::Reconstruction(size) => MultivariateDrift::Reconstruction(
            reconstruct::reconstruction(reference, current, &columns, *size, options.threads)?,
        ),
        Multivariate::Classifier { options, threshold } => MultivariateDrift::Classifier(
            classifier(reference, current, &columns, options, *threshold)?,
        ),
    });
    Ok(report)
}

/// Drift between two saved profiles, columns matched by name; `reference` and `current` give
/// the kinds and roles of the profiles' columns. Numeric columns use the sketch-based
/// measures (`ks`, `wasserstein`, `psi`, `jensen_shannon`; see
/// `seismo_stats::distance::ks_from_sketches`) and are marked `from_sketches`; categorical and
/// boolean columns use the profiles' exact value counts and every count test.
pub fn detect_profiles(
    reference: &Profile,
    reference_schema: &Schema,
    current: &Profile,
    current_schema: &Schema,
    options: &DriftOptions,
) -> DriftReport {
    let mut report = detect_with(reference_schema, current_schema, options, |column| {
        match (reference.column(&column.name), current.column(&column.name)) {
            (Some(r), Some(c)) => sketched::test_profile_column(r, c, column, options),
            _ => Err("the profile has no such column".into()),
        }
    });
    report.reference_is_profile = true;
    report
}

/// Compares the schemas, skips what is not tested, evaluates the rest with `evaluate` (on
/// `options.threads` threads) and summarizes.
fn detect_with(
    reference: &Schema,
    current: &Schema,
    options: &DriftOptions,
    evaluate: impl Fn(&Column) -> Result<ColumnDrift, String> + Sync,
) -> DriftReport {
    let mut columns = Vec::new();
    let mut skipped = Vec::new();
    let mut schema = Vec::new();
    let mut to_test = Vec::new();
    for column in &reference.columns {
        let name = &column.name;
        let Some(other) = current.column(name) else {
            schema.push(SchemaFinding {
                column: name.clone(),
                finding: "missing_in_current",
                reference_kind: Some(column.kind),
                current_kind: None,
            });
            continue;
        };
        if other.kind != column.kind {
            schema.push(SchemaFinding {
                column: name.clone(),
                finding: "kind_changed",
                reference_kind: Some(column.kind),
                current_kind: Some(other.kind),
            });
            continue;
        }
        let skip = |reason: &str| Skipped {
            column: name.clone(),
            reason: reason.to_owned(),
        };
        if options.ignore.contains(name) {
            skipped.push(skip("ignored"));
            continue;
        }
        if matches!(column.role, ColumnRole::Id | ColumnRole::Timestamp) {
            skipped.push(skip(&format!("{} columns are not tested", column.role)));
            continue;
        }
        if matches!(column.kind, ColumnKind::Datetime | ColumnKind::Text) {
            skipped.push(skip(&format!("{} columns are not tested", column.kind)));
            continue;
        }
        to_test.push(column);
    }
    // Columns seismo does not analyse (nested, binary, all-null of type null) on either side.
    for unsupported in reference.unsupported.iter().chain(
        current
            .unsupported
            .iter()
            .filter(|u| reference.unsupported(&u.name).is_none()),
    ) {
        skipped.push(Skipped {
            column: unsupported.name.clone(),
            reason: unsupported.reason.clone(),
        });
    }
    let results =
        seismo_stats::parallel::map_ordered(&to_test, options.threads, |column| evaluate(column));
    for (column, result) in to_test.iter().zip(results) {
        match result {
            Ok(drift) => columns.push(drift),
            Err(reason) => skipped.push(Skipped {
                column: column.name.clone(),
                reason,
            }),
        }
    }
    for column in &current.columns {
        if reference.column(&column.name).is_none() {
            schema.push(SchemaFinding {
                column: column.name.clone(),
                finding: "missing_in_reference",
                reference_kind: None,
                current_kind: Some(column.kind),
            });
        }
    }
    if let Some(correction) = options.correction {
        correct(&mut columns, correction);
    }
    summarize(columns, skipped, schema, options)
}

/// The test the user chose for `column` (per column, else by kind), if any.
pub(crate) fn chosen_test(options: &DriftOptions, column: &Column) -> Option<TestName> {
    let forced = if column.kind == ColumnKind::Numeric {
        options.numeric_test
    } else {
        options.categorical_test
    };
    options
        .columns
        .get(&column.name)
        .and_then(|c| c.test)
        .or(forced)
}

/// The threshold for `column` under `test`: per column, else global, else the test's default.
pub(crate) fn threshold_for(options: &DriftOptions, column: &Column, test: TestName) -> f64 {
    options
        .columns
        .get(&column.name)
        .and_then(|c| c.threshold)
        .or(options.threshold)
        .unwrap_or_else(|| test.default_threshold())
}

/// Gathers one column from both datasets, picks its test and threshold, and runs it.
fn test_column(
    reference: &Dataset,
    current: &Dataset,
    column: &Column,
    options: &DriftOptions,
) -> Result<ColumnDrift, String> {
    let name = &column.name;
    let (Some(a), Some(b)) = (
        gather(reference, name, column.kind),
        gather(current, name, column.kind),
    ) else {
        return Err("its values do not match its kind".into());
    };
    empty_side(a.count(), b.count())?;
    let test = chosen_test(options, column).unwrap_or_else(|| default_test(column.kind, &a, &b));
    let threshold = threshold_for(options, column, test);
    let (reference_count, current_count) = (a.count(), b.count());
    let (new_values, missing_values) = category_changes(&a, &b).unwrap_or_default();
    let m = run::run(test, a, b, options.seed)?;
    Ok(ColumnDrift {
        column: name.clone(),
        kind: column.kind,
        role: column.role,
        test,
        statistic: m.statistic,
        p_value: m.p_value,
        adjusted_p_value: None,
        threshold,
        drifted: judge(test, m.statistic, m.p_value, threshold),
        reference_count,
        current_count,
        from_sketches: false,
        new_values,
        missing_values,
    })
}

/// Why a column with no values on a side cannot be tested (every value null or NaN).
pub(crate) fn empty_side(reference: usize, current: usize) -> Result<(), String> {
    match (reference, current) {
        (0, 0) => Err("no values on either side: every value is null".into()),
        (0, _) => Err("no values in the reference: every value is null".into()),
        (_, 0) => Err("no values in the current data: every value is null".into()),
        _ => Ok(()),
    }
}

pub(crate) fn judge(test: TestName, statistic: f64, p_value: Option<f64>, threshold: f64) -> bool {
    if test.is_p_value() {
        p_value.is_some_and(|p| p < threshold)
    } else {
        statistic >= threshold
    }
}

/// Adjusts the p-values of all p-value tests together and judges again on the adjusted ones.
fn correct(columns: &mut [ColumnDrift], correction: Correction) {
    let indices: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].p_value.is_some())
        .collect();
    let p: Vec<f64> = indices
        .iter()
        .map(|&i| columns[i].p_value.unwrap_or(f64::NAN))
        .collect();
    let adjusted = match correction {
        Correction::Bonferroni => bonferroni(&p),
        Correction::Holm => holm(&p),
        Correction::Bh => benjamini_hochberg(&p),
    };
    for (&i, q) in indices.iter().zip(adjusted) {
        let c = &mut columns[i];
        c.adjusted_p_value = Some(q);
        c.drifted = judge(c.test, c.statistic, Some(q), c.threshold);
    }
}

fn summarize(
    columns: Vec<ColumnDrift>,
    skipped: Vec<Skipped>,
    schema: Vec<SchemaFinding>,
    options: &DriftOptions,
) -> DriftReport {
    let features: Vec<&ColumnDrift> = columns
        .iter()
        .filter(|c| c.role == ColumnRole::Feature)
        .collect();
    let drifted_features = features.iter().filter(|c| c.drifted).count();
    let drift_share = if features.is_empty() {
        0.0
    } else {
        drifted_features as f64 / features.len() as f64
    };
    let any = |role: ColumnRole| {
        let of_role: Vec<&ColumnDrift> = columns.iter().filter(|c| c.role == role).collect();
        (!of_role.is_empty()).then(|| of_role.iter().any(|c| c.drifted))
    };
    DriftReport {
        dataset_drift: !features.is_empty() && drift_share >= options.drift_share,
        drift_share,
        drift_share_threshold: options.drift_share,
        features: features.len(),
        drifted_features,
        prediction_drift: any(ColumnRole::Prediction),
        target_drift: any(ColumnRole::Target),
        correction: options.correction,
        reference_is_profile: false,
        columns,
        skipped,
        schema,
        multivariate: None,
    }
}
