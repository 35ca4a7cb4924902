//! Data-validation rules (not built yet; see issue "Data-validation rules").
//!
//! This crate will own: rule files (TOML, YAML), column rules (type, nulls, ranges, domains,
//! regex, uniqueness, monotonicity), dataset rules (row counts, duplicates, cross-column
//! expressions), statistic bounds and drift against a reference, and inference of a starting
//! rule file from a reference dataset. It returns the report model of `seismo-core`.
