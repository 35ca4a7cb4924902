//! The distributions behind a drift report, for drawing: per column, both sides' shares on
//! shared bins (equal-width ranges for numbers, the most frequent categories otherwise),
//! from data or from saved profiles. Renderers draw these; they compute no statistics.

use std::collections::BTreeMap;

use seismo_core::{ColumnKind, Dataset};
use seismo_stats::distance::{Binning, align_categories, bin};
use seismo_stats::profile::Profile;

use crate::{DriftReport, Values, gather};

/// Shares of both sides on shared bins or categories: what a report draws per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// The bins the shares are over.
    pub bins: Bins,
    /// The reference's share in each bin.
    pub reference: Vec<f64>,
    /// The current data's share in each bin.
    pub current: Vec<f64>,
}

/// The bins of a [`Distribution`].
#[derive(Debug, Clone, PartialEq)]
pub enum Bins {
    /// Equal-width ranges of numbers: `n + 1` bounds for `n` bins, from the smallest value
    /// of both sides to the largest.
    Ranges(Vec<f64>),
    /// The most frequent categories of both sides together, most frequent first.
    Categories(Vec<String>),
}

/// Bins of numeric columns.
pub const BINS: usize = 24;
/// Categories drawn at most.
pub const TOP_CATEGORIES: usize = 20;

fn shares(counts: &[u64]) -> Vec<f64> {
    let total = counts.iter().sum::<u64>().max(1) as f64;
    counts.iter().map(|&c| c as f64 / total).collect()
}

/// Label counts of both sides as the `TOP_CATEGORIES` most frequent categories overall.
fn categories(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>) -> Distribution {
    let (labels, r, c) = align_categories(
        a.iter().map(|(k, &n)| (k.as_str(), n)),
        b.iter().map(|(k, &n)| (k.as_str(), n)),
    );
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&i, &j| {
        (r[j] + c[j])
            .cmp(&(r[i] + c[i]))
            .then(labels[i].cmp(&labels[j]))
    });
    order.truncate(TOP_CATEGORIES);
    let (ta, tb) = (
        r.iter().sum::<u64>().max(1) as f64,
        c.iter().sum::<u64>().max(1) as f64,
    );
    Distribution {
        bins: Bins::Categories(order.iter().map(|&i| labels[i].clone()).collect()),
        reference: order.iter().map(|&i| r[i] as f64 / ta).collect(),
        current: order.iter().map(|&i| c[i] as f64 / tb).collect(),
    }
}

/// The bounds of bins with inner `edges` from `low` to `high`.
fn ranges(edges: &[f64], low: f64, high: f64) -> Bins {
    let mut bounds = vec![low];
    bounds.extend_from_slice(edges);
    bounds.push(high);
    Bins::Ranges(bounds)
}

/// The distributions of a report's columns, from the datasets it compared.
pub fn distributions(
    report: &DriftReport,
    reference: &Dataset,
    current: &Dataset,
) -> BTreeMap<String, Distribution> {
    let mut out = BTreeMap::new();
    for c in &report.columns {
        let (Some(a), Some(b)) = (
            gather(reference, &c.column, c.kind),
            gather(current, &c.column, c.kind),
        ) else {
            continue;
        };
        let distribution = match (a, b) {
            (Values::Numbers(a), Values::Numbers(b)) => {
                let Ok(h) = bin(&a, &b, &Binning::FixedWidth { bins: BINS }) else {
                    continue;
                };
                let finite = a.iter().chain(&b).filter(|v| v.is_finite());
                let (low, high) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
                Distribution {
                    bins: ranges(&h.edges, low, high),
                    reference: shares(&h.reference),
                    current: shares(&h.current),
                }
            }
            (a, b) => categories(&a.into_labels(), &b.into_labels()),
        };
        out.insert(c.column.clone(), distribution);
    }
    out
}

/// The distributions of a report's columns, from two saved profiles (numeric columns
/// through their quantile sketches).
pub fn distributions_from_profiles(
    report: &DriftReport,
    reference: &Profile,
    current: &Profile,
) -> BTreeMap<String, Distribution> {
    let mut out = BTreeMap::new();
    for c in &report.columns {
        let (Some(r), Some(k)) = (reference.column(&c.column), current.column(&c.column)) else {
            continue;
        };
        let distribution = if c.kind == ColumnKind::Numeric {
            let (Some(rq), Some(cq)) = (&r.quantiles, &k.quantiles) else {
                continue;
            };
            let (Some((l1, h1)), Some((l2, h2))) = (rq.range(), cq.range()) else {
                continue;
            };
            let (low, high) = (l1.min(l2), h1.max(h2));
            if !(low.is_finite() && high.is_finite()) || low == high {
                continue;
            }
            let edges: Vec<f64> = (1..BINS)
                .map(|i| low + (high - low) * i as f64 / BINS as f64)
                .collect();
            let (Some(a), Some(b)) = (rq.shares(&edges), cq.shares(&edges)) else {
                continue;
            };
            Distribution {
                bins: ranges(&edges, low, high),
                reference: a,
                current: b,
            }
        } else {
            let counts = |p: &seismo_stats::profile::ColumnProfile| -> BTreeMap<String, u64> {
                p.frequent
                    .as_ref()
                    .map(|f| {
                        f.top(TOP_CATEGORIES)
                            .into_iter()
                            .map(|i| (i.value, i.count))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            categories(&counts(r), &counts(k))
        };
        out.insert(c.column.clone(), distribution);
    }
    out
}
