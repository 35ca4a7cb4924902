//! The `Monitor` service: the gRPC handlers. Requests are validated and summarized here;
//! the writer commits them and judges windows; reports and the guard read models and the
//! store.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use seismo_core::Outcome;
use tokio::sync::broadcast;
use tokio_stream::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tonic::{Request, Response, Status, Streaming};

use crate::columns;
use crate::convert;
use crate::generated::monitor_server::Monitor;
use crate::generated::*;
use crate::invalid::Invalid;
use crate::metrics::{Metrics, ModelLabel};
use crate::model::Model;
use crate::record;
use crate::report;
use crate::store::{Store, StoreError};
use crate::window::Summary;
use crate::writer::{Outlets, Refused, WindowPart, Writer};

/// Records per request at most: larger batches are refused, not buffered.
pub const MAX_RECORDS: usize = 10_000;

/// Refuses a request holding more than [`MAX_RECORDS`] entries in `field`.
fn within_limit(field: &str, count: usize) -> Result<(), Status> {
    if count > MAX_RECORDS {
        return Err(Status::resource_exhausted(format!(
            "{field}: {count} in one request, at most {MAX_RECORDS}"
        )));
    }
    Ok(())
}

impl From<Invalid> for Status {
    fn from(e: Invalid) -> Self {
        Status::invalid_argument(e.0)
    }
}

fn internal(e: impl std::fmt::Display) -> Status {
    Status::internal(e.to_string())
}

/// The registered models by `name@version`.
pub type Models = Arc<RwLock<HashMap<String, Arc<Model>>>>;

/// The service.
pub struct MonitorService {
    store: Arc<Store>,
    models: Models,
    writer: Writer,
    alerts: broadcast::Sender<record::Alert>,
    max_report_records: usize,
    /// Becomes true when the service shuts down: open alert watches end then.
    closing: tokio::sync::watch::Receiver<bool>,
    metrics: Arc<Metrics>,
}

/// How the service runs: limits and retention.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// Records waiting to be committed at most; more is refused with RESOURCE_EXHAUSTED.
    pub max_pending_records: u64,
    /// Windows older than this are deleted (none: kept).
    pub retention: Option<std::time::Duration>,
    /// Records one `GetReport` reads at most (it holds them in memory).
    pub max_report_records: usize,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        Self {
            max_pending_records: 1_000_000,
            retention: None,
            max_report_records: 5_000_000,
        }
    }
}

impl MonitorService {
    /// The service over a store, with the models registered before a restart. Alert watches
    /// end when `closing` turns true; alerts go to `webhooks` too.
    pub fn new(
        store: Arc<Store>,
        closing: tokio::sync::watch::Receiver<bool>,
        metrics: Arc<Metrics>,
        webhooks: tokio::sync::mpsc::UnboundedSender<(String, record::Alert)>,
        options: &ServiceOptions,
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
            closing,
            metrics,
        })
    }

    /// Turns true once the service is dropped and its writer has released the store.
    pub fn finished(&self) -> tokio::sync::watch::Receiver<bool> {
        self.writer.finished()
    }

    fn model(&self, name: &str) -> Result<Arc<Model>, Status> {
        let models = self.models.read().expect("no panics while held");
        models.get(name).cloned().ok_or_else(|| {
            let mut known: Vec<&str> = models.keys().map(String::as_str).collect();
            known.sort_unstable();
            Status::not_found(format!(
                "model: no model `{name}` is registered (registered: {})",
                known.join(", ")
            ))
        })
    }

    /// Validates and stores a batch; nothing is stored if a record is invalid.
    async fn accept(&self, request: LogRequest) -> Result<u64, Status> {
        let started = std::time::Instant::now();
        let label = ModelLabel {
            model: request.model.clone(),
        };
        let result = self.store_batch(request).await;
        match &result {
            Ok(count) => {
                self.metrics.records.get_or_create(&label).inc_by(*count);
                self.metrics
                    .log_seconds
                    .observe(started.elapsed().as_secs_f64());
            }
            Err(status) if status.code() == tonic::Code::ResourceExhausted => {
                self.metrics.overloaded.inc();
            }
            Err(_) => {
                self.metrics.rejected.get_or_create(&label).inc();
            }
        }
        result
    }

    async fn store_batch(&self, request: LogRequest) -> Result<u64, Status> {
        let count =
            request.records.len() + request.columns.as_ref().map_or(0, |c| c.time_micros.len());
        within_limit("records", count)?;
        let model = self.model(&request.model)?;
        let mut columns = if request.records.is_empty() {
            None
        } else {
            Some(convert::from_records(
                &request.records,
                &model.schema,
                "records",
            )?)
        };
        if let Some(sent) = request.columns {
            let sent = columns::normalize(sent.into(), &model.schema)?;
            match &mut columns {
                Some(rows) => columns::append(rows, sent),
                None => columns = Some(sent),
            }
        }
        let Some(columns) = columns.filter(|c| columns::len(c) > 0) else {
            return Ok(0);
        };
        let mut parts = Vec::new();
        for (start, columns) in columns::split_by_window(columns, |t| model.window_start(t)) {
            let summary = Summary::of(&columns, &model).map_err(internal)?;
            parts.push(WindowPart {
                start,
                encoded: crate::store::encode(&columns),
                columns,
                summary,
            });
        }
        let done = self.writer.log(model, parts).map_err(refused)?;
        done.await
            .map_err(|_| Status::unavailable("the store's writer stopped"))?
            .map_err(internal)?;
        Ok(count as u64)
    }
}

fn refused(e: Refused) -> Status {
    match e {
        Refused::Overloaded { .. } => Status::resource_exhausted(e.to_string()),
        Refused::Stopped => Status::unavailable(e.to_string()),
    }
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

#[tonic::async_trait]
impl Monitor for MonitorService {
    async fn register_model(
        &self,
        request: Request<RegisterModelRequest>,
    ) -> Result<Response<RegisterModelResponse>, Status> {
        let request = request.into_inner();
        let model = tokio::task::spawn_blocking(move || Model::new(convert::model_spec(request)?))
            .await
            .map_err(internal)??;
        self.store
            .put_model(&model.key, &model.spec)
            .map_err(internal)?;
        let response = RegisterModelResponse {
            model: model.key.clone(),
            reference_records: model.summary.count,
        };
        self.models
            .write()
            .expect("no panics while held")
            .insert(model.key.clone(), Arc::new(model));
        Ok(Response::new(response))
    }

    async fn log(&self, request: Request<LogRequest>) -> Result<Response<LogResponse>, Status> {
        let accepted = self.accept(request.into_inner()).await?;
        Ok(Response::new(LogResponse { accepted }))
    }

    async fn log_stream(
        &self,
        request: Request<Streaming<LogRequest>>,
    ) -> Result<Response<LogResponse>, Status> {
        let mut stream = request.into_inner();
        let mut accepted = 0;
        while let Some(batch) = stream.message().await? {
            accepted += self.accept(batch).await?;
        }
        Ok(Response::new(LogResponse { accepted }))
    }

    async fn log_labels(
        &self,
        request: Request<LogLabelsRequest>,
    ) -> Result<Response<LogLabelsResponse>, Status> {
        let request = request.into_inner();
        let model = self.model(&request.model)?;
        within_limit("labels", request.labels.len())?;
        for (i, label) in request.labels.iter().enumerate() {
            if !label.label.is_finite() {
                return Err(Status::invalid_argument(format!(
                    "labels[{i}].label: {} is not a finite number",
                    label.label
                )));
            }
            if label.id.is_empty() {
                return Err(Status::invalid_argument(format!(
                    "labels[{i}].id: empty; a label joins its record by id"
                )));
            }
        }
        let labels = request
            .labels
            .into_iter()
            .map(|l| (l.id, l.label))
            .collect();
        let done = self.writer.labels(model, labels).map_err(refused)?;
        let (joined, unknown) = done
            .await
            .map_err(|_| Status::unavailable("the store's writer stopped"))?
            .map_err(internal)?;
        Ok(Response::new(LogLabelsResponse { joined, unknown }))
    }

    async fn check(
        &self,
        request: Request<CheckRequest>,
    ) -> Result<Response<CheckResponse>, Status> {
        let started = std::time::Instant::now();
        let request = request.into_inner();
        let model = self.model(&request.model)?;
        within_limit("records", request.records.len())?;
        // Rules are the costly part of a guard (a large rule set on many records takes
        // milliseconds to seconds): off the runtime, so the serving thread (one by default)
        // keeps answering other requests meanwhile. Without rules a guard is a range check
        // of each prediction, cheaper than the hand-off.
        let response = if model.row_rules.is_some() {
            tokio::task::spawn_blocking(move || guard(&model, &request.records))
                .await
                .map_err(internal)?
        } else {
            guard(&model, &request.records)
        };
        self.metrics
            .check_seconds
            .observe(started.elapsed().as_secs_f64());
        Ok(Response::new(response))
    }

    async fn get_report(
        &self,
        request: Request<GetReportRequest>,
    ) -> Result<Response<GetReportResponse>, Status> {
        let request = request.into_inner();
        let model = self.model(&request.model)?;
        let to = if request.to_micros == 0 {
            i64::MAX
        } else {
            request.to_micros
        };
        if to <= request.from_micros {
            return Err(Status::invalid_argument(format!(
                "to_micros: {} is not after from_micros {}",
                request.to_micros, request.from_micros
            )));
        }
        let store = self.store.clone();
        let (from, limit) = (request.from_micros, self.max_report_records);
        let covered =
            tokio::task::spawn_blocking(move || report::build(&store, &model, from, to, limit))
                .await
                .map_err(internal)?
                .map_err(|e| match e {
                    report::ReportError::TooLarge(_) => Status::resource_exhausted(e.to_string()),
                    _ => internal(e),
                })?;
        let checks = covered
            .report
            .checks
            .iter()
            .map(|c| {
                let mut details = c.details.clone();
                if !c.threshold.is_null() {
                    details.insert("threshold".into(), c.threshold.clone());
                }
                ReportCheck {
                    check: c.check.clone(),
                    subject: c.subject.clone(),
                    outcome: c.outcome.as_str().into(),
                    value: c.value,
                    details_json: serde_json::Value::Object(details).to_string(),
                }
            })
            .collect();
        Ok(Response::new(GetReportResponse {
            model: request.model,
            records: covered.records,
            labelled: covered.labelled,
            checks,
            report_json: serde_json::to_string(&covered.report).map_err(internal)?,
        }))
    }

    async fn list_alerts(
        &self,
        request: Request<ListAlertsRequest>,
    ) -> Result<Response<ListAlertsResponse>, Status> {
        let request = request.into_inner();
        let alerts = self
            .store
            .alerts()
            .map_err(internal)?
            .into_iter()
            .filter(|a| request.model.is_empty() || a.model == request.model)
            .filter(|a| !request.firing_only || a.firing())
            .map(|a| convert::alert(&a))
            .collect();
        Ok(Response::new(ListAlertsResponse { alerts }))
    }

    type WatchAlertsStream = Pin<Box<dyn Stream<Item = Result<Alert, Status>> + Send + 'static>>;

    async fn watch_alerts(
        &self,
        request: Request<WatchAlertsRequest>,
    ) -> Result<Response<Self::WatchAlertsStream>, Status> {
        let model = request.into_inner().model;
        /// An alert, or the service closing.
        enum Event {
            Alert(Result<record::Alert, tokio_stream::wrappers::errors::BroadcastStreamRecvError>),
            Closing,
        }
        let alerts = BroadcastStream::new(self.alerts.subscribe()).map(Event::Alert);
        let closing = tokio_stream::wrappers::WatchStream::new(self.closing.clone())
            .filter(|closing| *closing)
            .map(|_| Event::Closing);
        let stream = alerts
            .merge(closing)
            .take_while(|event| !matches!(event, Event::Closing))
            .filter_map(move |event| match event {
                Event::Alert(Ok(alert)) if model.is_empty() || alert.model == model => {
                    Some(Ok(convert::alert(&alert)))
                }
                Event::Alert(Ok(_)) | Event::Closing => None,
                Event::Alert(Err(_)) => Some(Err(Status::data_loss(
                    "alerts were missed: the watcher fell behind",
                ))),
            });
        Ok(Response::new(Box::pin(stream)))
    }
}

/// The real-time guard: records that do not fit the schema, predictions far outside the
/// reference's range and breaks of error-severity column rules block; predictions just
/// outside the range and breaks of warn-severity rules warn.
fn guard(model: &Model, records: &[Record]) -> CheckResponse {
    let mut verdict = Verdict::Ok;
    let mut reasons = Vec::new();
    let columns = match convert::from_records(records, &model.schema, "records") {
        Ok(columns) => columns,
        Err(status) => {
            return CheckResponse {
                verdict: Verdict::Block as i32,
                reasons: vec![status.0],
            };
        }
    };
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
        let data = columns::to_dataset(&columns, &model.schema);
        let options = seismo_rules::ValidateOptions {
            sample: 3,
            threads: 1,
        };
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
    CheckResponse {
        verdict: verdict as i32,
        reasons,
    }
}
