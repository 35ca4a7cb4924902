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
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis, ShapeBuilder, s};

use crate::error::StatsError;
use crate::parallel::map_ordered;

/// Rows handled at once by the passes over a sample.
const BLOCK: usize = 16_384;

/// Rows of a block worked on at once: a tile of a few dozen columns stays in cache.
const TILE: usize = 512;

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
    /// that explain more than `variance` (in `(0, 1)`) of the variance. The covariance is
    /// summed a block of rows at a time on `threads` threads, the blocks' sums added in
    /// their order: the same bits on any thread count.
    pub fn fit(x: ArrayView2<f64>, variance: f64, threads: usize) -> Result<Self, StatsError> {
        let (n, d) = x.dim();
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
        let mean = x.mean_axis(Axis(0)).expect("rows");
        // XᵀX of the centred rows a block at a time: no centred copy of the whole sample.
        let blocks: Vec<ArrayView2<f64>> = x.axis_chunks_iter(Axis(0), BLOCK).collect();
        let partials = map_ordered(&blocks, threads, |block| {
            if block.iter().any(|v| !v.is_finite()) {
                return None;
            }
            let mut sum = Array2::<f64>::zeros((d, d));
            let mut centred = Array2::<f64>::zeros((TILE.min(block.nrows()), d));
            for tile in block.axis_chunks_iter(Axis(0), TILE) {
                let mut centred = centred.slice_mut(s![..tile.nrows(), ..]);
                centre(tile, &mean, &mut centred);
                general_mat_mul(1.0, &centred.t(), &centred, 1.0, &mut sum);
            }
            Some(sum)
        });
        let mut covariance = Array2::<f64>::zeros((d, d));
        for partial in partials {
            let partial = partial.ok_or_else(|| {
                StatsError::InvalidArgument(
                    "pca: a value is missing or infinite; impute first".into(),
                )
            })?;
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
    pub fn residuals(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut centred = Array2::<f64>::zeros(x.dim());
        centre(x, &self.mean, &mut centred.view_mut());
        centred.dot(&self.complement())
    }

    /// `I − CᵀC` for the kept components `C`: a centred row times it is the row's residual,
    /// its part outside the components' span (symmetric, so rows or columns alike).
    fn complement(&self) -> Array2<f64> {
        let d = self.mean.len();
        Array2::<f64>::eye(d) - self.components.t().dot(&self.components)
    }

    /// Each row's reconstruction error `‖x − x̂‖₂`.
    pub fn reconstruction_errors(&self, x: ArrayView2<f64>) -> Vec<f64> {
        self.errors_and_residuals(x, 1).0
    }

    /// Each row's reconstruction error and, per column, the sum of |residual| over the rows;
    /// a block of rows at a time on `threads` threads (memory independent of the number of
    /// rows), the blocks' sums added in their order: the same bits on any thread count.
    ///
    /// A block is worked through in tiles of rows small enough to stay in cache, each tile's
    /// residuals one matrix product with [`Pca::complement`] into buffers the block reuses:
    /// no allocation per tile, and a single product where `x − (xCᵀ)C` takes two.
    pub fn errors_and_residuals(&self, x: ArrayView2<f64>, threads: usize) -> (Vec<f64>, Vec<f64>) {
        let d = x.ncols();
        let complement = self.complement();
        let blocks: Vec<ArrayView2<f64>> = x.axis_chunks_iter(Axis(0), BLOCK).collect();
        let partials = map_ordered(&blocks, threads, |block| {
            let mut errors = Vec::with_capacity(block.nrows());
            let mut sums = vec![0.0; d];
            let rows = TILE.min(block.nrows());
            // Column-major tiles: a column's residuals side by side for the sums below.
            let mut centred = Array2::<f64>::zeros((rows, d).f());
            let mut residuals = Array2::<f64>::zeros((rows, d).f());
            let mut squares = vec![0.0; rows];
            for tile in block.axis_chunks_iter(Axis(0), TILE) {
                let t = tile.nrows();
                let mut centred = centred.slice_mut(s![..t, ..]);
                let mut residuals = residuals.slice_mut(s![..t, ..]);
                centre(tile, &self.mean, &mut centred);
                general_mat_mul(1.0, &centred, &complement, 0.0, &mut residuals);
                let squares = &mut squares[..t];
                squares.fill(0.0);
                for (column, sum) in residuals.columns().into_iter().zip(&mut sums) {
                    let mut tile_sum = 0.0;
                    for (square, r) in squares.iter_mut().zip(column) {
                        *square += r * r;
                        tile_sum += r.abs();
                    }
                    *sum += tile_sum;
                }
                errors.extend(squares.iter().map(|s| s.sqrt()));
            }
            (errors, sums)
        });
        let mut errors = Vec::with_capacity(x.nrows());
        let mut sums = vec![0.0; d];
        for (block_errors, block_sums) in partials {
            errors.extend(block_errors);
            for (s, b) in sums.iter_mut().zip(block_sums) {
                *s += b;
            }
        }
        (errors, sums)
    }
}

/// `out = x − mean`, row by row, column by column (both the same shape).
fn centre(x: ArrayView2<f64>, mean: &Array1<f64>, out: &mut ArrayViewMut2<f64>) {
    for ((mut out, column), m) in out.columns_mut().into_iter().zip(x.columns()).zip(mean) {
        out.zip_mut_with(&column, |o, v| *o = v - m);
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
        let pca = Pca::fit(x.view(), 0.99, 2).unwrap();
        assert_eq!(pca.kept(), 2);
        let errors =
            pca.reconstruction_errors(ndarray::arr2(&[[3.0, 3.0, 6.0], [0.0, 0.0, 1.0]]).view());
        assert!(errors[0] < 1e-12, "{errors:?}");
        // (0, 0, 1) is 1/√3 from the plane through the origin with normal (1, 1, −1)/√3.
        assert!((errors[1] - 1.0 / 3f64.sqrt()).abs() < 1e-12, "{errors:?}");
    }

    #[test]
    fn many_blocks_give_the_same_bits_on_any_thread_count() {
        let mut rng = crate::random::SplitMix64::new(5);
        let x = Array2::from_shape_fn((3 * BLOCK + 17, 4), |(_, j)| rng.uniform() * (j + 1) as f64);
        let one = Pca::fit(x.view(), 0.6, 1).unwrap();
        let three = Pca::fit(x.view(), 0.6, 3).unwrap();
        assert_eq!(one, three);
        assert_eq!(
            one.errors_and_residuals(x.view(), 1),
            one.errors_and_residuals(x.view(), 3)
        );
        let mut nan = x.clone();
        nan[[2 * BLOCK + 3, 2]] = f64::NAN;
        assert!(Pca::fit(nan.view(), 0.6, 3).is_err());
    }
}
