//! The suite file: the model's task and columns, named slices, tests with thresholds and
//! fairness checks; checked on its own and then against the data.

use seismo_config::{ConfigFile, Location};
use seismo_core::Severity;
use serde::Deserialize;

use crate::SuiteError;
use crate::metrics::{Metric, Rank, Task};

/// The prediction: one column, or one probability column per class (multiclass).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum PredictionColumns {
    /// A score, a probability, a class or a value.
    One(String),
    /// One probability column per class, in the order of `classes`.
    PerClass(Vec<String>),
}

/// A named subset of rows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SliceSpec {
    /// The name tests refer to.
    pub name: String,
    /// The condition rows meet (`seismo-expr`).
    #[serde(rename = "where")]
    pub condition: String,
}

/// A metric on a slice, with thresholds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    /// A name (default: `slice.metric`).
    pub name: Option<String>,
    /// The slice, or `all`.
    pub slice: String,
    /// The metric.
    pub metric: String,
    /// The quantile for `abs_error_quantile` (default 0.9).
    pub q: Option<f64>,
    /// The value is at least this.
    pub min: Option<f64>,
    /// The value is at most this.
    pub max: Option<f64>,
    /// The value minus the whole dataset's is at least this (say −0.05).
    pub min_vs_overall: Option<f64>,
    /// The value minus the whole dataset's is at most this.
    pub max_vs_overall: Option<f64>,
    /// The value minus the baseline model's on the same rows is at least this.
    pub min_vs_baseline: Option<f64>,
    /// The value minus the baseline model's is at most this.
    pub max_vs_baseline: Option<f64>,
    /// Fewer rows than this are "insufficient data", not a result (default: the suite's).
    pub min_rows: Option<u64>,
    /// `error` (default) or `warn`.
    #[serde(default)]
    pub severity: Severity,
}

impl TestSpec {
    /// The thresholds by name, set or not.
    pub fn bounds(&self) -> [(&'static str, Option<f64>); 6] {
        [
            ("min", self.min),
            ("max", self.max),
            ("min_vs_overall", self.min_vs_overall),
            ("max_vs_overall", self.max_vs_overall),
            ("min_vs_baseline", self.min_vs_baseline),
            ("max_vs_baseline", self.max_vs_baseline),
        ]
    }
}

/// Fairness across groups.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairnessSpec {
    /// A name (default: `fairness by <groups>`).
    pub name: Option<String>,
    /// The columns whose combinations of values are the groups.
    pub groups: Vec<String>,
    /// Metrics reported per group (selection, true and false positive rates always are).
    #[serde(default)]
    pub metrics: Vec<String>,
    /// Largest allowed gap in selection rate.
    pub max_demographic_parity_difference: Option<f64>,
    /// Largest allowed gap in true or false positive rate.
    pub max_equalized_odds_difference: Option<f64>,
    /// Smallest allowed ratio of selection rates.
    pub min_disparate_impact_ratio: Option<f64>,
    /// Groups with fewer rows are left out and listed (default: the suite's).
    pub min_rows: Option<u64>,
    /// `error` (default) or `warn`.
    #[serde(default)]
    pub severity: Severity,
}

/// A suite file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteFile {
    /// The model's task.
    pub task: Task,
    /// The true outcome.
    pub target: String,
    /// The model's output.
    pub prediction: PredictionColumns,
    /// Binary: the score at or above which a row is predicted positive (default 0.5).
    #[serde(default = "half")]
    pub decision_threshold: f64,
    /// Multiclass with probability columns: the class each column is for.
    pub classes: Option<Vec<String>>,
    /// The column joining the baseline's rows to the data's (default: row order).
    pub id: Option<String>,
    /// The default `min_rows` of tests and groups (default 30).
    #[serde(default = "thirty")]
    pub min_rows: u64,
    /// Bootstrap resamples for confidence intervals (0: none).
    #[serde(default)]
    pub bootstrap: u32,
    /// The intervals' confidence (default 0.95).
    #[serde(default = "ninety_five")]
    pub confidence: f64,
    /// The bootstrap's seed.
    #[serde(default)]
    pub seed: u64,
    /// With a baseline: slices worse than the baseline by more than this are reported.
    #[serde(default = "one_hundredth")]
    pub regression_tolerance: f64,
    /// Named slices.
    #[serde(default)]
    pub slice: Vec<SliceSpec>,
    /// Tests.
    #[serde(default)]
    pub test: Vec<TestSpec>,
    /// Fairness checks.
    #[serde(default)]
    pub fairness: Vec<FairnessSpec>,
}

fn half() -> f64 {
    0.5
}
fn thirty() -> u64 {
    30
}
fn ninety_five() -> f64 {
    0.95
}
fn one_hundredth() -> f64 {
    0.01
}

/// A suite as read, with its text to locate entries in.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The suite.
    pub file: SuiteFile,
    source: ConfigFile,
}

impl Suite {
    /// Reads a suite file's text (YAML for `.yaml`/`.yml`, else TOML) and checks what can be
    /// checked without data: metric names for the task, thresholds, slice names.
    pub fn parse(path: &str, text: &str) -> Result<Self, SuiteError> {
        let source = ConfigFile::new(path, text);
        let file: SuiteFile = source
            .parse()
            .map_err(|e| SuiteError::new(e.location, e.message))?;
        let suite = Self { file, source };
        suite.check()?;
        Ok(suite)
    }

    /// Where it came from.
    pub fn path(&self) -> &str {
        self.source.path()
    }

    /// The location of entry `index` of a list, at `field` when found.
    pub fn locate(&self, key: &str, index: usize, field: Option<&str>) -> Location {
        self.source.locate(key, index, field)
    }

    /// The location of a top-level field.
    pub fn locate_top(&self, field: &str) -> Location {
        self.source.locate_top(field)
    }

    /// A test's metric, parsed, with the test's `q` if it is a quantile metric.
    pub fn metric(&self, index: usize) -> Metric {
        let test = &self.file.test[index];
        let metric: Metric = test.metric.parse().expect("checked by parse");
        match test.q {
            Some(q) => metric.at_rank(Rank::new(q).expect("checked by parse")),
            None => metric,
        }
    }

    fn check(&self) -> Result<(), SuiteError> {
        let f = &self.file;
        let task = f.task;
        if !(f.decision_threshold.is_finite() && (0.0..=1.0).contains(&f.decision_threshold)) {
            return Err(SuiteError::new(
                self.locate_top("decision_threshold"),
                "`decision_threshold` is a probability in [0, 1]",
            ));
        }
        if !(f.confidence > 0.0 && f.confidence < 1.0) {
            return Err(SuiteError::new(
                self.locate_top("confidence"),
                "`confidence` is in (0, 1), like 0.95",
            ));
        }
        match (&f.prediction, task) {
            (PredictionColumns::PerClass(columns), Task::Multiclass) => {
                let classes = f.classes.as_ref().ok_or_else(|| {
                    SuiteError::new(
                        self.locate_top("prediction"),
                        "probability columns need `classes`: the class of each column",
                    )
                })?;
                if classes.len() != columns.len() || columns.len() < 2 {
                    return Err(SuiteError::new(
                        self.locate_top("classes"),
                        format!(
                            "{} classes for {} probability columns",
                            classes.len(),
                            columns.len()
                        ),
                    ));
                }
            }
            (PredictionColumns::PerClass(_), _) => {
                return Err(SuiteError::new(
                    self.locate_top("prediction"),
                    "a list of prediction columns is for multiclass probabilities",
                ));
            }
            _ => {}
        }
        let mut names: Vec<&str> = vec!["all"];
        for (i, slice) in f.slice.iter().enumerate() {
            if names.contains(&slice.name.as_str()) {
                return Err(SuiteError::new(
                    self.locate("slice", i, Some("name")),
                    format!("a second slice named `{}`", slice.name),
                ));
            }
            names.push(&slice.name);
        }
        for (i, test) in f.test.iter().enumerate() {
            let at = |field| self.locate("test", i, Some(field));
            let metric: Metric = test.metric.parse().map_err(|e: seismo_core::UnknownWord| {
                SuiteError::new(at("metric"), e.to_string())
            })?;
            if !metric.fits(task) {
                return Err(SuiteError::new(
                    at("metric"),
                    format!(
                        "`{metric}` is not a {} metric; those are: {}",
                        format!("{task:?}").to_lowercase(),
                        Metric::names_for(task).join(", ")
                    ),
                ));
            }
            if !names.contains(&test.slice.as_str()) {
                return Err(SuiteError::new(
                    at("slice"),
                    format!(
                        "no slice named `{}` (slices: {})",
                        test.slice,
                        names.join(", ")
                    ),
                ));
            }
            let bounds = test.bounds();
            if bounds.iter().all(|(_, b)| b.is_none()) {
                return Err(SuiteError::new(
                    self.locate("test", i, None),
                    "the test has no threshold: give min, max, min_vs_overall, max_vs_overall, min_vs_baseline or max_vs_baseline",
                ));
            }
            if let Some((name, _)) = bounds
                .iter()
                .find(|(_, b)| b.is_some_and(|v| !v.is_finite()))
            {
                return Err(SuiteError::new(
                    at(name),
                    format!("`{name}` must be a finite number"),
                ));
            }
            if test.q.is_some_and(|q| !(0.0..=1.0).contains(&q)) {
                return Err(SuiteError::new(at("q"), "`q` is a rank in [0, 1]"));
            }
        }
        for (i, fairness) in f.fairness.iter().enumerate() {
            let at = |field| self.locate("fairness", i, Some(field));
            if task != Task::Binary {
                return Err(SuiteError::new(
                    self.locate("fairness", i, None),
                    "fairness measures are for binary tasks",
                ));
            }
            if fairness.groups.is_empty() {
                return Err(SuiteError::new(
                    at("groups"),
                    "`groups` names at least one column",
                ));
            }
            for name in &fairness.metrics {
                let metric: Metric = name.parse().map_err(|e: seismo_core::UnknownWord| {
                    SuiteError::new(at("metrics"), e.to_string())
                })?;
                if !metric.fits(task) {
                    return Err(SuiteError::new(
                        at("metrics"),
                        format!("`{metric}` is not a binary metric"),
                    ));
                }
            }
            if fairness.max_demographic_parity_difference.is_none()
                && fairness.max_equalized_odds_difference.is_none()
                && fairness.min_disparate_impact_ratio.is_none()
            {
                return Err(SuiteError::new(
                    self.locate("fairness", i, None),
                    "the fairness check has no threshold: give max_demographic_parity_difference, max_equalized_odds_difference or min_disparate_impact_ratio",
                ));
            }
        }
        Ok(())
    }
}
