//! `seismo.profile` and the `Profile` class.

use pyo3::prelude::*;
use seismo_core::Dataset;
use seismo_io::{ReadOptions, Source};
use seismo_stats::profile::{Profile as StatsProfile, ProfileError, profile_partitions};

use crate::{Input, error, interruptible};

/// A mergeable profile of a dataset: counts, nulls, moments, quantile and distinct-count
/// sketches, frequent values. Its bytes are the format `seismo profile --save` writes.
#[pyclass(module = "seismo._seismo", name = "Profile")]
pub struct PyProfile(pub StatsProfile);

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
pub fn profile(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    threads: Option<usize>,
) -> PyResult<PyProfile> {
    let threads = crate::threads(threads)?;
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
