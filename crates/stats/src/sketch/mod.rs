//! Mergeable sketches: summaries of a stream that can be combined, saved and queried.
//!
//! Each sketch has `merge`, so summaries built on separate threads, files or time windows
//! add up to the summary of all the data, and `to_bytes`/`from_bytes` (or serde) so they can
//! be stored. What each gives exactly and what approximately:
//!
//! | sketch | answers | error |
//! |---|---|---|
//! | [`Moments`] | count, mean, variance, min, max | exact up to floating-point rounding (Chan et al. merge) |
//! | [`QuantileSketch`] | quantiles, ranks, CDF | KLL with a seeded coin: rank error at most [`QuantileSketch::rank_error`] with 99% confidence |
//! | [`DistinctSketch`] | number of distinct values | HyperLogLog, lg k = 14: about 0.8% relative standard error |
//! | [`FrequentItems`] | the most frequent values and their counts | exact up to [`FrequentItems::EXACT_LIMIT`] distinct values, then the Misra–Gries sketch's bound |
//! | [`FixedHistogram`] | counts on fixed bins (for PSI and the binned distances) | exact |
//!
//! The distinct and frequent-items sketches come from the Apache DataSketches port, and their
//! bytes are the DataSketches formats. The quantile sketch is seismo's own KLL (`kll.rs`): the
//! port's KLL draws its coin from an unseeded thread-local generator, so its answers changed
//! from run to run; this one takes a seed and gives the same bytes every time.

mod distinct;
mod frequent;
mod histogram;
mod kll;
mod moments;
mod quantiles;

pub use distinct::DistinctSketch;
pub use frequent::{FrequentItems, ItemCount};
pub use histogram::FixedHistogram;
pub use moments::Moments;
pub use quantiles::QuantileSketch;

/// Serde helpers that keep non-finite floats in JSON (as the strings `"inf"`, `"-inf"`,
/// `"nan"`) and sketch bytes as base64.
pub(crate) mod serde_helpers {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) mod float {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
            if v.is_finite() {
                s.serialize_f64(*v)
            } else if v.is_nan() {
                s.serialize_str("nan")
            } else if *v > 0.0 {
                s.serialize_str("inf")
            } else {
                s.serialize_str("-inf")
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
            #[derive(Deserialize)]
            #[serde(untagged)]
            enum Repr {
                Number(f64),
                Word(String),
            }
            match Repr::deserialize(d)? {
                Repr::Number(v) => Ok(v),
                Repr::Word(w) => match w.as_str() {
                    "nan" => Ok(f64::NAN),
                    "inf" => Ok(f64::INFINITY),
                    "-inf" => Ok(f64::NEG_INFINITY),
                    _ => Err(serde::de::Error::custom(format!("not a number: `{w}`"))),
                },
            }
        }
    }

    pub(crate) fn encode(bytes: &[u8]) -> String {
        STANDARD.encode(bytes)
    }

    pub(crate) fn decode<E: serde::de::Error>(text: &str) -> Result<Vec<u8>, E> {
        STANDARD.decode(text).map_err(E::custom)
    }
}
