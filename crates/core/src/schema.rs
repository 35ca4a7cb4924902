//! What each column is and what it is for.

use std::fmt;
use std::str::FromStr;

use arrow_schema::{DataType, Schema as ArrowSchema};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, UnknownWord};

/// What kind of values a column holds. It decides which statistics and tests apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Integers, floats and decimals: moments, quantiles, numeric drift tests.
    Numeric,
    /// A small set of labels stored as strings or dictionaries: frequencies, categorical tests.
    Categorical,
    /// True or false: treated as a two-valued categorical.
    Boolean,
    /// Free text: counts, distinct values and the most frequent values, no distribution tests.
    Text,
    /// Dates and timestamps: min, max and quantiles as instants.
    Datetime,
}

impl ColumnKind {
    /// The kind an Arrow type maps to when the user gives none.
    ///
    /// Strings map to [`ColumnKind::Categorical`]: the Arrow type cannot tell a category from
    /// free text, so `text` is only ever chosen by the user. Types seismo cannot analyse
    /// (lists, structs, binary) give `None`.
    pub fn from_arrow(data_type: &DataType) -> Option<Self> {
        use DataType::*;
        match data_type {
            Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 | Float16 | Float32
            | Float64 | Decimal32(..) | Decimal64(..) | Decimal128(..) | Decimal256(..) => {
                Some(Self::Numeric)
            }
            Utf8 | LargeUtf8 | Utf8View => Some(Self::Categorical),
            Dictionary(_, value) => Self::from_arrow(value),
            Boolean => Some(Self::Boolean),
            Date32 | Date64 | Timestamp(..) => Some(Self::Datetime),
            _ => None,
        }
    }

    /// The lowercase word used in files, flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Numeric => "numeric",
            Self::Categorical => "categorical",
            Self::Boolean => "boolean",
            Self::Text => "text",
            Self::Datetime => "datetime",
        }
    }
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ColumnKind {
    type Err = UnknownWord;
    fn from_str(s: &str) -> std::result::Result<Self, UnknownWord> {
        Ok(match s {
            "numeric" => Self::Numeric,
            "categorical" => Self::Categorical,
            "boolean" => Self::Boolean,
            "text" => Self::Text,
            "datetime" => Self::Datetime,
            _ => {
                return Err(UnknownWord::new(
                    "column kind",
                    s,
                    "numeric, categorical, boolean, text, datetime",
                ));
            }
        })
    }
}

/// What a column is for in a model's data. Drift and tests report prediction and target
/// columns apart from features.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnRole {
    /// An input of the model (the default).
    #[default]
    Feature,
    /// The model's output: a score, probability, class or value.
    Prediction,
    /// The ground truth label.
    Target,
    /// A record identifier: never tested for drift.
    Id,
    /// The event time of a record.
    Timestamp,
    /// A grouping column such as a demographic group or a model version.
    Group,
}

impl ColumnRole {
    /// The lowercase word used in files, flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feature => "feature",
            Self::Prediction => "prediction",
            Self::Target => "target",
            Self::Id => "id",
            Self::Timestamp => "timestamp",
            Self::Group => "group",
        }
    }
}

impl fmt::Display for ColumnRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ColumnRole {
    type Err = UnknownWord;
    fn from_str(s: &str) -> std::result::Result<Self, UnknownWord> {
        Ok(match s {
            "feature" => Self::Feature,
            "prediction" => Self::Prediction,
            "target" => Self::Target,
            "id" => Self::Id,
            "timestamp" => Self::Timestamp,
            "group" => Self::Group,
            _ => {
                return Err(UnknownWord::new(
                    "column role",
                    s,
                    "feature, prediction, target, id, timestamp, group",
                ));
            }
        })
    }
}

/// One column of a [`Schema`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// The column name as it appears in the data.
    pub name: String,
    /// What kind of values it holds.
    pub kind: ColumnKind,
    /// What the column is for.
    #[serde(default)]
    pub role: ColumnRole,
}

impl Column {
    /// A feature column of the given kind.
    pub fn new(name: impl Into<String>, kind: ColumnKind) -> Self {
        Self {
            name: name.into(),
            kind,
            role: ColumnRole::Feature,
        }
    }

    /// The same column with another role.
    pub fn with_role(mut self, role: ColumnRole) -> Self {
        self.role = role;
        self
    }
}

/// The columns of a dataset, in order, with their kinds and roles.
///
/// ```
/// use arrow_schema::{DataType, Field, Schema as ArrowSchema};
/// use seismo_core::{ColumnKind, ColumnRole, Schema};
///
/// let arrow = ArrowSchema::new(vec![
///     Field::new("age", DataType::Int64, true),
///     Field::new("country", DataType::Utf8, true),
///     Field::new("score", DataType::Float64, true),
/// ]);
/// let mut schema = Schema::from_arrow(&arrow);
/// schema.set_role("score", ColumnRole::Prediction).unwrap();
/// assert_eq!(schema.column("country").unwrap().kind, ColumnKind::Categorical);
/// assert_eq!(schema.with_role(ColumnRole::Prediction).next().unwrap().name, "score");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// The columns seismo can analyse, in the order of the data.
    pub columns: Vec<Column>,
    /// Columns of the data whose Arrow type seismo cannot analyse (lists, structs, binary,
    /// Arrow's `null` type), kept so that reports can say they were skipped, and why, rather
    /// than silently drop them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<Unsupported>,
}

/// A column seismo does not analyse, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsupported {
    /// Column name.
    pub name: String,
    /// Why it is not analysed, for reports (`nested (struct) columns are not analysed`).
    pub reason: String,
}

impl Unsupported {
    /// The reason a column of `data_type` is not analysed.
    pub fn reason_for(data_type: &DataType) -> String {
        use DataType::*;
        match data_type {
            Null => "every value is null (Arrow type null): nothing to analyse".into(),
            Struct(_) => "nested (struct) columns are not analysed".into(),
            List(_) | LargeList(_) | FixedSizeList(..) | ListView(_) | LargeListView(_) => {
                "nested (list) columns are not analysed".into()
            }
            Map(..) => "nested (map) columns are not analysed".into(),
            Union(..) => "union columns are not analysed".into(),
            Binary | LargeBinary | FixedSizeBinary(_) | BinaryView => {
                "binary columns are not analysed".into()
            }
            other => format!("columns of Arrow type {other} are not analysed"),
        }
    }
}

impl Schema {
    /// A schema with every analysable column as a feature of its default kind.
    pub fn from_arrow(arrow: &ArrowSchema) -> Self {
        let mut schema = Self::default();
        for field in arrow.fields() {
            match ColumnKind::from_arrow(field.data_type()) {
                Some(kind) => schema.columns.push(Column::new(field.name(), kind)),
                None => schema.unsupported.push(Unsupported {
                    name: field.name().clone(),
                    reason: Unsupported::reason_for(field.data_type()),
                }),
            }
        }
        schema
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column called `name` if it is one seismo does not analyse.
    pub fn unsupported(&self, name: &str) -> Option<&Unsupported> {
        self.unsupported.iter().find(|c| c.name == name)
    }

    fn column_mut(&mut self, name: &str) -> Result<&mut Column> {
        self.columns
            .iter_mut()
            .find(|c| c.name == name)
            .ok_or_else(|| Error::UnknownColumn {
                name: name.to_owned(),
            })
    }

    /// Gives the column called `name` a role.
    pub fn set_role(&mut self, name: &str, role: ColumnRole) -> Result<()> {
        self.column_mut(name)?.role = role;
        Ok(())
    }

    /// Overrides the kind the column called `name` was given.
    pub fn set_kind(&mut self, name: &str, kind: ColumnKind) -> Result<()> {
        self.column_mut(name)?.kind = kind;
        Ok(())
    }

    /// The columns with the given role, in order.
    pub fn with_role(&self, role: ColumnRole) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(move |c| c.role == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::{Field, TimeUnit};

    #[test]
    fn kinds_follow_arrow_types() {
        let cases = [
            (DataType::Int32, Some(ColumnKind::Numeric)),
            (DataType::Float64, Some(ColumnKind::Numeric)),
            (DataType::Decimal128(10, 2), Some(ColumnKind::Numeric)),
            (DataType::Utf8, Some(ColumnKind::Categorical)),
            (
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                Some(ColumnKind::Categorical),
            ),
            (DataType::Boolean, Some(ColumnKind::Boolean)),
            (
                DataType::Timestamp(TimeUnit::Microsecond, None),
                Some(ColumnKind::Datetime),
            ),
            (DataType::Date32, Some(ColumnKind::Datetime)),
            (DataType::Binary, None),
        ];
        for (data_type, kind) in cases {
            assert_eq!(ColumnKind::from_arrow(&data_type), kind, "{data_type}");
        }
    }

    #[test]
    fn unsupported_columns_are_kept_by_name() {
        let arrow = ArrowSchema::new(vec![
            Field::new("blob", DataType::Binary, true),
            Field::new("x", DataType::Float64, true),
        ]);
        let schema = Schema::from_arrow(&arrow);
        assert_eq!(schema.columns.len(), 1);
        assert_eq!(schema.unsupported.len(), 1);
        assert_eq!(schema.unsupported("blob").unwrap().name, "blob");
        assert_eq!(
            schema.unsupported[0].reason,
            "binary columns are not analysed"
        );
    }

    #[test]
    fn words_round_trip_and_unknown_words_are_errors() {
        for kind in ["numeric", "categorical", "boolean", "text", "datetime"] {
            assert_eq!(kind.parse::<ColumnKind>().unwrap().as_str(), kind);
        }
        for role in [
            "feature",
            "prediction",
            "target",
            "id",
            "timestamp",
            "group",
        ] {
            assert_eq!(role.parse::<ColumnRole>().unwrap().as_str(), role);
        }
        let err = "numerical".parse::<ColumnKind>().unwrap_err().to_string();
        assert!(
            err.contains("numerical") && err.contains("numeric, categorical"),
            "{err}"
        );
        let mut schema = Schema::default();
        assert!(schema.set_role("nope", ColumnRole::Target).is_err());
    }
}
