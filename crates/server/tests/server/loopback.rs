//! The real service on loopback with a real gRPC client: register, log, report, guard, and
//! an alert when the mean prediction jumps 1000× within one window; then a restart on the
//! same data directory keeps every acknowledged record and alert.

use seismo_server::generated::*;
use seismo_server::{ServeOptions, serve};
use tokio_stream::StreamExt;
use tonic::Code;

use crate::common::{HOUR, START, client, record, scrape, start};

#[tokio::test]
async fn register_log_report_and_alert_on_a_thousandfold_jump() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task, metrics_address) =
        crate::common::start_with_metrics(dir.path()).await;
    let mut monitor = client(&address).await;
    let reference: Vec<Record> = (0..200)
        .map(|i| record(i, START - HOUR, 0.1 + 0.001 * (i % 10) as f64))
        .collect();
    let registered = crate::common::register_reference(
        &mut monitor,
        reference,
        "",
        AlertPolicy {
            window: "1h".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(registered.model, "credit@1.0");
    let mut watch = monitor
        .watch_alerts(WatchAlertsRequest {
            model: "credit@1.0".into(),
        })
        .await
        .unwrap()
        .into_inner();

    // One healthy hour, then a release that multiplies predictions by 1000.
    let healthy: Vec<Record> = (0..100)
        .map(|i| {
            record(
                i,
                START + i as i64 * 1_000_000,
                0.1 + 0.001 * (i % 10) as f64,
            )
        })
        .collect();
    let log = monitor
        .log(LogRequest {
            model: "credit@1.0".into(),
            records: healthy,
            columns: None,
        })
        .await
        .unwrap();
    assert_eq!(log.into_inner().accepted, 100);
    let broken: Vec<Record> = (100..200)
        .map(|i| {
            record(
                i,
                START + HOUR + i as i64 * 1_000_000,
                100.0 + (i % 10) as f64,
            )
        })
        .collect();
    monitor
        .log(LogRequest {
            model: "credit@1.0".into(),
            records: broken,
            columns: None,
        })
        .await
        .unwrap();

    // The alert arrives on the watch, within the window that jumped.
    let alert = tokio::time::timeout(std::time::Duration::from_secs(5), watch.next())
        .await
        .expect("an alert within 5 s")
        .unwrap()
        .unwrap();
    assert_eq!(
        (alert.kind.as_str(), alert.state.as_str()),
        ("prediction_mean", "firing")
    );
    assert_eq!(alert.window_start_micros, START + HOUR);
    assert!(
        alert.value > 900.0 && alert.value < 1100.0,
        "{}",
        alert.value
    );

    // A report of the broken hour says the same; labels join later.
    let labels = monitor
        .log_labels(LogLabelsRequest {
            model: "credit@1.0".into(),
            labels: vec![
                Label {
                    id: "r150".into(),
                    label: 1.0,
                },
                Label {
                    id: "nope".into(),
                    label: 0.0,
                },
            ],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((labels.joined, labels.unknown), (1, 1));
    let report = crate::common::report(&mut monitor, START + HOUR, START + 2 * HOUR).await;
    assert_eq!((report.records, report.labelled), (100, 1));
    let ratio = report
        .checks
        .iter()
        .find(|c| c.check == "prediction_mean")
        .unwrap();
    assert_eq!(ratio.outcome, "fail");
    assert!(ratio.value.unwrap() > 900.0, "{ratio:?}");
    let json: serde_json::Value = serde_json::from_str(&report.report_json).unwrap();
    assert_eq!(
        json["checks"].as_array().unwrap().len(),
        report.checks.len()
    );

    // The guard blocks a thousandfold prediction and lets a normal one through.
    let check = |p: f64| CheckRequest {
        model: "credit@1.0".into(),
        records: vec![record(1, START, p)],
    };
    let ok = monitor.check(check(0.105)).await.unwrap().into_inner();
    assert_eq!(ok.verdict, Verdict::Ok as i32);
    let blocked = monitor.check(check(104.0)).await.unwrap().into_inner();
    assert_eq!(
        blocked.verdict,
        Verdict::Block as i32,
        "{:?}",
        blocked.reasons
    );

    // A batch with one bad record is refused whole, naming the field.
    let mut bad = vec![
        record(300, START + 2 * HOUR, 0.1),
        record(301, START + 2 * HOUR, 0.1),
    ];
    bad[1].features.insert(
        "income".into(),
        Value {
            kind: Some(value::Kind::Number(1.0)),
        },
    );
    let error = monitor
        .log(LogRequest {
            model: "credit@1.0".into(),
            records: bad,
            columns: None,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert_eq!(
        error.message(),
        "records[1].features.income: not in the model's schema (features: age, country)"
    );
    let unknown = monitor
        .log(LogRequest {
            model: "nope".into(),
            records: vec![],
            columns: None,
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);

    // A Prometheus scrape sees the ingest, the window mean and the firing alert.
    let scrape = scrape(metrics_address).await;
    for line in [
        "seismo_records_total{model=\"credit@1.0\"} 200",
        "seismo_firing_alerts{model=\"credit@1.0\"} 4",
        "seismo_rejected_requests_total{model=\"credit@1.0\"} 1",
        "seismo_log_seconds_count 2",
    ] {
        assert!(
            scrape.lines().any(|l| l == line),
            "`{line}` not in:\n{scrape}"
        );
    }
    assert!(
        scrape.contains("seismo_window_prediction_mean{model=\"credit@1.0\"} 104.5"),
        "{scrape}"
    );

    // Restart on the same data directory: the records and the alert are still there.
    stop.send(()).unwrap();
    task.await.unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    let all = crate::common::report(&mut monitor, 0, 0).await;
    assert_eq!(all.records, 200, "the refused batch stored nothing");
    let alerts = monitor
        .list_alerts(ListAlertsRequest {
            model: String::new(),
            firing_only: true,
        })
        .await
        .unwrap()
        .into_inner();
    let mut firing: Vec<&str> = alerts.alerts.iter().map(|a| a.id.as_str()).collect();
    firing.sort_unstable();
    assert_eq!(
        firing,
        [
            "credit@1.0:prediction_cusum:prediction",
            "credit@1.0:prediction_mean:prediction",
            "credit@1.0:prediction_quantile:prediction p50",
            "credit@1.0:prediction_quantile:prediction p90",
        ]
    );
    stop.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn a_configured_token_is_required_on_every_monitor_call() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let mut options = ServeOptions::new(listener.local_addr().unwrap(), dir.path().to_owned());
    options.token = Some("s3cret".into());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(options, listener, async {
        let _ = stopped.await;
    }));
    let mut monitor = client(&address).await;
    let request = || ListAlertsRequest {
        model: String::new(),
        firing_only: false,
    };
    let refused = monitor.list_alerts(request()).await.unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
    let mut wrong = tonic::Request::new(request());
    wrong
        .metadata_mut()
        .insert("authorization", "Bearer guess".parse().unwrap());
    assert_eq!(
        monitor.list_alerts(wrong).await.unwrap_err().code(),
        Code::Unauthenticated
    );
    let mut right = tonic::Request::new(request());
    right
        .metadata_mut()
        .insert("authorization", "Bearer s3cret".parse().unwrap());
    assert!(monitor.list_alerts(right).await.is_ok());
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}

/// Reflection answers in both versions: v1 (newer grpcurl) and v1alpha (Python's
/// grpcio-reflection, older grpcurl, Postman), each listing the Monitor service.
#[tokio::test]
async fn reflection_answers_v1_and_v1alpha() {
    use tonic_reflection::pb::{v1, v1alpha};
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let _ = client(&address).await;
    let channel = tonic::transport::Channel::from_shared(address.clone())
        .unwrap()
        .connect()
        .await
        .unwrap();

    let mut alpha = v1alpha::server_reflection_client::ServerReflectionClient::new(channel.clone());
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
        ),
    };
    let mut answers = alpha
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("v1alpha reflection is served")
        .into_inner();
    let answer = answers.next().await.unwrap().unwrap();
    let Some(v1alpha::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        answer.message_response
    else {
        panic!("not a service list: {answer:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(names.contains(&"seismo.v1.Monitor".to_owned()), "{names:?}");

    let mut current = v1::server_reflection_client::ServerReflectionClient::new(channel);
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut answers = current
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("v1 reflection is served")
        .into_inner();
    let answer = answers.next().await.unwrap().unwrap();
    assert!(
        format!("{answer:?}").contains("seismo.v1.Monitor"),
        "{answer:?}"
    );
    stop.send(()).unwrap();
    task.await.unwrap();
}
