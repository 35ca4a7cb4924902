//! `seismo.estimate`: performance estimated without labels (CBPE).

use pyo3::prelude::*;
use seismo_estimate::{Calibration, CbpeOptions, Chunking, EstimateOptions, Metric};

use crate::{Input, error, interruptible};

/// Performance estimated without labels, as `seismo estimate`; the report as its JSON
/// document.
#[pyfunction]
#[pyo3(signature = (
    reference, current, prediction, target, time = None, chunk = None, threshold = 0.5,
    metrics = None, calibration = "auto".to_owned(), seed = 42, predicted_class = None,
    threads = None
))]
#[allow(clippy::too_many_arguments)]
pub fn estimate_json(
    py: Python<'_>,
    reference: &Bound<'_, PyAny>,
    current: &Bound<'_, PyAny>,
    prediction: &Bound<'_, PyAny>,
    target: String,
    time: Option<String>,
    chunk: Option<&Bound<'_, PyAny>>,
    threshold: f64,
    metrics: Option<Vec<String>>,
    calibration: String,
    seed: u64,
    predicted_class: Option<String>,
    threads: Option<usize>,
) -> PyResult<(String, bool, String)> {
    // `prediction`: a column name (binary), or (class, column) pairs (multiclass).
    let (prediction, classes) = if let Ok(name) = prediction.extract::<String>() {
        (name, Vec::new())
    } else {
        let pairs: Vec<(String, String)> = prediction.extract().map_err(|_| {
            error("prediction: a column name, or a mapping of each class to its column")
        })?;
        if pairs.len() < 2 {
            return Err(error(
                "prediction: a multiclass model needs two classes or more",
            ));
        }
        (String::new(), pairs)
    };
    let chunking = match chunk {
        None => None,
        Some(c) => Some(if let Ok(rows) = c.extract::<usize>() {
            if rows == 0 {
                return Err(error("chunk=0: a chunk needs at least one row"));
            }
            Chunking::Rows(rows)
        } else {
            let text: String = c.extract()?;
            Chunking::Period(
                text.parse()
                    .map_err(|e| error(format!("chunk={text:?}: {e}")))?,
            )
        }),
    };
    if !(0.0..=1.0).contains(&threshold) {
        return Err(error(format!(
            "threshold={threshold}: a decision threshold on probabilities is in [0, 1]"
        )));
    }
    let metrics = match metrics {
        None => seismo_estimate::DEFAULT_METRICS.to_vec(),
        Some(names) => names
            .iter()
            .map(|n| Metric::parse(n).ok_or_else(|| error(format!("metrics: `{n}` is not one of roc_auc, accuracy, precision, recall, f1, specificity"))))
            .collect::<PyResult<_>>()?,
    };
    let calibration = Calibration::parse(&calibration).ok_or_else(|| {
        error(format!(
            "calibration={calibration:?}: not \"auto\", \"always\" or \"never\""
        ))
    })?;
    let options = EstimateOptions {
        prediction,
        classes,
        predicted_class,
        target,
        time,
        chunking,
        cbpe: CbpeOptions {
            threshold,
            metrics,
            calibration,
            seed,
            threads: crate::threads(threads)?,
        },
    };
    let reference = Input::from_python(reference)?;
    let current = Input::from_python(current)?;
    let names = (reference.name(), current.name());
    let names_for_html = names.clone();
    let report = interruptible(py, move || -> Result<_, String> {
        let reference = reference.dataset().map_err(|e| e.to_string())?;
        let current = current.dataset().map_err(|e| e.to_string())?;
        seismo_estimate::estimate(&reference, &current, &options).map_err(|e| match e {
            seismo_estimate::EstimateError::Data { side, message } => {
                let name = match side {
                    seismo_estimate::Side::Reference => &names.0,
                    seismo_estimate::Side::Current => &names.1,
                };
                format!("{name}: {message}")
            }
            other => other.to_string(),
        })
    })?;
    let report = report.map_err(error)?;
    let html = seismo_report::estimate::html(&report, &names_for_html.0, &names_for_html.1);
    Ok((
        serde_json::to_string(&report).map_err(error)?,
        report.alert,
        html,
    ))
}
