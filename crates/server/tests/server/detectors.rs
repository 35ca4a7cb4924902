//! The detectors and their alerts through the real service on loopback: the columnar Log
//! form, feature drift, null rates, rule violations, labelled performance, the CUSUM, the
//! rules in `Check`, and webhook delivery with a retry.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{HOUR, START, client, firing, log, record, register, start};
use seismo_server::generated::*;
use tonic::Code;

fn policy() -> AlertPolicy {
    AlertPolicy {
        window: "1h".into(),
        ..Default::default()
    }
}

/// Records `from..to` of the test model as columns, in the hour starting at `hour`.
fn columns(from: usize, to: usize, hour: i64) -> RecordColumns {
    RecordColumns {
        ids: (from..to).map(|i| format!("c{i}")).collect(),
        time_micros: (from..to).map(|i| hour + i as i64 * 1_000_000).collect(),
        model_versions: vec!["1.0".into()],
        predictions: (from..to).map(|i| 0.2 + 0.006 * (i % 100) as f64).collect(),
        labels: Vec::new(),
        features: vec![
            FeatureColumn {
                name: "age".into(),
                numbers: (from..to).map(|i| 30.0 + (i % 40) as f64).collect(),
                ..Default::default()
            },
            FeatureColumn {
                name: "country".into(),
                texts: (from..to).map(|i| ["DE", "FR"][i % 2].to_owned()).collect(),
                ..Default::default()
            },
        ],
    }
}

#[tokio::test]
async fn columns_are_logged_like_rows_and_bad_columns_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    register(&mut monitor, "", policy()).await;
    let send = |columns: RecordColumns| LogRequest {
        model: "credit@1.0".into(),
        records: vec![],
        columns: Some(columns),
    };
    let accepted = monitor.log(send(columns(0, 100, START))).await.unwrap();
    assert_eq!(accepted.into_inner().accepted, 100);

    let mut short = columns(0, 100, START);
    short.predictions.pop();
    let mut unknown = columns(0, 100, START);
    unknown.features.push(FeatureColumn {
        name: "income".into(),
        numbers: vec![1.0; 100],
        ..Default::default()
    });
    let mut wrong_list = columns(0, 100, START);
    wrong_list.features[0].texts = vec!["x".into(); 100];
    wrong_list.features[0].numbers.clear();
    let mut nan = columns(0, 100, START);
    nan.predictions[7] = f64::NAN;
    let mut null_row = columns(0, 100, START);
    null_row.features[1].null_rows = vec![100];
    for (bad, message) in [
        (
            short,
            "columns.predictions: 99 values for 100 records (time_micros)",
        ),
        (
            unknown,
            "columns.features[2].name `income`: not in the model's schema (features: age, country)",
        ),
        (
            wrong_list,
            "columns.features[0] `age`: a numeric feature takes 100 numbers (one per record), found 0 numbers",
        ),
        (nan, "columns.predictions[7]: NaN is not a finite number"),
        (
            null_row,
            "columns.features[1] `country`.null_rows: 100 is not a record index (there are 100 records)",
        ),
    ] {
        let error = monitor.log(send(bad)).await.unwrap_err();
        assert_eq!(error.code(), Code::InvalidArgument);
        assert_eq!(error.message(), message);
    }
    // Rows and columns in one request; only the valid requests were stored.
    let both = monitor
        .log(LogRequest {
            model: "credit@1.0".into(),
            records: vec![record(500, START + 10, 0.4)],
            columns: Some(columns(100, 110, START)),
        })
        .await
        .unwrap();
    assert_eq!(both.into_inner().accepted, 11);
    let report = crate::common::report(&mut monitor, START, START + HOUR).await;
    assert_eq!(report.records, 111);
    stop.send(()).unwrap();
    task.await.unwrap();
}

/// A tiny webhook receiver: answers 500 to the first POST, then 200; keeps the bodies.
async fn receiver() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let bodies: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let kept = bodies.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let bodies = kept.clone();
            async move {
                let mut bodies = bodies.lock().unwrap();
                bodies.push(serde_json::from_str(&body).unwrap());
                if bodies.len() == 1 {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, bodies)
}

#[tokio::test]
async fn drift_nulls_rules_and_performance_fire_in_their_window_and_reach_the_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let (url, bodies) = receiver().await;
    let (address, stop, task) = start(dir.path(), |o| {
        o.webhook_retries.first_backoff = Duration::from_millis(20);
    })
    .await;
    let mut monitor = client(&address).await;
    let rules = "[[column]]\nname = \"age\"\nmin = 18\nmax = 100\n";
    register(
        &mut monitor,
        rules,
        AlertPolicy {
            webhook_url: url,
            ..policy()
        },
    )
    .await;

    // A healthy hour raises nothing.
    let healthy = (0..200)
        .map(|i| record(i, START + i as i64 * 1_000_000, 0.2 + 0.003 * i as f64))
        .collect();
    assert_eq!(log(&mut monitor, healthy).await.unwrap(), 200);
    assert_eq!(firing(&mut monitor).await, Vec::<String>::new());

    // The next hour, an upstream change: ages off by 200 years (drift, and the rule's
    // max), and no country in 60% of the records.
    let broken = (200..400)
        .map(|i| {
            let mut r = record(
                i,
                START + HOUR + i as i64 * 1_000_000,
                0.2 + 0.003 * (i - 200) as f64,
            );
            r.features.get_mut("age").unwrap().kind =
                Some(value::Kind::Number(230.0 + (i % 40) as f64));
            if i % 5 < 3 {
                r.features.remove("country");
            }
            r
        })
        .collect();
    log(&mut monitor, broken).await.unwrap();
    assert_eq!(
        firing(&mut monitor).await,
        [
            "credit@1.0:drift:age",
            "credit@1.0:null_rate:country",
            "credit@1.0:rules:rules",
        ]
    );

    // The guard applies the rules to single records.
    let check = |age: f64| CheckRequest {
        model: "credit@1.0".into(),
        records: vec![{
            let mut r = record(1, START, 0.5);
            r.features.get_mut("age").unwrap().kind = Some(value::Kind::Number(age));
            r
        }],
    };
    let ok = monitor.check(check(40.0)).await.unwrap().into_inner();
    assert_eq!(ok.verdict, Verdict::Ok as i32, "{:?}", ok.reasons);
    let blocked = monitor.check(check(150.0)).await.unwrap().into_inner();
    assert_eq!(blocked.verdict, Verdict::Block as i32);
    assert_eq!(
        blocked.reasons,
        ["rule `age.max` (rules_toml:4:7) fail: max 100.0, broken by records[0].age = 150.0"]
    );

    // Labels for the healthy hour arrive: every one contradicts its prediction.
    let labels = (0..200)
        .map(|i| Label {
            id: format!("r{i}"),
            label: f64::from(0.2 + 0.003 * (i as f64) < 0.5),
        })
        .collect();
    let joined = monitor
        .log_labels(LogLabelsRequest {
            model: "credit@1.0".into(),
            labels,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((joined.joined, joined.unknown), (200, 0));
    assert!(
        firing(&mut monitor)
            .await
            .contains(&"credit@1.0:performance:performance".to_owned())
    );
    let report = crate::common::report(&mut monitor, START, START + HOUR).await;
    assert_eq!(report.labelled, 200);
    let accuracy = report
        .checks
        .iter()
        .find(|c| c.check == "accuracy")
        .unwrap();
    assert_eq!(
        (accuracy.value, accuracy.outcome.as_str()),
        (Some(0.0), "fail")
    );

    // Every alert reached the webhook, the first after one failed attempt.
    tokio::time::timeout(Duration::from_secs(10), async {
        while bodies.lock().unwrap().len() < 5 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("5 POSTs (4 alerts, one retried) within 10 s");
    let bodies = bodies.lock().unwrap().clone();
    assert_eq!(bodies[0], bodies[1], "the failed POST is retried as it was");
    let kinds: Vec<&str> = bodies[1..]
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["drift", "null_rate", "rules", "performance"]);
    assert_eq!(bodies[1]["state"], "firing");
    assert_eq!(bodies[1]["window_start"], "2026-10-01T01:00:00Z");
    stop.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn a_small_lasting_shift_is_caught_by_the_cusum_and_not_by_the_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    register(&mut monitor, "", policy()).await;
    // The reference spreads predictions over 0.2..0.8 (σ ≈ 0.17); the same spread shifted
    // up by 0.17 moves the mean by a factor of 1.34, well inside the ratio's 10.
    let shifted = (0..400)
        .map(|i| {
            let p = 0.2 + 0.6 * ((i * 37) % 400) as f64 / 400.0 + 0.17;
            record(i, START + i as i64 * 1_000_000, p)
        })
        .collect();
    log(&mut monitor, shifted).await.unwrap();
    assert_eq!(
        firing(&mut monitor).await,
        ["credit@1.0:prediction_cusum:prediction"]
    );
    stop.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn registering_again_judges_the_windows_against_the_new_reference() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    register(&mut monitor, "", policy()).await;
    // Everyone is 200 years older than in the reference: age drifts (the predictions
    // spread as the reference's, so that only age moves).
    let older = |from: usize, to: usize| -> Vec<Record> {
        (from..to)
            .map(|i| {
                let p = 0.2 + 0.6 * ((i * 37) % 400) as f64 / 400.0;
                let mut r = record(i, START + i as i64 * 1_000_000, p);
                r.features.get_mut("age").unwrap().kind =
                    Some(value::Kind::Number(230.0 + (i % 40) as f64));
                r
            })
            .collect()
    };
    log(&mut monitor, older(0, 100)).await.unwrap();
    assert_eq!(firing(&mut monitor).await, ["credit@1.0:drift:age"]);
    // The team registers a reference of the new population; the next batch of the same
    // window is judged, with the window's earlier records, against it.
    let reference = older(1_000, 1_400)
        .into_iter()
        .enumerate()
        .map(|(i, r)| Record {
            prediction: 0.2 + 0.6 * ((i * 37) % 400) as f64 / 400.0,
            ..r
        })
        .collect();
    crate::common::register_reference(&mut monitor, reference, "", policy()).await;
    log(&mut monitor, older(100, 150)).await.unwrap();
    assert_eq!(firing(&mut monitor).await, Vec::<String>::new());
    stop.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn the_cusum_carries_on_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    // The reference's predictions are the grid 0.2, 0.2015, ..., 0.7985: mean 0.49925,
    // σ 0.173205. Predictions at mean + 0.6σ add 0.1σ per record to the upper sum, which
    // crosses h = 50σ at the 501st record.
    let shifted = |from: usize, to: usize| -> Vec<Record> {
        (from..to)
            .map(|i| record(i, START + i as i64 * 1_000_000, 0.49925 + 0.6 * 0.173_205))
            .collect()
    };
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    register(&mut monitor, "", policy()).await;
    log(&mut monitor, shifted(0, 300)).await.unwrap();
    assert_eq!(firing(&mut monitor).await, Vec::<String>::new());
    stop.send(()).unwrap();
    task.await.unwrap();

    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    log(&mut monitor, shifted(300, 600)).await.unwrap();
    assert_eq!(
        firing(&mut monitor).await,
        ["credit@1.0:prediction_cusum:prediction"],
        "300 records before the restart and 300 after reach h together"
    );
    stop.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn reports_test_drift_as_the_model_s_drift_settings_say() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    let registration = |drift_toml: &str| RegisterModelRequest {
        name: "credit".into(),
        version: "1.0".into(),
        schema: crate::common::schema(),
        task: "binary".into(),
        reference: (0..200).map(|i| record(i, START - HOUR, 0.3)).collect(),
        drift_toml: drift_toml.into(),
        alerts: Some(policy()),
        ..Default::default()
    };
    for (bad, message) in [
        (
            "[columns.income]\ntest = \"psi\"\n",
            "drift_toml: [columns.income]: no such column (features: age, country; and prediction, label)",
        ),
        (
            "threshold = -1.0\n",
            "drift_toml: threshold must be a number ≥ 0, got -1",
        ),
        (
            "prediction = [\"score\"]\n",
            "drift_toml: prediction, target:",
        ),
        ("thresh = 0.1\n", "drift_toml:1"),
    ] {
        let refused = monitor.register_model(registration(bad)).await.unwrap_err();
        assert_eq!(refused.code(), Code::InvalidArgument, "{bad}");
        assert!(
            refused.message().starts_with(message),
            "`{}` does not start with `{message}`",
            refused.message()
        );
    }
    monitor
        .register_model(registration(
            "[columns.age]\ntest = \"psi\"\nthreshold = 0.1\n",
        ))
        .await
        .unwrap();
    log(
        &mut monitor,
        (0..100).map(|i| record(i, START + i as i64, 0.3)).collect(),
    )
    .await
    .unwrap();
    let report = crate::common::report(&mut monitor, 0, 0).await;
    let age: Vec<(&str, &str)> = report
        .checks
        .iter()
        .filter(|c| c.subject == "age")
        .map(|c| (c.check.as_str(), c.details_json.as_str()))
        .collect();
    assert!(
        age.iter()
            .any(|(check, details)| *check == "psi" && details.contains("\"threshold\":0.1")),
        "{age:?}"
    );
    stop.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn labels_logged_with_their_records_are_judged_too() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    register(&mut monitor, "", policy()).await;
    // Every prediction says yes (0.8 against a threshold of 0.5), every label says no.
    let wrong = (0..100)
        .map(|i| Record {
            label: Some(0.0),
            ..record(i, START + i as i64 * 1_000_000, 0.8)
        })
        .collect();
    log(&mut monitor, wrong).await.unwrap();
    assert!(
        firing(&mut monitor)
            .await
            .contains(&"credit@1.0:performance:performance".to_owned())
    );
    stop.send(()).unwrap();
    task.await.unwrap();
}

/// A performance check with nothing to compare with (no labelled reference records) could
/// not be judged: it is `skipped` with the reason, never a pass.
#[tokio::test]
async fn performance_without_a_labelled_reference_is_skipped_not_passed() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    let reference = (0..400)
        .map(|i| record(i, START - HOUR, 0.2 + 0.6 * ((i * 37) % 400) as f64 / 400.0))
        .collect();
    crate::common::register_reference(&mut monitor, reference, "", policy()).await;
    let labelled = (0..100)
        .map(|i| Record {
            label: Some(f64::from(i % 2 == 0)),
            ..record(i, START + i as i64 * 1_000_000, 0.3 + 0.004 * i as f64)
        })
        .collect();
    log(&mut monitor, labelled).await.unwrap();
    let report = monitor
        .get_report(GetReportRequest {
            model: "credit@1.0".into(),
            from_micros: START,
            to_micros: START + HOUR,
        })
        .await
        .unwrap()
        .into_inner();
    let json: serde_json::Value = serde_json::from_str(&report.report_json).unwrap();
    let performance: Vec<&serde_json::Value> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["subject"] == "performance")
        .collect();
    assert_eq!(performance.len(), 3, "{json}");
    for check in performance {
        assert_eq!(check["outcome"], "skipped", "{check}");
        assert_eq!(
            check["details"]["reason"],
            "the reference has no labelled records to compare with"
        );
    }
    stop.send(()).unwrap();
    task.await.unwrap();
}

/// A `Check` with a large rule set runs off the serving thread: a cheap request sent while it
/// runs is answered first. (`#[tokio::test]` serves on one thread, as `seismo serve` does by
/// default; before the guard moved off it, the cheap request waited for the whole Check.)
#[tokio::test]
async fn a_slow_rule_set_in_check_does_not_stall_other_requests() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task) = start(dir.path(), |_| {}).await;
    let mut monitor = client(&address).await;
    let rules: String = (0..60)
        .map(|i| {
            format!(
                "[[column]]\nname = \"country\"\nrule = \"r{i}\"\nregex = \"(DE|FR|IT)[A-Z]{{0,{}}}\"\n\n",
                i % 7
            )
        })
        .collect();
    register(&mut monitor, &rules, policy()).await;
    let records: Vec<Record> = (0..5_000).map(|i| record(i, START, 0.5)).collect();
    let mut slow = monitor.clone();
    let started = std::time::Instant::now();
    let check = tokio::spawn(async move {
        let response = slow
            .check(CheckRequest {
                model: "credit@1.0".into(),
                records,
            })
            .await;
        (response, started.elapsed())
    });
    // Let the Check reach the service before the cheap request is sent.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let cheap = monitor
        .list_alerts(ListAlertsRequest {
            model: String::new(),
            firing_only: false,
        })
        .await;
    let cheap_done = started.elapsed();
    assert!(cheap.is_ok());
    let (response, check_done) = check.await.unwrap();
    assert_eq!(response.unwrap().into_inner().verdict, Verdict::Ok as i32);
    eprintln!("cheap request answered after {cheap_done:?}, the Check after {check_done:?}");
    assert!(
        cheap_done < check_done,
        "the cheap request ({cheap_done:?}) waited for the Check ({check_done:?})"
    );
    stop.send(()).unwrap();
    task.await.unwrap();
}

/// Performance before labels: with a calibrated labelled reference, a window whose
/// predictions crowd at one half raises the estimated-performance alert from the predictions
/// alone; when its labels arrive, the labelled performance alert fires too. Both show in
/// `GetReport` and as Prometheus gauges.
#[tokio::test]
async fn the_estimate_alerts_before_labels_and_the_realized_metric_after() {
    let dir = tempfile::tempdir().unwrap();
    let (address, stop, task, metrics_address) =
        crate::common::start_with_metrics(dir.path()).await;
    let mut monitor = client(&address).await;
    // Deterministic stand-ins for two independent uniform draws per record.
    let draw = |i: usize| ((i * 7919) % 1000) as f64 / 1000.0 + 0.0005;
    let coin = |i: usize| ((i * 4523 + 611) % 997) as f64 / 997.0;
    // Calibrated scores: a record scored p is positive with probability p.
    let spread = |i: usize| 0.02 + 0.96 * ((i * 37) % 1000) as f64 / 1000.0;
    let reference = (0..1000)
        .map(|i| {
            let p = spread(i);
            Record {
                label: Some(f64::from(coin(i) < p)),
                ..record(i, START - HOUR, p)
            }
        })
        .collect();
    crate::common::register_reference(&mut monitor, reference, "", policy()).await;

    // A healthy hour: the reference's spread of scores.
    let healthy = (0..300)
        .map(|i| record(i, START + i as i64 * 1_000_000, spread(i + 7)))
        .collect();
    log(&mut monitor, healthy).await.unwrap();
    assert_eq!(firing(&mut monitor).await, Vec::<String>::new());

    // The next hour every score sits near one half: no label yet, the estimate falls.
    let unsure = |i: usize| 0.45 + 0.1 * draw(i);
    let hour = (300..600)
        .map(|i| record(i, START + HOUR + i as i64 * 1_000_000, unsure(i)))
        .collect();
    log(&mut monitor, hour).await.unwrap();
    assert_eq!(
        firing(&mut monitor).await,
        ["credit@1.0:estimated_performance:accuracy"]
    );
    let report = crate::common::report(&mut monitor, START + HOUR, START + 2 * HOUR).await;
    assert_eq!(report.labelled, 0);
    let check = |name: &str| {
        report
            .checks
            .iter()
            .find(|c| c.check == name)
            .unwrap_or_else(|| panic!("no {name} check: {:?}", report.checks))
            .clone()
    };
    let accuracy = check("estimated_performance");
    assert_eq!(accuracy.outcome, "fail");
    let estimate = accuracy.value.unwrap();
    assert!((0.45..0.6).contains(&estimate), "{estimate}");
    assert_eq!(check("estimated_roc_auc").outcome, "fail");

    // The labels arrive: calibrated too, so about half the decisions were wrong.
    let labels = (300..600)
        .map(|i| Label {
            id: format!("r{i}"),
            label: f64::from(coin(i) < unsure(i)),
        })
        .collect();
    monitor
        .log_labels(LogLabelsRequest {
            model: "credit@1.0".into(),
            labels,
        })
        .await
        .unwrap();
    assert_eq!(
        firing(&mut monitor).await,
        [
            "credit@1.0:estimated_performance:accuracy",
            "credit@1.0:performance:performance",
        ]
    );
    let scrape = crate::common::scrape(metrics_address).await;
    let gauge = |name: &str| -> f64 {
        let prefix = format!("seismo_{name}{{model=\"credit@1.0\"}} ");
        scrape
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {name} in:\n{scrape}"))
            .parse()
            .unwrap()
    };
    assert_eq!(gauge("window_estimated_accuracy"), estimate);
    let realized = gauge("window_realized_performance");
    assert!((0.3..0.7).contains(&realized), "{realized}");
    stop.send(()).unwrap();
    task.await.unwrap();
}
