//! Model testing from Python: `seismo.test` (a suite of slice tests on scored rows),
//! `seismo.score` (an ONNX model's predictions beside the rows) and `seismo.robust`
//! (does the model's decision hold under small changes of its input?).

use std::path::Path;

use arrow_pyarrow::{PyArrowType, Table};
use ndarray::ArrayView2;
use pyo3::prelude::*;
use seismo_core::Dataset;
use seismo_model::{Card, Model, Scored};
use seismo_robust::{DataReader, Options, Perturbation, Reference, RobustError, SuiteFile};
use seismo_slices::{RunOptions, Suite, run_suite};

use crate::{Input, error, file_or_text, interruptible};

/// A slice-test suite run on scored rows, as `seismo test`: the JSON document, whether
/// every test passed, the HTML page and the JUnit XML.
#[pyfunction]
#[pyo3(signature = (data, suite, baseline = None, threads = None))]
pub fn test_json(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    suite: String,
    baseline: Option<&Bound<'_, PyAny>>,
    threads: Option<usize>,
) -> PyResult<(String, bool, String, String)> {
    let (suite_name, text) = file_or_text(suite, "<suite>");
    let suite = Suite::parse(&suite_name, &text).map_err(error)?;
    let options = RunOptions::with_threads(crate::threads(threads)?);
    let data = Input::from_python(data)?;
    let baseline = baseline.map(Input::from_python).transpose()?;
    let names = (data.name(), baseline.as_ref().map(Input::name));
    let report = interruptible(py, move || -> Result<_, String> {
        let data = data.dataset()?;
        let baseline = baseline.map(Input::dataset).transpose()?;
        run_suite(&suite, &data, baseline.as_ref(), &options).map_err(|e| e.to_string())
    })?
    .map_err(error)?;
    let html = seismo_report::model_test::html(&suite_name, &names.0, names.1.as_deref(), &report);
    let junit = seismo_report::model_test::junit(&suite_name, &report);
    Ok((
        serde_json::to_string(&report).map_err(error)?,
        report.passed,
        html,
        junit,
    ))
}

/// The model and its card, errors naming the model.
fn load(model: &str, card: Option<&str>, features: &[String]) -> PyResult<(Model, Card)> {
    Model::load_with_card(model, card.map(Path::new), features)
        .map_err(|e| error(format!("model {model}: {e}")))
}

/// The rows with an ONNX model's predictions added, as `seismo score` writes them: the
/// prediction column (a binary classifier's positive-class probability, another
/// classifier's label, a regressor's value) and a probability column per class.
#[pyfunction]
#[pyo3(signature = (
    data, model, card = None, features = vec![], output_column = "prediction".to_owned(),
    threads = None
))]
pub fn score(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    model: String,
    card: Option<String>,
    features: Vec<String>,
    output_column: String,
    threads: Option<usize>,
) -> PyResult<PyArrowType<Table>> {
    let threads = crate::threads(threads)?;
    let (model, card) = load(&model, card.as_deref(), &features)?;
    let data = Input::from_python(data)?;
    let name = data.name();
    let table = interruptible(py, move || -> Result<Table, String> {
        let data = data.dataset()?;
        let scored = Scored::new(&model, &card, data.arrow_schema(), &output_column)
            .map_err(|e| format!("output_column: {e}"))?;
        model
            .check(data.arrow_schema(), &card.features)
            .map_err(|e| format!("{name}: {e}"))?;
        let batches = data
            .batches()
            .iter()
            .map(|batch| scored.score(&model, &card, batch, threads))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("{name}: {e}"))?;
        Table::try_new(batches, scored.schema().clone()).map_err(|e| e.to_string())
    })?
    .map_err(error)?;
    Ok(PyArrowType(table))
}

/// Rows of `input` as a robustness run reads them.
fn read_rows(
    input: Input,
    model: &Model,
    features: &[String],
    target: Option<&str>,
    by: Option<&str>,
) -> Result<seismo_robust::Data, String> {
    let name = input.name();
    let data: Dataset = input.dataset()?;
    let at = |e: RobustError| format!("{name}: {e}");
    let mut reader =
        DataReader::new(model, features, data.arrow_schema(), target, by).map_err(at)?;
    for batch in data.batches() {
        reader.push(batch).map_err(at)?;
    }
    reader.finish().map_err(at)
}

/// A matrix as the model saw it, as a table (`Model::batch`).
fn rows_table(
    model: &Model,
    features: &[String],
    matrix: ArrayView2<'_, f32>,
) -> Result<PyArrowType<Table>, RobustError> {
    let batch = model.batch(features, matrix)?;
    let schema = batch.schema();
    Table::try_new(vec![batch], schema)
        .map(PyArrowType)
        .map_err(|e| RobustError::Dump(e.to_string()))
}

/// The rows as the model saw them, unperturbed then under each perturbation in the
/// report's order (`--dump-perturbed`, as tables).
type Perturbed = Option<(PyArrowType<Table>, Vec<PyArrowType<Table>>)>;

/// A robustness run, as `seismo robust`: the JSON document, whether every perturbation
/// passed, the HTML page, the JUnit XML, and with `perturbed` the rows the model saw.
#[pyfunction]
#[pyo3(signature = (
    data, model, card = None, features = vec![], perturb = vec![], suite = None,
    reference = None, target = None, metrics = vec![], by = None, seed = 0, threshold = 0.5,
    max_flip_rate = 0.05, max_mean_change = None, tolerance = 0.01, min_rows = 100,
    threads = None, perturbed = false
))]
#[allow(clippy::too_many_arguments)]
pub fn robust_json(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    model: String,
    card: Option<String>,
    features: Vec<String>,
    perturb: Vec<String>,
    suite: Option<String>,
    reference: Option<&Bound<'_, PyAny>>,
    target: Option<String>,
    metrics: Vec<String>,
    by: Option<String>,
    seed: u64,
    threshold: f64,
    max_flip_rate: f64,
    max_mean_change: Option<f64>,
    tolerance: f64,
    min_rows: usize,
    threads: Option<usize>,
    perturbed: bool,
) -> PyResult<(String, bool, String, String, Perturbed)> {
    let model_name = model.clone();
    let (model, card) = load(&model, card.as_deref(), &features)?;
    let mut options = Options {
        seed,
        threshold,
        positive: model.positive_column(&card).map_err(error)?,
        max_flip_rate,
        max_mean_change,
        tolerance,
        min_rows,
        threads: crate::threads(threads)?,
        ..Options::default()
    };
    options
        .set_metrics(&metrics)
        .map_err(|e| error(format!("metrics: {e}")))?;
    let (mut target, mut by) = (target, by);
    let perturbations: Vec<Perturbation> = match suite {
        Some(suite) => {
            if !perturb.is_empty() {
                return Err(error("give perturb or a suite, not both"));
            }
            let (name, text) = file_or_text(suite, "<suite>");
            let file = seismo_config::ConfigFile::new(&name, &text);
            let (suite, perturbations) = SuiteFile::read(&file, &card.features).map_err(error)?;
            options
                .apply(&suite)
                .map_err(|e| error(format!("{name}: {e}")))?;
            target = suite.target.or(target);
            by = suite.by.or(by);
            perturbations
        }
        None => {
            let specs: Vec<&str> = if perturb.is_empty() {
                seismo_robust::DEFAULT_PERTURBATIONS.to_vec()
            } else {
                perturb.iter().map(String::as_str).collect()
            };
            specs
                .into_iter()
                .map(Perturbation::parse)
                .collect::<Result<_, _>>()
                .map_err(error)?
        }
    };
    options.check().map_err(|e| match e {
        RobustError::Setting { name, message } => error(format!("{name} {message}")),
        other => error(other),
    })?;
    let data = Input::from_python(data)?;
    let data_name = data.name();
    let reference = reference.map(Input::from_python).transpose()?;
    let report = interruptible(py, move || -> Result<_, String> {
        let rows = read_rows(
            data,
            &model,
            &card.features,
            target.as_deref(),
            by.as_deref(),
        )?;
        let reference = match reference {
            Some(input) => Reference::for_model(
                read_rows(input, &model, &card.features, None, None)?
                    .matrix
                    .view(),
                &model,
            ),
            None => Reference::for_model(rows.matrix.view(), &model),
        };
        let original = perturbed
            .then(|| rows_table(&model, &card.features, rows.matrix.view()))
            .transpose()
            .map_err(|e| e.to_string())?;
        let mut seen = Vec::new();
        let report = seismo_robust::run(
            &model,
            &card.features,
            rows.matrix.view(),
            &reference,
            &perturbations,
            rows.truth.as_deref(),
            rows.groups.as_ref(),
            &options,
            |_, matrix| {
                if perturbed {
                    seen.push(rows_table(&model, &card.features, matrix)?);
                }
                Ok(())
            },
        )
        .map_err(|e| e.to_string())?;
        Ok((report, original.map(|o| (o, seen))))
    })?
    .map_err(error)?;
    let (report, perturbed) = report;
    let html = seismo_report::robust::html(&model_name, &data_name, &report);
    let junit = seismo_report::robust::junit(&model_name, &report);
    Ok((
        serde_json::to_string(&report).map_err(error)?,
        report.passed,
        html,
        junit,
        perturbed,
    ))
}
