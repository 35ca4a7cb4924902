//! The seismo monitoring service: a gRPC `Monitor` (contract in `proto/seismo/v1/`) that
//! registers models with a reference, logs predictions durably, joins late labels, guards
//! single predictions, reports on windows and raises alerts.
//!
//! This first version covers the contract, the durable store (redb), the prediction-mean
//! detector with stored, de-duplicated alerts (listed and watched), reports with prediction
//! drift and labelled performance, the `Check` guard, health and reflection. docs/server.md
//! lists what is not built yet.

#![warn(missing_docs)]

/// The code generated from `proto/` by `cargo xtask codegen` (checked in; a test in xtask
/// fails when it is stale).
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod generated {
    include!("generated/seismo.v1.rs");

    /// The encoded file descriptor set, for server reflection.
    pub const DESCRIPTOR: &[u8] = include_bytes!("generated/descriptor.bin");
}

mod metrics;
mod service;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use metrics::{Metrics, serve_metrics};
pub use service::{MAX_RECORDS, MonitorService};
pub use store::{Store, StoreError};

/// Where the service listens and keeps its data.
#[derive(Debug, Clone)]
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
    let store = Arc::new(Store::open(&options.data_dir)?);
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
    let service = MonitorService::new(store, closing, metrics)?;
    // On shutdown, end the open alert watches first: the server waits for open streams.
    let shutdown = async move {
        shutdown.await;
        let _ = closing_tx.send(true);
    };
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<generated::monitor_server::MonitorServer<MonitorService>>()
        .await;
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(generated::DESCRIPTOR)
        .build_v1()
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
    tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(reflection)
        .add_service(monitor)
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            shutdown,
        )
        .await
        .map_err(|e| ServeError::Transport(e.to_string()))
}
