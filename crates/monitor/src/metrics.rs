//! Prometheus metrics (the registry; `seismo-server` serves it over HTTP): ingest counts and latencies,
//! the prediction mean, estimated accuracy and labelled performance of each model's latest
//! judged window, and firing alerts.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A model label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ModelLabel {
    /// `name@version`.
    pub model: String,
}

/// A model and feature label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FeatureLabel {
    /// `name@version`.
    pub model: String,
    /// The feature.
    pub feature: String,
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    /// Records accepted, by model.
    pub records: Family<ModelLabel, Counter>,
    /// Requests refused as invalid, by model.
    pub rejected: Family<ModelLabel, Counter>,
    /// Seconds from a `Log` request to its committed acknowledgement.
    pub log_seconds: Histogram,
    /// Seconds a `Check` takes.
    pub check_seconds: Histogram,
    /// The mean prediction of the latest judged window, by model.
    pub window_prediction_mean: Family<ModelLabel, Gauge<f64, AtomicU64>>,
    /// The window mean over the reference mean, by model.
    pub prediction_mean_ratio: Family<ModelLabel, Gauge<f64, AtomicU64>>,
    /// Firing alerts, by model.
    pub firing_alerts: Family<ModelLabel, Gauge>,
    /// The latest judged window's drift (Jensen–Shannon distance), by model and feature.
    pub drift: Family<FeatureLabel, Gauge<f64, AtomicU64>>,
    /// Requests refused because the store's queue was full.
    pub overloaded: Counter,
    /// The accuracy CBPE estimates for the latest judged window, without labels, by model.
    pub estimated_accuracy: Family<ModelLabel, Gauge<f64, AtomicU64>>,
    /// The labelled performance of the latest window labels arrived for, by model.
    pub realized_performance: Family<ModelLabel, Gauge<f64, AtomicU64>>,
}

impl Metrics {
    /// Registers every metric under the `seismo_` prefix.
    pub fn new() -> Arc<Self> {
        let mut registry = Registry::with_prefix("seismo");
        let metrics = Self {
            records: Family::default(),
            rejected: Family::default(),
            log_seconds: Histogram::new(exponential_buckets(0.0001, 2.0, 16)),
            check_seconds: Histogram::new(exponential_buckets(0.00001, 2.0, 16)),
            window_prediction_mean: Family::default(),
            prediction_mean_ratio: Family::default(),
            firing_alerts: Family::default(),
            drift: Family::default(),
            overloaded: Counter::default(),
            estimated_accuracy: Family::default(),
            realized_performance: Family::default(),
            registry: Registry::default(),
        };
        registry.register("records", "Records accepted", metrics.records.clone());
        registry.register(
            "rejected_requests",
            "Requests refused as invalid",
            metrics.rejected.clone(),
        );
        registry.register(
            "log_seconds",
            "Time from a Log request to its committed acknowledgement",
            metrics.log_seconds.clone(),
        );
        registry.register(
            "check_seconds",
            "Time a Check takes",
            metrics.check_seconds.clone(),
        );
        registry.register(
            "window_prediction_mean",
            "The mean prediction of the latest judged window",
            metrics.window_prediction_mean.clone(),
        );
        registry.register(
            "prediction_mean_ratio",
            "The latest judged window's mean prediction over the reference's",
            metrics.prediction_mean_ratio.clone(),
        );
        registry.register(
            "firing_alerts",
            "Alerts firing",
            metrics.firing_alerts.clone(),
        );
        registry.register(
            "feature_drift",
            "The latest judged window's Jensen-Shannon distance from the reference, by feature",
            metrics.drift.clone(),
        );
        registry.register(
            "overloaded_requests",
            "Log requests refused with RESOURCE_EXHAUSTED because the store's queue was full",
            metrics.overloaded.clone(),
        );
        registry.register(
            "window_estimated_accuracy",
            "The latest judged window's accuracy estimated from its predictions alone (CBPE; binary models with a labelled reference)",
            metrics.estimated_accuracy.clone(),
        );
        registry.register(
            "window_realized_performance",
            "The labelled performance (accuracy, or R² for regression) of the latest window labels arrived for",
            metrics.realized_performance.clone(),
        );
        Arc::new(Self {
            registry,
            ..metrics
        })
    }

    /// The metrics in Prometheus' text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}
