//! Rendering for the CLI: the text, JUnit and HTML reports of `history`, `validate`, `test`
//! and `robust`, on the shared page, chart and table helpers of `seismo-report` (which also
//! holds the drift and estimate reports the Python package renders too).
//!
//! Renderers draw what the domain crates computed (distributions, windows, checks); they
//! compute no statistics. Every page is self-contained: no network, no external assets.

pub use seismo_report::{chart, drift, escape, estimate, page, table};

pub mod history;
pub mod junit;
pub mod model_test;
pub mod robust;
pub mod validate;
