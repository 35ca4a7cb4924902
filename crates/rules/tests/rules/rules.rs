//! Each rule on a small dataset with nulls, NaN, infinities, ties and repeats, where the
//! right answer can be counted by hand; and every kind of mistake in a rule file.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampSecondArray,
};
use seismo_core::{Dataset, Outcome};
use seismo_rules::{RuleCheck, Rules, ValidateOptions, Validation, validate};

/// Eight rows in two batches (rows 1–5 and 6–8).
fn data() -> Dataset {
    let first = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(Int64Array::from(vec![1, 2, 3, 3, 5])) as ArrayRef,
        ),
        (
            "price",
            Arc::new(Float64Array::from(vec![
                Some(10.0),
                Some(-1.0),
                None,
                Some(f64::NAN),
                Some(f64::INFINITY),
            ])) as ArrayRef,
        ),
        (
            "discount",
            Arc::new(Float64Array::from(vec![1.0, 0.0, 1.0, 1.0, 20.0])) as ArrayRef,
        ),
        (
            "country",
            Arc::new(StringArray::from(vec![
                Some("DE"),
                Some("FR"),
                None,
                Some("XX"),
                Some("DE"),
            ])) as ArrayRef,
        ),
        (
            "t",
            Arc::new(TimestampSecondArray::from(vec![10, 20, 20, 15, 30])) as ArrayRef,
        ),
        (
            "flag",
            Arc::new(BooleanArray::from(vec![true, false, true, true, false])) as ArrayRef,
        ),
    ])
    .unwrap();
    let second = RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(vec![6, 7, 1])) as ArrayRef),
        (
            "price",
            Arc::new(Float64Array::from(vec![Some(5.0), Some(7.0), Some(10.0)])) as ArrayRef,
        ),
        (
            "discount",
            Arc::new(Float64Array::from(vec![6.0, 1.0, 1.0])) as ArrayRef,
        ),
        (
            "country",
            Arc::new(StringArray::from(vec![Some("FR"), Some("DE"), Some("DE")])) as ArrayRef,
        ),
        (
            "t",
            Arc::new(TimestampSecondArray::from(vec![40, 50, 60])) as ArrayRef,
        ),
        (
            "flag",
            Arc::new(BooleanArray::from(vec![true, true, true])) as ArrayRef,
        ),
    ])
    .unwrap();
    let second = RecordBatch::try_new(first.schema(), second.columns().to_vec()).unwrap();
    Dataset::from_batches(first.schema(), vec![first, second]).unwrap()
}

fn run(rules: &str) -> Validation {
    run_with(rules, None)
}

fn run_with(rules: &str, reference: Option<&Dataset>) -> Validation {
    let rules = Rules::parse("rules.toml", rules).unwrap_or_else(|e| panic!("{e}"));
    validate(&rules, &data(), reference, &ValidateOptions::default()).unwrap()
}

fn error(rules: &str) -> String {
    match Rules::parse("rules.toml", rules) {
        Err(e) => e.to_string(),
        Ok(rules) => validate(&rules, &data(), None, &ValidateOptions::default())
            .map(|_| "no error".to_owned())
            .unwrap_or_else(|e| e.to_string()),
    }
}

fn check<'a>(result: &'a Validation, rule: &str) -> &'a RuleCheck {
    result
        .checks
        .iter()
        .find(|c| c.rule == rule)
        .unwrap_or_else(|| panic!("no check {rule}: {:#?}", result.checks))
}

fn violations(check: &RuleCheck) -> u64 {
    check.violations.as_ref().map(|v| v.count).unwrap()
}

fn sample_rows(check: &RuleCheck) -> Vec<u64> {
    let sample = &check.violations.as_ref().unwrap().sample;
    sample.iter().map(|s| s.row).collect()
}

#[test]
fn ranges_skip_nulls_and_nan_and_report_the_observed_extremes() {
    let result = run(r#"
        [[column]]
        name = "price"
        min = 0
        max = 100
        exclusive_min = 5
    "#);
    let min = check(&result, "price.min");
    assert_eq!((min.outcome, violations(min)), (Outcome::Fail, 1));
    assert_eq!(sample_rows(min), vec![2]);
    assert_eq!(min.value, Some(-1.0), "the observed minimum");
    assert_eq!(min.rows, 8);
    // Infinity is above every bound; NaN and null are nobody's business here.
    let max = check(&result, "price.max");
    assert_eq!((violations(max), sample_rows(max)), (1, vec![5]));
    let exclusive = check(&result, "price.exclusive_min");
    assert_eq!(sample_rows(exclusive), vec![2, 6], "5 is not above 5");
}

#[test]
fn nulls_nan_and_infinities_are_counted_apart() {
    let result = run(r#"
        [[column]]
        name = "price"
        max_null_fraction = 0.2
        no_nan = true
        no_infinity = true
    "#);
    let nulls = check(&result, "price.max_null_fraction");
    assert_eq!(violations(nulls), 2, "a null and a NaN");
    assert_eq!(nulls.value, Some(0.25));
    assert_eq!(nulls.outcome, Outcome::Fail, "0.25 > 0.2");
    assert_eq!(sample_rows(check(&result, "price.no_nan")), vec![4]);
    assert_eq!(sample_rows(check(&result, "price.no_infinity")), vec![5]);
    let lenient = run(r#"
        [[column]]
        name = "price"
        max_null_fraction = 0.25
    "#);
    assert_eq!(lenient.checks[0].outcome, Outcome::Pass, "0.25 is allowed");
}

#[test]
fn allowed_values_by_type_with_a_tolerance() {
    let result = run(r#"
        [[column]]
        name = "country"
        allowed = ["DE", "FR"]
        [[column]]
        name = "country"
        rule = "tolerant"
        allowed = ["DE", "FR"]
        max_unseen_fraction = 0.15
        [[column]]
        name = "id"
        allowed = [1, 2, 3.0, "5", 6, 7]
        [[column]]
        name = "flag"
        allowed = [true]
    "#);
    let strict = check(&result, "country.allowed");
    assert_eq!(
        (strict.outcome, sample_rows(strict)),
        (Outcome::Fail, vec![4])
    );
    assert_eq!(strict.rows, 8, "a null is not a value outside the list");
    assert_eq!(
        check(&result, "tolerant").outcome,
        Outcome::Pass,
        "1 of 8 ≤ 0.15"
    );
    assert_eq!(violations(check(&result, "id.allowed")), 0);
    assert_eq!(sample_rows(check(&result, "flag.allowed")), vec![2, 5]);
}

#[test]
fn text_rules_match_whole_values() {
    let result = run(r#"
        [[column]]
        name = "country"
        regex = "[A-Z]{2}"
        [[column]]
        name = "country"
        rule = "D"
        regex = "D"
        [[column]]
        name = "country"
        min_length = 2
        max_length = 2
    "#);
    assert_eq!(violations(check(&result, "country.regex")), 0);
    assert_eq!(
        violations(check(&result, "D")),
        7,
        "`D` matches no value as a whole"
    );
    assert_eq!(violations(check(&result, "country.length")), 0);
}

#[test]
fn uniqueness_and_order_look_across_batches() {
    let result = run(r#"
        [[column]]
        name = "id"
        unique = true
        [[column]]
        name = "t"
        monotonic = "increasing"
        [[column]]
        name = "t"
        rule = "strict"
        monotonic = "strictly_increasing"
    "#);
    // id 3 repeats in row 4 and id 1 (row 1) again in row 8, in the other batch.
    assert_eq!(sample_rows(check(&result, "id.unique")), vec![4, 8]);
    // 10 20 20 15 30 40 50 60: 15 falls back; a tie is fine unless strictly.
    assert_eq!(sample_rows(check(&result, "t.monotonic")), vec![4]);
    assert_eq!(sample_rows(check(&result, "strict")), vec![3, 4]);
}

#[test]
fn expressions_judge_rows_and_where_narrows_any_rule() {
    let result = run(r#"
        [[dataset]]
        name = "discount_le_price"
        expr = "discount <= price"
        [[column]]
        name = "price"
        rule = "german_price"
        min = 8
        where = "country = 'DE'"
    "#);
    let expr = check(&result, "discount_le_price");
    // Row 2: 0 <= -1 is false; row 5: 20 <= inf holds; row 6: 6 <= 5 is false; the null and
    // NaN prices make the condition unknown, which is no violation.
    assert_eq!(sample_rows(expr), vec![2, 6]);
    assert_eq!(
        expr.violations.as_ref().unwrap().sample[0].value,
        "discount=0.0, price=-1.0",
        "the sample shows the columns the expression reads"
    );
    let german = check(&result, "german_price");
    assert_eq!(german.rows, 4, "only the four German rows");
    assert_eq!(sample_rows(german), vec![7]);
}

#[test]
fn dataset_rules_count_rows_duplicates_overlap_and_conflicts() {
    let reference = {
        let batch = RecordBatch::try_from_iter([
            (
                "id",
                Arc::new(Float64Array::from(vec![5.0, 6.0])) as ArrayRef,
            ),
            (
                "country",
                Arc::new(StringArray::from(vec!["DE", "XX"])) as ArrayRef,
            ),
        ])
        .unwrap();
        Dataset::from_batches(batch.schema(), vec![batch]).unwrap()
    };
    let result = run_with(
        r#"
        [[dataset]]
        name = "rows"
        min_rows = 9
        [[dataset]]
        name = "dupes"
        max_duplicate_fraction = 0.5
        columns = ["country", "flag"]
        [[dataset]]
        name = "overlap"
        max_reference_overlap = 0.0
        columns = ["id", "country"]
        [[dataset]]
        name = "labels"
        label = "flag"
        max_conflicting_labels = 0.0
        columns = ["country"]
    "#,
        Some(&reference),
    );
    let rows = check(&result, "rows");
    assert_eq!((rows.outcome, rows.value), (Outcome::Fail, Some(8.0)));
    // (DE,true) rows 1 7 8; (FR,false) 2; (null,true) 3; (XX,true) 4; (DE,false) 5; (FR,true) 6.
    let dupes = check(&result, "dupes");
    assert_eq!(
        (sample_rows(dupes), dupes.outcome),
        (vec![7, 8], Outcome::Pass)
    );
    // Integer ids equal float ids: (5, DE) is row 5.
    assert_eq!(sample_rows(check(&result, "overlap")), vec![5]);
    // DE has flags true and false, FR too; XX and null only one each.
    assert_eq!(
        sample_rows(check(&result, "labels")),
        vec![1, 2, 5, 6, 7],
        "five shown"
    );
    assert_eq!(violations(check(&result, "labels")), 6);
}

#[test]
fn statistics_and_empty_selections() {
    let result = run(r#"
        [[statistic]]
        column = "discount"
        statistic = "mean"
        max = 3
        [[statistic]]
        column = "price"
        statistic = "median"
        min = 7
        [[statistic]]
        column = "country"
        statistic = "distinct_count"
        max = 2
        [[statistic]]
        column = "price"
        statistic = "mean"
        name = "nobody"
        where = "country = 'ZZ'"
        max = 1
        [[column]]
        name = "price"
        rule = "nobody_min"
        min = 0
        where = "country = 'ZZ'"
    "#);
    let mean = check(&result, "discount.mean");
    assert_eq!(
        (mean.value, mean.outcome),
        (Some(31.0 / 8.0), Outcome::Fail)
    );
    // Finite and infinite values count, NaN and null do not: -1 5 7 10 10 inf.
    assert_eq!(check(&result, "price.median").value, Some(8.5));
    let distinct = check(&result, "country.distinct_count");
    assert_eq!(
        (distinct.value, distinct.outcome),
        (Some(3.0), Outcome::Fail)
    );
    assert_eq!(check(&result, "nobody").outcome, Outcome::Skipped);
    assert_eq!(check(&result, "nobody_min").outcome, Outcome::Skipped);
}

#[test]
fn severity_types_and_missing_columns() {
    let result = run(r#"
        [[column]]
        name = "price"
        min = 0
        severity = "warn"
        [[column]]
        name = "country"
        type = "numeric"
        [[column]]
        name = "gone"
        required = true
        [[column]]
        name = "optional"
        required = false
        type = "numeric"
    "#);
    assert_eq!(check(&result, "price.min").outcome, Outcome::Warn);
    let kind = check(&result, "country.type");
    assert_eq!(
        (kind.outcome, violations(kind)),
        (Outcome::Fail, 7),
        "non-numbers named"
    );
    assert_eq!(check(&result, "gone.required").outcome, Outcome::Fail);
    assert_eq!(
        check(&result, "optional.required").outcome,
        Outcome::Skipped
    );
    assert!(!result.passed());
    // The rows whose country is not a number are quarantined (all but the null).
    assert_eq!(result.quarantined_rows(), 7);
    // A failed warning neither fails the run nor quarantines.
    let warn_only = run("[[column]]\nname = \"price\"\nmin = 0\nseverity = \"warn\"\n");
    assert!(warn_only.passed());
    assert_eq!(warn_only.quarantined_rows(), 0);
}

#[test]
fn quarantine_is_the_union_of_failed_error_rules() {
    let result = run(r#"
        [[column]]
        name = "price"
        min = 0
        [[column]]
        name = "country"
        allowed = ["DE", "FR"]
        [[column]]
        name = "discount"
        max = 100
    "#);
    let rows: Vec<Vec<bool>> = result
        .quarantine()
        .iter()
        .map(|m| m.iter().collect())
        .collect();
    assert_eq!(rows[0], vec![false, true, false, true, false]);
    assert_eq!(rows[1], vec![false, false, false]);
}

#[test]
fn mistakes_in_rules_are_errors_with_their_place() {
    assert_eq!(
        error("[[column]]\nname = \"prise\"\nmin = 0\n"),
        "rules.toml:2:9: the data has no column `prise` (did you mean `price`?)"
    );
    assert_eq!(
        error("[[column]]\nname = \"country\"\nregex = \"[A-Z\"\n"),
        "rules.toml:3:10: the regex `[A-Z` is invalid: regex parse error: ^(?:[A-Z)$ ^ error: unclosed character class"
    );
    assert_eq!(
        error("\n[[dataset]]\nexpr = \"discount <= prise\"\n"),
        "rules.toml:3:21: `discount <= prise`: no column `prise` (did you mean `price`?)"
    );
    assert_eq!(
        error("[[dataset]]\nexpr = \"discount <= \"\n"),
        "rules.toml:2:21: `discount <= `: Expected: an expression, found: EOF"
    );
    assert_eq!(
        error("[[dataset]]\nexpr = \"country > 1\"\n"),
        "rules.toml:2:19: `country > 1`: cannot compare a text with a number"
    );
    assert_eq!(
        error("[[column]]\nname = \"country\"\nmin = 0\n"),
        "rules.toml:3:7: `min` needs a numeric column; `country` is categorical"
    );
    assert_eq!(
        error("[[column]]\nname = \"id\"\nallowed = [\"x\"]\n"),
        "rules.toml:3:11: `x` cannot be a value of `id`, which is numeric"
    );
    assert_eq!(
        error("[[drift]]\ncolumn = \"price\"\n"),
        "rules.toml:2:11: drift rules need --reference"
    );
    assert!(error("[[column]]\nname = 'a'\nmin = 'zero'\n").starts_with("rules.toml:3: "));
}

#[test]
fn an_empty_dataset_skips_row_rules_and_fails_row_counts() {
    let empty = data().batches()[0].slice(0, 0);
    let dataset = Dataset::from_batches(empty.schema(), vec![empty]).unwrap();
    let rules = Rules::parse(
        "rules.toml",
        "[[column]]\nname = \"price\"\nmin = 0\n[[dataset]]\nmin_rows = 1\n",
    )
    .unwrap();
    let result = validate(&rules, &dataset, None, &ValidateOptions::default()).unwrap();
    assert_eq!(result.checks[0].outcome, Outcome::Skipped);
    assert_eq!(result.checks[1].outcome, Outcome::Fail);
}
