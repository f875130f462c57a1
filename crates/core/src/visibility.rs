//! What each role sees: the one table of protected fields × roles × relations.
//!
//! Every redaction in the system asks this table: household reads
//! ([`crate::Household::redacted_for`]), the audit trail ([`redact_audit`]), the waiting
//! list, site reads, person search. The canary crawl (the server's test that fetches every
//! route as every role and looks for planted values) asserts against it, and the table in
//! `docs/THREAT_MODEL.md` is generated from it ([`markdown_table`]), so the three cannot
//! drift apart.
//!
//! **Invariant:** a field not named here is part of its record and follows the record's
//! read rule (`Action::ReadHousehold` for a household, and so on); a payload of a kind not
//! named here shows no values at all (fail closed).

use serde_json::Value;

use crate::household::string_enum;
use crate::sharing::SharingCategory;
use crate::{Actor, Role, Vulnerability};

string_enum!(
    /// A protected field: a part of a record whose visibility differs from the record's.
    Field {
        /// Names, birth dates, sex, citizenship, relationships, the household's city,
        /// group, needs and reference: the household record itself.
        HouseholdRecord => "household_record",
        /// Identity document numbers.
        DocumentNumber => "document_number",
        /// The household's phone number.
        Phone => "phone",
        /// Free-text notes on a household.
        HouseholdNotes => "household_notes",
        /// Where a household is waiting now (a place of the place list or coordinates):
        /// where to find people who fled.
        CurrentPosition => "current_position",
        /// Protection risk and medical vulnerabilities.
        SensitiveVulnerability => "sensitive_vulnerability",
        /// Pregnancy.
        Pregnancy => "pregnancy",
        /// A case: assessments, plan, appointments, status reason.
        CaseRecord => "case_record",
        /// Restricted case notes.
        CaseNote => "case_note",
        /// A referral as its sender keeps it (the consented fields and the answers).
        ReferralRecord => "referral_record",
        /// Entries, exits and migration registrations (legal stay).
        LegalStay => "legal_stay",
        /// What a household received, with the reasons for overrides.
        DistributionRecord => "distribution_record",
        /// A household's place in a resettlement pipeline, with reasons.
        ResettlementRecord => "resettlement_record",
        /// A placement proposal and the dispatcher's decisions, with their reasons.
        PlacementRecord => "placement_record",
        /// Reasons given for erasing a person's data.
        StaffRemark => "staff_remark",
        /// A site's name, house rules and bed pools with their live occupancy.
        SiteDetails => "site_details",
        /// A site's street address and coordinates.
        SiteExactLocation => "site_exact_location",
        /// A site's contact person and phone (for private accommodation: the host).
        SiteHostContact => "site_host_contact",
        /// A host offer from the public page: the host's address, name, phone and notes,
        /// and the coordinators' verification note.
        HostOffer => "host_offer",
    }
);

/// How the viewer's organisation stands to the organisation that owns the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// The same organisation.
    Own,
    /// The owner shares this category with the viewer's organisation under an agreement in
    /// force.
    Partner(SharingCategory),
    /// The viewer's organisation received a referral of this person; it sees the fields
    /// the person consented to share, and only while the referral is open.
    ReferralReceiver,
    /// No agreement, no referral.
    Unrelated,
}

impl Relation {
    /// Every relation, for tables and the crawl.
    pub const ALL: [Relation; 7] = [
        Relation::Own,
        Relation::Partner(SharingCategory::Identity),
        Relation::Partner(SharingCategory::Shelter),
        Relation::Partner(SharingCategory::Distributions),
        Relation::Partner(SharingCategory::Statistics),
        Relation::ReferralReceiver,
        Relation::Unrelated,
    ];

    pub fn label(self) -> String {
        match self {
            Relation::Own => "own organisation".to_owned(),
            Relation::Partner(category) => format!("partner sharing `{category}`"),
            Relation::ReferralReceiver => "receiver of a referral".to_owned(),
            Relation::Unrelated => "unrelated organisation".to_owned(),
        }
    }
}

/// Who sees a field beyond its own organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beyond {
    /// Nobody outside the owning organisation.
    Nobody,
    /// These roles of an organisation the owner shares this category with.
    Partner(SharingCategory, &'static [Role]),
    /// The receiver of an open referral, when the person consented to share this field.
    ReferralConsent,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub field: Field,
    /// Roles of the owning organisation that see the field.
    pub own: &'static [Role],
    pub beyond: Beyond,
    /// Where the field is shown to those who see it.
    pub shown_on: &'static str,
}

use Role::*;

const HOUSEHOLD_READERS: &[Role] = &[
    Admin,
    Registrar,
    Caseworker,
    SiteManager,
    Dispatcher,
    Distributor,
];
const REGISTERING: &[Role] = &[Admin, Registrar, Caseworker];
/// Those who place people into sites may know where the sites are and who hosts them.
const PLACING: &[Role] = &[Admin, SiteManager, Dispatcher, Caseworker];

/// The table. Analysts and auditors see aggregates, the audit log's who-did-what-when and
/// which fields changed, and none of these values.
pub const RULES: &[Rule] = &[
    Rule {
        field: Field::HouseholdRecord,
        own: HOUSEHOLD_READERS,
        beyond: Beyond::ReferralConsent,
        shown_on: "households, search, residents, review queue, entitlements, cases, \
                   referrals, subject access, audit trail",
    },
    Rule {
        field: Field::DocumentNumber,
        own: REGISTERING,
        beyond: Beyond::ReferralConsent,
        shown_on: "households, search by document, subject access, audit trail",
    },
    Rule {
        field: Field::Phone,
        own: &[Admin, Registrar, Caseworker, SiteManager, Dispatcher],
        beyond: Beyond::ReferralConsent,
        shown_on: "households, search by phone, subject access, audit trail",
    },
    Rule {
        field: Field::HouseholdNotes,
        own: REGISTERING,
        beyond: Beyond::Nobody,
        shown_on: "households, subject access, audit trail",
    },
    Rule {
        field: Field::CurrentPosition,
        own: &[Admin, Registrar, Caseworker, SiteManager, Dispatcher],
        beyond: Beyond::Nobody,
        shown_on: "households, waiting list, dispatch, subject access, audit trail",
    },
    Rule {
        field: Field::SensitiveVulnerability,
        own: &[Caseworker],
        beyond: Beyond::ReferralConsent,
        shown_on: "households, cases, referrals",
    },
    Rule {
        field: Field::Pregnancy,
        own: REGISTERING,
        beyond: Beyond::ReferralConsent,
        shown_on: "households, cases, referrals, audit trail",
    },
    Rule {
        field: Field::CaseRecord,
        own: &[Caseworker],
        beyond: Beyond::Nobody,
        shown_on: "cases",
    },
    Rule {
        field: Field::CaseNote,
        own: &[Caseworker],
        beyond: Beyond::Nobody,
        shown_on: "case notes",
    },
    Rule {
        field: Field::ReferralRecord,
        own: &[Caseworker],
        beyond: Beyond::Nobody,
        shown_on: "referrals sent",
    },
    Rule {
        field: Field::LegalStay,
        own: REGISTERING,
        beyond: Beyond::Nobody,
        shown_on: "legal stay, upcoming deadlines, audit trail",
    },
    Rule {
        field: Field::DistributionRecord,
        own: &[Admin, Distributor],
        beyond: Beyond::Nobody,
        shown_on: "entitlements, audit trail",
    },
    Rule {
        field: Field::ResettlementRecord,
        own: &[Admin, Caseworker],
        beyond: Beyond::Nobody,
        shown_on: "resettlement entries, audit trail",
    },
    Rule {
        field: Field::PlacementRecord,
        own: PLACING,
        beyond: Beyond::Nobody,
        shown_on: "placements, dispatch, audit trail",
    },
    Rule {
        field: Field::StaffRemark,
        own: &[Admin],
        beyond: Beyond::Nobody,
        shown_on: "audit trail",
    },
    Rule {
        field: Field::SiteDetails,
        own: PLACING,
        beyond: Beyond::Partner(SharingCategory::Shelter, PLACING),
        shown_on: "sites, dispatch, placements, audit trail",
    },
    Rule {
        field: Field::SiteExactLocation,
        own: PLACING,
        beyond: Beyond::Partner(SharingCategory::Shelter, PLACING),
        shown_on: "sites, audit trail",
    },
    Rule {
        field: Field::SiteHostContact,
        own: PLACING,
        beyond: Beyond::Partner(SharingCategory::Shelter, PLACING),
        shown_on: "sites, audit trail",
    },
    Rule {
        field: Field::HostOffer,
        own: &[Admin, Dispatcher],
        beyond: Beyond::Nobody,
        shown_on: "host offers, audit trail",
    },
];

impl Field {
    pub fn rule(self) -> &'static Rule {
        // Every field has exactly one rule (tested); the fallback shows nothing.
        RULES.iter().find(|r| r.field == self).unwrap_or(&Rule {
            field: Field::HouseholdRecord,
            own: &[],
            beyond: Beyond::Nobody,
            shown_on: "",
        })
    }

    /// Whether a user with `role`, related to the owner by `relation`, may see this field.
    /// For a referral receiver this is the upper bound: the referral's consent decides.
    pub fn visible_to(self, role: Role, relation: Relation) -> bool {
        let rule = self.rule();
        match relation {
            Relation::Own => rule.own.contains(&role),
            Relation::Partner(category) => matches!(
                rule.beyond,
                Beyond::Partner(shared, roles) if shared == category && roles.contains(&role)
            ),
            Relation::ReferralReceiver => {
                matches!(rule.beyond, Beyond::ReferralConsent) && role == Caseworker
            }
            Relation::Unrelated => false,
        }
    }
}

/// A user as the table sees them: their roles and how their organisation stands to the
/// owner of what they read.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub roles: &'a [Role],
    pub relation: Relation,
}

impl<'a> Viewer<'a> {
    /// A user reading their own organisation's records.
    pub fn own(actor: &'a Actor) -> Self {
        Viewer {
            roles: &actor.roles,
            relation: Relation::Own,
        }
    }

    pub fn sees(&self, field: Field) -> bool {
        self.roles
            .iter()
            .any(|&role| field.visible_to(role, self.relation))
    }

    /// Whether this vulnerability may be shown to the viewer.
    pub fn sees_vulnerability(&self, vulnerability: Vulnerability) -> bool {
        match vulnerability_field(vulnerability) {
            Some(field) => self.sees(field),
            None => self.sees(Field::HouseholdRecord),
        }
    }
}

/// The protected field a vulnerability belongs to, if it is more protected than the record.
pub fn vulnerability_field(vulnerability: Vulnerability) -> Option<Field> {
    match vulnerability {
        Vulnerability::ProtectionRisk | Vulnerability::Medical => {
            Some(Field::SensitiveVulnerability)
        }
        Vulnerability::Pregnant => Some(Field::Pregnancy),
        _ => None,
    }
}

/// Codes of the vulnerabilities that belong to `field`.
fn vulnerability_codes(field: Field) -> Vec<&'static str> {
    Vulnerability::ALL
        .iter()
        .filter(|v| vulnerability_field(**v) == Some(field))
        .map(|v| v.as_str())
        .collect()
}

// ----- the audit trail ---------------------------------------------------------------------

/// Where a protected field sits in an audit payload: a JSON pointer whose `*` segments match
/// every array element, and for vulnerability lists the codes that belong to the field.
#[derive(Debug, Clone, Copy)]
pub struct PayloadPart {
    pub pointer: &'static str,
    pub field: Field,
    /// Only these array items (vulnerability codes) belong to the field.
    pub items: bool,
}

const fn part(pointer: &'static str, field: Field) -> PayloadPart {
    PayloadPart {
        pointer,
        field,
        items: false,
    }
}

/// How the audit payload of one kind of record is protected: the field the whole payload
/// belongs to, and the parts that are protected more.
#[derive(Debug, Clone, Copy)]
pub struct PayloadShape {
    pub entity: &'static str,
    /// `None`: operational data (counts, ids, statuses, definitions) that every reader of
    /// the audit log may see.
    pub record: Option<Field>,
    pub parts: &'static [PayloadPart],
}

/// Every kind of record the audit log holds. A kind missing here shows no values.
pub const AUDIT_SHAPES: &[PayloadShape] = &[
    PayloadShape {
        entity: "household",
        record: Some(Field::HouseholdRecord),
        parts: &[
            part("/members/*/documents", Field::DocumentNumber),
            part("/phone", Field::Phone),
            part("/notes", Field::HouseholdNotes),
            part("/current_location", Field::CurrentPosition),
            PayloadPart {
                pointer: "/members/*/vulnerabilities",
                field: Field::SensitiveVulnerability,
                items: true,
            },
            PayloadPart {
                pointer: "/members/*/vulnerabilities",
                field: Field::Pregnancy,
                items: true,
            },
            // Erasure and anonymisation events: the reason an admin gave.
            part("/reason", Field::StaffRemark),
        ],
    },
    PayloadShape {
        entity: "case",
        record: Some(Field::CaseRecord),
        parts: &[],
    },
    PayloadShape {
        entity: "referral",
        record: Some(Field::ReferralRecord),
        parts: &[],
    },
    PayloadShape {
        entity: "stay_movement",
        record: Some(Field::LegalStay),
        parts: &[],
    },
    PayloadShape {
        entity: "distribution",
        record: Some(Field::DistributionRecord),
        parts: &[],
    },
    PayloadShape {
        entity: "resettlement_entry",
        record: Some(Field::ResettlementRecord),
        parts: &[],
    },
    PayloadShape {
        entity: "site",
        record: Some(Field::SiteDetails),
        parts: &[
            part("/address", Field::SiteExactLocation),
            part("/coordinates", Field::SiteExactLocation),
            part("/contact_name", Field::SiteHostContact),
            part("/contact_phone", Field::SiteHostContact),
        ],
    },
    PayloadShape {
        entity: "host_offer",
        record: Some(Field::HostOffer),
        parts: &[],
    },
    PayloadShape {
        entity: "placement_batch",
        record: Some(Field::PlacementRecord),
        parts: &[],
    },
    // Operational records: counts, ids, statuses and definitions only.
    PayloadShape {
        entity: "case_note",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "bed_pool",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "stay",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "item",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "distribution_point",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "stock_entry",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "duplicate_candidate",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "import",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "export",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "person",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "user",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "api_token",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "organisation",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "sharing_agreement",
        record: None,
        parts: &[],
    },
    PayloadShape {
        entity: "resettlement_programme",
        record: None,
        parts: &[],
    },
];

/// An audit event's payload as one viewer may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct RedactedPayload {
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// JSON pointers of what changed between before and after (of the whole payload, so a
    /// reader learns *that* a field changed even where its values are withheld).
    pub changed: Vec<String>,
    /// JSON pointers whose values were removed for this viewer.
    pub withheld: Vec<String>,
}

/// The payload of an audit event about a record of kind `entity`, with every value the
/// viewer may not see removed (not masked).
pub fn redact_audit(
    entity: &str,
    before: Option<Value>,
    after: Option<Value>,
    viewer: &Viewer<'_>,
) -> RedactedPayload {
    let changed = changed_pointers(before.as_ref(), after.as_ref());
    let shape = AUDIT_SHAPES.iter().find(|s| s.entity == entity);
    let mut withheld = Vec::new();
    let mut redact = |value: Option<Value>| -> Option<Value> {
        let mut value = value?;
        let whole_hidden = match shape {
            None => true,
            Some(shape) => shape.record.is_some_and(|field| !viewer.sees(field)),
        };
        if whole_hidden {
            withheld.push(String::new());
            return None;
        }
        for part in shape.map(|s| s.parts).unwrap_or_default() {
            if viewer.sees(part.field) {
                continue;
            }
            let segments: Vec<&str> = part.pointer.split('/').skip(1).collect();
            if part.items {
                let codes = vulnerability_codes(part.field);
                remove_items(&mut value, &segments, "", &codes, &mut withheld);
            } else {
                remove_at(&mut value, &segments, "", &mut withheld);
            }
        }
        Some(value)
    };
    let before = redact(before);
    let after = redact(after);
    withheld.sort();
    withheld.dedup();
    RedactedPayload {
        before,
        after,
        changed,
        withheld,
    }
}

fn remove_at(value: &mut Value, segments: &[&str], at: &str, removed: &mut Vec<String>) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    match (first, value) {
        (&"*", Value::Array(items)) => {
            for (i, item) in items.iter_mut().enumerate() {
                remove_at(item, rest, &format!("{at}/{i}"), removed);
            }
        }
        (key, Value::Object(map)) => match map.get_mut(*key) {
            Some(_) if rest.is_empty() => {
                map.remove(*key);
                removed.push(format!("{at}/{key}"));
            }
            Some(inner) => remove_at(inner, rest, &format!("{at}/{key}"), removed),
            None => {}
        },
        _ => {}
    }
}

fn remove_items(
    value: &mut Value,
    segments: &[&str],
    at: &str,
    codes: &[&str],
    removed: &mut Vec<String>,
) {
    match segments.split_first() {
        None => {
            if let Value::Array(items) = value {
                let before = items.len();
                items.retain(|item| !item.as_str().is_some_and(|code| codes.contains(&code)));
                if items.len() != before {
                    removed.push(at.to_owned());
                }
            }
        }
        Some((&"*", rest)) => {
            if let Value::Array(items) = value {
                for (i, item) in items.iter_mut().enumerate() {
                    remove_items(item, rest, &format!("{at}/{i}"), codes, removed);
                }
            }
        }
        Some((key, rest)) => {
            if let Some(inner) = value.get_mut(*key) {
                remove_items(inner, rest, &format!("{at}/{key}"), codes, removed);
            }
        }
    }
}

/// JSON pointers where `before` and `after` differ: into objects and into arrays of
/// objects of the same length (members), else the pointer of the differing value.
pub fn changed_pointers(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let empty = Value::Object(serde_json::Map::new());
    let mut out = Vec::new();
    diff(
        before.unwrap_or(&empty),
        after.unwrap_or(&empty),
        "",
        3,
        &mut out,
    );
    out
}

fn diff(a: &Value, b: &Value, at: &str, depth: usize, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if depth > 0 => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let pointer = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => diff(p, q, &pointer, depth - 1, out),
                    _ => out.push(pointer),
                }
            }
        }
        (Value::Array(x), Value::Array(y))
            if depth > 0 && x.len() == y.len() && x.iter().chain(y).all(Value::is_object) =>
        {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(p, q, &format!("{at}/{i}"), depth - 1, out);
            }
        }
        _ => out.push(if at.is_empty() {
            "/".to_owned()
        } else {
            at.to_owned()
        }),
    }
}

// ----- documentation -----------------------------------------------------------------------

/// The table as Markdown, for docs/THREAT_MODEL.md (a test keeps the document in step).
pub fn markdown_table() -> String {
    let roles = Role::ALL;
    let mut out = String::from("| field | ");
    for role in roles {
        out.push_str(&format!("{role} | "));
    }
    out.push_str("beyond the organisation | shown on |\n|---|");
    for _ in roles {
        out.push_str("---|");
    }
    out.push_str("---|---|\n");
    for rule in RULES {
        out.push_str(&format!("| `{}` | ", rule.field));
        for role in roles {
            out.push_str(if rule.own.contains(role) {
                "✓ | "
            } else {
                "— | "
            });
        }
        let beyond = match rule.beyond {
            Beyond::Nobody => "nobody".to_owned(),
            Beyond::Partner(category, roles) => format!(
                "{} of a partner sharing `{category}`",
                roles
                    .iter()
                    .map(Role::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Beyond::ReferralConsent => {
                "the receiver of an open referral, if the person consented".to_owned()
            }
        };
        out.push_str(&format!("{beyond} | {} |\n", rule.shown_on));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn viewer(roles: &[Role]) -> Viewer<'_> {
        Viewer {
            roles,
            relation: Relation::Own,
        }
    }

    #[test]
    fn every_field_has_exactly_one_rule() {
        for field in Field::ALL {
            assert_eq!(
                RULES.iter().filter(|r| r.field == *field).count(),
                1,
                "{field}"
            );
        }
    }

    #[test]
    fn analysts_and_auditors_see_no_protected_value() {
        for field in Field::ALL {
            for relation in Relation::ALL {
                assert!(!field.visible_to(Analyst, relation), "{field}");
                assert!(!field.visible_to(Auditor, relation), "{field}");
            }
        }
    }

    #[test]
    fn an_unrelated_organisation_sees_nothing() {
        for field in Field::ALL {
            for role in Role::ALL {
                assert!(!field.visible_to(*role, Relation::Unrelated));
            }
        }
    }

    #[test]
    fn host_offers_stay_with_the_coordinators_and_dispatchers_of_the_organisation() {
        for role in Role::ALL {
            assert_eq!(
                Field::HostOffer.visible_to(*role, Relation::Own),
                matches!(role, Admin | Dispatcher),
                "{role}"
            );
            for relation in Relation::ALL.iter().filter(|r| **r != Relation::Own) {
                assert!(!Field::HostOffer.visible_to(*role, *relation), "{role}");
            }
        }
    }

    #[test]
    fn host_contacts_reach_shelter_partners_only() {
        let field = Field::SiteHostContact;
        assert!(field.visible_to(Dispatcher, Relation::Partner(SharingCategory::Shelter)));
        assert!(!field.visible_to(Registrar, Relation::Partner(SharingCategory::Shelter)));
        assert!(!field.visible_to(Dispatcher, Relation::Partner(SharingCategory::Identity)));
        assert!(!field.visible_to(Registrar, Relation::Own));
    }

    fn household_payload() -> Value {
        json!({
            "id": "h1", "phone": "+77011234567", "notes": "hiding from the unit",
            "location": {"city": "Oral"},
            "members": [
                {"surname": "Смирнов", "vulnerabilities": ["child", "protection_risk", "pregnant"],
                 "documents": [{"type": "ru_internal_passport", "number": "4512345678"}]}
            ]
        })
    }

    #[test]
    fn an_admin_sees_documents_but_not_the_sensitive_vulnerabilities() {
        let redacted = redact_audit(
            "household",
            None,
            Some(household_payload()),
            &viewer(&[Admin]),
        );
        let after = redacted.after.expect("after");
        assert_eq!(after["members"][0]["documents"][0]["number"], "4512345678");
        assert_eq!(
            after["members"][0]["vulnerabilities"],
            json!(["child", "pregnant"])
        );
        assert_eq!(
            redacted.withheld,
            vec!["/members/0/vulnerabilities".to_owned()]
        );
    }

    #[test]
    fn an_auditor_sees_which_fields_changed_and_no_value() {
        let before = household_payload();
        let mut after = before.clone();
        after["members"][0]["documents"][0]["number"] = json!("4512000000");
        after["notes"] = json!("moved on");
        let redacted = redact_audit("household", Some(before), Some(after), &viewer(&[Auditor]));
        assert_eq!(redacted.before, None);
        assert_eq!(redacted.after, None);
        assert_eq!(
            redacted.changed,
            vec!["/members/0/documents".to_owned(), "/notes".to_owned()]
        );
    }

    #[test]
    fn a_site_manager_reading_a_household_event_loses_documents_notes_and_phone() {
        let redacted = redact_audit(
            "household",
            None,
            Some(household_payload()),
            &viewer(&[SiteManager]),
        );
        let text = redacted.after.expect("after").to_string();
        for hidden in ["4512345678", "hiding", "protection_risk", "pregnant"] {
            assert!(!text.contains(hidden), "{hidden} in {text}");
        }
        assert!(
            text.contains("+77011234567"),
            "site managers may call the family"
        );
    }

    #[test]
    fn an_unknown_kind_of_record_shows_no_values() {
        let redacted = redact_audit("novel", None, Some(json!({"secret": 1})), &viewer(&[Admin]));
        assert_eq!(redacted.after, None);
        assert_eq!(redacted.changed, vec!["/secret".to_owned()]);
    }

    #[test]
    fn site_contacts_are_withheld_from_an_auditor_and_shown_to_its_dispatcher() {
        let site = json!({"name": "Дом", "address": "ул. 1", "contact_phone": "+77010000000",
                          "coordinates": {"lat": 51.2, "lon": 51.4}});
        let dispatcher = redact_audit("site", None, Some(site.clone()), &viewer(&[Dispatcher]));
        assert_eq!(dispatcher.after, Some(site.clone()));
        let registrar = redact_audit("site", None, Some(site), &viewer(&[Registrar]));
        assert_eq!(registrar.after, None);
    }

    /// docs/THREAT_MODEL.md carries the table generated from [`RULES`]; with
    /// `SHANYRAK_WRITE_DOCS=1` this test writes it there instead of failing.
    #[test]
    fn the_threat_model_shows_this_table() {
        const START: &str =
            "<!-- visibility-table:start (generated from crates/core/src/visibility.rs) -->\n";
        const END: &str = "<!-- visibility-table:end -->";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/THREAT_MODEL.md");
        let doc = std::fs::read_to_string(path).expect("docs/THREAT_MODEL.md");
        let (Some(start), Some(end)) = (doc.find(START), doc.find(END)) else {
            panic!("docs/THREAT_MODEL.md has no visibility-table markers");
        };
        let expected = format!(
            "{}{START}{}{}",
            &doc[..start],
            markdown_table(),
            &doc[end..]
        );
        if doc != expected {
            if std::env::var_os("SHANYRAK_WRITE_DOCS").is_some() {
                std::fs::write(path, expected).expect("write");
            } else {
                panic!(
                    "docs/THREAT_MODEL.md's visibility table is out of date: run \
                     SHANYRAK_WRITE_DOCS=1 cargo test -p shanyrak-core visibility"
                );
            }
        }
    }

    #[test]
    fn the_markdown_has_a_row_per_field_and_a_column_per_role() {
        let table = markdown_table();
        assert_eq!(table.lines().count(), 2 + RULES.len());
        assert!(
            table
                .lines()
                .all(|l| l.matches('|').count() == Role::ALL.len() + 4)
        );
    }
}
