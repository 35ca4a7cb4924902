//! A registered model: its schema, alert policy and what the detectors compare windows
//! with (the reference's prediction distribution, feature bins, null rates, rule violation
//! share and labelled performance), all worked out once at registration.

use crate::invalid::Invalid;
use seismo_core::Dataset;
use seismo_drift::{DriftOptions, DriftSettings};
use seismo_rules::{Rules, ValidateOptions, validate};
use seismo_stats::cbpe::{Cbpe, CbpeOptions, Metric};
use seismo_stats::sort::linear_quantile;

use crate::columns::{self, FeatureSchema, LABEL, PREDICTION};
use crate::record::{Columns, ModelSpec};
use crate::reference::{Binning, Reference, from_profile, from_rows, profile_summary};
use crate::window::{Performance, Summary};

/// What the model predicts, which decides how performance is scored: the task of
/// `seismo test` (binary: a probability of the positive class and labels 0 or 1; multiclass:
/// a class index; regression: a value).
pub use seismo_slices::Task;

/// The alert policy with its defaults filled in (see `AlertPolicy` in the proto).
#[derive(Debug, Clone)]
pub struct Policy {
    /// Tumbling window length.
    pub window_micros: i64,
    /// Window mean against the reference mean, either way.
    pub mean_ratio: f64,
    /// Window median and 90th percentile against the reference's, either way.
    pub quantile_ratio: f64,
    /// Jensen–Shannon distance of a feature's bins.
    pub drift_threshold: f64,
    /// Rise of a feature's null rate over the reference's.
    pub null_rate: f64,
    /// Rise of the share of records breaking an error-severity column rule.
    pub rule_violation_rate: f64,
    /// Fall of the labelled score below the reference's.
    pub performance_drop: f64,
    /// Windows (and labelled sets) smaller than this are not judged.
    pub min_records: u64,
    /// CUSUM allowance and decision interval, in reference standard deviations.
    pub cusum_k: f64,
    /// See `cusum_k`.
    pub cusum_h: f64,
    /// Where alerts are POSTed, if anywhere.
    pub webhook_url: Option<String>,
}

/// Whether `url` is an `http://` or `https://` address with a host, in printable ASCII
/// (what a webhook POST can be sent to).
fn web_address(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !authority.is_empty() && url.chars().all(|c| c.is_ascii_graphic())
}

fn or(value: f64, default: f64) -> f64 {
    if value > 0.0 && value.is_finite() {
        value
    } else {
        default
    }
}

impl Policy {
    fn new(spec: &ModelSpec) -> Result<Self, Invalid> {
        let p = spec.alerts.clone().unwrap_or_default();
        let window = if p.window.is_empty() { "1h" } else { &p.window };
        let window: seismo_history::WindowLength = window
            .parse()
            .map_err(|e| Invalid::new(format!("alerts.window: {e}")))?;
        let mean_ratio = if p.prediction_mean_ratio > 1.0 {
            p.prediction_mean_ratio
        } else {
            10.0
        };
        let webhook_url = (!p.webhook_url.is_empty()).then(|| p.webhook_url.clone());
        if let Some(url) = &webhook_url
            && !web_address(url)
        {
            return Err(Invalid::new(format!(
                "alerts.webhook_url: `{url}` is not an http:// or https:// address"
            )));
        }
        Ok(Self {
            window_micros: window.micros(),
            mean_ratio,
            quantile_ratio: if p.prediction_quantile_ratio > 1.0 {
                p.prediction_quantile_ratio
            } else {
                mean_ratio
            },
            drift_threshold: or(p.drift_threshold, 0.2),
            null_rate: or(p.null_rate, 0.2),
            rule_violation_rate: or(p.rule_violation_rate, 0.01),
            performance_drop: or(p.performance_drop, 0.05),
            min_records: if p.min_window_records > 0 {
                p.min_window_records
            } else {
                30
            },
            cusum_k: or(p.cusum_k, 0.5),
            cusum_h: or(p.cusum_h, 50.0),
            webhook_url,
        })
    }
}

/// The quantiles of predictions the detectors compare: median and 90th percentile.
pub const QUANTILES: [(f64, &str); 2] = [(0.5, "p50"), (0.9, "p90")];

/// A registered model and its reference.
pub struct Model {
    /// `name@version`.
    pub key: String,
    /// The registration as sent (stored, and replayed after a restart).
    pub spec: ModelSpec,
    /// The task.
    pub task: Task,
    /// The features.
    pub schema: FeatureSchema,
    /// The alert policy.
    pub policy: Policy,
    /// Per feature, its bins.
    pub bins: Vec<Binning>,
    /// The reference: rows, or a saved profile.
    pub reference: Reference,
    /// The reference summarized as a window would be.
    pub summary: Summary,
    /// The reference's median and 90th percentile prediction.
    pub quantiles: [f64; 2],
    /// The reference's smallest and largest prediction.
    pub range: (f64, f64),
    /// Mean and standard deviation of the reference predictions.
    pub mean: f64,
    /// See `mean`.
    pub std: f64,
    /// The labelled reference's performance (none without labels).
    pub performance: Option<f64>,
    /// Performance without labels (binary models with a labelled reference of both
    /// classes): CBPE fitted on the reference, and the accuracy it estimates there, which a
    /// window's estimate is compared with.
    pub estimator: Option<Estimator>,
    /// How reports test drift (`drift_toml`, else the defaults).
    pub drift: DriftOptions,
    /// The rule file, if one was given.
    pub rules: Option<Rules>,
    /// The rules each record can be judged by alone (see [`record_rules`]): what `Check`
    /// and the rule-violation detector apply.
    pub row_rules: Option<Rules>,
}

/// CBPE as the service runs it: fitted on the labelled reference rows (scores clipped to
/// [0, 1], positive when at least 0.5, labels positive when not 0), calibrated when that
/// helps (`auto`), estimating ROC AUC and accuracy.
#[derive(Debug, Clone)]
pub struct Estimator {
    /// The fitted estimator.
    pub cbpe: Cbpe,
    /// The accuracy it estimates on the reference itself.
    pub reference_accuracy: f64,
    /// The ROC AUC it estimates on the reference itself.
    pub reference_roc_auc: f64,
}

impl Estimator {
    /// `None` without labelled rows of both classes.
    fn fit(predictions: &[f64], labels: &[f64]) -> Option<Self> {
        let (scores, truth): (Vec<f64>, Vec<f64>) = predictions
            .iter()
            .zip(labels)
            .filter(|(p, l)| !p.is_nan() && !l.is_nan())
            .map(|(p, l)| (Self::probability(*p), f64::from(*l != 0.0)))
            .unzip();
        let positives = truth.iter().filter(|l| **l == 1.0).count();
        if positives == 0 || positives == truth.len() {
            return None;
        }
        let size = truth.len().div_ceil(10);
        let chunks: Vec<_> = (0..truth.len())
            .step_by(size)
            .map(|start| start..(start + size).min(truth.len()))
            .collect();
        let options = CbpeOptions {
            metrics: vec![Metric::RocAuc, Metric::Accuracy],
            ..CbpeOptions::default()
        };
        let cbpe = Cbpe::fit(&scores, &truth, &chunks, &options).ok()?;
        let on_reference = cbpe.estimate(&scores, None);
        Some(Self {
            reference_roc_auc: on_reference[0].estimated,
            reference_accuracy: on_reference[1].estimated,
            cbpe,
        })
    }

    /// A prediction as the probability CBPE reads (clipped to [0, 1]; a model serving
    /// percentages is the prediction detectors' business).
    pub fn probability(prediction: f64) -> f64 {
        prediction.clamp(0.0, 1.0)
    }

    /// A prediction's expected correctness: its calibrated probability if predicted
    /// positive, one minus it if not. A window's estimated accuracy is their mean.
    pub fn expected_correct(&self, prediction: f64) -> f64 {
        let p = Self::probability(prediction);
        let calibrated = self.cbpe.calibrate(p);
        if p >= self.cbpe.threshold() {
            calibrated
        } else {
            1.0 - calibrated
        }
    }
}

impl Model {
    /// Works out a model from its registration; errors name the request's field.
    pub fn new(spec: ModelSpec) -> Result<Self, Invalid> {
        if spec.name.is_empty() || spec.version.is_empty() {
            return Err(Invalid::new("name and version: both are required"));
        }
        let task = match spec.task.as_str() {
            "binary" => Task::Binary,
            "multiclass" => Task::Multiclass,
            "regression" => Task::Regression,
            other => {
                return Err(Invalid::new(format!(
                    "task: `{other}` is not binary, multiclass or regression"
                )));
            }
        };
        let schema = FeatureSchema::new(&spec.schema)?;
        let policy = Policy::new(&spec)?;
        let (reference, bins) = if spec.reference.is_none() && !spec.reference_profile.is_empty() {
            from_profile(&spec, &schema)?
        } else {
            from_rows(&spec, &schema)?
        };
        // Rules are planned against the reference rows, or an empty dataset of the schema.
        let empty;
        let planned_on = match &reference {
            Reference::Rows { data, .. } => data,
            Reference::Profile(_) => {
                empty = columns::to_dataset(&empty_columns(&schema), &schema);
                &empty
            }
        };
        let (rules, row_rules) = match spec.rules_toml.trim() {
            "" => (None, None),
            text => {
                let rules =
                    Rules::parse("rules_toml", text).map_err(|e| Invalid::new(e.to_string()))?;
                // Planning checks every column and expression against the schema.
                let with = matches!(reference, Reference::Rows { .. }).then_some(planned_on);
                validate(&rules, planned_on, with, &ValidateOptions::default())
                    .map_err(|e| Invalid::new(e.to_string()))?;
                let row_rules = record_rules(&rules);
                (Some(rules), row_rules)
            }
        };
        let drift = drift_options(&spec.drift_toml, &schema)?;
        let mut model = Self {
            key: format!("{}@{}", spec.name, spec.version),
            drift,
            task,
            schema,
            policy,
            bins,
            reference,
            summary: Summary::default(),
            quantiles: [0.0; 2],
            range: (0.0, 0.0),
            mean: 0.0,
            std: 0.0,
            performance: None,
            estimator: None,
            rules,
            row_rules,
            spec,
        };
        match &model.reference {
            Reference::Rows { columns, .. } => {
                let summary = Summary::of(columns, &model)
                    .map_err(|e| Invalid::new(format!("rules_toml: {e}")))?;
                let mut sorted = columns.predictions.clone();
                sorted.sort_by(f64::total_cmp);
                let n = sorted.len() as f64;
                let mean = sorted.iter().sum::<f64>() / n;
                let mut performance = Performance::default();
                for (&p, &l) in columns.predictions.iter().zip(&columns.labels) {
                    if !l.is_nan() {
                        performance.add(task, p, l, 1.0);
                    }
                }
                model.std = (sorted.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / n).sqrt();
                model.quantiles =
                    QUANTILES.map(|(q, _)| linear_quantile(&sorted, q).unwrap_or(f64::NAN));
                model.range = (sorted[0], sorted[sorted.len() - 1]);
                model.mean = mean;
                model.performance = performance.score(task);
                model.estimator = (task == Task::Binary)
                    .then(|| Estimator::fit(&columns.predictions, &columns.labels))
                    .flatten();
                model.summary = summary;
            }
            Reference::Profile(profile) => {
                let (summary, prediction) = profile_summary(profile, &model)?;
                let sketch = prediction.quantiles.as_ref().expect("checked numeric");
                let quantiles = sketch
                    .quantiles_at(&QUANTILES.map(|(q, _)| q))
                    .unwrap_or_default();
                model.quantiles = [quantiles[0], quantiles[1]];
                model.range = sketch.range().expect("checked nonempty");
                model.mean = prediction.moments.mean().expect("checked nonempty");
                model.std = prediction.moments.variance(0).map_or(0.0, f64::sqrt);
                model.summary = summary;
            }
        }
        Ok(model)
    }

    /// The reference rows, if the reference is rows.
    pub fn reference_rows(&self) -> Option<(&Columns, &Dataset)> {
        match &self.reference {
            Reference::Rows { columns, data } => Some((columns, data)),
            Reference::Profile(_) => None,
        }
    }

    /// The start of the tumbling window holding `time_micros`.
    pub fn window_start(&self, time_micros: i64) -> i64 {
        time_micros.div_euclid(self.policy.window_micros) * self.policy.window_micros
    }
}

/// The rules a record can break on its own: `[[column]]` rules without the ones about
/// the whole set (`unique`, `monotonic`, and null or unseen-value shares that tolerate
/// some), and `[[dataset]]` rules that are only an `expr`. None if nothing is left.
fn record_rules(rules: &Rules) -> Option<Rules> {
    let mut kept = rules.clone();
    let file = &mut kept.file;
    file.statistic.clear();
    file.drift.clear();
    file.dataset.retain(|r| {
        r.expr.is_some()
            && r.min_rows.is_none()
            && r.max_rows.is_none()
            && r.max_duplicate_fraction.is_none()
            && r.max_reference_overlap.is_none()
            && r.max_conflicting_labels.is_none()
    });
    for rule in &mut file.column {
        rule.unique = false;
        rule.monotonic = None;
        if rule.max_null_fraction.is_some_and(|f| f > 0.0) {
            rule.max_null_fraction = None;
        }
        if rule.max_unseen_fraction.is_some_and(|f| f > 0.0) {
            rule.allowed = None;
            rule.max_unseen_fraction = None;
        }
    }
    (!file.column.is_empty() || !file.dataset.is_empty()).then_some(kept)
}

/// Reports' drift options from a registration's `drift_toml`; errors name the place.
fn drift_options(text: &str, schema: &FeatureSchema) -> Result<DriftOptions, Invalid> {
    let settings: DriftSettings = if text.trim().is_empty() {
        DriftSettings::default()
    } else {
        seismo_config::ConfigFile::new("drift_toml", text)
            .parse()
            .map_err(|e| Invalid::new(e.to_string()))?
    };
    let bad = |message: String| Err(Invalid::new(format!("drift_toml: {message}")));
    if let Some((setting, problem)) = settings.invalid() {
        return bad(format!("{setting} {problem}"));
    }
    if !settings.prediction.is_empty() || !settings.target.is_empty() {
        return bad(format!(
            "prediction, target: the service names them `{PREDICTION}` and `{LABEL}`; leave these out"
        ));
    }
    let known = |name: &str| {
        name == PREDICTION || name == LABEL || schema.features.iter().any(|(f, _)| f == name)
    };
    let named = settings
        .columns
        .keys()
        .map(|c| (format!("[columns.{c}]"), c))
        .chain(settings.ignore.iter().map(|c| (format!("ignore `{c}`"), c)));
    for (place, column) in named {
        if !known(column) {
            let features: Vec<&str> = schema.features.iter().map(|(f, _)| f.as_str()).collect();
            return bad(format!(
                "{place}: no such column (features: {}; and {PREDICTION}, {LABEL})",
                features.join(", ")
            ));
        }
    }
    let mut options = DriftOptions::default();
    options.numeric_test = settings.numeric_test;
    options.categorical_test = settings.categorical_test;
    options.threshold = settings.threshold;
    options.drift_share = settings.drift_share.unwrap_or(0.5);
    options.correction = settings.correction;
    options.seed = settings.seed.unwrap_or(0);
    options.ignore = settings.ignore.into_iter().collect();
    options.columns = settings.columns;
    options.threads = 1;
    Ok(options)
}

/// No records, normalized for `schema`.
pub fn empty_columns(schema: &FeatureSchema) -> Columns {
    columns::normalize(Columns::default(), schema).expect("no records cannot be invalid")
}

#[cfg(test)]
mod tests {}
