#![warn(missing_docs)]
//! Row expressions: SQL-like conditions over the columns of Arrow record batches, for
//! validation rules (`discount <= price`, a rule's `where`) and for slices
//! (`age >= 60 and country in ('DE', 'FR')`).
//!
//! The grammar is SQL's expression grammar, parsed by `sqlparser`: comparisons
//! (`= != <> < <= > >=`), `and`, `or`, `not`, `in (...)`, `between ... and ...`,
//! `is [not] null`, arithmetic (`+ - * / %`, unary `-`) on numbers, parentheses, strings in
//! single quotes, column names bare or in double quotes (`"unit price"`), `true`, `false`
//! and `null`. Keywords are case-insensitive.
//!
//! An expression is compiled once against a schema ([`Predicate::compile`]), which checks
//! that every column exists and that types fit (text is compared with text, numbers with
//! numbers, times with times or with RFC 3339 strings), and is then evaluated batch by batch
//! with Arrow's kernels ([`Predicate::evaluate`]).
//!
//! Missing values follow SQL: a comparison with a null is null (unknown), `and`/`or` use
//! three-valued logic, and `is null` is never null. NaN counts as null, as everywhere in
//! seismo: it is not a number a condition could hold for.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Float64Array, RecordBatch, StringArray};
//! use seismo_expr::Predicate;
//!
//! let batch = RecordBatch::try_from_iter([
//!     ("price", Arc::new(Float64Array::from(vec![10.0, 5.0, 8.0])) as _),
//!     ("discount", Arc::new(Float64Array::from(vec![1.0, 6.0, 8.0])) as _),
//!     ("country", Arc::new(StringArray::from(vec!["DE", "FR", "US"])) as _),
//! ]).unwrap();
//! let held = Predicate::compile("discount <= price and country in ('DE', 'US')", &batch.schema())
//!     .unwrap()
//!     .evaluate(&batch)
//!     .unwrap();
//! assert_eq!(held.iter().collect::<Vec<_>>(), vec![Some(true), Some(false), Some(true)]);
//!
//! let error = Predicate::compile("discount <= prise", &batch.schema()).unwrap_err();
//! assert_eq!(error.to_string(), "column 13: no column `prise` (did you mean `price`?)");
//! ```

mod compile;
mod eval;

use arrow_array::{Array, BooleanArray, RecordBatch};
use arrow_buffer::BooleanBuffer;
use arrow_schema::Schema;

use compile::Node;
pub use compile::{Type, unknown_column};

/// Where in an expression something is: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The line, 1 for one-line expressions.
    pub line: usize,
    /// The column.
    pub column: usize,
}

/// An expression that cannot be compiled or evaluated, with where in it the problem is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", position.map(|p| if p.line > 1 { format!("line {}, column {}: ", p.line, p.column) } else { format!("column {}: ", p.column) }).unwrap_or_default())]
#[non_exhaustive]
pub struct ExprError {
    /// Where, when known.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
}

impl ExprError {
    pub(crate) fn at(position: Option<Position>, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }
}

/// A compiled condition: true, false or null (unknown) for each row.
#[derive(Debug, Clone)]
pub struct Predicate {
    text: String,
    root: Node,
    columns: Vec<String>,
}

impl Predicate {
    /// Parses `text` and checks it against `schema`: the columns exist, the types fit, and
    /// the whole is a condition (not, say, a number).
    pub fn compile(text: &str, schema: &Schema) -> Result<Self, ExprError> {
        let (root, columns) = compile::compile(text, schema)?;
        if root.ty() != Type::Boolean && root.ty() != Type::Null {
            return Err(ExprError::at(
                Some(Position { line: 1, column: 1 }),
                format!(
                    "`{text}` is a {}, not a condition; compare it, as in `{text} > 0`",
                    root.ty()
                ),
            ));
        }
        Ok(Self {
            text: text.to_owned(),
            root,
            columns,
        })
    }

    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The columns it reads, in order of first mention.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The condition on every row of `batch`, which must have the columns (by name) and
    /// types of the schema it was compiled against.
    pub fn evaluate(&self, batch: &RecordBatch) -> Result<BooleanArray, ExprError> {
        eval::evaluate_condition(&self.root, batch)
    }

    /// The rows of `batch` where the condition holds: `true`, not `false` or unknown (what
    /// a `where` selects).
    pub fn holds(&self, batch: &RecordBatch) -> Result<BooleanBuffer, ExprError> {
        let result = self.evaluate(batch)?;
        Ok(match result.nulls() {
            Some(valid) => result.values() & valid.inner(),
            None => result.values().clone(),
        })
    }
}
