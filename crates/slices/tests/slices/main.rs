//! The integration tests of `seismo-slices` as one test binary: each test binary links
//! the crate and its dependencies (Arrow, Parquet, tonic), so one binary instead of
//! 2 saves that link time in every CI run.

mod sklearn;
mod suites;
