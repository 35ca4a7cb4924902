//! Deployment markers: a small CSV of `time,label` rows (a release, a config change, a
//! migration) that change points are attributed to.

use seismo_core::parse_instant;

use crate::HistoryError;

/// One marker: something that happened at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// When, in microseconds since the Unix epoch.
    pub time: i64,
    /// What.
    pub label: String,
}

/// Reads a marker CSV. The header names a `time` and a `label` column (in any order, other
/// columns ignored); times are RFC 3339 (`2026-10-16T00:00:00Z`), or `YYYY-MM-DD HH:MM:SS`
/// or `YYYY-MM-DD` read as UTC. Fields may be double-quoted. Blank lines are skipped.
///
/// ```
/// use seismo_history::parse_markers;
///
/// let markers = parse_markers("time,label\n2026-10-16,\"release 1.5.0, canary\"\n").unwrap();
/// assert_eq!(markers[0].label, "release 1.5.0, canary");
/// assert!(parse_markers("time,label\nsoon,x\n").unwrap_err().to_string().starts_with("line 2:"));
/// ```
pub fn parse_markers(text: &str) -> Result<Vec<Marker>, HistoryError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let header = fields(header).map_err(|message| marker_error(header_line, message))?;
    let position = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                marker_error(
                    header_line,
                    format!(
                        "the header needs a `{name}` column (found: {})",
                        header.join(", ")
                    ),
                )
            })
    };
    let (time_at, label_at) = (position("time")?, position("label")?);
    let mut markers = Vec::new();
    for (i, line) in lines {
        let row = fields(line).map_err(|message| marker_error(i, message))?;
        let cell = |at: usize, name: &str| {
            row.get(at)
                .map(|s| s.trim())
                .ok_or_else(|| marker_error(i, format!("no `{name}` field")))
        };
        let text = cell(time_at, "time")?;
        let time = parse_instant(text).ok_or_else(|| {
            marker_error(
                i,
                format!("`{text}` is not a time (write 2026-10-16T00:00:00Z or 2026-10-16)"),
            )
        })?;
        markers.push(Marker {
            time,
            label: cell(label_at, "label")?.to_owned(),
        });
    }
    Ok(markers)
}

fn marker_error(index: usize, message: String) -> HistoryError {
    HistoryError::Marker {
        line: index + 1,
        message,
    }
}

/// Splits one CSV line at commas outside double quotes; `""` inside quotes is a quote.
fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let field = out.last_mut().expect("never empty");
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (',', false) => out.push(String::new()),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_in_any_order_with_quotes() {
        let text = "label,owner,time\n\n\"say \"\"hi\"\"\",ops,2026-10-16T02:00:00+02:00\nb,,2026-10-17 12:30:00\n";
        let markers = parse_markers(text).unwrap();
        assert_eq!(markers.len(), 2);
        assert_eq!(markers[0].label, "say \"hi\"");
        assert_eq!(markers[0].time, parse_instant("2026-10-16").unwrap());
        assert_eq!(
            markers[1].time - markers[0].time,
            36 * 3600 * 1_000_000 + 1_800_000_000
        );
    }

    #[test]
    fn errors_name_the_line() {
        let missing = parse_markers("when,label\n2026-10-16,a\n").unwrap_err();
        assert_eq!(
            missing.to_string(),
            "line 1: the header needs a `time` column (found: when, label)"
        );
        let open = parse_markers("time,label\n2026-10-16,\"a\n").unwrap_err();
        assert_eq!(open.to_string(), "line 2: a quoted field is not closed");
        let short = parse_markers("time,label\n\n2026-10-16\n").unwrap_err();
        assert_eq!(short.to_string(), "line 3: no `label` field");
        assert!(parse_markers("").unwrap().is_empty());
    }
}
