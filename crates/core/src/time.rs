//! Reading instants written by people: in rule expressions, marker files and flags.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// An instant as microseconds since the Unix epoch (UTC): RFC 3339 with its offset
/// (`2026-10-16T02:00:00+02:00`), or a date-time or date without one, read as UTC
/// (`2026-10-16 00:00:00`, `2026-10-16T00:00`, `2026-10-16`). `None` for anything else.
///
/// ```
/// use seismo_core::parse_instant;
///
/// assert_eq!(parse_instant("1970-01-02"), Some(86_400_000_000));
/// assert_eq!(parse_instant("1970-01-01T01:00:00+01:00"), Some(0));
/// assert_eq!(parse_instant("1970-01-01 00:00:01.5"), Some(1_500_000));
/// assert_eq!(parse_instant("yesterday"), None);
/// ```
pub fn parse_instant(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_micros());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc().timestamp_micros());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_micros())
}
