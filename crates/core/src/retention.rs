//! Retention periods per data category, and what anonymisation keeps.
//!
//! Personal data is kept only as long as it serves the people it is about. Past its
//! period it is anonymised (identity) or deleted (import quarantine), so the figures
//! survive and the list of names does not.
//!
//! | category | what | default | then |
//! | --- | --- | --- | --- |
//! | identity | names, documents, full birth date, phone, notes, vulnerabilities, case and referral free text | 24 months after the household's last activity | anonymised |
//! | import quarantine | raw rows of rejected imports | 30 days after they were quarantined | deleted |
//! | import uploads | files between preview and confirmation | 1 day (the import screen) | deleted |
//! | figures | year of birth, sex, population group, citizenship, city, dates, stays, distributions | kept | — |
//!
//! A household's last activity is the latest of its own update, a stay's change, a
//! distribution, a case's or a referral's update. A household with a current stay (checked
//! in, or reserved) is never anonymised, whatever its dates.
//!
//! **Invariant:** pure; "now" comes from the caller.

use chrono::{DateTime, Duration, Months, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{FieldErrorCode, ValidationErrors};

/// Retention periods; see the module documentation for the categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// Identity data, in months after the household's last activity.
    pub identity_months: u32,
    /// Rejected import rows, in days after they were quarantined.
    pub quarantine_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            identity_months: 24,
            quarantine_days: 30,
        }
    }
}

/// The instants before which data is past retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    /// Households whose last activity is before this are anonymised.
    pub identity_before: DateTime<Utc>,
    /// Quarantined rows created before this are deleted.
    pub quarantine_before: DateTime<Utc>,
}

/// Longest period accepted (a typo such as 2400 months would keep data forever).
const MAX_MONTHS: u32 = 120;
const MAX_DAYS: u32 = 3_650;

impl RetentionPolicy {
    /// Checks the periods: at least one month / one day, at most ten years.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.identity_months == 0 || self.identity_months > MAX_MONTHS {
            errors.push(
                "#/identity_months",
                FieldErrorCode::InvalidValue,
                "must be between 1 and 120 months",
            );
        }
        if self.quarantine_days == 0 || self.quarantine_days > MAX_DAYS {
            errors.push(
                "#/quarantine_days",
                FieldErrorCode::InvalidValue,
                "must be between 1 and 3650 days",
            );
        }
        errors.into_result(())
    }

    pub fn cutoffs(&self, now: DateTime<Utc>) -> RetentionCutoffs {
        RetentionCutoffs {
            identity_before: now
                .checked_sub_months(Months::new(self.identity_months))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            quarantine_before: now
                .checked_sub_signed(Duration::days(i64::from(self.quarantine_days)))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        }
    }
}

/// Longest reason accepted for an erasure.
pub const MAX_ERASURE_REASON_CHARS: usize = 500;

/// An erasure needs a reason (recorded in the audit log), in words, not too long, with no
/// control characters but line breaks.
pub fn validate_erasure_reason(reason: Option<&str>) -> Result<String, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let Some(reason) = reason else {
        errors.push("#/reason", FieldErrorCode::Required, "is required");
        return Err(errors);
    };
    let reason = crate::validation::text_field(
        &mut errors,
        "#/reason",
        reason,
        MAX_ERASURE_REASON_CHARS,
        true,
    );
    match reason {
        Some(reason) if errors.is_empty() => Ok(reason),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn defaults_are_two_years_and_thirty_days() {
        let cut = RetentionPolicy::default().cutoffs(at(2025, 3, 31));
        assert_eq!(cut.identity_before, at(2023, 3, 31));
        assert_eq!(cut.quarantine_before, at(2025, 3, 1));
    }

    #[test]
    fn month_arithmetic_clamps_to_the_end_of_a_short_month() {
        let policy = RetentionPolicy {
            identity_months: 1,
            quarantine_days: 1,
        };
        assert_eq!(
            policy.cutoffs(at(2025, 3, 31)).identity_before,
            at(2025, 2, 28)
        );
    }

    #[test]
    fn periods_out_of_range_are_refused() {
        let bad = RetentionPolicy {
            identity_months: 0,
            quarantine_days: 99_999,
        };
        let errors = bad.validate().expect_err("refused");
        assert_eq!(errors.errors.len(), 2);
        assert!(RetentionPolicy::default().validate().is_ok());
    }

    #[test]
    fn erasure_needs_a_reason_of_sensible_length() {
        assert!(validate_erasure_reason(None).is_err());
        assert!(validate_erasure_reason(Some("   ")).is_err());
        assert!(validate_erasure_reason(Some(&"x".repeat(501))).is_err());
        assert_eq!(
            validate_erasure_reason(Some(" asked at the desk ")).ok(),
            Some("asked at the desk".to_owned())
        );
    }
}
