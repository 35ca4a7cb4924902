//! The seismo monitoring service: a gRPC `Monitor` (contract in `proto/seismo/v1/`) that
//! registers models with a reference, logs predictions durably, joins late labels, guards
//! single predictions, reports on windows and raises alerts.
//!
//! This crate is the gRPC edge over the tonic-free monitoring core, `seismo-monitor`: the
//! handlers (`service`) turn requests into the core's types (`convert`), call its
//! [`Monitor`](seismo_monitor::Monitor), and answer with status codes; `webhook` POSTs the
//! alerts the core raises; [`serve`] puts it together with TLS, a bearer token, health,
//! reflection and the Prometheus endpoint.
//!
//! ```
//! use seismo_server::generated::monitor_client::MonitorClient;
//! use seismo_server::generated::{Column, LogRequest, Record, RegisterModelRequest};
//! use seismo_server::{ServeOptions, serve};
//!
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # runtime.block_on(async {
//! let dir = tempfile::tempdir().unwrap();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let address = format!("http://{}", listener.local_addr().unwrap());
//! let options = ServeOptions::new(listener.local_addr().unwrap(), dir.path().to_owned());
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let server = tokio::spawn(serve(options, listener, async {
//!     let _ = stopped.await;
//! }));
//!
//! let mut client = MonitorClient::connect(address).await.unwrap();
//! let record = |i: i32, prediction: f64| Record {
//!     time_micros: 1_790_000_000_000_000 + i64::from(i),
//!     prediction,
//!     ..Default::default()
//! };
//! let registered = client
//!     .register_model(RegisterModelRequest {
//!         name: "credit".into(),
//!         version: "1.0".into(),
//!         task: "binary".into(),
//!         schema: Vec::<Column>::new(),
//!         reference: (0..50).map(|i| record(i, f64::from(i) / 50.0)).collect(),
//!         ..Default::default()
//!     })
//!     .await
//!     .unwrap()
//!     .into_inner();
//! assert_eq!(registered.model, "credit@1.0");
//! let logged = client
//!     .log(LogRequest { model: "credit@1.0".into(), records: vec![record(0, 0.3)], columns: None })
//!     .await
//!     .unwrap()
//!     .into_inner();
//! assert_eq!(logged.accepted, 1); // committed to the store before this answer
//!
//! stop.send(()).unwrap();
//! server.await.unwrap().unwrap();
//! # });
//! ```

#![warn(missing_docs)]

/// The code generated from `proto/` by `cargo xtask codegen` (checked in; a test in xtask
/// fails when it is stale).
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod generated {
    include!("generated/seismo.v1.rs");

    /// The encoded file descriptor set, for server reflection.
    pub const DESCRIPTOR: &[u8] = include_bytes!("generated/descriptor.bin");
}

mod convert;
mod service;
mod webhook;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use seismo_monitor::{MAX_RECORDS, Metrics, MonitorOptions, Store, StoreError, now_micros};
pub use service::MonitorService;
pub use webhook::Retries;

/// Where the service listens and keeps its data.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeOptions {
    /// The gRPC address.
    pub listen: SocketAddr,
    /// The data directory (the redb file lives there).
    pub data_dir: PathBuf,
    /// The largest request accepted, in bytes.
    pub max_message_bytes: usize,
    /// Where Prometheus scrapes `/metrics` (none: not served).
    pub metrics_listener: Option<std::net::SocketAddr>,
    /// When set, every `Monitor` and reflection call must carry `authorization: Bearer
    /// <token>` (UNAUTHENTICATED otherwise). Health checks stay open for load balancers.
    pub token: Option<String>,
    /// Serve TLS with this certificate chain and private key (PEM files).
    pub tls: Option<Tls>,
    /// The store's page cache, in bytes.
    pub cache_bytes: usize,
    /// Limits and retention.
    pub service: MonitorOptions,
    /// How webhook deliveries are retried.
    pub webhook_retries: Retries,
    /// CA certificates (PEM) trusted for https webhooks besides Mozilla's roots.
    pub webhook_ca: Option<PathBuf>,
}

/// A certificate chain and its private key, PEM files.
#[derive(Debug, Clone)]
pub struct Tls {
    /// The certificate chain.
    pub certificate: PathBuf,
    /// The private key.
    pub key: PathBuf,
}

impl Tls {
    /// Reads the certificate chain and the key; the error names the file.
    pub fn read(&self) -> Result<(Vec<u8>, Vec<u8>), ServeError> {
        let read = |path: &PathBuf, what: &str| {
            std::fs::read(path).map_err(|e| {
                ServeError::Transport(format!(
                    "cannot read the TLS {what} {}: {e}",
                    path.display()
                ))
            })
        };
        Ok((
            read(&self.certificate, "certificate")?,
            read(&self.key, "key")?,
        ))
    }
}

impl ServeOptions {
    /// Options with the defaults: 64 MiB messages, a 64 MiB page cache, no metrics, token,
    /// TLS or retention.
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> Self {
        Self {
            listen,
            data_dir,
            max_message_bytes: 64 << 20,
            metrics_listener: None,
            token: None,
            tls: None,
            cache_bytes: 64 << 20,
            service: MonitorOptions::default(),
            webhook_retries: Retries::default(),
            webhook_ca: None,
        }
    }
}

/// Refuses calls without the bearer token, when one is configured.
fn authorize(token: Option<String>) -> impl tonic::service::Interceptor + Clone {
    move |request: tonic::Request<()>| {
        let Some(expected) = &token else {
            return Ok(request);
        };
        let given = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match given {
            Some(given) if constant_time_eq(given.as_bytes(), expected.as_bytes()) => Ok(request),
            Some(_) => Err(tonic::Status::unauthenticated(
                "authorization: wrong bearer token",
            )),
            None => Err(tonic::Status::unauthenticated(
                "authorization: a bearer token is required (authorization: Bearer <token>)",
            )),
        }
    }
}

/// Compares without stopping at the first difference, so timing does not reveal the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The transport failed (address in use, ...).
    #[error("{0}")]
    Transport(String),
}

/// Serves until `shutdown` completes, then drains in-flight requests and returns. Logged
/// records are committed before each acknowledgement, so stopping loses none.
pub async fn serve(
    options: ServeOptions,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    let tls = match &options.tls {
        Some(tls) => {
            let (certificate, key) = tls.read()?;
            let identity = tonic::transport::Identity::from_pem(certificate, key);
            Some(tonic::transport::ServerTlsConfig::new().identity(identity))
        }
        None => None,
    };
    let store = Arc::new(Store::open(&options.data_dir, options.cache_bytes)?);
    let (closing_tx, closing) = tokio::sync::watch::channel(false);
    let metrics = Metrics::new();
    if let Some(address) = options.metrics_listener {
        let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
            ServeError::Transport(format!("cannot serve metrics on {address}: {e}"))
        })?;
        let mut closed = closing.clone();
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let stop = async move {
                let _ = closed.wait_for(|c| *c).await;
            };
            let _ = serve_metrics(metrics, listener, stop).await;
        });
    }
    let (webhooks, deliveries) = tokio::sync::mpsc::unbounded_channel();
    let client = webhook::client(options.webhook_ca.as_deref()).map_err(ServeError::Transport)?;
    tokio::spawn(webhook::deliver(
        client,
        deliveries,
        options.webhook_retries,
    ));
    let monitor = seismo_monitor::Monitor::open(store, metrics, webhooks, &options.service)?;
    let service = MonitorService::new(monitor, closing);
    let mut finished = service.finished();
    // On shutdown, end the open alert watches first: the server waits for open streams.
    let shutdown = async move {
        shutdown.await;
        let _ = closing_tx.send(true);
    };
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<generated::monitor_server::MonitorServer<MonitorService>>()
        .await;
    // Reflection in both versions: grpcurl's newer releases speak v1, Python's
    // grpcio-reflection, older grpcurl, Postman and many other clients only v1alpha.
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(generated::DESCRIPTOR)
        .build_v1()
        .map_err(|e| ServeError::Transport(e.to_string()))?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(generated::DESCRIPTOR)
        .build_v1alpha()
        .map_err(|e| ServeError::Transport(e.to_string()))?;
    let monitor = tonic::service::interceptor::InterceptedService::new(
        generated::monitor_server::MonitorServer::new(service)
            .max_decoding_message_size(options.max_message_bytes),
        authorize(options.token.clone()),
    );
    let reflection = tonic::service::interceptor::InterceptedService::new(
        reflection,
        authorize(options.token.clone()),
    );
    let reflection_v1alpha = tonic::service::interceptor::InterceptedService::new(
        reflection_v1alpha,
        authorize(options.token.clone()),
    );
    // Windows of 1 MiB per stream and 4 MiB per connection: a 1,000-record batch (about
    // 200 kB) then arrives without waiting on flow-control updates.
    let mut builder = tonic::transport::Server::builder()
        .initial_stream_window_size(1 << 20)
        .initial_connection_window_size(4 << 20);
    if let Some(tls) = tls {
        builder = builder
            .tls_config(tls)
            .map_err(|e| ServeError::Transport(format!("TLS: {e}")))?;
    }
    builder
        .add_service(health_service)
        .add_service(reflection)
        .add_service(reflection_v1alpha)
        .add_service(monitor)
        .serve_with_incoming_shutdown(
            // Without TCP_NODELAY a response waits on the client's delayed ACK (~40 ms).
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        )
        .await
        .map_err(|e| ServeError::Transport(e.to_string()))?;
    // The service is dropped with the server; wait for the writer to finish its last
    // transaction and close the store, so a restart in this process can open it.
    let closed = finished.wait_for(|done| *done);
    if tokio::time::timeout(std::time::Duration::from_secs(30), closed)
        .await
        .is_err()
    {
        tracing::error!("the store's writer did not stop within 30 s");
    }
    Ok(())
}

/// Serves `GET /metrics` on `listener` until `shutdown` completes.
pub async fn serve_metrics(
    metrics: Arc<Metrics>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [("content-type", "text/plain; version=0.0.4; charset=utf-8")],
                    metrics.encode(),
                )
            }
        }),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
