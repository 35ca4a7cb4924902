//! Two-sample tests: is the current sample drawn from the reference's distribution?
//!
//! Each test takes the reference and the current sample as slices and returns a
//! [`TestResult`] with the statistic and the p-value, computed as scipy computes them (the
//! docs of each function name the scipy call it matches and what is documented to differ).
//!
//! Missing values: NaN is dropped from both samples before testing (scipy's
//! `nan_policy='omit'`); a sample left empty is an error, never a panic.

mod anderson;
mod contingency;
mod cvm;
mod energy;
mod ks;
mod location;
mod mmd;

pub use anderson::anderson_ksamp;
pub use contingency::{chi2_contingency, fisher_exact, g_test, z_test_proportions};
pub use cvm::cramer_von_mises;
pub use energy::{energy_distance, energy_test};
pub use ks::{KsMethod, ks_2samp, ks_2samp_sorted, ks_statistic_sorted};
pub use location::{
    MANN_WHITNEY_EXACT_MAX_LARGE, MANN_WHITNEY_EXACT_MAX_SMALL, mann_whitney_u, welch_t_test,
};
pub(crate) use mmd::linear_estimate;
pub use mmd::{MmdOptions, mmd_test};

use serde::{Deserialize, Serialize};

/// How a p-value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PValueMethod {
    /// From the exact null distribution.
    Exact,
    /// From an asymptotic or approximating distribution.
    Asymptotic,
    /// From a seeded permutation distribution.
    Permutation,
}

/// The outcome of a two-sample test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The test statistic.
    pub statistic: f64,
    /// The p-value under the null hypothesis that both samples share a distribution.
    pub p_value: f64,
    /// How the p-value was obtained.
    pub method: PValueMethod,
}
