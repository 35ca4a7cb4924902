//! `seismo serve` as a real process: SIGKILLed repeatedly while a client logs, every
//! acknowledged record is there after each restart.

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
            // Tests run side by side: no two may take the default metrics port.
            "--metrics-listen",
            "off",
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
                        ..Default::default()
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
        args.extend(["--data-dir", crate::common::path(&data)]);
        args.extend(flags);
        crate::common::seismo(&args)
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
            "worker_threads = 0\n",
            vec!["--config", config_arg],
            format!("{config_arg}: worker_threads: 0; the service needs at least one thread"),
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
        crate::common::assert_bad_input(&run(&flags), &message);
    }
}

/// A credit-risk record like the example data's, with this credit score and score.
fn credit(i: u64, time: i64, credit_score: f64, score: f64) -> Record {
    let number = |x: f64| Value {
        kind: Some(value::Kind::Number(x)),
    };
    let text = |t: &str| Value {
        kind: Some(value::Kind::Text(t.into())),
    };
    let features = HashMap::from([
        ("age".to_owned(), number(25.0 + (i % 40) as f64)),
        ("credit_score".to_owned(), number(credit_score)),
        (
            "country".to_owned(),
            text(["DE", "FR", "ES", "IT"][i as usize % 4]),
        ),
    ]);
    Record {
        id: format!("c{i}"),
        time_micros: time,
        model_version: "1.0.0".into(),
        features,
        prediction: score,
        label: None,
    }
}

#[test]
fn a_saved_profile_serves_as_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("reference.profile.json");
    let saved = crate::common::seismo(&[
        "profile",
        crate::common::path(&crate::common::example("reference.parquet")),
        "--save",
        crate::common::path(&profile),
    ]);
    assert!(saved.status.success(), "{saved:?}");
    let profile = std::fs::read(&profile).unwrap();
    let port = free_port();
    let mut child = start(&dir.path().join("data"), port);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut client = connect(port).await;
        let column = |name: &str, kind: &str| Column {
            name: name.into(),
            kind: kind.into(),
        };
        let registration = |prediction_column: &str| RegisterModelRequest {
            name: "credit".into(),
            version: "1.0.0".into(),
            schema: vec![
                column("age", "numeric"),
                column("credit_score", "numeric"),
                column("country", "categorical"),
            ],
            task: "binary".into(),
            reference_profile: profile.clone(),
            profile_prediction_column: prediction_column.into(),
            alerts: Some(AlertPolicy {
                window: "1h".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let refused = client
            .register_model(registration("prob"))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), tonic::Code::InvalidArgument);
        assert!(
            refused
                .message()
                .starts_with("profile_prediction_column: the profile has no column `prob`"),
            "{}",
            refused.message()
        );
        let registered = client
            .register_model(registration("score"))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (registered.model.as_str(), registered.reference_records),
            ("credit@1.0.0", 5_000)
        );

        // The guard knows the reference's range from the profile's sketch.
        let check = |score: f64| CheckRequest {
            model: "credit@1.0.0".into(),
            records: vec![credit(1, 1_790_812_800_000_000, 700.0, score)],
        };
        let ok = client.check(check(0.1)).await.unwrap().into_inner();
        assert_eq!(ok.verdict, Verdict::Ok as i32, "{:?}", ok.reasons);
        let blocked = client.check(check(50.0)).await.unwrap().into_inner();
        assert_eq!(blocked.verdict, Verdict::Block as i32);

        // A window where every credit score is -1 and every score 50: drift and a mean
        // far outside the reference's.
        let broken = (0..200)
            .map(|i| credit(i, 1_790_812_800_000_000 + i as i64 * 1_000_000, -1.0, 50.0))
            .collect();
        client
            .log(LogRequest {
                model: "credit@1.0.0".into(),
                records: broken,
                columns: None,
            })
            .await
            .unwrap();
        let firing: Vec<String> = client
            .list_alerts(ListAlertsRequest {
                model: "credit@1.0.0".into(),
                firing_only: true,
            })
            .await
            .unwrap()
            .into_inner()
            .alerts
            .into_iter()
            .map(|a| a.id)
            .collect();
        for id in [
            "credit@1.0.0:prediction_mean:prediction",
            "credit@1.0.0:drift:credit_score",
        ] {
            assert!(firing.iter().any(|f| f == id), "{id} not in {firing:?}");
        }
        // The report's drift tests compare the window's sketches with the profile's.
        let report = client
            .get_report(GetReportRequest {
                model: "credit@1.0.0".into(),
                from_micros: 0,
                to_micros: 0,
            })
            .await
            .unwrap()
            .into_inner();
        let drift = report
            .checks
            .iter()
            .find(|c| c.subject == "credit_score" && c.check != "drift" && c.check != "null_rate")
            .expect("a drift test of credit_score");
        assert_eq!(drift.outcome, "fail", "{drift:?}");
    });
    child.kill().unwrap();
    child.wait().unwrap();
}
