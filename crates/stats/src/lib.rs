#![warn(missing_docs)]
//! The numerical kernels of seismo.
//!
//! Plain functions and small structs over slices and Arrow arrays; nothing here reads files,
//! parses configs or holds global state, so the crate can be embedded in any service.
//!
//! - [`sketch`]: mergeable, serializable summaries: moments, KLL quantiles, HyperLogLog
//!   distinct counts, frequent items.
//! - [`profile`]: a per-column profile of a dataset built from those sketches, in one pass,
//!   on as many threads as asked, mergeable and saveable.
//! - [`values`]: the adapters from Arrow's physical types to `f64` and `&str`.

pub mod changepoint;
pub mod correction;
pub mod distance;
pub mod error;
pub mod online;
pub mod profile;
pub mod random;
pub mod sketch;
pub mod sort;
pub mod special;
pub mod two_sample;
pub mod values;

pub use error::StatsError;
