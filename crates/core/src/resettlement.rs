//! The resettlement pipeline: receiving programmes (a country's offer of places, with a
//! quota in persons and criteria), the eligibility of a household for a programme, the
//! order in which eligible households are proposed, and the status of each household in
//! a programme's pipeline.
//!
//! Criteria are data, deliberately few and explicit, so that a caseworker can say why a
//! household was or was not proposed: [`eligibility`] returns every reason at once.
//! Priority reuses the shelter's [`crate::shelter::waiting_priority`] (vulnerabilities
//! first, then time waiting), so both queues rank people the same way.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::household::string_enum;
use crate::validation::{
    FieldErrorCode, MAX_LIST_ITEMS, MAX_MEMBERS, MAX_SHORT_TEXT_CHARS, ValidationErrors,
    optional_text_field, text_field,
};
use crate::{
    CountryCode, Household, HouseholdStatus, PopulationGroup, Relationship, Sex, Vulnerability,
};

/// The largest quota a programme may declare (persons).
pub const MAX_QUOTA: u32 = 100_000;

/// Ages (inclusive, whole years on the day of the check) of the men a conscription-risk
/// programme is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgeRange {
    #[cfg_attr(feature = "openapi", schema(maximum = 120))]
    pub min_age: u32,
    #[cfg_attr(feature = "openapi", schema(maximum = 120))]
    pub max_age: u32,
}

/// Who a programme takes. Every list that is empty means "no condition"; every given
/// condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Criteria {
    /// The head of household holds one of these citizenships (ISO 3166-1 alpha-2).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub citizenships: Vec<CountryCode>,
    /// The household belongs to one of these population groups.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub population_groups: Vec<PopulationGroup>,
    /// At most this many current members.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 50))]
    pub max_household_size: Option<u32>,
    /// At least one member has at least one of these vulnerabilities.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub any_vulnerability: Vec<Vulnerability>,
    /// Conscription risk: at least one male member whose age is in this range (and, when
    /// `citizenships` is given, who holds one of them).
    #[serde(default)]
    pub conscription_risk: Option<AgeRange>,
}

/// A programme as submitted (`POST /api/v1/resettlement/programmes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    /// The receiving country, ISO 3166-1 alpha-2 (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::country_code, required = true))]
    pub country: Option<String>,
    /// e.g. "Humanitarian admission (§ 22 AufenthG)" (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::short_text, required = true))]
    pub name: Option<String>,
    /// Places, counted in persons (required, 1 to 100,000).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 100000)
    )]
    pub quota: Option<u32>,
    #[serde(default)]
    pub criteria: Option<Criteria>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedProgramme {
    pub country: CountryCode,
    pub name: String,
    pub quota: u32,
    pub criteria: Criteria,
}

/// A programme as stored and returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Programme {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub country: CountryCode,
    pub name: String,
    pub quota: u32,
    pub criteria: Criteria,
    pub created_at: DateTime<Utc>,
}

/// Checks a programme, reporting every problem at once.
pub fn validate_programme(input: &ProgrammeInput) -> Result<ValidatedProgramme, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let country = match input.country.as_deref() {
        None => {
            errors.push("#/country", FieldErrorCode::Required, "is required");
            None
        }
        Some(c) => match c.parse::<CountryCode>() {
            Ok(c) => Some(c),
            Err(_) => {
                errors.push(
                    "#/country",
                    FieldErrorCode::UnknownCountry,
                    "not an ISO 3166-1 alpha-2 code",
                );
                None
            }
        },
    };
    let name = match input.name.as_deref() {
        None => {
            errors.push("#/name", FieldErrorCode::Required, "is required");
            None
        }
        Some(n) => text_field(&mut errors, "#/name", n, MAX_SHORT_TEXT_CHARS, false),
    };
    let quota = match input.quota {
        None => {
            errors.push("#/quota", FieldErrorCode::Required, "is required");
            None
        }
        Some(q) if !(1..=MAX_QUOTA).contains(&q) => {
            errors.push(
                "#/quota",
                FieldErrorCode::InvalidValue,
                format!("must be between 1 and {MAX_QUOTA} persons"),
            );
            None
        }
        Some(q) => Some(q),
    };
    let mut criteria = input.criteria.clone().unwrap_or_default();
    for (pointer, len) in [
        ("#/criteria/citizenships", criteria.citizenships.len()),
        (
            "#/criteria/population_groups",
            criteria.population_groups.len(),
        ),
        (
            "#/criteria/any_vulnerability",
            criteria.any_vulnerability.len(),
        ),
    ] {
        if len > MAX_LIST_ITEMS {
            errors.push(
                pointer,
                FieldErrorCode::TooMany,
                format!("at most {MAX_LIST_ITEMS} entries"),
            );
        }
    }
    if let Some(max) = criteria.max_household_size
        && !(1..=MAX_MEMBERS as u32).contains(&max)
    {
        errors.push(
            "#/criteria/max_household_size",
            FieldErrorCode::InvalidValue,
            format!("must be between 1 and {MAX_MEMBERS}"),
        );
    }
    if let Some(range) = criteria.conscription_risk
        && (range.min_age > range.max_age || range.max_age > 120)
    {
        errors.push(
            "#/criteria/conscription_risk",
            FieldErrorCode::InvalidValue,
            "min_age must not exceed max_age (at most 120)",
        );
    }
    criteria.citizenships.sort_unstable();
    criteria.citizenships.dedup();
    criteria.population_groups.sort_unstable();
    criteria.population_groups.dedup();
    criteria.any_vulnerability.sort_unstable();
    criteria.any_vulnerability.dedup();
    match (country, name, quota) {
        (Some(country), Some(name), Some(quota)) if errors.is_empty() => Ok(ValidatedProgramme {
            country,
            name,
            quota,
            criteria,
        }),
        _ => Err(errors),
    }
}

/// Why a household is not eligible; stable codes, no personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Ineligible {
    /// The household is not active (moved on or closed), or has no current member.
    NotActive,
    /// The head's citizenship is unknown or not one the programme takes.
    Citizenship,
    PopulationGroup,
    TooLarge {
        size: u32,
        max: u32,
    },
    /// No member has any of the vulnerabilities the programme is for.
    NoRequiredVulnerability,
    /// No male member of the programme's ages (and citizenships).
    NoConscriptionRisk,
}

/// Whether `household` meets `criteria` on `today`; every failed condition is listed.
pub fn eligibility(
    criteria: &Criteria,
    household: &Household,
    today: NaiveDate,
) -> Result<(), Vec<Ineligible>> {
    let mut reasons = Vec::new();
    if household.status != HouseholdStatus::Active || household.members.is_empty() {
        reasons.push(Ineligible::NotActive);
    }
    if !criteria.citizenships.is_empty() {
        let head = household
            .members
            .iter()
            .find(|m| m.relationship == Relationship::Head);
        let ok = head
            .and_then(|h| h.citizenship)
            .is_some_and(|c| criteria.citizenships.contains(&c));
        if !ok {
            reasons.push(Ineligible::Citizenship);
        }
    }
    if !criteria.population_groups.is_empty()
        && !criteria.population_groups.contains(&household.group)
    {
        reasons.push(Ineligible::PopulationGroup);
    }
    let size = u32::try_from(household.members.len()).unwrap_or(u32::MAX);
    if let Some(max) = criteria.max_household_size
        && size > max
    {
        reasons.push(Ineligible::TooLarge { size, max });
    }
    if !criteria.any_vulnerability.is_empty()
        && !household.members.iter().any(|m| {
            m.vulnerabilities
                .iter()
                .any(|v| criteria.any_vulnerability.contains(v))
        })
    {
        reasons.push(Ineligible::NoRequiredVulnerability);
    }
    if let Some(range) = criteria.conscription_risk {
        let at_risk = household.members.iter().any(|m| {
            m.sex == Sex::Male
                && m.birth_date
                    .age_on(today)
                    .is_some_and(|age| (range.min_age..=range.max_age).contains(&age))
                && (criteria.citizenships.is_empty()
                    || m.citizenship
                        .is_some_and(|c| criteria.citizenships.contains(&c)))
        });
        if !at_risk {
            reasons.push(Ineligible::NoConscriptionRisk);
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons)
    }
}

/// An eligible household waiting to be proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub household_id: Uuid,
    pub persons: u32,
    pub priority: u32,
    pub waiting_days: i64,
}

impl Candidate {
    /// Priority as the shelter waiting list computes it: vulnerabilities of every member,
    /// then days since arrival (or registration, if earlier or no arrival date).
    pub fn of(household: &Household, today: NaiveDate) -> Self {
        let vulnerabilities: Vec<Vulnerability> = household
            .members
            .iter()
            .flat_map(|m| m.vulnerabilities.iter().copied())
            .collect();
        let registered = household.registered_at.date_naive();
        let since = household.arrival_date.unwrap_or(registered).min(registered);
        let waiting_days = (today - since).num_days().max(0);
        Candidate {
            household_id: household.id,
            persons: u32::try_from(household.members.len()).unwrap_or(u32::MAX),
            priority: crate::shelter::waiting_priority(&vulnerabilities, waiting_days),
            waiting_days,
        }
    }
}

/// Orders candidates: higher priority first, then longer waiting, then household id (so
/// the order is total and the same on every run).
pub fn rank(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(b.waiting_days.cmp(&a.waiting_days))
            .then(a.household_id.cmp(&b.household_id))
    });
}

/// Takes ranked candidates while places remain. A household is never split: one too
/// large for the places left is passed over (and stays first in line for the next
/// proposal), and smaller households after it may still fit.
pub fn select_within_quota(ranked: &[Candidate], remaining_persons: u32) -> Vec<Candidate> {
    let mut left = remaining_persons;
    let mut chosen = Vec::new();
    for candidate in ranked {
        if candidate.persons > 0 && candidate.persons <= left {
            left -= candidate.persons;
            chosen.push(candidate.clone());
        }
        if left == 0 {
            break;
        }
    }
    chosen
}

string_enum!(
    /// Where a household stands in a programme's pipeline.
    PipelineStatus {
        Proposed => "proposed",
        /// The file was submitted to the receiving country.
        Submitted => "submitted",
        Accepted => "accepted",
        /// Refused by the receiving country, with a reason (final).
        Rejected => "rejected",
        /// The household left for the receiving country (final).
        Departed => "departed",
        /// Taken out by the organisation, e.g. the household declined (final).
        Withdrawn => "withdrawn",
    }
);

impl PipelineStatus {
    /// Whether the entry holds places of the quota.
    pub fn counts_against_quota(self) -> bool {
        matches!(
            self,
            Self::Proposed | Self::Submitted | Self::Accepted | Self::Departed
        )
    }
}

/// What a caseworker asks to happen to a pipeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "to", rename_all = "snake_case", deny_unknown_fields)]
pub enum PipelineEvent {
    Submitted,
    Accepted,
    Rejected { reason: String },
    Departed,
    Withdrawn { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a resettlement entry cannot move from this status to the one asked for")]
pub struct PipelineTransitionError;

/// The state machine: proposed → submitted → accepted | rejected; accepted → departed;
/// proposed, submitted or accepted → withdrawn. Rejected, departed and withdrawn are final.
pub fn pipeline_transition(
    from: PipelineStatus,
    event: &PipelineEvent,
) -> Result<PipelineStatus, PipelineTransitionError> {
    use PipelineStatus::*;
    match (from, event) {
        (Proposed, PipelineEvent::Submitted) => Ok(Submitted),
        (Submitted, PipelineEvent::Accepted) => Ok(Accepted),
        (Submitted, PipelineEvent::Rejected { .. }) => Ok(Rejected),
        (Accepted, PipelineEvent::Departed) => Ok(Departed),
        (Proposed | Submitted | Accepted, PipelineEvent::Withdrawn { .. }) => Ok(Withdrawn),
        _ => Err(PipelineTransitionError),
    }
}

impl PipelineEvent {
    /// The reason a rejection or withdrawal carries.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Rejected { reason } | Self::Withdrawn { reason } => Some(reason),
            _ => None,
        }
    }
}

/// Checks the reason an event carries (required, short, one line).
pub fn validate_pipeline_event(event: &PipelineEvent) -> Result<PipelineEvent, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let checked = match event {
        PipelineEvent::Rejected { reason } => {
            text_field(&mut errors, "#/reason", reason, MAX_SHORT_TEXT_CHARS, false)
                .map(|reason| PipelineEvent::Rejected { reason })
        }
        PipelineEvent::Withdrawn { reason } => optional_text_field(
            &mut errors,
            "#/reason",
            Some(reason),
            MAX_SHORT_TEXT_CHARS,
            false,
        )
        .map(|reason| PipelineEvent::Withdrawn { reason }),
        other => Some(other.clone()),
    };
    if checked.is_none() && errors.is_empty() {
        errors.push("#/reason", FieldErrorCode::Required, "is required");
    }
    match checked {
        Some(e) if errors.is_empty() => Ok(e),
        _ => Err(errors),
    }
}

/// Persons and households per status, against the quota.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub households: u32,
    pub persons: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaReport {
    pub programme_id: Uuid,
    pub quota: u32,
    pub proposed: StatusCount,
    pub submitted: StatusCount,
    pub accepted: StatusCount,
    pub departed: StatusCount,
    pub rejected: StatusCount,
    pub withdrawn: StatusCount,
    /// Persons proposed, submitted, accepted or departed.
    pub used: u32,
    /// `quota - used`, never negative.
    pub remaining: u32,
}

impl QuotaReport {
    /// Sums entries given as (status, persons).
    pub fn from_entries(
        programme_id: Uuid,
        quota: u32,
        entries: impl IntoIterator<Item = (PipelineStatus, u32)>,
    ) -> Self {
        let mut report = QuotaReport {
            programme_id,
            quota,
            proposed: StatusCount::default(),
            submitted: StatusCount::default(),
            accepted: StatusCount::default(),
            departed: StatusCount::default(),
            rejected: StatusCount::default(),
            withdrawn: StatusCount::default(),
            used: 0,
            remaining: quota,
        };
        for (status, persons) in entries {
            let count = match status {
                PipelineStatus::Proposed => &mut report.proposed,
                PipelineStatus::Submitted => &mut report.submitted,
                PipelineStatus::Accepted => &mut report.accepted,
                PipelineStatus::Departed => &mut report.departed,
                PipelineStatus::Rejected => &mut report.rejected,
                PipelineStatus::Withdrawn => &mut report.withdrawn,
            };
            count.households += 1;
            count.persons = count.persons.saturating_add(persons);
            if status.counts_against_quota() {
                report.used = report.used.saturating_add(persons);
            }
        }
        report.remaining = quota.saturating_sub(report.used);
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BirthDate, Location, Person, ReferenceCode};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn person(sex: Sex, born: &str, citizenship: &str, relationship: Relationship) -> Person {
        Person {
            id: Uuid::now_v7(),
            surname: "Иванов".into(),
            given_name: "Иван".into(),
            patronymic: None,
            sex,
            birth_date: BirthDate::parse(born).unwrap_or(BirthDate::full(day(1990, 1, 1))),
            birth_date_estimated: false,
            citizenship: citizenship.parse().ok(),
            relationship,
            vulnerabilities: Vec::new(),
            documents: Vec::new(),
        }
    }

    fn household(members: Vec<Person>) -> Household {
        let at = DateTime::parse_from_rfc3339("2022-09-25T10:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        Household {
            id: Uuid::now_v7(),
            reference: ReferenceCode::from_random_bits(1),
            organisation_id: Uuid::nil(),
            group: PopulationGroup::Arrival,
            arrival_date: Some(day(2022, 9, 24)),
            crossing_point: None,
            current_location: None,
            location: Location {
                country: CountryCode::KZ,
                region: None,
                city: "Oral".into(),
                place_id: None,
            },
            phone: None,
            languages: Vec::new(),
            needs: Vec::new(),
            accepts_sex_separation: false,
            accepts_several_rooms: false,
            legal_basis: None,
            information_given: true,
            status: HouseholdStatus::Active,
            notes: None,
            members,
            version: 1,
            registered_at: at,
            updated_at: at,
        }
    }

    fn germany() -> Criteria {
        Criteria {
            citizenships: vec![CountryCode::RU],
            population_groups: vec![PopulationGroup::Arrival],
            max_household_size: Some(4),
            any_vulnerability: Vec::new(),
            conscription_risk: Some(AgeRange {
                min_age: 18,
                max_age: 50,
            }),
        }
    }

    const TODAY: (i32, u32, u32) = (2022, 10, 1);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn a_man_of_draft_age_from_russia_is_eligible() {
        let h = household(vec![
            person(Sex::Male, "1995-03-02", "RU", Relationship::Head),
            person(Sex::Female, "1996-05-01", "KZ", Relationship::Spouse),
        ]);
        assert_eq!(eligibility(&germany(), &h, today()), Ok(()));
    }

    #[test]
    fn every_failed_condition_is_reported() {
        let mut h = household(vec![
            person(Sex::Female, "1960-01-01", "KZ", Relationship::Head),
            person(Sex::Male, "1960-01-01", "RU", Relationship::Spouse),
            person(Sex::Male, "2010-01-01", "RU", Relationship::Child),
            person(Sex::Male, "2012-01-01", "RU", Relationship::Child),
            person(Sex::Male, "2014-01-01", "RU", Relationship::Child),
        ]);
        h.group = PopulationGroup::Idp;
        let mut criteria = germany();
        criteria.any_vulnerability = vec![Vulnerability::ProtectionRisk];
        assert_eq!(
            eligibility(&criteria, &h, today()),
            Err(vec![
                Ineligible::Citizenship,
                Ineligible::PopulationGroup,
                Ineligible::TooLarge { size: 5, max: 4 },
                Ineligible::NoRequiredVulnerability,
                Ineligible::NoConscriptionRisk,
            ])
        );
        h.status = HouseholdStatus::MovedOn;
        assert_eq!(
            eligibility(&Criteria::default(), &h, today()),
            Err(vec![Ineligible::NotActive])
        );
    }

    #[test]
    fn conscription_age_edges_are_inclusive() {
        // 18 on the day, and 50 until the day before the 51st birthday.
        let eighteen = household(vec![person(
            Sex::Male,
            "2004-10-01",
            "RU",
            Relationship::Head,
        )]);
        assert_eq!(eligibility(&germany(), &eighteen, today()), Ok(()));
        let seventeen = household(vec![person(
            Sex::Male,
            "2004-10-02",
            "RU",
            Relationship::Head,
        )]);
        assert_eq!(
            eligibility(&germany(), &seventeen, today()),
            Err(vec![Ineligible::NoConscriptionRisk])
        );
        let fifty = household(vec![person(
            Sex::Male,
            "1971-10-02",
            "RU",
            Relationship::Head,
        )]);
        assert_eq!(eligibility(&germany(), &fifty, today()), Ok(()));
        let fifty_one = household(vec![person(
            Sex::Male,
            "1971-10-01",
            "RU",
            Relationship::Head,
        )]);
        assert!(eligibility(&germany(), &fifty_one, today()).is_err());
        // A woman of the same age is not at risk of conscription.
        let woman = household(vec![person(
            Sex::Female,
            "1995-01-01",
            "RU",
            Relationship::Head,
        )]);
        assert_eq!(
            eligibility(&germany(), &woman, today()),
            Err(vec![Ineligible::NoConscriptionRisk])
        );
    }

    #[test]
    fn vulnerability_comes_before_waiting_and_quota_is_never_exceeded() {
        let mut alone = household(vec![person(
            Sex::Male,
            "1990-01-01",
            "RU",
            Relationship::Head,
        )]);
        alone.arrival_date = Some(day(2022, 9, 21));
        let mut with_minor = household(vec![
            person(Sex::Male, "1990-01-01", "RU", Relationship::Head),
            person(Sex::Male, "2008-01-01", "RU", Relationship::Child),
        ]);
        with_minor.members[1].vulnerabilities = vec![Vulnerability::UnaccompaniedMinor];
        with_minor.arrival_date = Some(day(2022, 9, 30));
        let later = household(vec![person(
            Sex::Male,
            "1990-01-01",
            "RU",
            Relationship::Head,
        )]);
        let mut candidates: Vec<Candidate> = [&later, &alone, &with_minor]
            .iter()
            .map(|h| Candidate::of(h, today()))
            .collect();
        rank(&mut candidates);
        let order: Vec<Uuid> = candidates.iter().map(|c| c.household_id).collect();
        assert_eq!(order, vec![with_minor.id, alone.id, later.id]);
        assert_eq!(candidates[1].waiting_days, 10);

        // Two places: the family of two fills them.
        let chosen = select_within_quota(&candidates, 2);
        assert_eq!(chosen.len(), 1);
        // One place: the family is passed over, the next single person fits.
        let chosen = select_within_quota(&candidates, 1);
        assert_eq!(
            chosen.iter().map(|c| c.household_id).collect::<Vec<_>>(),
            vec![alone.id]
        );
        for left in 0..6 {
            let total: u32 = select_within_quota(&candidates, left)
                .iter()
                .map(|c| c.persons)
                .sum();
            assert!(total <= left);
        }
        assert!(select_within_quota(&candidates, 0).is_empty());
    }

    #[test]
    fn pipeline_state_machine() {
        use PipelineStatus::*;
        let reject = PipelineEvent::Rejected {
            reason: "file incomplete".into(),
        };
        let withdraw = PipelineEvent::Withdrawn {
            reason: "stays in Kazakhstan".into(),
        };
        assert_eq!(
            pipeline_transition(Proposed, &PipelineEvent::Submitted),
            Ok(Submitted)
        );
        assert_eq!(
            pipeline_transition(Submitted, &PipelineEvent::Accepted),
            Ok(Accepted)
        );
        assert_eq!(pipeline_transition(Submitted, &reject), Ok(Rejected));
        assert_eq!(
            pipeline_transition(Accepted, &PipelineEvent::Departed),
            Ok(Departed)
        );
        for from in [Proposed, Submitted, Accepted] {
            assert_eq!(pipeline_transition(from, &withdraw), Ok(Withdrawn));
        }
        for (from, event) in [
            (Proposed, &PipelineEvent::Accepted),
            (Proposed, &reject),
            (Proposed, &PipelineEvent::Departed),
            (Submitted, &PipelineEvent::Departed),
            (Accepted, &reject),
            (Rejected, &PipelineEvent::Submitted),
            (Departed, &withdraw),
            (Withdrawn, &PipelineEvent::Submitted),
        ] {
            assert_eq!(
                pipeline_transition(from, event),
                Err(PipelineTransitionError),
                "{from:?}"
            );
        }
        assert!(validate_pipeline_event(&PipelineEvent::Rejected { reason: " ".into() }).is_err());
        assert!(validate_pipeline_event(&PipelineEvent::Withdrawn { reason: "".into() }).is_err());
        assert!(validate_pipeline_event(&reject).is_ok());
    }

    #[test]
    fn report_counts_persons_against_the_quota() {
        use PipelineStatus::*;
        let report = QuotaReport::from_entries(
            Uuid::nil(),
            10,
            [
                (Proposed, 2),
                (Submitted, 3),
                (Accepted, 1),
                (Departed, 2),
                (Rejected, 4),
                (Withdrawn, 1),
            ],
        );
        assert_eq!(report.used, 8);
        assert_eq!(report.remaining, 2);
        assert_eq!(
            report.rejected,
            StatusCount {
                households: 1,
                persons: 4
            }
        );
    }

    #[test]
    fn programmes_are_validated_all_at_once() {
        let errors = validate_programme(&ProgrammeInput {
            country: Some("XX".into()),
            name: Some(" ".into()),
            quota: Some(0),
            criteria: Some(Criteria {
                max_household_size: Some(0),
                conscription_risk: Some(AgeRange {
                    min_age: 50,
                    max_age: 18,
                }),
                ..Criteria::default()
            }),
        })
        .expect_err("invalid");
        let pointers: Vec<&str> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "#/country",
                "#/name",
                "#/quota",
                "#/criteria/max_household_size",
                "#/criteria/conscription_risk"
            ]
        );
        let ok = validate_programme(&ProgrammeInput {
            country: Some("de".into()),
            name: Some("Humanitarian admission".into()),
            quota: Some(500),
            criteria: Some(germany()),
        })
        .expect("valid");
        assert_eq!(ok.country.as_str(), "DE");
    }
}
