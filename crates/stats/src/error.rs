//! Errors of the statistics kernels.

/// An error raised by a kernel, a sketch or a profile.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// A test needs more values than a sample has (after dropping NaN).
    #[error(
        "{test} needs at least {needed} value(s) in each sample; the reference has {reference}, the current {current}"
    )]
    NotEnoughData {
        /// The test or distance.
        test: &'static str,
        /// Values needed per sample.
        needed: usize,
        /// Values in the reference sample.
        reference: usize,
        /// Values in the current sample.
        current: usize,
    },
    /// A parameter outside its valid range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A saved profile that cannot be read.
    #[error("not a seismo profile: {0}")]
    BadProfile(String),
}

impl StatsError {
    /// A [`StatsError::NotEnoughData`] for `test`, which needs `needed` values per sample.
    pub fn not_enough(test: &'static str, needed: usize, reference: usize, current: usize) -> Self {
        Self::NotEnoughData {
            test,
            needed,
            reference,
            current,
        }
    }
}
