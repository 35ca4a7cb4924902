//! Making Arrow arrays printable without a time-zone database.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};

/// Whether a time-zone name is an offset (`+02:00`, `-0500`, `Z`) Arrow can format alone.
fn is_offset(tz: &str) -> bool {
    tz == "Z" || tz.starts_with(['+', '-'])
}

/// The array with timestamps of a named zone (`UTC`, `Europe/Berlin`) relabelled with the
/// UTC offset `+00:00`. The stored values are UTC instants either way, so the instants do not
/// change; only formatting (CSV, JSON, samples) then needs no time-zone database. Other
/// arrays are returned as they are.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, TimestampSecondArray};
/// use arrow_cast::display::ArrayFormatter;
/// use seismo_core::with_utc_offsets;
///
/// let named: ArrayRef = Arc::new(TimestampSecondArray::from(vec![0]).with_timezone("UTC"));
/// let shown = with_utc_offsets(&named);
/// let text = ArrayFormatter::try_new(shown.as_ref(), &Default::default()).unwrap().value(0).to_string();
/// assert_eq!(text, "1970-01-01T00:00:00Z");
/// ```
pub fn with_utc_offsets(array: &ArrayRef) -> ArrayRef {
    let DataType::Timestamp(unit, Some(tz)) = array.data_type() else {
        return array.clone();
    };
    if is_offset(tz) {
        return array.clone();
    }
    match unit {
        TimeUnit::Second => Arc::new(
            array
                .as_primitive::<TimestampSecondType>()
                .clone()
                .with_timezone("+00:00"),
        ),
        TimeUnit::Millisecond => Arc::new(
            array
                .as_primitive::<TimestampMillisecondType>()
                .clone()
                .with_timezone("+00:00"),
        ),
        TimeUnit::Microsecond => Arc::new(
            array
                .as_primitive::<TimestampMicrosecondType>()
                .clone()
                .with_timezone("+00:00"),
        ),
        TimeUnit::Nanosecond => Arc::new(
            array
                .as_primitive::<TimestampNanosecondType>()
                .clone()
                .with_timezone("+00:00"),
        ),
    }
}

/// A batch with [`with_utc_offsets`] applied to every column.
pub fn batch_with_utc_offsets(batch: &RecordBatch) -> RecordBatch {
    let columns: Vec<ArrayRef> = batch.columns().iter().map(with_utc_offsets).collect();
    let fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .zip(&columns)
        .map(|(f, c)| f.as_ref().clone().with_data_type(c.data_type().clone()))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .expect("same columns, same lengths")
}
