//! Principal components of a sample of rows, and how far each row lies from their span: the
//! reconstruction error NannyML's multivariate drift watches.
//!
//! [`Pca::fit`] centres the rows on their means and diagonalises their covariance with the
//! cyclic Jacobi method (symmetric, exact to rounding for the few dozen columns drift tests
//! have); it keeps the fewest leading components whose explained variance ratios add up to
//! more than `variance`, as scikit-learn's `PCA(n_components=variance)` does
//! (`searchsorted(cumsum(ratios), variance, side="right") + 1`). A row's reconstruction error
//! is `‖x − x̂‖₂`, `x̂` its projection on the kept components (back in the original space); it
//! depends on their span only, not on the signs an SVD happens to give them.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, ShapeBuilder, s};

use crate::error::StatsError;
use crate::parallel::map_ordered;

/// Rows handled at once by the passes over a sample: a thread's unit of work.
const BLOCK: usize = 16_384;

/// Rows of a block worked on at once: a tile of a few dozen columns stays in cache.
const TILE: usize = 512;

/// Rows the passes of a [`Pca`] read a tile at a time: a matrix, or columns that a caller
/// encodes on the fly. `seismo-drift` reads Arrow columns this way, so a million rows are
/// never copied into an encoded matrix of their own.
///
/// ```
/// use seismo_stats::multivariate::Pca;
/// let x = ndarray::arr2(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.1], [3.0, 2.9]]);
/// let pca = Pca::fit(&x.view(), 0.9, 1).unwrap();
/// assert_eq!(pca.kept(), 1);
/// ```
pub trait Rows: Sync {
    /// How many rows.
    fn rows(&self) -> usize;
    /// How many columns.
    fn columns(&self) -> usize;
    /// Writes rows `start .. start + out.nrows()` into `out`: a row per row, a column per
    /// column.
    fn fill(&self, start: usize, out: &mut ArrayViewMut2<f64>);
}

impl Rows for ArrayView2<'_, f64> {
    fn rows(&self) -> usize {
        self.nrows()
    }

    fn columns(&self) -> usize {
        self.ncols()
    }

    fn fill(&self, start: usize, out: &mut ArrayViewMut2<f64>) {
        let rows = out.nrows();
        out.assign(&self.slice(s![start..start + rows, ..]));
    }
}

/// Principal components fitted on reference rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    mean: Array1<f64>,
    /// The kept components, one per row (unit vectors).
    components: Array2<f64>,
    /// Every component's share of the total variance, largest first.
    ratios: Vec<f64>,
}

impl Pca {
    /// Fits on the rows of `x` (at least two, no missing values), keeping the components
    /// that explain more than `variance` (in `(0, 1)`) of the variance. The means and the
    /// covariance are summed a block of rows at a time on `threads` threads, the blocks'
    /// sums added in their order: the same bits on any thread count.
    pub fn fit(x: &impl Rows, variance: f64, threads: usize) -> Result<Self, StatsError> {
        let (n, d) = (x.rows(), x.columns());
        if n < 2 || d == 0 {
            return Err(StatsError::InvalidArgument(format!(
                "pca needs two rows and a column, got {n} rows of {d}"
            )));
        }
        if !(variance > 0.0 && variance < 1.0) {
            return Err(StatsError::InvalidArgument(format!(
                "pca: the share of variance to keep must be in (0, 1), got {variance}"
            )));
        }
        let sums = over_tiles(
            x,
            threads,
            |_| Some(Array1::<f64>::zeros(d)),
            |sums, tile| {
                if tile.iter().any(|v| !v.is_finite()) {
                    *sums = None;
                }
                if let Some(sums) = sums {
                    for (sum, column) in sums.iter_mut().zip(tile.columns()) {
                        *sum += column.sum();
                    }
                }
            },
        );
        let mut mean = Array1::<f64>::zeros(d);
        for block in sums {
            mean += &block.ok_or_else(|| {
                StatsError::InvalidArgument(
                    "pca: a value is missing or infinite; impute first".into(),
                )
            })?;
        }
        mean /= n as f64;
        // XᵀX of the centred rows a tile at a time: no centred copy of the whole sample.
        let partials = over_tiles(
            x,
            threads,
            |_| Array2::<f64>::zeros((d, d)),
            |sum, mut tile| {
                centre(&mut tile, &mean);
                general_mat_mul(1.0, &tile.t(), &tile, 1.0, sum);
            },
        );
        let mut covariance = Array2::<f64>::zeros((d, d));
        for partial in partials {
            covariance += &partial;
        }
        covariance /= n as f64 - 1.0;
        let (values, vectors) = jacobi(covariance);
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|a, b| values[*b].total_cmp(&values[*a]).then(a.cmp(b)));
        let total: f64 = values.iter().sum();
        let ratios: Vec<f64> = order
            .iter()
            .map(|k| if total > 0.0 { values[*k] / total } else { 0.0 })
            .collect();
        let mut cumulative = 0.0;
        let mut keep = d;
        for (k, r) in ratios.iter().enumerate() {
            cumulative += r;
            if cumulative > variance {
                keep = k + 1;
                break;
            }
        }
        let mut components = Array2::<f64>::zeros((keep, d));
        for (row, k) in order.iter().take(keep).enumerate() {
            components.row_mut(row).assign(&vectors.column(*k));
        }
        Ok(Self {
            mean,
            components,
            ratios,
        })
    }

    /// How many components are kept.
    pub fn kept(&self) -> usize {
        self.components.nrows()
    }

    /// Each component's share of the variance, largest first (all of them, kept or not).
    pub fn explained_variance_ratios(&self) -> &[f64] {
        &self.ratios
    }

    /// The residual of each row of `x` (`x − x̂`), a row each.
    pub fn residuals(&self, x: &impl Rows) -> Array2<f64> {
        let mut centred = Array2::<f64>::zeros((x.rows(), x.columns()));
        x.fill(0, &mut centred.view_mut());
        centre(&mut centred.view_mut(), &self.mean);
        centred.dot(&self.complement())
    }

    /// `I − CᵀC` for the kept components `C`: a centred row times it is the row's residual,
    /// its part outside the components' span (symmetric, so rows or columns alike).
    fn complement(&self) -> Array2<f64> {
        let d = self.mean.len();
        Array2::<f64>::eye(d) - self.components.t().dot(&self.components)
    }

    /// Each row's reconstruction error `‖x − x̂‖₂`.
    pub fn reconstruction_errors(&self, x: &impl Rows) -> Vec<f64> {
        self.errors_and_residuals(x, 1).0
    }

    /// Each row's reconstruction error and, per column, the sum of |residual| over the rows;
    /// a block of rows at a time on `threads` threads (memory independent of the number of
    /// rows), the blocks' sums added in their order: the same bits on any thread count.
    ///
    /// Each tile's residuals are one matrix product with [`Pca::complement`] into a buffer
    /// the block reuses: no allocation per tile, and one product where `x − (xCᵀ)C` takes
    /// two.
    pub fn errors_and_residuals(&self, x: &impl Rows, threads: usize) -> (Vec<f64>, Vec<f64>) {
        let d = x.columns();
        let complement = self.complement();
        struct Block {
            errors: Vec<f64>,
            sums: Vec<f64>,
            residuals: Array2<f64>,
            squares: Vec<f64>,
        }
        let blocks = over_tiles(
            x,
            threads,
            |rows| Block {
                errors: Vec::with_capacity(rows),
                sums: vec![0.0; d],
                // Column-major: a column's residuals side by side for the sums below.
                residuals: Array2::<f64>::zeros((TILE.min(rows), d).f()),
                squares: vec![0.0; TILE.min(rows)],
            },
            |block, mut tile| {
                let t = tile.nrows();
                centre(&mut tile, &self.mean);
                let mut residuals = block.residuals.slice_mut(s![..t, ..]);
                general_mat_mul(1.0, &tile, &complement, 0.0, &mut residuals);
                let squares = &mut block.squares[..t];
                squares.fill(0.0);
                for (column, sum) in residuals.columns().into_iter().zip(&mut block.sums) {
                    let mut tile_sum = 0.0;
                    for (square, r) in squares.iter_mut().zip(column) {
                        *square += r * r;
                        tile_sum += r.abs();
                    }
                    *sum += tile_sum;
                }
                block.errors.extend(squares.iter().map(|s| s.sqrt()));
            },
        );
        let mut errors = Vec::with_capacity(x.rows());
        let mut sums = vec![0.0; d];
        for block in blocks {
            errors.extend(block.errors);
            for (s, b) in sums.iter_mut().zip(block.sums) {
                *s += b;
            }
        }
        (errors, sums)
    }
}

/// `step(state, tile)` over the rows of `x`, a block of [`BLOCK`] rows per job on `threads`
/// threads, each block's state made by `start(rows in the block)` and its rows read
/// [`TILE`] at a time into one column-major buffer; the blocks' states in row order.
fn over_tiles<S: Send>(
    x: &impl Rows,
    threads: usize,
    start: impl Fn(usize) -> S + Sync,
    step: impl Fn(&mut S, ArrayViewMut2<f64>) + Sync,
) -> Vec<S> {
    let (n, d) = (x.rows(), x.columns());
    let firsts: Vec<usize> = (0..n).step_by(BLOCK).collect();
    map_ordered(&firsts, threads, |&first| {
        let rows = BLOCK.min(n - first);
        let mut state = start(rows);
        let mut buffer = Array2::<f64>::zeros((TILE.min(rows), d).f());
        for tile_first in (first..first + rows).step_by(TILE) {
            let t = TILE.min(first + rows - tile_first);
            let mut tile = buffer.slice_mut(s![..t, ..]);
            x.fill(tile_first, &mut tile);
            step(&mut state, tile);
        }
        state
    })
}

/// Each column of `x` less its mean, in place.
fn centre(x: &mut ArrayViewMut2<f64>, mean: &Array1<f64>) {
    for (mut column, m) in x.columns_mut().into_iter().zip(mean) {
        column.mapv_inplace(|v| v - m);
    }
}

/// The eigenvalues and eigenvectors (columns) of a symmetric matrix, by cyclic Jacobi
/// rotations until the off-diagonal part is negligible.
fn jacobi(mut a: Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let d = a.nrows();
    let mut v = Array2::<f64>::eye(d);
    for _sweep in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|p| (p + 1..d).map(move |q| (p, q)))
            .map(|(p, q)| a[[p, q]] * a[[p, q]])
            .sum();
        let scale: f64 = (0..d).map(|p| a[[p, p]] * a[[p, p]]).sum::<f64>();
        if off <= 1e-30 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[[p, q]];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[[k, p]], a[[k, q]]);
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|k| a[[k, k]]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises_a_symmetric_matrix() {
        let m = ndarray::arr2(&[[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]]);
        let (values, vectors) = jacobi(m.clone());
        for (k, value) in values.iter().enumerate() {
            let v = vectors.column(k);
            let mv = m.dot(&v);
            for (a, b) in mv.iter().zip(v.iter()) {
                assert!((a - value * b).abs() < 1e-12);
            }
        }
        let trace: f64 = values.iter().sum();
        assert!((trace - 12.0).abs() < 1e-12);
    }

    #[test]
    fn rows_on_the_kept_plane_reconstruct_exactly() {
        // Points on the plane z = x + y, plus one off it.
        let x = ndarray::arr2(&[
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 1.0],
            [0.0, 1.0, 1.0],
            [2.0, 1.0, 3.0],
            [1.0, 3.0, 4.0],
        ]);
        let pca = Pca::fit(&x.view(), 0.99, 2).unwrap();
        assert_eq!(pca.kept(), 2);
        let errors =
            pca.reconstruction_errors(&ndarray::arr2(&[[3.0, 3.0, 6.0], [0.0, 0.0, 1.0]]).view());
        assert!(errors[0] < 1e-12, "{errors:?}");
        // (0, 0, 1) is 1/√3 from the plane through the origin with normal (1, 1, −1)/√3.
        assert!((errors[1] - 1.0 / 3f64.sqrt()).abs() < 1e-12, "{errors:?}");
    }

    #[test]
    fn many_blocks_give_the_same_bits_on_any_thread_count() {
        let mut rng = crate::random::SplitMix64::new(5);
        let x = Array2::from_shape_fn((3 * BLOCK + 17, 4), |(_, j)| rng.uniform() * (j + 1) as f64);
        let one = Pca::fit(&x.view(), 0.6, 1).unwrap();
        let three = Pca::fit(&x.view(), 0.6, 3).unwrap();
        assert_eq!(one, three);
        assert_eq!(
            one.errors_and_residuals(&x.view(), 1),
            one.errors_and_residuals(&x.view(), 3)
        );
        let mut nan = x.clone();
        nan[[2 * BLOCK + 3, 2]] = f64::NAN;
        assert!(Pca::fit(&nan.view(), 0.6, 3).is_err());
    }
}
