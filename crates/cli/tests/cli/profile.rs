//! `seismo profile` against pandas on the same files (fixtures from
//! scripts/oracles/profile_pandas.py), merging, stdin and bad input.

use crate::common::*;
use serde_json::Value;

fn expected() -> Value {
    serde_json::from_slice(&std::fs::read(fixture("profile/expected.json")).unwrap()).unwrap()
}

/// A number, or an RFC 3339 instant as seconds since the epoch.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_micros() as f64
                / 1e6,
        ),
        _ => None,
    }
}

/// `seismo profile FILE --format json ARGS...`, parsed.
fn profile_json(file: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["profile", file.to_str().unwrap(), "--format", "json"];
    all.extend_from_slice(args);
    stdout_json(&seismo(&all))
}

/// Checks one profile summary against pandas' numbers.
fn check_against_pandas(summary: &Value, skip: &[&str]) {
    let expected = expected();
    assert_eq!(summary["rows"], expected["rows"]);
    let eps = expected["eps"].as_f64().unwrap();
    let columns = summary["columns"].as_array().unwrap();
    for (name, want) in expected["columns"].as_object().unwrap() {
        if skip.contains(&name.as_str()) {
            continue;
        }
        let got = columns
            .iter()
            .find(|c| c["name"] == *name)
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(got["count"], want["count"], "{name} count");
        let missing = got["nulls"].as_u64().unwrap() + got["nan"].as_u64().unwrap();
        assert_eq!(missing, want["missing"].as_u64().unwrap(), "{name} missing");
        for stat in ["min", "max", "mean", "std"] {
            let Some(w) = want.get(stat) else { continue };
            let exact = want.get(format!("exact_{stat}")).and_then(Value::as_f64);
            match (number(&got[stat]), w.as_f64()) {
                (Some(a), Some(pandas)) => {
                    // Where pandas itself is inexact (ill-conditioned data), the exact value
                    // from rational arithmetic is the oracle.
                    if exact.is_none_or(|e| close(pandas, e, 1e-10)) {
                        assert!(
                            close(a, pandas, 1e-9),
                            "{name} {stat}: {a} vs pandas {pandas}"
                        );
                    }
                    if let Some(e) = exact {
                        assert!(close(a, e, 1e-12), "{name} {stat}: {a} vs exact {e}");
                    }
                }
                (a, b) => assert_eq!(a, b, "{name} {stat}"),
            }
        }
        let distinct = got["distinct"].as_u64().unwrap() as f64;
        let want_distinct = want["distinct"].as_u64().unwrap() as f64;
        if got["distinct_exact"] == true {
            assert_eq!(distinct, want_distinct, "{name} distinct");
        } else {
            assert!(
                (distinct - want_distinct).abs() <= 0.03 * want_distinct,
                "{name} distinct {distinct} vs {want_distinct}"
            );
        }
        if let Some(top) = want.get("top") {
            let got_top: Vec<(String, u64)> = got["top"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["value"].as_str().unwrap().to_owned(),
                        t["count"].as_u64().unwrap(),
                    )
                })
                .collect();
            let want_top: Vec<(String, u64)> = top
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t[0].as_str().unwrap().to_owned(), t[1].as_u64().unwrap()))
                .collect();
            assert_eq!(got_top, want_top, "{name} top values");
        }
        if let Some(bounds) = want.get("quantile_bounds") {
            assert!(got["quantile_rank_error"].as_f64().unwrap() <= eps);
            for (q, range) in bounds.as_object().unwrap() {
                let v = number(&got["quantiles"][q]).unwrap_or_else(|| panic!("{name} {q}"));
                let (lo, hi) = (range[0].as_f64().unwrap(), range[1].as_f64().unwrap());
                assert!(
                    lo <= v && v <= hi,
                    "{name} {q} = {v} outside the rank bound [{lo}, {hi}]"
                );
            }
        }
    }
}

#[test]
fn parquet_profile_equals_pandas() {
    let fixture = fixture("profile/data.parquet");
    let summary = profile_json(&fixture, &[]);
    check_against_pandas(&summary, &[]);
    // The empty column has no range or quantiles, the single-value one no std.
    let empty = summary["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "empty")
        .unwrap();
    assert_eq!((&empty["min"], &empty["std"]), (&Value::Null, &Value::Null));
}

#[test]
fn parquet_profile_is_the_same_on_one_thread() {
    let fixture = fixture("profile/data.parquet");
    let summary = profile_json(&fixture, &["--threads", "1"]);
    check_against_pandas(&summary, &[]);
}

#[test]
fn csv_profile_equals_pandas() {
    // CSV cannot tell NaN from null: both are empty cells, and both are missing to pandas.
    let fixture = fixture("profile/data.csv");
    let summary = profile_json(&fixture, &[]);
    check_against_pandas(&summary, &[]);
}

#[test]
fn stdin_is_read_when_data_is_a_dash() {
    for file in ["profile/data.parquet", "profile/data.csv"] {
        let bytes = std::fs::read(fixture(file)).unwrap();
        let summary = stdout_json(&seismo_stdin(&["profile", "-", "--format", "json"], &bytes));
        check_against_pandas(&summary, &[]);
    }
}

#[test]
fn merged_saved_profiles_equal_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, merged) = (
        dir.path().join("a.json"),
        dir.path().join("b.json"),
        dir.path().join("ab.json"),
    );
    for (input, save) in [
        ("profile/half_a.parquet", &a),
        ("profile/half_b.parquet", &b),
    ] {
        let out = seismo(&[
            "profile",
            fixture(input).to_str().unwrap(),
            "--save",
            save.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = seismo(&[
        "profile",
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        merged.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = profile_json(&merged, &[]);
    check_against_pandas(&summary, &[]);
}

#[test]
fn merging_profiles_of_different_columns_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, out_path) = (
        dir.path().join("a.json"),
        dir.path().join("b.json"),
        dir.path().join("ab.json"),
    );
    seismo(&[
        "profile",
        fixture("profile/data.parquet").to_str().unwrap(),
        "--save",
        a.to_str().unwrap(),
    ]);
    seismo(&[
        "profile",
        example("reference.parquet").to_str().unwrap(),
        "--save",
        b.to_str().unwrap(),
    ]);
    let out = seismo(&[
        "profile",
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_bad_input(&out, "cannot merge");
    assert!(!out_path.exists(), "nothing is written on failure");
}

#[test]
fn bad_inputs_get_one_line_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let ragged = write("ragged.csv", b"a,b\n1,2\n3\n4,5\n");
    let out = seismo(&["profile", &ragged]);
    assert_bad_input(&out, "ragged.csv");
    assert_bad_input(&out, "line 3");

    let empty = write("empty.csv", b"");
    assert_bad_input(
        &seismo(&["profile", &empty]),
        "empty.csv: the file is empty",
    );

    let garbage = write(
        "garbage.parquet",
        b"this is not parquet at all, just text bytes",
    );
    assert_bad_input(&seismo(&["profile", &garbage]), "garbage.parquet");

    let missing = dir.path().join("missing.parquet");
    assert_bad_input(
        &seismo(&["profile", missing.to_str().unwrap()]),
        "no such file",
    );

    assert_bad_input(
        &seismo(&["profile", dir.path().to_str().unwrap()]),
        "is a directory",
    );

    let bad_value = write("bad_value.csv", b"x,y\n1,a\n2,b\nthree,c\n");
    let out = seismo(&["profile", &bad_value, "--type", "x=numeric"]);
    assert_bad_input(&out, "line 4");
    assert_bad_input(&out, "column `x`");

    let good = write("good.csv", b"x,y\n1,a\n");
    assert_bad_input(
        &seismo(&["profile", &good, "--type", "nope=numeric"]),
        "no column `nope`",
    );
    assert_bad_input(
        &seismo(&["profile", &good, "--type", "x=numerical"]),
        "numerical",
    );

    let not_profile = write(
        "broken.json",
        br#"{"format":"seismo-profile","version":99}"#,
    );
    assert_bad_input(&seismo(&["profile", &not_profile]), "version");
    // A version 1 profile (seismo 0.1's DataSketches KLL bytes) says what to do.
    std::fs::write(&not_profile, br#"{"format":"seismo-profile","version":1}"#).unwrap();
    assert_bad_input(
        &seismo(&["profile", &not_profile]),
        "version 1 (seismo 0.1) keeps quantile sketches this build no longer reads; profile the data again for version 2",
    );
}

#[test]
fn output_is_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no/such/dir/out.json");
    let out = seismo(&[
        "profile",
        example("current.parquet").to_str().unwrap(),
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_bad_input(&out, "cannot write");
    let ok = dir.path().join("out.json");
    let out = seismo(&[
        "profile",
        example("current.parquet").to_str().unwrap(),
        "--format",
        "json",
        "-o",
        ok.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let summary: Value = serde_json::from_slice(&std::fs::read(&ok).unwrap()).unwrap();
    assert_eq!(summary["rows"], 5000);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn example_data_text_profile_shows_the_broken_feature() {
    let out = seismo(&["profile", example("current.parquet").to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("5000 rows, 15 columns"), "{text}");
    let line = text.lines().find(|l| l.contains("credit_score")).unwrap();
    assert!(
        line.contains("-1"),
        "the sentinel shows as the minimum: {line}"
    );
}

#[test]
fn columns_that_are_not_profiled_are_listed_with_the_reason() {
    let out = seismo(&["profile", path(&fixture("hostile/nested.parquet"))]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("10 rows, 2 columns (3 skipped, listed below)"),
        "{text}"
    );
    assert!(
        text.contains("skipped tags: nested (list) columns are not analysed"),
        "{text}"
    );
    let out = seismo(&[
        "profile",
        path(&fixture("hostile/all_null.parquet")),
        "--format",
        "json",
    ]);
    let json = stdout_json(&out);
    assert_eq!(json["skipped"][0]["name"], "nothing");
    assert_eq!(json["columns"].as_array().unwrap().len(), 4);
}

/// A 60,000-row log in 12 row groups (so several partitions and batches, and more values
/// than a quantile sketch keeps exactly): time, a score, a feature, a category, a label.
fn write_log(file: &std::path::Path, shift: f64) {
    use arrow_array::{
        Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
    };
    use std::sync::Arc;
    let n = 60_000i64;
    let noise = |i: i64, m: i64| ((i * 2_654_435_761) % m) as f64 / m as f64;
    let batch = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(Int64Array::from_iter_values(0..n)) as arrow_array::ArrayRef,
        ),
        (
            "timestamp",
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(
                    (0..n).map(|i| 1_790_812_800_000_000 + i * 60_000_000),
                )
                .with_timezone("UTC"),
            ),
        ),
        (
            "score",
            Arc::new(Float64Array::from_iter_values(
                (0..n).map(|i| noise(i, 9_973) * (1.0 + shift)),
            )),
        ),
        (
            "income",
            Arc::new(Float64Array::from_iter_values(
                (0..n).map(|i| 30_000.0 + 50_000.0 * noise(i, 7_919) + shift),
            )),
        ),
        (
            "channel",
            Arc::new(StringArray::from_iter_values(
                (0..n).map(|i| ["web", "branch", "phone"][(i % 3) as usize]),
            )),
        ),
        (
            "label",
            Arc::new(Int64Array::from_iter_values(
                (0..n).map(|i| i64::from(noise(i, 9_973) > 0.6)),
            )),
        ),
    ])
    .unwrap();
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(5_000))
        .build();
    let mut writer = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(file).unwrap(),
        batch.schema(),
        Some(properties),
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

/// Same input, same options, same bytes: every command run twice, and the profile on 1 and
/// 2 threads (where only sketch-based numbers may move, within their bound).
#[test]
fn every_command_gives_the_same_bytes_run_after_run() {
    let dir = tempfile::tempdir().unwrap();
    let (reference, current) = (
        dir.path().join("ref.parquet"),
        dir.path().join("cur.parquet"),
    );
    write_log(&reference, 0.0);
    write_log(&current, 0.05);
    let saved = dir.path().join("ref.profile.json");
    let rules = dir.path().join("rules.toml");
    assert!(
        seismo(&[
            "profile",
            path(&reference),
            "--save",
            path(&saved),
            "--threads",
            "2"
        ])
        .status
        .success()
    );
    assert!(
        seismo(&["infer", path(&reference), "-o", path(&rules)])
            .status
            .success()
    );
    let (r, c, s, rl) = (path(&reference), path(&current), path(&saved), path(&rules));
    let (suite, candidate, example_reference) = (
        example("suite.toml"),
        example("candidate.parquet"),
        example("reference.parquet"),
    );
    let runs: Vec<Vec<&str>> = vec![
        vec!["profile", c, "--format", "json", "--threads", "1"],
        vec!["profile", c, "--format", "json", "--threads", "2"],
        vec!["profile", s, "--format", "json"],
        vec![
            "drift",
            "--reference",
            r,
            "--current",
            c,
            "--format",
            "json",
            "--threads",
            "2",
        ],
        vec![
            "drift",
            "--reference",
            s,
            "--current",
            c,
            "--format",
            "json",
            "--threads",
            "2",
        ],
        vec![
            "drift",
            "--reference",
            s,
            "--current",
            c,
            "--format",
            "html",
            "--threads",
            "2",
        ],
        vec![
            "validate",
            c,
            "--rules",
            rl,
            "--format",
            "json",
            "--threads",
            "2",
        ],
        vec!["infer", c],
        vec![
            "history",
            c,
            "--time",
            "timestamp",
            "--value",
            "score",
            "--format",
            "json",
            "--threads",
            "2",
        ],
        vec![
            "test",
            "--suite",
            path(&suite),
            "--data",
            path(&candidate),
            "--baseline",
            path(&example_reference),
            "--format",
            "json",
        ],
        vec![
            "slices",
            "find",
            "--data",
            path(&candidate),
            "--target",
            "label",
            "--prediction",
            "score",
            "--ignore",
            "id,timestamp,model_version",
        ],
    ];
    for args in &runs {
        let (first, second) = (seismo(args), seismo(args));
        assert!(
            first.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&first.stderr)
        );
        assert!(!first.stdout.is_empty(), "{args:?}");
        assert!(
            first.stdout == second.stdout,
            "{args:?} gave different output on a second run"
        );
    }
    // One thread against two: counts and extremes agree exactly, quantiles within the bound.
    let profile = |threads: &str| {
        stdout_json(&seismo(&[
            "profile",
            c,
            "--format",
            "json",
            "--threads",
            threads,
        ]))
    };
    let (one, two) = (profile("1"), profile("2"));
    for (a, b) in one["columns"]
        .as_array()
        .unwrap()
        .iter()
        .zip(two["columns"].as_array().unwrap())
    {
        for key in ["count", "nulls", "min", "max", "distinct", "top"] {
            assert_eq!(a.get(key), b.get(key), "{key} of {}", a["name"]);
        }
        if let (Some(qa), Some(qb), "numeric") = (
            a["quantiles"].as_object(),
            b["quantiles"].as_object(),
            a["kind"].as_str().unwrap(),
        ) {
            let bound = a["quantile_rank_error"].as_f64().unwrap();
            let range = b["max"].as_f64().unwrap() - b["min"].as_f64().unwrap();
            for (q, x) in qa {
                // The data is close to uniform: a rank error of e moves a value by ~e·range.
                let y = qb[q].as_f64().unwrap();
                assert!(
                    (x.as_f64().unwrap() - y).abs() <= 2.0 * bound * range,
                    "{q} of {}: {x} vs {y}",
                    a["name"]
                );
            }
        }
    }
}
