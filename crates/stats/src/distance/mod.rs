//! Distances between a reference and a current sample: how far apart, not whether.
//!
//! Unlike the p-values of [`crate::two_sample`], a distance does not shrink to "significant"
//! as samples grow, so it suits large samples where every test rejects trivial shifts.

mod binned;
mod sketched;
mod wasserstein;

pub use sketched::{
    SketchEstimate, jensen_shannon_from_sketches, ks_from_sketches, psi_from_sketches,
    sketch_decile_edges, wasserstein_from_sketches,
};

pub use binned::{
    Binning, EMPTY_BIN_SHARE, Histogram, align_categories, bin, hellinger, jensen_shannon,
    jensen_shannon_from_shares, kl_divergence, linf, psi, psi_from_shares, total_variation,
};

pub use wasserstein::{wasserstein, wasserstein_normalized, wasserstein_sorted};
