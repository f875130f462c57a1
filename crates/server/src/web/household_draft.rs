//! The household form as typed: every field kept verbatim so a form with mistakes comes
//! back as it was, read from a submitted form or from an imported row, and turned into the
//! API's document so both paths share one validation.

use serde_json::{Map, Value, json};
use shanyrak_core::{
    BirthDate, DocumentType, Household, HouseholdInput, LegalBasis, PopulationGroup, Relationship,
    Sex,
};
use uuid::Uuid;

use super::Ctx;
use super::forms::{FieldErrors, FormData};
use crate::error::ApiError;
use crate::extract::deserialize_with_pointer;

/// Most member rows one form holds (the API's limit is higher; a bigger group is
/// registered as several households or through the API).
pub const MAX_FORM_MEMBERS: usize = 30;

/// Citizenships offered first; the rest by code.
pub const COMMON_COUNTRIES: &[&str] = &["RU", "KZ", "KG", "UZ", "TJ", "BY", "UA", "AM", "AZ", "GE"];

/// A member row as typed, kept verbatim so a form with mistakes comes back as it was.
#[derive(Debug, Clone, Default)]
pub struct MemberDraft {
    pub id: Option<String>,
    pub surname: String,
    pub given_name: String,
    pub patronymic: String,
    pub sex: String,
    pub birth_date: String,
    pub estimated: bool,
    pub citizenship: String,
    pub relationship: String,
    pub vulnerabilities: Vec<String>,
    pub doc_type: String,
    pub doc_number: String,
    /// For a member with possible duplicates: the existing person's id ("the same
    /// person"), `new` ("a different person"), or empty while undecided.
    pub attach: String,
    /// Saving was stopped because this member has possible duplicates and no decision.
    pub undecided: bool,
    /// The member row just added: its first field to type gets the focus.
    pub focus: bool,
}

/// The whole form as typed.
#[derive(Debug, Clone, Default)]
pub struct HouseholdDraft {
    pub group: String,
    pub arrival_date: String,
    pub crossing_point: String,
    pub country: String,
    pub region: String,
    pub city: String,
    /// Where the household is now, as typed: a place name in any script, or
    /// "latitude, longitude".
    pub current_place: String,
    pub phone: String,
    pub languages: String,
    pub needs: Vec<String>,
    pub accepts_sex_separation: bool,
    pub accepts_several_rooms: bool,
    pub legal_basis: String,
    pub information_given: bool,
    pub status: String,
    pub notes: String,
    pub members: Vec<MemberDraft>,
    /// Makes a double submission on a bad connection register once.
    pub submission: String,
    pub version: Option<i64>,
    /// The quarantined import row this form corrects, if any.
    pub quarantine: Option<String>,
    /// The pre-registration this form confirms, if any.
    pub pre_registration: Option<String>,
}

/// Puts each text under its key, leaving out blank ones: a blank field is absent, not "".
fn put_texts<'a>(
    object: &mut Map<String, Value>,
    fields: impl IntoIterator<Item = (&'a str, &'a String)>,
) {
    for (key, value) in fields {
        if !value.is_empty() {
            object.insert(key.into(), Value::String(value.clone()));
        }
    }
}

fn text(form: &FormData, name: &str) -> String {
    form.get(name).unwrap_or_default().trim().to_owned()
}

/// A birth date typed as eight digits on a phone's number pad, which has no dot
/// (`03041975`), as the form's `ДД.ММ.ГГГГ`; anything else as typed.
fn dotted_date(typed: &str) -> String {
    let digits = typed.trim();
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}.{}.{}", &digits[..2], &digits[2..4], &digits[4..])
    } else {
        typed.to_owned()
    }
}

impl MemberDraft {
    fn from_form(form: &FormData, i: usize) -> Self {
        let f = |name: &str| text(form, &format!("m{i}.{name}"));
        MemberDraft {
            id: form.text(&format!("m{i}.id")),
            surname: f("surname"),
            given_name: f("given_name"),
            patronymic: f("patronymic"),
            sex: f("sex"),
            birth_date: dotted_date(&f("birth_date")),
            estimated: form.checked(&format!("m{i}.estimated")),
            citizenship: f("citizenship"),
            relationship: f("relationship"),
            vulnerabilities: form
                .all(&format!("m{i}.vulnerabilities"))
                .into_iter()
                .map(str::to_owned)
                .collect(),
            doc_type: f("doc_type"),
            doc_number: f("doc_number"),
            attach: f("attach"),
            undecided: false,
            focus: false,
        }
    }

    pub(super) fn blank(relationship: Relationship) -> Self {
        MemberDraft {
            citizenship: "RU".into(),
            relationship: relationship.as_str().into(),
            ..Default::default()
        }
    }

    /// The row after `previous`, as families are typed at a desk: the surname and
    /// citizenship carried over (to be corrected where they differ), a spouse second with
    /// the same kind of document, children after (who seldom hold the adults' kind of
    /// document: a type without a number would be an error), and the focus on the given
    /// name.
    pub(super) fn after(previous: &MemberDraft, members_so_far: usize, has_spouse: bool) -> Self {
        let relationship = if members_so_far == 1 && !has_spouse {
            Relationship::Spouse
        } else {
            Relationship::Child
        };
        let mut next = Self::blank(relationship);
        next.surname = previous.surname.clone();
        if !previous.citizenship.is_empty() {
            next.citizenship = previous.citizenship.clone();
        }
        if relationship == Relationship::Spouse {
            next.doc_type = previous.doc_type.clone();
            // Most spouses at a desk are of the other sex; one tap corrects it.
            next.sex = match Sex::parse(&previous.sex) {
                Some(Sex::Male) => Sex::Female.as_str().into(),
                Some(Sex::Female) => Sex::Male.as_str().into(),
                _ => String::new(),
            };
        }
        next.focus = true;
        next
    }

    pub fn has_name(&self) -> bool {
        !self.surname.is_empty() && !self.given_name.is_empty()
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        put_texts(
            &mut m,
            [
                ("surname", &self.surname),
                ("given_name", &self.given_name),
                ("patronymic", &self.patronymic),
                ("sex", &self.sex),
                ("birth_date", &self.birth_date),
                ("citizenship", &self.citizenship),
                ("relationship", &self.relationship),
            ],
        );
        if let Some(id) = &self.id {
            m.insert("id".into(), Value::String(id.clone()));
        }
        m.insert("birth_date_estimated".into(), Value::Bool(self.estimated));
        m.insert("vulnerabilities".into(), json!(self.vulnerabilities));
        if !self.doc_type.is_empty() {
            let mut doc = Map::new();
            doc.insert("type".into(), Value::String(self.doc_type.clone()));
            if !self.doc_number.is_empty() && self.doc_type != "none" {
                doc.insert("number".into(), Value::String(self.doc_number.clone()));
            }
            m.insert("documents".into(), json!([doc]));
        }
        Value::Object(m)
    }

    /// The person as the linkage library reads them, for a look-up before anything is
    /// saved. Parts that do not parse yet are left out rather than guessed.
    pub(super) fn linkage_record(&self, phone: Option<&str>) -> shanyrak_linkage::PersonRecord {
        let birth_date = BirthDate::parse(&self.birth_date).ok().and_then(|b| {
            shanyrak_linkage::PartialDate::new(
                u16::try_from(b.year()).ok(),
                b.month().and_then(|m| u8::try_from(m).ok()),
                b.day().and_then(|d| u8::try_from(d).ok()),
                self.estimated,
            )
            .ok()
        });
        let documents = DocumentType::parse(&self.doc_type)
            .filter(|t| *t != DocumentType::None && !self.doc_number.is_empty())
            .map(|t| {
                vec![shanyrak_linkage::Document {
                    doc_type: t.as_str().to_owned(),
                    number: self
                        .doc_number
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .collect(),
                }]
            })
            .unwrap_or_default();
        shanyrak_linkage::PersonRecord {
            record_id: "draft".into(),
            surname: self.surname.clone(),
            given_name: self.given_name.clone(),
            patronymic: (!self.patronymic.is_empty()).then(|| self.patronymic.clone()),
            sex: match Sex::parse(&self.sex) {
                Some(Sex::Male) => Some(shanyrak_linkage::Sex::Male),
                Some(Sex::Female) => Some(shanyrak_linkage::Sex::Female),
                _ => None,
            },
            birth_date,
            citizenship: (!self.citizenship.is_empty()).then(|| self.citizenship.clone()),
            documents,
            phone: phone.map(str::to_owned),
            ..Default::default()
        }
    }
}

impl HouseholdDraft {
    /// The form's `remove-{i}` button: drops member `i` unless it is unknown or the only
    /// one. False for any other action.
    pub fn remove_member(&mut self, action: &str) -> bool {
        let Some(index) = action.strip_prefix("remove-") else {
            return false;
        };
        if let Some(i) = index
            .parse::<usize>()
            .ok()
            .filter(|i| *i < self.members.len())
            && self.members.len() > 1
        {
            self.members.remove(i);
        }
        true
    }

    pub fn from_form(form: &FormData) -> Self {
        let count = form
            .get("member_count")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, MAX_FORM_MEMBERS);
        HouseholdDraft {
            group: text(form, "group"),
            arrival_date: text(form, "arrival_date"),
            crossing_point: text(form, "crossing_point"),
            country: text(form, "country"),
            region: text(form, "region"),
            city: text(form, "city"),
            current_place: text(form, "current_place"),
            phone: text(form, "phone"),
            languages: text(form, "languages"),
            needs: form.all("needs").into_iter().map(str::to_owned).collect(),
            accepts_sex_separation: form.checked("accepts_sex_separation"),
            accepts_several_rooms: form.checked("accepts_several_rooms"),
            legal_basis: text(form, "legal_basis"),
            information_given: form.checked("information_given"),
            status: text(form, "status"),
            notes: text(form, "notes"),
            members: (0..count)
                .map(|i| MemberDraft::from_form(form, i))
                .collect(),
            submission: form
                .text("submission")
                .unwrap_or_else(|| Uuid::now_v7().to_string()),
            version: form.get("version").and_then(|v| v.parse().ok()),
            quarantine: form.text("quarantine"),
            pre_registration: form.text("pre_registration"),
        }
    }

    /// A household held back from an import, as registration JSON, back into the form.
    pub fn from_document(document: &Value) -> Self {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let members: Vec<MemberDraft> = document["members"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                let doc = &m["documents"][0];
                MemberDraft {
                    id: None,
                    surname: text(&m["surname"]),
                    given_name: text(&m["given_name"]),
                    patronymic: text(&m["patronymic"]),
                    sex: text(&m["sex"]),
                    birth_date: text(&m["birth_date"]),
                    estimated: m["birth_date_estimated"].as_bool().unwrap_or(false),
                    citizenship: text(&m["citizenship"]),
                    relationship: text(&m["relationship"]),
                    vulnerabilities: m["vulnerabilities"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    doc_type: text(&doc["type"]),
                    doc_number: text(&doc["number"]),
                    attach: String::new(),
                    undecided: false,
                    focus: false,
                }
            })
            .collect();
        HouseholdDraft {
            group: text(&document["group"]),
            arrival_date: text(&document["arrival_date"]),
            crossing_point: text(&document["crossing_point"]),
            country: text(&document["location"]["country"]),
            region: text(&document["location"]["region"]),
            city: text(&document["location"]["city"]),
            phone: text(&document["phone"]),
            notes: text(&document["notes"]),
            needs: document["needs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            legal_basis: LegalBasis::VitalInterest.as_str().into(),
            members: if members.is_empty() {
                vec![MemberDraft::blank(Relationship::Head)]
            } else {
                members
            },
            submission: Uuid::now_v7().to_string(),
            ..Default::default()
        }
    }

    /// A new registration, with what a border reception desk fills in most.
    pub fn blank(ctx: &Ctx) -> Self {
        let today = crate::local_time::today();
        HouseholdDraft {
            group: PopulationGroup::Arrival.as_str().into(),
            arrival_date: match ctx.lang {
                super::Lang::En => today.format("%Y-%m-%d").to_string(),
                _ => today.format("%d.%m.%Y").to_string(),
            },
            country: "KZ".into(),
            legal_basis: LegalBasis::Consent.as_str().into(),
            members: vec![MemberDraft::blank(Relationship::Head)],
            submission: Uuid::now_v7().to_string(),
            ..Default::default()
        }
    }

    /// The registered household as a form to edit.
    pub fn from_household(household: &Household) -> Self {
        let input = household.to_input();
        HouseholdDraft {
            group: household.group.as_str().into(),
            arrival_date: input.arrival_date.unwrap_or_default(),
            crossing_point: household.crossing_point.clone().unwrap_or_default(),
            country: household.location.country.to_string(),
            region: household.location.region.clone().unwrap_or_default(),
            city: household.location.city.clone(),
            current_place: household
                .current_location
                .map(|at| current_place_label("ru", at))
                .unwrap_or_default(),
            phone: household
                .phone
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            languages: household.languages.join(", "),
            needs: household.needs.iter().map(|n| n.as_str().into()).collect(),
            accepts_sex_separation: household.accepts_sex_separation,
            accepts_several_rooms: household.accepts_several_rooms,
            legal_basis: household
                .legal_basis
                .map(|b| b.as_str().into())
                .unwrap_or_default(),
            information_given: household.information_given,
            status: household.status.as_str().into(),
            notes: household.notes.clone().unwrap_or_default(),
            members: household
                .members
                .iter()
                .map(|m| {
                    let doc = m.documents.first();
                    MemberDraft {
                        id: Some(m.id.to_string()),
                        surname: m.surname.clone(),
                        given_name: m.given_name.clone(),
                        patronymic: m.patronymic.clone().unwrap_or_default(),
                        sex: m.sex.as_str().into(),
                        birth_date: m.birth_date.to_iso(),
                        estimated: m.birth_date_estimated,
                        citizenship: m.citizenship.map(|c| c.to_string()).unwrap_or_default(),
                        relationship: m.relationship.as_str().into(),
                        vulnerabilities: m
                            .vulnerabilities
                            .iter()
                            .map(|v| v.as_str().into())
                            .collect(),
                        doc_type: doc.map(|d| d.doc_type.as_str().into()).unwrap_or_default(),
                        doc_number: doc.and_then(|d| d.number.clone()).unwrap_or_default(),
                        attach: String::new(),
                        undecided: false,
                        focus: false,
                    }
                })
                .collect(),
            submission: String::new(),
            version: Some(household.version),
            quarantine: None,
            pre_registration: None,
        }
    }

    pub fn to_json(&self) -> Value {
        let mut h = Map::new();
        put_texts(
            &mut h,
            [
                ("group", &self.group),
                ("arrival_date", &self.arrival_date),
                ("crossing_point", &self.crossing_point),
                ("phone", &self.phone),
                ("legal_basis", &self.legal_basis),
                ("notes", &self.notes),
                ("status", &self.status),
            ],
        );
        let mut location = Map::new();
        put_texts(
            &mut location,
            [
                ("country", &self.country),
                ("region", &self.region),
                ("city", &self.city),
            ],
        );
        h.insert("location".into(), Value::Object(location));
        if let Some(current) = current_location_json(&self.current_place) {
            h.insert("current_location".into(), current);
        }
        h.insert(
            "languages".into(),
            json!(
                self.languages
                    .split([',', ' ', ';'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
            ),
        );
        h.insert("needs".into(), json!(self.needs));
        h.insert(
            "accepts_sex_separation".into(),
            Value::Bool(self.accepts_sex_separation),
        );
        h.insert(
            "accepts_several_rooms".into(),
            Value::Bool(self.accepts_several_rooms),
        );
        h.insert(
            "information_given".into(),
            Value::Bool(self.information_given),
        );
        h.insert(
            "members".into(),
            Value::Array(self.members.iter().map(MemberDraft::to_json).collect()),
        );
        Value::Object(h)
    }

    /// The draft as the API's input, or the field errors it has.
    pub fn parse(&self) -> Result<(HouseholdInput, Value), FieldErrors> {
        let raw = self.to_json();
        match deserialize_with_pointer::<HouseholdInput>(&raw) {
            Ok(input) => Ok((input, raw)),
            Err(ApiError::Validation(e)) | Err(ApiError::InvalidQuery(e)) => {
                Err(FieldErrors::from_validation(&e))
            }
            Err(_) => Err(FieldErrors::default()),
        }
    }
}

/// A current location in words: the place's name in `lang`, or the coordinates. The form
/// shows the Russian name, which resolves back to the same place when sent again.
pub fn current_place_label(lang: &str, at: shanyrak_core::CurrentLocation) -> String {
    at.place_id
        .and_then(|id| {
            shanyrak_core::places::PlaceList::shared()
                .and_then(|list| list.get(shanyrak_core::places::PlaceId(id)))
                .map(|place| place.name(lang).to_owned())
        })
        .unwrap_or_else(|| {
            format!(
                "{:.5}, {:.5}",
                at.coordinates.latitude, at.coordinates.longitude
            )
        })
}

/// The typed current place as the API's `current_location`: a place of the list found by
/// any of its names, or "latitude, longitude". Text that is neither becomes place id 0,
/// which no place has, so validation names the field.
fn current_location_json(typed: &str) -> Option<Value> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    if let Some((latitude, longitude)) = typed
        .split_once(',')
        .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)))
    {
        return Some(json!({"coordinates": {"latitude": latitude, "longitude": longitude}}));
    }
    let place = crate::places::index_now()
        .and_then(|index| index.resolve(typed))
        .map_or(0, |id| id.0);
    Some(json!({"place_id": place}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_digits_are_a_date_with_dots_and_anything_else_stays_as_typed() {
        assert_eq!(dotted_date("03041975"), "03.04.1975");
        assert_eq!(dotted_date(" 03041975 "), "03.04.1975");
        for typed in [
            "03.04.1975",
            "1975",
            "1975-04",
            "0304197",
            "030419750",
            "0304197a",
            "",
        ] {
            assert_eq!(dotted_date(typed), typed);
        }
    }

    #[test]
    fn a_spouse_row_starts_with_the_other_sex() {
        let mut head = MemberDraft::blank(Relationship::Head);
        for (head_sex, spouse_sex) in [
            ("male", "female"),
            ("female", "male"),
            ("unknown", ""),
            ("", ""),
        ] {
            head.sex = head_sex.into();
            let spouse = MemberDraft::after(&head, 1, false);
            assert_eq!(spouse.relationship, "spouse");
            assert_eq!(spouse.sex, spouse_sex, "{head_sex}");
        }
        head.sex = "male".into();
        let child = MemberDraft::after(&head, 2, true);
        assert_eq!(child.sex, "", "a child's sex is never guessed");
    }
}
