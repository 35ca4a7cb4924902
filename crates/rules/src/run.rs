//! Running checks on a dataset and judging them: the report, and which rows to quarantine.

use std::collections::{BTreeMap, HashSet};

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};
use arrow_buffer::BooleanBuffer;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, DataType};
use seismo_core::{Check, Dataset, Outcome, Report};
use seismo_drift::{ColumnOptions, DriftOptions, detect};
use seismo_stats::sketch::Moments;
use serde_json::{Value, json};

use crate::RuleError;
use crate::file::{Rules, Statistic};
use crate::hash::{is_missing, normalize, row_hashes};
use crate::plan::{Kind, Planned, plan};
use crate::rows::{RowState, conflicts, hashes_of, violations};

/// How to validate.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Violating rows shown per check.
    pub sample: usize,
    /// Checks run at once, each on its own thread (1: on the calling thread).
    pub threads: usize,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        Self {
            sample: 5,
            threads: 1,
        }
    }
}

/// The result of validating a dataset: one check per thing each rule asks, and the rows
/// that failed an error-severity row rule.
#[derive(Debug, Clone)]
pub struct Validation {
    /// The checks, in rule-file order: `[[column]]`, `[[dataset]]`, `[[statistic]]`,
    /// `[[drift]]`.
    pub report: Report,
    /// Rows in the data.
    pub rows: u64,
    quarantine: Vec<BooleanBuffer>,
}

impl Validation {
    /// Whether no check failed with severity `error`.
    pub fn passed(&self) -> bool {
        self.report.count(Outcome::Fail) == 0 && self.report.count(Outcome::Error) == 0
    }

    /// Per batch of the data, `true` for rows that violate a failed row-level rule of
    /// severity `error`: the rows `--quarantine` writes.
    pub fn quarantine(&self) -> &[BooleanBuffer] {
        &self.quarantine
    }

    /// How many rows are quarantined.
    pub fn quarantined_rows(&self) -> u64 {
        self.quarantine
            .iter()
            .map(|m| m.count_set_bits() as u64)
            .sum()
    }
}

/// What running one check found, before judging.
#[derive(Debug, Default)]
struct Finding {
    /// Rows the check looked at (after `where`).
    rows: u64,
    /// Violating rows, for row-level checks.
    violations: Option<u64>,
    sample: Vec<Value>,
    masks: Vec<BooleanBuffer>,
    /// The number the report shows as `value`.
    value: Option<f64>,
    observed: Option<Value>,
    /// Set by checks judged inside (counts, statistics, drift, schema).
    failed: Option<bool>,
    skip: Option<String>,
    details: serde_json::Map<String, Value>,
}

/// Checks `data` against `rules` (and, for drift and overlap rules, against `reference`).
///
/// Every mistake in the rules (an unknown column, a bad regex, an expression that does not
/// compile or fit the types) is a [`RuleError`] with its place in the rule file, found
/// before any check runs.
pub fn validate(
    rules: &Rules,
    data: &Dataset,
    reference: Option<&Dataset>,
    options: &ValidateOptions,
) -> Result<Validation, RuleError> {
    let planned = plan(rules, data, reference)?;
    // With one thread the caller's: the service validates single records and batches on
    // its request path, where starting a thread would cost more than the checks.
    let results = seismo_stats::parallel::map_ordered(&planned, options.threads, |check| {
        run_check(check, data, reference, options.sample)
            .map_err(|e| RuleError::new(check.location.clone(), format!("{}: {e}", check.rule)))
    });
    let mut report = Report::new("validate");
    let mut quarantine: Vec<BooleanBuffer> = data
        .batches()
        .iter()
        .map(|b| BooleanBuffer::new_unset(b.num_rows()))
        .collect();
    for (check, found) in planned.iter().zip(results) {
        let found = found?;
        let judged = judge(check, &found);
        if judged.outcome == Outcome::Fail && found.masks.len() == quarantine.len() {
            for (q, m) in quarantine.iter_mut().zip(&found.masks) {
                *q = &*q | m;
            }
        }
        report.push(judged);
    }
    Ok(Validation {
        report,
        rows: data.num_rows() as u64,
        quarantine,
    })
}

fn judge(check: &Planned, found: &Finding) -> Check {
    let mut judged = Check {
        severity: check.severity,
        threshold: check.threshold.clone(),
        value: found.value,
        // Judged below: skipped, or by the finding against its tolerance.
        ..Check::new(check.check, &check.subject, Outcome::Skipped)
    };
    judged.details.insert("rule".into(), json!(check.rule));
    judged
        .details
        .insert("location".into(), json!(check.location.to_string()));
    let failed = if let Some(reason) = &found.skip {
        judged.outcome = Outcome::Skipped;
        judged.details.insert("reason".into(), json!(reason));
        None
    } else if let Some(failed) = found.failed {
        Some(failed)
    } else if let Some(violations) = found.violations {
        if found.rows == 0 {
            judged.outcome = Outcome::Skipped;
            judged
                .details
                .insert("reason".into(), json!("no rows to check"));
            None
        } else if check.tolerance == 0.0 {
            Some(violations > 0)
        } else {
            Some(violations as f64 / found.rows as f64 > check.tolerance)
        }
    } else {
        Some(false)
    };
    if let Some(failed) = failed {
        judged = judged.judged(!failed);
    }
    if let Some(violations) = found.violations {
        judged
            .details
            .insert("violations".into(), json!(violations));
        judged.details.insert("rows".into(), json!(found.rows));
        judged.details.insert("sample".into(), json!(found.sample));
    } else if found.rows > 0 {
        judged.details.insert("rows".into(), json!(found.rows));
    }
    if let Some(observed) = &found.observed {
        judged.details.insert("observed".into(), observed.clone());
    }
    judged.details.extend(found.details.clone());
    judged
}

/// Which rows of `batch` a check applies to (`None`: all).
fn applies(check: &Planned, batch: &RecordBatch) -> Result<Option<BooleanBuffer>, ArrowError> {
    check
        .condition
        .as_ref()
        .map(|p| {
            p.holds(batch)
                .map_err(|e| ArrowError::ComputeError(e.to_string()))
        })
        .transpose()
}

fn run_check(
    check: &Planned,
    data: &Dataset,
    reference: Option<&Dataset>,
    sample: usize,
) -> Result<Finding, ArrowError> {
    if let Some(reason) = &check.skip {
        return Ok(Finding {
            skip: Some(reason.clone()),
            ..Finding::default()
        });
    }
    let judged = |failed: bool, observed: Value| Finding {
        failed: Some(failed),
        observed: Some(observed),
        ..Finding::default()
    };
    match &check.kind {
        Kind::Missing => return Ok(judged(true, json!("missing"))),
        Kind::Present => return Ok(judged(false, json!("present"))),
        Kind::Type {
            expected, actual, ..
        } if expected == actual => return Ok(judged(false, json!(actual.to_string()))),
        Kind::Type {
            expected: seismo_core::ColumnKind::Numeric,
            actual: seismo_core::ColumnKind::Categorical | seismo_core::ColumnKind::Text,
            ..
        } => {}
        Kind::Type { actual, .. } => return Ok(judged(true, json!(actual.to_string()))),
        Kind::RowCount { min, max } => {
            let mut rows = 0u64;
            for batch in data.batches() {
                rows += match applies(check, batch)? {
                    Some(a) => a.count_set_bits() as u64,
                    None => batch.num_rows() as u64,
                };
            }
            let failed = min.is_some_and(|m| rows < m) || max.is_some_and(|m| rows > m);
            return Ok(Finding {
                value: Some(rows as f64),
                ..judged(failed, json!(rows))
            });
        }
        Kind::Statistic {
            column,
            statistic,
            q,
            min,
            max,
        } => return statistic_check(check, data, *column, *statistic, *q, *min, *max),
        Kind::Drift {
            column,
            test,
            threshold,
            reference_condition,
        } => {
            let reference = reference.expect("planned with a reference");
            let data = filtered(data, check.condition.as_ref())?;
            let reference = filtered(reference, reference_condition.as_ref())?;
            return Ok(drift_check(&data, &reference, column, *test, *threshold));
        }
        _ => {}
    }
    row_check(check, data, reference, sample)
}

/// A row-level check over every batch: violations, a sample, and the masks.
fn row_check(
    check: &Planned,
    data: &Dataset,
    reference: Option<&Dataset>,
    sample: usize,
) -> Result<Finding, ArrowError> {
    let reference_rows: Option<(HashSet<u128>, Vec<usize>)> = match &check.kind {
        Kind::Overlap { columns } => {
            let reference = reference.expect("planned with a reference");
            let in_reference: Vec<usize> = columns
                .iter()
                .map(|c| reference.arrow_schema().index_of(c))
                .collect::<Result<_, _>>()?;
            let mut set = HashSet::new();
            for batch in reference.batches() {
                set.extend(hashes_of(batch, &in_reference)?);
            }
            let in_data: Vec<usize> = columns
                .iter()
                .map(|c| data.arrow_schema().index_of(c))
                .collect::<Result<_, _>>()?;
            Some((set, in_data))
        }
        _ => None,
    };
    let mut found = Finding::default();
    let mut state = RowState::default();
    let mut applied = Vec::new();
    for batch in data.batches() {
        let applies = applies(check, batch)?;
        let raw = match &reference_rows {
            Some((set, columns)) => {
                let hashes = hashes_of(batch, columns)?;
                BooleanBuffer::collect_bool(batch.num_rows(), |i| set.contains(&hashes[i]))
            }
            None => violations(&check.kind, batch, applies.as_ref(), &mut state)?
                .expect("a row-level check"),
        };
        let violating = match &applies {
            Some(a) => &raw & a,
            None => raw,
        };
        found.rows += applies
            .as_ref()
            .map_or(batch.num_rows(), |a| a.count_set_bits()) as u64;
        found.masks.push(violating);
        applied.push(applies);
    }
    if matches!(check.kind, Kind::Conflicts { .. }) {
        found.masks = conflicts(&state);
    }
    let mut offset = 0u64;
    for (batch, mask) in data.batches().iter().zip(&found.masks) {
        for i in mask.set_indices() {
            if found.sample.len() >= sample {
                break;
            }
            found.sample.push(json!({
                "row": offset + i as u64 + 1,
                "value": cell_text(check, data, batch, i)?,
            }));
        }
        offset += batch.num_rows() as u64;
    }
    let violations: u64 = found.masks.iter().map(|m| m.count_set_bits() as u64).sum();
    found.violations = Some(violations);
    found.value = Some(if found.rows == 0 {
        0.0
    } else {
        violations as f64 / found.rows as f64
    });
    if let Kind::Type { actual, .. } = &check.kind {
        // A numeric column read as text fails whatever its values: name the culprits.
        found.failed = Some(true);
        found.observed = Some(json!(actual.to_string()));
    }
    if matches!(
        check.check,
        "min" | "max" | "exclusive_min" | "exclusive_max"
    ) && let Ok(column) = data.arrow_schema().index_of(&check.subject)
    {
        let range = observed_range(data, column, &applied)?;
        let observed = if check.check.ends_with("min") {
            range.0
        } else {
            range.1
        };
        found.value = observed;
        found.observed = observed.map(|v| json!(v));
    }
    Ok(found)
}

/// The smallest and largest value of a numeric column over the rows that apply.
fn observed_range(
    data: &Dataset,
    column: usize,
    applied: &[Option<BooleanBuffer>],
) -> Result<(Option<f64>, Option<f64>), ArrowError> {
    let mut range: (Option<f64>, Option<f64>) = (None, None);
    for (batch, applies) in data.batches().iter().zip(applied) {
        let values = arrow_cast::cast(batch.column(column), &DataType::Float64)?;
        let values = values.as_primitive::<Float64Type>();
        for i in 0..values.len() {
            if values.is_null(i) || applies.as_ref().is_some_and(|a| !a.value(i)) {
                continue;
            }
            let v = values.value(i);
            if v.is_nan() {
                continue;
            }
            range.0 = Some(range.0.map_or(v, |m| m.min(v)));
            range.1 = Some(range.1.map_or(v, |m| m.max(v)));
        }
    }
    Ok(range)
}

/// What a sample row shows: the checked column's value, or the values an expression or a
/// dataset check reads.
fn cell_text(
    check: &Planned,
    data: &Dataset,
    batch: &RecordBatch,
    row: usize,
) -> Result<String, ArrowError> {
    let options = FormatOptions::default().with_null("null");
    let cell = |column: usize| -> Result<String, ArrowError> {
        let array = seismo_core::with_utc_offsets(batch.column(column));
        Ok(ArrayFormatter::try_new(array.as_ref(), &options)?
            .value(row)
            .to_string())
    };
    let schema = data.arrow_schema();
    let named = |columns: &[usize]| -> Result<String, ArrowError> {
        let parts = columns
            .iter()
            .take(6)
            .map(|&c| Ok(format!("{}={}", schema.field(c).name(), cell(c)?)))
            .collect::<Result<Vec<_>, ArrowError>>()?;
        let more = if columns.len() > 6 { ", ..." } else { "" };
        Ok(format!("{}{more}", parts.join(", ")))
    };
    match &check.kind {
        Kind::Condition(p) if check.subject == "dataset" => {
            let columns: Vec<usize> = p
                .columns()
                .iter()
                .filter_map(|c| schema.index_of(c).ok())
                .collect();
            named(&columns)
        }
        Kind::Duplicates { columns } => named(columns),
        Kind::Overlap { columns } => {
            let columns: Vec<usize> = columns
                .iter()
                .filter_map(|c| schema.index_of(c).ok())
                .collect();
            named(&columns)
        }
        Kind::Conflicts { columns, label } => {
            let mut shown = vec![*label];
            shown.extend(columns.iter().take(5));
            named(&shown)
        }
        _ => match schema.index_of(&check.subject) {
            Ok(column) => cell(column),
            Err(_) => Ok(String::new()),
        },
    }
}

/// A statistic of a column over the rows that apply, judged against its bounds.
fn statistic_check(
    check: &Planned,
    data: &Dataset,
    column: usize,
    statistic: Statistic,
    q: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<Finding, ArrowError> {
    let mut values: Vec<f64> = Vec::new();
    let mut rows = 0u64;
    let mut missing = 0u64;
    let mut distinct: HashSet<u128> = HashSet::new();
    for batch in data.batches() {
        let applies = applies(check, batch)?;
        let on = |i: usize| applies.as_ref().is_none_or(|a| a.value(i));
        let normalized = normalize(batch.column(column))?;
        let hashes = (statistic == Statistic::DistinctCount)
            .then(|| row_hashes(std::slice::from_ref(&normalized), batch.num_rows()));
        for i in (0..batch.num_rows()).filter(|&i| on(i)) {
            rows += 1;
            if is_missing(&normalized, i) {
                missing += 1;
                continue;
            }
            match &hashes {
                Some(h) => {
                    distinct.insert(h[i]);
                }
                None if normalized.data_type() == &DataType::Float64 => {
                    values.push(normalized.as_primitive::<Float64Type>().value(i));
                }
                None => {}
            }
        }
    }
    let value = match statistic {
        Statistic::NullFraction => (rows > 0).then(|| missing as f64 / rows as f64),
        Statistic::DistinctCount => Some(distinct.len() as f64),
        Statistic::Mean => Moments::from_slice(&values).mean(),
        Statistic::Std => Moments::from_slice(&values).std(),
        Statistic::Min => values.iter().copied().reduce(f64::min),
        Statistic::Max => values.iter().copied().reduce(f64::max),
        Statistic::Median => quantile(&mut values, 0.5),
        Statistic::Quantile => quantile(&mut values, q.unwrap_or(0.5)),
    };
    let Some(value) = value else {
        return Ok(Finding {
            rows,
            skip: Some(format!(
                "no values of `{}` to compute the {} of",
                check.subject,
                statistic.as_str()
            )),
            ..Finding::default()
        });
    };
    let failed = value.is_nan() || min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m);
    Ok(Finding {
        rows,
        value: Some(value),
        observed: Some(json!(value)),
        failed: Some(failed),
        ..Finding::default()
    })
}

/// The `q` quantile with linear interpolation between order statistics (numpy's default).
fn quantile(values: &mut [f64], q: f64) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    seismo_stats::sort::linear_quantile(values, q)
}

/// The rows of a dataset where a condition holds (all rows without one).
fn filtered(
    data: &Dataset,
    condition: Option<&seismo_expr::Predicate>,
) -> Result<Dataset, ArrowError> {
    let Some(condition) = condition else {
        return Ok(data.clone());
    };
    let batches = data
        .batches()
        .iter()
        .map(|batch| {
            let held = condition
                .holds(batch)
                .map_err(|e| ArrowError::ComputeError(e.to_string()))?;
            let keep = arrow_array::BooleanArray::new(held, None);
            arrow_select::filter::filter_record_batch(batch, &keep)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Dataset::new(data.schema().clone(), data.arrow_schema().clone(), batches)
        .map_err(|e| ArrowError::ComputeError(e.to_string()))
}

/// Drift of one column, by the drift crate, judged by its threshold.
fn drift_check(
    data: &Dataset,
    reference: &Dataset,
    column: &str,
    test: Option<seismo_drift::TestName>,
    threshold: Option<f64>,
) -> Finding {
    let options = DriftOptions {
        columns: BTreeMap::from([(column.to_owned(), ColumnOptions { test, threshold })]),
        ignore: data
            .arrow_schema()
            .fields()
            .iter()
            .chain(reference.arrow_schema().fields().iter())
            .map(|f| f.name().clone())
            .filter(|n| n != column)
            .collect(),
        ..DriftOptions::default()
    };
    let report = detect(reference, data, &options);
    if let Some(result) = report.columns.iter().find(|c| c.column == column) {
        let mut details = serde_json::Map::new();
        details.insert("test".into(), json!(result.test));
        details.insert("statistic".into(), json!(result.statistic));
        if let Some(p) = result.p_value {
            details.insert("p_value".into(), json!(p));
        }
        details.insert("drift_threshold".into(), json!(result.threshold));
        return Finding {
            rows: result.current_count as u64,
            value: Some(result.p_value.unwrap_or(result.statistic)),
            observed: Some(json!(if result.drifted {
                "drifted"
            } else {
                "no drift"
            })),
            failed: Some(result.drifted),
            details,
            ..Finding::default()
        };
    }
    let reason = report
        .skipped
        .iter()
        .find(|s| s.column == column)
        .map(|s| s.reason.clone())
        .or_else(|| {
            report
                .schema
                .iter()
                .find(|s| s.column == column)
                .map(|s| s.finding.to_string())
        })
        .unwrap_or_else(|| "not tested".into());
    Finding {
        skip: Some(reason),
        ..Finding::default()
    }
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.quantile([1, 2, 4, 8], [0, 0.25, 0.5, 0.9, 1]) = [1, 1.75, 3, 6.8, 8]
        let mut v = vec![8.0, 1.0, 4.0, 2.0];
        for (q, expected) in [(0.0, 1.0), (0.25, 1.75), (0.5, 3.0), (0.9, 6.8), (1.0, 8.0)] {
            assert!(
                (quantile(&mut v, q).unwrap() - expected).abs() < 1e-12,
                "{q}"
            );
        }
        assert_eq!(quantile(&mut [], 0.5), None);
    }
}
