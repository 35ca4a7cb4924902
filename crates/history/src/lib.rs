#![warn(missing_docs)]
//! When did a series shift, by how much, and which release did it line up with?
//!
//! A prediction log is read once into tumbling windows of mergeable sketches
//! ([`SeriesBuilder`]); change points in the mean and the spread are searched on the window
//! series ([`detect`]); each change point gets the statistics of the segments before and
//! after it, their ratio, and the nearest event: the first sighting of a new value of a
//! `by` column (a model version) or a deployment marker ([`history`]).
//!
//! Shared by the `seismo history` command and the monitoring service. Knows nothing
//! of files or flags: it takes Arrow arrays and returns a serializable [`History`].
//!
//! ```
//! use arrow_array::{Float64Array, StringArray, TimestampSecondArray};
//! use seismo_history::{HistoryOptions, SeriesBuilder, history};
//!
//! // Hourly rows for 20 days; on day 10 version "2" multiplies the score by 100.
//! let hours = 20 * 24;
//! let times = TimestampSecondArray::from((0..hours).map(|h| h * 3600).collect::<Vec<_>>());
//! let scores = Float64Array::from(
//!     (0..hours).map(|h| (0.2 + 0.001 * (h % 24) as f64) * if h >= 240 { 100.0 } else { 1.0 }).collect::<Vec<_>>(),
//! );
//! let versions = StringArray::from((0..hours).map(|h| if h >= 240 { "2" } else { "1" }).collect::<Vec<_>>());
//! let mut builder = SeriesBuilder::new(Some("1d".parse().unwrap()));
//! builder.update(&times, &scores, Some(&versions)).unwrap();
//! let report = history(builder.finish(), Some("version"), &[], &HistoryOptions::default()).unwrap();
//! let change = &report.change_points[0];
//! assert_eq!(change.time, "1970-01-11T00:00:00Z");
//! assert!((change.log10_ratio.unwrap() - 2.0).abs() < 1e-9);
//! assert_eq!(change.attributed_to.as_ref().unwrap().label, "2");
//! ```

mod detect;
mod duration;
mod log;
mod markers;
mod report;
mod season;
mod series;

pub use detect::{Change, ChangeKind, DetectOptions, Scale, detect};
pub use duration::{ParseLengthError, WindowLength};
pub use log::{LogColumns, LogError, LogReader};
pub use markers::{Marker, parse_markers};
pub use report::{
    Attribution, ChangePoint, Event, History, HistoryOptions, HistoryReport, Segment,
    WindowSummary, history,
};
pub use series::{Series, SeriesBuilder, Sighting, WindowChoice, WindowStats, time_micros};

/// The part a column plays in a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The time of each row.
    Time,
    /// The value followed.
    Value,
    /// The column whose new values are events.
    By,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Time => "time",
            Self::Value => "value",
            Self::By => "by",
        })
    }
}

/// Why a history could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// A column has a type that cannot serve its role.
    #[error("the {role} column {message}")]
    Type {
        /// Which column.
        role: Role,
        /// What is wrong with it.
        message: String,
    },
    /// A time value that does not parse (row within the arrays given, 0-based).
    #[error("row {}: `{text}` is not a time", row + 1)]
    BadTime {
        /// The row, 0-based within the arrays passed to one update.
        row: usize,
        /// The text found there.
        text: String,
    },
    /// A fixed window so short that the data makes too many windows.
    #[error("a {window} window makes {count} windows or more; choose a longer --window")]
    TooManyWindows {
        /// The window length.
        window: WindowLength,
        /// How many windows there were when it stopped.
        count: usize,
    },
    /// A setting out of range.
    #[error("{0}")]
    Invalid(String),
    /// A marker file line that cannot be read (line 1-based).
    #[error("line {line}: {message}")]
    Marker {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Arrow could not convert a column.
    #[error(transparent)]
    Arrow(#[from] arrow_schema::ArrowError),
    /// The change-point search failed.
    #[error(transparent)]
    Stats(#[from] seismo_stats::StatsError),
}
