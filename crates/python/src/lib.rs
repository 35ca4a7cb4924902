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
use seismo_core::Dataset;
use seismo_io::ReadOptions;

mod drift;
mod estimate;
mod history;
mod model;
mod profile;
mod validate;

create_exception!(
    _seismo,
    SeismoError,
    PyValueError,
    "Bad input to seismo: a file, column, value or option, named in the message."
);

pub(crate) fn error(message: impl std::fmt::Display) -> PyErr {
    SeismoError::new_err(message.to_string())
}

/// A file's name and text, or (when `text_or_path` is no readable file) the text itself
/// under `name`: rules, suites and markers come as either.
pub(crate) fn file_or_text(text_or_path: String, name: &str) -> (String, String) {
    match std::fs::read_to_string(&text_or_path) {
        Ok(text) => (text_or_path, text),
        Err(_) => (name.to_owned(), text_or_path),
    }
}

/// Data handed in from Python.
pub(crate) enum Input {
    /// A path to read.
    Path(String),
    /// Batches imported from an Arrow stream.
    Batches(SchemaRef, Vec<RecordBatch>),
}

impl Input {
    pub(crate) fn from_python(data: &Bound<'_, PyAny>) -> PyResult<Self> {
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
    pub(crate) fn name(&self) -> String {
        match self {
            Self::Path(p) => p.clone(),
            Self::Batches(..) => "<arrow data>".into(),
        }
    }

    /// The whole dataset (errors name the path; run without the interpreter lock).
    pub(crate) fn dataset(self) -> Result<Dataset, String> {
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
pub(crate) fn interruptible<T: Send + 'static>(
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

pub(crate) fn threads(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        Some(0) => Err(error("threads=0: at least one thread is needed")),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

#[pymodule]
fn _seismo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("SeismoError", m.py().get_type::<SeismoError>())?;
    m.add_class::<profile::PyProfile>()?;
    m.add_function(wrap_pyfunction!(profile::profile, m)?)?;
    m.add_function(wrap_pyfunction!(drift::drift_json, m)?)?;
    m.add_function(wrap_pyfunction!(drift::drift_profiles_json, m)?)?;
    m.add_function(wrap_pyfunction!(estimate::estimate_json, m)?)?;
    m.add_function(wrap_pyfunction!(validate::validate_json, m)?)?;
    m.add_function(wrap_pyfunction!(history::history_json, m)?)?;
    m.add_function(wrap_pyfunction!(model::test_json, m)?)?;
    m.add_function(wrap_pyfunction!(model::score, m)?)?;
    m.add_function(wrap_pyfunction!(model::robust_json, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
