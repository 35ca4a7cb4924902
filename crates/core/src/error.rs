//! Errors of the shared types.

/// A word that is not one of the known ones: the error of every `FromStr` in seismo (kinds,
/// roles, outcomes, tests, metrics, formats), so callers can match on it instead of on text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`; expected one of: {expected}")]
#[non_exhaustive]
pub struct UnknownWord {
    /// What was being parsed, such as `column kind`.
    pub what: &'static str,
    /// The word that was given.
    pub value: String,
    /// The accepted words, as the message lists them.
    pub expected: String,
}

impl UnknownWord {
    /// `value` is not a `what`; `expected` lists the words that are.
    pub fn new(what: &'static str, value: &str, expected: impl Into<String>) -> Self {
        Self {
            what,
            value: value.to_owned(),
            expected: expected.into(),
        }
    }
}

/// An error raised while building or checking the shared types.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A column was named that the schema does not have.
    #[error("unknown column `{name}`")]
    UnknownColumn {
        /// The name that was asked for.
        name: String,
    },
    /// A word given for a kind, role, outcome or severity is not one of the known ones.
    #[error(transparent)]
    UnknownWord(#[from] UnknownWord),
    /// Record batches whose Arrow schema does not match the dataset's.
    #[error("record batch {index} does not match the dataset schema")]
    SchemaMismatch {
        /// Index of the offending batch.
        index: usize,
    },
}

/// A `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
