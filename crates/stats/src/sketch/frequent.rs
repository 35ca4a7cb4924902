//! The most frequent values of a stream and their counts.

use std::collections::HashMap;

use datasketches::frequencies::{ErrorType, FrequentItemsSketch};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::serde_helpers;
use crate::error::StatsError;

/// A value and how often it occurred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCount {
    /// The value.
    pub value: String,
    /// Its count: exact while [`FrequentItems::is_exact`], else the sketch's estimate, which is
    /// within [`FrequentItems::max_error`] of the truth.
    pub count: u64,
}

/// Value counts that are exact for up to [`EXACT_LIMIT`](Self::EXACT_LIMIT) distinct values
/// (the common case for categorical columns) and fall back to the Misra–Gries frequent-items
/// sketch of DataSketches beyond that, so memory stays bounded for free text.
///
/// ```
/// use seismo_stats::sketch::FrequentItems;
///
/// let mut f = FrequentItems::default();
/// for v in ["DE", "FR", "DE", "NL", "DE"] {
///     f.update(v, 1);
/// }
/// let top = f.top(2);
/// assert_eq!((top[0].value.as_str(), top[0].count), ("DE", 3));
/// assert_eq!(f.exact_distinct(), Some(3));
/// ```
#[derive(Debug, Clone)]
pub struct FrequentItems {
    state: State,
    total: u64,
}

#[derive(Debug, Clone)]
enum State {
    Exact(HashMap<Box<str>, u64>),
    Sketch(FrequentItemsSketch<String>),
}

impl Default for FrequentItems {
    fn default() -> Self {
        Self {
            state: State::Exact(HashMap::new()),
            total: 0,
        }
    }
}

impl FrequentItems {
    /// The number of distinct values counted exactly before switching to the sketch.
    pub const EXACT_LIMIT: usize = 10_000;
    /// The sketch's map size once it switches (error at most total count × 3.5 / 4096).
    const SKETCH_MAP_SIZE: usize = 4096;

    /// Adds `count` occurrences of `value`.
    pub fn update(&mut self, value: &str, count: u64) {
        self.total += count;
        self.add(value, count);
    }

    /// Counts `value` without touching the total.
    fn add(&mut self, value: &str, count: u64) {
        match &mut self.state {
            State::Exact(map) => {
                if let Some(c) = map.get_mut(value) {
                    *c += count;
                } else {
                    map.insert(value.into(), count);
                    if map.len() > Self::EXACT_LIMIT {
                        self.switch_to_sketch();
                    }
                }
            }
            State::Sketch(sketch) => sketch.update_with_count_ref(value, count),
        }
    }

    fn switch_to_sketch(&mut self) {
        if let State::Exact(map) = &self.state {
            let mut sketch = FrequentItemsSketch::new(Self::SKETCH_MAP_SIZE)
                .expect("the map size is a valid power of two");
            for (value, &count) in map {
                sketch.update_with_count_ref(value.as_ref(), count);
            }
            self.state = State::Sketch(sketch);
        }
    }

    /// Adds another stream's counts.
    pub fn merge(&mut self, other: &Self) {
        match &other.state {
            State::Exact(map) => {
                for (value, &count) in map {
                    self.add(value, count);
                }
                self.total += other.total;
            }
            State::Sketch(theirs) => {
                self.switch_to_sketch();
                if let State::Sketch(ours) = &mut self.state {
                    ours.merge(theirs);
                }
                self.total += other.total;
            }
        }
    }

    /// Whether the counts are exact.
    pub fn is_exact(&self) -> bool {
        matches!(self.state, State::Exact(_))
    }

    /// The number of distinct values, when the counts are exact.
    pub fn exact_distinct(&self) -> Option<u64> {
        match &self.state {
            State::Exact(map) => Some(map.len() as u64),
            State::Sketch(_) => None,
        }
    }

    /// The largest possible error of a count (0 while exact).
    pub fn max_error(&self) -> u64 {
        match &self.state {
            State::Exact(_) => 0,
            State::Sketch(s) => s.maximum_error(),
        }
    }

    /// The total count of all values.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The `n` most frequent values, most frequent first; ties broken by value so the order
    /// is stable.
    pub fn top(&self, n: usize) -> Vec<ItemCount> {
        let mut items: Vec<ItemCount> = match &self.state {
            State::Exact(map) => map
                .iter()
                .map(|(v, &c)| ItemCount {
                    value: v.to_string(),
                    count: c,
                })
                .collect(),
            State::Sketch(s) => s
                .frequent_items(ErrorType::NoFalseNegatives)
                .into_iter()
                .map(|row| ItemCount {
                    value: row.item().clone(),
                    count: row.estimate(),
                })
                .collect(),
        };
        items.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        items.truncate(n);
        items
    }

    /// All exact counts, or `None` once the sketch took over.
    pub fn exact_counts(&self) -> Option<&HashMap<Box<str>, u64>> {
        match &self.state {
            State::Exact(map) => Some(map),
            State::Sketch(_) => None,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Repr {
    Exact {
        total: u64,
        counts: Vec<(String, u64)>,
    },
    Sketch {
        total: u64,
        bytes: String,
    },
}

impl Serialize for FrequentItems {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.state {
            State::Exact(map) => {
                let mut counts: Vec<(String, u64)> =
                    map.iter().map(|(v, &c)| (v.to_string(), c)).collect();
                counts.sort();
                Repr::Exact {
                    total: self.total,
                    counts,
                }
            }
            State::Sketch(sketch) => Repr::Sketch {
                total: self.total,
                bytes: serde_helpers::encode(&sketch.serialize()),
            },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for FrequentItems {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Repr::deserialize(d)? {
            Repr::Exact { total, counts } => Self {
                state: State::Exact(counts.into_iter().map(|(v, c)| (v.into(), c)).collect()),
                total,
            },
            Repr::Sketch { total, bytes } => {
                let bytes = serde_helpers::decode(&bytes)?;
                let sketch = FrequentItemsSketch::<String>::deserialize(&bytes)
                    .map_err(|e| StatsError::Sketch(format!("frequent items: {e}")))
                    .map_err(serde::de::Error::custom)?;
                Self {
                    state: State::Sketch(sketch),
                    total,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_to_the_sketch_and_keeps_heavy_hitters() {
        let mut f = FrequentItems::default();
        for i in 0..(FrequentItems::EXACT_LIMIT as u64 + 5000) {
            f.update(&format!("v{i}"), 1);
            f.update("heavy", 3);
        }
        assert!(!f.is_exact());
        let top = f.top(1);
        assert_eq!(top[0].value, "heavy");
        let truth = 3 * (FrequentItems::EXACT_LIMIT as u64 + 5000);
        assert!(top[0].count.abs_diff(truth) <= f.max_error());
        let json = serde_json::to_string(&f).unwrap();
        let back: FrequentItems = serde_json::from_str(&json).unwrap();
        assert_eq!(back.top(1)[0].value, "heavy");
        assert_eq!(back.total(), f.total());
    }

    #[test]
    fn exact_merge_adds_counts() {
        let mut a = FrequentItems::default();
        a.update("x", 2);
        let mut b = FrequentItems::default();
        b.update("x", 1);
        b.update("y", 4);
        a.merge(&b);
        assert_eq!(a.total(), 7);
        assert_eq!(
            a.top(5),
            vec![
                ItemCount {
                    value: "y".into(),
                    count: 4
                },
                ItemCount {
                    value: "x".into(),
                    count: 3
                }
            ]
        );
        let back: FrequentItems =
            serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back.top(5), a.top(5));
    }
}
