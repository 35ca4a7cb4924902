//! `seismo serve`: the monitoring service.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::Exit;

/// Arguments of `seismo serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A TOML file with the settings below and more (docs/server.md); flags win
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The gRPC address [default: 127.0.0.1:50051]
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Where the durable store lives [default: ./seismo-data]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Where Prometheus scrapes /metrics [default: 127.0.0.1:9464; "off" serves none]
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<String>,
    /// A file holding the bearer token every call must carry (or set SEISMO_TOKEN)
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Serve TLS with this certificate chain (PEM); needs --tls-key
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Delete records older than this, like 30d [default: keep everything]
    #[arg(long, value_name = "DURATION")]
    retention: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    max_message_bytes: Option<usize>,
    metrics_listen: Option<String>,
    token_file: Option<PathBuf>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    retention: Option<String>,
    cache_mb: Option<usize>,
    max_pending_records: Option<u64>,
    max_report_records: Option<usize>,
    worker_threads: Option<usize>,
    webhook_ca_file: Option<PathBuf>,
}

/// Runs the service until SIGTERM or Ctrl-C.
pub fn run(args: ServeArgs) -> Result<Exit> {
    let config: ServeConfig = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
            let file = seismo_config::ConfigFile::new(&path.display().to_string(), &text);
            file.parse()?
        }
        None => ServeConfig::default(),
    };
    let metrics = args
        .metrics_listen
        .or(config.metrics_listen)
        .unwrap_or_else(|| "127.0.0.1:9464".into());
    let metrics_listener = match metrics.as_str() {
        "off" => None,
        address => Some(
            address
                .parse::<SocketAddr>()
                .with_context(|| format!("--metrics-listen: `{address}` is not an address"))?,
        ),
    };
    let token = match args.token_file.or(config.token_file) {
        Some(path) => {
            let token = std::fs::read_to_string(&path)
                .with_context(|| format!("{}: cannot read the token", path.display()))?;
            let token = token.trim().to_owned();
            anyhow::ensure!(
                !token.is_empty(),
                "{}: the token file is empty",
                path.display()
            );
            Some(token)
        }
        None => std::env::var("SEISMO_TOKEN").ok().filter(|t| !t.is_empty()),
    };
    let tls = match (
        args.tls_cert.or(config.tls_cert),
        args.tls_key.or(config.tls_key),
    ) {
        (Some(certificate), Some(key)) => {
            let tls = seismo_server::Tls { certificate, key };
            tls.read()?; // before listening: a missing file is the only output
            Some(tls)
        }
        (None, None) => None,
        _ => anyhow::bail!("TLS needs both a certificate and a key (tls_cert and tls_key)"),
    };
    let config_name = args
        .config
        .as_ref()
        .map_or(String::new(), |p| format!("{}: ", p.display()));
    let retention = match args
        .retention
        .map(|t| (t, "--retention".to_owned()))
        .or(config
            .retention
            .map(|t| (t, format!("{config_name}retention"))))
    {
        Some((text, from)) => {
            let length: seismo_history::WindowLength =
                text.parse().map_err(|e| anyhow::anyhow!("{from}: {e}"))?;
            Some(std::time::Duration::from_micros(length.micros() as u64))
        }
        None => None,
    };
    let mut options = seismo_server::ServeOptions::new(
        args.listen
            .or(config.listen)
            .unwrap_or_else(|| "127.0.0.1:50051".parse().expect("a valid address")),
        args.data_dir
            .or(config.data_dir)
            .unwrap_or_else(|| PathBuf::from("seismo-data")),
    );
    options.token = token;
    options.metrics_listener = metrics_listener;
    options.tls = tls;
    options.max_message_bytes = config.max_message_bytes.unwrap_or(16 << 20);
    options.service.retention = retention;
    if let Some(mb) = config.cache_mb {
        options.cache_bytes = mb << 20;
    }
    if let Some(records) = config.max_pending_records {
        options.service.max_pending_records = records;
    }
    options.webhook_ca = config.webhook_ca_file;
    if let Some(records) = config.max_report_records {
        options.service.max_report_records = records;
    }
    // One thread serves requests by default (the store's writer has its own): on few cores
    // this halves `Check`'s p99 against a multi-threaded runtime (docs/benchmarks.md).
    let runtime = match config.worker_threads.unwrap_or(1) {
        0 => anyhow::bail!("{config_name}worker_threads: 0; the service needs at least one thread"),
        1 => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        n => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build(),
    }
    .context("cannot start the runtime")?;
    // The service reports through `tracing` (alerts, retention, webhook retries): to stderr,
    // one line each, without timestamps (the process supervisor adds its own).
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .try_init();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .with_context(|| format!("cannot listen on {}", options.listen))?;
        eprintln!(
            "seismo serve: listening on {}, data in {}",
            listener.local_addr()?,
            options.data_dir.display()
        );
        let shutdown = async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("a SIGTERM handler");
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            eprintln!("seismo serve: shutting down");
        };
        seismo_server::serve(options, listener, shutdown).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(Exit::Clean)
}
