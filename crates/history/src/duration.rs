//! Window lengths written the way people say them: `30s`, `15m`, `1h`, `1d`, `1w`.

use std::fmt;
use std::str::FromStr;

/// The length of a tumbling window, a whole number of seconds.
///
/// Windows are aligned to the Unix epoch (`1970-01-01T00:00:00Z`): an hourly window starts
/// on the hour, a daily one at midnight UTC, a weekly one on a Thursday.
///
/// ```
/// use seismo_history::WindowLength;
///
/// let w: WindowLength = "15m".parse().unwrap();
/// assert_eq!(w.seconds(), 900);
/// assert_eq!(w.to_string(), "15m");
/// assert_eq!("120s".parse::<WindowLength>().unwrap().to_string(), "2m");
/// assert!("15 minutes".parse::<WindowLength>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WindowLength(i64);

/// The units a length is written in, largest first.
const UNITS: [(char, i64); 5] = [
    ('w', 604_800),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

/// The lengths an automatic window is chosen from. Each divides the next, so windows of one
/// length merge exactly into windows of the next.
pub(crate) const LADDER: [i64; 14] = [
    1, 5, 10, 30, 60, 300, 900, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 604_800,
];

impl WindowLength {
    /// A length of `seconds` (> 0, and at most about 292,000 years).
    pub fn from_seconds(seconds: i64) -> Option<Self> {
        (seconds > 0 && seconds.checked_mul(1_000_000).is_some()).then_some(Self(seconds))
    }

    /// The length in seconds.
    pub fn seconds(self) -> i64 {
        self.0
    }

    /// The length in microseconds, the unit times are kept in.
    pub fn micros(self) -> i64 {
        self.0 * 1_000_000
    }
}

impl fmt::Display for WindowLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (unit, size) = UNITS
            .iter()
            .find(|(_, size)| self.0 % size == 0)
            .copied()
            .unwrap_or(('s', 1));
        write!(f, "{}{unit}", self.0 / size)
    }
}

/// A length that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a window length: write a whole number and a unit, like 30s, 15m, 1h, 1d or 1w"
)]
pub struct ParseLengthError(pub String);

impl FromStr for WindowLength {
    type Err = ParseLengthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || ParseLengthError(s.to_owned());
        let text = s.trim();
        let unit = text.chars().last().ok_or_else(error)?;
        let size = UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, size)| *size)
            .ok_or_else(error)?;
        let number = &text[..text.len() - 1];
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error());
        }
        let count: i64 = number.parse().map_err(|_| error())?;
        count
            .checked_mul(size)
            .and_then(Self::from_seconds)
            .ok_or_else(error)
    }
}

impl serde::Serialize for WindowLength {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_every_unit() {
        for (text, seconds) in [("30s", 30), ("15m", 900), ("1h", 3600), ("1d", 86_400)] {
            let w: WindowLength = text.parse().unwrap();
            assert_eq!(w.seconds(), seconds);
            assert_eq!(w.to_string(), text);
        }
        assert_eq!("2w".parse::<WindowLength>().unwrap().seconds(), 1_209_600);
        assert_eq!(" 90m ".parse::<WindowLength>().unwrap().to_string(), "90m");
        assert_eq!("3600s".parse::<WindowLength>().unwrap().to_string(), "1h");
    }

    #[test]
    fn rejects_what_is_not_a_length() {
        for bad in [
            "",
            "h",
            "0s",
            "-1h",
            "1.5h",
            "1x",
            "1 h",
            "99999999999999999999d",
        ] {
            assert!(bad.parse::<WindowLength>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ladder_steps_divide_each_other() {
        assert!(LADDER.windows(2).all(|p| p[1] % p[0] == 0));
    }
}
