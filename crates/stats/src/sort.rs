//! Sorting samples fast: floats as order-preserving integer keys.
//!
//! A non-NaN `f64` maps to a `u64` whose unsigned order is the float order ([`key`]).
//! Sorting the keys with the standard unstable sort is faster than sorting floats with
//! `total_cmp` (about 25 ms against 39 ms for 10⁶ values here; an LSD radix sort was slower
//! still, as memory-bound), and walking keys lets the two-sample kernels use `u64::MAX`
//! (which no float maps to) as an end-of-sample sentinel, so their inner loops are
//! branch-free integer arithmetic.

/// `v` with `-0.0` made `0.0`; every other value (NaN too) unchanged.
///
/// IEEE 754 says `-0.0 == 0.0`, and so does every statistic here: a sample of `-0.0`s is the
/// same sample as one of `0.0`s. But their bits differ, so anything that orders, ranks,
/// hashes or counts values by their bits must see one zero. Signed zeros are common in real
/// data (rounding a small negative number, `-x * 0.0`, some Parquet writers).
///
/// ```
/// use seismo_stats::sort::canonical;
/// assert_eq!(canonical(-0.0).to_bits(), 0.0f64.to_bits());
/// assert_eq!(canonical(-5e-324), -5e-324);
/// ```
#[inline]
pub fn canonical(v: f64) -> f64 {
    // Adding +0.0 is exact for every value but -0.0, which becomes +0.0 (round to nearest).
    v + 0.0
}

/// The order-preserving key of a non-NaN float, infinities at the ends. `-0.0` and `0.0` have
/// one key (see [`canonical`]), so [`unkey`] gives `0.0` for both.
#[inline]
pub fn key(v: f64) -> u64 {
    let bits = canonical(v).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The float whose [`key`] is `k`.
#[inline]
pub fn unkey(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// The `q` quantile of sorted, NaN-free values with linear interpolation between order
/// statistics, as numpy's default (`method='linear'`); `q` is clamped to `[0, 1]`. `None` when
/// `sorted` is empty. Between two equal neighbours (infinities too) the value itself, never
/// `∞ − ∞`.
///
/// ```
/// use seismo_stats::sort::linear_quantile;
/// // numpy.quantile([1, 2, 3, 4], [0.5, 0.9]) = [2.5, 3.7]
/// assert_eq!(linear_quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
/// assert!((linear_quantile(&[1.0, 2.0, 3.0, 4.0], 0.9).unwrap() - 3.7).abs() < 1e-12);
/// assert_eq!(linear_quantile(&[], 0.5), None);
/// ```
pub fn linear_quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = (position.floor() as usize).min(last);
    let above = (below + 1).min(last);
    let fraction = position - below as f64;
    Some(if fraction == 0.0 || sorted[below] == sorted[above] {
        sorted[below]
    } else {
        sorted[below] + fraction * (sorted[above] - sorted[below])
    })
}

/// An end-of-sample marker above every key.
pub(crate) const SENTINEL: u64 = u64::MAX;

/// The keys of the non-NaN values of `values`, ascending. There is room for one more key
/// (the kernels that walk two samples append [`SENTINEL`] without copying a million keys).
pub fn sorted_keys(values: &[f64]) -> Vec<u64> {
    let mut keys: Vec<u64> = Vec::with_capacity(values.len() + 1);
    keys.extend(values.iter().filter(|v| !v.is_nan()).map(|&v| key(v)));
    keys.sort_unstable();
    keys
}

/// The non-NaN values of `values`, sorted ascending.
pub fn sorted_finite_or_inf(values: &[f64]) -> Vec<f64> {
    sorted_keys(values).into_iter().map(unkey).collect()
}

/// Keys of already sorted, NaN-free values, with the sentinel appended.
pub(crate) fn keys_with_sentinel(sorted: &[f64]) -> Vec<u64> {
    let mut keys: Vec<u64> = Vec::with_capacity(sorted.len() + 1);
    keys.extend(sorted.iter().map(|&v| key(v)));
    keys.push(SENTINEL);
    keys
}

/// Walks two sorted key slices in merged order, one distinct value at a time, calling
/// `group(in_a, in_b)` with how many values of each sample equal it. The rank-based tests
/// (Mann–Whitney, Cramér–von Mises) build average ranks from these tie groups.
pub(crate) fn tie_groups(a: &[u64], b: &[u64], mut group: impl FnMut(usize, usize)) {
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        let v = a
            .get(i)
            .copied()
            .unwrap_or(SENTINEL)
            .min(b.get(j).copied().unwrap_or(SENTINEL));
        // A linear walk, not a binary search of the rest: groups are short and the walk
        // reads memory in order (the rank tests and ROC AUC spend their time here).
        let in_a = a[i..].iter().take_while(|&&k| k == v).count();
        let in_b = b[j..].iter().take_while(|&&k| k == v).count();
        group(in_a, in_b);
        i += in_a;
        j += in_b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_like_total_order() {
        let mut state = 12345u64;
        let mut values: Vec<f64> = (0..20_000)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                match i % 7 {
                    0 => -((state >> 11) as f64),
                    1 => f64::INFINITY,
                    2 => -0.0,
                    3 => 0.0,
                    4 => f64::NEG_INFINITY,
                    _ => (state >> 11) as f64 * 1e-9 - 4e3,
                }
            })
            .collect();
        values.push(f64::NAN);
        let sorted = sorted_finite_or_inf(&values);
        let mut expected: Vec<f64> = values
            .into_iter()
            .filter(|v| !v.is_nan())
            .map(canonical)
            .collect();
        expected.sort_by(f64::total_cmp);
        assert_eq!(sorted.len(), expected.len());
        assert!(
            sorted
                .iter()
                .zip(&expected)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        assert!(key(f64::INFINITY) < SENTINEL);
    }

    #[test]
    fn signed_zeros_are_one_value_and_neighbours_stay_apart() {
        assert_eq!(key(-0.0), key(0.0));
        assert_eq!(unkey(key(-0.0)).to_bits(), 0.0f64.to_bits());
        let tiny = f64::from_bits(1); // the smallest subnormal
        assert!(key(-tiny) < key(0.0) && key(0.0) < key(tiny));
        let one_up = f64::from_bits(1.0f64.to_bits() + 1);
        assert!(key(1.0) < key(one_up));
        assert_eq!(unkey(key(-tiny)), -tiny);
    }

    #[test]
    fn tie_groups_cover_both_samples_in_order() {
        let (a, b) = (
            sorted_keys(&[1.0, 1.0, 3.0]),
            sorted_keys(&[1.0, 2.0, 3.0, 3.0]),
        );
        let mut groups = Vec::new();
        tie_groups(&a, &b, |x, y| groups.push((x, y)));
        assert_eq!(groups, vec![(2, 1), (0, 1), (1, 2)]);
    }
}
