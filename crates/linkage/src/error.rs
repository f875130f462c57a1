//! Errors of the linkage crate.
//!
//! Linkage is forgiving about *content* (odd names are normalised, not rejected), so
//! errors are about structure: invalid dates, bad parameters, duplicate identifiers.

use thiserror::Error;

/// Everything that can go wrong in this crate.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LinkageError {
    /// A partial date with an impossible month or day.
    #[error("invalid date: {0}")]
    InvalidDate(String),
    /// A model or threshold parameter outside its valid range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// Which parameter.
        name: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// The same record identifier was inserted twice into an index.
    #[error("duplicate record id at position {0}")]
    DuplicateRecordId(usize),
    /// A record index outside the known records.
    #[error("unknown record index {0}")]
    UnknownRecord(usize),
    /// An encoding or encodings file that cannot be read (the reason names a line
    /// number, never a value).
    #[error("invalid encoding: {0}")]
    InvalidEncoding(String),
    /// Too few comparisons to estimate a model.
    #[error("not enough data to estimate the model: {0}")]
    NotEnoughData(String),
}
