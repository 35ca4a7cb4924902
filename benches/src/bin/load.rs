//! A load generator for `seismo serve`: starts the service in-process on loopback (a fresh
//! data directory), registers a model with 20 features, logs records from concurrent
//! clients with durable acknowledgements, then sends `Check` requests at a fixed rate.
//!
//!     cargo run --release -p seismo-benches --bin load -- [RECORDS] [BATCH] [CLIENTS] [CHECKS_PER_SECOND]
//!
//! Prints ingest throughput, `Log` latency and `Check` latency percentiles.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use seismo_server::generated::monitor_client::MonitorClient;
use seismo_server::generated::*;
use seismo_server::{ServeOptions, serve};

const FEATURES: usize = 20;

fn record(i: u64) -> Record {
    let features: HashMap<String, Value> = (0..FEATURES)
        .map(|f| {
            (
                format!("f{f}"),
                Value {
                    kind: Some(value::Kind::Number(((i * 31 + f as u64) % 997) as f64)),
                },
            )
        })
        .collect();
    Record {
        id: format!("r{i}"),
        time_micros: 1_790_812_800_000_000 + i as i64 * 1_000,
        model_version: "1".into(),
        features,
        prediction: ((i % 100) as f64) / 100.0,
        label: None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers"))
        .collect();
    let records = args.first().copied().unwrap_or(200_000);
    let batch = args.get(1).copied().unwrap_or(1_000);
    let clients = args.get(2).copied().unwrap_or(4);
    let check_rate = args.get(3).copied().unwrap_or(5_000);

    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let options = ServeOptions {
        listen: listener.local_addr().unwrap(),
        data_dir: dir.path().to_owned(),
        max_message_bytes: 64 << 20,
        metrics_listener: None,
        token: None,
    };
    tokio::spawn(serve(options, listener, std::future::pending()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut client = MonitorClient::connect(address.clone()).await.unwrap();
    client
        .register_model(RegisterModelRequest {
            name: "load".into(),
            version: "1".into(),
            schema: (0..FEATURES)
                .map(|f| Column {
                    name: format!("f{f}"),
                    kind: "numeric".into(),
                })
                .collect(),
            task: "binary".into(),
            reference: (0..1_000).map(record).collect(),
            rules_toml: String::new(),
            alerts: None,
        })
        .await
        .unwrap();

    // Ingest: each client logs its share of the batches.
    let batches = records / batch;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let address = address.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = MonitorClient::connect(address).await.unwrap();
            let mut latencies = Vec::new();
            for b in (c..batches).step_by(clients as usize) {
                let records: Vec<Record> = (b * batch..(b + 1) * batch).map(record).collect();
                let sent = Instant::now();
                client
                    .log(LogRequest {
                        model: "load@1".into(),
                        records,
                    })
                    .await
                    .unwrap();
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "ingest: {} records ({FEATURES} features) in {:.2} s = {:.0} records/s with durable acks; Log latency p50 {:?}, p99 {:?} ({} clients, {} records per batch)",
        batches * batch,
        elapsed.as_secs_f64(),
        (batches * batch) as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        clients,
        batch
    );

    // Check at a fixed rate for two seconds.
    let interval = Duration::from_secs_f64(1.0 / check_rate as f64);
    let total = check_rate * 2;
    let mut latencies = Vec::with_capacity(total as usize);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    for i in 0..total {
        ticker.tick().await;
        let sent = Instant::now();
        client
            .check(CheckRequest {
                model: "load@1".into(),
                records: vec![record(i)],
            })
            .await
            .unwrap();
        latencies.push(sent.elapsed());
    }
    let achieved = total as f64 / started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "check: {total} requests at {achieved:.0}/s (asked {check_rate}/s) from one client; latency p50 {:?}, p99 {:?}, max {:?}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1]
    );
}
