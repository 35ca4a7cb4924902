#![warn(missing_docs)]
//! The numerical kernels of seismo.
//!
//! Plain functions and small structs over slices and Arrow arrays; nothing here reads files,
//! parses configs or holds global state, so the crate can be embedded in any service. Each
//! kernel with a scipy (or statsmodels, ruptures) counterpart is tested against it; see
//! `docs/stats.md` for what each matches, its tolerances and its edge cases.
//!
//! - [`two_sample`]: KS, χ², G, z, Fisher, Welch, Mann–Whitney, Anderson–Darling,
//!   Cramér–von Mises, energy and MMD tests.
//! - [`distance`]: Wasserstein, binning and PSI/KL/JS/Hellinger/TVD/L∞, and drift measures
//!   computed from two quantile sketches.
//! - [`correction`]: Bonferroni, Holm, Benjamini–Hochberg.
//! - [`sketch`] and [`profile`]: mergeable, serializable summaries and per-column profiles.
//! - [`online`] and [`changepoint`]: streaming detectors and offline change points.
//! - [`special`], [`sort`], [`values`], [`random`]: distributions, fast sorting, Arrow value
//!   adapters, a seeded generator.
//!
//! ```
//! use seismo_stats::two_sample::{KsMethod, ks_2samp};
//!
//! let result = ks_2samp(&[0.1, 0.4, 0.7], &[0.9, 1.2, 1.5], KsMethod::Auto).unwrap();
//! assert_eq!(result.statistic, 1.0);
//! ```

pub mod cbpe;
pub mod changepoint;
pub mod correction;
pub mod distance;
pub mod error;
pub mod multivariate;
pub mod online;
pub mod parallel;
pub mod profile;
pub mod random;
pub mod sketch;
pub mod sort;
pub mod special;
pub mod threshold;
pub mod two_sample;
pub mod values;

pub use error::StatsError;
