//! `seismo.validate`: data against a rule file.

use arrow_pyarrow::{PyArrowType, Table};
use pyo3::prelude::*;

use crate::{Input, error, file_or_text, interruptible};

/// The quarantined and the clean rows, when asked for.
type Split = Option<(PyArrowType<Table>, PyArrowType<Table>)>;

/// Data checked against a rule file, as `seismo validate`: the JSON document, whether no
/// error-severity rule failed, the HTML page, and with `split` the quarantined rows and the
/// clean rows (what `--quarantine` and `--clean` write). `rules` is a path to a rule file
/// or the TOML text itself.
#[pyfunction]
#[pyo3(signature = (data, rules, reference = None, sample = 5, threads = None, split = false))]
pub fn validate_json(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    rules: String,
    reference: Option<&Bound<'_, PyAny>>,
    sample: usize,
    threads: Option<usize>,
    split: bool,
) -> PyResult<(String, bool, String, Split)> {
    // Not a readable file: the rules themselves (a file path would not parse as TOML rules,
    // and its error says so).
    let (rules_name, text) = file_or_text(rules, "<rules>");
    let parsed = seismo_rules::Rules::parse(&rules_name, &text).map_err(error)?;
    let options = seismo_rules::ValidateOptions::new(sample, crate::threads(threads)?);
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
        let rows = if split {
            let (quarantined, clean) = validation
                .split(data.batches())
                .map_err(|e| e.to_string())?;
            let table = |batches: Vec<arrow_array::RecordBatch>| {
                // The batches' own schema: the file's may carry metadata they do not.
                let schema = batches
                    .first()
                    .map_or_else(|| data.arrow_schema().clone(), |b| b.schema());
                Table::try_new(batches, schema)
                    .map(PyArrowType)
                    .map_err(|e| e.to_string())
            };
            Some((table(quarantined)?, table(clean)?))
        } else {
            None
        };
        Ok((document.to_string(), validation.passed(), html, rows))
    })?;
    result.map_err(error)
}
