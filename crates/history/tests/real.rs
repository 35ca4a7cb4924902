//! Change points on real, human-annotated series (benches/tcpd/: files of the Turing Change
//! Point Dataset, byte-identical to TCPD's), one value per daily window as
//! `scripts/history_benchmark.py` feeds them to `seismo history`. The breaks found are
//! pinned: a change to the method that moves them must say so here, and re-run the
//! benchmark (docs/history.md).

use std::path::Path;

use arrow_array::{Float64Array, TimestampMicrosecondArray};
use seismo_history::{HistoryOptions, SeriesBuilder, history};

const DAY: i64 = 86_400_000_000;

/// The values of a TCPD series file (missing values as nulls).
fn tcpd(name: &str) -> Vec<Option<f64>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../benches/tcpd")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    file["series"][0]["raw"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64())
        .collect()
}

/// The windows (days from the first) where `seismo history --window 1d` finds changes, and
/// the kinds in words.
fn changes(name: &str) -> Vec<(usize, &'static str)> {
    let values = tcpd(name);
    let times: Vec<i64> = (0..values.len() as i64).map(|i| i * DAY).collect();
    let mut builder = SeriesBuilder::new(Some("1d".parse().unwrap()));
    builder
        .update(
            &TimestampMicrosecondArray::from(times),
            &Float64Array::from(values),
            None,
        )
        .unwrap();
    let report = history(builder.finish(), None, &[], &HistoryOptions::default()).unwrap();
    report
        .change_points
        .iter()
        .map(|c| ((c.time_micros / DAY) as usize, c.kind.as_str()))
        .collect()
}

#[test]
fn rail_lines_the_network_grows_in_1990_and_1996() {
    // World Bank rail lines (km), 1980–2016; annotators mark 10 and 25 or 26.
    assert_eq!(
        changes("rail_lines"),
        vec![(10, "mean"), (25, "mean"), (27, "mean")]
    );
}

#[test]
fn gdp_iran_revolution_and_war() {
    // Annotators mark 15 to 17, 21 or 22, and 31.
    assert_eq!(
        changes("gdp_iran"),
        vec![(16, "slope"), (22, "mean"), (30, "mean")]
    );
}

#[test]
fn gdp_croatia_the_2009_recession() {
    // Three of five annotators mark 14 (2009: GDP fell 7%); two mark nothing.
    assert_eq!(changes("gdp_croatia"), vec![(14, "mean")]);
}

#[test]
fn businv_monthly_with_a_yearly_cycle() {
    // Monthly, not seasonally adjusted: the cycle is removed; annotators mark about 119,
    // 203 and 213.
    let found: Vec<usize> = changes("businv").iter().map(|c| c.0).collect();
    assert_eq!(found, vec![118, 204, 255]);
}

#[test]
fn brent_spot_the_2008_crash_and_the_2014_fall() {
    // Brent crude, every tenth trading day from 2000; annotators mark about 219–230 (2008)
    // and 375–382 (2014).
    let found: Vec<usize> = changes("brent_spot").iter().map(|c| c.0).collect();
    assert_eq!(found, vec![54, 225, 292, 379]);
}
