//! Errors of the statistics kernels.

/// An error raised by a kernel, a sketch or a profile.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// Bytes that do not decode as the sketch they claim to be.
    #[error("cannot decode {0}")]
    Sketch(String),
    /// A column's values are not of the kind the schema says.
    #[error("column `{column}` is {kind} in the schema but holds {found} values")]
    ColumnType {
        /// The column.
        column: String,
        /// The kind the schema gives it.
        kind: seismo_core::ColumnKind,
        /// The Arrow type found.
        found: String,
    },
    /// A record batch lacks a column of the profile.
    #[error("column `{0}` is missing from the data")]
    MissingColumn(String),
    /// Two profiles of different columns cannot be merged.
    #[error("cannot merge profiles of different columns: {0}")]
    Incompatible(String),
    /// A saved profile that cannot be read.
    #[error("not a seismo profile: {0}")]
    BadProfile(String),
}
