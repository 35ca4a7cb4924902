//! The integration tests of `seismo-stats` as one test binary: each test binary links
//! the crate and its dependencies (Arrow, Parquet, tonic), so one binary instead of
//! 4 saves that link time in every CI run.

mod alibi;
mod common;
mod nannyml;
mod online;
mod robustness;
mod scipy;
mod sketched;
