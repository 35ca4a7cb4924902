//! Errors of the shared types.

/// An error raised while building or checking the shared types.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A column was named that the schema does not have.
    #[error("unknown column `{name}`")]
    UnknownColumn {
        /// The name that was asked for.
        name: String,
    },
    /// A word given for a kind, role, outcome or severity is not one of the known ones.
    #[error("unknown {what} `{value}`; expected one of: {expected}")]
    UnknownName {
        /// What was being parsed, such as `column kind`.
        what: &'static str,
        /// The word that was given.
        value: String,
        /// The accepted words, comma-separated.
        expected: &'static str,
    },
    /// Record batches whose Arrow schema does not match the dataset's.
    #[error("record batch {index} does not match the dataset schema")]
    SchemaMismatch {
        /// Index of the offending batch.
        index: usize,
    },
}

/// A `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
