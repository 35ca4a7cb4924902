//! The rule file: its serde shape (TOML or YAML), the checks on values that need no data,
//! and where in the file each rule and field is, for error messages.

use std::fmt;

use seismo_core::{ColumnKind, Severity};
use seismo_drift::TestName;
use serde::Deserialize;

use seismo_config::{ConfigFile, Location};

use crate::RuleError;

/// A rule file: column, dataset, statistic and drift rules.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Rules on one column each.
    #[serde(default)]
    pub column: Vec<ColumnRule>,
    /// Rules on whole rows and the dataset.
    #[serde(default)]
    pub dataset: Vec<DatasetRule>,
    /// Bounds on a statistic of a column.
    #[serde(default)]
    pub statistic: Vec<StatisticRule>,
    /// Drift of a column against the reference.
    #[serde(default)]
    pub drift: Vec<DriftRule>,
}

/// A value in an `allowed` list: a string, number or boolean.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Literal {
    /// `true` or `false`.
    Boolean(bool),
    /// An integer.
    Integer(i64),
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Boolean(b) => write!(f, "{b}"),
            Self::Integer(i) => write!(f, "{i}"),
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(s) => f.write_str(s),
        }
    }
}

/// The order a `monotonic` column keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monotonic {
    /// Each value ≥ the one before.
    Increasing,
    /// Each value > the one before.
    StrictlyIncreasing,
    /// Each value ≤ the one before.
    Decreasing,
    /// Each value < the one before.
    StrictlyDecreasing,
}

/// Checks on one column. Every check set here is judged on its own; they share the
/// column, the name, the severity and the `where` condition.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnRule {
    /// The column.
    pub name: String,
    /// A name for the rule, shown in reports (default: `column.check`).
    pub rule: Option<String>,
    /// `error` (the default) fails the run; `warn` is reported only.
    #[serde(default)]
    pub severity: Severity,
    /// Only rows where this condition holds are checked.
    #[serde(rename = "where")]
    pub condition: Option<String>,
    /// The column's kind.
    #[serde(rename = "type")]
    pub kind: Option<ColumnKind>,
    /// Whether the column must exist: `true` fails when it is missing, `false` skips the
    /// rule. Unset, a missing column is an error in the rule file.
    pub required: Option<bool>,
    /// The largest share of null (or NaN) values.
    pub max_null_fraction: Option<f64>,
    /// No NaN values.
    #[serde(default)]
    pub no_nan: bool,
    /// No infinite values.
    #[serde(default)]
    pub no_infinity: bool,
    /// Every value ≥ this.
    pub min: Option<f64>,
    /// Every value ≤ this.
    pub max: Option<f64>,
    /// Every value > this.
    pub exclusive_min: Option<f64>,
    /// Every value < this.
    pub exclusive_max: Option<f64>,
    /// The values the column may hold.
    pub allowed: Option<Vec<Literal>>,
    /// The largest share of rows with values outside `allowed` (default 0).
    pub max_unseen_fraction: Option<f64>,
    /// A regular expression every value matches as a whole.
    pub regex: Option<String>,
    /// The fewest characters in a value.
    pub min_length: Option<u64>,
    /// The most characters in a value.
    pub max_length: Option<u64>,
    /// No value occurs twice.
    #[serde(default)]
    pub unique: bool,
    /// The order of the values, in row order.
    pub monotonic: Option<Monotonic>,
}

impl ColumnRule {
    /// The fields set that check the column's values (all but `required`,
    /// `max_null_fraction` and the rule's name, severity and condition), in file order.
    pub(crate) fn value_checks(&self) -> Vec<&'static str> {
        [
            ("type", self.kind.is_some()),
            ("no_nan", self.no_nan),
            ("no_infinity", self.no_infinity),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("exclusive_min", self.exclusive_min.is_some()),
            ("exclusive_max", self.exclusive_max.is_some()),
            ("allowed", self.allowed.is_some()),
            ("max_unseen_fraction", self.max_unseen_fraction.is_some()),
            ("regex", self.regex.is_some()),
            ("min_length", self.min_length.is_some()),
            ("max_length", self.max_length.is_some()),
            ("unique", self.unique),
            ("monotonic", self.monotonic.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, set)| set.then_some(field))
        .collect()
    }
}

/// Checks on rows and the dataset as a whole.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetRule {
    /// A name for the rule.
    pub name: Option<String>,
    /// `error` (the default) or `warn`.
    #[serde(default)]
    pub severity: Severity,
    /// Only rows where this condition holds are checked.
    #[serde(rename = "where")]
    pub condition: Option<String>,
    /// A condition every row meets; a row violates it when it is false (null is not a
    /// violation: add `x is not null` to require values).
    pub expr: Option<String>,
    /// The fewest rows.
    pub min_rows: Option<u64>,
    /// The most rows.
    pub max_rows: Option<u64>,
    /// The largest share of rows that repeat an earlier row (on `columns`, or all).
    pub max_duplicate_fraction: Option<f64>,
    /// The largest share of rows that also occur in the reference (on `columns`, or the
    /// columns both have): train/test overlap.
    pub max_reference_overlap: Option<f64>,
    /// The label column for `max_conflicting_labels`.
    pub label: Option<String>,
    /// The largest share of rows whose features (`columns`, or all but the label) equal
    /// another row's while their labels differ.
    pub max_conflicting_labels: Option<f64>,
    /// The columns that identify a row for the duplicate, overlap and label checks.
    pub columns: Option<Vec<String>>,
}

/// A statistic a `[[statistic]]` rule bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Statistic {
    /// The mean.
    Mean,
    /// The sample standard deviation (ddof 1).
    Std,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// The median.
    Median,
    /// The quantile `q` (linear interpolation, as numpy's default).
    Quantile,
    /// The share of null or NaN values.
    NullFraction,
    /// The number of distinct non-null values.
    DistinctCount,
}

impl Statistic {
    /// The name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mean => "mean",
            Self::Std => "std",
            Self::Min => "min",
            Self::Max => "max",
            Self::Median => "median",
            Self::Quantile => "quantile",
            Self::NullFraction => "null_fraction",
            Self::DistinctCount => "distinct_count",
        }
    }
}

/// Bounds on a statistic of one column.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticRule {
    /// The column.
    pub column: String,
    /// The statistic.
    pub statistic: Statistic,
    /// The quantile's rank in [0, 1], for `statistic = "quantile"`.
    pub q: Option<f64>,
    /// The smallest allowed value.
    pub min: Option<f64>,
    /// The largest allowed value.
    pub max: Option<f64>,
    /// A name for the rule.
    pub name: Option<String>,
    /// `error` (the default) or `warn`.
    #[serde(default)]
    pub severity: Severity,
    /// Only rows where this condition holds count.
    #[serde(rename = "where")]
    pub condition: Option<String>,
}

/// Drift of one column against the reference (`--reference`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftRule {
    /// The column.
    pub column: String,
    /// The test or distance (default: chosen by kind and size, as `seismo drift` does).
    pub test: Option<TestName>,
    /// Its threshold (default: 0.05 for p-values, 0.1 for distances).
    pub threshold: Option<f64>,
    /// A name for the rule.
    pub name: Option<String>,
    /// `error` (the default) or `warn`.
    #[serde(default)]
    pub severity: Severity,
    /// Only rows where this holds are compared, in the reference and in the data.
    #[serde(rename = "where")]
    pub condition: Option<String>,
}

/// A rule file as read: its rules, and its text to locate them in.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The rules.
    pub file: RuleFile,
    source: ConfigFile,
}

/// Which list a rule is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `[[column]]`.
    Column,
    /// `[[dataset]]`.
    Dataset,
    /// `[[statistic]]`.
    Statistic,
    /// `[[drift]]`.
    Drift,
}

impl Section {
    /// The key in the file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Column => "column",
            Self::Dataset => "dataset",
            Self::Statistic => "statistic",
            Self::Drift => "drift",
        }
    }
}

impl Rules {
    /// Reads a rule file's text; `path` names it in errors and picks the syntax (YAML for
    /// `.yaml`/`.yml`, else TOML).
    pub fn parse(path: &str, text: &str) -> Result<Self, RuleError> {
        let source = ConfigFile::new(path, text);
        let file: RuleFile = source
            .parse()
            .map_err(|e| RuleError::new(e.location, e.message))?;
        let rules = Self { file, source };
        rules.check_values()?;
        Ok(rules)
    }

    /// Where it came from, as given.
    pub fn path(&self) -> &str {
        self.source.path()
    }

    /// The location of rule `index` of `section`, and of `field` in it when given and found.
    pub fn locate(&self, section: Section, index: usize, field: Option<&str>) -> Location {
        self.source.locate(section.key(), index, field)
    }

    /// The checks on values alone: ranges, fractions, a rule with nothing to check.
    fn check_values(&self) -> Result<(), RuleError> {
        let fraction = |v: Option<f64>, section, i, field: &str| -> Result<(), RuleError> {
            match v {
                Some(v) if !(0.0..=1.0).contains(&v) => Err(RuleError::new(
                    self.locate(section, i, Some(field)),
                    format!("`{field}` is a share of rows in [0, 1], got {v}"),
                )),
                _ => Ok(()),
            }
        };
        let bounds = |min: Option<f64>, max: Option<f64>, section, i| -> Result<(), RuleError> {
            for (name, v) in [("min", min), ("max", max)] {
                if v.is_some_and(|v| !v.is_finite()) {
                    return Err(RuleError::new(
                        self.locate(section, i, Some(name)),
                        format!("`{name}` must be a finite number"),
                    ));
                }
            }
            if let (Some(lo), Some(hi)) = (min, max)
                && lo > hi
            {
                return Err(RuleError::new(
                    self.locate(section, i, Some("min")),
                    format!("`min` ({lo}) is above `max` ({hi})"),
                ));
            }
            Ok(())
        };
        for (i, rule) in self.file.column.iter().enumerate() {
            let s = Section::Column;
            fraction(rule.max_null_fraction, s, i, "max_null_fraction")?;
            fraction(rule.max_unseen_fraction, s, i, "max_unseen_fraction")?;
            bounds(
                rule.min.or(rule.exclusive_min),
                rule.max.or(rule.exclusive_max),
                s,
                i,
            )?;
            if rule.max_unseen_fraction.is_some() && rule.allowed.is_none() {
                return Err(RuleError::new(
                    self.locate(s, i, Some("max_unseen_fraction")),
                    "`max_unseen_fraction` needs an `allowed` list",
                ));
            }
            if let (Some(lo), Some(hi)) = (rule.min_length, rule.max_length)
                && lo > hi
            {
                return Err(RuleError::new(
                    self.locate(s, i, Some("min_length")),
                    format!("`min_length` ({lo}) is above `max_length` ({hi})"),
                ));
            }
            let checks = [
                rule.kind.is_some(),
                rule.required == Some(true),
                rule.max_null_fraction.is_some(),
                rule.no_nan,
                rule.no_infinity,
                rule.min.is_some(),
                rule.max.is_some(),
                rule.exclusive_min.is_some(),
                rule.exclusive_max.is_some(),
                rule.allowed.is_some(),
                rule.regex.is_some(),
                rule.min_length.is_some(),
                rule.max_length.is_some(),
                rule.unique,
                rule.monotonic.is_some(),
            ];
            if !checks.contains(&true) && rule.required.is_none() {
                return Err(RuleError::new(
                    self.locate(s, i, None),
                    format!(
                        "the rule on `{}` checks nothing: give it type, required, max_null_fraction, no_nan, no_infinity, min, max, exclusive_min, exclusive_max, allowed, regex, min_length, max_length, unique or monotonic",
                        rule.name
                    ),
                ));
            }
        }
        for (i, rule) in self.file.dataset.iter().enumerate() {
            let s = Section::Dataset;
            fraction(rule.max_duplicate_fraction, s, i, "max_duplicate_fraction")?;
            fraction(rule.max_reference_overlap, s, i, "max_reference_overlap")?;
            fraction(rule.max_conflicting_labels, s, i, "max_conflicting_labels")?;
            if let (Some(lo), Some(hi)) = (rule.min_rows, rule.max_rows)
                && lo > hi
            {
                return Err(RuleError::new(
                    self.locate(s, i, Some("min_rows")),
                    format!("`min_rows` ({lo}) is above `max_rows` ({hi})"),
                ));
            }
            if rule.max_conflicting_labels.is_some() != rule.label.is_some() {
                return Err(RuleError::new(
                    self.locate(s, i, Some("max_conflicting_labels")),
                    "`max_conflicting_labels` and `label` go together",
                ));
            }
            let any = rule.expr.is_some()
                || rule.min_rows.is_some()
                || rule.max_rows.is_some()
                || rule.max_duplicate_fraction.is_some()
                || rule.max_reference_overlap.is_some()
                || rule.max_conflicting_labels.is_some();
            if !any {
                return Err(RuleError::new(
                    self.locate(s, i, None),
                    "the dataset rule checks nothing: give it expr, min_rows, max_rows, max_duplicate_fraction, max_reference_overlap or max_conflicting_labels",
                ));
            }
        }
        for (i, rule) in self.file.statistic.iter().enumerate() {
            let s = Section::Statistic;
            bounds(rule.min, rule.max, s, i)?;
            if rule.min.is_none() && rule.max.is_none() {
                return Err(RuleError::new(
                    self.locate(s, i, None),
                    format!(
                        "the {} rule on `{}` needs `min` or `max`",
                        rule.statistic.as_str(),
                        rule.column
                    ),
                ));
            }
            match (rule.statistic, rule.q) {
                (Statistic::Quantile, None) => {
                    return Err(RuleError::new(
                        self.locate(s, i, Some("statistic")),
                        "a quantile rule needs `q`, the rank in [0, 1]",
                    ));
                }
                (Statistic::Quantile, Some(q)) if !(0.0..=1.0).contains(&q) => {
                    return Err(RuleError::new(
                        self.locate(s, i, Some("q")),
                        format!("`q` is a rank in [0, 1], got {q}"),
                    ));
                }
                (other, Some(_)) if other != Statistic::Quantile => {
                    return Err(RuleError::new(
                        self.locate(s, i, Some("q")),
                        "`q` belongs to `statistic = \"quantile\"`",
                    ));
                }
                _ => {}
            }
        }
        for (i, rule) in self.file.drift.iter().enumerate() {
            if rule.threshold.is_some_and(|t| !(t.is_finite() && t >= 0.0)) {
                return Err(RuleError::new(
                    self.locate(Section::Drift, i, Some("threshold")),
                    "`threshold` must be a number ≥ 0",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
# prices
[[column]]
name = "price"
min = 0

[[column]]
name = "country"
allowed = ["DE", "FR", 1, true]
max_unseen_fraction = 0.01

[[dataset]]
name = "discount_le_price"
expr = "discount <= price"
"#;

    #[test]
    fn reads_toml_and_locates_rules_and_fields() {
        let rules = Rules::parse("r.toml", TOML).unwrap();
        assert_eq!(rules.file.column.len(), 2);
        assert_eq!(
            rules.file.column[1].allowed.as_ref().unwrap()[2],
            Literal::Integer(1)
        );
        assert_eq!(rules.file.dataset[0].severity, Severity::Error);
        let at = rules.locate(Section::Column, 1, None);
        assert_eq!((at.line, at.column), (Some(7), None));
        let at = rules.locate(Section::Dataset, 0, Some("expr"));
        assert_eq!((at.line, at.column), (Some(14), Some(9)));
        assert_eq!(at.to_string(), "r.toml:14:9");
    }

    #[test]
    fn reads_yaml_the_same() {
        let yaml = "column:\n  - name: price\n    min: 0\n  - name: country\n    allowed: [DE, FR]\ndataset:\n  - name: d\n    expr: \"discount <= price\"\n";
        let rules = Rules::parse("r.yaml", yaml).unwrap();
        assert_eq!(rules.file.column[1].name, "country");
        assert_eq!(
            rules.file.dataset[0].expr.as_deref(),
            Some("discount <= price")
        );
        let at = rules.locate(Section::Column, 1, Some("allowed"));
        assert_eq!(at.line, Some(5));
        let at = rules.locate(Section::Dataset, 0, Some("expr"));
        assert_eq!((at.line, at.column), (Some(8), Some(12)));
    }

    #[test]
    fn bad_files_say_where() {
        let error = |path: &str, text: &str| Rules::parse(path, text).unwrap_err().to_string();
        assert!(
            error("r.toml", "[[column]]\nname = \"a\"\nmin = \n").starts_with("r.toml:3: "),
            "{}",
            error("r.toml", "[[column]]\nname = \"a\"\nmin = \n")
        );
        assert!(
            error("r.toml", "[[column]]\nname = \"a\"\nminn = 1\n")
                .contains("unknown field `minn`")
        );
        assert_eq!(
            error(
                "r.toml",
                "[[column]]\nname = \"a\"\nmin = 0\n\n[[column]]\nname = \"b\"\nmax_null_fraction = 2\n"
            ),
            "r.toml:7:21: `max_null_fraction` is a share of rows in [0, 1], got 2"
        );
        assert_eq!(
            error("r.toml", "[[column]]\nname = \"a\"\nmin = 5\nmax = 1\n"),
            "r.toml:3:7: `min` (5) is above `max` (1)"
        );
        assert!(error("r.toml", "[[column]]\nname = \"a\"\n").contains("checks nothing"));
        assert!(
            error(
                "r.toml",
                "[[statistic]]\ncolumn = \"a\"\nstatistic = \"quantile\"\nmax = 1\n"
            )
            .contains("needs `q`")
        );
        assert!(error("r.yaml", "column:\n  - name: [\n").starts_with("r.yaml: "));
    }
}
