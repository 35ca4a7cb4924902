//! The numbers `validate` reports equal pandas' on the bundled example data
//! (fixtures from scripts/oracles/rules_pandas.py).

use std::path::Path;

use seismo_core::Dataset;
use seismo_rules::{Rules, ValidateOptions, Validation, validate};
use serde_json::Value;

fn example(name: &str) -> Dataset {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    seismo_io::read_dataset(&path, &Default::default()).unwrap()
}

fn fixture() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pandas.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run(rules: &str, reference: Option<&Dataset>) -> Validation {
    let rules = Rules::parse("oracle.toml", rules).unwrap_or_else(|e| panic!("{e}\n{rules}"));
    validate(
        &rules,
        &example("current.parquet"),
        reference,
        &ValidateOptions::default(),
    )
    .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * b.abs().max(f64::MIN_POSITIVE)
}

#[test]
fn statistics_equal_pandas() {
    let data = fixture();
    let cases = data["statistics"].as_array().unwrap();
    let mut rules = String::new();
    for (i, case) in cases.iter().enumerate() {
        rules.push_str(&format!(
            "[[statistic]]\nname = \"s{i}\"\ncolumn = \"{}\"\nstatistic = \"{}\"\nmax = 1e308\n",
            case["column"].as_str().unwrap(),
            case["statistic"].as_str().unwrap()
        ));
        if let Some(q) = case["q"].as_f64() {
            rules.push_str(&format!("q = {q}\n"));
        }
        if let Some(w) = case["where"].as_str() {
            rules.push_str(&format!("where = \"{w}\"\n"));
        }
    }
    let result = run(&rules, None);
    assert_eq!(result.checks.len(), cases.len());
    for (case, check) in cases.iter().zip(&result.checks) {
        let expected = case["value"].as_f64().unwrap();
        let got = check.value.unwrap();
        assert!(close(got, expected), "{case}: got {got}");
    }
}

#[test]
fn violation_counts_equal_pandas() {
    let data = fixture();
    let counts = &data["counts"];
    let rules = r#"
[[column]]
name = "credit_score"
rule = "credit_score_min_300"
min = 300
[[column]]
name = "income"
rule = "income_exclusive_max_100000"
exclusive_max = 100000
[[column]]
name = "country"
rule = "country_allowed_de_fr"
allowed = ["DE", "FR"]
[[column]]
name = "channel"
rule = "channel_regex_w"
regex = "w.*"
[[column]]
name = "channel"
rule = "channel_max_length_3"
max_length = 3
[[column]]
name = "age"
rule = "age_unique"
unique = true
[[dataset]]
name = "expr_balance_le_income"
expr = "balance <= income / 4"
[[dataset]]
name = "expr_where_de"
expr = "age < 70"
where = "country = 'DE'"
[[dataset]]
name = "duplicates_country_channel"
max_duplicate_fraction = 0.0
columns = ["country", "channel"]
[[dataset]]
name = "overlap_age_country"
max_reference_overlap = 0.0
columns = ["age", "country"]
[[dataset]]
name = "conflicting_labels_country_channel_products"
label = "label"
max_conflicting_labels = 0.0
columns = ["country", "channel", "num_products"]
"#;
    let reference = example("reference.parquet");
    let result = run(rules, Some(&reference));
    let mut compared = 0;
    for check in &result.checks {
        let rule = check.rule.as_str();
        let expected = counts[rule]
            .as_u64()
            .unwrap_or_else(|| panic!("no count for {rule}"));
        assert_eq!(
            check.violations.as_ref().map(|v| v.count),
            Some(expected),
            "{rule}"
        );
        compared += 1;
    }
    assert_eq!(compared, counts.as_object().unwrap().len());
}

#[test]
fn drift_rules_flag_the_drifted_feature_only() {
    let reference = example("reference.parquet");
    let result = run(
        "[[drift]]\ncolumn = \"income\"\n[[drift]]\ncolumn = \"age\"\n[[drift]]\ncolumn = \"income\"\nname = \"income_psi\"\ntest = \"psi\"\nthreshold = 0.2\n",
        Some(&reference),
    );
    let outcomes: Vec<(String, seismo_core::Outcome)> = result
        .checks
        .iter()
        .map(|c| (c.rule.clone(), c.outcome))
        .collect();
    use seismo_core::Outcome::{Fail, Pass};
    assert_eq!(
        outcomes,
        vec![
            ("income.drift".into(), Fail),
            ("age.drift".into(), Pass),
            ("income_psi".into(), Fail)
        ]
    );
    assert_eq!(
        result.checks[2].drift.as_ref().unwrap().test.as_str(),
        "psi"
    );
}

#[test]
fn inferred_rules_pass_on_their_reference_and_catch_the_broken_feature() {
    let reference = example("reference.parquet");
    let inferred = seismo_rules::infer_rules(&reference, &Default::default());
    let text = inferred.to_toml();
    let rules = Rules::parse("inferred.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    // The text is the typed rules, written out: it reads back to the same rules.
    assert_eq!(rules.file, inferred.file);
    let on_reference = validate(&rules, &reference, None, &ValidateOptions::default()).unwrap();
    let failed: Vec<&seismo_rules::RuleCheck> = on_reference
        .checks
        .iter()
        .filter(|c| c.outcome != seismo_core::Outcome::Pass)
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let on_current = run(&text, None);
    let credit = on_current
        .checks
        .iter()
        .find(|c| c.rule == "credit_score.min")
        .unwrap();
    assert_eq!(credit.outcome, seismo_core::Outcome::Fail);
    assert_eq!(credit.violations.as_ref().unwrap().count, 34);
    let mean = on_current
        .checks
        .iter()
        .find(|c| c.rule == "score.mean")
        .unwrap();
    assert_eq!(
        mean.outcome,
        seismo_core::Outcome::Fail,
        "the hundredfold score"
    );
}

#[test]
fn drift_rules_take_a_where_on_both_sides() {
    let reference = example("reference.parquet");
    // Within one country the income drift is still there; the score drifts only after the
    // release, so on rows of the old version it does not.
    let result = run(
        "[[drift]]\ncolumn = \"income\"\nwhere = \"country = 'DE'\"\n[[drift]]\ncolumn = \"score\"\nwhere = \"model_version = '1.4.0'\"\n[[drift]]\ncolumn = \"score\"\nname = \"all_versions\"\n",
        Some(&reference),
    );
    let outcomes: Vec<seismo_core::Outcome> = result.checks.iter().map(|c| c.outcome).collect();
    use seismo_core::Outcome::{Fail, Pass};
    assert_eq!(outcomes, vec![Fail, Pass, Fail]);
    let de = &result.checks[0];
    let de_rows = example("current.parquet");
    let de_rows: usize = {
        let c = de_rows.arrow_schema().index_of("country").unwrap();
        de_rows
            .batches()
            .iter()
            .map(|b| {
                use arrow_array::Array;
                let s = arrow_cast::cast(b.column(c), &arrow_schema::DataType::Utf8).unwrap();
                let s = s
                    .as_any()
                    .downcast_ref::<arrow_array::StringArray>()
                    .unwrap();
                s.iter().filter(|v| *v == Some("DE")).count()
            })
            .sum()
    };
    assert_eq!(de.rows as usize, de_rows);
}
