//! What the service's integration tests share: a record of the test model, starting the
//! real service on a loopback port, a connected client and a Prometheus scrape.
#![allow(dead_code)]

use std::collections::HashMap;

use seismo_server::generated::monitor_client::MonitorClient;
use seismo_server::generated::*;
use seismo_server::{ServeOptions, serve};

pub const HOUR: i64 = 3_600_000_000;
/// 2026-10-01T00:00:00Z.
pub const START: i64 = 1_790_812_800_000_000;

pub fn record(i: usize, time: i64, prediction: f64) -> Record {
    let mut features = HashMap::new();
    features.insert(
        "age".to_owned(),
        Value {
            kind: Some(value::Kind::Number(30.0 + (i % 40) as f64)),
        },
    );
    features.insert(
        "country".to_owned(),
        Value {
            kind: Some(value::Kind::Text(["DE", "FR"][i % 2].into())),
        },
    );
    Record {
        id: format!("r{i}"),
        time_micros: time,
        model_version: "1.0".into(),
        features,
        prediction,
        label: None,
    }
}

/// Starts the service on a free loopback port; returns its address and a stopper.
pub async fn start(
    dir: &std::path::Path,
    configure: impl FnOnce(&mut ServeOptions),
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut options = ServeOptions::new(listener.local_addr().unwrap(), dir.to_owned());
    configure(&mut options);
    let task = tokio::spawn(async move {
        serve(options, listener, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (address, stop, task)
}

/// [`start`] with the metrics endpoint on another free loopback port, returned last.
pub async fn start_with_metrics(
    dir: &std::path::Path,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
    std::net::SocketAddr,
) {
    let metrics_address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (address, stop, task) = start(dir, |o| o.metrics_listener = Some(metrics_address)).await;
    (address, stop, task, metrics_address)
}

pub async fn client(address: &str) -> MonitorClient<tonic::transport::Channel> {
    for _ in 0..50 {
        if let Ok(c) = MonitorClient::connect(address.to_owned()).await {
            return c;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the service did not come up");
}

/// GET /metrics over a plain TCP connection, as a Prometheus server would.
pub async fn scrape(address: std::net::SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
}

/// The test model's schema: `age` (numeric) and `country` (categorical).
pub fn schema() -> Vec<Column> {
    vec![
        Column {
            name: "age".into(),
            kind: "numeric".into(),
        },
        Column {
            name: "country".into(),
            kind: "categorical".into(),
        },
    ]
}

/// Registers `credit@1.0` (binary) with 400 labelled reference records whose predictions
/// spread over 0.2..0.8 and whose labels agree with them (accuracy 1).
pub async fn register(
    monitor: &mut MonitorClient<tonic::transport::Channel>,
    rules_toml: &str,
    alerts: AlertPolicy,
) {
    let reference = (0..400)
        .map(|i| {
            let p = 0.2 + 0.6 * ((i * 37) % 400) as f64 / 400.0;
            Record {
                label: Some(f64::from(p >= 0.5)),
                ..record(i, START - HOUR, p)
            }
        })
        .collect();
    register_reference(monitor, reference, rules_toml, alerts).await;
}

/// Registers `credit@1.0` (binary) with this reference.
pub async fn register_reference(
    monitor: &mut MonitorClient<tonic::transport::Channel>,
    reference: Vec<Record>,
    rules_toml: &str,
    alerts: AlertPolicy,
) -> RegisterModelResponse {
    monitor
        .register_model(RegisterModelRequest {
            name: "credit".into(),
            version: "1.0".into(),
            schema: schema(),
            task: "binary".into(),
            reference,
            rules_toml: rules_toml.into(),
            alerts: Some(alerts),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

/// Logs rows.
pub async fn log(
    monitor: &mut MonitorClient<tonic::transport::Channel>,
    records: Vec<Record>,
) -> Result<u64, tonic::Status> {
    monitor
        .log(LogRequest {
            model: "credit@1.0".into(),
            records,
            columns: None,
        })
        .await
        .map(|r| r.into_inner().accepted)
}

/// The ids of the alerts firing now, sorted.
pub async fn firing(monitor: &mut MonitorClient<tonic::transport::Channel>) -> Vec<String> {
    let mut ids: Vec<String> = monitor
        .list_alerts(ListAlertsRequest {
            model: "credit@1.0".into(),
            firing_only: true,
        })
        .await
        .unwrap()
        .into_inner()
        .alerts
        .into_iter()
        .map(|a| a.id)
        .collect();
    ids.sort();
    ids
}

/// The report of `credit@1.0` for `from <= time < to` (0 for no upper bound).
pub async fn report(
    monitor: &mut MonitorClient<tonic::transport::Channel>,
    from_micros: i64,
    to_micros: i64,
) -> GetReportResponse {
    monitor
        .get_report(GetReportRequest {
            model: "credit@1.0".into(),
            from_micros,
            to_micros,
        })
        .await
        .unwrap()
        .into_inner()
}
