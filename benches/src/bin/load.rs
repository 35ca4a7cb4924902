//! A load generator for `seismo serve`: starts the service as a child process on loopback
//! (a fresh data directory), registers a model with 20 numeric features, logs records from
//! concurrent clients with durable acknowledgements, then sends `Check` requests at a fixed
//! rate from several concurrent clients.
//!
//!     cargo run --release -p seismo-benches --bin load -- \
//!         [RECORDS] [BATCH] [CLIENTS] [CHECKS_PER_SECOND] [columns|rows] [floor]
//!
//! Defaults: 2,000,000 records in batches of 1,000 from 4 clients, 5,000 checks/s, the
//! columnar form. The child is this binary (`load serve DIR ADDR`) serving on one thread, as
//! `seismo serve` does by default. The clients build all their requests before the clock
//! starts (encoding them is still timed: it happens as they are sent). Prints ingest
//! throughput, `Log` latency, the service process' resident memory every tenth of the
//! ingest, and `Check` latency percentiles. With `floor`, the `Check`s name a model that is
//! not registered, so the service answers NOT_FOUND at once: the round trip without the
//! guard, for comparison.
//!
//! Record ids are `r0`, `r1`, ... (the label-join index grows with them); with
//! `SEISMO_LOAD_IDS=uuid` they are 33-character hex pairs in random order, as UUIDs are, and
//! with `SEISMO_LOAD_IDS=none` records carry no id. After the `Check`s the service stops and
//! the store is opened again, which compacts it when a quarter of it is free; its size is
//! printed before and after.

use std::time::{Duration, Instant};

use seismo_server::generated::monitor_client::MonitorClient;
use seismo_server::generated::*;
use seismo_server::{ServeOptions, serve};

const FEATURES: usize = 20;
/// 2026-10-01T00:00:00Z.
const START: i64 = 1_790_812_800_000_000;

fn feature(i: u64, f: usize) -> f64 {
    ((i * 31 + f as u64 * 7) % 997) as f64
}

fn prediction(i: u64) -> f64 {
    ((i * 13) % 100) as f64 / 100.0
}

/// Record `i`'s id (see the module's documentation).
fn id(i: u64) -> String {
    match std::env::var("SEISMO_LOAD_IDS").as_deref() {
        Ok("none") => String::new(),
        Ok("uuid") => format!(
            "{:016x}-{:016x}",
            (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            i.wrapping_mul(0xBF58_476D_1CE4_E5B9)
        ),
        _ => format!("r{i}"),
    }
}

/// Record `i` as a row.
fn record(i: u64) -> Record {
    Record {
        id: id(i),
        time_micros: START + i as i64 * 1_000,
        model_version: "1".into(),
        features: (0..FEATURES)
            .map(|f| {
                (
                    format!("f{f}"),
                    Value {
                        kind: Some(value::Kind::Number(feature(i, f))),
                    },
                )
            })
            .collect(),
        prediction: prediction(i),
        label: None,
    }
}

/// Records `from..to` as columns.
fn columns(from: u64, to: u64) -> RecordColumns {
    RecordColumns {
        ids: (from..to).map(id).collect(),
        time_micros: (from..to).map(|i| START + i as i64 * 1_000).collect(),
        model_versions: vec!["1".into()],
        predictions: (from..to).map(prediction).collect(),
        labels: Vec::new(),
        features: (0..FEATURES)
            .map(|f| FeatureColumn {
                name: format!("f{f}"),
                numbers: (from..to).map(|i| feature(i, f)).collect(),
                ..Default::default()
            })
            .collect(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Resident and peak memory of process `pid`, in MB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `load serve DIR ADDR`: the service alone, until killed.
fn serve_alone(dir: &str, address: &str) {
    let address: std::net::SocketAddr = address.parse().expect("an address");
    let options = ServeOptions::new(address, dir.into());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(address).await.unwrap();
            serve(options, listener, std::future::pending()).await
        })
        .unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "serve") {
        return serve_alone(&args[1], &args[2]);
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(drive(args));
}

async fn drive(args: Vec<String>) {
    let number = |i: usize, default: u64| {
        args.get(i).map_or(default, |a| {
            a.parse().expect("RECORDS BATCH CLIENTS CHECKS_PER_SECOND")
        })
    };
    let records = number(0, 2_000_000);
    let batch = number(1, 1_000);
    let clients = number(2, 4);
    let check_rate = number(3, 5_000);
    let rows = args.get(4).is_some_and(|a| a == "rows");
    let floor = args.get(5).is_some_and(|a| a == "floor");
    let checked = if floor { "not-registered@1" } else { "load@1" };

    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("http://127.0.0.1:{port}");
    let mut service = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("serve")
        .arg(dir.path())
        .arg(format!("127.0.0.1:{port}"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = service.id();
    let mut client = loop {
        if let Ok(client) = MonitorClient::connect(address.clone()).await {
            break client;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
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
            ..Default::default()
        })
        .await
        .unwrap();

    // Ingest: each client logs its share of the batches, all built before the clock starts.
    let batches = records / batch;
    let requests: Vec<Vec<LogRequest>> = (0..clients)
        .map(|c| {
            (c..batches)
                .step_by(clients as usize)
                .map(|b| {
                    let (from, to) = (b * batch, (b + 1) * batch);
                    LogRequest {
                        model: "load@1".into(),
                        records: if rows {
                            (from..to).map(record).collect()
                        } else {
                            Vec::new()
                        },
                        columns: (!rows).then(|| columns(from, to)),
                    }
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::new();
    for mine in requests {
        let (address, done) = (address.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut client = MonitorClient::connect(address).await.unwrap();
            let mut latencies = Vec::new();
            for request in mine {
                let sent = Instant::now();
                client.log(request).await.unwrap();
                latencies.push(sent.elapsed());
                done.fetch_add(batch, std::sync::atomic::Ordering::Relaxed);
            }
            latencies
        }));
    }
    let sampler = {
        let done = done.clone();
        tokio::spawn(async move {
            let mut next = records / 10;
            while next <= records {
                if done.load(std::sync::atomic::Ordering::Relaxed) >= next {
                    let (rss, _) = memory(pid);
                    println!("memory: the service holds {rss} MB after {next} records");
                    next += records / 10;
                } else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        })
    };
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    let _ = tokio::time::timeout(Duration::from_secs(1), sampler).await;
    latencies.sort();
    println!(
        "ingest ({}): {} records ({FEATURES} features) in {:.2} s = {:.0} records/s with durable acks; Log latency p50 {:?}, p99 {:?} ({} clients, {} records per batch); the service's peak memory {} MB",
        if rows { "rows" } else { "columns" },
        batches * batch,
        elapsed.as_secs_f64(),
        (batches * batch) as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        clients,
        batch,
        memory(pid).1
    );

    let bytes = store_bytes(dir.path());
    println!(
        "store: {:.1} MB on disk, {:.0} bytes per record",
        bytes as f64 / 1e6,
        bytes as f64 / (batches * batch) as f64
    );

    // Check at a fixed total rate for two seconds, from 8 concurrent clients on one
    // HTTP/2 connection (as an application's request handlers would share a channel).
    let checkers = 8;
    let total = check_rate * 2;
    let interval = Duration::from_secs_f64(checkers as f64 / check_rate as f64);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..checkers {
        let mut client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            // Staggered, so the 8 clients' requests arrive evenly spaced, not 8 at a time.
            let first = tokio::time::Instant::now() + interval * c as u32 / checkers as u32;
            let mut ticker = tokio::time::interval_at(first, interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for i in (c..total).step_by(checkers as usize) {
                let request = CheckRequest {
                    model: checked.into(),
                    records: vec![record(i)],
                };
                ticker.tick().await;
                let sent = Instant::now();
                let answer = client.check(request).await;
                assert_eq!(answer.is_err(), floor, "{answer:?}");
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let achieved = total as f64 / started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "check{}: {total} requests at {achieved:.0}/s (asked {check_rate}/s) from {checkers} concurrent clients; latency p50 {:?}, p99 {:?}, max {:?}",
        if floor {
            " (floor: an unregistered model)"
        } else {
            ""
        },
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1]
    );
    service.kill().unwrap();
    service.wait().unwrap();
    // What a restart leaves: opening the store compacts it when a quarter of it is free.
    let started = Instant::now();
    drop(seismo_monitor::Store::open(dir.path(), 64 << 20).unwrap());
    let bytes = store_bytes(dir.path());
    println!(
        "store after a restart: {:.1} MB on disk, {:.0} bytes per record (opened in {:.2} s)",
        bytes as f64 / 1e6,
        bytes as f64 / (batches * batch) as f64,
        started.elapsed().as_secs_f64()
    );
}

/// The bytes of every file in the data directory.
fn store_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum()
}
