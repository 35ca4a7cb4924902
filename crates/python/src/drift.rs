//! `seismo.drift`: between datasets, or between saved profiles.

use pyo3::prelude::*;
use seismo_core::ColumnRole;
use seismo_drift::{
    ClassifierOptions, Correction, DriftOptions, Multivariate, MultivariateOptions, TestName,
};

use crate::profile::PyProfile;
use crate::{Input, error, interruptible};

/// The options both drift functions take, as `seismo drift`'s flags.
#[allow(clippy::too_many_arguments)]
fn drift_options(
    ignore: &[String],
    numeric_test: Option<String>,
    categorical_test: Option<String>,
    threshold: Option<f64>,
    drift_share: f64,
    correction: Option<String>,
    seed: u64,
    threads: Option<usize>,
) -> PyResult<DriftOptions> {
    let test = |name: &str, value: Option<String>| -> PyResult<Option<TestName>> {
        value
            .map(|v| {
                v.parse::<TestName>()
                    .map_err(|e| error(format!("{name}={v:?}: {e}")))
            })
            .transpose()
    };
    let mut options = DriftOptions::default();
    options.numeric_test = test("numeric_test", numeric_test)?;
    options.categorical_test = test("categorical_test", categorical_test)?;
    options.threshold = threshold;
    if !(0.0..=1.0).contains(&drift_share) {
        return Err(error(format!(
            "drift_share={drift_share}: a share is in [0, 1]"
        )));
    }
    options.drift_share = drift_share;
    options.correction = correction
        .map(|c| {
            c.parse::<Correction>()
                .map_err(|e| error(format!("correction={c:?}: {e}")))
        })
        .transpose()?;
    options.seed = seed;
    options.ignore = ignore.iter().cloned().collect();
    options.threads = crate::threads(threads)?;
    Ok(options)
}

/// Gives the prediction and target columns their roles on both sides, and checks that every
/// ignored column exists on one side at least.
fn declare_columns(
    reference: &mut seismo_core::Schema,
    current: &mut seismo_core::Schema,
    prediction: &[String],
    target: &[String],
    ignore: &[String],
) -> PyResult<()> {
    for (schema, side) in [(&mut *reference, "reference"), (&mut *current, "current")] {
        for (columns, role) in [
            (prediction, ColumnRole::Prediction),
            (target, ColumnRole::Target),
        ] {
            for column in columns {
                schema.set_role(column, role).map_err(|_| {
                    error(format!(
                        "{role}={column:?}: the {side} data has no such column"
                    ))
                })?;
            }
        }
    }
    for column in ignore {
        if reference.column(column).is_none() && current.column(column).is_none() {
            return Err(error(format!(
                "ignore={column:?}: no such column in the reference or the current data"
            )));
        }
    }
    Ok(())
}

/// The report's JSON document, whether it fails `seismo drift`'s default gate, and its
/// HTML page (as `seismo drift --format html`).
fn drift_result(
    report: &seismo_drift::DriftReport,
    html: String,
) -> PyResult<(String, bool, String)> {
    let json = serde_json::to_string(report).map_err(error)?;
    Ok((json, report.fails(&seismo_drift::FailOn::DEFAULT), html))
}

/// Drift between two datasets, as `seismo drift`; the report as its JSON document.
#[pyfunction]
#[pyo3(signature = (
    reference, current, prediction = vec![], target = vec![], ignore = vec![],
    numeric_test = None, categorical_test = None, threshold = None, drift_share = 0.5,
    correction = None, seed = 0, threads = None, multivariate = None, permutations = 100,
    chunk_size = None, auc_threshold = seismo_drift::AUC_THRESHOLD, classifier_rows = 10_000,
    multivariate_only = false
))]
#[allow(clippy::too_many_arguments)]
pub fn drift_json(
    py: Python<'_>,
    reference: &Bound<'_, PyAny>,
    current: &Bound<'_, PyAny>,
    prediction: Vec<String>,
    target: Vec<String>,
    ignore: Vec<String>,
    numeric_test: Option<String>,
    categorical_test: Option<String>,
    threshold: Option<f64>,
    drift_share: f64,
    correction: Option<String>,
    seed: u64,
    threads: Option<usize>,
    multivariate: Option<String>,
    permutations: usize,
    chunk_size: Option<usize>,
    auc_threshold: f64,
    classifier_rows: usize,
    multivariate_only: bool,
) -> PyResult<(String, bool, String)> {
    if multivariate_only && multivariate.is_none() {
        return Err(error(
            "multivariate_only=True needs multivariate= (\"mmd\", \"reconstruction\" or \"classifier\")",
        ));
    }
    let options = drift_options(
        &ignore,
        numeric_test,
        categorical_test,
        threshold,
        drift_share,
        correction,
        seed,
        threads,
    )?;
    if permutations == 0 {
        return Err(error("permutations=0: at least one is needed"));
    }
    let method = match multivariate.as_deref() {
        None => None,
        Some("mmd") => {
            let mut mmd = MultivariateOptions::default();
            mmd.permutations = permutations;
            mmd.seed = seed;
            mmd.threads = options.threads;
            Some(Multivariate::Mmd(mmd))
        }
        Some("reconstruction") => Some(Multivariate::Reconstruction(chunk_size)),
        Some("classifier") => {
            if !(auc_threshold > 0.0 && auc_threshold < 1.0) {
                return Err(error(format!(
                    "auc_threshold={auc_threshold}: not between 0 and 1"
                )));
            }
            let mut classifier = ClassifierOptions::default();
            classifier.max_rows = classifier_rows;
            classifier.seed = seed;
            classifier.threads = options.threads;
            Some(Multivariate::Classifier {
                options: classifier,
                threshold: auc_threshold,
            })
        }
        Some(other) => {
            return Err(error(format!(
                "multivariate={other:?}: not \"mmd\", \"reconstruction\" or \"classifier\""
            )));
        }
    };
    let reference = Input::from_python(reference)?;
    let current = Input::from_python(current)?;
    let names = (reference.name(), current.name());
    let result = interruptible(py, move || -> PyResult<_> {
        let (mut reference, mut current) = (
            reference.dataset().map_err(error)?,
            current.dataset().map_err(error)?,
        );
        declare_columns(
            reference.schema_mut(),
            current.schema_mut(),
            &prediction,
            &target,
            &ignore,
        )?;
        let report = match &method {
            Some(method) => {
                let joint = if multivariate_only {
                    seismo_drift::detect_joint
                } else {
                    seismo_drift::detect_multivariate
                };
                joint(&reference, &current, &options, method)
                    .map_err(|e| error(format!("multivariate: {e}")))?
            }
            None => seismo_drift::detect(&reference, &current, &options),
        };
        let plots = seismo_drift::distributions(&report, &reference, &current);
        let html = seismo_report::drift::render(&report, &plots, &names.0, &names.1);
        Ok((report, html))
    })?;
    let (report, html) = result?;
    drift_result(&report, html)
}

/// Drift between two saved profiles (each column's sketches, as `seismo drift` with a
/// profile reference); the report as its JSON document.
#[pyfunction]
#[pyo3(signature = (
    reference, current, prediction = vec![], target = vec![], ignore = vec![],
    numeric_test = None, categorical_test = None, threshold = None, drift_share = 0.5,
    correction = None, seed = 0
))]
#[allow(clippy::too_many_arguments)]
pub fn drift_profiles_json(
    py: Python<'_>,
    reference: &PyProfile,
    current: &PyProfile,
    prediction: Vec<String>,
    target: Vec<String>,
    ignore: Vec<String>,
    numeric_test: Option<String>,
    categorical_test: Option<String>,
    threshold: Option<f64>,
    drift_share: f64,
    correction: Option<String>,
    seed: u64,
) -> PyResult<(String, bool, String)> {
    let options = drift_options(
        &ignore,
        numeric_test,
        categorical_test,
        threshold,
        drift_share,
        correction,
        seed,
        Some(1),
    )?;
    let (mut reference_schema, mut current_schema) = (reference.0.schema(), current.0.schema());
    declare_columns(
        &mut reference_schema,
        &mut current_schema,
        &prediction,
        &target,
        &ignore,
    )?;
    let (reference, current) = (reference.0.clone(), current.0.clone());
    let (report, html) = interruptible(py, move || {
        let report = seismo_drift::detect_profiles(
            &reference,
            &reference_schema,
            &current,
            &current_schema,
            &options,
        );
        let plots = seismo_drift::distributions_from_profiles(&report, &reference, &current);
        let html =
            seismo_report::drift::render(&report, &plots, "reference profile", "current profile");
        (report, html)
    })?;
    drift_result(&report, html)
}
