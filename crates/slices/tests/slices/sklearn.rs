//! Every metric against scikit-learn and the fairness measures against fairlearn, on the
//! fixtures of scripts/oracles/metrics_sklearn.py (1e-12 relative).

use std::path::Path;

use seismo_slices::{
    Metric, Predictions, demographic_parity_difference, disparate_impact_ratio,
    equalized_odds_difference, group_rates,
};
use serde_json::Value;

fn fixture() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sklearn.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

#[test]
fn metrics_equal_sklearn() {
    let data = fixture();
    let mut compared = 0;
    for case in data["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let predictions = match case["task"].as_str().unwrap() {
            "binary" => Predictions::binary(
                floats(&case["truth"]),
                floats(&case["score"]),
                case["threshold"].as_f64().unwrap(),
            ),
            "regression" => {
                Predictions::regression(floats(&case["truth"]), floats(&case["predicted"]))
            }
            _ => {
                let classes = case["classes"].as_u64().unwrap() as usize;
                let labels = |v: &Value| -> Vec<u32> {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_u64().unwrap() as u32)
                        .collect()
                };
                let probabilities: Vec<f64> = case["probabilities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(floats)
                    .collect();
                Predictions::multiclass(
                    labels(&case["truth"]),
                    labels(&case["predicted"]),
                    classes,
                    Some(probabilities),
                )
            }
        };
        let rows: Vec<u32> = (0..predictions.len() as u32).collect();
        for (metric, expected) in case["metrics"].as_object().unwrap() {
            let metric: Metric = metric.parse().unwrap();
            let got = predictions.metric(metric, &rows);
            match expected.as_f64() {
                Some(expected) => {
                    let got = got.unwrap_or_else(|e| panic!("{name} {metric}: {e}"));
                    assert!(
                        close(got, expected),
                        "{name} {metric}: {got} vs sklearn {expected}"
                    );
                }
                None => assert!(got.is_err(), "{name} {metric}: {got:?}, sklearn has none"),
            }
            compared += 1;
        }
    }
    assert!(compared > 150, "{compared}");
}

#[test]
fn fairness_equals_fairlearn() {
    let data = fixture();
    let f = &data["fairness"];
    let truth = floats(&f["truth"]);
    let score = floats(&f["score"]);
    let column = |name: &str| -> Vec<String> {
        f[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let (country, gender) = (column("country"), column("gender"));
    for case in f["results"].as_array().unwrap() {
        let threshold = case["threshold"].as_f64().unwrap();
        let predictions = Predictions::binary(truth.clone(), score.clone(), threshold);
        let groups: Vec<&str> = case["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap())
            .collect();
        let key = |r: usize| -> Vec<String> {
            groups
                .iter()
                .map(|g| {
                    if *g == "country" {
                        country[r].clone()
                    } else {
                        gender[r].clone()
                    }
                })
                .collect()
        };
        let mut members: std::collections::BTreeMap<Vec<String>, Vec<u32>> = Default::default();
        for r in 0..truth.len() {
            members.entry(key(r)).or_default().push(r as u32);
        }
        let rates: Vec<_> = members
            .iter()
            .map(|(g, rows)| group_rates(&predictions, g.clone(), rows))
            .collect();
        let label = format!("{groups:?} at {threshold}");
        for (name, got) in [
            (
                "demographic_parity_difference",
                demographic_parity_difference(&rates),
            ),
            ("demographic_parity_ratio", disparate_impact_ratio(&rates)),
            (
                "equalized_odds_difference",
                equalized_odds_difference(&rates),
            ),
        ] {
            let expected = case[name].as_f64().unwrap();
            assert!(
                close(got.unwrap(), expected),
                "{label} {name}: {got:?} vs fairlearn {expected}"
            );
        }
        for group in case["by_group"].as_array().unwrap() {
            let key: Vec<String> = group["group"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g.as_str().unwrap().to_owned())
                .collect();
            let rate = rates.iter().find(|r| r.group == key).unwrap();
            assert!(
                close(
                    rate.selection_rate,
                    group["selection_rate"].as_f64().unwrap()
                ),
                "{label} {key:?}"
            );
            assert!(
                close(rate.true_positive_rate, group["recall"].as_f64().unwrap()),
                "{label} {key:?}"
            );
        }
    }
}
