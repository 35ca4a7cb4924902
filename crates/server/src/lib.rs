//! The gRPC monitoring service (not built yet; see issue "The gRPC monitoring service").
//!
//! This crate will own: the `seismo.v1.Monitor` service, durable ingest into an embedded
//! store, tumbling windows of mergeable sketches, detectors, the real-time guard, alerts and
//! the Prometheus `/metrics` endpoint.
