//! The HTML history report: one self-contained page with the window series drawn as inline
//! SVG (the mean, a 5–95% band, change points and events on it) and tables of both.

use std::fmt::Write;

use seismo_history::{HistoryReport, Scale};
use seismo_stats::profile::{format_instant_micros, format_number};

use super::chart::{Anchor, Frame};
use super::escape;

const FRAME: Frame = Frame {
    width: 960.0,
    height: 360.0,
    left: 72.0,
    right: 16.0,
    top: 60.0,
    bottom: 36.0,
};

/// Maps times and values to the plot area; values on a log10 axis when `log`.
struct Axes {
    t0: f64,
    t1: f64,
    y0: f64,
    y1: f64,
    log: bool,
}

impl Axes {
    fn x(&self, t: f64) -> f64 {
        FRAME.left + (t - self.t0) / (self.t1 - self.t0).max(1.0) * FRAME.inner_width()
    }

    /// The y of a value, `None` when it cannot be drawn (not positive on a log axis).
    fn y(&self, v: f64) -> Option<f64> {
        let v = if self.log {
            (v > 0.0).then(|| v.log10())?
        } else {
            v
        };
        let span = (self.y1 - self.y0).max(f64::MIN_POSITIVE);
        v.is_finite()
            .then(|| FRAME.base() - (v - self.y0) / span * FRAME.inner_height())
    }

    fn label(&self, v: f64) -> String {
        format_number(if self.log { 10f64.powf(v) } else { v })
    }
}

fn svg(report: &HistoryReport) -> String {
    let h = &report.history;
    let log = h.scale == Scale::Log;
    let length = h.window.micros() as f64;
    let times: Vec<f64> = h.windows.iter().map(|w| w.start_micros as f64).collect();
    let shown = |v: f64| v.is_finite() && (!log || v > 0.0);
    let plotted: Vec<f64> = h
        .windows
        .iter()
        .flat_map(|w| [w.mean, w.p05, w.p95])
        .flatten()
        .filter(|v| shown(*v))
        .map(|v| if log { v.log10() } else { v })
        .collect();
    let (mut y0, mut y1) = plotted
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if !y0.is_finite() {
        (y0, y1) = (0.0, 1.0);
    }
    if y1 - y0 < 1e-12 {
        (y0, y1) = (y0 - 0.5, y1 + 0.5);
    }
    let pad = (y1 - y0) * 0.05;
    let axes = Axes {
        t0: times.first().copied().unwrap_or(0.0),
        t1: times.last().map_or(1.0, |t| t + length),
        y0: y0 - pad,
        y1: y1 + pad,
        log,
    };
    let mut out = FRAME.open(&format!(
        r#" id="series" data-windows="{}""#,
        h.windows.len()
    ));
    // Axes and ticks.
    FRAME.x_axis(&mut out);
    FRAME.y_axis(&mut out);
    for i in 0..=4 {
        let v = axes.y0 + (axes.y1 - axes.y0) * f64::from(i) / 4.0;
        let y = FRAME.base() - f64::from(i) / 4.0 * FRAME.inner_height();
        let x = FRAME.left - 4.0;
        FRAME.tick(&mut out, x, y + 3.0, Anchor::End, &axes.label(v));
    }
    let date_chars = if h.window.seconds() >= 86_400 { 10 } else { 16 };
    for i in 0..=5 {
        let t = axes.t0 + (axes.t1 - axes.t0) * f64::from(i) / 5.0;
        let text = format_instant_micros(t as i64).unwrap_or_default();
        let text: String = text.chars().take(date_chars).collect();
        let y = FRAME.base() + 14.0;
        FRAME.tick(
            &mut out,
            axes.x(t),
            y,
            Anchor::Middle,
            &text.replace('T', " "),
        );
    }
    // The 5–95% band, then the mean, at window centres.
    let centre = |i: usize| axes.x(times[i] + length / 2.0);
    let upper: Vec<String> = (0..h.windows.len())
        .filter_map(|i| {
            Some(format!(
                "{:.1},{:.1}",
                centre(i),
                axes.y(h.windows[i].p95?)?
            ))
        })
        .collect();
    let lower: Vec<String> = (0..h.windows.len())
        .rev()
        .filter_map(|i| {
            Some(format!(
                "{:.1},{:.1}",
                centre(i),
                axes.y(h.windows[i].p05?)?
            ))
        })
        .collect();
    if !upper.is_empty() && !lower.is_empty() {
        let _ = write!(
            out,
            r#"<polygon class="band" points="{} {}"/>"#,
            upper.join(" "),
            lower.join(" ")
        );
    }
    let mean: Vec<String> = (0..h.windows.len())
        .filter_map(|i| {
            Some(format!(
                "{:.1},{:.1}",
                centre(i),
                axes.y(h.windows[i].mean?)?
            ))
        })
        .collect();
    let _ = write!(
        out,
        r#"<polyline class="mean" points="{}"/>"#,
        mean.join(" ")
    );
    // Events (grey, labelled at the top) and change points (red).
    let inside = h
        .events
        .iter()
        .filter(|e| (axes.t0..=axes.t1).contains(&(e.time_micros() as f64)));
    for (k, e) in inside.enumerate() {
        let x = axes.x(e.time_micros() as f64);
        let _ = write!(
            out,
            r#"<line class="event" x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}"><title>{}</title></line><text class="event-label" x="{:.1}" y="{}">{}</text>"#,
            FRAME.top,
            FRAME.base(),
            escape(&format!("{} {} at {}", e.source, e.label, e.time)),
            x + 3.0,
            FRAME.top - 6.0 - 12.0 * (k % 3) as f64,
            escape(&e.label)
        );
    }
    for c in &h.change_points {
        let x = axes.x(c.time_micros as f64);
        let title = format!(
            "{}: {} change, mean {} → {}",
            c.time,
            c.kind.as_str(),
            c.before.mean.map_or("–".into(), format_number),
            c.after.mean.map_or("–".into(), format_number)
        );
        let _ = write!(
            out,
            r#"<line class="change" x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}"><title>{}</title></line>"#,
            FRAME.top,
            FRAME.base(),
            escape(&title)
        );
    }
    out.push_str("</svg>");
    out
}

/// The whole page.
pub fn render(report: &HistoryReport) -> String {
    let h = &report.history;
    let mut page = String::new();
    let _ = write!(
        page,
        "<h1>History of <code>{}</code></h1>\n<p id=\"summary\">{} rows from <code>{}</code> in {} windows of {} ({}) by <code>{}</code>; means compared on a {} scale. {} change point(s).</p>\n",
        escape(&report.value),
        h.rows,
        escape(&report.data.join(", ")),
        h.windows.len(),
        h.window,
        h.window_choice.reason(),
        escape(&report.time),
        if h.scale == Scale::Log {
            "log"
        } else {
            "linear"
        },
        h.change_points.len()
    );
    page.push_str(
        "<p class=\"legend lines\"><span style=\"background:#3b6fb6\"></span>window mean \
         <span style=\"background:#3b6fb6;opacity:.3;height:.8em\"></span>5–95% of values \
         <span style=\"background:#c0392b\"></span>change point \
         <span style=\"background:#777\"></span>event</p>\n",
    );
    page.push_str(&svg(report));
    page.push_str("\n<h2>Change points</h2>\n");
    if h.change_points.is_empty() {
        page.push_str("<p>None: the mean and the spread held steady.</p>\n");
    } else {
        page.push_str("<table id=\"changes\"><thead><tr><th>time</th><th>change</th><th>mean before</th><th>mean after</th><th>ratio</th><th>log10</th><th>std ratio</th><th>attributed to</th></tr></thead><tbody>\n");
        let num = |v: Option<f64>| v.map_or("–".into(), format_number);
        for c in &h.change_points {
            let cause = c.attributed_to.as_ref().map_or("–".into(), |a| {
                format!(
                    "{} <b>{}</b> at {}",
                    escape(&a.source),
                    escape(&a.label),
                    escape(&a.time)
                )
            });
            let _ = writeln!(
                page,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{cause}</td></tr>",
                escape(&c.time),
                c.kind.as_str(),
                num(c.before.mean),
                num(c.after.mean),
                num(c.ratio),
                c.log10_ratio.map_or("–".into(), |l| format!("{l:+.2}")),
                num(c.std_ratio),
            );
        }
        page.push_str("</tbody></table>\n");
    }
    if !h.events.is_empty() {
        page.push_str("<h2>Events</h2>\n<table id=\"events\"><thead><tr><th>time</th><th>source</th><th>label</th></tr></thead><tbody>\n");
        for e in &h.events {
            let _ = writeln!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&e.time),
                escape(&e.source),
                escape(&e.label)
            );
        }
        page.push_str("</tbody></table>\n");
    }
    super::page("seismo history", &page)
}
