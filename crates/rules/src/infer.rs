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

use std::collections::HashMap;
use std::fmt::Write;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use seismo_core::{ColumnKind, Dataset};
use seismo_stats::profile::format_number;
use seismo_stats::sketch::Moments;

use crate::hash::{is_missing, normalize};

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
fn unsupported_column(out: &mut String, reference: &Dataset, column: usize, name: &str) {
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
    let _ = writeln!(
        out,
        "[[column]]\nname = {}   # {reason}\nrequired = true",
        quote(name)
    );
    let share = if rows == 0 {
        0.0
    } else {
        nulls as f64 / rows as f64
    };
    let _ = writeln!(
        out,
        "max_null_fraction = {}   # {nulls} of {rows} values null\n",
        null_bound(share)
    );
}

/// The `max_null_fraction` written for an observed share of nulls: none stays none, else
/// half as much again plus a point, at most 1.
fn null_bound(share: f64) -> String {
    if share == 0.0 {
        "0.0".into()
    } else {
        number(round((share * 1.5).max(share + 0.01).min(1.0), true).min(1.0))
    }
}

/// A number as TOML: integers without a fraction, others in Rust's shortest round-trip form.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:?}")
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

fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A rule file (TOML, with comments) describing `reference`.
pub fn infer(reference: &Dataset, options: &InferOptions) -> String {
    let rows = reference.num_rows();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Rules inferred by `seismo infer` from {} ({rows} rows).\n\
         # A starting point: every bound has slack and every rule says what was observed.\n\
         # Edit freely; docs/validate.md lists every rule.\n",
        if options.source.is_empty() {
            "a reference"
        } else {
            &options.source
        }
    );
    let mut predictions = Vec::new();
    for (column, field) in reference.arrow_schema().fields().iter().enumerate() {
        let name = field.name();
        if options.ignore.contains(name) {
            continue;
        }
        let Some(kind) = reference.schema().column(name).map(|c| c.kind) else {
            unsupported_column(&mut out, reference, column, name);
            continue;
        };
        let seen = observe(reference, column);
        let present = seen.rows - seen.missing;
        let _ = writeln!(out, "[[column]]\nname = {}", quote(name));
        let _ = writeln!(out, "type = {}", quote(&kind.to_string()));
        out.push_str("required = true\n");
        let null_share = if seen.rows == 0 {
            0.0
        } else {
            seen.missing as f64 / seen.rows as f64
        };
        if null_share == 0.0 {
            let _ = writeln!(
                out,
                "max_null_fraction = 0.0   # no nulls in {} rows",
                seen.rows
            );
        } else {
            let _ = writeln!(
                out,
                "max_null_fraction = {}   # observed {:.4}",
                null_bound(null_share),
                null_share
            );
        }
        let unique = present >= 20 && seen.distinct.len() as u64 == present;
        match kind {
            ColumnKind::Numeric => {
                if seen.nan == 0 {
                    out.push_str("no_nan = true\n");
                }
                if seen.infinite == 0 {
                    out.push_str("no_infinity = true\n");
                }
                let range = seen.moments.range();
                if unique && seen.integral {
                    out.push_str("unique = true   # every value distinct: an id\n");
                } else if seen.integral && seen.domain.len() <= 10 && !seen.domain.is_empty() {
                    let mut values: Vec<f64> = seen
                        .domain
                        .values()
                        .filter_map(|(k, _)| k.parse().ok())
                        .collect();
                    values.sort_by(f64::total_cmp);
                    let shown: Vec<String> = values.iter().map(|v| number(*v)).collect();
                    let _ = writeln!(out, "allowed = [{}]", shown.join(", "));
                } else if let Some((min, max)) = range {
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
                    let _ = writeln!(
                        out,
                        "min = {}\nmax = {}   # observed {} to {}; 10% of the range as slack",
                        number(low),
                        number(high),
                        format_number(min),
                        format_number(max)
                    );
                }
                let named = PREDICTION_NAMES.contains(&name.to_lowercase().as_str());
                if options.prediction.contains(name) || (options.prediction.is_empty() && named) {
                    predictions.push((name.clone(), seen.moments));
                }
            }
            ColumnKind::Categorical | ColumnKind::Boolean | ColumnKind::Text => {
                if unique && kind != ColumnKind::Boolean {
                    out.push_str("unique = true   # every value distinct\n");
                } else if seen.domain.len() <= DOMAIN && !seen.domain.is_empty() {
                    let mut values: Vec<(&String, &u64)> =
                        seen.domain.values().map(|(v, c)| (v, c)).collect();
                    values.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
                    let shown: Vec<String> = values
                        .iter()
                        .map(|(v, _)| {
                            if kind == ColumnKind::Boolean {
                                (*v).clone()
                            } else {
                                quote(v)
                            }
                        })
                        .collect();
                    let _ = writeln!(out, "allowed = [{}]", shown.join(", "));
                    if kind != ColumnKind::Boolean {
                        out.push_str("max_unseen_fraction = 0.01\n");
                    }
                }
            }
            ColumnKind::Datetime => {
                if let Some((min, max)) = seen.moments.range() {
                    let _ = writeln!(
                        out,
                        "# observed {} to {}",
                        seismo_stats::profile::format_instant(min / 1e6),
                        seismo_stats::profile::format_instant(max / 1e6)
                    );
                }
            }
        }
        out.push('\n');
    }
    for (name, moments) in predictions {
        let (Some(mean), Some(std)) = (moments.mean(), moments.std()) else {
            continue;
        };
        let (low, high) = if mean >= 0.0 {
            (mean / 2.0, mean * 2.0)
        } else {
            (mean * 2.0, mean / 2.0)
        };
        let _ = writeln!(
            out,
            "# The prediction: its mean and spread may move, but not by orders of magnitude.\n\
             [[statistic]]\ncolumn = {}\nstatistic = \"mean\"\nmin = {}\nmax = {}   # observed {}\n",
            quote(&name),
            number(round(low, false)),
            number(round(high, true)),
            format_number(mean)
        );
        if std > 0.0 {
            let _ = writeln!(
                out,
                "[[statistic]]\ncolumn = {}\nstatistic = \"std\"\nmin = {}\nmax = {}   # observed {}\n",
                quote(&name),
                number(round(std / 2.0, false)),
                number(round(std * 2.0, true)),
                format_number(std)
            );
        }
    }
    let _ = writeln!(
        out,
        "[[dataset]]\nname = \"row_count\"\nmin_rows = {}   # a tenth of the reference's {rows} rows",
        rows / 10
    );
    out
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
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(1e300), "1e300");
    }
}
