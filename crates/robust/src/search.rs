//! The adversarial search: per row, the smallest move that flips the model's decision.
//!
//! A move is measured in reference standard deviations, the largest over the features moved
//! (L∞): a radius of 0.3 means no feature moved by more than 0.3 of its standard deviation.
//! The search tries a fixed set of directions, the same for every row: each movable feature
//! alone, up and down, and [`Search::corners`] random corners of the box (every movable
//! feature up or down at once, drawn from the seed). Along each direction it steps out from
//! the row in [`Search::steps`] equal steps up to the budget ε, and where the decision first
//! changes it bisects [`Search::refine`] times between the last step that held and the first
//! that flipped. A row's radius is the smallest found over the directions.
//!
//! The radius found is an upper bound on the true smallest flip: a flip between directions,
//! or one that a step jumps over and that reverts before the next step, is missed. So the
//! share of rows flippable within ε is a lower bound. Deterministic: fixed directions, fixed
//! steps, and rows scored independently of each other.

use ndarray::{Array2, ArrayView2};
use seismo_stats::random::SplitMix64;

/// How hard to search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Search {
    /// Random corners of the box tried besides the single-feature directions.
    pub corners: usize,
    /// Equal steps from the row out to the budget.
    pub steps: usize,
    /// Bisections between the last step that held and the first that flipped.
    pub refine: usize,
}

impl Default for Search {
    fn default() -> Self {
        Self {
            corners: 16,
            steps: 16,
            refine: 10,
        }
    }
}

/// What the search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Per row, the smallest radius that flipped its decision, `None` if none within budget.
    pub radius: Vec<Option<f64>>,
    /// Per row, the point that flipped at that radius (the row itself when none did).
    pub points: Array2<f32>,
}

/// Searches each row of `rows` for the smallest move of `columns` (by `sd` each) that
/// changes `decide`'s decision, up to `budget` standard deviations. `decide` maps rows to a
/// decision per row.
pub fn search<E>(
    rows: ArrayView2<f32>,
    columns: &[usize],
    sd: &[f64],
    budget: f64,
    seed: u64,
    options: Search,
    decide: impl Fn(ArrayView2<f32>) -> Result<Vec<i64>, E>,
) -> Result<Found, E> {
    let n = rows.nrows();
    let original = decide(rows)?;
    let movable: Vec<usize> = columns.iter().copied().filter(|j| sd[*j] > 0.0).collect();
    let mut found = Found {
        radius: vec![None; n],
        points: rows.to_owned(),
    };
    let steps = options.steps.max(1);
    for direction in directions(&movable, rows.ncols(), options.corners, seed) {
        // The move of `row` by radius `r` along this direction.
        let moved = |row: usize, r: f64| -> Vec<f32> {
            rows.row(row)
                .iter()
                .enumerate()
                .map(|(j, x)| (f64::from(*x) + r * sd[j] * f64::from(direction[j])) as f32)
                .collect()
        };
        let flips = |active: &[(usize, f64)]| -> Result<Vec<bool>, E> {
            if active.is_empty() {
                return Ok(Vec::new());
            }
            let data: Vec<f32> = active.iter().flat_map(|(i, r)| moved(*i, *r)).collect();
            let batch = Array2::from_shape_vec((active.len(), rows.ncols()), data)
                .expect("rows × features values");
            let decided = decide(batch.view())?;
            Ok(active
                .iter()
                .zip(decided)
                .map(|((i, _), d)| d != original[*i])
                .collect())
        };
        // Step out: (row, last radius that held, first that flipped).
        let mut brackets: Vec<(usize, f64, f64)> = Vec::new();
        let mut open: Vec<usize> = (0..n).collect();
        for k in 1..=steps {
            let r = budget * k as f64 / steps as f64;
            // A row whose best radius is already at most r cannot improve here.
            open.retain(|i| found.radius[*i].is_none_or(|best| best > r));
            let active: Vec<(usize, f64)> = open.iter().map(|i| (*i, r)).collect();
            let flipped = flips(&active)?;
            let before = budget * (k - 1) as f64 / steps as f64;
            let mut still = Vec::with_capacity(open.len());
            for ((i, _), f) in active.into_iter().zip(flipped) {
                if f {
                    brackets.push((i, before, r));
                } else {
                    still.push(i);
                }
            }
            open = still;
        }
        for _ in 0..options.refine {
            let active: Vec<(usize, f64)> = brackets
                .iter()
                .map(|(i, lo, hi)| (*i, (lo + hi) / 2.0))
                .collect();
            let flipped = flips(&active)?;
            for ((_, lo, hi), f) in brackets.iter_mut().zip(flipped) {
                let mid = (*lo + *hi) / 2.0;
                if f {
                    *hi = mid;
                } else {
                    *lo = mid;
                }
            }
        }
        for (i, _, hi) in brackets {
            if found.radius[i].is_none_or(|best| hi < best) {
                found.radius[i] = Some(hi);
                let point = moved(i, hi);
                found
                    .points
                    .row_mut(i)
                    .iter_mut()
                    .zip(point)
                    .for_each(|(x, p)| *x = p);
            }
        }
    }
    Ok(found)
}

/// The directions tried: each movable feature up and down, then `corners` random corners.
/// A direction holds -1, 0 or 1 per feature.
fn directions(movable: &[usize], width: usize, corners: usize, seed: u64) -> Vec<Vec<i8>> {
    let mut out = Vec::new();
    for &j in movable {
        for sign in [1i8, -1] {
            let mut d = vec![0i8; width];
            d[j] = sign;
            out.push(d);
        }
    }
    if movable.len() > 1 {
        let mut rng = SplitMix64::new(seed ^ 0xAD5E_A4C4);
        for _ in 0..corners {
            let mut d = vec![0i8; width];
            for &j in movable {
                d[j] = if rng.next_u64() >> 63 == 1 { 1 } else { -1 };
            }
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear rule: decision 1 when 2·x₀ + x₁ ≥ 10.
    fn rule(rows: ArrayView2<f32>) -> Result<Vec<i64>, std::convert::Infallible> {
        Ok(rows
            .rows()
            .into_iter()
            .map(|r| i64::from(2.0 * r[0] + r[1] >= 10.0))
            .collect())
    }

    #[test]
    fn the_radius_of_a_linear_rule_is_its_distance_in_l_infinity() {
        // sd 1 each: moving both features by r changes 2·x₀ + x₁ by 3r, x₀ alone by 2r.
        let rows = ndarray::arr2(&[[4.0f32, 1.0], [0.0, 0.0], [5.0, 3.0]]);
        let found = search(
            rows.view(),
            &[0, 1],
            &[1.0, 1.0],
            2.0,
            7,
            Search::default(),
            rule,
        )
        .unwrap();
        // Row 0: 9, one below: the corner (+, +) needs r = 1/3.
        let r0 = found.radius[0].unwrap();
        assert!((r0 - 1.0 / 3.0).abs() < 2.0 / 16.0 / 1024.0 + 1e-6, "{r0}");
        // The point found flips, and no feature moved by more than the radius.
        let p = found.points.row(0);
        assert!(2.0 * p[0] + p[1] >= 10.0);
        assert!((p[0] - 4.0).abs() as f64 <= r0 + 1e-6 && (p[1] - 1.0).abs() as f64 <= r0 + 1e-6);
        // Row 1: 0, ten below: beyond a budget of 2 (at most 6).
        assert_eq!(found.radius[1], None);
        assert_eq!(found.points.row(1), rows.row(1));
        // Row 2: 13, three above: 1 with both features down.
        assert!((found.radius[2].unwrap() - 1.0).abs() < 2.0 / 16.0 / 1024.0 + 1e-6);
    }

    #[test]
    fn a_feature_that_cannot_move_is_not_moved() {
        let rows = ndarray::arr2(&[[4.0f32, 1.0]]);
        // Only x₁ moves: it needs +1.
        let found = search(
            rows.view(),
            &[1],
            &[1.0, 1.0],
            2.0,
            7,
            Search::default(),
            rule,
        )
        .unwrap();
        assert!((found.radius[0].unwrap() - 1.0).abs() < 1e-3);
        assert_eq!(found.points[[0, 0]], 4.0);
        // A feature without spread does not move at all.
        let none = search(
            rows.view(),
            &[0, 1],
            &[0.0, 0.0],
            2.0,
            7,
            Search::default(),
            rule,
        )
        .unwrap();
        assert_eq!(none.radius[0], None);
    }
}
