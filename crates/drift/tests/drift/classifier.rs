//! The domain classifier against NannyML's `DomainClassifierCalculator`
//! (`scripts/oracles/classifier_nannyml.py`). The learners differ (smartcore's random forest
//! against LightGBM), so the AUCs agree within [`AUC_TOLERANCE`], the verdicts at 0.65 agree
//! unless NannyML's AUC is within [`VERDICT_MARGIN`] of it, and where the rows drifted the
//! column seismo's forest used most is among the three LightGBM gained most from.

use std::path::Path;

use seismo_core::ColumnKind;
use seismo_stats::multivariate::ClassifierOptions;

/// How far seismo's cross-validated AUC may lie from NannyML's: the two learners' AUCs differ
/// by up to this on the cases here (docs/multivariate.md gives each).
const AUC_TOLERANCE: f64 = 0.07;

/// Where NannyML's AUC lies at least this far from the threshold, the verdicts must agree.
const VERDICT_MARGIN: f64 = 0.05;

#[test]
fn domain_classifier_agrees_with_nannymls() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let oracle: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("tests/fixtures/classifier_nannyml.json")).unwrap(),
    )
    .unwrap();
    let read = |path: &serde_json::Value| {
        seismo_io::read_dataset(dir.join(path.as_str().unwrap()), &Default::default()).unwrap()
    };
    let cases = oracle.as_object().unwrap();
    assert_eq!(cases.len(), 7);
    for (name, want) in cases {
        let (reference, current) = (read(&want["reference"]), read(&want["current"]));
        let columns: Vec<(String, ColumnKind)> = want["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let c = c.as_str().unwrap();
                (c.to_string(), reference.schema().column(c).unwrap().kind)
            })
            .collect();
        let got = seismo_drift::classifier(
            &reference,
            &current,
            &columns,
            &ClassifierOptions::default(),
            seismo_drift::AUC_THRESHOLD,
        )
        .unwrap();
        let auc = want["auc"].as_f64().unwrap();
        assert!(
            (got.statistic - auc).abs() <= AUC_TOLERANCE,
            "{name}: seismo {} nannyml {auc}",
            got.statistic
        );
        if (auc - seismo_drift::AUC_THRESHOLD).abs() > VERDICT_MARGIN {
            assert_eq!(got.drifted, auc > seismo_drift::AUC_THRESHOLD, "{name}");
        }
        assert_eq!(
            got.reference_rows as u64,
            want["reference_rows"].as_u64().unwrap().min(10_000)
        );
        if got.drifted {
            let gain = want["gain"].as_object().unwrap();
            let mut ranked: Vec<(&String, f64)> =
                gain.iter().map(|(c, g)| (c, g.as_f64().unwrap())).collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let top: Vec<&str> = ranked[..3].iter().map(|(c, _)| c.as_str()).collect();
            assert!(
                top.contains(&got.importances[0].column.as_str()),
                "{name}: seismo's first column {} is not among LightGBM's {top:?}",
                got.importances[0].column
            );
        }
    }
}
