//! 128-bit hashes of rows and values, for uniqueness, duplicate rows, overlap with a
//! reference and conflicting labels: exact in practice (two rows collide with probability
//! about 2⁻¹²⁸) without keeping the rows.
//!
//! Values hash by what they mean, not how they are stored: an `Int64` 3 and a `Float64` 3.0
//! hash alike, so a CSV and a Parquet file of the same data compare equal; text by its
//! bytes; times as UTC microseconds; NaN as null.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_cast::cast;
use arrow_schema::{ArrowError, DataType, TimeUnit};
use seismo_expr::Type;

const NULL: u64 = 0x6e75_6c6c_6e75_6c6c;

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Two independent 64-bit lanes.
#[derive(Clone, Copy)]
struct Lanes(u64, u64);

impl Lanes {
    const START: Self = Self(0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344);

    fn add(self, v: u64) -> Self {
        Self(
            splitmix(self.0 ^ v),
            splitmix(self.1 ^ v.rotate_left(32) ^ 0xa409_3822_299f_31d0),
        )
    }

    fn add_bytes(mut self, bytes: &[u8]) -> Self {
        self = self.add(bytes.len() as u64);
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self = self.add(u64::from_le_bytes(word));
        }
        self
    }

    fn value(self) -> u128 {
        (u128::from(self.0) << 64) | u128::from(self.1)
    }
}

/// A column normalized for hashing: numbers as `f64` (one zero), text as `Utf8`, times as `i64` µs,
/// booleans as they are, anything else as its display text.
pub(crate) fn normalize(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    Ok(match Type::of(array.data_type()) {
        Some(Type::Number) => {
            seismo_stats::values::canonical_zeros(&cast(array, &DataType::Float64)?)
        }
        Some(Type::Time) => {
            let utc = DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("+00:00")));
            cast(&cast(array, &utc)?, &DataType::Int64)?
        }
        Some(Type::Boolean) => array.clone(),
        _ => match cast(array, &DataType::Utf8) {
            Ok(text) => text,
            // Nested columns (structs, lists, maps) have no cast to text, but a display.
            Err(_) => display_text(array)?,
        },
    })
}

/// Each value's display text (`{x: 1.0, y: -1.0}`, `[a, b]`), nulls kept.
fn display_text(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    use arrow_cast::display::{ArrayFormatter, FormatOptions};
    let formatter = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default())?;
    let text: arrow_array::StringArray = (0..array.len())
        .map(|i| array.is_valid(i).then(|| formatter.value(i).to_string()))
        .collect();
    Ok(Arc::new(text))
}

/// Adds row `i` of a normalized column to `lanes`.
fn add_cell(lanes: Lanes, column: &ArrayRef, i: usize) -> Lanes {
    if column.is_null(i) {
        return lanes.add(NULL);
    }
    match column.data_type() {
        DataType::Float64 => {
            let v = column.as_primitive::<Float64Type>().value(i);
            if v.is_nan() {
                lanes.add(NULL)
            } else {
                // -0.0 and 0.0 are one value.
                lanes.add(1).add(seismo_stats::sort::canonical(v).to_bits())
            }
        }
        DataType::Int64 => lanes
            .add(2)
            .add(column.as_primitive::<Int64Type>().value(i) as u64),
        DataType::Boolean => lanes.add(3).add(u64::from(column.as_boolean().value(i))),
        _ => lanes
            .add(4)
            .add_bytes(column.as_string::<i32>().value(i).as_bytes()),
    }
}

/// The hash of each row over the given normalized columns.
pub(crate) fn row_hashes(columns: &[ArrayRef], rows: usize) -> Vec<u128> {
    (0..rows)
        .map(|i| {
            columns
                .iter()
                .fold(Lanes::START, |lanes, column| add_cell(lanes, column, i))
                .value()
        })
        .collect()
}

/// Whether row `i` of a normalized column is null (or NaN).
pub(crate) fn is_missing(column: &ArrayRef, i: usize) -> bool {
    column.is_null(i)
        || (column.data_type() == &DataType::Float64
            && column.as_primitive::<Float64Type>().value(i).is_nan())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float64Array, Int32Array, StringArray};

    #[test]
    fn values_hash_by_meaning() {
        let ints: ArrayRef = Arc::new(Int32Array::from(vec![Some(3), None, Some(0)]));
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![3.0, f64::NAN, -0.0]));
        let text: ArrayRef = Arc::new(StringArray::from(vec!["3", "", "0"]));
        let (ints, floats, text) = (
            normalize(&ints).unwrap(),
            normalize(&floats).unwrap(),
            normalize(&text).unwrap(),
        );
        let a = row_hashes(&[ints], 3);
        let b = row_hashes(&[floats], 3);
        let c = row_hashes(&[text], 3);
        assert_eq!(a, b, "3 = 3.0, null = NaN, 0 = -0.0");
        assert_ne!(a[0], c[0], "the number 3 is not the text \"3\"");
        assert_ne!(c[1], b[1], "the empty string is not null");
    }

    #[test]
    fn column_order_and_boundaries_matter() {
        let ab: ArrayRef = Arc::new(StringArray::from(vec!["ab"]));
        let a: ArrayRef = Arc::new(StringArray::from(vec!["a"]));
        let b: ArrayRef = Arc::new(StringArray::from(vec!["b"]));
        let empty: ArrayRef = Arc::new(StringArray::from(vec![""]));
        assert_ne!(
            row_hashes(&[a.clone(), b.clone()], 1),
            row_hashes(&[b, a.clone()], 1)
        );
        assert_ne!(
            row_hashes(&[ab, empty.clone()], 1),
            row_hashes(&[a, empty], 1)
        );
    }
}
