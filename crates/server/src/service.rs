//! The `Monitor` gRPC service: the edge over `seismo_monitor::Monitor`. A handler turns the
//! request into the core's types (`convert`), calls the core, and answers with the contract's
//! messages; core errors become status codes here and nowhere else.

use std::pin::Pin;
use std::sync::Arc;

use seismo_monitor::record::Columns;
use seismo_monitor::{Invalid, Monitor as Core, MonitorError, columns, record};
use tokio_stream::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tonic::{Request, Response, Status, Streaming};

use crate::convert;
use crate::generated::monitor_server::Monitor;
use crate::generated::*;

/// The status a core error answers with.
fn status(e: MonitorError) -> Status {
    match e {
        MonitorError::Invalid(e) => Status::invalid_argument(e.0),
        MonitorError::UnknownModel { .. } => Status::not_found(e.to_string()),
        MonitorError::Overloaded(_) => Status::resource_exhausted(e.to_string()),
        MonitorError::Stopped => Status::unavailable(e.to_string()),
        _ => Status::internal(e.to_string()),
    }
}

fn internal(e: impl std::fmt::Display) -> Status {
    Status::internal(e.to_string())
}

/// The service.
pub struct MonitorService {
    core: Arc<Core>,
    /// Becomes true when the service shuts down: open alert watches end then.
    closing: tokio::sync::watch::Receiver<bool>,
}

impl MonitorService {
    /// The service over a monitor. Alert watches end when `closing` turns true.
    pub fn new(core: Core, closing: tokio::sync::watch::Receiver<bool>) -> Self {
        Self {
            core: Arc::new(core),
            closing,
        }
    }

    /// Turns true once the service is dropped and its writer has released the store.
    pub fn finished(&self) -> tokio::sync::watch::Receiver<bool> {
        self.core.finished()
    }

    /// Turns a `Log` request into columns and logs them; nothing is stored if a record is
    /// invalid.
    async fn accept(&self, mut request: LogRequest) -> Result<u64, Status> {
        let model = std::mem::take(&mut request.model);
        let columns = match self.columns(&model, request) {
            Ok(columns) => columns,
            Err(e) => {
                self.core.note_refused(&model, &e);
                return Err(status(e));
            }
        };
        self.core.log(&model, columns).await.map_err(status)
    }

    /// A request's records and columns as one batch of columns (rows are turned into
    /// columns here; the core normalizes what it is given).
    fn columns(&self, model: &str, request: LogRequest) -> Result<Columns, MonitorError> {
        let count =
            request.records.len() + request.columns.as_ref().map_or(0, |c| c.time_micros.len());
        seismo_monitor::within_limit("records", count)?;
        if request.records.is_empty() {
            // Columns alone (the fast path): the core checks and normalizes them, once.
            return Ok(request.columns.map(Columns::from).unwrap_or_default());
        }
        let model = self.core.model(model)?;
        let mut rows = convert::from_records(&request.records, &model.schema, "records")?;
        if let Some(sent) = request.columns {
            columns::append(&mut rows, columns::normalize(sent.into(), &model.schema)?);
        }
        Ok(rows)
    }
}

#[tonic::async_trait]
impl Monitor for MonitorService {
    async fn register_model(
        &self,
        request: Request<RegisterModelRequest>,
    ) -> Result<Response<RegisterModelResponse>, Status> {
        let request = request.into_inner();
        let core = self.core.clone();
        let model = tokio::task::spawn_blocking(move || {
            let spec = convert::model_spec(request).map_err(MonitorError::from)?;
            core.register(spec)
        })
        .await
        .map_err(internal)?
        .map_err(status)?;
        Ok(Response::new(RegisterModelResponse {
            model: model.key.clone(),
            reference_records: model.summary.count,
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
        let labels = request
            .labels
            .into_iter()
            .map(|l| (l.id, l.label))
            .collect();
        let (joined, unknown) = self
            .core
            .log_labels(&request.model, labels)
            .await
            .map_err(status)?;
        Ok(Response::new(LogLabelsResponse { joined, unknown }))
    }

    async fn check(
        &self,
        request: Request<CheckRequest>,
    ) -> Result<Response<CheckResponse>, Status> {
        let started = std::time::Instant::now();
        let request = request.into_inner();
        let model = self.core.model(&request.model).map_err(status)?;
        seismo_monitor::within_limit("records", request.records.len()).map_err(status)?;
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
        self.core
            .metrics()
            .check_seconds
            .observe(started.elapsed().as_secs_f64());
        Ok(Response::new(response))
    }

    async fn get_report(
        &self,
        request: Request<GetReportRequest>,
    ) -> Result<Response<GetReportResponse>, Status> {
        let request = request.into_inner();
        let model = self.core.model(&request.model).map_err(status)?;
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
        let core = self.core.clone();
        let from = request.from_micros;
        let covered = tokio::task::spawn_blocking(move || core.report(&model, from, to))
            .await
            .map_err(internal)?
            .map_err(status)?;
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
            .core
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
        let alerts = BroadcastStream::new(self.core.subscribe()).map(Event::Alert);
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

/// The real-time guard on records sent as rows: records that do not fit the schema block,
/// with the reason; the rest is the core's guard.
fn guard(model: &seismo_monitor::model::Model, records: &[Record]) -> CheckResponse {
    let verdict = |v: seismo_monitor::Verdict| match v {
        seismo_monitor::Verdict::Ok => Verdict::Ok,
        seismo_monitor::Verdict::Warn => Verdict::Warn,
        seismo_monitor::Verdict::Block => Verdict::Block,
    };
    match convert::from_records(records, &model.schema, "records") {
        Ok(columns) => {
            let guard = Core::check(model, &columns);
            CheckResponse {
                verdict: verdict(guard.verdict) as i32,
                reasons: guard.reasons,
            }
        }
        Err(Invalid(reason)) => CheckResponse {
            verdict: Verdict::Block as i32,
            reasons: vec![reason],
        },
    }
}
