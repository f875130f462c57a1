//! Why an input was refused. Each variant names the record (by its opaque id, never by
//! personal data) and the reason, so the caller can show which row to correct.

use thiserror::Error;

/// An input the optimiser refuses to work on.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum InputError {
    /// A household or site without an identifier cannot be reported back.
    #[error("a {record} has an empty id")]
    EmptyId {
        /// `household` or `site`.
        record: &'static str,
    },
    /// Two households share an id.
    #[error("household {id} appears more than once")]
    DuplicateHousehold {
        /// The repeated id.
        id: String,
    },
    /// Two sites share an id.
    #[error("site {id} appears more than once")]
    DuplicateSite {
        /// The repeated id.
        id: String,
    },
    /// Two pools of one site share an id.
    #[error("site {site}: pool {pool} appears more than once")]
    DuplicatePool {
        /// Site id.
        site: String,
        /// The repeated pool id.
        pool: String,
    },
    /// A household with nobody in it.
    #[error("household {id} has no members")]
    EmptyHousehold {
        /// Household id.
        id: String,
    },
    /// A household larger than any shelter could hold together.
    #[error("household {id} has {size} members, more than the optimiser accepts")]
    HouseholdTooLarge {
        /// Household id.
        id: String,
        /// Its size.
        size: u32,
    },
    /// More members need a step-free bed than the group has.
    #[error("household {id}: {need} {group} need a step-free bed but the household has {members}")]
    StepFreeExceedsMembers {
        /// Household id.
        id: String,
        /// `men`, `women` or `children`.
        group: &'static str,
        /// Step-free needs declared.
        need: u16,
        /// Members of that group.
        members: u16,
    },
    /// Priority must be a positive number no larger than [`crate::input::MAX_PRIORITY`].
    #[error("household {id}: priority must be greater than 0 and at most 1e6, got {priority}")]
    InvalidPriority {
        /// Household id.
        id: String,
        /// The value given.
        priority: f64,
    },
    /// A household or site without a city.
    #[error("{record} {id} has no city")]
    MissingCity {
        /// `household` or `site`.
        record: &'static str,
        /// Its id.
        id: String,
    },
    /// Latitude or longitude out of range.
    #[error("site {site}: coordinates out of range")]
    InvalidCoordinates {
        /// Site id.
        site: String,
    },
    /// A household's current position out of range.
    #[error("household {household}: current position out of range")]
    InvalidPosition {
        /// Household id.
        household: String,
    },
    /// A negative bed count, usually occupancy larger than the declared beds upstream.
    #[error(
        "site {site}, pool {pool}: negative capacity ({free_beds} free beds, {free_step_free_beds} step-free)"
    )]
    NegativeCapacity {
        /// Site id.
        site: String,
        /// Pool id.
        pool: String,
        /// Free beds given.
        free_beds: i64,
        /// Free step-free beds given.
        free_step_free_beds: i64,
    },
    /// Step-free beds are a subset of free beds.
    #[error(
        "site {site}, pool {pool}: {free_step_free_beds} free step-free beds exceed {free_beds} free beds"
    )]
    StepFreeExceedsFree {
        /// Site id.
        site: String,
        /// Pool id.
        pool: String,
        /// Free beds given.
        free_beds: i64,
        /// Free step-free beds given.
        free_step_free_beds: i64,
    },
    /// A capacity that cannot be real and would overflow the arithmetic.
    #[error("site {site}, pool {pool}: capacity too large")]
    CapacityTooLarge {
        /// Site id.
        site: String,
        /// Pool id.
        pool: String,
    },
    /// A family room must hold at least one bed.
    #[error("site {site}, pool {pool}: family room size must be at least 1")]
    ZeroRoomSize {
        /// Site id.
        site: String,
        /// Pool id.
        pool: String,
    },
    /// A sex-segregated site has male and female dormitories (and perhaps family rooms); a
    /// mixed pool there contradicts the house rule, so one of the two records is wrong.
    #[error("site {site}, pool {pool}: a sex-segregated site cannot have a {kind} pool")]
    MixedPoolAtSegregatedSite {
        /// Site id.
        site: String,
        /// Pool id.
        pool: String,
        /// Kind code of the pool.
        kind: &'static str,
    },
    /// An option outside its range.
    #[error("option {field} {why}")]
    InvalidOption {
        /// Option name.
        field: &'static str,
        /// What is wrong.
        why: &'static str,
    },
}
