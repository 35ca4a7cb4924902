//! A KLL quantile sketch whose coin is seeded: the same values, merges and seed give the same
//! sketch, bit for bit, on every run and machine.
//!
//! Why seismo has its own: the Apache DataSketches port draws KLL's compaction coin from a
//! thread-local generator seeded from the operating system, with no way to seed it, so two
//! profiles of one file differed in every quantile. Users diff reports and re-run to check a
//! finding; both need the same answer. The algorithm is the one DataSketches implements
//! (Karnin, Lang and Liberty 2016, with lazy compaction): level `h` holds items of weight
//! `2^h`, level capacities shrink by 2/3 from the top (at least 8 items), and when the sketch
//! is over its total capacity the lowest full level is sorted and every other item, from a
//! random offset, is promoted to the next level. So DataSketches' rank-error constants hold.

use crate::error::StatsError;
use crate::random::SplitMix64;
use crate::sort::{canonical, key, unkey};

/// The smallest level capacity.
const MIN_CAPACITY: usize = 8;
/// Tag and version of the byte format.
const MAGIC: &[u8; 4] = b"SKL1";

/// The sketch. Level 0 is unsorted (appends); every other level is sorted ascending.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Kll {
    k: u16,
    n: u64,
    min: f64,
    max: f64,
    levels: Vec<Vec<f64>>,
    /// The SplitMix64 state the next coin is drawn from.
    coin: u64,
    /// Items held (the levels' lengths summed) and the most the levels may hold: kept so an
    /// update costs a push and a comparison.
    retained: usize,
    capacity: usize,
}

/// `ceil(k · (2/3)^depth)`, at least [`MIN_CAPACITY`], in integers (no `powf`, so every
/// platform agrees).
fn capacity(k: u16, depth: usize) -> usize {
    if depth > 60 {
        return MIN_CAPACITY;
    }
    let (num, den) = (
        u128::from(k) << depth,
        3u128.pow(u32::try_from(depth).unwrap_or(60)),
    );
    (num.div_ceil(den) as usize).max(MIN_CAPACITY)
}

/// Sorts level 0 (canonical values, no NaN) as order-preserving integer keys: the same
/// order and bits as sorting by `f64::total_cmp`, in a third of the time, as comparing
/// integers is one instruction.
fn sort_level(level: &mut [f64]) {
    let mut keys: Vec<u64> = level.iter().map(|&v| key(v)).collect();
    keys.sort_unstable();
    level
        .iter_mut()
        .zip(&keys)
        .for_each(|(v, &k)| *v = unkey(k));
}

/// Merges the sorted run `src` into the sorted `dst`, in place from the back.
///
/// `dst` grows by exactly what it takes, not by doubling: the merge moves every item of `dst`
/// anyway, so a reallocation adds no more than a constant to it, and a sketch kept per window
/// of a long log (thousands at once) does not carry up to twice its items in spare room.
fn merge_into(dst: &mut Vec<f64>, src: &[f64]) {
    let (mut i, mut j) = (dst.len(), src.len());
    dst.reserve_exact(j);
    dst.resize(i + j, 0.0);
    while j > 0 {
        let k = i + j - 1;
        if i > 0 && dst[i - 1] > src[j - 1] {
            dst[k] = dst[i - 1];
            i -= 1;
        } else {
            dst[k] = src[j - 1];
            j -= 1;
        }
    }
}

impl Kll {
    /// An empty sketch with accuracy `k` whose coin starts from `seed`.
    pub(crate) fn new(k: u16, seed: u64) -> Self {
        let k = k.max(8);
        Self {
            k,
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            levels: vec![Vec::new()],
            coin: seed,
            retained: 0,
            capacity: capacity(k, 0),
        }
    }

    pub(crate) fn k(&self) -> u16 {
        self.k
    }

    pub(crate) fn count(&self) -> u64 {
        self.n
    }

    pub(crate) fn range(&self) -> Option<(f64, f64)> {
        (self.n > 0).then_some((self.min, self.max))
    }

    /// Recounts `retained` and `capacity` after the levels changed shape.
    fn recount(&mut self) {
        let top = self.levels.len() - 1;
        self.retained = self.levels.iter().map(Vec::len).sum();
        self.capacity = (0..=top).map(|h| capacity(self.k, top - h)).sum();
    }

    fn level_capacity(&self, h: usize) -> usize {
        capacity(self.k, self.levels.len() - 1 - h)
    }

    /// Adds a value; NaN is ignored and `-0.0` counts as `0.0`.
    pub(crate) fn update(&mut self, value: f64) {
        if value.is_nan() {
            return;
        }
        let value = canonical(value);
        self.n += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.levels[0].push(value);
        self.retained += 1;
        if self.retained > self.capacity {
            self.compress();
        }
    }

    /// Adds another sketch's values. The result keeps the smaller `k`.
    pub(crate) fn merge(&mut self, other: &Self) {
        if other.n == 0 {
            return;
        }
        self.k = self.k.min(other.k);
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        while self.levels.len() < other.levels.len() {
            self.levels.push(Vec::new());
        }
        self.levels[0].extend_from_slice(&other.levels[0]);
        for (h, items) in other.levels.iter().enumerate().skip(1) {
            merge_into(&mut self.levels[h], items);
        }
        self.recount();
        self.compress();
    }

    /// Compacts the lowest full level until the sketch is within its capacity.
    fn compress(&mut self) {
        while self.retained > self.capacity {
            let Some(h) =
                (0..self.levels.len()).find(|&h| self.levels[h].len() >= self.level_capacity(h))
            else {
                return;
            };
            if h + 1 == self.levels.len() {
                self.levels.push(Vec::new());
                self.recount();
            }
            let offset = (SplitMix64::new(self.coin).next_u64() & 1) as usize;
            self.coin = self.coin.wrapping_add(SplitMix64::INCREMENT);
            let (lower, upper) = self.levels.split_at_mut(h + 1);
            let level = &mut lower[h];
            if h == 0 {
                sort_level(level);
            }
            // An odd item out stays behind at its level (the smallest); of the rest, every
            // other one from the coin's offset moves up, written in place over the front.
            let start = level.len() % 2;
            let promoted = (level.len() - start) / 2;
            for j in 0..promoted {
                level[start + j] = level[start + offset + 2 * j];
            }
            merge_into(&mut upper[0], &level[start..start + promoted]);
            level.truncate(start);
            self.retained -= promoted;
        }
    }

    /// Every retained item with its weight, sorted by value, with cumulative weights.
    pub(crate) fn sorted(&self) -> Vec<(f64, u64)> {
        let mut items: Vec<(f64, u64)> = self
            .levels
            .iter()
            .enumerate()
            .flat_map(|(h, level)| level.iter().map(move |&v| (v, 1u64 << h)))
            .collect();
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut total = 0;
        for item in &mut items {
            total += item.1;
            item.1 = total;
        }
        items
    }

    /// The sketch as bytes: `SKL1`, then little-endian `k` (u16), coin (u64), `n` (u64),
    /// min, max (f64), the number of levels (u8), and per level its length (u32) and items.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + 8 * self.retained + 4 * self.levels.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.k.to_le_bytes());
        out.extend_from_slice(&self.coin.to_le_bytes());
        out.extend_from_slice(&self.n.to_le_bytes());
        out.extend_from_slice(&self.min.to_le_bytes());
        out.extend_from_slice(&self.max.to_le_bytes());
        out.push(self.levels.len() as u8);
        for level in &self.levels {
            out.extend_from_slice(&(level.len() as u32).to_le_bytes());
            for v in level {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// A sketch from [`to_bytes`](Self::to_bytes); every field is checked, so damaged bytes
    /// are an error, never a panic or a sketch that answers wrongly.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, StatsError> {
        let bad = |why: &str| StatsError::Sketch(format!("quantile sketch: {why}"));
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| bad("not a seismo KLL sketch (SKL1)"))?;
        let mut reader = Reader { bytes: body, at: 0 };
        let k = u16::from_le_bytes(reader.array().ok_or_else(|| bad("truncated"))?);
        let mut word = || {
            reader
                .array()
                .map(u64::from_le_bytes)
                .ok_or_else(|| bad("truncated"))
        };
        let (coin, n) = (word()?, word()?);
        let (min, max) = (f64::from_bits(word()?), f64::from_bits(word()?));
        let [count] = reader.array().ok_or_else(|| bad("truncated"))?;
        if k < 8 || count == 0 {
            return Err(bad("bad k or level count"));
        }
        let mut levels = Vec::with_capacity(usize::from(count));
        let mut weight = 0u128;
        for h in 0..usize::from(count) {
            let len = u32::from_le_bytes(reader.array().ok_or_else(|| bad("truncated"))?) as usize;
            let mut level = Vec::with_capacity(len.min(reader.bytes.len() / 8));
            for _ in 0..len {
                let v = f64::from_bits(u64::from_le_bytes(
                    reader.array().ok_or_else(|| bad("truncated"))?,
                ));
                level.push(v);
            }
            if level.iter().any(|v| v.is_nan() || *v < min || *v > max)
                || (h > 0 && level.windows(2).any(|w| w[1] < w[0]))
            {
                return Err(bad("items out of order or range"));
            }
            weight += (len as u128) << h.min(64);
            levels.push(level);
        }
        if reader.at != reader.bytes.len() || weight != u128::from(n) {
            return Err(bad("weights do not add up to the count"));
        }
        let mut sketch = Self {
            k,
            n,
            min,
            max,
            levels,
            coin,
            retained: 0,
            capacity: 0,
        };
        sketch.recount();
        Ok(sketch)
    }
}

/// Reads fixed-size little-endian fields off a byte slice.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let field = self.bytes.get(self.at..self.at + N)?;
        self.at += N;
        field.try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_runs_merge_in_place() {
        let mut dst = vec![1.0, 3.0, 5.0];
        merge_into(&mut dst, &[0.0, 3.0, 4.0, 9.0]);
        assert_eq!(dst, [0.0, 1.0, 3.0, 3.0, 4.0, 5.0, 9.0]);
        merge_into(&mut dst, &[]);
        assert_eq!(dst.len(), 7);
    }

    #[test]
    fn capacities_shrink_by_two_thirds_to_eight() {
        assert_eq!(capacity(200, 0), 200);
        assert_eq!(capacity(200, 1), 134);
        assert_eq!(capacity(200, 2), 89);
        assert_eq!(capacity(200, 30), 8);
        assert_eq!(capacity(200, 100), 8);
    }

    #[test]
    fn weights_always_add_up_to_the_count() {
        let mut a = Kll::new(50, 1);
        let mut b = Kll::new(50, 2);
        for i in 0..10_000 {
            a.update(f64::from(i));
            b.update(f64::from(i % 97));
        }
        a.merge(&b);
        assert_eq!(a.count(), 20_000);
        assert_eq!(a.sorted().last().unwrap().1, 20_000);
        assert!(a.retained <= a.capacity);
        assert_eq!(Kll::from_bytes(&a.to_bytes()).unwrap(), a);
    }

    #[test]
    fn the_same_seed_gives_the_same_sketch_and_another_seed_another() {
        let build = |seed| {
            let mut s = Kll::new(64, seed);
            (0..50_000).for_each(|i| s.update(f64::from((i * 7919) % 10_007)));
            s
        };
        assert_eq!(build(7).to_bytes(), build(7).to_bytes());
        assert_ne!(build(7).to_bytes(), build(8).to_bytes());
    }

    #[test]
    fn damaged_bytes_are_errors() {
        let mut s = Kll::new(64, 0);
        (0..1000).for_each(|i| s.update(f64::from(i)));
        let bytes = s.to_bytes();
        for cut in [0, 4, 10, 30, 40, bytes.len() - 1] {
            assert!(Kll::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(Kll::from_bytes(&extra).is_err());
        let mut wrong_count = bytes;
        wrong_count[14] ^= 1;
        assert!(Kll::from_bytes(&wrong_count).is_err());
    }
}
