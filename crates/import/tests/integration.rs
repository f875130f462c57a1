//! Integration tests of the import crate: property tests of the readers and the mapping
//! on random and damaged input (`properties/`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed expectation is a failed test

mod properties;
