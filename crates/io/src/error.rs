//! Errors that name the input and, where known, the line and column.

use std::path::PathBuf;

/// An input could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The path does not exist.
    #[error("{path}: no such file")]
    NotFound {
        /// The path that was given.
        path: PathBuf,
    },
    /// The operating system refused to read it.
    #[error("{path}: {source}")]
    Io {
        /// The path that was given, or `<stdin>`.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The input has no bytes at all.
    #[error("{path}: the file is empty")]
    Empty {
        /// The path that was given, or `<stdin>`.
        path: PathBuf,
    },
    /// The content is not valid for its format. `message` carries the line and column
    /// where the format reports them.
    #[error("{path}: {message}")]
    Invalid {
        /// The path that was given, or `<stdin>`.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
    /// A type override names a column the input does not have.
    #[error("{path}: no column `{column}` to apply the type override to")]
    UnknownColumn {
        /// The path that was given.
        path: PathBuf,
        /// The column named in the override.
        column: String,
    },
}

impl ReadError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            Self::NotFound {
                path: path.to_owned(),
            }
        } else {
            Self::Io {
                path: path.to_owned(),
                source,
            }
        }
    }

    pub(crate) fn invalid(path: &std::path::Path, message: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}
