//! Running checks on a dataset and judging them: the report, and which rows to quarantine.

use std::collections::{BTreeMap, HashSet};

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, BooleanArray, RecordBatch};
use arrow_buffer::BooleanBuffer;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, DataType};
use seismo_core::{Dataset, Outcome, Report};
use seismo_drift::{ColumnOptions, DriftOptions, detect};
use seismo_stats::sketch::Moments;

use crate::RuleError;
use crate::file::{Rules, Statistic};
use crate::hash::{is_missing, normalize, row_hashes};
use crate::plan::{Kind, Planned, plan};
use crate::report::{DriftStatistic, Observed, RuleCheck, ViolatingRow, Violations};
use crate::rows::{RowState, conflicts, hashes_of, violations};

/// How to validate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ValidateOptions {
    /// Violating rows shown per check.
    pub sample: usize,
    /// Checks run at once, each on its own thread (1: on the calling thread).
    pub threads: usize,
}

impl ValidateOptions {
    /// `sample` violating rows shown per check, checks on `threads` threads.
    pub fn new(sample: usize, threads: usize) -> Self {
        Self { sample, threads }
    }
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
    pub checks: Vec<RuleCheck>,
    /// Rows in the data.
    pub rows: u64,
    quarantine: Vec<BooleanBuffer>,
}

impl Validation {
    /// Whether no check failed with severity `error`.
    pub fn passed(&self) -> bool {
        self.count(Outcome::Fail) == 0 && self.count(Outcome::Error) == 0
    }

    /// How many checks ended with `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.checks.iter().filter(|c| c.outcome == outcome).count()
    }

    /// The checks in the core report model (named `validate`), for JSON.
    pub fn report(&self) -> Report {
        let mut report = Report::new("validate");
        for check in &self.checks {
            report.push(check.to_check());
        }
        report
    }

    /// Per batch of the data, `true` for rows that violate a failed row-level rule of
    /// severity `error`: the rows `--quarantine` writes.
    pub fn quarantine(&self) -> &[BooleanBuffer] {
        &self.quarantine
    }

    /// Each batch of `batches` (the data validated) split into its quarantined rows and its
    /// clean rows, in order: what `--quarantine` and `--clean` write.
    pub fn split(
        &self,
        batches: &[RecordBatch],
    ) -> Result<(Vec<RecordBatch>, Vec<RecordBatch>), ArrowError> {
        let (mut quarantined, mut clean) = (Vec::new(), Vec::new());
        for (batch, mask) in batches.iter().zip(&self.quarantine) {
            let bad = BooleanArray::new(mask.clone(), None);
            quarantined.push(arrow_select::filter::filter_record_batch(batch, &bad)?);
            let good = BooleanArray::new(!mask, None);
            clean.push(arrow_select::filter::filter_record_batch(batch, &good)?);
        }
        Ok((quarantined, clean))
    }

    /// How many rows are quarantined.
    pub fn quarantined_rows(&self) -> u64 {
        self.quarantine
            .iter()
            .map(|m| m.count_set_bits() as u64)
            .sum()
    }

    /// The JSON document `seismo validate --format json` prints (and the Python package's
    /// `to_dict()`): the inputs' names, rows, the verdict, counts per outcome, quarantined
    /// rows and every check.
    pub fn document(&self, data: &str, rules: &str, reference: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "data": data,
            "rules": rules,
            "reference": reference,
            "rows": self.rows,
            "passed": self.passed(),
            "summary": {
                "pass": self.count(Outcome::Pass),
                "warn": self.count(Outcome::Warn),
                "fail": self.count(Outcome::Fail),
                "skipped": self.count(Outcome::Skipped),
                "error": self.count(Outcome::Error),
            },
            "quarantined_rows": self.quarantined_rows(),
            "checks": self.report().checks,
        })
    }
}

/// What running one check measured, before judging.
#[derive(Debug, Default)]
struct Measured {
    /// Rows the check looked at (after `where`).
    rows: u64,
    /// Violating rows, for row-level checks.
    violations: Option<u64>,
    sample: Vec<ViolatingRow>,
    masks: Vec<BooleanBuffer>,
    /// The number the report shows as `value`.
    value: Option<f64>,
    observed: Option<Observed>,
    /// Set by checks judged inside (counts, statistics, drift, schema).
    failed: Option<bool>,
    skip: Option<String>,
    drift: Option<DriftStatistic>,
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
    let mut checks = Vec::with_capacity(planned.len());
    let mut quarantine: Vec<BooleanBuffer> = data
        .batches()
        .iter()
        .map(|b| BooleanBuffer::new_unset(b.num_rows()))
        .collect();
    for (check, found) in planned.iter().zip(results) {
        let mut found = found?;
        let masks = std::mem::take(&mut found.masks);
        let judged = judge(check, found);
        if judged.outcome == Outcome::Fail && masks.len() == quarantine.len() {
            for (q, m) in quarantine.iter_mut().zip(&masks) {
                *q = &*q | m;
            }
        }
        checks.push(judged);
    }
    Ok(Validation {
        checks,
        rows: data.num_rows() as u64,
        quarantine,
    })
}

/// The check's outcome: skipped (with the reason), or what it measured against its
/// tolerance.
fn judge(check: &Planned, found: Measured) -> RuleCheck {
    let (failed, reason) = if let Some(reason) = found.skip {
        (None, Some(reason))
    } else if let Some(failed) = found.failed {
        (Some(failed), None)
    } else if let Some(violations) = found.violations {
        if found.rows == 0 {
            (None, Some("no rows to check".to_owned()))
        } else if check.tolerance == 0.0 {
            (Some(violations > 0), None)
        } else {
            let share = violations as f64 / found.rows as f64;
            (Some(share > check.tolerance), None)
        }
    } else {
        (Some(false), None)
    };
    RuleCheck {
        rule: check.rule.clone(),
        location: check.location.to_string(),
        check: check.check,
        subject: check.subject.clone(),
        outcome: failed.map_or(Outcome::Skipped, |failed| check.severity.outcome(!failed)),
        severity: check.severity,
        value: found.value,
        threshold: check.threshold.clone(),
        rows: found.rows,
        violations: found.violations.map(|count| Violations {
            count,
            sample: found.sample,
        }),
        observed: found.observed,
        reason,
        drift: found.drift,
    }
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
) -> Result<Measured, ArrowError> {
    if let Some(reason) = &check.skip {
        return Ok(Measured {
            skip: Some(reason.clone()),
            ..Measured::default()
        });
    }
    let judged = |failed: bool, observed: Observed| Measured {
        failed: Some(failed),
        observed: Some(observed),
        ..Measured::default()
    };
    match &check.kind {
        Kind::Missing => return Ok(judged(true, Observed::Word("missing".into()))),
        Kind::Present => return Ok(judged(false, Observed::Word("present".into()))),
        Kind::Type {
            expected, actual, ..
        } if expected == actual => return Ok(judged(false, Observed::Word(actual.to_string()))),
        Kind::Type {
            expected: seismo_core::ColumnKind::Numeric,
            actual: seismo_core::ColumnKind::Categorical | seismo_core::ColumnKind::Text,
            ..
        } => {}
        Kind::Type { actual, .. } => return Ok(judged(true, Observed::Word(actual.to_string()))),
        Kind::RowCount { min, max } => {
            let mut rows = 0u64;
            for batch in data.batches() {
                rows += match applies(check, batch)? {
                    Some(a) => a.count_set_bits() as u64,
                    None => batch.num_rows() as u64,
                };
            }
            let failed = min.is_some_and(|m| rows < m) || max.is_some_and(|m| rows > m);
            return Ok(Measured {
                value: Some(rows as f64),
                ..judged(failed, Observed::Count(rows))
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
) -> Result<Measured, ArrowError> {
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
    let mut found = Measured::default();
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
            found.sample.push(ViolatingRow {
                row: offset + i as u64 + 1,
                value: cell_text(check, data, batch, i)?,
            });
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
        found.observed = Some(Observed::Word(actual.to_string()));
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
        found.observed = observed.map(Observed::Number);
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
) -> Result<Measured, ArrowError> {
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
        return Ok(Measured {
            rows,
            skip: Some(format!(
                "no values of `{}` to compute the {} of",
                check.subject,
                statistic.as_str()
            )),
            ..Measured::default()
        });
    };
    let failed = value.is_nan() || min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m);
    Ok(Measured {
        rows,
        value: Some(value),
        observed: Some(Observed::Number(value)),
        failed: Some(failed),
        ..Measured::default()
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
) -> Measured {
    let mut options = DriftOptions::default();
    options.columns = BTreeMap::from([(column.to_owned(), ColumnOptions::new(test, threshold))]);
    options.ignore = data
        .arrow_schema()
        .fields()
        .iter()
        .chain(reference.arrow_schema().fields().iter())
        .map(|f| f.name().clone())
        .filter(|n| n != column)
        .collect();
    let report = detect(reference, data, &options);
    if let Some(result) = report.columns.iter().find(|c| c.column == column) {
        return Measured {
            rows: result.current_count as u64,
            value: Some(result.p_value.unwrap_or(result.statistic)),
            observed: Some(Observed::Word(
                if result.drifted {
                    "drifted"
                } else {
                    "no drift"
                }
                .into(),
            )),
            failed: Some(result.drifted),
            drift: Some(DriftStatistic {
                test: result.test,
                statistic: result.statistic,
                p_value: result.p_value,
                threshold: result.threshold,
            }),
            ..Measured::default()
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
    Measured {
        skip: Some(reason),
        ..Measured::default()
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
