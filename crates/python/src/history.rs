//! `seismo.history`: per-window statistics of a value over time, its change points and the
//! events they line up with.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use seismo_history::{
    HistoryOptions, HistoryReport, LogColumns, LogError, Scale, SeriesBuilder, WindowLength,
    history, parse_markers,
};
use seismo_io::{Format, ReadOptions, Source};

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

/// One input's windows: a file streams its batches, so memory stays bounded by windows.
fn read(
    input: Input,
    columns: &LogColumns,
    window: Option<WindowLength>,
) -> Result<SeriesBuilder, String> {
    let name = input.name();
    let located = |e: LogError| format!("{name}: {e}");
    match input {
        Input::Path(path) => {
            let source = Source::open(&path, &ReadOptions::default()).map_err(|e| e.to_string())?;
            let header_lines = (source.format() == Format::Csv).then_some(1);
            let mut reader = columns
                .reader(source.arrow_schema(), window, header_lines)
                .map_err(located)?;
            for partition in source.into_partitions(1) {
                for batch in partition {
                    reader
                        .push(&batch.map_err(|e| e.to_string())?)
                        .map_err(located)?;
                }
            }
            Ok(reader.finish())
        }
        Input::Batches(schema, batches) => {
            let mut reader = columns.reader(&schema, window, None).map_err(located)?;
            for batch in &batches {
                reader.push(batch).map_err(located)?;
            }
            Ok(reader.finish())
        }
    }
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
    let columns = LogColumns { time, value, by };
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
