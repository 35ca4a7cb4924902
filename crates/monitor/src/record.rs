//! The monitoring core's own types: records as columns, a model's registration, an alert.
//!
//! The core computes on these and the store keeps them; the gRPC contract (`proto/`) is
//! separate and converted at the edge (`convert.rs`), so the API can change without
//! touching stored data and an embedder needs neither tonic nor the generated code.
//!
//! Each type carries its storage encoding (prost's derive): the tags below *are* the
//! storage schema. Never renumber or reuse a tag; add fields with new tags, and raise
//! [`STORAGE_VERSION`](crate::encoding::STORAGE_VERSION) for anything an older reader
//! would misread.

/// Records as columns, each list with one entry per record unless it says otherwise:
/// what the core validates, summarizes, stores and reads.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Columns {
    /// Record ids, for joining labels later; empty when records have none ("" for one
    /// without).
    #[prost(string, repeated, tag = "1")]
    pub ids: Vec<String>,
    /// Event times, microseconds since the epoch.
    #[prost(int64, repeated, tag = "2")]
    pub time_micros: Vec<i64>,
    /// One per record, or one for all, or empty.
    #[prost(string, repeated, tag = "3")]
    pub model_versions: Vec<String>,
    /// The predictions.
    #[prost(double, repeated, tag = "4")]
    pub predictions: Vec<f64>,
    /// Empty, or one per record with NaN where a record has no label.
    #[prost(double, repeated, tag = "5")]
    pub labels: Vec<f64>,
    /// The features; once normalized, every schema feature in schema order.
    #[prost(message, repeated, tag = "6")]
    pub features: Vec<FeatureValues>,
}

/// One feature's values: `numbers` for numeric and datetime (microseconds) features,
/// `texts` for categorical and text ones, `booleans` for booleans.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FeatureValues {
    /// The feature.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Numbers; NaN is null.
    #[prost(double, repeated, tag = "2")]
    pub numbers: Vec<f64>,
    /// Texts.
    #[prost(string, repeated, tag = "3")]
    pub texts: Vec<String>,
    /// Booleans.
    #[prost(bool, repeated, tag = "4")]
    pub booleans: Vec<bool>,
    /// Indexes of the records whose text or boolean value is null.
    #[prost(uint32, repeated, tag = "5")]
    pub null_rows: Vec<u32>,
}

/// A model's registration: what [`Model::new`](crate::model::Model::new) works a model out
/// of, and what the store replays after a restart.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelSpec {
    /// The model's name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Its version; the model is known as `name@version`.
    #[prost(string, tag = "2")]
    pub version: String,
    /// The features, in order.
    #[prost(message, repeated, tag = "3")]
    pub schema: Vec<FeatureSpec>,
    /// `binary`, `multiclass` or `regression`.
    #[prost(string, tag = "4")]
    pub task: String,
    /// The reference records (empty with a saved profile).
    #[prost(message, optional, tag = "5")]
    pub reference: Option<Columns>,
    /// A saved profile (`seismo profile --save`) as the reference instead of records.
    #[prost(bytes = "vec", tag = "6")]
    pub reference_profile: Vec<u8>,
    /// The profile's prediction column (default `prediction`).
    #[prost(string, tag = "7")]
    pub profile_prediction_column: String,
    /// How reports test drift: a `seismo drift` settings file (TOML), or empty.
    #[prost(string, tag = "8")]
    pub drift_toml: String,
    /// A `seismo validate` rule file (TOML), or empty.
    #[prost(string, tag = "9")]
    pub rules_toml: String,
    /// The alert policy; zero fields take the defaults.
    #[prost(message, optional, tag = "10")]
    pub alerts: Option<AlertPolicy>,
}

/// A feature of a model's schema.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct FeatureSpec {
    /// Its name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// `numeric`, `categorical`, `boolean`, `text` or `datetime`.
    #[prost(string, tag = "2")]
    pub kind: String,
}

/// When a model's alerts fire; a zero (or empty) field takes the default (docs/server.md).
#[derive(Clone, PartialEq, prost::Message)]
pub struct AlertPolicy {
    /// Tumbling window length (`1h`).
    #[prost(string, tag = "1")]
    pub window: String,
    /// Window mean against the reference mean, either way (10).
    #[prost(double, tag = "2")]
    pub prediction_mean_ratio: f64,
    /// Jensen–Shannon distance of a feature's bins (0.2).
    #[prost(double, tag = "3")]
    pub drift_threshold: f64,
    /// Rise of a feature's null rate over the reference's (0.2).
    #[prost(double, tag = "4")]
    pub null_rate: f64,
    /// Windows smaller than this are not judged (30).
    #[prost(uint64, tag = "5")]
    pub min_window_records: u64,
    /// Where alerts are POSTed (none).
    #[prost(string, tag = "6")]
    pub webhook_url: String,
    /// CUSUM allowance, in reference standard deviations (0.5).
    #[prost(double, tag = "7")]
    pub cusum_k: f64,
    /// CUSUM decision interval, in reference standard deviations (50).
    #[prost(double, tag = "8")]
    pub cusum_h: f64,
    /// Rise of the share of records breaking an error-severity rule (0.01).
    #[prost(double, tag = "9")]
    pub rule_violation_rate: f64,
    /// Fall of the labelled score below the reference's (0.05).
    #[prost(double, tag = "10")]
    pub performance_drop: f64,
    /// Window median and 90th percentile against the reference's (the mean ratio).
    #[prost(double, tag = "11")]
    pub prediction_quantile_ratio: f64,
}

/// An alert: one detector on one subject of one model, firing or resolved.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Alert {
    /// `model:kind:subject`.
    #[prost(string, tag = "1")]
    pub id: String,
    /// `name@version`.
    #[prost(string, tag = "2")]
    pub model: String,
    /// The detector ([`Detector::as_str`](crate::detect::Detector::as_str)).
    #[prost(string, tag = "3")]
    pub kind: String,
    /// What it watched: `prediction`, a feature, `rules`, `performance`.
    #[prost(string, tag = "4")]
    pub subject: String,
    /// Firing or resolved (read it with `state()`).
    #[prost(enumeration = "AlertState", tag = "5")]
    pub state: i32,
    /// A sentence for people.
    #[prost(string, tag = "6")]
    pub message: String,
    /// The measured value.
    #[prost(double, tag = "7")]
    pub value: f64,
    /// The threshold it was judged by.
    #[prost(double, tag = "8")]
    pub threshold: f64,
    /// The start of the window that changed the state.
    #[prost(int64, tag = "9")]
    pub window_start_micros: i64,
    /// When the state changed.
    #[prost(int64, tag = "10")]
    pub changed_micros: i64,
}

/// Whether an alert is firing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum AlertState {
    /// It held, and no longer does (also what an unreadable state reads as: never a
    /// made-up firing).
    Resolved = 0,
    /// The detector's condition holds now.
    Firing = 1,
}

impl AlertState {
    /// `firing` or `resolved`, as the API, webhooks and logs say it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Firing => "firing",
            Self::Resolved => "resolved",
        }
    }
}

impl Alert {
    /// Whether the alert is firing.
    pub fn firing(&self) -> bool {
        self.state() == AlertState::Firing
    }
}
