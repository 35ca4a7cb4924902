//! The writer: one thread that owns every write to the store and every window's state.
//!
//! Requests summarize and encode their batches on their own tasks, then queue a job here.
//! The writer takes every job waiting (group commit), writes them in one transaction and
//! commits once, so concurrent clients share an fsync. Only after the commit does it add
//! the batches to their windows, feed the CUSUM, judge the touched windows, store and send
//! the alerts that changed state, and acknowledge the jobs. Being the only writer of window
//! state, it needs no lock for it, and no batch is counted twice.
//!
//! The queue is bounded by records (a label counts as one), not jobs: a request that would
//! overfill it is refused with RESOURCE_EXHAUSTED at once, so memory stays bounded under
//! overload.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use seismo_stats::online::{Cusum, Signal};
use tokio::sync::{broadcast, oneshot};

use crate::detect::{Detector, Finding, judge_performance, judge_window};
use crate::metrics::{FeatureLabel, Metrics, ModelLabel};
use crate::model::Model;
use crate::record::{Alert, AlertState, Columns};
use crate::store::{Store, StoreError};
use crate::window::{Performance, Summary};

/// Windows per model kept in memory; an older window that gets a late batch is read back
/// from the store.
const WINDOWS_KEPT: usize = 4;
/// Records written in one transaction at most.
const GROUP_RECORDS: u64 = 200_000;

/// One window's part of a logged batch, summarized and encoded by the request.
pub struct WindowPart {
    /// Window start (microseconds).
    pub start: i64,
    /// The records.
    pub columns: Columns,
    /// `columns`, encoded for the store.
    pub encoded: Vec<u8>,
    /// `columns`, summarized.
    pub summary: Summary,
}

/// What a labels job answers: (joined, unknown).
type LabelsJoined = Result<(u64, u64), StoreError>;

enum Job {
    Log {
        model: Arc<Model>,
        parts: Vec<WindowPart>,
        records: u64,
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    Labels {
        model: Arc<Model>,
        labels: Vec<(String, f64)>,
        /// Labels count against the queue's bound as records do.
        records: u64,
        done: oneshot::Sender<LabelsJoined>,
    },
}

impl Job {
    /// What the job holds of the queue's bound.
    fn records(&self) -> u64 {
        match self {
            Job::Log { records, .. } | Job::Labels { records, .. } => *records,
        }
    }
}

/// Why a job was not taken.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// The queue is full.
    #[error(
        "the service is overloaded: {waiting} records wait to be stored (at most {limit}); retry with backoff"
    )]
    Overloaded {
        /// Records waiting.
        waiting: u64,
        /// The limit.
        limit: u64,
    },
    /// The writer stopped (the store failed).
    #[error("the store's writer has stopped")]
    Stopped,
}

/// The handle requests use.
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    waiting: Arc<AtomicU64>,
    limit: u64,
    finished: tokio::sync::watch::Receiver<bool>,
}

/// Where alerts go besides the store.
pub struct Outlets {
    /// `WatchAlerts` subscribers.
    pub alerts: broadcast::Sender<Alert>,
    /// Webhook delivery (url, alert).
    pub webhooks: tokio::sync::mpsc::UnboundedSender<(String, Alert)>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
}

impl Writer {
    /// Starts the writer thread. `retention`: delete windows older than this, checked at
    /// start and every ten minutes. `models` lists the registered models (for retention).
    pub fn start(
        store: Arc<Store>,
        outlets: Outlets,
        limit: u64,
        retention: Option<Duration>,
        models: Arc<std::sync::RwLock<HashMap<String, Arc<Model>>>>,
    ) -> Result<Self, StoreError> {
        let alerts: HashMap<String, Alert> = store
            .alerts()?
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect();
        let (jobs, queue) = mpsc::channel();
        let waiting = Arc::new(AtomicU64::new(0));
        let (finish, finished) = tokio::sync::watch::channel(false);
        let mut engine = Engine {
            store,
            outlets,
            windows: HashMap::new(),
            cusums: HashMap::new(),
            registrations: HashMap::new(),
            alerts,
            waiting: waiting.clone(),
        };
        // The first expiry runs before the service answers anything.
        if let Some(retention) = retention {
            engine.expire(&keys(&models), retention);
        }
        std::thread::Builder::new()
            .name("seismo-writer".into())
            .spawn(move || {
                engine.run(queue, retention, models);
                // Close the store before saying so: a restart may open it next.
                drop(engine);
                let _ = finish.send(true);
            })
            .map_err(|e| StoreError::new(e.to_string()))?;
        Ok(Self {
            jobs,
            waiting,
            limit,
            finished,
        })
    }

    /// Turns true when the writer thread has ended (after every `Writer` handle is dropped)
    /// and released the store.
    pub fn finished(&self) -> tokio::sync::watch::Receiver<bool> {
        self.finished.clone()
    }

    fn reserve(&self, records: u64) -> Result<(), Refused> {
        let before = self.waiting.fetch_add(records, Ordering::AcqRel);
        if before > 0 && before + records > self.limit {
            self.waiting.fetch_sub(records, Ordering::AcqRel);
            return Err(Refused::Overloaded {
                waiting: before,
                limit: self.limit,
            });
        }
        Ok(())
    }

    /// Queues a batch's window parts; resolves once they are committed and judged.
    pub fn log(
        &self,
        model: Arc<Model>,
        parts: Vec<WindowPart>,
    ) -> Result<oneshot::Receiver<Result<(), StoreError>>, Refused> {
        let records = parts.iter().map(|p| p.summary.count).sum();
        self.reserve(records)?;
        let (done, receiver) = oneshot::channel();
        self.jobs
            .send(Job::Log {
                model,
                parts,
                records,
                done,
            })
            .map_err(|_| Refused::Stopped)?;
        Ok(receiver)
    }

    /// Queues labels; resolves to (joined, unknown) once committed and judged.
    pub fn labels(
        &self,
        model: Arc<Model>,
        labels: Vec<(String, f64)>,
    ) -> Result<oneshot::Receiver<LabelsJoined>, Refused> {
        let records = labels.len() as u64;
        self.reserve(records)?;
        let (done, receiver) = oneshot::channel();
        self.jobs
            .send(Job::Labels {
                model,
                labels,
                records,
                done,
            })
            .map_err(|_| Refused::Stopped)?;
        Ok(receiver)
    }
}

struct Engine {
    store: Arc<Store>,
    outlets: Outlets,
    /// Per model, its most recent windows by start.
    windows: HashMap<String, BTreeMap<i64, Summary>>,
    cusums: HashMap<String, Cusum>,
    /// The registration each model's windows and CUSUM were built under.
    registrations: HashMap<String, Arc<Model>>,
    /// Every alert's latest state, by id.
    alerts: HashMap<String, Alert>,
    waiting: Arc<AtomicU64>,
}

const RETENTION_EVERY: Duration = Duration::from_secs(600);

impl Engine {
    fn run(
        &mut self,
        queue: mpsc::Receiver<Job>,
        retention: Option<Duration>,
        models: Arc<std::sync::RwLock<HashMap<String, Arc<Model>>>>,
    ) {
        let mut last_expiry = Instant::now();
        loop {
            if let Some(retention) = retention
                && last_expiry.elapsed() >= RETENTION_EVERY
            {
                self.expire(&keys(&models), retention);
                last_expiry = Instant::now();
            }
            let first = match queue.recv_timeout(RETENTION_EVERY) {
                Ok(job) => job,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            };
            let mut jobs = vec![first];
            let mut records = 0;
            while records < GROUP_RECORDS {
                let Ok(job) = queue.try_recv() else { break };
                records += job.records();
                jobs.push(job);
            }
            self.handle(jobs);
        }
    }

    fn expire(&mut self, models: &[String], retention: Duration) {
        let cutoff = now_micros() - retention.as_micros() as i64;
        let result = self.store.write().and_then(|mut write| {
            let mut deleted = 0;
            for model in models {
                deleted += write.expire(model, cutoff)?;
            }
            write.commit()?;
            Ok(deleted)
        });
        match result {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(
                "retention deleted {deleted} records older than {}",
                seismo_stats::profile::format_instant_micros(cutoff).unwrap_or_default()
            ),
            Err(e) => tracing::error!("retention failed: {e}"),
        }
        self.alerts
            .retain(|_, a| a.firing() || a.changed_micros >= cutoff);
    }

    /// Writes the jobs in one transaction, then judges and acknowledges them.
    fn handle(&mut self, jobs: Vec<Job>) {
        // The CUSUMs after this group and each part's signals, worked out before the commit
        // and written in its transaction; kept only if it commits.
        let mut cusums: HashMap<String, Cusum> = HashMap::new();
        let mut signals: Vec<Vec<u64>> = Vec::new();
        for job in &jobs {
            if let Job::Log { model, parts, .. } = job {
                self.registered(model);
                let cusum = cusums
                    .entry(model.key.clone())
                    .or_insert_with(|| self.cusum(model));
                signals.push(
                    parts
                        .iter()
                        .map(|part| {
                            part.columns
                                .predictions
                                .iter()
                                .filter(|&&p| cusum.update(p) != Signal::Stable)
                                .count() as u64
                        })
                        .collect(),
                );
            }
        }
        // One per labels job, in order; any failure fails the whole group, so no job is
        // acknowledged for writes that were not committed.
        let mut joined: Vec<crate::store::Joined> = Vec::new();
        // Windows whose labelled sums changed with labels logged inline, and the sums now.
        let mut labelled: Vec<(Arc<Model>, i64, Performance)> = Vec::new();
        let written = self.store.write().and_then(|mut write| {
            for job in &jobs {
                match job {
                    Job::Log { model, parts, .. } => {
                        for part in parts {
                            let sums = write.append(
                                &model.key,
                                model.task,
                                part.start,
                                &part.columns,
                                &part.encoded,
                            )?;
                            if let Some(sums) = sums {
                                labelled.push((model.clone(), part.start, sums));
                            }
                        }
                    }
                    Job::Labels { model, labels, .. } => {
                        joined.push(write.label(&model.key, model.task, labels)?);
                    }
                }
            }
            for (key, cusum) in &cusums {
                write.put_cusum(key, &saved_cusum(cusum))?;
            }
            write.commit()
        });
        let mut findings: Vec<(Arc<Model>, i64, Finding)> = Vec::new();
        if written.is_ok() {
            self.cusums.extend(cusums);
            let mut joins = joined.iter();
            let mut signals = signals.iter();
            for job in &jobs {
                match job {
                    Job::Log { model, parts, .. } => {
                        let signals = signals.next().expect("one per log job");
                        self.add_parts(model, parts, signals, &mut findings);
                    }
                    Job::Labels { model, .. } => {
                        if let Some(j) = joins.next() {
                            for (window, sums) in &j.windows {
                                labelled.push((model.clone(), *window, *sums));
                            }
                        }
                    }
                }
            }
            for (model, window, sums) in &labelled {
                findings
                    .extend(judge_performance(model, sums).map(|f| (model.clone(), *window, f)));
            }
            self.raise(findings);
        }
        let mut joined = joined.into_iter();
        for job in jobs {
            self.waiting.fetch_sub(job.records(), Ordering::AcqRel);
            match job {
                Job::Log { done, .. } => {
                    let _ = done.send(written.clone());
                }
                Job::Labels { done, .. } => {
                    let result = match (&written, joined.next()) {
                        (Err(e), _) => Err(e.clone()),
                        (Ok(()), Some(j)) => Ok((j.joined, j.unknown)),
                        (Ok(()), None) => Err(StoreError::new("labels were not joined")),
                    };
                    let _ = done.send(result);
                }
            }
        }
    }

    /// Notes the registration a model's jobs come with: a model registered again (new
    /// reference, bins or policy) has its windows rebuilt from the store and its CUSUM
    /// started over.
    fn registered(&mut self, model: &Arc<Model>) {
        let seen = self
            .registrations
            .entry(model.key.clone())
            .or_insert_with(|| model.clone());
        if !Arc::ptr_eq(seen, model) {
            *seen = model.clone();
            self.windows.remove(&model.key);
            self.cusums.insert(model.key.clone(), fresh_cusum(model));
        }
    }

    /// A model's CUSUM: in memory, else as saved before a restart (if saved for the same
    /// reference and policy), else new.
    fn cusum(&self, model: &Model) -> Cusum {
        if let Some(cusum) = self.cusums.get(&model.key) {
            return cusum.clone();
        }
        let fresh = fresh_cusum(model);
        let saved = match self.store.cusum(&model.key) {
            Ok(saved) => saved,
            Err(e) => {
                tracing::error!("model {}: saved CUSUM state unreadable: {e}", model.key);
                None
            }
        };
        saved
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .filter(|saved| saved["for"] == saved_cusum(&fresh)["for"])
            .and_then(|saved| serde_json::from_value(saved["state"].clone()).ok())
            .unwrap_or(fresh)
    }

    /// Adds committed parts to their windows and judges each window touched.
    fn add_parts(
        &mut self,
        model: &Arc<Model>,
        parts: &[WindowPart],
        signals: &[u64],
        findings: &mut Vec<(Arc<Model>, i64, Finding)>,
    ) {
        let windows = self.windows.entry(model.key.clone()).or_default();
        for (part, &signals) in parts.iter().zip(signals) {
            let window = match windows.get_mut(&part.start) {
                Some(window) => {
                    window.merge(&part.summary);
                    window
                }
                None => {
                    // First seen by this process: the store holds it, this part included.
                    let loaded = load_window(&self.store, model, part.start);
                    windows.entry(part.start).or_insert(loaded)
                }
            };
            window.cusum_signals += signals;
            findings.extend(
                judge_window(model, window, model.policy.min_records)
                    .into_iter()
                    .map(|f| (model.clone(), part.start, f)),
            );
            if window.count >= model.policy.min_records {
                let label = ModelLabel {
                    model: model.key.clone(),
                };
                let metrics = &self.outlets.metrics;
                metrics
                    .window_prediction_mean
                    .get_or_create(&label)
                    .set(window.mean());
                metrics
                    .prediction_mean_ratio
                    .get_or_create(&label)
                    .set(window.mean() / model.mean);
            }
        }
        while windows.len() > WINDOWS_KEPT {
            windows.pop_first();
        }
    }

    /// Stores, logs and sends the alerts whose state changed.
    fn raise(&mut self, findings: Vec<(Arc<Model>, i64, Finding)>) {
        let mut changed = Vec::new();
        for (model, start, finding) in findings {
            let label = || ModelLabel {
                model: model.key.clone(),
            };
            match finding.kind {
                Detector::EstimatedPerformance => {
                    let gauge = &self.outlets.metrics.estimated_accuracy;
                    gauge.get_or_create(&label()).set(finding.value);
                }
                Detector::Performance => {
                    let gauge = &self.outlets.metrics.realized_performance;
                    gauge.get_or_create(&label()).set(finding.value);
                }
                _ => {}
            }
            if finding.kind == Detector::Drift {
                self.outlets
                    .metrics
                    .drift
                    .get_or_create(&FeatureLabel {
                        model: model.key.clone(),
                        feature: finding.subject.clone(),
                    })
                    .set(finding.value);
            }
            let id = format!(
                "{}:{}:{}",
                model.key,
                finding.kind.as_str(),
                finding.subject
            );
            let was_firing = self.alerts.get(&id).is_some_and(Alert::firing);
            if finding.firing == was_firing {
                continue;
            }
            let alert = Alert {
                id: id.clone(),
                model: model.key.clone(),
                kind: finding.kind.as_str().into(),
                subject: finding.subject,
                state: if finding.firing {
                    AlertState::Firing
                } else {
                    AlertState::Resolved
                } as i32,
                message: format!(
                    "window from {}: {}",
                    seismo_stats::profile::format_instant_micros(start).unwrap_or_default(),
                    finding.message
                ),
                value: finding.value,
                threshold: finding.threshold,
                window_start_micros: start,
                changed_micros: now_micros(),
            };
            self.alerts.insert(id, alert.clone());
            changed.push((model, alert));
        }
        if changed.is_empty() {
            return;
        }
        let stored = self.store.write().and_then(|mut write| {
            for (_, alert) in &changed {
                write.put_alert(alert)?;
            }
            write.commit()
        });
        if let Err(e) = stored {
            tracing::error!("alerts could not be stored: {e}");
        }
        let mut firing: HashMap<&str, i64> = HashMap::new();
        for alert in self.alerts.values() {
            *firing.entry(alert.model.as_str()).or_default() += i64::from(alert.firing());
        }
        for (model, count) in firing {
            self.outlets
                .metrics
                .firing_alerts
                .get_or_create(&ModelLabel {
                    model: model.to_owned(),
                })
                .set(count);
        }
        for (model, alert) in changed {
            tracing::warn!(
                "alert {} {}: {}",
                alert.id,
                alert.state().as_str(),
                alert.message
            );
            if let Some(url) = &model.policy.webhook_url {
                let _ = self.outlets.webhooks.send((url.clone(), alert.clone()));
            }
            let _ = self.outlets.alerts.send(alert);
        }
    }
}

fn keys(models: &std::sync::RwLock<HashMap<String, Arc<Model>>>) -> Vec<String> {
    models
        .read()
        .expect("no panics while held")
        .keys()
        .cloned()
        .collect()
}

/// A new CUSUM against the model's reference.
fn fresh_cusum(model: &Model) -> Cusum {
    Cusum::new(
        model.mean,
        model.std.max(f64::MIN_POSITIVE),
        model.policy.cusum_k,
        model.policy.cusum_h,
    )
}

/// A CUSUM as saved: its state, and what it was started for (a fresh CUSUM's state), so a
/// saved one is reused only for the same reference and policy.
fn saved_cusum(cusum: &Cusum) -> serde_json::Value {
    let state = serde_json::to_value(cusum).unwrap_or_default();
    let mut started = state.clone();
    for sum in ["high", "low"] {
        if let Some(object) = started.as_object_mut() {
            object.remove(sum);
        }
    }
    serde_json::json!({ "for": started, "state": state })
}

/// A window rebuilt from the store (after a restart, or when a late batch reaches a window
/// no longer in memory). A batch that cannot be summarized counts as empty.
fn load_window(store: &Store, model: &Model, start: i64) -> Summary {
    let mut window = Summary::default();
    match store.batches(&model.key, start, start + 1, usize::MAX) {
        Ok(batches) => {
            for batch in &batches.unwrap_or_default() {
                match Summary::of(batch, model) {
                    Ok(summary) => window.merge(&summary),
                    Err(e) => tracing::error!("model {}: a stored batch: {e}", model.key),
                }
            }
        }
        Err(e) => tracing::error!("model {}: stored batches unreadable: {e}", model.key),
    }
    window
}

/// Now, in microseconds since the epoch.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer(limit: u64) -> Writer {
        Writer {
            jobs: mpsc::channel().0,
            waiting: Arc::new(AtomicU64::new(0)),
            limit,
            finished: tokio::sync::watch::channel(false).1,
        }
    }

    /// A binary model with one numeric feature and ten reference records.
    fn model() -> Arc<Model> {
        use crate::record::{Columns, FeatureSpec, FeatureValues, ModelSpec};
        let reference = Columns {
            ids: (0..10).map(|i| format!("r{i}")).collect(),
            time_micros: vec![1_000_000; 10],
            predictions: (0..10).map(|i| f64::from(i) / 10.0).collect(),
            features: vec![FeatureValues {
                name: "x".into(),
                numbers: (0..10).map(f64::from).collect(),
                ..Default::default()
            }],
            ..Default::default()
        };
        Arc::new(
            Model::new(ModelSpec {
                name: "m".into(),
                version: "1".into(),
                task: "binary".into(),
                schema: vec![FeatureSpec {
                    name: "x".into(),
                    kind: "numeric".into(),
                }],
                reference: Some(reference),
                ..Default::default()
            })
            .unwrap(),
        )
    }

    #[test]
    fn labels_count_against_the_queue_bound_as_records_do() {
        let (jobs, queue) = mpsc::channel();
        let writer = Writer {
            jobs,
            ..writer(1_500)
        };
        writer.reserve(1_000).unwrap();
        let labels = |n: usize| (0..n).map(|i| (format!("r{i}"), 1.0)).collect::<Vec<_>>();
        assert!(matches!(
            writer.labels(model(), labels(600)),
            Err(Refused::Overloaded {
                waiting: 1_000,
                limit: 1_500
            })
        ));
        assert!(writer.labels(model(), labels(500)).is_ok());
        assert_eq!(writer.waiting.load(Ordering::Acquire), 1_500);
        assert_eq!(queue.try_recv().unwrap().records(), 500);
    }

    #[test]
    fn the_queue_refuses_what_would_overfill_it_but_always_takes_one_batch() {
        let writer = writer(1_500);
        assert!(
            writer.reserve(5_000).is_ok(),
            "an empty queue takes any batch"
        );
        assert!(matches!(
            writer.reserve(1),
            Err(Refused::Overloaded {
                waiting: 5_000,
                limit: 1_500
            })
        ));
        writer.waiting.store(0, Ordering::Release);
        assert!(writer.reserve(1_000).is_ok());
        assert!(writer.reserve(500).is_ok());
        assert!(writer.reserve(1).is_err());
        assert_eq!(
            writer.waiting.load(Ordering::Acquire),
            1_500,
            "a refusal reserves nothing"
        );
    }
}
