//! One pass over a log: per-window statistics of a value, and when each value of a `by`
//! column (a model version, say) first appeared.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, Float64Array, StringArray, TimestampMicrosecondArray};
use arrow_cast::{CastOptions, cast_with_options};
use arrow_schema::{DataType, TimeUnit};
use seismo_stats::sketch::{Moments, QuantileSketch};

use crate::duration::{LADDER, WindowLength};
use crate::{HistoryError, Role};

/// An automatic window keeps the span under this many windows.
const MAX_AUTO_WINDOWS: i64 = 500;
/// A fixed window may not make more than this many non-empty windows (each holds a
/// sketch of a few kilobytes).
const MAX_WINDOWS: usize = 20_000;
/// The `by` column is for releases and versions, not ids: at most this many values.
const MAX_BY_VALUES: usize = 10_000;

/// The statistics of one window. Windows merge, so partial results from several threads or
/// files combine into what one pass would give (quantiles within the sketch's bound).
#[derive(Debug, Clone)]
pub struct WindowStats {
    /// Where the window starts, in microseconds since the Unix epoch.
    pub start: i64,
    /// Rows whose time falls in the window.
    pub rows: u64,
    /// Of those, rows whose value is null or NaN.
    pub missing: u64,
    /// Count, mean, variance and range of the values.
    pub moments: Moments,
    /// The values' quantiles.
    pub quantiles: QuantileSketch,
}

impl WindowStats {
    fn new(start: i64) -> Self {
        Self {
            start,
            rows: 0,
            missing: 0,
            moments: Moments::default(),
            quantiles: QuantileSketch::default(),
        }
    }

    /// Adds another window's (or segment's) statistics.
    pub fn merge(&mut self, other: &Self) {
        self.start = self.start.min(other.start);
        self.rows += other.rows;
        self.missing += other.missing;
        self.moments.merge(&other.moments);
        self.quantiles.merge(&other.quantiles);
    }

    fn add_values(&mut self, values: &[f64]) {
        self.moments.merge(&Moments::from_slice(values));
        self.quantiles.extend(values);
    }
}

/// When one value of the `by` column was seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    /// The value, as text.
    pub label: String,
    /// The earliest time it was seen (µs since the epoch).
    pub first: i64,
    /// The latest time it was seen.
    pub last: i64,
    /// Rows with this value.
    pub rows: u64,
}

/// Why a series has the window length it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowChoice {
    /// The caller gave it (`--window`).
    Given,
    /// The data comes one row per step (a table already aggregated, a daily KPI): the
    /// windows are the steps, up to 20,000 of them.
    OneRowPerStep,
    /// The shortest length of the ladder that makes at most 500 windows.
    #[serde(rename = "at_most_500_windows")]
    AtMost500Windows,
    /// The ladder's longest length (1w): the span needs more than 500 windows even so.
    LongestOfTheLadder,
}

impl WindowChoice {
    /// Why, in a few words.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Given => "as given",
            Self::OneRowPerStep => "one row per step, as the data comes",
            Self::AtMost500Windows => "the shortest that makes at most 500 windows",
            Self::LongestOfTheLadder => "the longest automatic length; the span needs more",
        }
    }
}

/// The finished series: non-empty windows in time order, and the `by` values by first
/// sighting.
#[derive(Debug, Clone)]
pub struct Series {
    /// The window length.
    pub window: WindowLength,
    /// Why it is that length.
    pub choice: WindowChoice,
    /// Windows with at least one row, in time order.
    pub windows: Vec<WindowStats>,
    /// Values of the `by` column, earliest first (empty without one).
    pub sightings: Vec<Sighting>,
    /// Rows read.
    pub rows: u64,
    /// Rows without a time (not in any window).
    pub rows_without_time: u64,
}

/// Builds a [`Series`] from batches, one pass, in bounded memory: a sketch per window.
///
/// Without a fixed window length the builder starts at one second and moves up a ladder of
/// lengths (1s 5s 10s 30s 1m 5m 15m 30m 1h 3h 6h 12h 1d 1w), merging windows, whenever the
/// span would need more than 500 windows; each length divides the next, so this is exact.
/// Data that comes one row per step (a table already aggregated by day, say) keeps its
/// steps as windows instead, up to 20,000 of them: the length where every window holds at
/// most one row and the next length up would merge rows.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{Float64Array, TimestampSecondArray};
/// use seismo_history::{SeriesBuilder, WindowLength};
///
/// let times = TimestampSecondArray::from(vec![0, 30, 3_600, 3_700]);
/// let values = Float64Array::from(vec![1.0, 3.0, 10.0, f64::NAN]);
/// let mut builder = SeriesBuilder::new(Some("1h".parse().unwrap()));
/// builder.update(&times, &values, None).unwrap();
/// let series = builder.finish();
/// assert_eq!(series.windows.len(), 2);
/// assert_eq!(series.windows[0].moments.mean(), Some(2.0));
/// assert_eq!(series.windows[1].missing, 1);
/// ```
#[derive(Debug, Clone)]
pub struct SeriesBuilder {
    fixed: Option<WindowLength>,
    level: usize,
    windows: BTreeMap<i64, WindowStats>,
    sightings: HashMap<String, Sighting>,
    rows: u64,
    rows_without_time: u64,
}

impl SeriesBuilder {
    /// A builder with a fixed window length, or an automatic one (`None`).
    pub fn new(window: Option<WindowLength>) -> Self {
        Self {
            fixed: window,
            level: 0,
            windows: BTreeMap::new(),
            sightings: HashMap::new(),
            rows: 0,
            rows_without_time: 0,
        }
    }

    /// The current window length.
    pub fn window(&self) -> WindowLength {
        self.fixed
            .unwrap_or_else(|| WindowLength::from_seconds(LADDER[self.level]).expect("positive"))
    }

    /// Adds rows: their times, values and (optionally) `by` values, all of one length.
    ///
    /// Times may be timestamps (any unit, any time zone), dates, strings in RFC 3339 or
    /// `YYYY-MM-DD[ HH:MM:SS]` form, or numbers of seconds since the epoch. Values must be
    /// numeric or boolean. `by` may be of any type; it is compared as text.
    pub fn update(
        &mut self,
        time: &dyn Array,
        value: &dyn Array,
        by: Option<&dyn Array>,
    ) -> Result<(), HistoryError> {
        let values = numbers(value)?;
        let times = time_micros(time)?;
        let labels = by.map(labels).transpose()?;
        let times = times.as_primitive::<TimestampMicrosecondType>();
        let values = values.as_primitive::<Float64Type>();
        self.rows += times.len() as u64;
        self.rows_without_time += times.null_count() as u64;
        if let Some((low, high)) = span(times) {
            let points = || times.iter().flatten().map(|t| (t, 1)).collect::<Vec<_>>();
            self.make_room(low, high, &points)?;
        }
        let length = self.window().micros();
        // Rows of a log mostly come in time order: gather runs of one window and add them
        // to its sketches together.
        let mut run: Option<(i64, Vec<f64>, u64)> = None;
        for i in 0..times.len() {
            if times.is_null(i) {
                continue;
            }
            let index = times.value(i).div_euclid(length);
            if run.as_ref().is_none_or(|(at, _, _)| *at != index) {
                if let Some((at, buffer, missing)) = run.take() {
                    self.add_run(at, length, &buffer, missing);
                }
                run = Some((index, Vec::new(), 0));
            }
            let (_, buffer, missing) = run.as_mut().expect("just set");
            match values.is_valid(i).then(|| values.value(i)) {
                Some(v) if !v.is_nan() => buffer.push(v),
                _ => *missing += 1,
            }
        }
        if let Some((at, buffer, missing)) = run {
            self.add_run(at, length, &buffer, missing);
        }
        if self.windows.len() > MAX_WINDOWS {
            return Err(HistoryError::TooManyWindows {
                window: self.window(),
                count: self.windows.len(),
            });
        }
        if let Some(labels) = labels {
            self.sight(times, labels.as_string::<i32>());
            if self.sightings.len() > MAX_BY_VALUES {
                return Err(HistoryError::Invalid(format!(
                    "the by column has more than {MAX_BY_VALUES} distinct values; it is meant for a model version or a release, not an id"
                )));
            }
        }
        Ok(())
    }

    fn add_run(&mut self, index: i64, length: i64, values: &[f64], missing: u64) {
        let window = self
            .windows
            .entry(index)
            .or_insert_with(|| WindowStats::new(index * length));
        window.rows += values.len() as u64 + missing;
        window.missing += missing;
        window.add_values(values);
    }

    fn sight(&mut self, times: &TimestampMicrosecondArray, labels: &StringArray) {
        // Runs of one label update its sighting once.
        let mut run: Option<(&str, i64, i64, u64)> = None;
        let mut close = |run: Option<(&str, i64, i64, u64)>| {
            if let Some((label, first, last, rows)) = run {
                let entry = self
                    .sightings
                    .entry(label.to_owned())
                    .or_insert_with(|| Sighting {
                        label: label.to_owned(),
                        first,
                        last,
                        rows: 0,
                    });
                entry.first = entry.first.min(first);
                entry.last = entry.last.max(last);
                entry.rows += rows;
            }
        };
        for i in 0..times.len() {
            if times.is_null(i) || labels.is_null(i) {
                continue;
            }
            let (t, label) = (times.value(i), labels.value(i));
            match &mut run {
                Some((l, first, last, rows)) if *l == label => {
                    *first = (*first).min(t);
                    *last = (*last).max(t);
                    *rows += 1;
                }
                _ => close(run.replace((label, t, t, 1))),
            }
        }
        close(run);
    }

    /// With an automatic length, moves up the ladder until `low..=high` and the windows so
    /// far fit in the window budget, or, for data of one row per step, until the windows
    /// are the steps. `points` gives the new (time, rows) the windows are to take.
    fn make_room(
        &mut self,
        low: i64,
        high: i64,
        points: &dyn Fn() -> Vec<(i64, u64)>,
    ) -> Result<(), HistoryError> {
        if self.fixed.is_some() {
            return Ok(());
        }
        let (mut low, mut high) = (low, high);
        if let (Some(first), Some(last)) =
            (self.windows.values().next(), self.windows.values().last())
        {
            low = low.min(first.start);
            high = high.max(last.start);
        }
        let mut level = self.level;
        let mut new_points: Option<Vec<(i64, u64)>> = None;
        while level + 1 < LADDER.len() {
            let length = LADDER[level] * 1_000_000;
            let span = high.div_euclid(length) - low.div_euclid(length);
            if span < MAX_AUTO_WINDOWS {
                break;
            }
            if span < MAX_WINDOWS as i64 {
                let points = new_points.get_or_insert_with(points);
                let next = LADDER[level + 1] * 1_000_000;
                if self.one_row_each(length, points) && !self.one_row_each(next, points) {
                    break;
                }
            }
            level += 1;
        }
        self.coarsen(level);
        Ok(())
    }

    /// Whether windows of `length` would each hold at most one row, of the windows so far
    /// and the new `points`.
    fn one_row_each(&self, length: i64, points: &[(i64, u64)]) -> bool {
        let mut taken = std::collections::HashSet::new();
        let old = self.windows.values().map(|w| (w.start, w.rows));
        for (time, rows) in old.chain(points.iter().copied()) {
            if rows > 1 || !taken.insert(time.div_euclid(length)) {
                return false;
            }
        }
        true
    }

    /// Re-buckets the windows at a longer ladder length.
    fn coarsen(&mut self, level: usize) {
        if level <= self.level || self.fixed.is_some() {
            return;
        }
        self.level = level;
        let length = LADDER[level] * 1_000_000;
        let old = std::mem::take(&mut self.windows);
        for window in old.into_values() {
            let index = window.start.div_euclid(length);
            match self.windows.entry(index) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    let mut window = window;
                    window.start = index * length;
                    slot.insert(window);
                }
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    slot.get_mut().merge(&window);
                }
            }
        }
    }

    /// Adds the rows another builder has seen (from another thread or file).
    pub fn merge(&mut self, mut other: Self) -> Result<(), HistoryError> {
        if self.fixed != other.fixed {
            return Err(HistoryError::Invalid(
                "cannot merge series of different window lengths".into(),
            ));
        }
        let level = self.level.max(other.level);
        self.coarsen(level);
        other.coarsen(level);
        if let (Some(first), Some(last)) = (
            other.windows.values().next().map(|w| w.start),
            other.windows.values().last().map(|w| w.start),
        ) {
            let points = || other.windows.values().map(|w| (w.start, w.rows)).collect();
            self.make_room(first, last, &points)?;
            other.coarsen(self.level);
        }
        for (index, window) in other.windows {
            match self.windows.entry(index) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(window);
                }
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    slot.get_mut().merge(&window);
                }
            }
        }
        for (label, seen) in other.sightings {
            match self.sightings.get_mut(&label) {
                Some(mine) => {
                    mine.first = mine.first.min(seen.first);
                    mine.last = mine.last.max(seen.last);
                    mine.rows += seen.rows;
                }
                None => {
                    self.sightings.insert(label, seen);
                }
            }
        }
        self.rows += other.rows;
        self.rows_without_time += other.rows_without_time;
        Ok(())
    }

    /// The series: windows in time order, sightings by first appearance.
    pub fn finish(self) -> Series {
        let window = self.window();
        let length = window.micros();
        let span = match (self.windows.values().next(), self.windows.values().last()) {
            (Some(first), Some(last)) => {
                last.start.div_euclid(length) - first.start.div_euclid(length)
            }
            _ => 0,
        };
        let choice = if self.fixed.is_some() {
            WindowChoice::Given
        } else if span >= MAX_AUTO_WINDOWS && self.windows.values().all(|w| w.rows <= 1) {
            WindowChoice::OneRowPerStep
        } else if span >= MAX_AUTO_WINDOWS {
            WindowChoice::LongestOfTheLadder
        } else {
            WindowChoice::AtMost500Windows
        };
        let mut sightings: Vec<Sighting> = self.sightings.into_values().collect();
        sightings.sort_by(|a, b| a.first.cmp(&b.first).then_with(|| a.label.cmp(&b.label)));
        Series {
            window,
            choice,
            windows: self.windows.into_values().collect(),
            sightings,
            rows: self.rows,
            rows_without_time: self.rows_without_time,
        }
    }
}

/// The smallest and largest non-null time.
fn span(times: &TimestampMicrosecondArray) -> Option<(i64, i64)> {
    times.iter().flatten().fold(None, |acc, t| match acc {
        None => Some((t, t)),
        Some((low, high)) => Some((low.min(t), high.max(t))),
    })
}

fn safe() -> CastOptions<'static> {
    CastOptions {
        safe: true,
        ..CastOptions::default()
    }
}

/// Times as UTC microseconds (a `Timestamp(Microsecond, "+00:00")` array; nulls stay
/// null): timestamps of any unit and zone, dates, RFC 3339 or `YYYY-MM-DD[ HH:MM:SS]` text,
/// or numbers of seconds since the epoch. Strings that do not parse are errors naming the
/// row, not silently missing times.
pub fn time_micros(array: &dyn Array) -> Result<ArrayRef, HistoryError> {
    let target = DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("+00:00")));
    let data_type = array.data_type();
    let numeric = data_type.is_numeric();
    let cast_from = if numeric {
        // Seconds since the epoch.
        let seconds = cast_with_options(array, &DataType::Float64, &safe())?;
        let micros: Float64Array = seconds
            .as_primitive::<Float64Type>()
            .unary(|s| (s * 1e6).round());
        Arc::new(cast_with_options(&micros, &DataType::Int64, &safe())?) as ArrayRef
    } else {
        match data_type {
            DataType::Timestamp(..)
            | DataType::Date32
            | DataType::Date64
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Dictionary(..) => arrow_array::make_array(array.to_data()),
            other => {
                return Err(HistoryError::Type {
                    role: Role::Time,
                    message: format!("holds {other}, not timestamps, dates or epoch seconds"),
                });
            }
        }
    };
    let times =
        cast_with_options(&cast_from, &target, &safe()).map_err(|e| HistoryError::Type {
            role: Role::Time,
            message: format!("cannot be read as timestamps: {e}"),
        })?;
    if let Some(row) = (0..array.len()).find(|&i| array.is_valid(i) && times.is_null(i)) {
        let text = cast_with_options(&array.slice(row, 1), &DataType::Utf8, &safe())
            .ok()
            .and_then(|a| a.as_string_opt::<i32>().map(|s| s.value(0).to_owned()))
            .unwrap_or_default();
        return Err(HistoryError::BadTime { row, text });
    }
    Ok(times)
}

/// Values as `f64` (booleans as 0 and 1).
fn numbers(array: &dyn Array) -> Result<ArrayRef, HistoryError> {
    let data_type = array.data_type();
    let ok = data_type.is_numeric()
        || matches!(data_type, DataType::Boolean)
        || matches!(data_type, DataType::Dictionary(_, v) if v.is_numeric());
    if !ok {
        return Err(HistoryError::Type {
            role: Role::Value,
            message: format!("holds {data_type}, not numbers"),
        });
    }
    Ok(cast_with_options(array, &DataType::Float64, &safe())?)
}

/// `by` values as text.
fn labels(array: &dyn Array) -> Result<ArrayRef, HistoryError> {
    cast_with_options(array, &DataType::Utf8, &safe()).map_err(|e| HistoryError::Type {
        role: Role::By,
        message: format!("cannot be read as text: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray, TimestampMillisecondArray};

    fn build(window: Option<&str>, times: &[i64], values: &[f64]) -> Series {
        let mut builder = SeriesBuilder::new(window.map(|w| w.parse().unwrap()));
        builder
            .update(
                &TimestampMillisecondArray::from(times.to_vec()),
                &Float64Array::from(values.to_vec()),
                None,
            )
            .unwrap();
        builder.finish()
    }

    #[test]
    fn rows_fall_in_windows_aligned_to_the_epoch() {
        // 59 min, 61 min and 2 h 1 min, in ms.
        let series = build(
            Some("1h"),
            &[3_540_000, 3_660_000, 7_260_000],
            &[1.0, 2.0, 4.0],
        );
        let starts: Vec<i64> = series.windows.iter().map(|w| w.start).collect();
        assert_eq!(starts, vec![0, 3_600_000_000, 7_200_000_000]);
        assert_eq!(series.windows[1].moments.mean(), Some(2.0));
    }

    #[test]
    fn automatic_length_climbs_the_ladder_exactly() {
        // Two rows a minute for 10 days: 30m is the shortest length with at most 500 windows.
        let times: Vec<i64> = (0..28_800).map(|h| h * 30_000).collect();
        let values: Vec<f64> = (0..28_800).map(|h| (h % 7) as f64).collect();
        let series = build(None, &times, &values);
        assert_eq!(series.window.to_string(), "30m");
        assert_eq!(series.choice, WindowChoice::AtMost500Windows);
        assert_eq!(series.windows.len(), 480);
        assert!(series.windows.iter().all(|w| w.rows == 60));
        let total: f64 = series
            .windows
            .iter()
            .map(|w| w.moments.mean().unwrap() * w.rows as f64)
            .sum();
        assert!((total - values.iter().sum::<f64>()).abs() < 1e-6);
    }

    #[test]
    fn data_of_one_row_per_step_keeps_its_steps() {
        // One row a minute for 10 days (an aggregated table): 14,400 windows of 1m.
        let times: Vec<i64> = (0..14_400).map(|m| m * 60_000).collect();
        let values: Vec<f64> = (0..14_400).map(|m| (m % 7) as f64).collect();
        let series = build(None, &times, &values);
        assert_eq!(series.window.to_string(), "1m");
        assert_eq!(series.choice, WindowChoice::OneRowPerStep);
        assert_eq!(series.windows.len(), 14_400);
        // One row a day for 3,000 days, with gaps: 1d, not the 1w that 500 windows would take.
        let day = 86_400_000;
        let times: Vec<i64> = (0..3_500).filter(|d| d % 7 != 3).map(|d| d * day).collect();
        let values = vec![1.0; times.len()];
        let series = build(None, &times, &values);
        assert_eq!(series.window.to_string(), "1d");
        assert_eq!(series.choice, WindowChoice::OneRowPerStep);
        // Two rows an hour apart each week for 25 years: even weeks make more than 500 windows.
        let week = 7 * day;
        let times: Vec<i64> = (0..1_300)
            .flat_map(|w| [w * week, w * week + day / 24])
            .collect();
        let series = build(None, &times, &vec![1.0; times.len()]);
        assert_eq!(series.window.to_string(), "1w");
        assert_eq!(series.choice, WindowChoice::LongestOfTheLadder);
        // Past 20,000 steps the window budget wins again.
        let times: Vec<i64> = (0..30_000).map(|m| m * 60_000).collect();
        let series = build(None, &times, &vec![1.0; times.len()]);
        assert_eq!(series.choice, WindowChoice::AtMost500Windows);
        assert!(series.windows.len() <= 500);
    }

    #[test]
    fn merging_partial_builders_equals_one_pass() {
        let times: Vec<i64> = (0..3_000).map(|m| m * 60_000).collect();
        let values: Vec<f64> = (0..3_000).map(|m| (m * 37 % 101) as f64).collect();
        let whole = build(None, &times, &values);
        let mut a = SeriesBuilder::new(None);
        let mut b = SeriesBuilder::new(None);
        // b sees only a short span, so it stays at a finer length until merged.
        a.update(
            &TimestampMillisecondArray::from(times[..2_900].to_vec()),
            &Float64Array::from(values[..2_900].to_vec()),
            None,
        )
        .unwrap();
        b.update(
            &TimestampMillisecondArray::from(times[2_900..].to_vec()),
            &Float64Array::from(values[2_900..].to_vec()),
            None,
        )
        .unwrap();
        a.merge(b).unwrap();
        let merged = a.finish();
        assert_eq!(merged.window, whole.window);
        assert_eq!(merged.windows.len(), whole.windows.len());
        for (m, w) in merged.windows.iter().zip(&whole.windows) {
            assert_eq!((m.start, m.rows), (w.start, w.rows));
            assert!((m.moments.mean().unwrap() - w.moments.mean().unwrap()).abs() < 1e-9);
        }
    }

    #[test]
    fn missing_times_values_and_sightings_are_counted() {
        let mut builder = SeriesBuilder::new(Some("1d".parse().unwrap()));
        let times = StringArray::from(vec![
            Some("2026-10-01T10:00:00Z"),
            None,
            Some("2026-10-02 00:00:01"),
            Some("2026-10-02T00:30:00+01:00"),
        ]);
        let values = Int64Array::from(vec![Some(1), Some(2), None, Some(5)]);
        let versions = StringArray::from(vec![Some("a"), Some("a"), Some("b"), Some("b")]);
        builder.update(&times, &values, Some(&versions)).unwrap();
        let series = builder.finish();
        assert_eq!((series.rows, series.rows_without_time), (4, 1));
        // 00:30+01:00 is 23:30 UTC: still the 1st of October.
        assert_eq!(series.windows[0].rows, 2);
        assert_eq!(series.windows[1].missing, 1);
        let labels: Vec<&str> = series.sightings.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, vec!["a", "b"]);
        assert_eq!(series.sightings[1].rows, 2);
    }

    #[test]
    fn unreadable_times_name_the_row() {
        let mut builder = SeriesBuilder::new(None);
        let times = StringArray::from(vec!["2026-10-01", "yesterday"]);
        let error = builder
            .update(&times, &Float64Array::from(vec![1.0, 2.0]), None)
            .unwrap_err();
        assert_eq!(error.to_string(), "row 2: `yesterday` is not a time");
        let error = builder
            .update(&times, &StringArray::from(vec!["a", "b"]), None)
            .unwrap_err();
        assert!(error.to_string().contains("not numbers"), "{error}");
    }

    #[test]
    fn a_window_too_short_for_the_span_is_refused() {
        let mut builder = SeriesBuilder::new(Some("1s".parse().unwrap()));
        let seconds: Vec<f64> = (0..20_001).map(f64::from).collect();
        let error = builder
            .update(
                &Float64Array::from(seconds.clone()),
                &Float64Array::from(seconds),
                None,
            )
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "a 1s window makes 20001 windows or more; choose a longer --window"
        );
    }

    #[test]
    fn epoch_seconds_are_times() {
        let mut builder = SeriesBuilder::new(Some("1m".parse().unwrap()));
        builder
            .update(
                &Float64Array::from(vec![59.5, 60.0]),
                &Float64Array::from(vec![1.0, 2.0]),
                None,
            )
            .unwrap();
        let starts: Vec<i64> = builder.finish().windows.iter().map(|w| w.start).collect();
        assert_eq!(starts, vec![0, 60_000_000]);
    }
}
