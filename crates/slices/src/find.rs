//! Weak-slice discovery: single columns (numeric ones by quantile bins, others by value) and
//! pairs of them, searched for slices whose metric is significantly worse than overall.
//!
//! 1. Candidate conditions per column: numeric columns are cut at their quintiles (fewer
//!    bins where values repeat; columns whose values are all distinct integers, like ids,
//!    are left out); categorical and boolean columns give one condition per value with at
//!    least `min_rows` rows (the 20 most frequent). Datetime and text columns are left out.
//! 2. The metric on every single slice, then on pairs (two conditions on different columns)
//!    among the 30 single slices worst than the reference. A pair is kept only when it is
//!    worse than both its halves by more than 0.01: otherwise one half explains it.
//! 3. The 20 singles and 20 pairs with the largest gap × √rows get a seeded bootstrap (200 resamples of the slice's
//!    rows, paired with the baseline's predictions when there is one) for the gap's standard
//!    error; the one-sided p-value is the normal tail of gap / error (a bootstrap z-test),
//!    corrected over the 40 by Benjamini–Hochberg. Of those below `alpha`, single slices
//!    come first, then pairs, each ranked by z (gap and support together); at most two are
//!    reported per set of columns, and a pair not when one of its halves is reported.
//!
//! The reference is the metric on all rows, or, with a baseline model, the baseline's
//! metric on the same slice. Against overall, slices that restrict the range of a strong
//! feature (a band of credit scores) show a lower ROC AUC for any model: a narrower range is
//! harder to rank. Against a baseline that effect cancels out, leaving what the candidate
//! does worse.

use std::collections::BTreeMap;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_cast::cast;
use arrow_schema::DataType;
use seismo_core::{ColumnKind, Dataset};
use seismo_stats::correction::benjamini_hochberg;
use seismo_stats::random::SplitMix64;
use seismo_stats::special::normal_sf;
use serde::Serialize;

use crate::metrics::{Metric, Predictions};

/// How to search.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FindOptions {
    /// The metric (default chosen by the caller per task).
    pub metric: Metric,
    /// The fewest rows a slice has.
    pub min_rows: usize,
    /// Columns not to slice by (the target, the prediction, ids).
    pub ignore: Vec<String>,
    /// The significance level after correction.
    pub alpha: f64,
    /// How many slices to report at most.
    pub top: usize,
    /// The bootstrap's seed.
    pub seed: u64,
}

impl FindOptions {
    /// A search for `metric` with the defaults `seismo slices find` has: slices of 50 rows
    /// or more, α = 0.05, the 10 worst, seed 0, no column ignored.
    pub fn new(metric: Metric) -> Self {
        Self {
            metric,
            min_rows: 50,
            ignore: Vec::new(),
            alpha: 0.05,
            top: 10,
            seed: 0,
        }
    }
}

/// A slice found to do worse than overall (or than a baseline model on the same rows).
#[derive(Debug, Clone, Serialize)]
pub struct FoundSlice {
    /// The condition, as an expression.
    #[serde(rename = "where")]
    pub condition: String,
    /// A name made from it.
    pub name: String,
    /// Rows in the slice.
    pub rows: u64,
    /// The metric on the slice.
    pub value: f64,
    /// The metric on all rows.
    pub overall: f64,
    /// What the slice is compared with: `overall`, or `baseline`.
    pub compared_with: &'static str,
    /// The value compared with: `overall`, or the baseline's metric on the slice.
    pub reference: f64,
    /// How much worse the slice is than the reference (positive: worse), in the metric's
    /// units.
    pub gap: f64,
    /// The bootstrap p-value, Benjamini–Hochberg adjusted.
    pub p_value: f64,
}

/// One candidate condition: its text and parts, its column(s), its rows (sorted).
struct Candidate {
    condition: String,
    parts: Vec<String>,
    columns: Vec<usize>,
    rows: Vec<u32>,
    gap: f64,
    value: f64,
    reference: f64,
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn quoted(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The single-column conditions of one column over the rows in `valid`.
fn conditions(
    data: &Dataset,
    column: usize,
    kind: ColumnKind,
    valid: &[bool],
    min_rows: usize,
) -> Vec<(String, Vec<u32>)> {
    let name = quoted(data.arrow_schema().field(column).name());
    let mut out = Vec::new();
    match kind {
        ColumnKind::Numeric => {
            let mut values: Vec<(f64, u32)> = Vec::new();
            let mut offset = 0u32;
            for batch in data.batches() {
                if let Ok(floats) = cast(batch.column(column), &DataType::Float64) {
                    let floats = floats.as_primitive::<Float64Type>();
                    for i in 0..floats.len() {
                        let row = offset + i as u32;
                        if floats.is_valid(i) && !floats.value(i).is_nan() && valid[row as usize] {
                            values.push((floats.value(i), row));
                        }
                    }
                }
                offset += batch.num_rows() as u32;
            }
            if values.is_empty() {
                return out;
            }
            values.sort_by(|a, b| a.0.total_cmp(&b.0));
            let distinct = values.windows(2).filter(|w| w[0].0 != w[1].0).count() + 1;
            if distinct == values.len() && values.iter().all(|v| v.0.fract() == 0.0) {
                return out; // an id
            }
            let mut edges: Vec<f64> = (1..5).map(|k| values[k * values.len() / 5].0).collect();
            edges.dedup();
            edges.retain(|e| *e > values[0].0);
            let mut lower: Option<f64> = None;
            for upper in edges.iter().copied().map(Some).chain(std::iter::once(None)) {
                let rows: Vec<u32> = values
                    .iter()
                    .filter(|(v, _)| lower.is_none_or(|l| *v >= l) && upper.is_none_or(|u| *v < u))
                    .map(|(_, r)| *r)
                    .collect();
                let condition = match (lower, upper) {
                    (None, Some(u)) => format!("{name} < {}", number(u)),
                    (Some(l), None) => format!("{name} >= {}", number(l)),
                    (Some(l), Some(u)) => {
                        format!("{name} >= {} and {name} < {}", number(l), number(u))
                    }
                    (None, None) => continue,
                };
                if rows.len() >= min_rows {
                    let mut rows = rows;
                    rows.sort_unstable();
                    out.push((condition, rows));
                }
                lower = upper;
            }
        }
        ColumnKind::Categorical | ColumnKind::Boolean => {
            let mut groups: BTreeMap<String, Vec<u32>> = BTreeMap::new();
            let mut offset = 0u32;
            for batch in data.batches() {
                if let Ok(text) = cast(batch.column(column), &DataType::Utf8) {
                    let text = text.as_string::<i32>();
                    for i in 0..text.len() {
                        let row = offset + i as u32;
                        if text.is_valid(i) && valid[row as usize] {
                            groups
                                .entry(text.value(i).to_owned())
                                .or_default()
                                .push(row);
                        }
                    }
                }
                offset += batch.num_rows() as u32;
            }
            let mut groups: Vec<(String, Vec<u32>)> = groups
                .into_iter()
                .filter(|(_, r)| r.len() >= min_rows)
                .collect();
            groups.sort_by_key(|g| std::cmp::Reverse(g.1.len()));
            for (value, rows) in groups.into_iter().take(20) {
                let literal = if kind == ColumnKind::Boolean {
                    value
                } else {
                    format!("'{}'", value.replace('\'', "''"))
                };
                out.push((format!("{name} = {literal}"), rows));
            }
        }
        _ => {}
    }
    out
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// A name for a slice: its condition in words and underscores.
fn slice_name(condition: &str) -> String {
    let mut name = String::new();
    for c in condition.chars() {
        let c = match c {
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            '<' => 'l',
            '>' => 'g',
            '.' => 'p',
            _ => '_',
        };
        if !(c == '_' && name.ends_with('_')) {
            name.push(c);
        }
    }
    name.trim_matches('_').to_owned()
}

/// Searches `data` for slices where `predictions` do worse than overall, or, with a
/// `baseline` (another model's predictions on the same rows), worse than the baseline does
/// on the same slice.
pub fn find_slices(
    data: &Dataset,
    predictions: &Predictions,
    baseline: Option<&Predictions>,
    valid: &[bool],
    options: &FindOptions,
) -> Vec<FoundSlice> {
    let metric = options.metric;
    let all: Vec<u32> = (0..valid.len() as u32)
        .filter(|&r| valid[r as usize])
        .collect();
    let Ok(overall) = predictions.metric(metric, &all) else {
        return Vec::new();
    };
    let sign = if metric.higher_is_better() == Some(false) {
        -1.0
    } else {
        1.0
    };
    // The value on some rows, what it is compared with, and how much worse it is.
    let measure = |rows: &[u32]| -> Option<(f64, f64, f64)> {
        let value = predictions.metric(metric, rows).ok()?;
        let reference = match baseline {
            Some(b) => b.metric(metric, rows).ok()?,
            None => overall,
        };
        Some((value, reference, sign * (reference - value)))
    };
    let schema = data.schema();
    let mut singles: Vec<Candidate> = Vec::new();
    for (c, column) in schema.columns.iter().enumerate() {
        if options.ignore.contains(&column.name) {
            continue;
        }
        for (condition, rows) in conditions(data, c, column.kind, valid, options.min_rows) {
            if rows.len() == all.len() && baseline.is_none() {
                continue;
            }
            if let Some((value, reference, gap)) = measure(&rows) {
                singles.push(Candidate {
                    parts: vec![condition.clone()],
                    condition,
                    columns: vec![c],
                    rows,
                    gap,
                    value,
                    reference,
                });
            }
        }
    }
    singles.sort_by(|a, b| b.gap.total_cmp(&a.gap));
    let worst: Vec<&Candidate> = singles.iter().filter(|s| s.gap > 0.0).take(30).collect();
    let mut pairs: Vec<Candidate> = Vec::new();
    for (i, a) in worst.iter().enumerate() {
        for b in &worst[i + 1..] {
            if a.columns == b.columns {
                continue;
            }
            let rows = intersect(&a.rows, &b.rows);
            if rows.len() < options.min_rows {
                continue;
            }
            if let Some((value, reference, gap)) = measure(&rows)
                && gap > a.gap.max(b.gap) + 0.01
            {
                pairs.push(Candidate {
                    condition: format!("{} and {}", a.condition, b.condition),
                    parts: vec![a.condition.clone(), b.condition.clone()],
                    columns: [a.columns.clone(), b.columns.clone()].concat(),
                    rows,
                    gap,
                    value,
                    reference,
                });
            }
        }
    }
    // Test the 20 most promising singles and pairs, by gap times the root of the support: a
    // large gap on a handful of rows is mostly noise.
    let promise = |c: &Candidate| c.gap * (c.rows.len() as f64).sqrt();
    let mut tested: Vec<Candidate> = Vec::new();
    for mut group in [singles, pairs] {
        group.retain(|c| c.gap > 0.0);
        group.sort_by(|a, b| promise(b).total_cmp(&promise(a)));
        group.truncate(20);
        tested.extend(group);
    }
    let mut rng = SplitMix64::new(options.seed);
    let mut p_values = Vec::new();
    let mut errors = Vec::new();
    let mut sample = Vec::new();
    for candidate in &tested {
        let mut gaps = Vec::new();
        for _ in 0..200 {
            sample.clear();
            sample.extend(
                (0..candidate.rows.len()).map(|_| candidate.rows[rng.below(candidate.rows.len())]),
            );
            if let Some((_, _, gap)) = measure(&sample) {
                gaps.push(gap);
            }
        }
        // A bootstrap z-test: the gap over its bootstrap standard error, one-sided.
        let mean = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
        let variance = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>()
            / gaps.len().saturating_sub(1).max(1) as f64;
        let error = variance.sqrt();
        p_values.push(if gaps.len() < 100 {
            1.0
        } else if error > 0.0 {
            normal_sf(candidate.gap / error)
        } else {
            0.0
        });
        errors.push(error);
    }
    let adjusted = benjamini_hochberg(&p_values);
    let mut ranked: Vec<(f64, &Candidate, f64)> = tested
        .iter()
        .zip(adjusted)
        .zip(errors)
        .filter(|((_, p), _)| *p < options.alpha)
        .map(|((c, p), se)| (if se > 0.0 { c.gap / se } else { f64::INFINITY }, c, p))
        .collect();
    // Single slices first, the simplest explanation; then pairs, each group by z.
    ranked.sort_by(|a, b| {
        a.1.parts
            .len()
            .cmp(&b.1.parts.len())
            .then_with(|| b.0.total_cmp(&a.0))
            .then_with(|| b.1.rows.len().cmp(&a.1.rows.len()))
    });
    // Variety: at most two slices on one set of columns, and no pair whose half is already
    // reported on its own.
    let mut chosen: Vec<(&Candidate, f64)> = Vec::new();
    for (_, candidate, p) in ranked {
        let mut columns = candidate.columns.clone();
        columns.sort_unstable();
        let same_columns = chosen
            .iter()
            .filter(|(c, _)| {
                let mut other = c.columns.clone();
                other.sort_unstable();
                other == columns
            })
            .count();
        let explained = candidate.parts.len() > 1
            && chosen
                .iter()
                .any(|(c, _)| c.parts.len() == 1 && candidate.parts.contains(&c.parts[0]));
        if same_columns < 2 && !explained {
            chosen.push((candidate, p));
        }
        if chosen.len() == options.top {
            break;
        }
    }
    chosen
        .into_iter()
        .map(|(c, p)| FoundSlice {
            name: slice_name(&c.condition),
            condition: c.condition.clone(),
            rows: c.rows.len() as u64,
            value: c.value,
            overall,
            compared_with: if baseline.is_some() {
                "baseline"
            } else {
                "overall"
            },
            reference: c.reference,
            gap: c.gap,
            p_value: p,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_intersections() {
        assert_eq!(
            slice_name("age >= 57 and country = 'IT'"),
            "age_g_57_and_country_it"
        );
        assert_eq!(intersect(&[1, 3, 5, 7], &[2, 3, 7, 9]), vec![3, 7]);
        assert_eq!(quoted("unit price"), "\"unit price\"");
        assert_eq!(number(57.0), "57");
        assert_eq!(number(0.25), "0.25");
    }
}
