//! CSV specifics: schema inference on a head of rows, type overrides, readable errors.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use arrow_csv::reader::Format as CsvFormat;
use arrow_schema::{ArrowError, DataType, Field, Schema as ArrowSchema, TimeUnit};
use regex::Regex;
use seismo_core::ColumnKind;

use crate::error::ReadError;

/// Cells that mean "missing", as pandas reads them by default (a subset that is unambiguous).
const NULL_CELLS: &str = r"^(|NA|N/A|NaN|nan|null|NULL|None)$";

pub(crate) fn csv_format(delimiter: u8, has_header: bool) -> CsvFormat {
    CsvFormat::default()
        .with_header(has_header)
        .with_delimiter(delimiter)
        .with_null_regex(Regex::new(NULL_CELLS).expect("the null pattern is valid"))
}

/// Infers the Arrow schema from the first rows. When `saw_everything` is false the rows were
/// a sample, so integer columns are widened to `Float64`: a later `1.5` must not fail the read.
pub(crate) fn infer_schema(
    path: &Path,
    head: &[u8],
    format: &CsvFormat,
    saw_everything: bool,
) -> Result<ArrowSchema, ReadError> {
    let (schema, _) = format
        .infer_schema(head, None)
        .map_err(|e| csv_error(path, e, None, false))?;
    if schema.fields().is_empty() {
        return Err(ReadError::Empty {
            path: path.to_owned(),
        });
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let data_type = match f.data_type() {
                DataType::Int64 if !saw_everything => DataType::Float64,
                // A column with no value in the sample: read it as text rather than fail later.
                DataType::Null => DataType::Utf8,
                other => other.clone(),
            };
            Field::new(f.name(), data_type, true)
        })
        .collect();
    Ok(ArrowSchema::new(fields))
}

/// The Arrow type a CSV column is parsed as when the user says its kind.
pub(crate) fn arrow_type_for(kind: ColumnKind) -> DataType {
    match kind {
        ColumnKind::Numeric => DataType::Float64,
        ColumnKind::Categorical | ColumnKind::Text => DataType::Utf8,
        ColumnKind::Boolean => DataType::Boolean,
        ColumnKind::Datetime => DataType::Timestamp(TimeUnit::Microsecond, None),
    }
}

/// Turns an arrow error into one that names the file and, for CSV, the file line and the
/// column name. `csv_data` is true for errors from decoding CSV records.
pub(crate) fn csv_error(
    path: &Path,
    error: ArrowError,
    schema: Option<&ArrowSchema>,
    csv_data: bool,
) -> ReadError {
    static COLUMN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"column (\d+)").expect("the column pattern is valid"));
    static VALUE_LINE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"at line (\d+)\.").expect("the line pattern is valid"));
    let mut message = match error {
        ArrowError::CsvError(m) | ArrowError::ParseError(m) => m,
        ArrowError::ExternalError(e) => e.to_string(),
        other => other.to_string(),
    };
    // arrow-csv numbers a value error by its 0-based line; editors count from 1.
    if let Some(found) = VALUE_LINE.captures(&message).filter(|_| csv_data) {
        let line = found[1].parse::<usize>().unwrap_or(0) + 1;
        message = VALUE_LINE
            .replace(&message, format!("at line {line}."))
            .into_owned();
    }
    let name = schema.and_then(|schema| {
        let index: usize = COLUMN.captures(&message)?.get(1)?.as_str().parse().ok()?;
        Some(schema.fields().get(index)?.name().clone())
    });
    if let Some(name) = name {
        message.push_str(&format!(" (column `{name}`)"));
    }
    ReadError::invalid(path, message)
}

/// Reads up to `rows + 1` lines (a header and `rows` records; all when `rows` is 0).
/// Returns the bytes and whether the input ended within them.
pub(crate) fn read_head(
    path: &Path,
    reader: &mut dyn std::io::BufRead,
    rows: usize,
) -> Result<(Vec<u8>, bool), ReadError> {
    let mut head = Vec::new();
    if rows == 0 {
        reader
            .read_to_end(&mut head)
            .map_err(|e| ReadError::io(path, e))?;
        return Ok((head, true));
    }
    for _ in 0..=rows {
        let n = reader
            .read_until(b'\n', &mut head)
            .map_err(|e| ReadError::io(path, e))?;
        if n == 0 {
            return Ok((head, true));
        }
    }
    // One more probe tells whether the head happened to be everything.
    let at_end = reader
        .fill_buf()
        .map_err(|e| ReadError::io(path, e))?
        .is_empty();
    Ok((head, at_end))
}

/// Applies the user's type overrides to an inferred CSV schema.
pub(crate) fn apply_overrides(
    path: &Path,
    schema: ArrowSchema,
    types: &[(String, ColumnKind)],
) -> Result<Arc<ArrowSchema>, ReadError> {
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for (column, kind) in types {
        let field = fields
            .iter_mut()
            .find(|f| f.name() == column)
            .ok_or_else(|| ReadError::UnknownColumn {
                path: path.to_owned(),
                column: column.clone(),
            })?;
        *field = Field::new(column, arrow_type_for(*kind), true);
    }
    Ok(Arc::new(ArrowSchema::new(fields)))
}

/// Wraps a reader to count the bytes that went through it, for progress reporting.
pub(crate) struct Counting<R> {
    pub(crate) inner: R,
    pub(crate) count: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}
