//! `seismo infer` and `seismo validate` through the real binary: on the example data, with
//! every report format, the quarantine split, and bad rule files.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;

/// The ids of a data file.
fn ids(file: &Path) -> Vec<i64> {
    let data = seismo_io::read_dataset(file, &Default::default()).unwrap();
    let column = data.arrow_schema().index_of("id").unwrap();
    data.batches()
        .iter()
        .flat_map(|b| {
            b.column(column)
                .as_primitive::<Int64Type>()
                .values()
                .to_vec()
        })
        .collect()
}

/// `seismo validate` of the current month with examples/rules.toml and the reference.
fn example_rules(extra: &[&str]) -> std::process::Output {
    let (current, rules, reference) = (
        example("current.parquet"),
        example("rules.toml"),
        example("reference.parquet"),
    );
    let mut args = vec![
        "validate",
        path(&current),
        "--rules",
        path(&rules),
        "--reference",
        path(&reference),
    ];
    args.extend_from_slice(extra);
    seismo(&args)
}

/// Asserts an exit code, showing stderr and stdout otherwise.
fn assert_exit(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr: {}\nstdout: {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn inferred_rules_catch_the_broken_feature_and_the_split_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    let out = seismo(&[
        "infer",
        path(&example("reference.parquet")),
        "-o",
        path(&rules),
    ]);
    assert_exit(&out, 0);

    // The reference passes its own rules.
    let on_reference = seismo(&[
        "validate",
        path(&example("reference.parquet")),
        "--rules",
        path(&rules),
    ]);
    assert_exit(&on_reference, 0);

    let (bad, good) = (dir.path().join("bad.csv"), dir.path().join("good.parquet"));
    let out = seismo(&[
        "validate",
        path(&example("current.parquet")),
        "--rules",
        path(&rules),
        "--quarantine",
        path(&bad),
        "--clean",
        path(&good),
        "--format",
        "json",
    ]);
    let report = found_json(&out);
    assert_eq!(report["passed"], false);
    assert_eq!(report["rows"], 5000);
    let credit = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["details"]["rule"] == "credit_score.min")
        .unwrap();
    assert_eq!(credit["outcome"], "fail");
    assert_eq!(credit["value"], -1.0, "the observed minimum");
    assert_eq!(credit["details"]["violations"], 34);
    assert_eq!(credit["details"]["sample"][0]["value"], "-1");
    // The location is the `min` line of the credit_score rule, at the value.
    let text = std::fs::read_to_string(&rules).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == "name = \"credit_score\"")
        .unwrap();
    let min_line = start
        + lines[start..]
            .iter()
            .position(|l| l.starts_with("min = "))
            .unwrap()
        + 1;
    let location = credit["details"]["location"].as_str().unwrap();
    assert!(
        location.ends_with(&format!("rules.toml:{min_line}:7")),
        "{location}"
    );

    // Every input row is in exactly one of the two files.
    let (quarantined, clean, input) = (ids(&bad), ids(&good), ids(&example("current.parquet")));
    assert_eq!(
        quarantined.len() as u64,
        report["quarantined_rows"].as_u64().unwrap()
    );
    assert_eq!(quarantined.len() + clean.len(), input.len());
    let both: BTreeSet<i64> = quarantined.iter().chain(&clean).copied().collect();
    assert_eq!(both, input.iter().copied().collect::<BTreeSet<_>>());
    // The 34 broken credit scores are all quarantined.
    let bad_rows = seismo_io::read_dataset(&bad, &Default::default()).unwrap();
    let score = bad_rows.arrow_schema().index_of("credit_score").unwrap();
    let negative: usize = bad_rows
        .batches()
        .iter()
        .map(|b| {
            b.column(score)
                .as_primitive::<Int64Type>()
                .values()
                .iter()
                .filter(|v| **v < 0)
                .count()
        })
        .sum();
    assert_eq!(negative, 34);
}

#[test]
fn the_example_rules_report_every_kind_in_text() {
    let out = example_rules(&[]);
    assert_found(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "credit_score_in_range",
        "34 of 5000",
        "row 20: -1",
        "tenure_fits_working_life",
        "tenure_months=59, age=18",
        "app_users_score",
        "income.drift",
        "26 checks: 19 pass, 2 warn, 5 fail, 0 skipped",
    ] {
        assert!(text.contains(line), "`{line}` not in:\n{text}");
    }
}

#[test]
fn yaml_rules_work_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "column:\n  - name: credit_score\n    min: 300\ndataset:\n  - name: price\n    expr: \"balance >= 0\"\n",
    )
    .unwrap();
    let out = seismo(&[
        "validate",
        path(&example("current.csv")),
        "--rules",
        path(&rules),
        "--format",
        "json",
    ]);
    assert_found(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["checks"][0]["details"]["violations"], 34);
    assert_eq!(report["checks"][1]["outcome"], "pass");
}

#[test]
fn junit_output_is_accepted_by_a_junit_parser() {
    let out = example_rules(&["--format", "junit"]);
    assert_found(&out);
    let suites =
        junit_parser::from_reader(std::io::Cursor::new(out.stdout)).expect("valid JUnit XML");
    assert_eq!(suites.suites.len(), 1);
    let suite = &suites.suites[0];
    assert_eq!(suite.cases.len(), 26);
    assert_eq!(suite.failures, 5);
    let failed: Vec<&str> = suite
        .cases
        .iter()
        .filter(|c| c.status.is_failure())
        .map(|c| c.name.as_str())
        .collect();
    assert!(
        failed.iter().any(|n| n.ends_with("credit_score_in_range")),
        "{failed:?}"
    );
    assert_eq!(
        suite.cases.iter().filter(|c| c.status.is_success()).count(),
        21,
        "pass and warn"
    );
}

#[test]
fn bad_rule_files_are_one_error_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let data = example("current.parquet");
    let run = |name: &str, text: &str| {
        let rules = dir.path().join(name);
        std::fs::write(&rules, text).unwrap();
        let quarantine = dir.path().join("q.csv");
        let out = seismo(&[
            "validate",
            path(&data),
            "--rules",
            path(&rules),
            "--quarantine",
            path(&quarantine),
        ]);
        assert!(!quarantine.exists(), "nothing written on bad input");
        out
    };
    assert_bad_input(
        &run("malformed.toml", "[[column]]\nname = \"age\"\nmin = = 3\n"),
        "malformed.toml:3: ",
    );
    assert_bad_input(
        &run(
            "unknown.toml",
            "[[column]]\nname = \"age\"\nmin = 0\n\n[[column]]\nname = \"incme\"\nmax = 1\n",
        ),
        "unknown.toml:6:9: the data has no column `incme` (did you mean `income`?)",
    );
    assert_bad_input(
        &run(
            "regex.toml",
            "[[column]]\nname = \"country\"\nregex = \"(DE\"\n",
        ),
        "regex.toml:3:10: the regex `(DE` is invalid",
    );
    assert_bad_input(
        &run(
            "expr.toml",
            "[[dataset]]\nname = \"x\"\nexpr = \"balance >= 0 and age >\"\n",
        ),
        "expr.toml:3:31: `balance >= 0 and age >`: Expected: an expression, found: EOF",
    );
    assert_bad_input(
        &run("field.toml", "[[column]]\nname = \"age\"\nminimum = 0\n"),
        "unknown field `minimum`",
    );
    assert_bad_input(
        &run("drift.toml", "[[drift]]\ncolumn = \"age\"\n"),
        "drift.toml:2:11: drift rules need --reference",
    );
    assert_bad_input(
        &seismo(&["validate", path(&data), "--rules", "/no/such/rules.toml"]),
        "/no/such/rules.toml: cannot read the rule file",
    );
    assert_bad_input(
        &seismo(&["infer", path(&data), "--prediction", "nope"]),
        "no column `nope`",
    );
}

#[test]
fn the_html_report_renders() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("validate.html");
    let out = example_rules(&["--format", "html", "-o", path(&page)]);
    assert_found(&out);
    let dom = dump_dom(
        &chromium,
        &format!("file://{}", page.display()),
        &dir.path().join("profile"),
    );
    assert_eq!(dom.matches("<tr class=\"fail\"").count(), 5);
    assert_eq!(dom.matches("<tr class=\"warn\"").count(), 2);
    assert!(dom.contains("Failed."));
}

#[test]
fn infer_answers_nested_and_all_null_columns_and_its_rules_pass() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["nested", "all_null"] {
        let data = fixture(&format!("hostile/{name}.parquet"));
        let rules = dir.path().join(format!("{name}.toml"));
        let out = seismo(&["infer", path(&data), "-o", path(&rules)]);
        assert_exit(&out, 0);
        let text = std::fs::read_to_string(&rules).unwrap();
        let out = seismo(&["validate", path(&data), "--rules", path(&rules)]);
        assert_exit(&out, 0);
        if name == "nested" {
            assert!(
                text.contains("name = \"point\"   # nested (struct) columns are not analysed"),
                "{text}"
            );
        } else {
            // Every value null: the rules that hold are that the column is there and null.
            assert!(
                text.contains("name = \"nothing\"   # every value is null")
                    && text.contains("max_null_fraction = 1.0   # 20 of 20 values null"),
                "{text}"
            );
        }
    }
    // A value rule on a nested column is a mistake in the rule file, not a panic.
    let data = fixture("hostile/nested.parquet");
    let rules = dir.path().join("bad.toml");
    std::fs::write(&rules, "[[column]]\nname = \"tags\"\nmin = 0\n").unwrap();
    assert_bad_input(
        &seismo(&["validate", path(&data), "--rules", path(&rules)]),
        "bad.toml:3:7: `min` cannot apply to `tags`: nested (list) columns are not analysed",
    );
    std::fs::write(
        &rules,
        "[[statistic]]\ncolumn = \"point\"\nstatistic = \"mean\"\nmin = 0\n",
    )
    .unwrap();
    assert_bad_input(
        &seismo(&["validate", path(&data), "--rules", path(&rules)]),
        "the mean of `point` cannot be computed: nested (struct) columns are not analysed",
    );
    // Nulls of a nested column can be bounded: one of ten `tags` lists is null? None are.
    std::fs::write(
        &rules,
        "[[statistic]]\ncolumn = \"point\"\nstatistic = \"null_fraction\"\nmax = 0\n",
    )
    .unwrap();
    assert_exit(
        &seismo(&["validate", path(&data), "--rules", path(&rules)]),
        0,
    );
}
