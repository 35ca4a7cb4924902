//! Rendering for the CLI: the text, JUnit and HTML reports of `history`, `test` and `robust`,
//! on the shared page, chart, table and JUnit helpers of `seismo-report` (which also holds
//! the drift, estimate and validation reports the Python package renders too).
//!
//! Renderers draw what the domain crates computed (distributions, windows, checks); they
//! compute no statistics. Every page is self-contained: no network, no external assets.

pub use seismo_report::{chart, drift, escape, estimate, junit, page, table, validate};

pub mod history;
pub mod model_test;
pub mod robust;
