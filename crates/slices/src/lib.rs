//! Slice-based model testing (not built yet; see issue "Slice-based model testing").
//!
//! This crate will own: suite files, slice expressions (shared with `seismo-rules`), binary,
//! multiclass and regression metrics, pass/fail thresholds with bootstrap confidence, baseline
//! comparison, fairness across groups and discovery of weak slices.
