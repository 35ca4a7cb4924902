//! The typed result of one rule check ([`RuleCheck`]) and its JSON form.
//!
//! Renderers and the service read these fields; the core report model
//! ([`seismo_core::Check`], with its `details` map) is only how a check is written as JSON,
//! and [`RuleCheck::to_check`] is the one place that knows its keys (documented in
//! docs/validate.md).

use seismo_core::{Check, Outcome, Severity};
use serde_json::{Map, Value, json};

/// One judged check of one rule.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RuleCheck {
    /// The rule's name: the name the file gives it, or the check's.
    pub rule: String,
    /// Where the rule is written (`file:line:column`).
    pub location: String,
    /// The check (`min`, `allowed`, `row_count`, `drift`, ...).
    pub check: &'static str,
    /// A column, or `dataset`.
    pub subject: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The severity it ran with.
    pub severity: Severity,
    /// The measured number: a share of violating rows, a statistic, a row count, a p-value.
    pub value: Option<f64>,
    /// The bound, as the rule file gives it.
    pub threshold: Threshold,
    /// Rows the check looked at (after `where`); 0 for checks that read no rows.
    pub rows: u64,
    /// For row-level checks: how many rows broke the rule, and the first of them.
    pub violations: Option<Violations>,
    /// What was seen, in the check's own terms (a type, a count, a statistic, a word).
    pub observed: Option<Observed>,
    /// Why a skipped check was not judged.
    pub reason: Option<String>,
    /// For drift rules: the test that judged the column.
    pub drift: Option<DriftStatistic>,
}

/// A rule's bound.
#[derive(Debug, Clone, PartialEq)]
pub enum Threshold {
    /// The check has no bound (presence, a schema check).
    None,
    /// A number: a share, a statistic's bound, a p-value threshold.
    Number(f64),
    /// A count (`0` duplicates allowed).
    Count(u64),
    /// A range; either end may be open.
    Bounds {
        /// The smallest value allowed.
        min: Option<f64>,
        /// The largest value allowed.
        max: Option<f64>,
    },
    /// A condition that must hold (`unique = true`).
    Flag(bool),
    /// Words: an expression, a type, a pattern, an order.
    Text(String),
    /// A list of allowed values.
    Values(Vec<String>),
}

/// The rows that broke a row-level rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Violations {
    /// How many rows broke it.
    pub count: u64,
    /// The first few, in data order.
    pub sample: Vec<ViolatingRow>,
}

/// One row that broke a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ViolatingRow {
    /// Its number, from 1, as data rows in a file.
    pub row: u64,
    /// The checked column's value, or `name=value` pairs for checks over several columns.
    pub value: String,
}

/// What a check saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Observed {
    /// A word: a column's type, `missing`, `drifted`.
    Word(String),
    /// A count of rows.
    Count(u64),
    /// A number: a statistic, the smallest or largest value.
    Number(f64),
}

/// The statistic behind a drift rule's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftStatistic {
    /// The test.
    pub test: seismo_drift::TestName,
    /// Its statistic.
    pub statistic: f64,
    /// Its p-value, for tests that have one.
    pub p_value: Option<f64>,
    /// The threshold the drift crate judged it by.
    pub threshold: f64,
}

impl Threshold {
    /// A range with either end open.
    pub fn bounds(min: Option<f64>, max: Option<f64>) -> Self {
        Self::Bounds { min, max }
    }

    /// The bound as JSON: a number, `{"min": .., "max": ..}`, a word, a list, or null.
    pub fn to_json(&self) -> Value {
        match self {
            Self::None => Value::Null,
            Self::Number(x) => json!(x),
            Self::Count(n) => json!(n),
            Self::Bounds { min, max } => {
                let mut bounds = Map::new();
                if let Some(min) = min {
                    bounds.insert("min".into(), json!(min));
                }
                if let Some(max) = max {
                    bounds.insert("max".into(), json!(max));
                }
                Value::Object(bounds)
            }
            Self::Flag(b) => json!(b),
            Self::Text(s) => json!(s),
            Self::Values(v) => json!(v),
        }
    }
}

impl Observed {
    /// What was seen as JSON: a string or a number.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Word(w) => json!(w),
            Self::Count(n) => json!(n),
            Self::Number(x) => json!(x),
        }
    }
}

impl RuleCheck {
    /// The check in the core report model, as `seismo validate --format json` writes it:
    /// `details` holds `rule`, `location`, and where they apply `reason`, `rows`,
    /// `violations`, `sample` (`{row, value}`), `observed`, and a drift rule's `test`,
    /// `statistic`, `p_value` and `drift_threshold`.
    pub fn to_check(&self) -> Check {
        let mut details = Map::new();
        details.insert("rule".into(), json!(self.rule));
        details.insert("location".into(), json!(self.location));
        if let Some(reason) = &self.reason {
            details.insert("reason".into(), json!(reason));
        }
        if let Some(violations) = &self.violations {
            details.insert("violations".into(), json!(violations.count));
            details.insert("rows".into(), json!(self.rows));
            let sample: Vec<Value> = violations
                .sample
                .iter()
                .map(|r| json!({"row": r.row, "value": r.value}))
                .collect();
            details.insert("sample".into(), Value::Array(sample));
        } else if self.rows > 0 {
            details.insert("rows".into(), json!(self.rows));
        }
        if let Some(observed) = &self.observed {
            details.insert("observed".into(), observed.to_json());
        }
        if let Some(drift) = &self.drift {
            details.insert("test".into(), json!(drift.test));
            details.insert("statistic".into(), json!(drift.statistic));
            if let Some(p) = drift.p_value {
                details.insert("p_value".into(), json!(p));
            }
            details.insert("drift_threshold".into(), json!(drift.threshold));
        }
        Check {
            severity: self.severity,
            value: self.value,
            threshold: self.threshold.to_json(),
            details,
            ..Check::new(self.check, &self.subject, self.outcome)
        }
    }
}
