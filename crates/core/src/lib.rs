//! Domain types and rules of Shanyrak.
//!
//! This crate is the vocabulary every other crate speaks: organisations, users and their
//! roles, households and their members, identity documents, and the validation rules a
//! reception volunteer would expect ("a birth date in the future", "an IIN whose birth date
//! disagrees with the one typed").
//!
//! # Layout
//! - [`validation`]: field errors that name a JSON pointer and a stable code, never a value.
//! - [`reference`]: the short household reference code read aloud at a desk.
//! - [`country`], [`phone`], [`date`], [`document`]: value types parsed once at the edge.
//! - [`household`]: the household and person model, the input shapes and `validate`.
//! - [`org`], [`authz`]: organisations, roles and the one table of who may do what.
//! - [`essentials`]: items, stock ledger kinds, entitlement rules and the entitlement check.
//! - [`retention`]: retention periods per data category; what anonymisation keeps.
//! - [`places`]: the place list (gazetteer): ids, names in every script, search.
//! - [`spreadsheet`]: cells for CSV and XLSX files that no spreadsheet runs as a formula.
//!
//! **Architecture invariant:** nothing here does IO, reads the clock or draws randomness.
//! Callers pass "today" and random bits in, which keeps every rule testable and pure.

pub mod authz;
pub mod cases;
pub mod country;
pub mod date;
pub mod disclosure;
pub mod document;
pub mod essentials;
pub mod host_offer;
pub mod household;
pub mod legal_stay;
pub mod org;
pub mod phone;
pub mod places;
pub mod reference;
pub mod resettlement;
pub mod retention;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod sharing;
pub mod shelter;
pub mod spreadsheet;
pub mod stats;
pub mod validation;
pub mod visibility;

pub use authz::{Action, Actor, Role};
pub use country::CountryCode;
pub use date::BirthDate;
pub use document::{Document, DocumentInput, DocumentType};
pub use household::{
    CurrentLocation, CurrentLocationInput, Household, HouseholdInput, HouseholdStatus, LegalBasis,
    Location, LocationInput, MemberInput, Need, Person, PopulationGroup, Relationship, Sex,
    ValidatedHousehold, ValidatedMember, Vulnerability,
};
pub use org::{OrgKind, Organisation};
pub use phone::PhoneNumber;
pub use reference::ReferenceCode;
pub use validation::{FieldError, FieldErrorCode, ValidationContext, ValidationErrors};

/// The configuration of a property test: `cases` cases, few enough for every test run,
/// unless `PROPTEST_CASES` asks for a deeper search (`PROPTEST_CASES=100000 cargo test`).
#[cfg(test)]
pub(crate) fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    proptest::test_runner::Config {
        cases,
        ..proptest::test_runner::Config::default()
    }
}
