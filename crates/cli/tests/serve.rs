//! `seismo serve` as a real process: SIGKILLed repeatedly while a client logs, every
//! acknowledged record is there after each restart.

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use seismo_server::generated::monitor_client::MonitorClient;
use seismo_server::generated::*;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_seismo"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("seismo serve starts")
}

async fn connect(port: u16) -> MonitorClient<tonic::transport::Channel> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(client) = MonitorClient::connect(format!("http://127.0.0.1:{port}")).await {
            return client;
        }
        assert!(Instant::now() < deadline, "the service did not come up");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn record(id: u64) -> Record {
    let mut features = HashMap::new();
    features.insert(
        "x".to_owned(),
        Value {
            kind: Some(value::Kind::Number(id as f64)),
        },
    );
    Record {
        id: format!("r{id}"),
        time_micros: 1_790_812_800_000_000 + id as i64 * 1_000,
        model_version: "1".into(),
        features,
        prediction: 0.5,
        label: None,
    }
}

#[test]
fn acknowledged_records_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut acknowledged = 0u64;
    let mut next_id = 0u64;
    for round in 0..4 {
        let port = free_port();
        let mut child = start(dir.path(), port);
        runtime.block_on(async {
            let mut client = connect(port).await;
            if round == 0 {
                client
                    .register_model(RegisterModelRequest {
                        name: "m".into(),
                        version: "1".into(),
                        schema: vec![Column {
                            name: "x".into(),
                            kind: "numeric".into(),
                        }],
                        task: "binary".into(),
                        reference: (0..50).map(record).collect(),
                        rules_toml: String::new(),
                        alerts: None,
                    })
                    .await
                    .unwrap();
            }
            // Log until the process is killed, counting what was acknowledged.
            let kill_at = Instant::now() + Duration::from_millis(300 + 150 * round as u64);
            loop {
                let batch: Vec<Record> = (next_id..next_id + 200).map(record).collect();
                next_id += 200;
                if Instant::now() >= kill_at {
                    child.kill().unwrap(); // SIGKILL
                }
                match client
                    .log(LogRequest {
                        model: "m@1".into(),
                        records: batch,
                        columns: None,
                    })
                    .await
                {
                    Ok(response) => acknowledged += response.into_inner().accepted,
                    Err(_) => break,
                }
            }
        });
        child.wait().unwrap();
        // Restart and count: every acknowledged record is there (a batch whose ack the kill
        // cut off may be there too).
        let port = free_port();
        let mut child = start(dir.path(), port);
        let stored = runtime.block_on(async {
            let mut client = connect(port).await;
            client
                .get_report(GetReportRequest {
                    model: "m@1".into(),
                    from_micros: 0,
                    to_micros: 0,
                })
                .await
                .unwrap()
                .into_inner()
                .records
        });
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(acknowledged > 0, "round {round}: nothing was acknowledged");
        assert!(
            stored >= acknowledged,
            "round {round}: {stored} records stored, {acknowledged} acknowledged"
        );
        assert!(stored <= next_id, "round {round}: more stored than sent");
    }
}

#[test]
fn bad_settings_are_refused_with_their_source_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("seismo.toml");
    let data = dir.path().join("data");
    let run = |flags: &[&str]| {
        let mut args = vec![
            "serve",
            "--metrics-listen",
            "off",
            "--listen",
            "127.0.0.1:0",
        ];
        args.extend(["--data-dir", common::path(&data)]);
        args.extend(flags);
        common::seismo(&args)
    };
    let config_arg = config.to_str().unwrap();
    for (text, flags, message) in [
        (
            "retention = \"soon\"\n",
            vec!["--config", config_arg],
            format!("{config_arg}: retention: `soon` is not a window length"),
        ),
        (
            "",
            vec!["--retention", "3x"],
            "--retention: `3x` is not a window length".to_owned(),
        ),
        (
            "retention_days = 3\n",
            vec!["--config", config_arg],
            format!("{config_arg}:1: unknown field `retention_days`"),
        ),
        (
            "tls_cert = \"/nonexistent/cert.pem\"\ntls_key = \"/nonexistent/key.pem\"\n",
            vec!["--config", config_arg],
            "cannot read the TLS certificate /nonexistent/cert.pem".to_owned(),
        ),
    ] {
        std::fs::write(&config, text).unwrap();
        common::assert_bad_input(&run(&flags), &message);
    }
}
