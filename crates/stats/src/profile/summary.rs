//! A profile turned into numbers: what `seismo profile` prints.

use seismo_core::ColumnKind;
use serde::Serialize;

use super::{ColumnProfile, Profile};
use crate::sketch::ItemCount;

/// The quantiles every summary reports, with their names.
pub const QUANTILES: [(&str, f64); 7] = [
    ("p1", 0.01),
    ("p5", 0.05),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p95", 0.95),
    ("p99", 0.99),
];

/// How many most frequent values a summary lists.
pub const TOP_VALUES: usize = 10;

/// A statistic: a number, or an instant written in RFC 3339 for datetime columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Stat {
    /// A number (`null` in JSON when not finite).
    Number(f64),
    /// An instant, for datetime columns.
    Time(String),
}

impl std::fmt::Display for Stat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(v) => write!(f, "{}", format_number(*v)),
            Self::Time(t) => f.write_str(t),
        }
    }
}

/// A number printed for people: integers without a fraction, others with up to 6
/// significant digits, huge and tiny ones in scientific notation.
pub fn format_number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let magnitude = v.abs().log10();
    if !(-4.0..15.0).contains(&magnitude) {
        return format!("{v:.5e}");
    }
    let decimals = (5 - magnitude.floor() as i32).clamp(0, 10) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// The summary of one column. Field names are documented in `docs/profile.md`.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnSummary {
    /// Column name.
    pub name: String,
    /// Column kind.
    pub kind: ColumnKind,
    /// Non-missing values: rows minus nulls minus NaN.
    pub count: u64,
    /// Null values.
    pub nulls: u64,
    /// NaN values (float columns).
    pub nan: u64,
    /// Distinct non-missing values.
    pub distinct: u64,
    /// Whether `distinct` is exact (else a HyperLogLog estimate).
    pub distinct_exact: bool,
    /// Smallest value (numeric, datetime; boolean as 0/1).
    pub min: Option<Stat>,
    /// Largest value.
    pub max: Option<Stat>,
    /// Mean (boolean: the share of `true`).
    pub mean: Option<Stat>,
    /// Sample standard deviation (ddof = 1); seconds for datetime columns.
    pub std: Option<f64>,
    /// `p1` ... `p99` from the quantile sketch (numeric and datetime).
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "as_object")]
    pub quantiles: Vec<(String, Stat)>,
    /// The rank error bound of the quantiles (normalized, 99% confidence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantile_rank_error: Option<f64>,
    /// The most frequent values (categorical, text, boolean), most frequent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top: Vec<ItemCount>,
}

/// Writes name–value pairs as a JSON object, keeping their order.
fn as_object<S: serde::Serializer>(pairs: &[(String, Stat)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (name, value) in pairs {
        map.serialize_entry(name, value)?;
    }
    map.end()
}

/// The summary of a whole profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileSummary {
    /// Rows seen.
    pub rows: u64,
    /// One summary per column, in schema order.
    pub columns: Vec<ColumnSummary>,
    /// Columns not profiled, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<seismo_core::Unsupported>,
}

impl Profile {
    /// The numbers of the profile.
    pub fn summary(&self) -> ProfileSummary {
        ProfileSummary {
            rows: self.rows,
            columns: self.columns.iter().map(ColumnProfile::summary).collect(),
            skipped: self.skipped.clone(),
        }
    }
}

impl ColumnProfile {
    /// The numbers of this column.
    pub fn summary(&self) -> ColumnSummary {
        let stat = |v: f64| match self.kind {
            ColumnKind::Datetime => Stat::Time(format_instant(v)),
            _ => Stat::Number(v),
        };
        let (distinct, distinct_exact) = self.distinct_count();
        let ordered = !matches!(self.kind, ColumnKind::Categorical | ColumnKind::Text);
        let range = self.moments.range().filter(|_| ordered);
        let quantiles = self
            .quantiles
            .as_ref()
            .filter(|q| q.count() > 0)
            .map(|q| {
                QUANTILES
                    .iter()
                    .filter_map(|&(name, p)| Some((name.to_owned(), stat(q.quantile(p)?))))
                    .collect()
            })
            .unwrap_or_default();
        ColumnSummary {
            name: self.name.clone(),
            kind: self.kind,
            count: self.rows - self.nulls - self.nan,
            nulls: self.nulls,
            nan: self.nan,
            distinct,
            distinct_exact,
            min: range.map(|r| stat(r.0)),
            max: range.map(|r| stat(r.1)),
            mean: self.moments.mean().filter(|_| ordered).map(stat),
            std: self.moments.std().filter(|_| ordered),
            quantiles,
            quantile_rank_error: self.quantiles.as_ref().map(|q| q.rank_error()),
            top: self
                .frequent
                .as_ref()
                .map(|f| f.top(TOP_VALUES))
                .unwrap_or_default(),
        }
    }
}

/// Seconds since the epoch as an RFC 3339 instant in UTC, to the microsecond when needed.
pub fn format_instant(seconds: f64) -> String {
    let micros = (seconds * 1e6).round();
    if !micros.is_finite() || micros.abs() > i64::MAX as f64 {
        return seconds.to_string();
    }
    format_instant_micros(micros as i64).unwrap_or_else(|| seconds.to_string())
}

/// Microseconds since the epoch as an RFC 3339 instant in UTC (`2026-10-16T00:00:00Z`, with
/// a fraction only when needed); `None` outside chrono's range.
pub fn format_instant_micros(micros: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_instants_read_well() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(0.123456789), "0.123457");
        assert_eq!(format_number(48333.9234), "48333.9");
        assert_eq!(format_number(102500.5), "102500");
        assert_eq!(format_number(112450.25), "112450");
        assert_eq!(format_number(1.5e-7), "1.50000e-7");
        assert_eq!(format_instant(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(format_instant(1.5), "1970-01-01T00:00:01.500Z");
    }
}
