//! The `Monitor` service: validation of requests, durable logging, the prediction-mean
//! detector and its alerts, reports and the real-time guard.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use seismo_stats::two_sample::{KsMethod, ks_2samp};
use tokio::sync::broadcast;
use tokio_stream::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tonic::{Request, Response, Status, Streaming};

use crate::generated::monitor_server::Monitor;
use crate::generated::value::Kind;
use crate::generated::*;
use crate::metrics::{Metrics, ModelLabel};
use crate::store::{Store, StoreError};

/// Records per request at most: larger batches are refused, not buffered.
pub const MAX_RECORDS: usize = 10_000;

fn internal(e: StoreError) -> Status {
    Status::internal(e.to_string())
}

/// What the service keeps of a registered model.
struct ModelState {
    spec: RegisterModelRequest,
    window_micros: i64,
    ratio: f64,
    min_records: u64,
    reference_predictions: Vec<f64>,
    reference_mean: f64,
    kinds: HashMap<String, String>,
}

impl ModelState {
    fn new(spec: RegisterModelRequest) -> Result<Self, Status> {
        let policy = spec.alerts.clone().unwrap_or_default();
        let window = if policy.window.is_empty() {
            "1h"
        } else {
            &policy.window
        };
        let window: seismo_history::WindowLength = window
            .parse()
            .map_err(|e| Status::invalid_argument(format!("alerts.window: {e}")))?;
        let mut reference_predictions: Vec<f64> = spec
            .reference
            .iter()
            .map(|r| r.prediction)
            .filter(|p| p.is_finite())
            .collect();
        if reference_predictions.is_empty() {
            return Err(Status::invalid_argument(
                "reference: at least one reference record with a finite prediction is needed",
            ));
        }
        reference_predictions.sort_by(f64::total_cmp);
        let reference_mean =
            reference_predictions.iter().sum::<f64>() / reference_predictions.len() as f64;
        let ratio = if policy.prediction_mean_ratio > 1.0 {
            policy.prediction_mean_ratio
        } else {
            10.0
        };
        let min_records = if policy.min_window_records > 0 {
            policy.min_window_records
        } else {
            30
        };
        let mut kinds = HashMap::new();
        for (i, column) in spec.schema.iter().enumerate() {
            if !matches!(
                column.kind.as_str(),
                "numeric" | "categorical" | "boolean" | "text" | "datetime"
            ) {
                return Err(Status::invalid_argument(format!(
                    "schema[{i}].kind: `{}` is not numeric, categorical, boolean, text or datetime",
                    column.kind
                )));
            }
            kinds.insert(column.name.clone(), column.kind.clone());
        }
        Ok(Self {
            window_micros: window.micros(),
            ratio,
            min_records,
            reference_predictions,
            reference_mean,
            kinds,
            spec,
        })
    }

    /// Checks one record against the schema; the error names the field.
    fn validate(&self, at: &str, record: &Record) -> Result<(), Status> {
        if !record.prediction.is_finite() {
            return Err(Status::invalid_argument(format!(
                "{at}.prediction: {} is not a finite number",
                record.prediction
            )));
        }
        if record.time_micros <= 0 {
            return Err(Status::invalid_argument(format!(
                "{at}.time_micros: must be after 1970"
            )));
        }
        for (name, value) in &record.features {
            let Some(kind) = self.kinds.get(name) else {
                return Err(Status::invalid_argument(format!(
                    "{at}.features.{name}: not in the model's schema"
                )));
            };
            let fits = matches!(
                (&value.kind, kind.as_str()),
                (None, _)
                    | (Some(Kind::Number(_)), "numeric" | "datetime")
                    | (Some(Kind::Text(_)), "categorical" | "text" | "datetime")
                    | (Some(Kind::Boolean(_)), "boolean")
            );
            if !fits {
                return Err(Status::invalid_argument(format!(
                    "{at}.features.{name}: a {kind} column cannot hold this value"
                )));
            }
        }
        Ok(())
    }
}

/// The service.
pub struct MonitorService {
    store: Arc<Store>,
    models: RwLock<HashMap<String, Arc<ModelState>>>,
    alerts: broadcast::Sender<Alert>,
    /// Per model and window start, the count and sum of the predictions logged: kept in
    /// memory so a batch costs its own size, not its window's. A window is loaded from the
    /// store the first time this process sees it (after a restart). Held across the commit
    /// and the update, so no batch is counted twice.
    windows: tokio::sync::Mutex<HashMap<(String, i64), (u64, f64)>>,
    /// Becomes true when the service shuts down: open alert watches end then.
    closing: tokio::sync::watch::Receiver<bool>,
    metrics: Arc<Metrics>,
}

fn model_key(name: &str, version: &str) -> String {
    format!("{name}@{version}")
}

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

impl MonitorService {
    /// The service over a store, with the models registered before a restart. Alert watches
    /// end when `closing` turns true.
    pub fn new(
        store: Arc<Store>,
        closing: tokio::sync::watch::Receiver<bool>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, StoreError> {
        let mut models = HashMap::new();
        for (key, spec) in store.models()? {
            if let Ok(state) = ModelState::new(spec) {
                models.insert(key, Arc::new(state));
            }
        }
        let (alerts, _) = broadcast::channel(1024);
        Ok(Self {
            store,
            models: RwLock::new(models),
            alerts,
            windows: tokio::sync::Mutex::new(HashMap::new()),
            closing,
            metrics,
        })
    }

    fn model(&self, name: &str) -> Result<Arc<ModelState>, Status> {
        let models = self.models.read().expect("no panics while held");
        models.get(name).cloned().ok_or_else(|| {
            let mut known: Vec<&String> = models.keys().collect();
            known.sort();
            Status::not_found(format!(
                "model: no model `{name}` is registered (registered: {})",
                known
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
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
            Err(_) => {
                self.metrics.rejected.get_or_create(&label).inc();
            }
        }
        result
    }

    async fn store_batch(&self, request: LogRequest) -> Result<u64, Status> {
        if request.records.len() > MAX_RECORDS {
            return Err(Status::resource_exhausted(format!(
                "records: {} in one request, at most {MAX_RECORDS}",
                request.records.len()
            )));
        }
        let model = self.model(&request.model)?;
        for (i, record) in request.records.iter().enumerate() {
            model.validate(&format!("records[{i}]"), record)?;
        }
        let store = self.store.clone();
        let key = request.model.clone();
        let records = request.records;
        let count = records.len() as u64;
        let mut batch: HashMap<i64, (u64, f64)> = HashMap::new();
        for r in &records {
            let entry = batch
                .entry(r.time_micros.div_euclid(model.window_micros))
                .or_default();
            entry.0 += 1;
            entry.1 += r.prediction;
        }
        // Commit, then update the window sums, under one lock.
        let mut sums = self.windows.lock().await;
        tokio::task::spawn_blocking(move || store.append(&key, &records))
            .await
            .map_err(|e| Status::internal(e.to_string()))?
            .map_err(internal)?;
        let mut touched: Vec<i64> = batch.keys().copied().collect();
        touched.sort_unstable();
        for &window in &touched {
            let slot = (request.model.clone(), window);
            match sums.get_mut(&slot) {
                Some(sum) => {
                    let add = batch[&window];
                    sum.0 += add.0;
                    sum.1 += add.1;
                }
                None => {
                    // Not seen since start: the store holds the window, this batch included.
                    let from = window * model.window_micros;
                    let stored = self
                        .store
                        .records(&request.model, from, from + model.window_micros)
                        .map_err(internal)?;
                    let sum = stored.iter().map(|(r, _)| r.prediction).sum::<f64>();
                    sums.insert(slot, (stored.len() as u64, sum));
                }
            }
        }
        let judged: Vec<(i64, u64, f64)> = touched
            .iter()
            .map(|&w| {
                let (n, sum) = sums[&(request.model.clone(), w)];
                (w, n, sum)
            })
            .collect();
        self.detect(&request.model, &model, &judged).await?;
        drop(sums);
        Ok(count)
    }

    /// The prediction-mean detector on the windows a batch touched (start, count, sum): a
    /// window whose mean differs from the reference's by more than the policy's factor fires
    /// an alert; a later window within it resolves the alert. Called with the window lock
    /// held, so alert state changes are not raced.
    async fn detect(
        &self,
        key: &str,
        model: &ModelState,
        windows: &[(i64, u64, f64)],
    ) -> Result<(), Status> {
        for &(window, count, sum) in windows {
            let from = window * model.window_micros;
            if count < model.min_records {
                continue;
            }
            let mean = sum / count as f64;
            let factor = if model.reference_mean != 0.0 {
                mean / model.reference_mean
            } else {
                f64::INFINITY
            };
            let firing =
                !(factor.abs() <= model.ratio && factor.abs() >= 1.0 / model.ratio) || factor < 0.0;
            let label = ModelLabel {
                model: key.to_owned(),
            };
            self.metrics
                .window_prediction_mean
                .get_or_create(&label)
                .set(mean);
            self.metrics
                .prediction_mean_ratio
                .get_or_create(&label)
                .set(factor);
            let id = format!("{key}:prediction_mean");
            let was_firing = self
                .store
                .alert(&id)
                .map_err(internal)?
                .is_some_and(|a| a.state == "firing");
            if firing == was_firing {
                continue;
            }
            let alert = Alert {
                id,
                model: key.to_owned(),
                kind: "prediction_mean".into(),
                subject: "prediction".into(),
                state: if firing { "firing" } else { "resolved" }.into(),
                message: format!(
                    "the mean prediction of the window from {} is {mean} against {} in the reference (×{factor:.3})",
                    seismo_stats::profile::format_instant_micros(from).unwrap_or_default(),
                    model.reference_mean
                ),
                value: factor,
                threshold: model.ratio,
                window_start_micros: from,
                changed_micros: now_micros(),
            };
            self.store.put_alert(&alert).map_err(internal)?;
            self.metrics
                .firing_alerts
                .get_or_create(&label)
                .set(i64::from(firing));
            tracing_alert(&alert);
            let _ = self.alerts.send(alert);
        }
        Ok(())
    }
}

fn tracing_alert(alert: &Alert) {
    eprintln!(
        "seismo serve: alert {} {}: {}",
        alert.id, alert.state, alert.message
    );
}

#[tonic::async_trait]
impl Monitor for MonitorService {
    async fn register_model(
        &self,
        request: Request<RegisterModelRequest>,
    ) -> Result<Response<RegisterModelResponse>, Status> {
        let spec = request.into_inner();
        if spec.name.is_empty() || spec.version.is_empty() {
            return Err(Status::invalid_argument(
                "name and version: both are required",
            ));
        }
        if !matches!(spec.task.as_str(), "binary" | "multiclass" | "regression") {
            return Err(Status::invalid_argument(format!(
                "task: `{}` is not binary, multiclass or regression",
                spec.task
            )));
        }
        let state = ModelState::new(spec.clone())?;
        for (i, record) in spec.reference.iter().enumerate() {
            state.validate(&format!("reference[{i}]"), record)?;
        }
        let key = model_key(&spec.name, &spec.version);
        self.store.put_model(&key, &spec).map_err(internal)?;
        let records = spec.reference.len() as u64;
        self.models
            .write()
            .expect("no panics while held")
            .insert(key.clone(), Arc::new(state));
        Ok(Response::new(RegisterModelResponse {
            model: key,
            reference_records: records,
        }))
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
        self.model(&request.model)?;
        if let Some((i, l)) = request
            .labels
            .iter()
            .enumerate()
            .find(|(_, l)| !l.label.is_finite())
        {
            return Err(Status::invalid_argument(format!(
                "labels[{i}].label: {} is not a finite number",
                l.label
            )));
        }
        let labels: Vec<(String, f64)> = request
            .labels
            .into_iter()
            .map(|l| (l.id, l.label))
            .collect();
        let (joined, unknown) = self
            .store
            .label(&request.model, &labels)
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
        let (low, high) = (
            model.reference_predictions[0],
            model.reference_predictions[model.reference_predictions.len() - 1],
        );
        let mut verdict = Verdict::Ok;
        let mut reasons = Vec::new();
        for (i, record) in request.records.iter().enumerate() {
            if let Err(status) = model.validate(&format!("records[{i}]"), record) {
                verdict = Verdict::Block;
                reasons.push(status.message().to_owned());
                continue;
            }
            let p = record.prediction;
            let span = (high - low).max(f64::MIN_POSITIVE);
            if p > high + span * (model.ratio - 1.0) || p < low - span * (model.ratio - 1.0) {
                verdict = Verdict::Block;
                reasons.push(format!(
                    "records[{i}].prediction: {p} is far outside the reference's range [{low}, {high}]"
                ));
            } else if (p > high || p < low) && verdict == Verdict::Ok {
                verdict = Verdict::Warn;
                reasons.push(format!(
                    "records[{i}].prediction: {p} is outside the reference's range [{low}, {high}]"
                ));
            }
        }
        self.metrics
            .check_seconds
            .observe(started.elapsed().as_secs_f64());
        Ok(Response::new(CheckResponse {
            verdict: verdict as i32,
            reasons,
        }))
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
        let records = self
            .store
            .records(&request.model, request.from_micros, to)
            .map_err(internal)?;
        let mut checks = Vec::new();
        let predictions: Vec<f64> = records.iter().map(|(r, _)| r.prediction).collect();
        if !predictions.is_empty() {
            let mean = predictions.iter().sum::<f64>() / predictions.len() as f64;
            let factor = mean / model.reference_mean;
            let held = factor.abs() <= model.ratio && factor.abs() >= 1.0 / model.ratio;
            checks.push(ReportCheck {
                check: "prediction_mean_ratio".into(),
                subject: "prediction".into(),
                outcome: if held { "pass" } else { "fail" }.into(),
                value: Some(factor),
                details_json: serde_json::json!({
                    "mean": mean,
                    "reference_mean": model.reference_mean,
                    "threshold": model.ratio,
                })
                .to_string(),
            });
            if let Ok(ks) = ks_2samp(&model.reference_predictions, &predictions, KsMethod::Auto) {
                checks.push(ReportCheck {
                    check: "ks".into(),
                    subject: "prediction".into(),
                    outcome: if ks.p_value < 0.05 { "fail" } else { "pass" }.into(),
                    value: Some(ks.p_value),
                    details_json: serde_json::json!({"statistic": ks.statistic, "threshold": 0.05})
                        .to_string(),
                });
            }
        }
        let labelled: Vec<(f64, f64)> = records
            .iter()
            .filter_map(|(r, l)| l.map(|l| (l, r.prediction)))
            .collect();
        if model.spec.task == "binary" && !labelled.is_empty() {
            let (truth, score): (Vec<f64>, Vec<f64>) = labelled.iter().copied().unzip();
            let predictions = seismo_slices::Predictions::binary(truth, score, 0.5);
            let rows: Vec<u32> = (0..labelled.len() as u32).collect();
            for metric in [
                seismo_slices::Metric::RocAuc,
                seismo_slices::Metric::Accuracy,
            ] {
                let (outcome, value) = match predictions.metric(metric, &rows, 0.9) {
                    Ok(v) => ("pass", Some(v)),
                    Err(_) => ("skipped", None),
                };
                checks.push(ReportCheck {
                    check: metric.to_string(),
                    subject: "performance".into(),
                    outcome: outcome.into(),
                    value,
                    details_json: "{}".into(),
                });
            }
        }
        Ok(Response::new(GetReportResponse {
            model: request.model,
            records: records.len() as u64,
            labelled: labelled.len() as u64,
            checks,
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
            .filter(|a| !request.firing_only || a.state == "firing")
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
            Alert(Result<Alert, tokio_stream::wrappers::errors::BroadcastStreamRecvError>),
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
                    Some(Ok(alert))
                }
                Event::Alert(Ok(_)) | Event::Closing => None,
                Event::Alert(Err(_)) => Some(Err(Status::data_loss(
                    "alerts were missed: the watcher fell behind",
                ))),
            });
        Ok(Response::new(Box::pin(stream)))
    }
}
