//! Essentials: the item catalogue, the stock ledger's vocabulary, entitlement rules and
//! the pure entitlement check an aid point runs before it hands anything out.
//!
//! **Window semantics.** A rule gives `quantity` per `period_days`. A receipt on day `d`
//! counts against the rule on day `t` while `t - d < period_days` (receipts dated after
//! `t` count too). With a 30-day period, a kit received on day 0 blocks days 0‥29 and the
//! household is entitled again on day 30.
//!
//! **Who a receipt counts for.** Every distribution line records the persons it covered,
//! each with a share of the quantity; persons are compared by resolved identity, so
//! receipts follow a person who moved, or who is registered in two households:
//! - per-person rules count the shares of the member's identity, in any household;
//! - per-household rules count lines given to this household *and* lines given to another
//!   household that covered one of this household's members (the same person in two
//!   households is the double-dipping the check exists to catch; a legitimate move is a
//!   case for an override with a reason).
//!
//! The caller decides which past distributions are visible (own organisation, and others
//! only under a data-sharing agreement in force); this module only counts.

use std::collections::{BTreeMap, HashSet};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::household::string_enum;
use crate::validation::{FieldErrorCode, ValidationErrors, text_field};
use crate::{BirthDate, PopulationGroup};

/// Largest quantity in one line or one movement: a typo guard, not a policy.
pub const MAX_QUANTITY: u32 = 1_000_000;
pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_UNIT_CHARS: usize = 40;
pub const MAX_REASON_CHARS: usize = 500;
const MAX_PERIOD_DAYS: u32 = 3650;
const MAX_LINES: usize = 50;
/// Languages an item's name can be given in beyond its own: the interface's four and a
/// few more partners work in, without letting the map grow without bound.
pub const MAX_ITEM_TRANSLATIONS: usize = 12;

string_enum!(
    /// How an entitlement is counted.
    EntitlementBasis {
        /// `quantity` for each eligible person (by resolved identity).
        PerPerson => "per_person",
        /// `quantity` for the household as a whole.
        PerHousehold => "per_household",
    }
);

string_enum!(
    /// Distribution points hand out; warehouses only hold and transfer stock.
    PointKind {
        Point => "point",
        Warehouse => "warehouse",
    }
);

string_enum!(
    /// One immutable line of the stock ledger.
    LedgerKind {
        /// Stock arrived from outside (donation, purchase).
        Receipt => "receipt",
        /// Sent to another point of the organisation.
        TransferOut => "transfer_out",
        /// Arrived from another point of the organisation.
        TransferIn => "transfer_in",
        /// Handed to a household (written with the distribution).
        Issue => "issue",
        /// A count corrected up or down, with a reason.
        Adjustment => "adjustment",
        /// Spoiled, stolen or damaged, with a reason.
        Loss => "loss",
    }
);

/// A condition a household (per-household rule) or a person (per-person rule) must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EntitlementCondition {
    /// A child younger than `months` (per household: any member; per person: that member).
    /// A birth date known only to the year or month counts from its latest possible day,
    /// giving the family the benefit of the doubt.
    ChildUnderMonths {
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 216))]
        months: u32,
    },
}

/// How much of an item a household may receive per period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntitlementRule {
    pub basis: EntitlementBasis,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000000))]
    pub quantity: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub period_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<EntitlementCondition>,
    /// Only households of this group; a rule naming the household's group wins over a
    /// rule without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_group: Option<PopulationGroup>,
}

/// A new catalogue item with its entitlement rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    /// e.g. "Hygiene kit" (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::item_name, required = true))]
    pub name: Option<String>,
    /// e.g. "kit", "parcel", "bottle 5 L" (required).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::unit, required = true))]
    pub unit: Option<String>,
    /// A code shared across organisations (e.g. `hygiene_kit`), so that receipts at
    /// another organisation count against the same entitlement; the lower-cased name when
    /// absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::unit_optional))]
    pub code: Option<String>,
    /// Entitlement rules; none means the item is not limited.
    #[serde(default)]
    pub rules: Vec<EntitlementRule>,
    /// The item's name (and unit) in other languages, keyed by ISO 639-1 code (`kk`,
    /// `ky`, `en`, …): a reader of that language sees them instead of `name` and `unit`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::item_translations))]
    pub translations: BTreeMap<String, ItemTranslationInput>,
}

/// An item's name and unit in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemTranslationInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::item_name, required = true))]
    pub name: Option<String>,
    /// The unit in that language; the item's own unit when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::unit_optional))]
    pub unit: Option<String>,
}

/// An item's name and unit in one language, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemTranslation {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The translations of an item, by language code.
pub type ItemTranslations = BTreeMap<String, ItemTranslation>;

/// The name and unit a reader of `language` sees: the translation when there is one,
/// else the item's own.
pub fn localized_item<'a>(
    translations: &'a ItemTranslations,
    language: &str,
    name: &'a str,
    unit: &'a str,
) -> (&'a str, &'a str) {
    match translations.get(language) {
        Some(t) => (t.name.as_str(), t.unit.as_deref().unwrap_or(unit)),
        None => (name, unit),
    }
}

/// New translations for an existing item: they replace the old ones whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemTranslationsInput {
    /// Every translation from now on; `{}` removes them all.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::item_translations, required = true))]
    pub translations: Option<BTreeMap<String, ItemTranslationInput>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedItem {
    pub name: String,
    pub unit: String,
    pub code: String,
    pub rules: Vec<EntitlementRule>,
    pub translations: ItemTranslations,
}

pub fn validate_item(input: &ItemInput) -> Result<ValidatedItem, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let name = required_text(&mut errors, "#/name", input.name.as_deref(), MAX_NAME_CHARS);
    let unit = required_text(&mut errors, "#/unit", input.unit.as_deref(), MAX_UNIT_CHARS);
    let code = match input.code.as_deref() {
        Some(code) => text_field(&mut errors, "#/code", code, MAX_UNIT_CHARS, false),
        None => name.clone(),
    }
    .map(|c| c.to_lowercase());
    validate_rules(&mut errors, "#/rules", &input.rules);
    let translations = translations(&mut errors, "#/translations", &input.translations);
    match (name, unit, code) {
        (Some(name), Some(unit), Some(code)) if errors.is_empty() => Ok(ValidatedItem {
            name,
            unit,
            code,
            rules: input.rules.clone(),
            translations,
        }),
        _ => Err(errors),
    }
}

/// Validates [`ItemTranslationsInput`]: `translations` is required (send `{}` to remove
/// every translation).
pub fn validate_item_translations(
    input: &ItemTranslationsInput,
) -> Result<ItemTranslations, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let Some(input) = &input.translations else {
        errors.push(
            "#/translations",
            FieldErrorCode::Required,
            "is required; {} removes every translation",
        );
        return Err(errors);
    };
    let translations = translations(&mut errors, "#/translations", input);
    errors.into_result(translations)
}

fn translations(
    errors: &mut ValidationErrors,
    pointer: &str,
    input: &BTreeMap<String, ItemTranslationInput>,
) -> ItemTranslations {
    if input.len() > MAX_ITEM_TRANSLATIONS {
        errors.push(
            pointer,
            FieldErrorCode::TooMany,
            format!("at most {MAX_ITEM_TRANSLATIONS} languages"),
        );
        return ItemTranslations::new();
    }
    let mut out = ItemTranslations::new();
    for (language, translation) in input {
        // Keys are escaped as JSON Pointer tokens only after they are known to be letters.
        if language.len() != 2 || !language.bytes().all(|b| b.is_ascii_lowercase()) {
            errors.push(
                pointer,
                FieldErrorCode::InvalidValue,
                "languages are ISO 639-1 codes of two lower-case letters (kk, ky, en)",
            );
            continue;
        }
        let at = format!("{pointer}/{language}");
        let name = required_text(
            errors,
            &format!("{at}/name"),
            translation.name.as_deref(),
            MAX_NAME_CHARS,
        );
        let unit = translation
            .unit
            .as_deref()
            .and_then(|u| text_field(errors, &format!("{at}/unit"), u, MAX_UNIT_CHARS, false));
        if let Some(name) = name {
            out.insert(language.clone(), ItemTranslation { name, unit });
        }
    }
    out
}

/// New entitlement rules for an existing item: they replace the old ones whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemRulesInput {
    /// The rules from now on; empty means the item is no longer limited. Receipts already
    /// recorded count against the new rules over their windows.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub rules: Option<Vec<EntitlementRule>>,
}

/// Validates [`ItemRulesInput`]: `rules` is required (send `[]` to lift every limit).
pub fn validate_item_rules(
    input: &ItemRulesInput,
) -> Result<Vec<EntitlementRule>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let Some(rules) = &input.rules else {
        errors.push(
            "#/rules",
            FieldErrorCode::Required,
            "is required; [] lifts every limit",
        );
        return Err(errors);
    };
    validate_rules(&mut errors, "#/rules", rules);
    errors.into_result(rules.clone())
}

/// Checks a rule set: positive quantities and periods, and at most one rule per group (a
/// second would make "which rule applies" ambiguous).
pub fn validate_rules(errors: &mut ValidationErrors, pointer: &str, rules: &[EntitlementRule]) {
    let mut groups = HashSet::new();
    for (i, rule) in rules.iter().enumerate() {
        if rule.quantity == 0 || rule.quantity > MAX_QUANTITY {
            errors.push(
                &format!("{pointer}/{i}/quantity"),
                FieldErrorCode::InvalidValue,
                format!("must be between 1 and {MAX_QUANTITY}"),
            );
        }
        if rule.period_days == 0 || rule.period_days > MAX_PERIOD_DAYS {
            errors.push(
                &format!("{pointer}/{i}/period_days"),
                FieldErrorCode::InvalidValue,
                format!("must be between 1 and {MAX_PERIOD_DAYS}"),
            );
        }
        if let Some(EntitlementCondition::ChildUnderMonths { months }) = rule.condition
            && (months == 0 || months > 216)
        {
            errors.push(
                &format!("{pointer}/{i}/condition/months"),
                FieldErrorCode::InvalidValue,
                "must be between 1 and 216",
            );
        }
        if !groups.insert(rule.population_group) {
            errors.push(
                &format!("{pointer}/{i}/population_group"),
                FieldErrorCode::Duplicate,
                "another rule of this item already covers this group",
            );
        }
    }
}

/// A new distribution point or warehouse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PointInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::item_name, required = true))]
    pub name: Option<String>,
    /// `point` (hands out, the default) or `warehouse` (holds and transfers).
    #[serde(default)]
    pub kind: Option<PointKind>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::item_name_optional))]
    pub city: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedPoint {
    pub name: String,
    pub kind: PointKind,
    pub city: Option<String>,
}

pub fn validate_point(input: &PointInput) -> Result<ValidatedPoint, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let name = required_text(&mut errors, "#/name", input.name.as_deref(), MAX_NAME_CHARS);
    let city = input
        .city
        .as_deref()
        .and_then(|c| text_field(&mut errors, "#/city", c, MAX_NAME_CHARS, false));
    match name {
        Some(name) if errors.is_empty() => Ok(ValidatedPoint {
            name,
            kind: input.kind.unwrap_or(PointKind::Point),
            city,
        }),
        _ => Err(errors),
    }
}

/// A stock movement at one point: a receipt, a transfer to another point, an adjustment
/// (signed) or a loss.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MovementInput {
    #[serde(default)]
    pub item_id: Option<Uuid>,
    /// Units; positive, except an adjustment, which may be negative.
    #[serde(default)]
    pub quantity: Option<i64>,
    /// Destination of a transfer.
    #[serde(default)]
    pub to_point_id: Option<Uuid>,
    /// For adjustments: `adjustment` (default) or `loss`.
    #[serde(default)]
    pub kind: Option<LedgerKind>,
    /// Why: required for adjustments and losses, optional otherwise (donor, waybill).
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a movement does to the ledger, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedMovement {
    pub item_id: Uuid,
    pub kind: LedgerKind,
    /// Signed change of the balance at the point where the movement is recorded.
    pub delta: i64,
    pub to_point_id: Option<Uuid>,
    pub reason: Option<String>,
}

/// Which endpoint a movement arrived through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementRoute {
    Receipt,
    Transfer,
    Adjustment,
}

pub fn validate_movement(
    input: &MovementInput,
    route: MovementRoute,
) -> Result<ValidatedMovement, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if input.item_id.is_none() {
        errors.push("#/item_id", FieldErrorCode::Required, "is required");
    }
    let kind = match route {
        MovementRoute::Receipt => LedgerKind::Receipt,
        MovementRoute::Transfer => LedgerKind::TransferOut,
        MovementRoute::Adjustment => match input.kind.unwrap_or(LedgerKind::Adjustment) {
            k @ (LedgerKind::Adjustment | LedgerKind::Loss) => k,
            _ => {
                errors.push(
                    "#/kind",
                    FieldErrorCode::InvalidValue,
                    "must be adjustment or loss",
                );
                LedgerKind::Adjustment
            }
        },
    };
    if route != MovementRoute::Adjustment && input.kind.is_some() {
        errors.push(
            "#/kind",
            FieldErrorCode::InvalidValue,
            "only adjustments name a kind",
        );
    }
    let limit = i64::from(MAX_QUANTITY);
    let quantity = input.quantity.unwrap_or(0);
    let quantity_ok = match kind {
        LedgerKind::Adjustment => quantity != 0 && quantity.unsigned_abs() <= limit.unsigned_abs(),
        _ => (1..=limit).contains(&quantity),
    };
    if input.quantity.is_none() {
        errors.push("#/quantity", FieldErrorCode::Required, "is required");
    } else if !quantity_ok {
        let detail = if kind == LedgerKind::Adjustment {
            format!("must be non-zero and at most {limit} either way")
        } else {
            format!("must be between 1 and {limit}")
        };
        errors.push("#/quantity", FieldErrorCode::InvalidValue, detail);
    }
    match (route, input.to_point_id) {
        (MovementRoute::Transfer, None) => {
            errors.push("#/to_point_id", FieldErrorCode::Required, "is required")
        }
        (MovementRoute::Receipt | MovementRoute::Adjustment, Some(_)) => errors.push(
            "#/to_point_id",
            FieldErrorCode::InvalidValue,
            "only transfers have a destination",
        ),
        _ => {}
    }
    let reason_needed = matches!(kind, LedgerKind::Adjustment | LedgerKind::Loss);
    let reason = match input.reason.as_deref() {
        Some(r) => text_field(&mut errors, "#/reason", r, MAX_REASON_CHARS, true),
        None if reason_needed => {
            errors.push(
                "#/reason",
                FieldErrorCode::Required,
                "say why the stock changed",
            );
            None
        }
        None => None,
    };
    let delta = match kind {
        LedgerKind::Adjustment => quantity,
        LedgerKind::Receipt | LedgerKind::TransferIn => quantity,
        // Saturating: a quantity out of range is refused above, but must not overflow here.
        LedgerKind::TransferOut | LedgerKind::Issue | LedgerKind::Loss => quantity.saturating_neg(),
    };
    match input.item_id {
        Some(item_id) if errors.is_empty() => Ok(ValidatedMovement {
            item_id,
            kind,
            delta,
            to_point_id: input.to_point_id,
            reason,
        }),
        _ => Err(errors),
    }
}

/// One item of a distribution request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub item_id: Option<Uuid>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 1000000)
    )]
    pub quantity: Option<u32>,
    /// Members the line is for; all members when absent (per-person items: the eligible
    /// ones).
    #[serde(default)]
    pub person_ids: Option<Vec<Uuid>>,
}

/// What a household is given at a point.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DistributionInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub household_id: Option<Uuid>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub point_id: Option<Uuid>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 50))]
    pub lines: Vec<LineInput>,
    /// Why more than the entitlement is given; required when any line is over it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::reason_optional))]
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedDistribution {
    pub household_id: Uuid,
    pub point_id: Uuid,
    pub lines: Vec<RequestedLine>,
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestedLine {
    pub item_id: Uuid,
    pub quantity: u32,
    pub person_ids: Option<Vec<Uuid>>,
}

pub fn validate_distribution(
    input: &DistributionInput,
) -> Result<ValidatedDistribution, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if input.household_id.is_none() {
        errors.push("#/household_id", FieldErrorCode::Required, "is required");
    }
    if input.point_id.is_none() {
        errors.push("#/point_id", FieldErrorCode::Required, "is required");
    }
    if input.lines.is_empty() {
        errors.push(
            "#/lines",
            FieldErrorCode::Required,
            "give at least one item",
        );
    } else if input.lines.len() > MAX_LINES {
        errors.push(
            "#/lines",
            FieldErrorCode::TooMany,
            format!("at most {MAX_LINES} lines"),
        );
    }
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let Some(item_id) = line.item_id else {
            errors.push(
                &format!("#/lines/{i}/item_id"),
                FieldErrorCode::Required,
                "is required",
            );
            continue;
        };
        if !seen.insert(item_id) {
            errors.push(
                &format!("#/lines/{i}/item_id"),
                FieldErrorCode::Duplicate,
                "each item once per distribution",
            );
        }
        match line.quantity {
            Some(q) if (1..=MAX_QUANTITY).contains(&q) => lines.push(RequestedLine {
                item_id,
                quantity: q,
                person_ids: line.person_ids.clone(),
            }),
            Some(_) => errors.push(
                &format!("#/lines/{i}/quantity"),
                FieldErrorCode::InvalidValue,
                format!("must be between 1 and {MAX_QUANTITY}"),
            ),
            None => errors.push(
                &format!("#/lines/{i}/quantity"),
                FieldErrorCode::Required,
                "is required",
            ),
        }
    }
    let override_reason = input
        .override_reason
        .as_deref()
        .and_then(|r| text_field(&mut errors, "#/override_reason", r, MAX_REASON_CHARS, true));
    match (input.household_id, input.point_id) {
        (Some(household_id), Some(point_id)) if errors.is_empty() => Ok(ValidatedDistribution {
            household_id,
            point_id,
            lines,
            override_reason,
        }),
        _ => Err(errors),
    }
}

fn required_text(
    errors: &mut ValidationErrors,
    pointer: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Option<String> {
    match value {
        Some(v) => text_field(errors, pointer, v, max_chars, false),
        None => {
            errors.push(pointer, FieldErrorCode::Required, "is required");
            None
        }
    }
}

// ----- the entitlement check ------------------------------------------------------------

/// The household as the check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdSnapshot {
    pub id: Uuid,
    pub group: PopulationGroup,
    pub members: Vec<MemberSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSnapshot {
    pub person_id: Uuid,
    /// The resolved identity (the person's own id when not linked to anyone).
    pub identity: Uuid,
    pub birth_date: BirthDate,
}

/// The rules of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRules {
    pub item_id: Uuid,
    pub rules: Vec<EntitlementRule>,
}

/// A line given in the past, as far as the asking organisation may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastDistribution {
    pub date: NaiveDate,
    pub organisation_id: Uuid,
    pub household_id: Uuid,
    pub item_id: Uuid,
    pub quantity: u32,
    /// The persons covered, by resolved identity, with their share of the quantity.
    pub shares: Vec<Share>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    pub identity: Uuid,
    pub quantity: u32,
}

/// Why an item is limited now: the receipts that count, and what is not met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntitlementReason {
    /// The rule is for another population group.
    NotInGroup,
    /// No member (per household) or not this member (per person) meets the condition.
    ConditionNotMet,
    /// This household received the item within the period.
    ReceivedByHousehold {
        on: NaiveDate,
        quantity: u32,
        organisation_id: Uuid,
    },
    /// A member of this household received it with another household (moved, or
    /// registered twice), within the period.
    ReceivedWithAnotherHousehold {
        on: NaiveDate,
        quantity: u32,
        organisation_id: Uuid,
        person_id: Uuid,
    },
}

/// Per-person standing under a per-person rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonStanding {
    pub person_id: Uuid,
    pub eligible: bool,
    pub received: u32,
    pub remaining: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitled_again_on: Option<NaiveDate>,
}

/// What a household may receive of one item today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemEntitlement {
    pub item_id: Uuid,
    /// The rule that applies; `None` when the item has no rule (not limited) or none
    /// applies to this household (then `remaining` is 0 and a reason says why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<EntitlementRule>,
    /// False for items without rules.
    pub limited: bool,
    /// Units allowed per period for this household (sum over eligible persons).
    pub allowed: u32,
    /// Units received within the period that count against the rule.
    pub received: u32,
    /// Units that may be given now without an override (`None`: not limited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u32>,
    /// When something is allowed again, if nothing is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitled_again_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<PersonStanding>,
    pub reasons: Vec<EntitlementReason>,
}

/// The assessment of one requested line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineAssessment {
    pub item_id: Uuid,
    pub quantity: u32,
    /// Units beyond the entitlement (0 when within it or not limited).
    pub over_by: u32,
    /// Who the line covers and how many units each is counted as receiving.
    pub shares: Vec<PersonShare>,
    pub entitlement: ItemEntitlement,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonShare {
    pub person_id: Uuid,
    pub quantity: u32,
}

/// Whether `date` falls inside the window of a rule evaluated on `today`.
pub fn in_window(date: NaiveDate, today: NaiveDate, period_days: u32) -> bool {
    (today - date).num_days() < i64::from(period_days)
}

/// The first day a receipt on `date` no longer counts.
fn leaves_window(date: NaiveDate, period_days: u32) -> NaiveDate {
    date + chrono::Duration::days(i64::from(period_days))
}

/// Whether a person born on `birth` is younger than `months` on `today`, from the latest
/// day the birth date can mean.
fn younger_than_months(birth: &BirthDate, months: u32, today: NaiveDate) -> bool {
    let latest = match (birth.month(), birth.day()) {
        (Some(_), Some(_)) => birth.as_full_date(),
        (Some(m), None) => NaiveDate::from_ymd_opt(birth.year(), m, 1)
            .and_then(|d| d.checked_add_months(Months::new(1)))
            .and_then(|d| d.pred_opt()),
        _ => NaiveDate::from_ymd_opt(birth.year(), 12, 31),
    };
    latest
        .and_then(|d| d.checked_add_months(Months::new(months)))
        .is_some_and(|limit| today < limit)
}

fn meets(condition: Option<EntitlementCondition>, birth: &BirthDate, today: NaiveDate) -> bool {
    match condition {
        None => true,
        Some(EntitlementCondition::ChildUnderMonths { months }) => {
            younger_than_months(birth, months, today)
        }
    }
}

/// The rule of an item that applies to a household of `group`: one naming the group wins
/// over one without a group.
pub fn applicable_rule(
    rules: &[EntitlementRule],
    group: PopulationGroup,
) -> Option<&EntitlementRule> {
    rules
        .iter()
        .find(|r| r.population_group == Some(group))
        .or_else(|| rules.iter().find(|r| r.population_group.is_none()))
}

/// Members with distinct identities, first occurrence kept: the same person listed twice
/// in one household is entitled once.
fn distinct_members(household: &HouseholdSnapshot) -> Vec<&MemberSnapshot> {
    let mut seen = HashSet::new();
    household
        .members
        .iter()
        .filter(|m| seen.insert(m.identity))
        .collect()
}

/// The earliest day on which the receipts `(date, quantity)` in the window drop below
/// `allowed`, or `None` if they already are.
fn entitled_again(
    receipts: &mut [(NaiveDate, u32)],
    allowed: u32,
    period_days: u32,
) -> Option<NaiveDate> {
    let mut counted: u64 = receipts.iter().map(|(_, q)| u64::from(*q)).sum();
    if counted < u64::from(allowed) {
        return None;
    }
    receipts.sort_unstable();
    for (date, quantity) in receipts.iter() {
        counted -= u64::from(*quantity);
        if counted < u64::from(allowed) {
            return Some(leaves_window(*date, period_days));
        }
    }
    None
}

/// What the household may receive of one item on `today`, given what it (and its members,
/// by identity) received before.
pub fn entitlement(
    household: &HouseholdSnapshot,
    item: &ItemRules,
    today: NaiveDate,
    past: &[PastDistribution],
) -> ItemEntitlement {
    let members = distinct_members(household);
    let mut result = ItemEntitlement {
        item_id: item.item_id,
        rule: None,
        limited: !item.rules.is_empty(),
        allowed: 0,
        received: 0,
        remaining: None,
        entitled_again_on: None,
        persons: Vec::new(),
        reasons: Vec::new(),
    };
    if item.rules.is_empty() {
        return result;
    }
    let Some(rule) = applicable_rule(&item.rules, household.group) else {
        result.remaining = Some(0);
        result.reasons.push(EntitlementReason::NotInGroup);
        return result;
    };
    result.rule = Some(rule.clone());
    let relevant = past
        .iter()
        .filter(|p| p.item_id == item.item_id && in_window(p.date, today, rule.period_days));
    match rule.basis {
        EntitlementBasis::PerHousehold => {
            let eligible = members
                .iter()
                .any(|m| meets(rule.condition, &m.birth_date, today));
            if !eligible {
                result.remaining = Some(0);
                result.reasons.push(EntitlementReason::ConditionNotMet);
                return result;
            }
            result.allowed = rule.quantity;
            let mut receipts = Vec::new();
            for p in relevant {
                let reason = if p.household_id == household.id {
                    EntitlementReason::ReceivedByHousehold {
                        on: p.date,
                        quantity: p.quantity,
                        organisation_id: p.organisation_id,
                    }
                } else if let Some(member) = members
                    .iter()
                    .find(|m| p.shares.iter().any(|s| s.identity == m.identity))
                {
                    EntitlementReason::ReceivedWithAnotherHousehold {
                        on: p.date,
                        quantity: p.quantity,
                        organisation_id: p.organisation_id,
                        person_id: member.person_id,
                    }
                } else {
                    continue;
                };
                receipts.push((p.date, p.quantity));
                result.reasons.push(reason);
            }
            result.received = receipts
                .iter()
                .map(|(_, q)| *q)
                .fold(0, u32::saturating_add);
            result.remaining = Some(result.allowed.saturating_sub(result.received));
            if result.remaining == Some(0) {
                result.entitled_again_on =
                    entitled_again(&mut receipts, result.allowed, rule.period_days);
            }
        }
        EntitlementBasis::PerPerson => {
            let relevant: Vec<&PastDistribution> = relevant.collect();
            let mut any_eligible = false;
            for member in &members {
                let eligible = meets(rule.condition, &member.birth_date, today);
                any_eligible |= eligible;
                let mut receipts = Vec::new();
                for p in &relevant {
                    let share: u32 = p
                        .shares
                        .iter()
                        .filter(|s| s.identity == member.identity)
                        .map(|s| s.quantity)
                        .fold(0, u32::saturating_add);
                    if share == 0 {
                        continue;
                    }
                    receipts.push((p.date, share));
                    result.reasons.push(if p.household_id == household.id {
                        EntitlementReason::ReceivedByHousehold {
                            on: p.date,
                            quantity: share,
                            organisation_id: p.organisation_id,
                        }
                    } else {
                        EntitlementReason::ReceivedWithAnotherHousehold {
                            on: p.date,
                            quantity: share,
                            organisation_id: p.organisation_id,
                            person_id: member.person_id,
                        }
                    });
                }
                let received = receipts
                    .iter()
                    .map(|(_, q)| *q)
                    .fold(0, u32::saturating_add);
                let allowed = if eligible { rule.quantity } else { 0 };
                let remaining = allowed.saturating_sub(received);
                let entitled_again_on = if eligible && remaining == 0 {
                    entitled_again(&mut receipts, allowed, rule.period_days)
                } else {
                    None
                };
                result.allowed = result.allowed.saturating_add(allowed);
                result.received = result.received.saturating_add(received);
                result.persons.push(PersonStanding {
                    person_id: member.person_id,
                    eligible,
                    received,
                    remaining,
                    entitled_again_on,
                });
            }
            if !any_eligible {
                result.reasons.push(EntitlementReason::ConditionNotMet);
            }
            let remaining = result
                .persons
                .iter()
                .map(|p| p.remaining)
                .fold(0, u32::saturating_add);
            result.remaining = Some(remaining);
            if remaining == 0 {
                result.entitled_again_on = result
                    .persons
                    .iter()
                    .filter_map(|p| p.entitled_again_on)
                    .min();
            }
        }
    }
    result
}

/// A requested line that cannot be assessed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessError {
    #[error("line {line}: person {position} is not a member of this household")]
    UnknownPerson { line: usize, position: usize },
}

/// Assesses what a household is asked to be given on `today`: per line, how much is over
/// the entitlement and how the quantity is shared among the persons it covers.
///
/// Sharing: a per-person line fills each covered person's remaining entitlement in turn
/// and spreads any excess evenly (that excess is `over_by`); other lines are spread
/// evenly over the covered persons (some may get 0 units but are still recorded as
/// covered, which is how a per-household receipt follows its members).
pub fn assess(
    household: &HouseholdSnapshot,
    items: &[ItemRules],
    today: NaiveDate,
    past: &[PastDistribution],
    lines: &[RequestedLine],
) -> Result<Vec<LineAssessment>, AssessError> {
    let no_rules = Vec::new();
    let members = distinct_members(household);
    lines
        .iter()
        .enumerate()
        .map(|(line_index, line)| {
            let rules = items
                .iter()
                .find(|i| i.item_id == line.item_id)
                .map_or(&no_rules, |i| &i.rules);
            let item = ItemRules {
                item_id: line.item_id,
                rules: rules.clone(),
            };
            let entitlement = entitlement(household, &item, today, past);
            let per_person = entitlement
                .rule
                .as_ref()
                .is_some_and(|r| r.basis == EntitlementBasis::PerPerson);
            let covered: Vec<Uuid> = match &line.person_ids {
                Some(ids) => {
                    let mut chosen: Vec<Uuid> = Vec::new();
                    for (position, id) in ids.iter().enumerate() {
                        let member = household
                            .members
                            .iter()
                            .find(|m| m.person_id == *id)
                            .ok_or(AssessError::UnknownPerson {
                                line: line_index,
                                position,
                            })?;
                        // Two records of one person are covered once.
                        if !chosen.iter().any(|c| {
                            household
                                .members
                                .iter()
                                .any(|m| m.person_id == *c && m.identity == member.identity)
                        }) {
                            chosen.push(*id);
                        }
                    }
                    chosen
                }
                None if per_person => {
                    let eligible: Vec<Uuid> = entitlement
                        .persons
                        .iter()
                        .filter(|p| p.eligible)
                        .map(|p| p.person_id)
                        .collect();
                    if eligible.is_empty() {
                        members.iter().map(|m| m.person_id).collect()
                    } else {
                        eligible
                    }
                }
                None => members.iter().map(|m| m.person_id).collect(),
            };
            let mut shares: Vec<PersonShare> = covered
                .iter()
                .map(|id| PersonShare {
                    person_id: *id,
                    quantity: 0,
                })
                .collect();
            let mut left = line.quantity;
            if per_person {
                for share in &mut shares {
                    let remaining = entitlement
                        .persons
                        .iter()
                        .find(|p| p.person_id == share.person_id)
                        .map_or(0, |p| p.remaining);
                    let given = remaining.min(left);
                    share.quantity += given;
                    left -= given;
                }
            }
            let over_by = match (&entitlement.remaining, per_person) {
                (None, _) => 0,
                (Some(_), true) => left,
                (Some(remaining), false) => line.quantity.saturating_sub(*remaining),
            };
            if !shares.is_empty() {
                let n = shares.len() as u32;
                let (each, extra) = (left / n, left % n);
                for (i, share) in shares.iter_mut().enumerate() {
                    share.quantity += each + u32::from((i as u32) < extra);
                }
            }
            Ok(LineAssessment {
                item_id: line.item_id,
                quantity: line.quantity,
                over_by,
                shares,
                entitlement,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
