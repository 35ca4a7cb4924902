//! Online change detectors: fed one value at a time, they say when the stream's mean has
//! changed. Their state is small and serializes (serde), so a service can store it between
//! windows and resume after a restart with the same decisions.
//!
//! | detector | watches | needs a reference | reacts to |
//! |---|---|---|---|
//! | [`PageHinkley`] | cumulative deviation from the running mean | no | sustained shifts up or down |
//! | [`Cusum`] | tabular CUSUM against a target mean and σ | yes (or a warm-up) | small sustained shifts |
//! | [`Ewma`] | an exponentially weighted mean against control limits | yes (or a warm-up) | moderate shifts, with a known false-alarm rate |
//! | [`Adwin`] | all splits of an adaptive window | no | any change in mean, with a bound on false alarms (δ) |
//!
//! NaN values are ignored by every detector (they neither count nor move the state).

mod adwin;
mod charts;

pub use adwin::Adwin;
pub use charts::{Cusum, Ewma, PageHinkley};

use serde::{Deserialize, Serialize};

/// What an update found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    /// Nothing unusual.
    Stable,
    /// The mean went up.
    Up,
    /// The mean went down.
    Down,
    /// The mean changed (direction not tracked, as ADWIN).
    Change,
}

impl Signal {
    /// Whether a change was detected.
    pub fn is_change(self) -> bool {
        self != Self::Stable
    }
}

/// Any of the detectors, for code that picks one from configuration and stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "detector", rename_all = "snake_case")]
pub enum OnlineDetector {
    /// See [`PageHinkley`].
    PageHinkley(PageHinkley),
    /// See [`Cusum`].
    Cusum(Cusum),
    /// See [`Ewma`].
    Ewma(Ewma),
    /// See [`Adwin`].
    Adwin(Adwin),
}

impl OnlineDetector {
    /// Feeds one value.
    pub fn update(&mut self, x: f64) -> Signal {
        match self {
            Self::PageHinkley(d) => d.update(x),
            Self::Cusum(d) => d.update(x),
            Self::Ewma(d) => d.update(x),
            Self::Adwin(d) => d.update(x),
        }
    }
}
