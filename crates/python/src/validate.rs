//! `seismo.validate`: data against a rule file.

use pyo3::prelude::*;

use crate::{Input, error, interruptible};

/// Data checked against a rule file, as `seismo validate`: the JSON document, whether no
/// error-severity rule failed, and the HTML page. `rules` is a path to a rule file or the
/// TOML text itself.
#[pyfunction]
#[pyo3(signature = (data, rules, reference = None, sample = 5, threads = None))]
pub fn validate_json(
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
        Ok((document.to_string(), validation.passed(), html))
    })?;
    result.map_err(error)
}

