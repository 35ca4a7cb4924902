//! The integration tests of `seismo-server` as one test binary: each test binary links
//! the crate and its dependencies (Arrow, Parquet, tonic), so one binary instead of
//! 3 saves that link time in every CI run.

mod common;
mod detectors;
mod loopback;
mod operations;
