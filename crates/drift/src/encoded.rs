//! Columns as the joint methods read them: one number per row and column, fitted on the
//! reference.
//!
//! A number is itself, a missing one the reference mean. A category (or boolean) becomes its
//! share of the reference rows, a null a value of its own with the nulls' share, a value the
//! reference never had 0. (NannyML imputes categories with their most frequent value first,
//! but its imputer looks for NaN, and pandas holds a missing string as `None`, which the
//! imputer keeps and the count encoder then counts: a null is its own category in NannyML's
//! results, and in seismo's.)
//!
//! Two forms: [`count_encoded`] writes both datasets into matrices (the domain classifier
//! draws rows from them), and [`standardised`] gives reconstruction drift's PCA rows to read
//! a tile at a time. It reads numbers straight from their Arrow arrays, so a million rows of
//! numbers are never copied into a matrix; only categories get an encoded column.

use std::sync::Mutex;

use arrow_array::Float64Array;
use ndarray::{Array2, ArrayView1, ArrayViewMut2, ShapeBuilder};
use seismo_core::{ColumnKind, Dataset};
use seismo_stats::multivariate::Rows;

use crate::columns::{
    Reading, each_label, each_number, each_number_run, number_arrays, numbers_into,
};
use crate::values::LabelMap;

/// How a column is encoded, fitted on the reference.
enum Fitted {
    /// A number; a missing one becomes `fill`, the reference mean.
    Number { fill: f64 },
    /// A category becomes its share of the reference rows; a null, the nulls' share.
    Category {
        shares: LabelMap<f64>,
        null_share: f64,
    },
}

/// Both datasets' `columns` encoded, in column-major matrices (a column's values side by
/// side); a column at a time on `threads` threads, each written in place.
pub(crate) fn count_encoded(
    reference: &Dataset,
    current: &Dataset,
    columns: &[(String, ColumnKind)],
    threads: usize,
) -> Result<(Array2<f64>, Array2<f64>), String> {
    let mut x = Array2::<f64>::zeros((reference.num_rows(), columns.len()).f());
    let mut y = Array2::<f64>::zeros((current.num_rows(), columns.len()).f());
    each_column_pair(&mut x, &mut y, threads, |j, x_column, y_column| {
        let (name, kind) = &columns[j];
        let fitted = fit(reference, name, *kind, Some(x_column))?;
        encode(current, name, &fitted, y_column)
    })?;
    Ok((x, y))
}

/// `f(j, x_column, y_column)` for every column `j` of two column-major matrices of as many
/// columns, the columns handed out to `threads` threads; the first error, in column order.
fn each_column_pair(
    x: &mut Array2<f64>,
    y: &mut Array2<f64>,
    threads: usize,
    f: impl Fn(usize, &mut [f64], &mut [f64]) -> Result<(), String> + Sync,
) -> Result<(), String> {
    let (n, m, d) = (x.nrows(), y.nrows(), x.ncols());
    let xs = x
        .as_slice_memory_order_mut()
        .ok_or("a column-major matrix")?;
    let ys = y
        .as_slice_memory_order_mut()
        .ok_or("a column-major matrix")?;
    // Each column's two slices, handed to whichever thread takes it. A matrix of no rows
    // has no slices to split, so its columns are empty ones.
    let x_columns = xs
        .chunks_mut(n.max(1))
        .chain(std::iter::repeat_with(|| &mut [][..]));
    let y_columns = ys
        .chunks_mut(m.max(1))
        .chain(std::iter::repeat_with(|| &mut [][..]));
    let work: Vec<Mutex<(&mut [f64], &mut [f64])>> =
        x_columns.zip(y_columns).take(d).map(Mutex::new).collect();
    let indices: Vec<usize> = (0..work.len()).collect();
    seismo_stats::parallel::map_ordered(&indices, threads, |&j| {
        let mut pair = work[j].lock().unwrap_or_else(|p| p.into_inner());
        let (x_column, y_column) = &mut *pair;
        f(j, x_column, y_column)
    })
    .into_iter()
    .collect()
}

/// A dataset's tested columns encoded and then standardised on the reference column
/// (`(v − mean) / sd`, the population standard deviation as scikit-learn's
/// `StandardScaler`, 1 where it is 0), for the PCA to read a tile of rows at a time.
pub(crate) struct Standardised {
    rows: usize,
    columns: Vec<StandardColumn>,
}

enum StandardColumn {
    /// Numbers read from their arrays (the dataset's batches, cast to `f64`): `(v − mean) /
    /// sd`, and 0 where one is missing (the mean fills it).
    Numbers {
        arrays: Vec<Float64Array>,
        /// Each array's first row.
        firsts: Vec<usize>,
        mean: f64,
        sd: f64,
    },
    /// Each row's value, encoded and standardised.
    Values(Vec<f64>),
}

/// Both datasets' `columns` encoded and standardised on the reference; a column at a time
/// on `threads` threads.
pub(crate) fn standardised(
    reference: &Dataset,
    current: &Dataset,
    columns: &[(String, ColumnKind)],
    threads: usize,
) -> Result<(Standardised, Standardised), String> {
    let pairs = seismo_stats::parallel::map_ordered(columns, threads, |(name, kind)| {
        standard_pair(reference, current, name, *kind)
    });
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for pair in pairs {
        let (x_column, y_column) = pair?;
        x.push(x_column);
        y.push(y_column);
    }
    Ok((
        Standardised {
            rows: reference.num_rows(),
            columns: x,
        },
        Standardised {
            rows: current.num_rows(),
            columns: y,
        },
    ))
}

/// Column `name` of both datasets, fitted and standardised on the reference.
fn standard_pair(
    reference: &Dataset,
    current: &Dataset,
    name: &str,
    kind: ColumnKind,
) -> Result<(StandardColumn, StandardColumn), String> {
    if Reading::of(name, kind)? == Reading::Numbers {
        let x_arrays = number_arrays(reference, name)?;
        let fill = number_fill(&x_arrays);
        // The filled column's mean is `fill`; its missing rows add nothing here.
        let mut squares = 0.0;
        each_number_run(&x_arrays, |run| {
            for v in run.iter().filter(|v| !v.is_nan()) {
                squares += (v - fill) * (v - fill);
            }
        });
        let sd = standard_deviation(squares, reference.num_rows());
        let numbers = |arrays: Vec<Float64Array>| {
            let firsts = arrays
                .iter()
                .scan(0, |first, a| {
                    let this = *first;
                    *first += a.len();
                    Some(this)
                })
                .collect();
            StandardColumn::Numbers {
                arrays,
                firsts,
                mean: fill,
                sd,
            }
        };
        return Ok((numbers(x_arrays), numbers(number_arrays(current, name)?)));
    }
    let mut x = vec![0.0; reference.num_rows()];
    let mut y = vec![0.0; current.num_rows()];
    let fitted = fit(reference, name, kind, Some(&mut x))?;
    encode(current, name, &fitted, &mut y)?;
    let rows = x.len().max(1) as f64;
    // ndarray's sum: its eight-lane order, as numpy's pairwise sum is nearly.
    let mean = ArrayView1::from(&x).sum() / rows;
    let squares = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
    let sd = standard_deviation(squares, x.len());
    for v in x.iter_mut().chain(y.iter_mut()) {
        *v = (*v - mean) / sd;
    }
    Ok((StandardColumn::Values(x), StandardColumn::Values(y)))
}

/// The population standard deviation from the sum of squared deviations; 1 where it is 0
/// (a constant column stays as it is, as `StandardScaler` leaves it).
fn standard_deviation(squares: f64, rows: usize) -> f64 {
    let variance = squares / rows.max(1) as f64;
    if variance > 0.0 { variance.sqrt() } else { 1.0 }
}

impl Rows for Standardised {
    fn rows(&self) -> usize {
        self.rows
    }

    fn columns(&self) -> usize {
        self.columns.len()
    }

    fn fill(&self, start: usize, out: &mut ArrayViewMut2<f64>) {
        for (column, mut out) in self.columns.iter().zip(out.columns_mut()) {
            match out.as_slice_mut() {
                Some(out) => column.fill(start, out),
                None => {
                    let mut contiguous = vec![0.0; out.len()];
                    column.fill(start, &mut contiguous);
                    out.assign(&ArrayView1::from(&contiguous));
                }
            }
        }
    }
}

impl StandardColumn {
    /// Rows `start .. start + out.len()` into `out`; a tile may span arrays.
    fn fill(&self, start: usize, out: &mut [f64]) {
        let (arrays, firsts, mean, sd) = match self {
            Self::Values(values) => {
                out.copy_from_slice(&values[start..start + out.len()]);
                return;
            }
            Self::Numbers {
                arrays,
                firsts,
                mean,
                sd,
            } => (arrays, firsts, *mean, *sd),
        };
        // The last array starting at or before `start` holds it (empty ones are passed by).
        let mut k = firsts.partition_point(|f| *f <= start).saturating_sub(1);
        let mut offset = start - firsts.get(k).copied().unwrap_or(0);
        let mut out = out;
        while !out.is_empty() {
            let Some(array) = arrays.get(k) else { break };
            let take = out.len().min(array.len().saturating_sub(offset));
            let (part, rest) = out.split_at_mut(take);
            numbers_into(array, offset, part, 0.0, |v| (v - mean) / sd);
            out = rest;
            k += 1;
            offset = 0;
        }
    }
}

/// The mean of a column's numbers (0 when it has none): what fills a missing one.
fn number_fill(arrays: &[Float64Array]) -> f64 {
    let (mut sum, mut count) = (0.0, 0usize);
    each_number_run(arrays, |run| {
        for v in run.iter().filter(|v| !v.is_nan()) {
            sum += v;
            count += 1;
        }
    });
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// Column `name` fitted on the reference `dataset`; with `out`, the reference's values
/// encoded into it as well (a category's label is looked up once, for both).
fn fit(
    dataset: &Dataset,
    name: &str,
    kind: ColumnKind,
    out: Option<&mut [f64]>,
) -> Result<Fitted, String> {
    let fitted = match Reading::of(name, kind)? {
        Reading::Numbers => {
            let fitted = Fitted::Number {
                fill: number_fill(&number_arrays(dataset, name)?),
            };
            if let Some(out) = out {
                encode(dataset, name, &fitted, out)?;
            }
            fitted
        }
        Reading::Labels => {
            // Each label's index in `counts`; a row's index goes into `out` until the
            // shares are known (exact as a float: fewer than 2⁵³ labels), NaN for a null.
            let mut index: LabelMap<usize> = LabelMap::default();
            let mut counts: Vec<usize> = Vec::new();
            let mut nulls = 0usize;
            let mut out = out;
            let mut row = 0;
            each_label(dataset, name, |label| {
                let code = match label {
                    None => {
                        nulls += 1;
                        f64::NAN
                    }
                    Some(l) => {
                        let k = match index.get(l) {
                            Some(k) => *k,
                            None => {
                                index.insert(l.to_string(), counts.len());
                                counts.push(0);
                                counts.len() - 1
                            }
                        };
                        counts[k] += 1;
                        k as f64
                    }
                };
                if let Some(slot) = out.as_deref_mut().and_then(|o| o.get_mut(row)) {
                    *slot = code;
                }
                row += 1;
            })?;
            let total = dataset.num_rows().max(1) as f64;
            let shares: Vec<f64> = counts.iter().map(|c| *c as f64 / total).collect();
            let null_share = nulls as f64 / total;
            if let Some(out) = out {
                for v in out.iter_mut().take(row) {
                    *v = if v.is_nan() {
                        null_share
                    } else {
                        shares[*v as usize]
                    };
                }
            }
            Fitted::Category {
                shares: index.into_iter().map(|(l, k)| (l, shares[k])).collect(),
                null_share,
            }
        }
    };
    Ok(fitted)
}

/// Column `name` of `dataset` encoded as `fitted` says, into `out` (a value per row).
fn encode(dataset: &Dataset, name: &str, fitted: &Fitted, out: &mut [f64]) -> Result<(), String> {
    let mut slots = out.iter_mut();
    let mut put = |v: f64| {
        if let Some(slot) = slots.next() {
            *slot = v;
        }
    };
    match fitted {
        Fitted::Number { fill } => each_number(dataset, name, |v| {
            put(if v.is_nan() { *fill } else { v });
        })?,
        Fitted::Category { shares, null_share } => each_label(dataset, name, |label| {
            put(match label {
                None => *null_share,
                Some(l) => shares.get(l).copied().unwrap_or(0.0),
            });
        })?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use ndarray::Array2;
    use seismo_stats::random::SplitMix64;

    use super::*;

    /// Batches of the given sizes (empty ones too) of a float column with nulls, NaN, ±∞
    /// and −0.0, an integer column with nulls, and a categorical column with nulls.
    fn dataset(sizes: &[usize], seed: u64) -> Dataset {
        let schema = Arc::new(Schema::new(vec![
            Field::new("x", DataType::Float64, true),
            Field::new("n", DataType::Int64, true),
            Field::new("c", DataType::Utf8, true),
        ]));
        let mut rng = SplitMix64::new(seed);
        let batches = sizes
            .iter()
            .map(|&size| {
                let mut draw = || rng.uniform();
                let x: Float64Array = (0..size)
                    .map(|_| match draw() {
                        u if u < 0.05 => None,
                        u if u < 0.07 => Some(f64::NAN),
                        u if u < 0.08 => Some(f64::INFINITY),
                        u if u < 0.09 => Some(-0.0),
                        u => Some(u * 100.0 - 30.0),
                    })
                    .collect();
                let n: Int64Array = (0..size)
                    .map(|_| (draw() > 0.1).then(|| (draw() * 7.0) as i64))
                    .collect();
                let c: StringArray = (0..size)
                    .map(|_| match draw() {
                        u if u < 0.1 => None,
                        u if u < 0.5 => Some("a"),
                        u if u < 0.8 => Some("b"),
                        _ => Some("c"),
                    })
                    .collect();
                let columns: Vec<ArrayRef> = vec![Arc::new(x), Arc::new(n), Arc::new(c)];
                RecordBatch::try_new(schema.clone(), columns).unwrap()
            })
            .collect();
        Dataset::from_batches(schema, batches).unwrap()
    }

    /// The encoded matrix's columns standardised on the reference's, the plain way.
    fn standardised_matrices(x: &mut Array2<f64>, y: &mut Array2<f64>) {
        for (mut reference, mut current) in x.columns_mut().into_iter().zip(y.columns_mut()) {
            let n = reference.len() as f64;
            let mean = reference.sum() / n;
            let variance = reference
                .iter()
                .map(|v| (v - mean) * (v - mean))
                .sum::<f64>()
                / n;
            let sd = if variance > 0.0 { variance.sqrt() } else { 1.0 };
            reference.mapv_inplace(|v| (v - mean) / sd);
            current.mapv_inplace(|v| (v - mean) / sd);
        }
    }

    #[test]
    fn tiles_read_across_batches_equal_the_standardised_matrix() {
        let reference = dataset(&[3, 0, 700, 5, 1000, 1, 0], 1);
        let current = dataset(&[0, 1200, 9], 2);
        let columns: Vec<(String, ColumnKind)> = vec![
            ("x".into(), ColumnKind::Numeric),
            ("n".into(), ColumnKind::Numeric),
            ("c".into(), ColumnKind::Categorical),
        ];
        let (x, y) = standardised(&reference, &current, &columns, 2).unwrap();
        let (mut mx, mut my) = count_encoded(&reference, &current, &columns, 1).unwrap();
        standardised_matrices(&mut mx, &mut my);
        let windows = [
            (0, 1709),
            (2, 5),
            (700, 10),
            (702, 512),
            (1708, 1),
            (3, 703),
        ];
        for (rows, expected) in [(&x, &mx), (&y, &my)] {
            assert_eq!((rows.rows(), rows.columns()), expected.dim());
            for (start, t) in windows.into_iter().filter(|(s, t)| s + t <= rows.rows()) {
                // A column-major tile (the PCA's) and a row-major one (columns not contiguous).
                for mut out in [Array2::zeros((t, 3).f()), Array2::zeros((t, 3))] {
                    rows.fill(start, &mut out.view_mut());
                    for ((i, j), got) in out.indexed_iter() {
                        let want = expected[[start + i, j]];
                        assert!(
                            (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                            "row {} column {j}: {got} against {want}",
                            start + i
                        );
                    }
                }
            }
        }
    }
}
