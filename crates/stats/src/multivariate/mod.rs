//! Drift in the joint distribution of many features: kernels over `ndarray` matrices, a row
//! per record and a column per (already encoded) feature.
//!
//! Every feature's marginal can hold steady while their relationship moves (income and age
//! decouple after an upstream join bug); per-column tests cannot see it. These can.
//! Encoding the columns (standardising numbers, one-hot categories) is the caller's: see
//! `seismo-drift`'s multivariate module.

#[cfg(feature = "classifier")]
pub mod classifier;
pub mod mmd;
pub mod pca;

#[cfg(feature = "classifier")]
pub use classifier::{ClassifierOptions, ClassifierOutcome, domain_classifier};
pub use mmd::{MmdEstimate, MmdMatrixOptions, MmdOutcome, median_bandwidth, mmd_matrix};
pub use pca::{Pca, Rows};
