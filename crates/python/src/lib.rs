//! `seismo._seismo`: the native half of the `seismo` Python package (PyO3, abi3). The
//! Python half (`python/seismo/`) wraps these functions in typed report classes.
//!
//! Data comes in as a file path (any format `seismo-io` reads) or as any object with the
//! Arrow PyCapsule stream interface (`__arrow_c_stream__`: pyarrow tables and readers, polars
//! frames, DuckDB results), imported without copying the buffers. The batches are collected
//! while the interpreter lock is held (a Python producer may need it), then the work runs
//! with the lock released. Reports cross back as the JSON documents the CLI's
//! `--format json` prints, so the two agree key for key.
//!
//! The example is Python (this crate has no Rust API); `crates/python/tests/` runs the same:
//!
//! ```python
//! import polars as pl
//! import seismo
//!
//! report = seismo.drift(pl.read_parquet("examples/reference.parquet"),
//!                       pl.read_parquet("examples/current.parquet"),
//!                       prediction="score", ignore=["id", "timestamp", "model_version"])
//! assert report.drifted
//! ```

use arrow_array::RecordBatch;
use arrow_array::RecordBatchReader;
use arrow_array::ffi_stream::RecordBatchStreamReader;
use arrow_pyarrow::FromPyArrow;
use arrow_schema::SchemaRef;
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use seismo_core::{ColumnRole, Dataset};
use seismo_drift::{Correction, DriftOptions, Multivariate, MultivariateOptions, TestName};
use seismo_estimate::{Calibration, CbpeOptions, Chunking, EstimateOptions, Metric};
use seismo_io::{ReadOptions, Source};
use seismo_stats::profile::{Profile as StatsProfile, ProfileError, profile_partitions};

create_exception!(
    _seismo,
    SeismoError,
    PyValueError,
    "Bad input to seismo: a file, column, value or option, named in the message."
);

fn error(message: impl std::fmt::Display) -> PyErr {
    SeismoError::new_err(message.to_string())
}

/// Data handed in from Python.
enum Input {
    /// A path to read.
    Path(String),
    /// Batches imported from an Arrow stream.
    Batches(SchemaRef, Vec<RecordBatch>),
}

impl Input {
    fn from_python(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(path) = data.extract::<std::path::PathBuf>() {
            return Ok(Self::Path(path.to_string_lossy().into_owned()));
        }
        if !data.hasattr("__arrow_c_stream__")? {
            let kind = data.get_type().name()?;
            return Err(error(format!(
                "data: a {kind} is neither a path nor Arrow data (an object with __arrow_c_stream__: a pyarrow Table, a polars DataFrame, a DuckDB result; pandas frames go through pyarrow)"
            )));
        }
        let reader = RecordBatchStreamReader::from_pyarrow_bound(data)?;
        let schema = reader.schema();
        let batches = reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| error(format!("data: {e}")))?;
        Ok(Self::Batches(schema, batches))
    }

    /// What error messages call this input.
    fn name(&self) -> String {
        match self {
            Self::Path(p) => p.clone(),
            Self::Batches(..) => "<arrow data>".into(),
        }
    }

    /// The whole dataset (errors name the path; run without the interpreter lock).
    fn dataset(self) -> Result<Dataset, String> {
        match self {
            Self::Path(path) => {
                seismo_io::read_dataset(&path, &ReadOptions::default()).map_err(|e| e.to_string())
            }
            Self::Batches(schema, batches) => {
                Dataset::from_batches(schema, batches).map_err(|e| format!("data: {e}"))
            }
        }
    }
}

/// Runs `work` on its own thread with the interpreter lock released, checking for signals
/// every 50 ms: Ctrl-C raises `KeyboardInterrupt` at once (the work's result is then dropped
/// when it ends; the kernels have no cancellation point). A panic in the work is an error,
/// not a crash of the interpreter.
fn interruptible<T: Send + 'static>(
    py: Python<'_>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    use std::sync::mpsc::{RecvTimeoutError, channel};
    let (done, result) = channel();
    std::thread::Builder::new()
        .name("seismo".into())
        .spawn(move || {
            let _ = done.send(work());
        })
        .map_err(|e| error(format!("cannot start a thread: {e}")))?;
    // A receiver is not `Sync`; behind a mutex the detached closure may borrow it.
    let result = std::sync::Mutex::new(result);
    let wait = || {
        let result = result.lock().unwrap_or_else(|p| p.into_inner());
        result.recv_timeout(std::time::Duration::from_millis(50))
    };
    loop {
        match py.detach(wait) {
            Ok(value) => return Ok(value),
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(error(
                    "the work stopped without a result (an internal error)",
                ));
            }
        }
    }
}

fn threads(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        Some(0) => Err(error("threads=0: at least one thread is needed")),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// A mergeable profile of a dataset: counts, nulls, moments, quantile and distinct-count
/// sketches, frequent values. Its bytes are the format `seismo profile --save` writes.
#[pyclass(module = "seismo._seismo", name = "Profile")]
struct PyProfile(StatsProfile);

#[pymethods]
impl PyProfile {
    /// The profile in the saved format (JSON bytes), as `seismo profile --save` writes it.
    fn to_bytes(&self) -> Vec<u8> {
        self.0.to_json()
    }

    /// A profile from the saved format.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        StatsProfile::from_json(data).map(Self).map_err(error)
    }

    /// Adds another profile of the same columns (partitions of one dataset, say). Counts and
    /// moments merge exactly; quantiles and distinct counts within their sketches' bounds.
    fn merge(&mut self, other: &Self) -> PyResult<()> {
        self.0.merge(&other.0).map_err(error)
    }

    /// The summary as JSON: the document `seismo profile --format json` prints.
    fn summary_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.0.summary()).map_err(error)
    }
}

/// Profiles data in one pass, on `threads` threads.
#[pyfunction]
#[pyo3(signature = (data, threads = None))]
fn profile(py: Python<'_>, data: &Bound<'_, PyAny>, threads: Option<usize>) -> PyResult<PyProfile> {
    let threads = self::threads(threads)?;
    let input = Input::from_python(data)?;
    let name = input.name();
    let result = interruptible(py, move || -> Result<StatsProfile, String> {
        match input {
            Input::Path(path) => {
                let source =
                    Source::open(&path, &ReadOptions::default()).map_err(|e| e.to_string())?;
                let schema = source.schema().clone();
                let partitions = source.into_partitions(threads);
                profile_partitions(&schema, partitions, threads, &|_| {}).map_err(|e| match e {
                    ProfileError::Read(e) => e.to_string(),
                    ProfileError::Stats(e) => format!("{path}: {e}"),
                })
            }
            Input::Batches(schema, batches) => {
                let data = Dataset::from_batches(schema, batches).map_err(|e| e.to_string())?;
                // Contiguous runs of batches, one per thread: the same profile for the same
                // data and thread count.
                let per = data.batches().len().div_ceil(threads).max(1);
                let partitions: Vec<_> = data
                    .batches()
                    .chunks(per)
                    .map(|run| run.iter().cloned().map(Ok::<_, String>))
                    .collect();
                profile_partitions(data.schema(), partitions, threads, &|_| {}).map_err(|e| match e
                {
                    ProfileError::Read(e) => e,
                    ProfileError::Stats(e) => format!("{name}: {e}"),
                })
            }
        }
    })?;
    result.map(PyProfile).map_err(error)
}

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
    options.threads = self::threads(threads)?;
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
    chunk_size = None
))]
#[allow(clippy::too_many_arguments)]
fn drift_json(
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
) -> PyResult<(String, bool, String)> {
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
        Some(other) => {
            return Err(error(format!(
                "multivariate={other:?}: not \"mmd\" or \"reconstruction\""
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
                seismo_drift::detect_multivariate(&reference, &current, &options, method)
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
fn drift_profiles_json(
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

/// Data checked against a rule file, as `seismo validate`: the JSON document, whether no
/// error-severity rule failed, and the HTML page. `rules` is a path to a rule file or the
/// TOML text itself.
#[pyfunction]
#[pyo3(signature = (data, rules, reference = None, sample = 5, threads = None))]
fn validate_json(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    rules: String,
    reference: Option<&Bound<'_, PyAny>>,
    sample: usize,
    threads: Option<usize>,
) -> PyResult<(String, bool, String)> {
    let (rules_name, text) = match std::fs::read_to_string(&rules) {
        Ok(text) => (rules.clone(), text),
        // Not a readable file: the rules themselves (a file path would not parse as TOML
        // rules, and its error says so).
        Err(_) => ("<rules>".to_owned(), rules),
    };
    let parsed = seismo_rules::Rules::parse(&rules_name, &text).map_err(error)?;
    let options = seismo_rules::ValidateOptions::new(sample, self::threads(threads)?);
    let data = Input::from_python(data)?;
    let reference = reference.map(Input::from_python).transpose()?;
    let names = (data.name(), reference.as_ref().map(Input::name));
    let result = interruptible(py, move || -> Result<_, String> {
        let data = data.dataset()?;
        let reference = reference.map(Input::dataset).transpose()?;
        let validation = seismo_rules::validate(&parsed, &data, reference.as_ref(), &options)
            .map_err(|e| e.to_string())?;
        let document = validation.document(&names.0, &rules_name, names.1.as_deref());
        let html = seismo_report::validate::html(&names.0, &rules_name, &validation);
        Ok((document.to_string(), validation.passed(), html))
    })?;
    result.map_err(error)
}

/// Performance estimated without labels, as `seismo estimate`; the report as its JSON
/// document.
#[pyfunction]
#[pyo3(signature = (
    reference, current, prediction, target, time = None, chunk = None, threshold = 0.5,
    metrics = None, calibration = "auto".to_owned(), seed = 42, predicted_class = None,
    threads = None
))]
#[allow(clippy::too_many_arguments)]
fn estimate_json(
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
            threads: self::threads(threads)?,
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

#[pymodule]
fn _seismo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("SeismoError", m.py().get_type::<SeismoError>())?;
    m.add_class::<PyProfile>()?;
    m.add_function(wrap_pyfunction!(profile, m)?)?;
    m.add_function(wrap_pyfunction!(drift_json, m)?)?;
    m.add_function(wrap_pyfunction!(drift_profiles_json, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_json, m)?)?;
    m.add_function(wrap_pyfunction!(validate_json, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
