#![warn(missing_docs)]
//! Slice-based model testing: unit tests for models.
//!
//! A suite names slices of the data (`age >= 60 and country in ('DE', 'FR')`, as
//! `seismo-expr` conditions) and tests a metric on each against thresholds: absolute, relative
//! to the whole dataset, or relative to a baseline model scored on the same rows. Small
//! slices are reported as insufficient data, not passed; a seeded bootstrap turns a result
//! into "passes", "fails" or "inconclusive" at a chosen confidence. Fairness checks compare
//! groups as fairlearn does; [`find_slices`] searches for slices that do worse than overall.
//!
//! Every metric equals scikit-learn's, and the fairness measures fairlearn's, on the
//! fixtures of `scripts/oracles/metrics_sklearn.py`.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Float64Array, Int64Array, RecordBatch, StringArray};
//! use seismo_core::Dataset;
//! use seismo_slices::{RunOptions, Suite, TestOutcome, run_suite};
//!
//! let batch = RecordBatch::try_from_iter([
//!     ("label", Arc::new(Int64Array::from(vec![1, 0, 1, 0, 1, 0])) as _),
//!     ("score", Arc::new(Float64Array::from(vec![0.9, 0.2, 0.8, 0.3, 0.4, 0.6])) as _),
//!     ("channel", Arc::new(StringArray::from(vec!["web", "web", "web", "web", "app", "app"])) as _),
//! ]).unwrap();
//! let data = Dataset::from_batches(batch.schema(), vec![batch]).unwrap();
//! let suite = Suite::parse("suite.toml", r#"
//!     task = "binary"
//!     target = "label"
//!     prediction = "score"
//!     min_rows = 2
//!     [[slice]]
//!     name = "app"
//!     where = "channel = 'app'"
//!     [[test]]
//!     slice = "app"
//!     metric = "accuracy"
//!     min = 0.5
//! "#).unwrap();
//! let report = run_suite(&suite, &data, None, &RunOptions::default()).unwrap();
//! assert_eq!(report.results[0].value, Some(0.0));
//! assert_eq!(report.results[0].outcome, TestOutcome::Fail);
//! ```

mod data;
mod fairness;
mod find;
mod metrics;
mod run;
mod suite;

pub use data::read_predictions;
pub use fairness::{
    GroupRates, demographic_parity_difference, disparate_impact_ratio, equalized_odds_difference,
    group_rates,
};
pub use find::{FindOptions, FoundSlice, find_slices};
pub use metrics::{Metric, Predictions, Rank, Task, Undefined};
pub use run::{
    Churn, FairnessDetails, GroupNumbers, ModelTestResult, Regression, RunOptions, TestOutcome,
    TestReport, run_suite,
};
pub use seismo_config::Location;
pub use suite::{FairnessSpec, PredictionColumns, SliceSpec, Suite, SuiteFile, TestSpec};

/// A suite that cannot be read or does not fit the data: where in the suite, and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
#[non_exhaustive]
pub struct SuiteError {
    /// Where in the suite file.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

impl SuiteError {
    pub(crate) fn new(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            message: message.into(),
        }
    }
}
