//! A first rule file from a reference dataset: readable TOML with the observation behind
//! each rule in a comment, meant to be edited.
//!
//! What is inferred, per column:
//! - `type`, `required = true`, and `max_null_fraction` (0 when none were seen, else the
//!   observed share ×1.5 plus 0.01);
//! - numeric: `no_nan`/`no_infinity` when none were seen; integer columns of at most 10
//!   values get `allowed`; other columns `min`/`max` widened by 10% of the observed range
//!   (kept at 0 for non-negative columns and within [0, 1] for shares);
//!   all-distinct integer columns (ids) get `unique` instead of a range;
//! - categorical and boolean: `allowed` when there are at most 20 values, with
//!   `max_unseen_fraction = 0.01`; all-distinct text gets `unique`;
//! - prediction columns (`--prediction`, or a column named `score`, `prediction`, `pred`,
//!   `y_pred`, `probability` or `proba`): `[[statistic]]` bounds on the mean and the standard
//!   deviation at half to twice the reference's, so a shift by orders of magnitude fails;
//! - a `[[dataset]]` minimum row count of a tenth of the reference's rows.
//!
//! [`infer_rules`] returns the rules as rule-file types with the observations as notes;
//! `write.rs` writes any rule file as TOML (shares always with a fraction, `0.0`; bounds
//! as integers when they are whole), and the text reads back to the same rules (tested).

use std::collections::HashMap;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use seismo_core::{ColumnKind, Dataset};
use seismo_stats::profile::format_number;
use seismo_stats::sketch::Moments;

use crate::file::{ColumnRule, DatasetRule, Literal, RuleFile, Section, Statistic, StatisticRule};
use crate::hash::{is_missing, normalize};
use crate::write::{Note, Place};

/// What `infer` is told about the columns.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct InferOptions {
    /// Prediction columns: they get statistic bounds (default: found by name).
    pub prediction: Vec<String>,
    /// Columns to leave out.
    pub ignore: Vec<String>,
    /// Where the reference came from, for the header comment.
    pub source: String,
}

const PREDICTION_NAMES: [&str; 6] = [
    "score",
    "prediction",
    "pred",
    "y_pred",
    "probability",
    "proba",
];
/// Distinct values kept per column while looking (more means "many").
const DOMAIN: usize = 20;

/// What one column looked like.
struct Observed {
    rows: u64,
    missing: u64,
    nan: u64,
    infinite: u64,
    /// Finite values.
    moments: Moments,
    integral: bool,
    /// Up to `DOMAIN + 1` distinct values (by hash) with their text and counts.
    domain: HashMap<u128, (String, u64)>,
    /// Distinct non-missing values, up to the row count (for uniqueness).
    distinct: std::collections::HashSet<u128>,
}

fn observe(reference: &Dataset, column: usize) -> Observed {
    let mut seen = Observed {
        rows: 0,
        missing: 0,
        nan: 0,
        infinite: 0,
        moments: Moments::default(),
        integral: true,
        domain: HashMap::new(),
        distinct: std::collections::HashSet::new(),
    };
    for batch in reference.batches() {
        let Ok(normalized) = normalize(batch.column(column)) else {
            seen.rows += batch.num_rows() as u64;
            seen.missing += batch.num_rows() as u64;
            continue;
        };
        let hashes = crate::hash::row_hashes(std::slice::from_ref(&normalized), batch.num_rows());
        let floats = normalized.as_primitive_opt::<Float64Type>();
        let times = normalized.as_primitive_opt::<Int64Type>();
        let formatter =
            ArrayFormatter::try_new(normalized.as_ref(), &FormatOptions::default()).ok();
        let mut finite = Vec::new();
        for (i, hash) in hashes.iter().enumerate() {
            seen.rows += 1;
            if let Some(f) = floats.filter(|f| f.is_valid(i)) {
                let v = f.value(i);
                if v.is_nan() {
                    seen.nan += 1;
                } else if v.is_infinite() {
                    seen.infinite += 1;
                } else {
                    finite.push(v);
                    seen.integral &= v.fract() == 0.0;
                }
            }
            if let Some(t) = times.filter(|t| t.is_valid(i)) {
                finite.push(t.value(i) as f64);
            }
            if is_missing(&normalized, i) {
                seen.missing += 1;
                continue;
            }
            seen.distinct.insert(*hash);
            if let Some(entry) = seen.domain.get_mut(hash) {
                entry.1 += 1;
            } else if seen.domain.len() <= DOMAIN {
                let text = formatter
                    .as_ref()
                    .map(|f| f.value(i).to_string())
                    .unwrap_or_default();
                seen.domain.insert(*hash, (text, 1));
            }
        }
        seen.moments.merge(&Moments::from_slice(&finite));
    }
    seen
}

/// The rules that hold for a column seismo does not analyse (nested, binary, or of Arrow's
/// null type): it is there, and its share of nulls.
fn unsupported_column(rules: &mut Inferred, reference: &Dataset, column: usize, name: &str) {
    let rows = reference.num_rows();
    let nulls: usize = reference
        .batches()
        .iter()
        .map(|b| b.column(column).logical_null_count())
        .sum();
    let reason = reference
        .schema()
        .unsupported(name)
        .map_or("seismo has no kind for it", |u| u.reason.as_str());
    let share = if rows == 0 {
        0.0
    } else {
        nulls as f64 / rows as f64
    };
    let index = rules.file.column.len();
    rules.file.column.push(ColumnRule {
        name: name.to_owned(),
        required: Some(true),
        max_null_fraction: Some(null_bound(share)),
        ..ColumnRule::default()
    });
    rules.note(Section::Column, index, Place::Field("name"), reason);
    rules.note(
        Section::Column,
        index,
        Place::Field("max_null_fraction"),
        format!("{nulls} of {rows} values null"),
    );
}

/// The `max_null_fraction` written for an observed share of nulls: none stays none, else
/// half as much again plus a point, at most 1.
fn null_bound(share: f64) -> f64 {
    if share == 0.0 {
        0.0
    } else {
        round((share * 1.5).max(share + 0.01).min(1.0), true).min(1.0)
    }
}

/// `v` rounded down (`up = false`) or up to 3 significant digits.
fn round(v: f64, up: bool) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(2 - v.abs().log10().floor() as i32);
    let scaled = v * scale;
    let rounded = if up { scaled.ceil() } else { scaled.floor() };
    rounded / scale
}

/// Inferred rules, with the observation behind each as a comment.
#[derive(Debug, Clone, Default)]
pub struct Inferred {
    /// The rules.
    pub file: RuleFile,
    /// The comment at the top of the file.
    pub header: Vec<String>,
    /// The observations, beside the rules they led to.
    pub notes: Vec<Note>,
}

impl Inferred {
    fn note(&mut self, section: Section, index: usize, place: Place, text: impl Into<String>) {
        self.notes.push(Note {
            section,
            index,
            place,
            text: text.into(),
        });
    }

    /// The rule file as TOML, comments in place.
    pub fn to_toml(&self) -> String {
        self.file.to_toml(&self.header, &self.notes)
    }
}

/// A rule file (TOML, with comments) describing `reference`: [`infer_rules`] written out.
pub fn infer(reference: &Dataset, options: &InferOptions) -> String {
    infer_rules(reference, options).to_toml()
}

/// The rules that describe `reference`, with what was observed (see the module docs).
pub fn infer_rules(reference: &Dataset, options: &InferOptions) -> Inferred {
    let rows = reference.num_rows();
    let mut rules = Inferred {
        header: vec![
            format!(
                "Rules inferred by `seismo infer` from {} ({rows} rows).",
                if options.source.is_empty() {
                    "a reference"
                } else {
                    &options.source
                }
            ),
            "A starting point: every bound has slack and every rule says what was observed.".into(),
            "Edit freely; docs/validate.md lists every rule.".into(),
        ],
        ..Inferred::default()
    };
    let mut predictions = Vec::new();
    for (column, field) in reference.arrow_schema().fields().iter().enumerate() {
        let name = field.name();
        if options.ignore.contains(name) {
            continue;
        }
        let Some(kind) = reference.schema().column(name).map(|c| c.kind) else {
            unsupported_column(&mut rules, reference, column, name);
            continue;
        };
        let seen = observe(reference, column);
        let index = rules.file.column.len();
        let rule = column_rule(name, kind, &seen, &mut |place, text| {
            rules.notes.push(Note {
                section: Section::Column,
                index,
                place,
                text,
            })
        });
        rules.file.column.push(rule);
        let named = PREDICTION_NAMES.contains(&name.to_lowercase().as_str());
        let prediction =
            options.prediction.contains(name) || (options.prediction.is_empty() && named);
        if kind == ColumnKind::Numeric && prediction {
            predictions.push((name.clone(), seen.moments));
        }
    }
    for (name, moments) in predictions {
        prediction_rules(&mut rules, &name, &moments);
    }
    rules.file.dataset.push(DatasetRule {
        name: Some("row_count".into()),
        min_rows: Some(rows as u64 / 10),
        ..DatasetRule::default()
    });
    let last = rules.file.dataset.len() - 1;
    rules.note(
        Section::Dataset,
        last,
        Place::Field("min_rows"),
        format!("a tenth of the reference's {rows} rows"),
    );
    rules
}

/// The `[[column]]` rule for what one column looked like; `note` takes the observations.
fn column_rule(
    name: &str,
    kind: ColumnKind,
    seen: &Observed,
    note: &mut dyn FnMut(Place, String),
) -> ColumnRule {
    let mut rule = ColumnRule {
        name: name.to_owned(),
        kind: Some(kind),
        required: Some(true),
        ..ColumnRule::default()
    };
    let present = seen.rows - seen.missing;
    let null_share = if seen.rows == 0 {
        0.0
    } else {
        seen.missing as f64 / seen.rows as f64
    };
    rule.max_null_fraction = Some(null_bound(null_share));
    note(
        Place::Field("max_null_fraction"),
        if null_share == 0.0 {
            format!("no nulls in {} rows", seen.rows)
        } else {
            format!("observed {null_share:.4}")
        },
    );
    let unique = present >= 20 && seen.distinct.len() as u64 == present;
    match kind {
        ColumnKind::Numeric => {
            rule.no_nan = seen.nan == 0;
            rule.no_infinity = seen.infinite == 0;
            if unique && seen.integral {
                rule.unique = true;
                note(Place::Field("unique"), "every value distinct: an id".into());
            } else if seen.integral && seen.domain.len() <= 10 && !seen.domain.is_empty() {
                let mut values: Vec<f64> = seen
                    .domain
                    .values()
                    .filter_map(|(k, _)| k.parse().ok())
                    .collect();
                values.sort_by(f64::total_cmp);
                // Integral by the branch: written and read back as integers.
                rule.allowed = Some(
                    values
                        .into_iter()
                        .map(|v| Literal::Integer(v as i64))
                        .collect(),
                );
            } else if let Some((min, max)) = seen.moments.range() {
                let slack = (max - min) * 0.1;
                let mut low = min - slack;
                let mut high = max + slack;
                if min >= 0.0 {
                    low = low.max(0.0);
                }
                if min >= 0.0 && max <= 1.0 {
                    high = high.min(1.0);
                }
                let (low, high) = if seen.integral {
                    (low.floor(), high.ceil())
                } else {
                    (round(low, false), round(high, true))
                };
                rule.min = Some(low);
                rule.max = Some(high);
                note(
                    Place::Field("max"),
                    format!(
                        "observed {} to {}; 10% of the range as slack",
                        format_number(min),
                        format_number(max)
                    ),
                );
            }
        }
        ColumnKind::Categorical | ColumnKind::Boolean | ColumnKind::Text => {
            if unique && kind != ColumnKind::Boolean {
                rule.unique = true;
                note(Place::Field("unique"), "every value distinct".into());
            } else if seen.domain.len() <= DOMAIN && !seen.domain.is_empty() {
                let mut values: Vec<(&String, &u64)> =
                    seen.domain.values().map(|(v, c)| (v, c)).collect();
                values.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
                let literal = |v: &String| match (kind, v.as_str()) {
                    (ColumnKind::Boolean, "true") => Literal::Boolean(true),
                    (ColumnKind::Boolean, "false") => Literal::Boolean(false),
                    _ => Literal::Text(v.clone()),
                };
                rule.allowed = Some(values.iter().map(|(v, _)| literal(v)).collect());
                if kind != ColumnKind::Boolean {
                    rule.max_unseen_fraction = Some(0.01);
                }
            }
        }
        ColumnKind::Datetime => {
            if let Some((min, max)) = seen.moments.range() {
                note(
                    Place::After,
                    format!(
                        "observed {} to {}",
                        seismo_stats::profile::format_instant(min / 1e6),
                        seismo_stats::profile::format_instant(max / 1e6)
                    ),
                );
            }
        }
    }
    rule
}

/// Bounds on a prediction's mean and spread: half to twice the reference's, so a shift by
/// orders of magnitude fails.
fn prediction_rules(rules: &mut Inferred, name: &str, moments: &Moments) {
    let (Some(mean), Some(std)) = (moments.mean(), moments.std()) else {
        return;
    };
    let (low, high) = if mean >= 0.0 {
        (mean / 2.0, mean * 2.0)
    } else {
        (mean * 2.0, mean / 2.0)
    };
    let index = rules.file.statistic.len();
    rules.file.statistic.push(StatisticRule {
        column: name.to_owned(),
        statistic: Statistic::Mean,
        q: None,
        min: Some(round(low, false)),
        max: Some(round(high, true)),
        name: None,
        severity: Default::default(),
        condition: None,
    });
    rules.note(
        Section::Statistic,
        index,
        Place::Before,
        "The prediction: its mean and spread may move, but not by orders of magnitude.",
    );
    rules.note(
        Section::Statistic,
        index,
        Place::Field("max"),
        format!("observed {}", format_number(mean)),
    );
    if std > 0.0 {
        rules.file.statistic.push(StatisticRule {
            column: name.to_owned(),
            statistic: Statistic::Std,
            q: None,
            min: Some(round(std / 2.0, false)),
            max: Some(round(std * 2.0, true)),
            name: None,
            severity: Default::default(),
            condition: None,
        });
        rules.note(
            Section::Statistic,
            index + 1,
            Place::Field("max"),
            format!("observed {}", format_number(std)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_goes_outward_to_three_digits() {
        assert_eq!(round(245.67, false), 245.0);
        assert_eq!(round(245.61, true), 246.0);
        assert_eq!(round(0.012345, false), 0.0123);
        assert_eq!(round(-0.012345, false), -0.0124);
        assert_eq!(crate::write::number(3.0), "3");
        assert_eq!(crate::write::number(0.25), "0.25");
        assert_eq!(crate::write::number(1e300), "1e300");
    }
}
