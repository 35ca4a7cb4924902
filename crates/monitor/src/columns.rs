//! Records as columns: the one shape the service validates, summarizes, stores and reads.
//!
//! A `Log` batch arrives as rows (`Record`s with feature maps, convenient for applications)
//! or as [`Columns`] (packed lists, the fast path). Rows are turned into columns here;
//! both are then checked against the model's schema and normalized so that `features` holds
//! every schema feature in schema order. Everything downstream (window summaries, the
//! store's encoding, Arrow for rules and reports) reads that normalized shape.

use std::collections::HashMap;
use std::sync::Arc;

use crate::invalid::Invalid;
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema as ArrowSchema, SchemaRef, TimeUnit};
use seismo_core::ColumnKind;

use crate::record::{Columns, FeatureValues};

/// Which list of a [`FeatureValues`] holds values of a kind.
fn list_of(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Numeric | ColumnKind::Datetime => "numbers",
        ColumnKind::Categorical | ColumnKind::Text => "texts",
        ColumnKind::Boolean => "booleans",
    }
}

/// A model's features: names, kinds, and positions by name.
#[derive(Debug, Clone)]
pub struct FeatureSchema {
    /// The features in schema order.
    pub features: Vec<(String, ColumnKind)>,
    index: HashMap<String, usize>,
    arrow: SchemaRef,
    seismo: seismo_core::Schema,
}

/// Column names the service gives the prediction and label in rules and reports; features
/// cannot take them.
pub const PREDICTION: &str = "prediction";
/// See [`PREDICTION`].
pub const LABEL: &str = "label";

impl FeatureSchema {
    /// Reads a registration's schema; errors name `schema[i]`.
    pub fn new(columns: &[crate::record::FeatureSpec]) -> Result<Self, Invalid> {
        let mut features = Vec::new();
        let mut index = HashMap::new();
        for (i, column) in columns.iter().enumerate() {
            let kind = column.kind.parse::<ColumnKind>().ok().ok_or_else(|| {
                Invalid::new(format!(
                    "schema[{i}].kind: `{}` is not numeric, categorical, boolean, text or datetime",
                    column.kind
                ))
            })?;
            if column.name.is_empty() || column.name == PREDICTION || column.name == LABEL {
                return Err(Invalid::new(format!(
                    "schema[{i}].name: `{}` cannot name a feature (empty, or reserved for the \
                     prediction and label)",
                    column.name
                )));
            }
            if index.insert(column.name.clone(), i).is_some() {
                return Err(Invalid::new(format!(
                    "schema[{i}].name: `{}` appears twice",
                    column.name
                )));
            }
            features.push((column.name.clone(), kind));
        }
        let mut fields: Vec<Field> = features
            .iter()
            .map(|(name, kind)| Field::new(name, arrow_type(*kind), true))
            .collect();
        fields.push(Field::new(PREDICTION, DataType::Float64, false));
        fields.push(Field::new(LABEL, DataType::Float64, true));
        let arrow = ArrowSchema::new(fields);
        Ok(Self {
            seismo: seismo_schema(&arrow, &features),
            features,
            index,
            arrow: Arc::new(arrow),
        })
    }

    /// The position of a feature in the schema.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The seismo schema of [`to_arrow`]'s batches: kinds, and the prediction and label
    /// roles.
    pub fn seismo_schema(&self) -> &seismo_core::Schema {
        &self.seismo
    }
}

/// The seismo schema of the Arrow one: `prediction` and `label` get their roles, text
/// features the text kind (Arrow strings map to categorical).
fn seismo_schema(arrow: &ArrowSchema, features: &[(String, ColumnKind)]) -> seismo_core::Schema {
    let mut schema = seismo_core::Schema::from_arrow(arrow);
    for column in &mut schema.columns {
        column.role = match column.name.as_str() {
            PREDICTION => seismo_core::ColumnRole::Prediction,
            LABEL => seismo_core::ColumnRole::Target,
            _ => seismo_core::ColumnRole::Feature,
        };
        if features
            .iter()
            .any(|(name, kind)| *name == column.name && *kind == ColumnKind::Text)
        {
            column.kind = seismo_core::ColumnKind::Text;
        }
    }
    schema
}

fn arrow_type(kind: ColumnKind) -> DataType {
    match kind {
        ColumnKind::Numeric => DataType::Float64,
        ColumnKind::Datetime => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        ColumnKind::Categorical | ColumnKind::Text => DataType::Utf8,
        ColumnKind::Boolean => DataType::Boolean,
    }
}

/// The number of records in a batch.
pub fn len(columns: &Columns) -> usize {
    columns.time_micros.len()
}

/// The error for a feature the schema does not have, at `at`.
pub fn unknown_feature(at: &str, schema: &FeatureSchema) -> Invalid {
    let names: Vec<&str> = schema.features.iter().map(|(n, _)| n.as_str()).collect();
    Invalid::new(format!(
        "{at}: not in the model's schema (features: {})",
        names.join(", ")
    ))
}

/// Checks the per-record fields every batch needs: a time after 1970, a finite prediction.
pub fn check_records(
    columns: &Columns,
    name: impl Fn(usize, &str) -> String,
) -> Result<(), Invalid> {
    if let Some(row) = columns.time_micros.iter().position(|&t| t <= 0) {
        return Err(Invalid::new(format!(
            "{}: {} is not after 1970",
            name(row, "time_micros"),
            columns.time_micros[row]
        )));
    }
    if let Some(row) = columns.predictions.iter().position(|p| !p.is_finite()) {
        return Err(Invalid::new(format!(
            "{}: {} is not a finite number",
            name(row, "prediction"),
            columns.predictions[row]
        )));
    }
    if let Some(row) = columns.labels.iter().position(|l| l.is_infinite()) {
        return Err(Invalid::new(format!(
            "{}: {} is not a finite number (NaN stands for no label)",
            name(row, "label"),
            columns.labels[row]
        )));
    }
    Ok(())
}

/// Checks columns sent as such and normalizes them (every schema feature, in schema
/// order); errors name `columns.field` and the record.
pub fn normalize(mut columns: Columns, schema: &FeatureSchema) -> Result<Columns, Invalid> {
    let n = columns.time_micros.len();
    let lengths = [
        ("predictions", columns.predictions.len(), false),
        ("ids", columns.ids.len(), true),
        ("labels", columns.labels.len(), true),
    ];
    for (field, found, may_be_empty) in lengths {
        if found != n && !(may_be_empty && found == 0) {
            return Err(Invalid::new(format!(
                "columns.{field}: {found} values for {n} records (time_micros){}",
                if may_be_empty {
                    "; send one per record or none"
                } else {
                    ""
                }
            )));
        }
    }
    if !matches!(columns.model_versions.len(), 0 | 1) && columns.model_versions.len() != n {
        return Err(Invalid::new(format!(
            "columns.model_versions: {} values for {n} records; send one per record, one for all, or none",
            columns.model_versions.len()
        )));
    }
    check_records(&columns, |row, field| {
        let list = match field {
            "prediction" => "predictions",
            "label" => "labels",
            other => other,
        };
        format!("columns.{list}[{row}]")
    })?;
    let mut slots: Vec<Option<FeatureValues>> = vec![None; schema.features.len()];
    for (i, column) in std::mem::take(&mut columns.features)
        .into_iter()
        .enumerate()
    {
        let at = format!("columns.features[{i}]");
        let Some(&f) = schema.index.get(&column.name) else {
            return Err(unknown_feature(
                &format!("{at}.name `{}`", column.name),
                schema,
            ));
        };
        if slots[f].is_some() {
            return Err(Invalid::new(format!(
                "{at}.name: `{}` appears twice",
                column.name
            )));
        }
        let kind = schema.features[f].1;
        let sizes = [
            ("numbers", column.numbers.len()),
            ("texts", column.texts.len()),
            ("booleans", column.booleans.len()),
        ];
        for (list, size) in sizes {
            let wanted = if list == list_of(kind) { n } else { 0 };
            if size != wanted {
                return Err(Invalid::new(format!(
                    "{at} `{}`: a {} feature takes {n} {} (one per record), found {size} {list}",
                    column.name,
                    kind.as_str(),
                    list_of(kind)
                )));
            }
        }
        if let Some(bad) = column.null_rows.iter().find(|&&r| r as usize >= n) {
            return Err(Invalid::new(format!(
                "{at} `{}`.null_rows: {bad} is not a record index (there are {n} records)",
                column.name
            )));
        }
        slots[f] = Some(column);
    }
    columns.features = slots
        .into_iter()
        .zip(&schema.features)
        .map(|(slot, (name, kind))| slot.unwrap_or_else(|| all_null(name, *kind, n)))
        .collect();
    Ok(columns)
}

/// A feature of `n` records, every value null (NaN numbers; texts and booleans listed in
/// `null_rows`).
pub fn all_null(name: &str, kind: ColumnKind, n: usize) -> FeatureValues {
    let mut column = FeatureValues {
        name: name.to_owned(),
        ..Default::default()
    };
    match kind {
        ColumnKind::Numeric | ColumnKind::Datetime => column.numbers = vec![f64::NAN; n],
        ColumnKind::Categorical | ColumnKind::Text => {
            column.texts = vec![String::new(); n];
            column.null_rows = (0..n as u32).collect();
        }
        ColumnKind::Boolean => {
            column.booleans = vec![false; n];
            column.null_rows = (0..n as u32).collect();
        }
    }
    column
}

/// Appends `b` to `a` (both normalized for one schema).
pub fn append(a: &mut Columns, b: Columns) {
    let (na, nb) = (len(a), len(&b));
    fill_optional(&mut a.ids, na, nb, &b.ids, String::new());
    fill_optional(&mut a.labels, na, nb, &b.labels, f64::NAN);
    let versions = |c: &Columns, n: usize| match c.model_versions.len() {
        0 => vec![String::new(); n],
        1 => vec![c.model_versions[0].clone(); n],
        _ => c.model_versions.clone(),
    };
    if a.model_versions != b.model_versions || a.model_versions.len() > 1 {
        let mut joined = versions(a, na);
        joined.extend(versions(&b, nb));
        a.model_versions = joined;
    }
    a.time_micros.extend(b.time_micros);
    a.predictions.extend(b.predictions);
    for (fa, fb) in a.features.iter_mut().zip(b.features) {
        fa.numbers.extend(fb.numbers);
        fa.texts.extend(fb.texts);
        fa.booleans.extend(fb.booleans);
        fa.null_rows
            .extend(fb.null_rows.into_iter().map(|r| r + na as u32));
    }
}

fn fill_optional<T: Clone>(a: &mut Vec<T>, na: usize, nb: usize, b: &[T], none: T) {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => {}
        (false, true) => a.extend(std::iter::repeat_n(none, nb)),
        (true, false) => {
            *a = vec![none; na];
            a.extend_from_slice(b);
        }
        (false, false) => a.extend_from_slice(b),
    }
}

/// The records at `rows`, in that order.
pub fn take(columns: &Columns, rows: &[usize]) -> Columns {
    let pick = |values: &[String]| rows.iter().map(|&r| values[r].clone()).collect();
    let mut new_index = vec![u32::MAX; len(columns)];
    for (i, &r) in rows.iter().enumerate() {
        new_index[r] = i as u32;
    }
    Columns {
        ids: if columns.ids.is_empty() {
            Vec::new()
        } else {
            pick(&columns.ids)
        },
        time_micros: rows.iter().map(|&r| columns.time_micros[r]).collect(),
        model_versions: if columns.model_versions.len() > 1 {
            pick(&columns.model_versions)
        } else {
            columns.model_versions.clone()
        },
        predictions: rows.iter().map(|&r| columns.predictions[r]).collect(),
        labels: if columns.labels.is_empty() {
            Vec::new()
        } else {
            rows.iter().map(|&r| columns.labels[r]).collect()
        },
        features: columns
            .features
            .iter()
            .map(|f| FeatureValues {
                name: f.name.clone(),
                numbers: if f.numbers.is_empty() {
                    Vec::new()
                } else {
                    rows.iter().map(|&r| f.numbers[r]).collect()
                },
                texts: if f.texts.is_empty() {
                    Vec::new()
                } else {
                    pick(&f.texts)
                },
                booleans: if f.booleans.is_empty() {
                    Vec::new()
                } else {
                    rows.iter().map(|&r| f.booleans[r]).collect()
                },
                null_rows: {
                    let mut nulls: Vec<u32> = f
                        .null_rows
                        .iter()
                        .map(|&r| new_index[r as usize])
                        .filter(|&r| r != u32::MAX)
                        .collect();
                    nulls.sort_unstable();
                    nulls
                },
            })
            .collect(),
    }
}

/// Splits a batch by the window `start` gives each time: (window start, its records). A batch
/// inside one window (the usual case) is returned whole, without copying.
pub fn split_by_window(columns: Columns, start: impl Fn(i64) -> i64) -> Vec<(i64, Columns)> {
    let Some(&first) = columns.time_micros.first() else {
        return Vec::new();
    };
    let first = start(first);
    if columns.time_micros.iter().all(|&t| start(t) == first) {
        return vec![(first, columns)];
    }
    let mut rows: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
    for (row, &t) in columns.time_micros.iter().enumerate() {
        rows.entry(start(t)).or_default().push(row);
    }
    rows.into_iter()
        .map(|(window, rows)| (window, take(&columns, &rows)))
        .collect()
}

/// Whether the text or boolean value at `row` is null, from a column's sorted `null_rows`.
pub fn null_mask(column: &FeatureValues, n: usize) -> Vec<bool> {
    let mut mask = vec![false; n];
    for &r in &column.null_rows {
        mask[r as usize] = true;
    }
    if !column.numbers.is_empty() {
        for (m, x) in mask.iter_mut().zip(&column.numbers) {
            *m |= x.is_nan();
        }
    }
    mask
}

/// The batch as a dataset of the model's schema (for rules, drift tests and reports).
pub fn to_dataset(columns: &Columns, schema: &FeatureSchema) -> seismo_core::Dataset {
    seismo_core::Dataset::new(
        schema.seismo.clone(),
        schema.arrow.clone(),
        vec![to_arrow(columns, schema)],
    )
    .expect("a batch built for this schema")
}

/// The batch as one Arrow record batch: the features in schema order, then `prediction`
/// and `label`.
pub fn to_arrow(columns: &Columns, schema: &FeatureSchema) -> RecordBatch {
    let n = len(columns);
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(schema.features.len() + 2);
    for (column, (_, kind)) in columns.features.iter().zip(&schema.features) {
        let nulls = null_mask(column, n);
        let array: ArrayRef = match kind {
            ColumnKind::Numeric => Arc::new(Float64Array::from_iter(
                column.numbers.iter().map(|&x| (!x.is_nan()).then_some(x)),
            )),
            ColumnKind::Datetime => Arc::new(
                TimestampMicrosecondArray::from_iter(
                    column
                        .numbers
                        .iter()
                        .map(|&x| (!x.is_nan()).then_some(x as i64)),
                )
                .with_timezone("UTC"),
            ),
            ColumnKind::Categorical | ColumnKind::Text => Arc::new(StringArray::from_iter(
                column
                    .texts
                    .iter()
                    .zip(&nulls)
                    .map(|(t, &null)| (!null).then_some(t.as_str())),
            )),
            ColumnKind::Boolean => Arc::new(BooleanArray::from_iter(
                column
                    .booleans
                    .iter()
                    .zip(&nulls)
                    .map(|(&b, &null)| (!null).then_some(b)),
            )),
        };
        arrays.push(array);
    }
    arrays.push(Arc::new(Float64Array::from(columns.predictions.clone())));
    let labels: Float64Array = if columns.labels.is_empty() {
        Float64Array::new_null(n)
    } else {
        Float64Array::from_iter(columns.labels.iter().map(|&l| (!l.is_nan()).then_some(l)))
    };
    arrays.push(Arc::new(labels));
    RecordBatch::try_new(schema.arrow.clone(), arrays)
        .expect("arrays built for this schema, one entry per record")
}
