//! A rule file written as TOML: every set field of every rule, in the order docs/validate.md
//! lists them, with optional comments beside fields, before a rule or after it. What
//! `seismo infer` writes; reading it back gives the same rules (tested).

use std::fmt::Write;

use seismo_core::Severity;

use crate::file::{ColumnRule, DatasetRule, DriftRule, Literal, RuleFile, Section, StatisticRule};

/// Where a comment goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// On its own lines before the rule's `[[section]]` line.
    Before,
    /// At the end of the line of this field.
    Field(&'static str),
    /// On its own line after the rule's fields.
    After,
}

/// A comment on one rule of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The rule's section.
    pub section: Section,
    /// The rule's position in its section.
    pub index: usize,
    /// Where the comment goes.
    pub place: Place,
    /// The comment, without `#`.
    pub text: String,
}

/// A number as TOML: integers without a fraction, others in Rust's shortest round-trip form.
pub(crate) fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:?}")
    }
}

/// A share as TOML: always with a fraction (`0.0`, `0.01`).
fn share(v: f64) -> String {
    format!("{v:?}")
}

/// A string as TOML.
pub(crate) fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn literal(value: &Literal) -> String {
    match value {
        Literal::Boolean(b) => b.to_string(),
        Literal::Integer(i) => i.to_string(),
        Literal::Number(x) => number(*x),
        Literal::Text(s) => quote(s),
    }
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

/// The fields of one rule, in order, as (key, TOML value).
type Fields = Vec<(&'static str, String)>;

/// Adds `key = value` when the field is set.
fn set(fields: &mut Fields, key: &'static str, value: Option<String>) {
    if let Some(value) = value {
        fields.push((key, value));
    }
}

fn common(fields: &mut Fields, severity: Severity, condition: &Option<String>) {
    let severity = (severity != Severity::default()).then(|| format!("{severity:?}"));
    set(
        fields,
        "severity",
        severity.map(|s| quote(&s.to_lowercase())),
    );
    set(fields, "where", condition.as_deref().map(quote));
}

fn column_fields(r: &ColumnRule) -> Fields {
    let mut f: Fields = vec![("name", quote(&r.name))];
    set(&mut f, "rule", r.rule.as_deref().map(quote));
    common(&mut f, r.severity, &r.condition);
    set(&mut f, "type", r.kind.map(|k| quote(k.as_str())));
    set(&mut f, "required", r.required.map(|b| b.to_string()));
    set(&mut f, "max_null_fraction", r.max_null_fraction.map(share));
    set(&mut f, "no_nan", r.no_nan.then(|| "true".into()));
    set(&mut f, "no_infinity", r.no_infinity.then(|| "true".into()));
    set(&mut f, "min", r.min.map(number));
    set(&mut f, "max", r.max.map(number));
    set(&mut f, "exclusive_min", r.exclusive_min.map(number));
    set(&mut f, "exclusive_max", r.exclusive_max.map(number));
    set(
        &mut f,
        "allowed",
        r.allowed.as_ref().map(|v| list(v.iter().map(literal))),
    );
    set(
        &mut f,
        "max_unseen_fraction",
        r.max_unseen_fraction.map(share),
    );
    set(&mut f, "regex", r.regex.as_deref().map(quote));
    set(&mut f, "min_length", r.min_length.map(|n| n.to_string()));
    set(&mut f, "max_length", r.max_length.map(|n| n.to_string()));
    set(&mut f, "unique", r.unique.then(|| "true".into()));
    set(
        &mut f,
        "monotonic",
        r.monotonic.map(|m| quote(&snake(&format!("{m:?}")))),
    );
    f
}

fn dataset_fields(r: &DatasetRule) -> Fields {
    let mut f: Fields = Vec::new();
    set(&mut f, "name", r.name.as_deref().map(quote));
    common(&mut f, r.severity, &r.condition);
    set(&mut f, "expr", r.expr.as_deref().map(quote));
    set(&mut f, "min_rows", r.min_rows.map(|n| n.to_string()));
    set(&mut f, "max_rows", r.max_rows.map(|n| n.to_string()));
    set(
        &mut f,
        "max_duplicate_fraction",
        r.max_duplicate_fraction.map(share),
    );
    set(
        &mut f,
        "max_reference_overlap",
        r.max_reference_overlap.map(share),
    );
    set(&mut f, "label", r.label.as_deref().map(quote));
    set(
        &mut f,
        "max_conflicting_labels",
        r.max_conflicting_labels.map(share),
    );
    set(
        &mut f,
        "columns",
        r.columns.as_ref().map(|c| list(c.iter().map(|s| quote(s)))),
    );
    f
}

fn statistic_fields(r: &StatisticRule) -> Fields {
    let mut f: Fields = vec![
        ("column", quote(&r.column)),
        ("statistic", quote(r.statistic.as_str())),
    ];
    set(&mut f, "q", r.q.map(share));
    set(&mut f, "min", r.min.map(number));
    set(&mut f, "max", r.max.map(number));
    set(&mut f, "name", r.name.as_deref().map(quote));
    common(&mut f, r.severity, &r.condition);
    f
}

fn drift_fields(r: &DriftRule) -> Fields {
    let mut f: Fields = vec![("column", quote(&r.column))];
    set(&mut f, "test", r.test.map(|t| quote(t.as_str())));
    set(&mut f, "threshold", r.threshold.map(number));
    set(&mut f, "name", r.name.as_deref().map(quote));
    common(&mut f, r.severity, &r.condition);
    f
}

/// `StrictlyIncreasing` as `strictly_increasing`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

impl RuleFile {
    /// The file as TOML, `header` (comment lines) first, each rule followed by a blank
    /// line, with `notes` placed as they say.
    pub fn to_toml(&self, header: &[String], notes: &[Note]) -> String {
        let mut out = String::new();
        for line in header {
            let _ = writeln!(out, "# {line}");
        }
        if !header.is_empty() {
            out.push('\n');
        }
        let sections: [(Section, Vec<Fields>); 4] = [
            (
                Section::Column,
                self.column.iter().map(column_fields).collect(),
            ),
            (
                Section::Dataset,
                self.dataset.iter().map(dataset_fields).collect(),
            ),
            (
                Section::Statistic,
                self.statistic.iter().map(statistic_fields).collect(),
            ),
            (
                Section::Drift,
                self.drift.iter().map(drift_fields).collect(),
            ),
        ];
        let mut rules = Vec::new();
        for (section, all) in &sections {
            for (index, fields) in all.iter().enumerate() {
                rules.push(rule(*section, index, fields, notes));
            }
        }
        out.push_str(&rules.join("\n"));
        out
    }
}

/// One rule's lines, its notes in place.
fn rule(section: Section, index: usize, fields: &Fields, notes: &[Note]) -> String {
    let mine = |place: Place| {
        notes
            .iter()
            .filter(move |n| n.section == section && n.index == index && n.place == place)
    };
    let mut out = String::new();
    for note in mine(Place::Before) {
        let _ = writeln!(out, "# {}", note.text);
    }
    let _ = writeln!(out, "[[{}]]", section.key());
    for (key, value) in fields {
        let _ = write!(out, "{key} = {value}");
        for note in mine(Place::Field(key)) {
            let _ = write!(out, "   # {}", note.text);
        }
        out.push('\n');
    }
    for note in mine(Place::After) {
        let _ = writeln!(out, "# {}", note.text);
    }
    out
}
