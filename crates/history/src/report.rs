//! The history report: the window series, its change points with the segments around them,
//! and what each change point lines up with.

use seismo_stats::profile::format_instant_micros;
use serde::Serialize;

use crate::HistoryError;
use crate::detect::{ChangeKind, DetectOptions, Scale, detect};
use crate::duration::WindowLength;
use crate::markers::Marker;
use crate::series::{Series, WindowChoice, WindowStats};

/// How a history is built from a series.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub struct HistoryOptions {
    /// The change-point search.
    pub detect: DetectOptions,
    /// How far from a change point an event may be and still be named as its cause
    /// (default: two windows).
    pub max_gap: Option<WindowLength>,
}

/// The statistics of one window, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct WindowSummary {
    /// Where the window starts (RFC 3339, UTC).
    pub start: String,
    /// The same, in microseconds since the epoch.
    #[serde(skip)]
    pub start_micros: i64,
    /// Rows in the window.
    pub rows: u64,
    /// Rows whose value is null or NaN.
    pub nulls: u64,
    /// `nulls / rows`.
    pub null_rate: f64,
    /// Mean of the values.
    pub mean: Option<f64>,
    /// Sample standard deviation.
    pub std: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
    /// 5th percentile (from a KLL sketch: exact for small windows, else within 0.68% in rank).
    pub p05: Option<f64>,
    /// 25th percentile.
    pub p25: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 75th percentile.
    pub p75: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
}

/// The windows between two change points, pooled.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// Start of its first window.
    pub from: String,
    /// End of its last window (exclusive).
    pub to: String,
    /// Windows in it.
    pub windows: usize,
    /// Rows in it.
    pub rows: u64,
    /// Mean of its values.
    pub mean: Option<f64>,
    /// Their standard deviation.
    pub std: Option<f64>,
    /// Their median.
    pub p50: Option<f64>,
    /// Share of null or NaN values.
    pub null_rate: f64,
}

/// Something that happened: a new value of the `by` column first seen, or a marker.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// The `by` column's name, or `marker`.
    pub source: String,
    /// The value or the marker's label.
    pub label: String,
    /// When (RFC 3339).
    pub time: String,
    #[serde(skip)]
    time_micros: i64,
}

impl Event {
    /// When, in microseconds since the epoch.
    pub fn time_micros(&self) -> i64 {
        self.time_micros
    }
}

/// The event a change point is attributed to.
#[derive(Debug, Clone, Serialize)]
pub struct Attribution {
    /// The `by` column's name, or `marker`.
    pub source: String,
    /// The value or the marker's label.
    pub label: String,
    /// When it happened (RFC 3339).
    pub time: String,
    /// Seconds from the change point's time to the event (negative: the event came first).
    pub offset_seconds: f64,
}

/// One change point.
#[derive(Debug, Clone, Serialize)]
pub struct ChangePoint {
    /// Start of the first window after the change (RFC 3339).
    pub time: String,
    /// The same, in microseconds since the epoch.
    #[serde(skip)]
    pub time_micros: i64,
    /// Index of that window in `windows`.
    pub window: usize,
    /// What changed.
    pub kind: ChangeKind,
    /// The segment before.
    pub before: Segment,
    /// The segment after.
    pub after: Segment,
    /// `after.mean / before.mean` (absent when the mean before is 0).
    pub ratio: Option<f64>,
    /// `log10(ratio)`, when the ratio is positive: 2 is a hundredfold.
    pub log10_ratio: Option<f64>,
    /// `after.std / before.std`.
    pub std_ratio: Option<f64>,
    /// The nearest event within the allowed gap.
    pub attributed_to: Option<Attribution>,
}

/// A history: the window series and its change points.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// The window length.
    pub window: WindowLength,
    /// Why it is that length.
    pub window_choice: WindowChoice,
    /// The scale change points in the mean were searched on.
    pub scale: Scale,
    /// Rows read.
    pub rows: u64,
    /// Rows without a time (in no window).
    pub rows_without_time: u64,
    /// Windows with rows, in time order.
    pub windows: Vec<WindowSummary>,
    /// Change points, in time order.
    pub change_points: Vec<ChangePoint>,
    /// New `by` values and markers, in time order.
    pub events: Vec<Event>,
}

/// Builds the history of a series: change points, the segments around them, and the event
/// each lines up with. `by` names the column the series' sightings came from.
pub fn history(
    series: Series,
    by: Option<&str>,
    markers: &[Marker],
    options: &HistoryOptions,
) -> Result<History, HistoryError> {
    let (changes, scale) = detect(&series.windows, &options.detect)?;
    let length = series.window.micros();
    let events = events(&series, by, markers);
    let max_gap = options.max_gap.map_or(2 * length, WindowLength::micros);
    let mut bounds: Vec<usize> = vec![0];
    bounds.extend(changes.iter().map(|c| c.window));
    bounds.push(series.windows.len());
    let change_points = changes
        .iter()
        .enumerate()
        .map(|(k, change)| {
            let before = segment(&series.windows[bounds[k]..bounds[k + 1]], length);
            let after = segment(&series.windows[bounds[k + 1]..bounds[k + 2]], length);
            let time = series.windows[change.window].start;
            let ratio = match (before.mean, after.mean) {
                (Some(b), Some(a)) if b != 0.0 && (a / b).is_finite() => Some(a / b),
                _ => None,
            };
            let std_ratio = match (before.std, after.std) {
                (Some(b), Some(a)) if b > 0.0 && (a / b).is_finite() => Some(a / b),
                _ => None,
            };
            ChangePoint {
                time: rfc3339(time),
                time_micros: time,
                window: change.window,
                kind: change.kind,
                before,
                after,
                ratio,
                log10_ratio: ratio.filter(|r| *r > 0.0).map(f64::log10),
                std_ratio,
                attributed_to: nearest(&events, time, max_gap),
            }
        })
        .collect();
    Ok(History {
        window: series.window,
        window_choice: series.choice,
        scale,
        rows: series.rows,
        rows_without_time: series.rows_without_time,
        windows: series.windows.iter().map(summary).collect(),
        change_points,
        events,
    })
}

/// New `by` values (those first seen after the first window) and markers, by time.
fn events(series: &Series, by: Option<&str>, markers: &[Marker]) -> Vec<Event> {
    let incumbent_until = series
        .windows
        .first()
        .map_or(i64::MIN, |w| w.start + series.window.micros());
    let by = by.unwrap_or("by");
    let mut events: Vec<Event> = series
        .sightings
        .iter()
        .filter(|s| s.first >= incumbent_until)
        .map(|s| event(by, &s.label, s.first))
        .chain(markers.iter().map(|m| event("marker", &m.label, m.time)))
        .collect();
    events.sort_by_key(|e| e.time_micros);
    events
}

fn event(source: &str, label: &str, time: i64) -> Event {
    Event {
        source: source.to_owned(),
        label: label.to_owned(),
        time: rfc3339(time),
        time_micros: time,
    }
}

/// The event nearest to `time` within `max_gap`; the earlier one on a tie.
fn nearest(events: &[Event], time: i64, max_gap: i64) -> Option<Attribution> {
    events
        .iter()
        .filter(|e| e.time_micros.abs_diff(time) <= max_gap.unsigned_abs())
        .min_by_key(|e| e.time_micros.abs_diff(time))
        .map(|e| Attribution {
            source: e.source.clone(),
            label: e.label.clone(),
            time: e.time.clone(),
            offset_seconds: (e.time_micros - time) as f64 / 1e6,
        })
}

fn segment(windows: &[WindowStats], length: i64) -> Segment {
    let mut pooled = windows[0].clone();
    for w in &windows[1..] {
        pooled.merge(w);
    }
    let end = windows.last().map_or(pooled.start, |w| w.start + length);
    Segment {
        from: rfc3339(pooled.start),
        to: rfc3339(end),
        windows: windows.len(),
        rows: pooled.rows,
        mean: pooled.moments.mean(),
        std: pooled.moments.std(),
        p50: pooled.quantiles.quantile(0.5),
        null_rate: share(pooled.missing, pooled.rows),
    }
}

fn summary(window: &WindowStats) -> WindowSummary {
    let q = window
        .quantiles
        .quantiles_at(&[0.05, 0.25, 0.5, 0.75, 0.95]);
    let at = |i: usize| q.as_ref().map(|q| q[i]);
    WindowSummary {
        start: rfc3339(window.start),
        start_micros: window.start,
        rows: window.rows,
        nulls: window.missing,
        null_rate: share(window.missing, window.rows),
        mean: window.moments.mean(),
        std: window.moments.std(),
        min: window.moments.range().map(|r| r.0),
        max: window.moments.range().map(|r| r.1),
        p05: at(0),
        p25: at(1),
        p50: at(2),
        p75: at(3),
        p95: at(4),
    }
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Microseconds since the epoch as RFC 3339 in UTC (`2026-10-16T00:00:00Z`).
pub(crate) fn rfc3339(micros: i64) -> String {
    format_instant_micros(micros).unwrap_or_else(|| format!("{micros}µs"))
}

/// The history as reports show it: the inputs and columns followed, then the history (the
/// document `seismo history --format json` prints and the Python package returns).
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryReport {
    /// The inputs read.
    pub data: Vec<String>,
    /// The time column.
    pub time: String,
    /// The value column.
    pub value: String,
    /// The column whose new values are events (a model version).
    pub by: Option<String>,
    /// The history.
    #[serde(flatten)]
    pub history: History,
}
