//! What operators configure, through the real service on loopback: retention across a
//! restart, TLS from certificate files, and overload answered with RESOURCE_EXHAUSTED
//! without losing an acknowledged record.

use std::time::Duration;

use crate::common::{HOUR, client, firing, log, record, register, start};
use seismo_server::generated::monitor_client::MonitorClient;
use seismo_server::generated::*;
use seismo_server::{ServeOptions, Tls, now_micros, serve};
use tonic::Code;

#[tokio::test]
async fn retention_deletes_old_windows_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    register(&mut monitor, "", AlertPolicy::default()).await;
    let now = now_micros();
    let old = (0..50)
        .map(|i| record(i, now - 240 * HOUR + i as i64, 0.4))
        .collect();
    let recent = (50..80)
        .map(|i| record(i, now - HOUR / 2 + i as i64, 0.4))
        .collect();
    log(&mut monitor, old).await.unwrap();
    log(&mut monitor, recent).await.unwrap();
    assert_eq!(crate::common::report(&mut monitor, 0, 0).await.records, 80);
    stop.send(()).unwrap();
    task.await.unwrap();

    let (address, stop, task) = start(dir.path(), |o| {
        o.service.retention = Some(Duration::from_secs(24 * 3600));
    })
    .await;
    let mut monitor = client(&address).await;
    // Retention runs when the writer starts, before it takes any request.
    assert_eq!(crate::common::report(&mut monitor, 0, 0).await.records, 30);
    let labels = monitor
        .log_labels(LogLabelsRequest {
            model: "credit@1.0".into(),
            labels: vec![
                Label {
                    id: "r1".into(),
                    label: 1.0,
                },
                Label {
                    id: "r60".into(),
                    label: 1.0,
                },
            ],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (labels.joined, labels.unknown),
        (1, 1),
        "the old record's id went with it"
    );
    stop.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn tls_from_certificate_files() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let certificate = certified.cert.pem();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, &certificate).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();

    let (address, stop, task) = start(&dir.path().join("data"), |o| {
        o.tls = Some(Tls {
            certificate: cert_path.clone(),
            key: key_path.clone(),
        });
    })
    .await;
    let port = address.rsplit(':').next().unwrap().to_owned();
    let tls = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(&certificate))
        .domain_name("localhost");
    let mut channel = None;
    for _ in 0..50 {
        let endpoint = tonic::transport::Channel::from_shared(format!("https://127.0.0.1:{port}"))
            .unwrap()
            .tls_config(tls.clone())
            .unwrap();
        if let Ok(c) = endpoint.connect().await {
            channel = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut monitor = MonitorClient::new(channel.expect("a TLS connection"));
    register(&mut monitor, "", AlertPolicy::default()).await;
    assert_eq!(firing(&mut monitor).await, Vec::<String>::new());

    // A plaintext client gets nowhere.
    let plain = MonitorClient::connect(address.clone()).await;
    if let Ok(mut plain) = plain {
        let refused = plain
            .list_alerts(ListAlertsRequest::default())
            .await
            .unwrap_err();
        assert_ne!(refused.code(), Code::Ok);
    }
    stop.send(()).unwrap();
    task.await.unwrap();

    // A missing key file is named.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut options = ServeOptions::new(listener.local_addr().unwrap(), dir.path().join("data"));
    options.tls = Some(Tls {
        certificate: cert_path,
        key: dir.path().join("missing.pem"),
    });
    let error = serve(options, listener, async {}).await.unwrap_err();
    assert!(
        error.to_string().starts_with("cannot read the TLS key ")
            && error.to_string().contains("missing.pem"),
        "{error}"
    );
}

#[tokio::test]
async fn overload_is_refused_and_every_acknowledged_record_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |o| {
        o.service.max_pending_records = 1_500;
    })
    .await;
    let mut monitor = client(&address).await;
    register(&mut monitor, "", AlertPolicy::default()).await;
    let mut requests = Vec::new();
    for b in 0..24 {
        let mut monitor = monitor.clone();
        requests.push(tokio::spawn(async move {
            let records = (b * 1_000..(b + 1) * 1_000)
                .map(|i| record(i, crate::common::START + i as i64, 0.4))
                .collect();
            log(&mut monitor, records).await
        }));
    }
    let (mut accepted, mut refused) = (0, 0);
    for request in requests {
        match request.await.unwrap() {
            Ok(n) => accepted += n,
            Err(status) => {
                assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
                assert!(status.message().contains("overloaded"), "{status:?}");
                refused += 1;
            }
        }
    }
    eprintln!("{accepted} records acknowledged, {refused} requests refused");
    assert_eq!(accepted + refused * 1_000, 24_000);
    assert_eq!(
        crate::common::report(&mut monitor, 0, 0).await.records,
        accepted
    );
    stop.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn a_report_over_its_record_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |o| o.service.max_report_records = 150).await;
    let mut monitor = client(&address).await;
    register(&mut monitor, "", AlertPolicy::default()).await;
    let records = (0..200)
        .map(|i| record(i, crate::common::START + i as i64 * 1_000_000, 0.4))
        .collect();
    log(&mut monitor, records).await.unwrap();
    let request = |to_micros| GetReportRequest {
        model: "credit@1.0".into(),
        from_micros: crate::common::START,
        to_micros,
    };
    let refused = monitor.get_report(request(0)).await.unwrap_err();
    assert_eq!(refused.code(), Code::ResourceExhausted);
    assert_eq!(
        refused.message(),
        "from_micros, to_micros: the range holds more than 150 records, the most one report reads; ask for a shorter range"
    );
    // The limit counts the records read (whole stored batches); a range without any answers.
    let empty = monitor
        .get_report(GetReportRequest {
            model: "credit@1.0".into(),
            from_micros: crate::common::START + 2 * HOUR,
            to_micros: crate::common::START + 3 * HOUR,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(empty.records, 0);
    stop.send(()).unwrap();
    task.await.unwrap();
}

/// An https receiver with this certificate: keeps each POST's body, answers 200.
async fn https_receiver(
    certificate: rustls::pki_types::CertificateDer<'static>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
) -> (
    u16,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certificate], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let bodies: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>> = Default::default();
    let kept = bodies.clone();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let (acceptor, kept) = (acceptor.clone(), kept.clone());
            tokio::spawn(async move {
                let mut tls = acceptor.accept(tcp).await.unwrap();
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                // Read the head, then the body its content-length announces.
                let body = loop {
                    let n = tls.read(&mut buffer).await.unwrap();
                    request.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length: usize = text
                            .lines()
                            .find_map(|l| {
                                l.to_lowercase()
                                    .strip_prefix("content-length: ")
                                    .map(str::to_owned)
                            })
                            .unwrap()
                            .trim()
                            .parse()
                            .unwrap();
                        if request.len() >= end + 4 + length {
                            break request[end + 4..end + 4 + length].to_vec();
                        }
                    }
                };
                kept.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap());
                tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                    .await
                    .unwrap();
                tls.shutdown().await.ok();
            });
        }
    });
    (port, bodies)
}

#[tokio::test]
async fn webhooks_go_over_https_to_a_receiver_the_operator_trusts() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let ca = dir.path().join("webhook-ca.pem");
    std::fs::write(&ca, certified.cert.pem()).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let (port, bodies) = https_receiver(certified.cert.der().clone(), key).await;

    let (address, stop, task) = start(&dir.path().join("data"), |o| {
        o.webhook_ca = Some(ca.clone());
    })
    .await;
    let mut monitor = client(&address).await;
    register(
        &mut monitor,
        "",
        AlertPolicy {
            window: "1h".into(),
            webhook_url: format!("https://localhost:{port}/hook"),
            ..Default::default()
        },
    )
    .await;
    let broken = (0..100)
        .map(|i| record(i, crate::common::START + i as i64 * 1_000_000, 500.0))
        .collect();
    log(&mut monitor, broken).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while bodies.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("a POST over https within 10 s");
    let first = bodies.lock().unwrap()[0].clone();
    assert_eq!(
        (first["kind"].as_str(), first["state"].as_str()),
        (Some("prediction_mean"), Some("firing"))
    );
    stop.send(()).unwrap();
    task.await.unwrap();

    // A CA file without certificates is refused at start, naming it.
    std::fs::write(&ca, "not a certificate\n").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut options = ServeOptions::new(listener.local_addr().unwrap(), dir.path().join("data"));
    options.webhook_ca = Some(ca.clone());
    let error = serve(options, listener, async {}).await.unwrap_err();
    assert!(
        error.to_string().starts_with("webhook CA file ")
            && error.to_string().contains("webhook-ca.pem"),
        "{error}"
    );
}
