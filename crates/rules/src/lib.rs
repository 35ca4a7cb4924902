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
//! let outcomes: Vec<Outcome> = result.report.checks.iter().map(|c| c.outcome).collect();
//! assert_eq!(outcomes, vec![Outcome::Fail, Outcome::Fail]);
//! assert_eq!(result.report.checks[0].details["violations"], 1);
//! assert_eq!(result.quarantined_rows(), 2);
//! ```

mod file;
mod hash;
mod infer;
mod plan;
mod rows;
mod run;

use std::fmt;

pub use file::{
    ColumnRule, DatasetRule, DriftRule, Literal, Monotonic, RuleFile, Rules, Section, Statistic,
    StatisticRule, Syntax,
};
pub use infer::{InferOptions, infer};
pub use run::{ValidateOptions, Validation, validate};

/// Where in a rule file something is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as given.
    pub path: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The 1-based column, when known.
    pub column: Option<usize>,
}

impl Location {
    /// A location with a line (or none) and no column.
    pub fn line(path: &str, line: Option<usize>) -> Self {
        Self {
            path: path.to_owned(),
            line,
            column: None,
        }
    }

    /// The location of a position inside a value that starts here (an expression inside its
    /// quotes).
    pub fn within(&self, position: Option<seismo_expr::Position>) -> Self {
        let mut at = self.clone();
        if let Some(p) = position {
            if p.line > 1 {
                at.line = at.line.map(|l| l + p.line - 1);
                at.column = Some(p.column);
            } else {
                at.column = at.column.map(|c| c + p.column - 1);
            }
        }
        at
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// A rule file that cannot be read or does not fit the data: where, and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
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
