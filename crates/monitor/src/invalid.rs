//! The monitoring core's one error for bad input: a request, registration or record that
//! does not fit, with a message naming the field (`records[3].features.age`,
//! `schema[1].kind`). The gRPC edge answers it with INVALID_ARGUMENT; an embedder shows it
//! to whoever sent the data.

/// Input that does not fit: the message names the field and says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    /// Bad input, described by `message` (which names the field).
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
