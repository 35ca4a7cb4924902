//! The report model every check in seismo returns.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::UnknownWord;

/// How a check ended. Ordered from best to worst, so the worst outcome of a report is its
/// maximum.
///
/// There is no default outcome: a check says how it ended when it is made, so one that could
/// not be judged cannot pass by omission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The check held.
    Pass,
    /// The check could not be judged, for example a slice with too few rows. Never a pass.
    Skipped,
    /// The check failed but its severity is `warn`.
    Warn,
    /// The check failed.
    Fail,
    /// The check could not run: bad input or an internal error. The details say why.
    Error,
}

impl Outcome {
    /// The lowercase word used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Skipped => "skipped",
            Self::Warn => "warn",
            Self::Fail => "fail",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = UnknownWord;
    fn from_str(s: &str) -> std::result::Result<Self, UnknownWord> {
        Ok(match s {
            "pass" => Self::Pass,
            "skipped" => Self::Skipped,
            "warn" => Self::Warn,
            "fail" => Self::Fail,
            "error" => Self::Error,
            _ => {
                return Err(UnknownWord::new(
                    "outcome",
                    s,
                    "pass, skipped, warn, fail, error",
                ));
            }
        })
    }
}

/// How much a failing check matters: an `error` fails the run, a `warn` is reported only.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A failure is reported as [`Outcome::Warn`] and does not fail the run.
    Warn,
    /// A failure is reported as [`Outcome::Fail`] (the default).
    #[default]
    Error,
}

impl Severity {
    /// The outcome of a check of this severity whose condition did not hold.
    pub fn failed_outcome(self) -> Outcome {
        match self {
            Self::Warn => Outcome::Warn,
            Self::Error => Outcome::Fail,
        }
    }

    /// `pass` when the condition `held`, else [`failed_outcome`](Self::failed_outcome).
    pub fn outcome(self, held: bool) -> Outcome {
        if held {
            Outcome::Pass
        } else {
            self.failed_outcome()
        }
    }
}

impl FromStr for Severity {
    type Err = UnknownWord;
    fn from_str(s: &str) -> std::result::Result<Self, UnknownWord> {
        match s {
            "warn" => Ok(Self::Warn),
            "error" => Ok(Self::Error),
            _ => Err(UnknownWord::new("severity", s, "warn, error")),
        }
    }
}

/// One judged check: what was checked, on what, with which outcome and why.
///
/// `value` is the measured number (a p-value, a null fraction, a metric), `threshold` the
/// bound it was judged against: a number, or an object such as `{"min": 0, "max": 1}`.
/// `details` carries what is specific to the kind of check (a test's p-value beside its
/// statistic, sample rows that violated a rule, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The name of the check, such as `ks`, `max_null_fraction` or a user-given rule name.
    pub check: String,
    /// What it was applied to: a column, a slice, a model, or `dataset`.
    pub subject: String,
    /// How it ended.
    pub outcome: Outcome,
    /// The severity it was run with.
    #[serde(default)]
    pub severity: Severity,
    /// The measured value, when the check measures one number.
    #[serde(default)]
    pub value: Option<f64>,
    /// The bound the value was judged against.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub threshold: Value,
    /// Kind-specific details.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
}

impl Check {
    /// A check that ended with `outcome` (severity `error`), with no value, threshold or
    /// details yet. The outcome is not optional: see [`Outcome`].
    pub fn new(check: impl Into<String>, subject: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            check: check.into(),
            subject: subject.into(),
            outcome,
            severity: Severity::Error,
            value: None,
            threshold: Value::Null,
            details: Map::new(),
        }
    }

    /// A check that could not be judged, with the reason (detail `reason`).
    pub fn skipped(
        check: impl Into<String>,
        subject: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::new(check, subject, Outcome::Skipped).with_detail("reason", reason.into())
    }

    /// Sets the outcome.
    pub fn with_outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// Sets the measured value.
    pub fn with_value(mut self, value: f64) -> Self {
        self.value = Some(value);
        self
    }

    /// Sets the threshold.
    pub fn with_threshold(mut self, threshold: impl Into<Value>) -> Self {
        self.threshold = threshold.into();
        self
    }

    /// Adds one detail.
    pub fn with_detail(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.details.insert(key.into(), value.into());
        self
    }

    /// Judges the check again: passes when `held`, else fails with the check's severity.
    pub fn judged(mut self, held: bool) -> Self {
        self.outcome = self.severity.outcome(held);
        self
    }
}

/// A list of checks under one name, as every seismo command and RPC returns them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What produced the report, such as `validate` or `drift`.
    pub name: String,
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    /// An empty report.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            checks: Vec::new(),
        }
    }

    /// Adds a check.
    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// The worst outcome of all checks; `pass` for an empty report.
    pub fn worst_outcome(&self) -> Outcome {
        self.checks
            .iter()
            .map(|c| c.outcome)
            .max()
            .unwrap_or(Outcome::Pass)
    }

    /// How many checks ended with `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.checks.iter().filter(|c| c.outcome == outcome).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_lowercase_words_in_json() {
        for outcome in [
            Outcome::Pass,
            Outcome::Skipped,
            Outcome::Warn,
            Outcome::Fail,
            Outcome::Error,
        ] {
            let json = serde_json::to_string(&outcome).unwrap();
            assert_eq!(json, format!("\"{}\"", outcome.as_str()));
            assert_eq!(serde_json::from_str::<Outcome>(&json).unwrap(), outcome);
            assert_eq!(outcome.as_str().parse::<Outcome>().unwrap(), outcome);
        }
    }

    #[test]
    fn severity_decides_the_failed_outcome() {
        let warn = Check {
            severity: Severity::Warn,
            ..Check::new("min", "price", Outcome::Pass)
        };
        assert_eq!(warn.clone().judged(false).outcome, Outcome::Warn);
        assert_eq!(warn.judged(true).outcome, Outcome::Pass);
        assert_eq!(
            Check::new("min", "price", Outcome::Pass)
                .judged(false)
                .outcome,
            Outcome::Fail
        );
    }

    #[test]
    fn report_round_trips_through_json() {
        let mut report = Report::new("validate");
        report.push(
            Check::new("max_null_fraction", "age", Outcome::Fail)
                .with_value(0.25)
                .with_threshold(0.1)
                .with_detail("rows", 4)
                .judged(false),
        );
        report.push(Check::skipped("min", "price", "too few rows"));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["checks"][0]["outcome"], "fail");
        assert_eq!(json["checks"][0]["threshold"], 0.1);
        assert_eq!(json["checks"][1].get("threshold"), None);
        let back: Report = serde_json::from_value(json).unwrap();
        assert_eq!(back, report);
        assert_eq!(report.worst_outcome(), Outcome::Fail);
        assert_eq!(report.count(Outcome::Skipped), 1);
    }
}
