//! Distances between a reference and a current sample: how far apart, not whether.
//!
//! Unlike the p-values of [`crate::two_sample`], a distance does not shrink to "significant"
//! as samples grow, so it suits large samples where every test rejects trivial shifts.

mod binned;
mod wasserstein;

pub use binned::{
    Binning, EMPTY_BIN_SHARE, Histogram, align_categories, bin, hellinger, jensen_shannon,
    kl_divergence, linf, psi, total_variation,
};

pub use wasserstein::{wasserstein, wasserstein_normalized, wasserstein_sorted};
