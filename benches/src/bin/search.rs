//! The change-point search of `seismo history` alone, timed: reads a series of one value per
//! line (a window of one value each, as a daily KPI gives), runs `seismo_history::detect`
//! with the default options, and prints one JSON line: the best of `RUNS` times in seconds
//! and the change points found (window indices).
//!
//!     cargo run --release -p seismo-benches --bin search -- SERIES.txt [RUNS]
//!
//! `benches/scripts/history_search_speed.py` runs it beside ruptures on the same series. The
//! `seismo history` command caps a history at 20,000 windows (each holds a sketch), so
//! longer series are timed here, on the library.

use std::time::Instant;

use seismo_history::{DetectOptions, WindowStats, detect};
use seismo_stats::sketch::{Moments, QuantileSketch};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: search SERIES.txt [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let text = std::fs::read_to_string(&path)?;
    let mut windows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let value: f64 = line
            .trim()
            .parse()
            .map_err(|e| format!("{path}:{}: {e}", i + 1))?;
        let mut quantiles = QuantileSketch::default();
        quantiles.extend(&[value]);
        windows.push(WindowStats {
            start: i as i64 * 86_400_000_000,
            rows: 1,
            missing: 0,
            moments: Moments::from_slice(&[value]),
            quantiles,
        });
    }
    let mut best = f64::INFINITY;
    let mut found = Vec::new();
    for _ in 0..runs.max(1) {
        let clock = Instant::now();
        let (changes, _) = detect(&windows, &DetectOptions::default())?;
        best = best.min(clock.elapsed().as_secs_f64());
        found = changes.iter().map(|c| c.window).collect();
    }
    println!("{{\"seconds\": {best}, \"change_points\": {found:?}}}");
    Ok(())
}
