#![warn(missing_docs)]
//! Monitoring as a library: register a model with a reference, log its predictions and
//! features durably, join late labels, guard single predictions, report on a time range,
//! and raise alerts when a window drifts from the reference. No gRPC: `seismo-server` is one
//! front end over [`Monitor`]; a team can embed it in its own service.
//!
//! How a logged batch flows: [`Monitor::log`] checks the columns against the model
//! (`columns`, the model in `model`, its reference in `reference`), splits them by window
//! and summarizes each part (`window`); the writer thread (`writer`) commits queued batches
//! together to the store (`store`, in the core's own types of `record`), adds them to their
//! windows, runs the detectors (`detect`) and raises alerts (stored, broadcast, and handed
//! to the webhook channel). Reports (`report`) read the store.
//!
//! ```
//! use std::sync::Arc;
//! use seismo_monitor::record::{Columns, FeatureSpec, FeatureValues, ModelSpec};
//! use seismo_monitor::{Metrics, Monitor, MonitorOptions, Store, Verdict};
//!
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # runtime.block_on(async {
//! let dir = tempfile::tempdir().unwrap();
//! let store = Arc::new(Store::open(dir.path(), 1 << 20).unwrap());
//! let (webhooks, _deliveries) = tokio::sync::mpsc::unbounded_channel();
//! let monitor = Monitor::open(store, Metrics::new(), webhooks, &MonitorOptions::default()).unwrap();
//!
//! // Records as columns: one feature, `age`.
//! let columns = |ages: Vec<f64>, predictions: Vec<f64>| Columns {
//!     time_micros: vec![1_790_000_000_000_000; ages.len()],
//!     predictions,
//!     features: vec![FeatureValues { name: "age".into(), numbers: ages, ..Default::default() }],
//!     ..Default::default()
//! };
//! let reference = columns((0..100).map(f64::from).collect(), (0..100).map(|i| f64::from(i) / 100.0).collect());
//! let model = monitor.register(ModelSpec {
//!     name: "credit".into(),
//!     version: "1.0".into(),
//!     task: "binary".into(),
//!     schema: vec![FeatureSpec { name: "age".into(), kind: "numeric".into() }],
//!     reference: Some(reference),
//!     ..Default::default()
//! }).unwrap();
//!
//! // Logged records are committed when `log` returns.
//! assert_eq!(monitor.log("credit@1.0", columns(vec![30.0, 40.0], vec![0.2, 0.4])).await.unwrap(), 2);
//! // A prediction 100 times the reference's range is blocked by the guard.
//! let guard = Monitor::check(&model, &columns(vec![30.0], vec![42.0]));
//! assert_eq!(guard.verdict, Verdict::Block);
//! # });
//! ```

pub mod columns;
pub mod detect;
mod invalid;
pub mod metrics;
pub mod model;
mod monitor;
pub mod record;
pub mod reference;
pub mod report;
pub mod store;
pub mod window;
pub mod writer;

pub use invalid::Invalid;
pub use metrics::Metrics;
pub use monitor::{
    Guard, MAX_RECORDS, Monitor, MonitorError, MonitorOptions, Verdict, within_limit,
};
pub use store::{Store, StoreError};
pub use writer::now_micros;
