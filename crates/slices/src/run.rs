//! Running a suite: every test on its slice, against its thresholds, the overall value and
//! the baseline; bootstrap intervals on request; fairness across groups; and the slices
//! where the candidate is worse than the baseline.

use std::collections::BTreeMap;

use seismo_core::{Dataset, Severity};
use seismo_expr::Predicate;
use seismo_stats::random::SplitMix64;
use serde::Serialize;
use serde_json::{Value, json};

use crate::SuiteError;
use crate::data::{Columns, Scored, baseline_order, group_keys, rows_where, scored};
use crate::fairness::{
    GroupRates, demographic_parity_difference, disparate_impact_ratio, equalized_odds_difference,
    group_rates,
};
use crate::metrics::{Metric, Predictions};
use crate::suite::Suite;

/// How a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestOutcome {
    /// The thresholds hold (at the chosen confidence, with a bootstrap).
    Pass,
    /// The interval straddles a threshold: the data cannot tell.
    Inconclusive,
    /// Too few rows, or a metric undefined on the slice: no result, never a pass.
    Skipped,
    /// A threshold failed with severity `warn`.
    Warn,
    /// A threshold failed.
    Fail,
}

/// One test's result.
#[derive(Debug, Clone, Serialize)]
pub struct ModelTestResult {
    /// The test's name.
    pub test: String,
    /// The slice (`all` for every row; `groups: a, b` for fairness).
    pub slice: String,
    /// The metric or fairness measure.
    pub metric: String,
    /// Its value on the slice.
    pub value: Option<f64>,
    /// Rows in the slice.
    pub rows: u64,
    /// The thresholds, by name (`min`, `max_vs_baseline`, ...).
    pub threshold: BTreeMap<&'static str, f64>,
    /// How it ended.
    pub outcome: TestOutcome,
    /// The severity it ran with.
    pub severity: Severity,
    /// The metric on every row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall: Option<f64>,
    /// The baseline model's value on the same rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    /// The bootstrap interval of the value, at the suite's confidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
    /// Why a test was skipped or inconclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `file:line` of the test in the suite.
    pub location: String,
    /// Per-group numbers of a fairness check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<FairnessDetails>,
}

/// The groups behind a fairness check.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessDetails {
    /// The grouping columns.
    pub groups: Vec<String>,
    /// Each group with at least `min_rows` rows: its rates and the suite's metrics on it.
    pub by_group: Vec<GroupNumbers>,
    /// The groups left out for having fewer rows, with their row counts.
    pub excluded_groups: Vec<(Vec<String>, u64)>,
}

/// One group's numbers in a fairness check.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupNumbers {
    /// The rates fairlearn's measures compare.
    pub rates: GroupRates,
    /// The fairness entry's `metrics` on the group (none where undefined).
    pub metrics: Vec<(String, Option<f64>)>,
}

impl FairnessDetails {
    /// As JSON: `groups`, `by_group` (each group's rates and metrics in one object) and
    /// `excluded_groups` (`{group, rows}`).
    pub fn to_json(&self) -> Value {
        let by_group: Vec<Value> = self
            .by_group
            .iter()
            .map(|g| {
                let mut entry = serde_json::to_value(&g.rates).expect("plain data");
                for (name, value) in &g.metrics {
                    entry[name.as_str()] = json!(value);
                }
                entry
            })
            .collect();
        let excluded: Vec<Value> = self
            .excluded_groups
            .iter()
            .map(|(group, rows)| json!({"group": group, "rows": rows}))
            .collect();
        json!({"groups": self.groups, "by_group": by_group, "excluded_groups": excluded})
    }
}

impl Serialize for FairnessDetails {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// A slice where the candidate is worse than the baseline beyond the tolerance.
#[derive(Debug, Clone, Serialize)]
pub struct Regression {
    /// The slice.
    pub slice: String,
    /// The metric.
    pub metric: String,
    /// Rows in the slice.
    pub rows: u64,
    /// The candidate's value.
    pub candidate: f64,
    /// The baseline's value.
    pub baseline: f64,
    /// Candidate minus baseline.
    pub delta: f64,
    /// The same difference on every row: positive for a metric where higher is better means
    /// the candidate improved overall.
    pub overall_delta: Option<f64>,
}

/// How the baseline's decisions differ from the candidate's on one slice: the prediction
/// churn ("the new model changes 8% of decisions for branch customers").
#[derive(Debug, Clone, Serialize)]
pub struct Churn {
    /// The slice (`all`, then the suite's slices in order).
    pub slice: String,
    /// Rows in the slice.
    pub rows: u64,
    /// Decisions that differ (binary: the side of the decision threshold; multiclass: the
    /// class); `None` for regression.
    pub changed: Option<u64>,
    /// Their share of the slice's rows.
    pub change_rate: Option<f64>,
    /// Mean |candidate − baseline| of the prediction (binary: the probability; regression:
    /// the value); `None` for multiclass.
    pub mean_abs_change: Option<f64>,
}

/// A suite's results.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    /// Whether no error-severity test failed.
    pub passed: bool,
    /// Rows with a target and a prediction.
    pub rows: u64,
    /// Rows left out for a missing target or prediction.
    pub rows_without_label: u64,
    /// Whether a baseline was given.
    pub baseline: bool,
    /// One result per test and per fairness measure, in suite order.
    pub results: Vec<ModelTestResult>,
    /// With a baseline: slices and metrics of the suite where the candidate is worse.
    pub regressions: Vec<Regression>,
    /// With a baseline: how many decisions change, overall and per slice.
    pub churn: Vec<Churn>,
}

/// How to run a suite.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Slices and tests computed at once, each on its own thread (1: on the calling
    /// thread). Results are the same, in suite order, whatever the count.
    pub threads: usize,
}

impl RunOptions {
    /// A run on `threads` threads.
    pub fn with_threads(threads: usize) -> Self {
        Self { threads }
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        Self { threads: 1 }
    }
}

/// `f(0..n)` on `threads` threads, in order (see `seismo_stats::parallel`).
fn parallel_map<T: Send>(n: usize, threads: usize, f: &(dyn Fn(usize) -> T + Sync)) -> Vec<T> {
    let indices: Vec<usize> = (0..n).collect();
    seismo_stats::parallel::map_ordered(&indices, threads, |&i| f(i))
}

/// The rows of every slice by name (with `all`).
fn slice_rows(
    suite: &Suite,
    data: &Dataset,
    valid: &[bool],
    threads: usize,
) -> Result<BTreeMap<String, Vec<u32>>, SuiteError> {
    let mut slices = BTreeMap::new();
    let all: Vec<u32> = (0..valid.len() as u32)
        .filter(|&r| valid[r as usize])
        .collect();
    slices.insert("all".to_owned(), all);
    let mut predicates = Vec::new();
    for (i, slice) in suite.file.slice.iter().enumerate() {
        let at = suite.locate("slice", i, Some("where"));
        let predicate = Predicate::compile(&slice.condition, data.arrow_schema()).map_err(|e| {
            let at = match e.position {
                Some(p) => at.within(p.line, p.column),
                None => at.clone(),
            };
            SuiteError::new(at, format!("`{}`: {}", slice.condition, e.message))
        })?;
        predicates.push((at, predicate));
    }
    let rows = parallel_map(predicates.len(), threads, &|i| {
        let (at, predicate) = &predicates[i];
        rows_where(data, predicate, valid).map_err(|e| SuiteError::new(at.clone(), e.message))
    });
    for (slice, rows) in suite.file.slice.iter().zip(rows) {
        slices.insert(slice.name.clone(), rows?);
    }
    Ok(slices)
}

/// A suite's run once the data is read: the slices' rows, both models' predictions, and
/// each metric's value on all rows.
struct SuiteRun<'a> {
    suite: &'a Suite,
    slices: &'a BTreeMap<String, Vec<u32>>,
    candidate: &'a Scored,
    base: Option<&'a Scored>,
    overall: Vec<(Metric, Option<f64>)>,
}

impl SuiteRun<'_> {
    /// The candidate's value of `metric` on every row.
    fn overall(&self, metric: Metric) -> Option<f64> {
        self.overall
            .iter()
            .find(|(m, _)| *m == metric)
            .and_then(|(_, v)| *v)
    }

    /// The `i`-th test: its value on its slice, judged by its thresholds (with a bootstrap
    /// when the suite asks for one).
    fn test(&self, i: usize) -> ModelTestResult {
        let (suite, f) = (self.suite, &self.suite.file);
        let test = &f.test[i];
        let metric = suite.metric(i);
        let rows = &self.slices[&test.slice];
        let min_rows = test.min_rows.unwrap_or(f.min_rows);
        let mut result = ModelTestResult {
            test: test
                .name
                .clone()
                .unwrap_or_else(|| format!("{}.{metric}", test.slice)),
            slice: test.slice.clone(),
            metric: metric.to_string(),
            value: None,
            rows: rows.len() as u64,
            threshold: thresholds(test),
            outcome: TestOutcome::Skipped,
            severity: test.severity,
            overall: self.overall(metric),
            baseline: None,
            interval: None,
            reason: None,
            location: suite.locate("test", i, None).to_string(),
            details: None,
        };
        if (rows.len() as u64) < min_rows {
            result.reason = Some(format!(
                "insufficient data: {} rows, fewer than min_rows = {min_rows}",
                rows.len()
            ));
            return result;
        }
        let value = match self.candidate.predictions.metric(metric, rows) {
            Ok(v) => v,
            Err(why) => {
                result.reason = Some(why.0);
                return result;
            }
        };
        result.value = Some(value);
        result.baseline = self
            .base
            .and_then(|b| b.predictions.metric(metric, rows).ok());
        let needs_baseline = test.min_vs_baseline.is_some() || test.max_vs_baseline.is_some();
        if needs_baseline && result.baseline.is_none() {
            result.reason = Some(if self.base.is_none() {
                "a threshold against the baseline, and no --baseline".into()
            } else {
                "the baseline's metric is undefined on this slice".into()
            });
            return result;
        }
        let conditions = Conditions::of(test, result.overall);
        if conditions.needs_overall && result.overall.is_none() {
            result.reason = Some("the metric is undefined on all rows".into());
            return result;
        }
        result.outcome = if f.bootstrap > 0 {
            let seed = f.seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let (verdict, interval, reason) = bootstrap(
                &self.candidate.predictions,
                self.base.map(|b| &b.predictions),
                metric,
                rows,
                &conditions,
                f.bootstrap,
                f.confidence,
                seed,
            );
            result.interval = interval;
            result.reason = reason;
            verdict
        } else if conditions.hold(value, result.baseline) {
            TestOutcome::Pass
        } else {
            TestOutcome::Fail
        };
        if result.outcome == TestOutcome::Fail && test.severity == Severity::Warn {
            result.outcome = TestOutcome::Warn;
        }
        result
    }
}

/// Runs `suite` on `data`, comparing with `baseline` (the same rows scored by another
/// model) when given. Mistakes in the suite that only the data reveals (unknown columns,
/// expressions that do not fit) are errors with their place in the suite file.
pub fn run_suite(
    suite: &Suite,
    data: &Dataset,
    baseline: Option<&Dataset>,
    options: &RunOptions,
) -> Result<TestReport, SuiteError> {
    let columns = Columns::of(suite);
    let candidate = scored(&columns, data, data, None)?;
    let base = match baseline {
        Some(b) => {
            let at = match &suite.file.id {
                Some(_) => suite.locate_top("id"),
                None => seismo_config::Location::line(suite.path(), None),
            };
            let order = baseline_order(suite.file.id.as_deref(), at, data, b)?;
            Some(scored(&columns, data, b, Some(&order))?)
        }
        None => None,
    };
    // A row counts when both models scored it and it has a truth.
    let valid: Vec<bool> = match &base {
        Some(b) => candidate
            .valid
            .iter()
            .zip(&b.valid)
            .map(|(a, b)| *a && *b)
            .collect(),
        None => candidate.valid.clone(),
    };
    let slices = slice_rows(suite, data, &valid, options.threads)?;
    let all = &slices["all"];
    let f = &suite.file;
    // The overall value of each metric, computed once.
    let mut overall: Vec<(Metric, Option<f64>)> = Vec::new();
    for i in 0..f.test.len() {
        let metric = suite.metric(i);
        if !overall.iter().any(|(m, _)| *m == metric) {
            overall.push((metric, candidate.predictions.metric(metric, all).ok()));
        }
    }
    let run = SuiteRun {
        suite,
        slices: &slices,
        candidate: &candidate,
        base: base.as_ref(),
        overall,
    };
    let mut results = parallel_map(f.test.len(), options.threads, &|i| run.test(i));
    for i in 0..f.fairness.len() {
        results.extend(fairness_results(suite, i, data, &candidate, &valid)?);
    }
    let regressions = match &base {
        Some(b) => regressions(suite, &slices, &candidate.predictions, &b.predictions),
        None => Vec::new(),
    };
    let churn = match &base {
        Some(b) => churn(suite, &slices, &candidate.predictions, &b.predictions),
        None => Vec::new(),
    };
    let rows = all.len() as u64;
    Ok(TestReport {
        passed: !results.iter().any(|r| r.outcome == TestOutcome::Fail),
        rows,
        rows_without_label: data.num_rows() as u64 - rows,
        baseline: base.is_some(),
        results,
        regressions,
        churn,
    })
}

/// The churn between the two models on every slice: `all`, then the suite's slices.
fn churn(
    suite: &Suite,
    slices: &BTreeMap<String, Vec<u32>>,
    candidate: &Predictions,
    baseline: &Predictions,
) -> Vec<Churn> {
    let names = std::iter::once("all").chain(suite.file.slice.iter().map(|s| s.name.as_str()));
    names
        .filter_map(|name| {
            let rows = slices.get(name)?;
            let (changed, mean_abs_change) = candidate.churn(baseline, rows);
            Some(Churn {
                slice: name.to_owned(),
                rows: rows.len() as u64,
                changed,
                change_rate: changed
                    .filter(|_| !rows.is_empty())
                    .map(|c| c as f64 / rows.len() as f64),
                mean_abs_change,
            })
        })
        .collect()
}

fn thresholds(test: &crate::suite::TestSpec) -> BTreeMap<&'static str, f64> {
    test.bounds()
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect()
}

/// A test's thresholds as bounds on the value, on value − overall, and on value − baseline.
struct Conditions {
    value: (Option<f64>, Option<f64>),
    vs_overall: (Option<f64>, Option<f64>),
    vs_baseline: (Option<f64>, Option<f64>),
    overall: Option<f64>,
    needs_overall: bool,
}

impl Conditions {
    fn of(test: &crate::suite::TestSpec, overall: Option<f64>) -> Self {
        Self {
            value: (test.min, test.max),
            vs_overall: (test.min_vs_overall, test.max_vs_overall),
            vs_baseline: (test.min_vs_baseline, test.max_vs_baseline),
            overall,
            needs_overall: test.min_vs_overall.is_some() || test.max_vs_overall.is_some(),
        }
    }

    /// Each bound with the quantity it judges, given the value and the baseline's value.
    fn judged(&self, value: f64, baseline: Option<f64>) -> Vec<(f64, Option<f64>, Option<f64>)> {
        let mut out = vec![(value, self.value.0, self.value.1)];
        if let Some(overall) = self.overall {
            out.push((value - overall, self.vs_overall.0, self.vs_overall.1));
        }
        if let Some(b) = baseline {
            out.push((value - b, self.vs_baseline.0, self.vs_baseline.1));
        }
        out
    }

    fn hold(&self, value: f64, baseline: Option<f64>) -> bool {
        self.judged(value, baseline)
            .iter()
            .all(|(x, lo, hi)| lo.is_none_or(|l| *x >= l) && hi.is_none_or(|h| *x <= h))
    }
}

/// Judges a test by a seeded bootstrap of its slice's rows (paired with the baseline's
/// predictions on the same resampled rows): pass when every bound's interval lies inside it,
/// fail when an interval lies wholly outside one, inconclusive otherwise.
#[allow(clippy::too_many_arguments)]
fn bootstrap(
    candidate: &Predictions,
    baseline: Option<&Predictions>,
    metric: Metric,
    rows: &[u32],
    conditions: &Conditions,
    resamples: u32,
    confidence: f64,
    seed: u64,
) -> (TestOutcome, Option<[f64; 2]>, Option<String>) {
    let mut rng = SplitMix64::new(seed);
    let mut judged: Vec<Vec<f64>> = Vec::new();
    let mut values = Vec::new();
    let mut undefined = 0u32;
    let mut sample = vec![0u32; rows.len()];
    for _ in 0..resamples {
        for s in sample.iter_mut() {
            *s = rows[rng.below(rows.len())];
        }
        let value = candidate.metric(metric, &sample);
        let base = baseline.map(|b| b.metric(metric, &sample));
        let (Ok(value), Ok(base)) = (value, base.transpose()) else {
            undefined += 1;
            continue;
        };
        values.push(value);
        let quantities = conditions.judged(value, base);
        if judged.is_empty() {
            judged = vec![Vec::new(); quantities.len()];
        }
        for (k, (x, _, _)) in quantities.iter().enumerate() {
            judged[k].push(*x);
        }
    }
    if values.len() < resamples as usize / 2 {
        return (
            TestOutcome::Inconclusive,
            None,
            Some(format!(
                "the metric is undefined on {undefined} of {resamples} resamples"
            )),
        );
    }
    let alpha = 1.0 - confidence;
    let interval = |xs: &mut Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        let at = |p: f64| seismo_stats::sort::linear_quantile(xs, p).unwrap_or(f64::NAN);
        [at(alpha / 2.0), at(1.0 - alpha / 2.0)]
    };
    let bounds = conditions.judged(0.0, baseline.map(|_| 0.0));
    let mut verdict = TestOutcome::Pass;
    for (k, xs) in judged.iter_mut().enumerate() {
        let [lo, hi] = interval(xs);
        let (_, min, max) = bounds[k];
        let inside = min.is_none_or(|m| lo >= m) && max.is_none_or(|m| hi <= m);
        let outside = min.is_some_and(|m| hi < m) || max.is_some_and(|m| lo > m);
        if outside {
            verdict = TestOutcome::Fail;
        } else if !inside && verdict == TestOutcome::Pass {
            verdict = TestOutcome::Inconclusive;
        }
    }
    let reason = (verdict == TestOutcome::Inconclusive).then(|| {
        format!(
            "the {:.0}% interval straddles a threshold",
            confidence * 100.0
        )
    });
    (verdict, Some(interval(&mut values)), reason)
}

/// The results of one `[[fairness]]` entry: one per measure with a threshold.
fn fairness_results(
    suite: &Suite,
    index: usize,
    data: &Dataset,
    candidate: &Scored,
    valid: &[bool],
) -> Result<Vec<ModelTestResult>, SuiteError> {
    let spec = &suite.file.fairness[index];
    let at = suite.locate("fairness", index, Some("groups"));
    let keys = group_keys(data, &spec.groups, &at)?;
    let mut members: BTreeMap<Vec<String>, Vec<u32>> = BTreeMap::new();
    for (r, key) in keys.into_iter().enumerate() {
        if valid[r] {
            members.entry(key).or_default().push(r as u32);
        }
    }
    let min_rows = spec.min_rows.unwrap_or(suite.file.min_rows);
    let (kept, small): (Vec<_>, Vec<_>) = members
        .into_iter()
        .partition(|(_, rows)| rows.len() as u64 >= min_rows);
    let rates: Vec<GroupRates> = kept
        .iter()
        .map(|(g, rows)| group_rates(&candidate.predictions, g.clone(), rows))
        .collect();
    let by_group = kept
        .iter()
        .zip(&rates)
        .map(|((_, rows), rate)| GroupNumbers {
            rates: rate.clone(),
            metrics: spec
                .metrics
                .iter()
                .map(|name| {
                    let metric: Metric = name.parse().expect("checked by parse");
                    (
                        name.clone(),
                        candidate.predictions.metric(metric, rows).ok(),
                    )
                })
                .collect(),
        })
        .collect();
    let details = FairnessDetails {
        groups: spec.groups.clone(),
        by_group,
        excluded_groups: small
            .iter()
            .map(|(g, rows)| (g.clone(), rows.len() as u64))
            .collect(),
    };
    let name = spec
        .name
        .clone()
        .unwrap_or_else(|| format!("fairness by {}", spec.groups.join(", ")));
    let rows: u64 = rates.iter().map(|g| g.rows).sum();
    let measures = [
        (
            "demographic_parity_difference",
            demographic_parity_difference(&rates),
            None,
            spec.max_demographic_parity_difference,
        ),
        (
            "equalized_odds_difference",
            equalized_odds_difference(&rates),
            None,
            spec.max_equalized_odds_difference,
        ),
        (
            "disparate_impact_ratio",
            disparate_impact_ratio(&rates),
            spec.min_disparate_impact_ratio,
            None,
        ),
    ];
    let mut results = Vec::new();
    for (measure, value, min, max) in measures {
        if min.is_none() && max.is_none() {
            continue;
        }
        let threshold: BTreeMap<&'static str, f64> = match (min, max) {
            (Some(m), _) => BTreeMap::from([("min", m)]),
            (_, Some(m)) => BTreeMap::from([("max", m)]),
            _ => BTreeMap::new(),
        };
        let mut result = ModelTestResult {
            test: format!("{name}: {measure}"),
            slice: format!("groups: {}", spec.groups.join(", ")),
            metric: measure.into(),
            value,
            rows,
            threshold,
            outcome: TestOutcome::Skipped,
            severity: spec.severity,
            overall: None,
            baseline: None,
            interval: None,
            reason: None,
            location: suite.locate("fairness", index, None).to_string(),
            details: Some(details.clone()),
        };
        match value {
            _ if rates.len() < 2 => {
                result.reason = Some(format!(
                    "{} group(s) with at least {min_rows} rows: a comparison needs two",
                    rates.len()
                ));
            }
            None => result.reason = Some("undefined: no group is ever selected".into()),
            Some(v) => {
                let held = min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m);
                result.outcome = match (held, spec.severity) {
                    (true, _) => TestOutcome::Pass,
                    (false, Severity::Warn) => TestOutcome::Warn,
                    (false, Severity::Error) => TestOutcome::Fail,
                };
            }
        }
        results.push(result);
    }
    Ok(results)
}

/// Every slice (with `all`) and metric of the suite's tests where the candidate is worse
/// than the baseline by more than the tolerance, worst first.
fn regressions(
    suite: &Suite,
    slices: &BTreeMap<String, Vec<u32>>,
    candidate: &Predictions,
    baseline: &Predictions,
) -> Vec<Regression> {
    let tolerance = suite.file.regression_tolerance;
    let mut metrics: Vec<Metric> = Vec::new();
    for i in 0..suite.file.test.len() {
        let metric = suite.metric(i);
        if !metrics.contains(&metric) {
            metrics.push(metric);
        }
    }
    let all = &slices["all"];
    let mut found = Vec::new();
    for &metric in &metrics {
        let Some(better) = metric.higher_is_better() else {
            continue;
        };
        let sign = if better { 1.0 } else { -1.0 };
        let overall_delta = match (candidate.metric(metric, all), baseline.metric(metric, all)) {
            (Ok(c), Ok(b)) => Some(c - b),
            _ => None,
        };
        for (name, rows) in slices {
            let (Ok(c), Ok(b)) = (
                candidate.metric(metric, rows),
                baseline.metric(metric, rows),
            ) else {
                continue;
            };
            if sign * (c - b) < -tolerance {
                found.push(Regression {
                    slice: name.clone(),
                    metric: metric.to_string(),
                    rows: rows.len() as u64,
                    candidate: c,
                    baseline: b,
                    delta: c - b,
                    overall_delta,
                });
            }
        }
    }
    found.sort_by(|a, b| {
        let worse = |r: &Regression| {
            let better = r
                .metric
                .parse::<Metric>()
                .ok()
                .and_then(Metric::higher_is_better);
            if better == Some(false) {
                -r.delta
            } else {
                r.delta
            }
        };
        worse(a).total_cmp(&worse(b))
    });
    found
}
