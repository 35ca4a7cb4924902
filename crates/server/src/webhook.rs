//! Webhooks: each alert that changes state is POSTed as JSON to the model's `webhook_url`
//! (http or https: Mozilla's roots, and any CA the operator adds), in order, retried with
//! exponential backoff while the receiver fails or cannot be reached.
//! An alert that still fails after the last attempt is logged and dropped; it stays in the
//! store and in `ListAlerts`.

use std::time::Duration;

use std::path::Path;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio::sync::mpsc::UnboundedReceiver;

use seismo_monitor::record::Alert;

/// How deliveries are retried.
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    /// Attempts in all.
    pub attempts: u32,
    /// The wait before the second attempt; it doubles after each failure.
    pub first_backoff: Duration,
    /// The longest one attempt may take.
    pub timeout: Duration,
}

impl Default for Retries {
    fn default() -> Self {
        Self {
            attempts: 6,
            first_backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The JSON body of one alert.
pub fn body(alert: &Alert) -> serde_json::Value {
    let instant =
        |micros: i64| seismo_stats::profile::format_instant_micros(micros).unwrap_or_default();
    serde_json::json!({
        "id": alert.id,
        "model": alert.model,
        "kind": alert.kind,
        "subject": alert.subject,
        "state": alert.state().as_str(),
        "message": alert.message,
        "value": alert.value,
        "threshold": alert.threshold,
        "window_start": instant(alert.window_start_micros),
        "changed": instant(alert.changed_micros),
    })
}

type WebhookClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The HTTP(S) client: Mozilla's root certificates, and those in `extra_ca` (PEM) if given.
/// The error names the file.
pub fn client(extra_ca: Option<&Path>) -> Result<WebhookClient, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra_ca {
        let certificates = CertificateDer::pem_file_iter(path)
            .and_then(|all| all.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("webhook CA file {}: {e}", path.display()))?;
        if certificates.is_empty() {
            return Err(format!(
                "webhook CA file {}: no PEM certificate in it",
                path.display()
            ));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|e| format!("webhook CA file {}: {e}", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

/// Delivers alerts until the sending side closes.
pub async fn deliver(
    client: WebhookClient,
    mut alerts: UnboundedReceiver<(String, Alert)>,
    retries: Retries,
) {
    while let Some((url, alert)) = alerts.recv().await {
        let payload = Bytes::from(body(&alert).to_string());
        let mut backoff = retries.first_backoff;
        for attempt in 1..=retries.attempts {
            let result = post(&client, &url, payload.clone(), retries.timeout).await;
            match result {
                Ok(()) => break,
                Err(why) if attempt == retries.attempts => {
                    tracing::error!(
                        "webhook {url}: alert {} not delivered after {attempt} attempts: {why}",
                        alert.id
                    );
                }
                Err(why) => {
                    tracing::warn!(
                        "webhook {url}: attempt {attempt} failed ({why}); retrying in {backoff:?}"
                    );
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
            }
        }
    }
}

async fn post(
    client: &WebhookClient,
    url: &str,
    payload: Bytes,
    timeout: Duration,
) -> Result<(), String> {
    let request = hyper::Request::post(url)
        .header("content-type", "application/json")
        .header("user-agent", concat!("seismo/", env!("CARGO_PKG_VERSION")))
        .body(Full::new(payload))
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(timeout, client.request(request))
        .await
        .map_err(|_| format!("no answer within {timeout:?}"))?
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered {}", response.status()))
    }
}
