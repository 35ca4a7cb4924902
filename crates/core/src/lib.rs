#![warn(missing_docs)]
//! The shared vocabulary of seismo.
//!
//! Every other crate speaks in these types, so they stay small and free of I/O:
//!
//! - [`Schema`], [`Column`], [`ColumnKind`] and [`ColumnRole`] say what a column *is*
//!   (numeric, categorical, ...) and what it is *for* (feature, prediction, target, ...).
//! - [`Dataset`] is a schema plus Arrow record batches, for the few places that need the
//!   whole data in memory. Streaming code passes `RecordBatch`es directly instead.
//! - [`Report`], [`Check`], [`Outcome`] and [`Severity`] are the one report model that every
//!   check in the project returns, whether it comes from drift, validation, a model test or
//!   the monitoring service. It serializes to JSON with the outcome written as lowercase words.
//!
//! ```
//! use seismo_core::{Check, Outcome, Report};
//!
//! let mut report = Report::new("example");
//! report.push(Check::new("max_null_fraction", "age", Outcome::Pass));
//! assert_eq!(report.worst_outcome(), Outcome::Pass);
//! let json = serde_json::to_string(&report).unwrap();
//! assert!(json.contains(r#""outcome":"pass""#));
//! ```

mod dataset;
mod display;
mod error;
pub mod parallel;
mod report;
mod schema;
mod time;

pub use dataset::Dataset;
pub use display::{batch_with_utc_offsets, with_utc_offsets};
pub use error::{Error, Result, UnknownWord};
pub use report::{Check, Outcome, Report, Severity};
pub use schema::{Column, ColumnKind, ColumnRole, Schema, Unsupported};
pub use time::parse_instant;
