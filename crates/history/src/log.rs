//! Reading a prediction log's batches into windows, with errors that say where.
//!
//! Both front ends (the `seismo history` command and the Python package) read logs the same
//! way: find the named columns, feed each batch to a [`SeriesBuilder`], and when a time does
//! not parse, name the row (or the CSV line) in the whole input, not in the batch.

use arrow_array::RecordBatch;
use arrow_schema::Schema;

use crate::{HistoryError, Role, SeriesBuilder, WindowLength};

/// The columns a log is read by, as the user named them.
#[derive(Debug, Clone)]
pub struct LogColumns {
    /// The time of each row.
    pub time: String,
    /// The value followed.
    pub value: String,
    /// The column whose new values are events (a model version), if any.
    pub by: Option<String>,
}

/// Why a log could not be read, naming the column and, for a bad time, the row or line.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// A named column is not in the data.
    #[error("the {role} column `{name}` is not in the data (columns: {columns})")]
    NoColumn {
        /// The part it was to play.
        role: Role,
        /// The name given.
        name: String,
        /// The columns there are, comma-separated.
        columns: String,
    },
    /// A time that does not parse.
    #[error("{at}, column {column}: `{text}` is not a time")]
    BadTime {
        /// `row N` (1-based) or, for a CSV file, `line N`.
        at: String,
        /// The time column's name.
        column: String,
        /// The text found there.
        text: String,
    },
    /// A column whose type cannot play its part.
    #[error("the {role} column `{column}` {message}")]
    Type {
        /// The part.
        role: Role,
        /// The column's name.
        column: String,
        /// What is wrong with it.
        message: String,
    },
    /// Anything else (too many windows, too many `by` values).
    #[error(transparent)]
    History(HistoryError),
}

impl LogColumns {
    /// A reader of batches with `schema`: fails when a named column is missing.
    ///
    /// `header_lines` is `Some(n)` when the input is a CSV file with `n` lines before its
    /// first row, so a bad time is reported by its line; `None` reports rows.
    pub fn reader(
        &self,
        schema: &Schema,
        window: Option<WindowLength>,
        header_lines: Option<usize>,
    ) -> Result<LogReader<'_>, LogError> {
        let index = |name: &str, role: Role| {
            schema.index_of(name).map_err(|_| LogError::NoColumn {
                role,
                name: name.to_owned(),
                columns: schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        };
        Ok(LogReader {
            time: index(&self.time, Role::Time)?,
            value: index(&self.value, Role::Value)?,
            by: self.by.as_deref().map(|b| index(b, Role::By)).transpose()?,
            columns: self,
            builder: SeriesBuilder::new(window),
            rows: 0,
            header_lines,
        })
    }

    fn name(&self, role: Role) -> &str {
        match role {
            Role::Time => &self.time,
            Role::Value => &self.value,
            Role::By => self.by.as_deref().unwrap_or_default(),
        }
    }
}

/// Feeds one input's batches, in order, to a [`SeriesBuilder`].
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{Float64Array, RecordBatch, StringArray};
/// use arrow_schema::{DataType, Field, Schema};
/// use seismo_history::LogColumns;
///
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("t", DataType::Utf8, false),
///     Field::new("score", DataType::Float64, false),
/// ]));
/// let batch = |times: Vec<&str>| {
///     let scores = Float64Array::from(vec![0.5; times.len()]);
///     RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from(times)), Arc::new(scores)]).unwrap()
/// };
/// let columns = LogColumns { time: "t".into(), value: "score".into(), by: None };
/// let mut reader = columns.reader(&schema, None, None).unwrap();
/// reader.push(&batch(vec!["2026-10-01", "2026-10-02"])).unwrap();
/// let error = reader.push(&batch(vec!["2026-10-03", "soon"])).unwrap_err();
/// assert_eq!(error.to_string(), "row 4, column t: `soon` is not a time");
/// ```
#[derive(Debug, Clone)]
pub struct LogReader<'a> {
    columns: &'a LogColumns,
    time: usize,
    value: usize,
    by: Option<usize>,
    builder: SeriesBuilder,
    rows: usize,
    header_lines: Option<usize>,
}

impl LogReader<'_> {
    /// Adds the next batch of the input.
    pub fn push(&mut self, batch: &RecordBatch) -> Result<(), LogError> {
        let by = self.by.map(|b| batch.column(b).as_ref());
        self.builder
            .update(batch.column(self.time), batch.column(self.value), by)
            .map_err(|e| match e {
                HistoryError::BadTime { row, text } => {
                    let row = self.rows + row + 1;
                    LogError::BadTime {
                        at: match self.header_lines {
                            Some(header) => format!("line {}", row + header),
                            None => format!("row {row}"),
                        },
                        column: self.columns.time.clone(),
                        text,
                    }
                }
                HistoryError::Type { role, message } => LogError::Type {
                    role,
                    column: self.columns.name(role).to_owned(),
                    message,
                },
                other => LogError::History(other),
            })?;
        self.rows += batch.num_rows();
        Ok(())
    }

    /// The windows of every batch pushed.
    pub fn finish(self) -> SeriesBuilder {
        self.builder
    }
}
