//! The integration tests of `seismo-cli` as one test binary: each test binary links
//! the crate and its dependencies (Arrow, Parquet, tonic), so one binary instead of
//! 7 saves that link time in every CI run.

mod common;
mod drift;
mod drift_html;
mod estimate;
mod golden;
mod history;
mod model_test;
mod profile;
mod robust;
mod score;
mod serve;
mod validate;
