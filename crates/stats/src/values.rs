//! Reading the values of Arrow arrays as plain `f64`s and `&str`s.
//!
//! Kernels in this crate work on slices; these adapters are the one place that knows Arrow's
//! many physical types. Nulls are skipped: callers count them from the array's null count.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, PrimitiveArray};
use arrow_schema::{DataType, TimeUnit};

fn collect<T: ArrowPrimitiveType>(
    array: &PrimitiveArray<T>,
    f: impl Fn(T::Native) -> f64,
) -> Vec<f64> {
    let values = array.values();
    match array.nulls().filter(|n| n.null_count() > 0) {
        None => values.iter().map(|&v| f(v)).collect(),
        Some(nulls) => {
            let mut out = Vec::with_capacity(values.len() - nulls.null_count());
            // The runs of valid values between nulls, each copied at once: no test per row.
            for (start, end) in nulls.inner().set_slices() {
                out.extend(values[start..end].iter().map(|&v| f(v)));
            }
            out
        }
    }
}

/// The non-null values of a numeric array as `f64`, in order. `None` when the array is not
/// numeric. Decimals are scaled; 64-bit integers beyond 2^53 lose precision as `f64` does.
pub fn numeric_values(array: &dyn Array) -> Option<Vec<f64>> {
    Some(match array.data_type() {
        DataType::Float64 => collect(array.as_primitive::<Float64Type>(), |v| v),
        DataType::Float32 => collect(array.as_primitive::<Float32Type>(), f64::from),
        DataType::Float16 => collect(array.as_primitive::<Float16Type>(), |v| v.to_f64()),
        DataType::Int8 => collect(array.as_primitive::<Int8Type>(), f64::from),
        DataType::Int16 => collect(array.as_primitive::<Int16Type>(), f64::from),
        DataType::Int32 => collect(array.as_primitive::<Int32Type>(), f64::from),
        DataType::Int64 => collect(array.as_primitive::<Int64Type>(), |v| v as f64),
        DataType::UInt8 => collect(array.as_primitive::<UInt8Type>(), f64::from),
        DataType::UInt16 => collect(array.as_primitive::<UInt16Type>(), f64::from),
        DataType::UInt32 => collect(array.as_primitive::<UInt32Type>(), f64::from),
        DataType::UInt64 => collect(array.as_primitive::<UInt64Type>(), |v| v as f64),
        DataType::Decimal32(_, scale) => {
            let s = 10f64.powi(i32::from(*scale));
            collect(array.as_primitive::<Decimal32Type>(), |v| f64::from(v) / s)
        }
        DataType::Decimal64(_, scale) => {
            let s = 10f64.powi(i32::from(*scale));
            collect(array.as_primitive::<Decimal64Type>(), |v| v as f64 / s)
        }
        DataType::Decimal128(_, scale) => {
            let s = 10f64.powi(i32::from(*scale));
            collect(array.as_primitive::<Decimal128Type>(), |v| v as f64 / s)
        }
        DataType::Decimal256(_, scale) => {
            let s = 10f64.powi(i32::from(*scale));
            collect(array.as_primitive::<Decimal256Type>(), |v| {
                match v.to_i128() {
                    Some(small) => small as f64 / s,
                    None => v.to_string().parse::<f64>().unwrap_or(f64::NAN) / s,
                }
            })
        }
        DataType::Dictionary(..) => {
            let dict = array.as_any_dictionary();
            let values = numeric_values(dict.values().as_ref())?;
            dict.normalized_keys()
                .into_iter()
                .enumerate()
                .filter(|(i, _)| array.is_valid(*i))
                .map(|(_, k)| values.get(k).copied().unwrap_or(f64::NAN))
                .collect()
        }
        _ => return None,
    })
}

/// A float array with every `-0.0` made `0.0` (see [`crate::sort::canonical`]); any other
/// array, or a float array without negative zeros, is returned as it is.
///
/// For code that hands floats to Arrow kernels which compare, hash or format by bits (Arrow's
/// float ordering is the IEEE total order, in which `-0.0 < 0.0`; its text of `-0.0` is `-0`).
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Float32Array, cast::AsArray, types::Float32Type};
/// use seismo_stats::values::canonical_zeros;
///
/// let a: ArrayRef = Arc::new(Float32Array::from(vec![-0.0, 1.5]));
/// let c = canonical_zeros(&a);
/// assert!(c.as_primitive::<Float32Type>().value(0).is_sign_positive());
/// ```
pub fn canonical_zeros(array: &ArrayRef) -> ArrayRef {
    fn fix<T: ArrowPrimitiveType>(
        array: &ArrayRef,
        negative_zero: impl Fn(&T::Native) -> bool,
        zero: T::Native,
    ) -> ArrayRef {
        let floats = array.as_primitive::<T>();
        if !floats.values().iter().any(&negative_zero) {
            return array.clone();
        }
        std::sync::Arc::new(floats.unary::<_, T>(|v| if negative_zero(&v) { zero } else { v }))
    }
    match array.data_type() {
        DataType::Float64 => fix::<Float64Type>(array, |v| *v == 0.0 && v.is_sign_negative(), 0.0),
        DataType::Float32 => fix::<Float32Type>(array, |v| *v == 0.0 && v.is_sign_negative(), 0.0),
        DataType::Float16 => fix::<Float16Type>(
            array,
            |v| v.to_f64() == 0.0 && v.is_sign_negative(),
            half::f16::ZERO,
        ),
        _ => array.clone(),
    }
}

/// The non-null values of a date or timestamp array as seconds since the Unix epoch (UTC),
/// with sub-second parts as fractions. `None` when the array is not temporal.
pub fn datetime_seconds(array: &dyn Array) -> Option<Vec<f64>> {
    Some(match array.data_type() {
        DataType::Timestamp(unit, _) => {
            let per_second = match unit {
                TimeUnit::Second => 1.0,
                TimeUnit::Millisecond => 1e3,
                TimeUnit::Microsecond => 1e6,
                TimeUnit::Nanosecond => 1e9,
            };
            // All timestamp arrays share the i64 layout; read them through one type.
            let ints = array.to_data();
            let ints = PrimitiveArray::<Int64Type>::from(
                ints.into_builder()
                    .data_type(DataType::Int64)
                    .build()
                    .ok()?,
            );
            collect(&ints, |v| v as f64 / per_second)
        }
        DataType::Date32 => collect(array.as_primitive::<Date32Type>(), |d| {
            f64::from(d) * 86_400.0
        }),
        DataType::Date64 => collect(array.as_primitive::<Date64Type>(), |ms| ms as f64 / 1e3),
        _ => return None,
    })
}

/// Calls `f` once per distinct non-null string of a string or dictionary array, with how
/// many times it occurs in the array. Returns `false` when the array holds no strings.
///
/// Dictionary arrays are counted by key first, so each distinct value is visited once.
pub fn count_strings(array: &dyn Array, mut f: impl FnMut(&str, u64)) -> bool {
    match array.data_type() {
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .flatten()
            .for_each(|s| f(s, 1)),
        DataType::LargeUtf8 => array
            .as_string::<i64>()
            .iter()
            .flatten()
            .for_each(|s| f(s, 1)),
        DataType::Utf8View => array
            .as_string_view()
            .iter()
            .flatten()
            .for_each(|s| f(s, 1)),
        DataType::Dictionary(_, value) if is_string(value) => {
            let dict = array.as_any_dictionary();
            let mut counts = vec![0u64; dict.values().len()];
            for (i, key) in dict.normalized_keys().into_iter().enumerate() {
                if array.is_valid(i) && key < counts.len() {
                    counts[key] += 1;
                }
            }
            let values = dict.values();
            let mut visit = |i: usize, s: &str| {
                if counts[i] > 0 {
                    f(s, counts[i]);
                }
            };
            match values.data_type() {
                DataType::Utf8 => values
                    .as_string::<i32>()
                    .iter()
                    .enumerate()
                    .for_each(|(i, s)| visit(i, s.unwrap_or(""))),
                DataType::LargeUtf8 => values
                    .as_string::<i64>()
                    .iter()
                    .enumerate()
                    .for_each(|(i, s)| visit(i, s.unwrap_or(""))),
                _ => values
                    .as_string_view()
                    .iter()
                    .enumerate()
                    .for_each(|(i, s)| visit(i, s.unwrap_or(""))),
            }
        }
        _ => return false,
    }
    true
}

fn is_string(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

/// The counts of `false` and `true` in a boolean array, nulls skipped. `None` when the array
/// is not boolean.
pub fn count_booleans(array: &dyn Array) -> Option<(u64, u64)> {
    if array.data_type() != &DataType::Boolean {
        return None;
    }
    let array = array.as_boolean();
    let trues = array.true_count() as u64;
    let valid = (array.len() - array.null_count()) as u64;
    Some((valid - trues, trues))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        BooleanArray, Decimal128Array, DictionaryArray, Int32Array, StringArray,
        TimestampMillisecondArray,
    };

    #[test]
    fn numeric_values_skip_nulls_and_scale_decimals() {
        let ints = Int32Array::from(vec![Some(1), None, Some(-3)]);
        assert_eq!(numeric_values(&ints).unwrap(), vec![1.0, -3.0]);
        let dec = Decimal128Array::from(vec![Some(12345), None])
            .with_precision_and_scale(10, 2)
            .unwrap();
        assert_eq!(numeric_values(&dec).unwrap(), vec![123.45]);
        assert!(numeric_values(&StringArray::from(vec!["a"])).is_none());
    }

    #[test]
    fn timestamps_become_epoch_seconds() {
        let ts = TimestampMillisecondArray::from(vec![Some(1_500), None]);
        assert_eq!(datetime_seconds(&ts).unwrap(), vec![1.5]);
    }

    #[test]
    fn strings_and_dictionaries_are_counted() {
        let mut seen = Vec::new();
        let plain = StringArray::from(vec![Some("a"), None, Some("b"), Some("a")]);
        assert!(count_strings(&plain, |s, n| seen.push((s.to_owned(), n))));
        assert_eq!(seen.len(), 3);
        let dict: DictionaryArray<Int32Type> = vec![Some("x"), Some("y"), None, Some("x")]
            .into_iter()
            .collect();
        let mut counted = Vec::new();
        assert!(count_strings(&dict, |s, n| counted.push((s.to_owned(), n))));
        counted.sort();
        assert_eq!(counted, vec![("x".to_owned(), 2), ("y".to_owned(), 1)]);
        let bools = BooleanArray::from(vec![Some(true), None, Some(false), Some(true)]);
        assert_eq!(count_booleans(&bools), Some((1, 2)));
    }
}
