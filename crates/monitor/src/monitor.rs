//! [`Monitor`]: monitoring as a library. Register models, log records as columns, join late
//! labels, guard single predictions, report on a time range, list and watch alerts, all
//! against a durable store, without gRPC. `seismo-server` is one front end over it; a team
//! can embed it in its own service the same way.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use seismo_core::Outcome;
use tokio::sync::broadcast;

use crate::columns;
use crate::invalid::Invalid;
use crate::metrics::{Metrics, ModelLabel};
use crate::model::Model;
use crate::record::{Alert, Columns, ModelSpec};
use crate::report::{self, Covered, ReportError};
use crate::store::{Store, StoreError, encode_compressed};
use crate::window::Summary;
use crate::writer::{Outlets, Refused, WindowPart, Writer};

/// Records or labels per call at most: larger batches are refused, not buffered.
pub const MAX_RECORDS: usize = 10_000;

/// Why a call was refused or failed. Each case maps to one gRPC status at the edge.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// The input does not fit (INVALID_ARGUMENT).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// No model is registered under that name (NOT_FOUND).
    #[error("model: no model `{name}` is registered (registered: {known})")]
    UnknownModel {
        /// The name asked for.
        name: String,
        /// The registered names, comma-separated.
        known: String,
    },
    /// Too much at once: a call over [`MAX_RECORDS`], a full writer queue, a report over
    /// its record limit (RESOURCE_EXHAUSTED).
    #[error("{0}")]
    Overloaded(String),
    /// The store's writer stopped: the monitor is shutting down (UNAVAILABLE).
    #[error("the store's writer stopped")]
    Stopped,
    /// The store failed (INTERNAL).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A summary or check could not run on data that was accepted (INTERNAL).
    #[error("{0}")]
    Internal(String),
}

impl From<Refused> for MonitorError {
    fn from(e: Refused) -> Self {
        match e {
            Refused::Overloaded { .. } => Self::Overloaded(e.to_string()),
            Refused::Stopped => Self::Stopped,
        }
    }
}

/// How a monitor runs: limits and retention.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MonitorOptions {
    /// Records waiting to be committed at most; more is refused as overloaded.
    pub max_pending_records: u64,
    /// Windows older than this are deleted (none: kept).
    pub retention: Option<std::time::Duration>,
    /// Records one report reads at most (it holds them in memory).
    pub max_report_records: usize,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        Self {
            max_pending_records: 1_000_000,
            retention: None,
            max_report_records: 5_000_000,
        }
    }
}

/// The guard's answer for a few records: block, warn or pass, with the reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Nothing is wrong.
    Ok,
    /// Something is unusual; the records may still be used.
    Warn,
    /// The records should not be acted on.
    Block,
}

/// What [`Monitor::check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The worst of the reasons.
    pub verdict: Verdict,
    /// One sentence per finding, naming the record (`records[2].prediction: ...`).
    pub reasons: Vec<String>,
}

/// The registered models by `name@version`.
type Models = Arc<RwLock<HashMap<String, Arc<Model>>>>;

/// A monitor over a store: see the module docs.
pub struct Monitor {
    store: Arc<Store>,
    models: Models,
    writer: Writer,
    alerts: broadcast::Sender<Alert>,
    max_report_records: usize,
    metrics: Arc<Metrics>,
}

/// Refuses a call holding more than [`MAX_RECORDS`] entries in `field` (front ends call it
/// before converting a request, so an oversized one costs nothing).
pub fn within_limit(field: &str, count: usize) -> Result<(), MonitorError> {
    if count > MAX_RECORDS {
        return Err(MonitorError::Overloaded(format!(
            "{field}: {count} in one request, at most {MAX_RECORDS}"
        )));
    }
    Ok(())
}

impl Monitor {
    /// A monitor over `store`, with the models registered before a restart (a model that
    /// no longer loads is logged and skipped). Changed alerts are broadcast to
    /// [`subscribe`](Self::subscribe)rs and sent to `webhooks` with their URL.
    pub fn open(
        store: Arc<Store>,
        metrics: Arc<Metrics>,
        webhooks: tokio::sync::mpsc::UnboundedSender<(String, Alert)>,
        options: &MonitorOptions,
    ) -> Result<Self, StoreError> {
        let mut models = HashMap::new();
        for (key, spec) in store.models()? {
            match Model::new(spec) {
                Ok(model) => {
                    models.insert(key, Arc::new(model));
                }
                Err(e) => tracing::error!("model {key} cannot be loaded: {e}"),
            }
        }
        let models: Models = Arc::new(RwLock::new(models));
        let (alerts, _) = broadcast::channel(1024);
        let outlets = Outlets {
            alerts: alerts.clone(),
            webhooks,
            metrics: metrics.clone(),
        };
        let writer = Writer::start(
            store.clone(),
            outlets,
            options.max_pending_records,
            options.retention,
            models.clone(),
        )?;
        Ok(Self {
            store,
            models,
            writer,
            alerts,
            max_report_records: options.max_report_records,
            metrics,
        })
    }

    /// Turns true once the monitor is dropped and its writer has released the store.
    pub fn finished(&self) -> tokio::sync::watch::Receiver<bool> {
        self.writer.finished()
    }

    /// The metrics the monitor keeps.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// A registered model by `name@version`.
    pub fn model(&self, name: &str) -> Result<Arc<Model>, MonitorError> {
        let models = self.models.read().expect("no panics while held");
        models.get(name).cloned().ok_or_else(|| {
            let mut known: Vec<&str> = models.keys().map(String::as_str).collect();
            known.sort_unstable();
            MonitorError::UnknownModel {
                name: name.to_owned(),
                known: known.join(", "),
            }
        })
    }

    /// Registers (or replaces) a model: works it out from `spec` (the reference's
    /// statistics, rules, policy), stores the registration, and returns the model. Blocks
    /// while the reference is summarized: call it off an async runtime's serving threads.
    pub fn register(&self, spec: ModelSpec) -> Result<Arc<Model>, MonitorError> {
        let model = Model::new(spec)?;
        self.store.put_model(&model.key, &model.spec)?;
        let model = Arc::new(model);
        self.models
            .write()
            .expect("no panics while held")
            .insert(model.key.clone(), model.clone());
        Ok(model)
    }

    /// Validates `columns` against the model, then stores them, returning once they are
    /// committed (durable). Nothing is stored if a record is invalid. Returns the records
    /// accepted.
    pub async fn log(&self, model: &str, columns: Columns) -> Result<u64, MonitorError> {
        let started = std::time::Instant::now();
        let result = self.store_columns(model, columns).await;
        match &result {
            Ok(count) => {
                self.metrics
                    .records
                    .get_or_create(&label(model))
                    .inc_by(*count);
                self.metrics
                    .log_seconds
                    .observe(started.elapsed().as_secs_f64());
            }
            Err(e) => self.note_refused(model, e),
        }
        result
    }

    /// Counts a refused log call in the metrics (the front end calls it for input it
    /// refused before [`log`](Self::log), such as rows that did not become columns).
    pub fn note_refused(&self, model: &str, error: &MonitorError) {
        match error {
            MonitorError::Overloaded(_) => self.metrics.overloaded.inc(),
            _ => self.metrics.rejected.get_or_create(&label(model)).inc(),
        };
    }

    async fn store_columns(&self, model: &str, columns: Columns) -> Result<u64, MonitorError> {
        let count = columns::len(&columns);
        within_limit("records", count)?;
        let model = self.model(model)?;
        let columns = columns::normalize(columns, &model.schema)?;
        if count == 0 {
            return Ok(0);
        }
        let mut parts = Vec::new();
        for (start, columns) in columns::split_by_window(columns, |t| model.window_start(t)) {
            let summary =
                Summary::of(&columns, &model).map_err(|e| MonitorError::Internal(e.to_string()))?;
            parts.push(WindowPart {
                start,
                encoded: encode_compressed(&columns),
                columns,
                summary,
            });
        }
        let done = self.writer.log(model, parts)?;
        done.await.map_err(|_| MonitorError::Stopped)??;
        Ok(count as u64)
    }

    /// Joins labels to logged records by id; returns (joined, unknown ids). A label for
    /// an unknown id is not stored; a second label for a record replaces the first.
    pub async fn log_labels(
        &self,
        model: &str,
        labels: Vec<(String, f64)>,
    ) -> Result<(u64, u64), MonitorError> {
        let model = self.model(model)?;
        within_limit("labels", labels.len())?;
        for (i, (id, label)) in labels.iter().enumerate() {
            if !label.is_finite() {
                return Err(Invalid::new(format!(
                    "labels[{i}].label: {label} is not a finite number"
                ))
                .into());
            }
            if id.is_empty() {
                return Err(Invalid::new(format!(
                    "labels[{i}].id: empty; a label joins its record by id"
                ))
                .into());
            }
        }
        let done = self.writer.labels(model, labels)?;
        Ok(done.await.map_err(|_| MonitorError::Stopped)??)
    }

    /// The real-time guard on a few records of a model (already columns): predictions far
    /// outside the reference's range and breaks of error-severity column rules block;
    /// predictions just outside the range and breaks of warn-severity rules warn. Records
    /// are not stored. Rules can take milliseconds: call it off the serving threads when the
    /// model has rules ([`Model::row_rules`]).
    pub fn check(model: &Model, columns: &Columns) -> Guard {
        guard(model, columns)
    }

    /// The records of a model's windows starting in `from..to` judged against its reference
    /// (drift, the rule file, performance). Blocks while it reads: call it off the serving
    /// threads.
    pub fn report(&self, model: &Model, from: i64, to: i64) -> Result<Covered, MonitorError> {
        report::build(&self.store, model, from, to, self.max_report_records).map_err(|e| match e {
            ReportError::TooLarge(_) => MonitorError::Overloaded(e.to_string()),
            ReportError::Store(e) => MonitorError::Store(e),
            ReportError::Check(e) => MonitorError::Internal(e),
        })
    }

    /// Every stored alert, firing or resolved.
    pub fn alerts(&self) -> Result<Vec<Alert>, StoreError> {
        self.store.alerts()
    }

    /// Alerts as their state changes, from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Alert> {
        self.alerts.subscribe()
    }
}

fn label(model: &str) -> ModelLabel {
    ModelLabel {
        model: model.to_owned(),
    }
}

fn guard(model: &Model, columns: &Columns) -> Guard {
    let mut verdict = Verdict::Ok;
    let mut reasons = Vec::new();
    let (low, high) = model.range;
    let span = (high - low).max(f64::MIN_POSITIVE);
    let far = span * (model.policy.mean_ratio - 1.0);
    for (i, &p) in columns.predictions.iter().enumerate() {
        if p > high + far || p < low - far {
            verdict = Verdict::Block;
            reasons.push(format!(
                "records[{i}].prediction: {p} is far outside the reference's range [{low}, {high}]"
            ));
        } else if p > high || p < low {
            verdict = verdict.max(Verdict::Warn);
            reasons.push(format!(
                "records[{i}].prediction: {p} is outside the reference's range [{low}, {high}]"
            ));
        }
    }
    if let Some(rules) = &model.row_rules {
        let data = columns::to_dataset(columns, &model.schema);
        // Three breaking records per rule, named in the reasons; on the caller's thread.
        let options = seismo_rules::ValidateOptions::new(3, 1);
        match seismo_rules::validate(rules, &data, None, &options) {
            Ok(validation) => {
                for check in &validation.checks {
                    match check.outcome {
                        Outcome::Fail | Outcome::Error => verdict = Verdict::Block,
                        Outcome::Warn => verdict = verdict.max(Verdict::Warn),
                        _ => continue,
                    }
                    reasons.push(rule_reason(check));
                }
            }
            Err(e) => {
                verdict = Verdict::Block;
                reasons.push(format!("rules: {e}"));
            }
        }
    }
    Guard { verdict, reasons }
}

/// Why a rule check did not pass, for `Check`'s reasons: the rule and where it is written,
/// its bound, and the records that broke it with their values.
fn rule_reason(check: &seismo_rules::RuleCheck) -> String {
    let mut reason = format!("rule `{}` ({})", check.rule, check.location);
    reason.push_str(&format!(" {}: {}", check.outcome.as_str(), check.check));
    let threshold = check.threshold.to_json();
    if !threshold.is_null() {
        reason.push_str(&format!(" {threshold}"));
    }
    let breaking: Vec<String> = check
        .violations
        .iter()
        .flat_map(|v| &v.sample)
        .filter_map(|row| {
            // Samples number rows from 1, as data rows in a file.
            let index = row.row.checked_sub(1)?;
            Some(format!(
                "records[{index}].{} = {}",
                check.subject, row.value
            ))
        })
        .collect();
    if !breaking.is_empty() {
        reason.push_str(&format!(", broken by {}", breaking.join(", ")));
    }
    reason
}
