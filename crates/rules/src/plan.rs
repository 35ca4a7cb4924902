//! From rules to checks: each rule becomes one check per thing it asks, resolved against
//! the data's schema (columns exist, types fit, regexes and expressions compile), so that
//! every mistake in the rule file is reported before any data is judged.

use std::collections::HashSet;

use crate::report::Threshold;
use arrow_schema::Schema as ArrowSchema;
use regex::Regex;
use seismo_core::{ColumnKind, Dataset, Severity};
use seismo_drift::TestName;
use seismo_expr::{ExprError, Predicate};

use crate::file::{
    ColumnRule, DatasetRule, DriftRule, Literal, Monotonic, Rules, Section, Statistic,
    StatisticRule,
};
use crate::{Location, RuleError};

/// What a check judges.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// The column is missing: fails when required.
    Missing,
    /// The column is there (for `required = true`).
    Present,
    /// The column's kind.
    Type {
        column: usize,
        expected: ColumnKind,
        actual: ColumnKind,
    },
    /// Rows where a condition is false violate it.
    Condition(Predicate),
    /// Null or NaN values.
    Nulls { column: usize },
    /// NaN values.
    Nan { column: usize },
    /// Infinite values.
    Infinity { column: usize },
    /// Values outside a set.
    Allowed { column: usize, set: AllowedSet },
    /// Text values that do not match.
    Regex { column: usize, regex: Regex },
    /// Text values too short or too long.
    Length {
        column: usize,
        min: Option<u64>,
        max: Option<u64>,
    },
    /// Repeated values.
    Unique { column: usize },
    /// Values out of order.
    Monotonic { column: usize, order: Monotonic },
    /// The number of rows.
    RowCount { min: Option<u64>, max: Option<u64> },
    /// Rows repeating an earlier row.
    Duplicates { columns: Vec<usize> },
    /// Rows also in the reference (columns by name, present in both).
    Overlap { columns: Vec<String> },
    /// Rows with equal features and different labels.
    Conflicts { columns: Vec<usize>, label: usize },
    /// A statistic within bounds.
    Statistic {
        column: usize,
        statistic: Statistic,
        q: Option<f64>,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Drift against the reference; the `where` condition compiled for the reference too.
    Drift {
        column: String,
        test: Option<TestName>,
        threshold: Option<f64>,
        reference_condition: Option<Predicate>,
    },
}

/// The values an `allowed` list admits, by the column's type.
#[derive(Debug, Clone)]
pub(crate) enum AllowedSet {
    Text(HashSet<String>),
    /// `f64` bits (with -0.0 as 0.0).
    Number(HashSet<u64>),
    Boolean(HashSet<bool>),
}

/// One check to run, with what the report says of it.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    /// The rule's name.
    pub rule: String,
    /// The check's name (`min`, `allowed`, `expr`, ...).
    pub check: &'static str,
    /// A column, or `dataset`.
    pub subject: String,
    pub severity: Severity,
    pub location: Location,
    /// Rows the check applies to.
    pub condition: Option<Predicate>,
    /// The share of rows that may violate it (row-level checks).
    pub tolerance: f64,
    /// The bound as the report shows it.
    pub threshold: Threshold,
    pub kind: Kind,
    /// Skipped, with the reason, instead of run.
    pub skip: Option<String>,
}

/// A condition compiled at a location in the rule file.
fn predicate(text: &str, schema: &ArrowSchema, at: &Location) -> Result<Predicate, RuleError> {
    Predicate::compile(text, schema).map_err(|e: ExprError| {
        let at = match e.position {
            Some(p) => at.within(p.line, p.column),
            None => at.clone(),
        };
        RuleError::new(at, format!("`{text}`: {}", e.message))
    })
}

/// A column name as an expression identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// All checks of a rule file on a dataset's schema, in rule-file order.
pub(crate) fn plan(
    rules: &Rules,
    data: &Dataset,
    reference: Option<&Dataset>,
) -> Result<Vec<Planned>, RuleError> {
    let schema = data.arrow_schema().as_ref();
    let mut planned = Vec::new();
    for (i, rule) in rules.file.column.iter().enumerate() {
        column_checks(rules, i, rule, data, &mut planned)?;
    }
    for (i, rule) in rules.file.dataset.iter().enumerate() {
        dataset_checks(rules, i, rule, schema, reference, &mut planned)?;
    }
    for (i, rule) in rules.file.statistic.iter().enumerate() {
        planned.push(statistic_check(rules, i, rule, data)?);
    }
    for (i, rule) in rules.file.drift.iter().enumerate() {
        planned.push(drift_check(rules, i, rule, schema, reference)?);
    }
    Ok(planned)
}

/// The checks of the `i`-th `[[dataset]]` rule.
fn dataset_checks(
    rules: &Rules,
    i: usize,
    rule: &DatasetRule,
    schema: &ArrowSchema,
    reference: Option<&Dataset>,
    planned: &mut Vec<Planned>,
) -> Result<(), RuleError> {
    let at = |field| rules.locate(Section::Dataset, i, Some(field));
    let condition = rule
        .condition
        .as_deref()
        .map(|w| predicate(w, schema, &at("where")))
        .transpose()?;
    let name = |default: &str| rule.name.clone().unwrap_or_else(|| default.to_owned());
    let base = |check: &'static str, location: Location| Planned {
        rule: name(check),
        check,
        subject: "dataset".into(),
        severity: rule.severity,
        location,
        condition: condition.clone(),
        tolerance: 0.0,
        threshold: Threshold::None,
        kind: Kind::Present,
        skip: None,
    };
    let key_columns = |field: &str| -> Result<Vec<usize>, RuleError> {
        match &rule.columns {
            Some(names) => names
                .iter()
                .map(|n| column_index(schema, n, &at("columns")))
                .collect(),
            None => Ok((0..schema.fields().len()).collect()),
        }
        .map_err(|e| RuleError::new(e.location, format!("{field}: {}", e.message)))
    };
    if let Some(expr) = &rule.expr {
        planned.push(Planned {
            threshold: Threshold::Text(expr.clone()),
            kind: Kind::Condition(predicate(expr, schema, &at("expr"))?),
            ..base("expr", at("expr"))
        });
    }
    if rule.min_rows.is_some() || rule.max_rows.is_some() {
        planned.push(Planned {
            threshold: Threshold::bounds(
                rule.min_rows.map(|v| v as f64),
                rule.max_rows.map(|v| v as f64),
            ),
            kind: Kind::RowCount {
                min: rule.min_rows,
                max: rule.max_rows,
            },
            ..base(
                "row_count",
                at(if rule.min_rows.is_some() {
                    "min_rows"
                } else {
                    "max_rows"
                }),
            )
        });
    }
    if let Some(share) = rule.max_duplicate_fraction {
        planned.push(Planned {
            tolerance: share,
            threshold: Threshold::Number(share),
            kind: Kind::Duplicates {
                columns: key_columns("max_duplicate_fraction")?,
            },
            ..base("duplicate_rows", at("max_duplicate_fraction"))
        });
    }
    if let Some(share) = rule.max_reference_overlap {
        let location = at("max_reference_overlap");
        let Some(reference) = reference else {
            return Err(RuleError::new(
                location,
                "`max_reference_overlap` needs --reference",
            ));
        };
        let names = overlap_columns(rule.columns.as_deref(), schema, reference, &at("columns"))?;
        planned.push(Planned {
            tolerance: share,
            threshold: Threshold::Number(share),
            kind: Kind::Overlap { columns: names },
            ..base("reference_overlap", location)
        });
    }
    if let (Some(share), Some(label)) = (rule.max_conflicting_labels, &rule.label) {
        let label = column_index(schema, label, &at("label"))?;
        let mut columns = key_columns("max_conflicting_labels")?;
        columns.retain(|&c| c != label);
        planned.push(Planned {
            tolerance: share,
            threshold: Threshold::Number(share),
            kind: Kind::Conflicts { columns, label },
            ..base("conflicting_labels", at("max_conflicting_labels"))
        });
    }
    Ok(())
}

/// The columns an overlap with the reference compares: the rule's (each in both datasets),
/// or every column the two share.
fn overlap_columns(
    named: Option<&[String]>,
    schema: &ArrowSchema,
    reference: &Dataset,
    at: &Location,
) -> Result<Vec<String>, RuleError> {
    let Some(names) = named else {
        return Ok(schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| reference.arrow_schema().index_of(n).is_ok())
            .collect());
    };
    for n in names {
        column_index(schema, n, at)?;
        column_index(reference.arrow_schema(), n, at)
            .map_err(|e| RuleError::new(e.location, format!("the reference: {}", e.message)))?;
    }
    Ok(names.to_vec())
}

/// The check of the `i`-th `[[statistic]]` rule.
fn statistic_check(
    rules: &Rules,
    i: usize,
    rule: &StatisticRule,
    data: &Dataset,
) -> Result<Planned, RuleError> {
    let schema = data.arrow_schema().as_ref();
    let at = |field| rules.locate(Section::Statistic, i, Some(field));
    let column = column_index(schema, &rule.column, &at("column"))?;
    // Nulls can be counted in a column of any type; every other statistic needs values.
    if rule.statistic != Statistic::NullFraction {
        let kind = kind_of(data, &rule.column).map_err(|reason| {
            RuleError::new(
                at("column"),
                format!(
                    "the {} of `{}` cannot be computed: {reason}",
                    rule.statistic.as_str(),
                    rule.column
                ),
            )
        })?;
        if rule.statistic != Statistic::DistinctCount && kind != ColumnKind::Numeric {
            return Err(RuleError::new(
                at("statistic"),
                format!(
                    "the {} of `{}` needs a numeric column; it is {}",
                    rule.statistic.as_str(),
                    rule.column,
                    kind
                ),
            ));
        }
    }
    let check = rule.statistic.as_str();
    Ok(Planned {
        rule: rule
            .name
            .clone()
            .unwrap_or_else(|| format!("{}.{check}", rule.column)),
        check,
        subject: rule.column.clone(),
        severity: rule.severity,
        location: at("statistic"),
        condition: rule
            .condition
            .as_deref()
            .map(|w| predicate(w, schema, &at("where")))
            .transpose()?,
        tolerance: 0.0,
        threshold: Threshold::bounds(rule.min, rule.max),
        kind: Kind::Statistic {
            column,
            statistic: rule.statistic,
            q: rule.q,
            min: rule.min,
            max: rule.max,
        },
        skip: None,
    })
}

/// The check of the `i`-th `[[drift]]` rule, against the reference.
fn drift_check(
    rules: &Rules,
    i: usize,
    rule: &DriftRule,
    schema: &ArrowSchema,
    reference: Option<&Dataset>,
) -> Result<Planned, RuleError> {
    let at = |field| rules.locate(Section::Drift, i, Some(field));
    let Some(reference) = reference else {
        return Err(RuleError::new(at("column"), "drift rules need --reference"));
    };
    column_index(schema, &rule.column, &at("column"))?;
    column_index(reference.arrow_schema(), &rule.column, &at("column"))
        .map_err(|e| RuleError::new(e.location, format!("the reference: {}", e.message)))?;
    let compile = |schema: &ArrowSchema, side: &str| {
        rule.condition
            .as_deref()
            .map(|w| {
                predicate(w, schema, &at("where")).map_err(|e| {
                    RuleError::new(e.location, format!("in the {side}: {}", e.message))
                })
            })
            .transpose()
    };
    let condition = compile(schema, "data")?;
    let reference_condition = compile(reference.arrow_schema(), "reference")?;
    Ok(Planned {
        rule: rule
            .name
            .clone()
            .unwrap_or_else(|| format!("{}.drift", rule.column)),
        check: "drift",
        subject: rule.column.clone(),
        severity: rule.severity,
        location: at("column"),
        condition,
        tolerance: 0.0,
        threshold: rule.threshold.map_or(Threshold::None, Threshold::Number),
        kind: Kind::Drift {
            column: rule.column.clone(),
            test: rule.test,
            threshold: rule.threshold,
            reference_condition,
        },
        skip: None,
    })
}

/// The kind of the data's column `name` (which exists), or why seismo does not analyse it.
fn kind_of(data: &Dataset, name: &str) -> Result<ColumnKind, String> {
    let schema = data.schema();
    match (schema.column(name), schema.unsupported(name)) {
        (Some(column), _) => Ok(column.kind),
        (None, Some(unsupported)) => Err(unsupported.reason.clone()),
        (None, None) => Err("seismo has no kind for it".into()),
    }
}

fn column_index(schema: &ArrowSchema, name: &str, at: &Location) -> Result<usize, RuleError> {
    schema.index_of(name).map_err(|_| {
        let message = seismo_expr::unknown_column(name, schema);
        RuleError::new(at.clone(), format!("the data has {message}"))
    })
}

/// One `[[column]]` rule being planned: where it is written, and the rows it applies to.
struct ColumnPlan<'a> {
    rules: &'a Rules,
    index: usize,
    rule: &'a ColumnRule,
    schema: &'a ArrowSchema,
    condition: Option<Predicate>,
}

impl ColumnPlan<'_> {
    fn at(&self, field: &str) -> Location {
        self.rules.locate(Section::Column, self.index, Some(field))
    }

    /// A check of this rule, located at `field`, before its kind and bound are set.
    fn base(&self, check: &'static str, field: &str) -> Planned {
        let name = &self.rule.name;
        Planned {
            rule: self
                .rule
                .rule
                .clone()
                .unwrap_or_else(|| format!("{name}.{check}")),
            check,
            subject: name.clone(),
            severity: self.rule.severity,
            location: self.at(field),
            condition: self.condition.clone(),
            tolerance: 0.0,
            threshold: Threshold::None,
            kind: Kind::Present,
            skip: None,
        }
    }

    /// An error at `field` unless the column's kind is one of `kinds` (named `what`).
    fn needs(
        &self,
        field: &str,
        kind: ColumnKind,
        kinds: &[ColumnKind],
        what: &str,
    ) -> Result<(), RuleError> {
        if kinds.contains(&kind) {
            return Ok(());
        }
        Err(RuleError::new(
            self.at(field),
            format!(
                "`{field}` needs {what} column; `{}` is {kind}",
                self.rule.name
            ),
        ))
    }

    /// `no_nan`, `no_infinity` and the bounds: checks of numbers.
    fn numeric_checks(
        &self,
        column: usize,
        kind: ColumnKind,
        planned: &mut Vec<Planned>,
    ) -> Result<(), RuleError> {
        let rule = self.rule;
        let numeric = |field: &str| self.needs(field, kind, &[ColumnKind::Numeric], "a numeric");
        if rule.no_nan {
            numeric("no_nan")?;
            planned.push(Planned {
                threshold: Threshold::Count(0),
                kind: Kind::Nan { column },
                ..self.base("no_nan", "no_nan")
            });
        }
        if rule.no_infinity {
            numeric("no_infinity")?;
            planned.push(Planned {
                threshold: Threshold::Count(0),
                kind: Kind::Infinity { column },
                ..self.base("no_infinity", "no_infinity")
            });
        }
        for (check, bound, op) in [
            ("min", rule.min, ">="),
            ("max", rule.max, "<="),
            ("exclusive_min", rule.exclusive_min, ">"),
            ("exclusive_max", rule.exclusive_max, "<"),
        ] {
            if let Some(bound) = bound {
                numeric(check)?;
                let text = format!("{} {op} {bound:?}", quoted(&rule.name));
                planned.push(Planned {
                    threshold: Threshold::Number(bound),
                    kind: Kind::Condition(predicate(&text, self.schema, &self.at(check))?),
                    ..self.base(check, check)
                });
            }
        }
        Ok(())
    }

    /// `allowed`, then `regex` and the length bounds (checks of text): which values may
    /// appear.
    fn domain_checks(
        &self,
        column: usize,
        kind: ColumnKind,
        planned: &mut Vec<Planned>,
    ) -> Result<(), RuleError> {
        let rule = self.rule;
        if let Some(values) = &rule.allowed {
            let set = allowed_set(values, kind, &rule.name, &self.at("allowed"))?;
            let shown: Vec<String> = values.iter().map(Literal::to_string).collect();
            planned.push(Planned {
                tolerance: rule.max_unseen_fraction.unwrap_or(0.0),
                threshold: Threshold::Values(shown),
                kind: Kind::Allowed { column, set },
                ..self.base("allowed", "allowed")
            });
        }
        let text = |field: &str| {
            let kinds = [ColumnKind::Categorical, ColumnKind::Text];
            self.needs(field, kind, &kinds, "a text")
        };
        if let Some(pattern) = &rule.regex {
            text("regex")?;
            let regex = Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                RuleError::new(
                    self.at("regex"),
                    format!(
                        "the regex `{pattern}` is invalid: {}",
                        e.to_string()
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                )
            })?;
            planned.push(Planned {
                threshold: Threshold::Text(pattern.clone()),
                kind: Kind::Regex { column, regex },
                ..self.base("regex", "regex")
            });
        }
        if rule.min_length.is_some() || rule.max_length.is_some() {
            let field = if rule.min_length.is_some() {
                "min_length"
            } else {
                "max_length"
            };
            text(field)?;
            planned.push(Planned {
                threshold: Threshold::bounds(
                    rule.min_length.map(|v| v as f64),
                    rule.max_length.map(|v| v as f64),
                ),
                kind: Kind::Length {
                    column,
                    min: rule.min_length,
                    max: rule.max_length,
                },
                ..self.base("length", field)
            });
        }
        Ok(())
    }

    /// `unique` and `monotonic`: checks of the values together.
    fn set_checks(
        &self,
        column: usize,
        kind: ColumnKind,
        planned: &mut Vec<Planned>,
    ) -> Result<(), RuleError> {
        let rule = self.rule;
        if rule.unique {
            planned.push(Planned {
                threshold: Threshold::Flag(true),
                kind: Kind::Unique { column },
                ..self.base("unique", "unique")
            });
        }
        if let Some(order) = rule.monotonic {
            let kinds = [ColumnKind::Numeric, ColumnKind::Datetime];
            self.needs("monotonic", kind, &kinds, "a numeric or datetime")?;
            planned.push(Planned {
                threshold: Threshold::Text(format!("{order:?}").to_lowercase()),
                kind: Kind::Monotonic { column, order },
                ..self.base("monotonic", "monotonic")
            });
        }
        Ok(())
    }
}

/// The checks of the `i`-th `[[column]]` rule: presence and type, nulls, then the checks of
/// values its column's kind allows.
fn column_checks(
    rules: &Rules,
    i: usize,
    rule: &ColumnRule,
    data: &Dataset,
    planned: &mut Vec<Planned>,
) -> Result<(), RuleError> {
    let schema = data.arrow_schema().as_ref();
    let name = &rule.name;
    let mut plan = ColumnPlan {
        rules,
        index: i,
        rule,
        schema,
        condition: None,
    };
    let Ok(column) = schema.index_of(name) else {
        match rule.required {
            Some(true) => planned.push(Planned {
                threshold: Threshold::Flag(true),
                kind: Kind::Missing,
                ..plan.base("required", "required")
            }),
            Some(false) => planned.push(Planned {
                skip: Some(format!("the optional column `{name}` is not in the data")),
                ..plan.base("required", "required")
            }),
            None => return Err(column_index(schema, name, &plan.at("name")).unwrap_err()),
        }
        return Ok(());
    };
    plan.condition = rule
        .condition
        .as_deref()
        .map(|w| predicate(w, schema, &plan.at("where")))
        .transpose()?;
    if rule.required == Some(true) {
        planned.push(Planned {
            threshold: Threshold::Flag(true),
            ..plan.base("required", "required")
        });
    }
    let kind = kind_of(data, name);
    if let Err(reason) = &kind
        && let Some(field) = rule.value_checks().first()
    {
        // A column seismo does not analyse (nested, binary, all-null of type null) can still
        // be required and have its nulls counted; any other check is a mistake.
        return Err(RuleError::new(
            plan.at(field),
            format!("`{field}` cannot apply to `{name}`: {reason}"),
        ));
    }
    if let (Some(expected), Ok(actual)) = (rule.kind, &kind) {
        planned.push(Planned {
            threshold: Threshold::Text(expected.to_string()),
            kind: Kind::Type {
                column,
                expected,
                actual: *actual,
            },
            ..plan.base("type", "type")
        });
    }
    if let Some(share) = rule.max_null_fraction {
        planned.push(Planned {
            tolerance: share,
            threshold: Threshold::Number(share),
            kind: Kind::Nulls { column },
            ..plan.base("max_null_fraction", "max_null_fraction")
        });
    }
    let Ok(kind) = kind else {
        return Ok(());
    };
    plan.numeric_checks(column, kind, planned)?;
    plan.domain_checks(column, kind, planned)?;
    plan.set_checks(column, kind, planned)
}

fn allowed_set(
    values: &[Literal],
    kind: ColumnKind,
    name: &str,
    at: &Location,
) -> Result<AllowedSet, RuleError> {
    let wrong = |v: &Literal| {
        RuleError::new(
            at.clone(),
            format!("`{v}` cannot be a value of `{name}`, which is {kind}"),
        )
    };
    Ok(match kind {
        ColumnKind::Numeric => AllowedSet::Number(
            values
                .iter()
                .map(|v| match v {
                    Literal::Integer(i) => Ok(*i as f64),
                    Literal::Number(n) => Ok(*n),
                    Literal::Text(s) => s.trim().parse::<f64>().map_err(|_| wrong(v)),
                    Literal::Boolean(_) => Err(wrong(v)),
                })
                .map(|r| r.map(|f| seismo_stats::sort::canonical(f).to_bits()))
                .collect::<Result<_, _>>()?,
        ),
        ColumnKind::Boolean => AllowedSet::Boolean(
            values
                .iter()
                .map(|v| match v {
                    Literal::Boolean(b) => Ok(*b),
                    Literal::Text(s) if s.eq_ignore_ascii_case("true") => Ok(true),
                    Literal::Text(s) if s.eq_ignore_ascii_case("false") => Ok(false),
                    _ => Err(wrong(v)),
                })
                .collect::<Result<_, _>>()?,
        ),
        ColumnKind::Datetime => {
            return Err(RuleError::new(
                at.clone(),
                format!("`allowed` does not apply to the datetime column `{name}`"),
            ));
        }
        ColumnKind::Categorical | ColumnKind::Text => {
            AllowedSet::Text(values.iter().map(Literal::to_string).collect())
        }
    })
}
