//! Sorting samples: NaN dropped, the rest in ascending order, fast.

/// The non-NaN values of `values`, sorted ascending (`-0.0` before `0.0`, infinities at the
/// ends). Small inputs use the standard sort; large ones an LSD radix sort on the IEEE bit
/// patterns (4 passes of 16 bits), which is several times faster for millions of values.
pub fn sorted_finite_or_inf(values: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    sort_f64(&mut out);
    out
}

/// Sorts non-NaN `f64`s ascending in place.
pub fn sort_f64(values: &mut [f64]) {
    if values.len() < 4096 {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    // Map each float to a u64 whose unsigned order is the float order.
    let mut keys: Vec<u64> = values.iter().map(|v| key(*v)).collect();
    let mut scratch = vec![0u64; keys.len()];
    for pass in 0..4 {
        let shift = pass * 16;
        let mut counts = vec![0usize; 1 << 16];
        for &k in &keys {
            counts[((k >> shift) & 0xFFFF) as usize] += 1;
        }
        // Skip a pass where every key has the same digit.
        if counts.contains(&keys.len()) {
            continue;
        }
        let mut offset = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = offset;
            offset += n;
        }
        for &k in &keys {
            let digit = ((k >> shift) & 0xFFFF) as usize;
            scratch[counts[digit]] = k;
            counts[digit] += 1;
        }
        std::mem::swap(&mut keys, &mut scratch);
    }
    for (v, k) in values.iter_mut().zip(&keys) {
        *v = unkey(*k);
    }
}

#[inline]
fn key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

#[inline]
fn unkey(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_equals_the_standard_sort() {
        let mut state = 12345u64;
        let mut values: Vec<f64> = (0..100_000)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                match i % 7 {
                    0 => -((state >> 11) as f64),
                    1 => f64::INFINITY,
                    2 => -0.0,
                    3 => 0.0,
                    _ => (state >> 11) as f64 * 1e-9 - 4e3,
                }
            })
            .collect();
        values.push(f64::NAN);
        let sorted = sorted_finite_or_inf(&values);
        let mut expected: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        expected.sort_by(f64::total_cmp);
        assert_eq!(sorted.len(), expected.len());
        assert!(
            sorted
                .iter()
                .zip(&expected)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }
}
