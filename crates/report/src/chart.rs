//! The chart helper: a plot area inside an inline SVG, with its axes and tick labels. The
//! drift page's bars and the history page's series both draw in one.

use std::fmt::Write;

use crate::escape;

/// An SVG of `width` × `height` whose plot area leaves the given margins for ticks and
/// labels.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// The SVG's width.
    pub width: f64,
    /// The SVG's height.
    pub height: f64,
    /// Margin left of the plot area.
    pub left: f64,
    /// Margin right of it.
    pub right: f64,
    /// Margin above it.
    pub top: f64,
    /// Margin below it.
    pub bottom: f64,
}

/// Where a tick label sits relative to its point.
#[derive(Debug, Clone, Copy)]
pub enum Anchor {
    /// Its text starts at the point.
    Start,
    /// Its text is centred on the point.
    Middle,
    /// Its text ends at the point.
    End,
}

impl Frame {
    /// A frame with the same margin on every side.
    pub const fn even(width: f64, height: f64, margin: f64) -> Self {
        Self {
            width,
            height,
            left: margin,
            right: margin,
            top: margin,
            bottom: margin,
        }
    }

    /// The opening `<svg>` tag, with extra `attributes` (` id="series"`, ` role="img"`).
    pub fn open(&self, attributes: &str) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}"{attributes}>"#,
            w = self.width,
            h = self.height
        )
    }

    /// The y of the plot area's bottom edge (the x axis).
    pub fn base(&self) -> f64 {
        self.height - self.bottom
    }

    /// The plot area's width.
    pub fn inner_width(&self) -> f64 {
        self.width - self.left - self.right
    }

    /// The plot area's height.
    pub fn inner_height(&self) -> f64 {
        self.height - self.top - self.bottom
    }

    /// The x axis along the plot area's bottom.
    pub fn x_axis(&self, out: &mut String) {
        let _ = write!(
            out,
            r#"<line class="axis" x1="{}" y1="{b}" x2="{}" y2="{b}"/>"#,
            self.left,
            self.width - self.right,
            b = self.base()
        );
    }

    /// The y axis along the plot area's left edge.
    pub fn y_axis(&self, out: &mut String) {
        let _ = write!(
            out,
            r#"<line class="axis" x1="{l}" y1="{}" x2="{l}" y2="{}"/>"#,
            self.top,
            self.base(),
            l = self.left
        );
    }

    /// A tick label at (`x`, `y`).
    pub fn tick(&self, out: &mut String, x: f64, y: f64, anchor: Anchor, text: &str) {
        let anchor = match anchor {
            Anchor::Start => "",
            Anchor::Middle => r#" text-anchor="middle""#,
            Anchor::End => r#" text-anchor="end""#,
        };
        let _ = write!(
            out,
            r#"<text class="tick" x="{x:.1}" y="{y:.1}"{anchor}>{}</text>"#,
            escape(text)
        );
    }
}
