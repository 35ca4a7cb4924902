#![warn(missing_docs)]
//! Data-validation rules: read a rule file, check a dataset against it, and infer a first
//! rule file from a reference dataset.
//!
//! A rule file (TOML, or YAML) holds four lists: `[[column]]` rules (type, required, nulls,
//! NaN, infinities, ranges, allowed values, regex, length, uniqueness, order),
//! `[[dataset]]` rules (conditions on rows written as expressions, row counts, duplicate
//! rows, overlap with the reference, conflicting labels), `[[statistic]]` bounds (mean, std,
//! quantiles, null fraction...) and `[[drift]]` rules against a reference. docs/validate.md
//! documents every field with an example.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Float64Array, RecordBatch};
//! use seismo_core::{Dataset, Outcome};
//! use seismo_rules::{Rules, ValidateOptions, validate};
//!
//! let batch = RecordBatch::try_from_iter([
//!     ("price", Arc::new(Float64Array::from(vec![10.0, -1.0, 8.0])) as _),
//!     ("discount", Arc::new(Float64Array::from(vec![1.0, 0.0, 9.0])) as _),
//! ]).unwrap();
//! let data = Dataset::from_batches(batch.schema(), vec![batch]).unwrap();
//! let rules = Rules::parse("rules.toml", r#"
//!     [[column]]
//!     name = "price"
//!     min = 0
//!     [[dataset]]
//!     name = "discount_le_price"
//!     expr = "discount <= price"
//! "#).unwrap();
//! let result = validate(&rules, &data, None, &ValidateOptions::default()).unwrap();
//! let outcomes: Vec<Outcome> = result.checks.iter().map(|c| c.outcome).collect();
//! assert_eq!(outcomes, vec![Outcome::Fail, Outcome::Fail]);
//! let violations = result.checks[0].violations.as_ref().unwrap();
//! assert_eq!((violations.count, violations.sample[0].row), (1, 2));
//! assert_eq!(result.quarantined_rows(), 2);
//! ```

mod file;
mod hash;
mod infer;
mod plan;
mod report;
mod rows;
mod run;
mod write;

pub use file::{
    ColumnRule, DatasetRule, DriftRule, Literal, Monotonic, RuleFile, Rules, Section, Statistic,
    StatisticRule,
};
pub use infer::{InferOptions, Inferred, infer, infer_rules};
pub use report::{DriftStatistic, Observed, RuleCheck, Threshold, ViolatingRow, Violations};
pub use run::{ValidateOptions, Validation, validate};
pub use seismo_config::Location;
pub use write::{Note, Place};

/// A rule file that cannot be read or does not fit the data: where, and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
#[non_exhaustive]
pub struct RuleError {
    /// Where in the rule file.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

impl RuleError {
    pub(crate) fn new(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            message: message.into(),
        }
    }
}
