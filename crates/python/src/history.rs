//! `seismo.history`: per-window statistics of a value over time, its change points and the
//! events they line up with.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use seismo_history::{
    HistoryError, HistoryOptions, HistoryReport, Role, Scale, SeriesBuilder, WindowLength, history,
    parse_markers,
};

use crate::{Input, error, file_or_text, interruptible};

/// One input or a list of them (the log split across files or frames).
fn inputs(data: &Bound<'_, PyAny>) -> PyResult<Vec<Input>> {
    if data.is_instance_of::<PyList>() || data.is_instance_of::<PyTuple>() {
        let inputs = data
            .try_iter()?
            .map(|item| Input::from_python(&item?))
            .collect::<PyResult<Vec<_>>>()?;
        if inputs.is_empty() {
            return Err(error("data: an empty list; give at least one input"));
        }
        Ok(inputs)
    } else {
        Ok(vec![Input::from_python(data)?])
    }
}

fn length(name: &str, value: Option<String>) -> PyResult<Option<WindowLength>> {
    value
        .map(|v| {
            v.parse::<WindowLength>()
                .map_err(|e| error(format!("{name}={v:?}: {e}")))
        })
        .transpose()
}

/// The columns followed.
struct Columns {
    time: String,
    value: String,
    by: Option<String>,
}

/// One input's windows.
fn read(
    input: Input,
    columns: &Columns,
    window: Option<WindowLength>,
) -> Result<SeriesBuilder, String> {
    let name = input.name();
    let data = input.dataset()?;
    let schema = data.arrow_schema();
    let index = |column: &str, option: &str| {
        schema.index_of(column).map_err(|_| {
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            format!(
                "{name}: {option}={column:?} names no column (columns: {})",
                names.join(", ")
            )
        })
    };
    let time = index(&columns.time, "time")?;
    let value = index(&columns.value, "value")?;
    let by = columns.by.as_deref().map(|b| index(b, "by")).transpose()?;
    let mut builder = SeriesBuilder::new(window);
    let mut offset = 0;
    for batch in data.batches() {
        let by = by.map(|b| batch.column(b).as_ref());
        builder
            .update(batch.column(time), batch.column(value), by)
            .map_err(|e| match e {
                HistoryError::BadTime { row, text } => format!(
                    "{name}: row {}, column {}: `{text}` is not a time",
                    offset + row + 1,
                    columns.time
                ),
                HistoryError::Type { role, message } => {
                    let column = match role {
                        Role::Time => &columns.time,
                        Role::Value => &columns.value,
                        Role::By => columns.by.as_deref().unwrap_or_default(),
                    };
                    format!("{name}: column {column} ({role}) {message}")
                }
                other => format!("{name}: {other}"),
            })?;
        offset += batch.num_rows();
    }
    Ok(builder)
}

/// A value's history over time, as `seismo history`: the JSON document, whether there
/// are change points, and the HTML page.
#[pyfunction]
#[pyo3(signature = (
    data, time, value, by = None, markers = None, window = None, max_gap = None,
    penalty = 3.0, min_windows = 2, scale = "auto".to_owned()
))]
#[allow(clippy::too_many_arguments)]
pub fn history_json(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    time: String,
    value: String,
    by: Option<String>,
    markers: Option<String>,
    window: Option<String>,
    max_gap: Option<String>,
    penalty: f64,
    min_windows: usize,
    scale: String,
) -> PyResult<(String, bool, String)> {
    if !(penalty > 0.0 && penalty.is_finite()) {
        return Err(error(format!(
            "penalty={penalty}: a positive number is needed"
        )));
    }
    if min_windows == 0 {
        return Err(error("min_windows=0: at least 1 is needed"));
    }
    let mut options = HistoryOptions::default();
    options.detect.scale = match scale.as_str() {
        "auto" => Scale::Auto,
        "linear" => Scale::Linear,
        "log" => Scale::Log,
        other => {
            return Err(error(format!(
                "scale={other:?}: not \"auto\", \"linear\" or \"log\""
            )));
        }
    };
    options.detect.penalty = penalty;
    options.detect.min_windows = min_windows;
    options.max_gap = length("max_gap", max_gap)?;
    let window = length("window", window)?;
    let markers = match markers {
        None => Vec::new(),
        Some(markers) => {
            // A readable file, else the CSV text itself.
            let (name, text) = file_or_text(markers, "markers");
            parse_markers(&text).map_err(|e| error(format!("{name}: {e}")))?
        }
    };
    let inputs = inputs(data)?;
    let names: Vec<String> = inputs.iter().map(Input::name).collect();
    let columns = Columns { time, value, by };
    let report = interruptible(py, move || -> Result<HistoryReport, String> {
        let mut series = SeriesBuilder::new(window);
        for input in inputs {
            series
                .merge(read(input, &columns, window)?)
                .map_err(|e| e.to_string())?;
        }
        let history = history(series.finish(), columns.by.as_deref(), &markers, &options)
            .map_err(|e| e.to_string())?;
        Ok(HistoryReport {
            data: names,
            time: columns.time,
            value: columns.value,
            by: columns.by,
            history,
        })
    })?
    .map_err(error)?;
    let html = seismo_report::history::render(&report);
    Ok((
        serde_json::to_string(&report).map_err(error)?,
        !report.history.change_points.is_empty(),
        html,
    ))
}
