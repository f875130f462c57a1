use super::*;
use crate::DocumentType;
use crate::document::tests::make_iin;

fn ctx() -> ValidationContext {
    ValidationContext {
        today: NaiveDate::from_ymd_opt(2022, 9, 30).expect("date"),
    }
}

fn member(relationship: Relationship) -> MemberInput {
    MemberInput {
        surname: Some("Смирнов".into()),
        given_name: Some("Алексей".into()),
        patronymic: Some("Игоревич".into()),
        sex: Some(Sex::Male),
        birth_date: Some("1995-03-02".into()),
        citizenship: Some("RU".into()),
        relationship: Some(relationship),
        documents: vec![DocumentInput {
            doc_type: DocumentType::RuInternalPassport,
            number: Some("4512 345678".into()),
            issuing_country: None,
        }],
        ..MemberInput::default()
    }
}

fn household() -> HouseholdInput {
    HouseholdInput {
        group: Some(PopulationGroup::Arrival),
        arrival_date: Some("2022-09-27".into()),
        crossing_point: Some("Сырым".into()),
        location: Some(LocationInput {
            country: Some("KZ".into()),
            region: Some("Батыс Қазақстан".into()),
            city: Some("Oral".into()),
            place_id: None,
        }),
        phone: Some("+7 912 345-67-89".into()),
        languages: vec!["RU".into(), "ru".into()],
        needs: vec![Need::Shelter, Need::Food, Need::Shelter],
        members: Some(vec![member(Relationship::Head)]),
        ..HouseholdInput::default()
    }
}

fn codes(result: Result<ValidatedHousehold, ValidationErrors>) -> Vec<(String, FieldErrorCode)> {
    result
        .expect_err("expected errors")
        .errors
        .into_iter()
        .map(|e| (e.pointer, e.code))
        .collect()
}

#[test]
fn the_issue_example_is_valid_and_normalised() {
    let valid = validate(&household(), &ctx()).expect("valid");
    assert_eq!(
        valid.phone.as_ref().map(|p| p.as_str()),
        Some("+79123456789")
    );
    assert_eq!(valid.languages, vec!["ru".to_owned()]);
    assert_eq!(valid.needs, vec![Need::Shelter, Need::Food]);
    assert_eq!(valid.status, HouseholdStatus::Active);
    assert_eq!(
        valid.members[0].documents[0].number.as_deref(),
        Some("4512345678")
    );
}

#[test]
fn every_missing_field_is_reported_at_once() {
    let found = codes(validate(&HouseholdInput::default(), &ctx()));
    assert_eq!(
        found,
        vec![
            ("#/group".to_owned(), FieldErrorCode::Required),
            ("#/location".to_owned(), FieldErrorCode::Required),
            ("#/members".to_owned(), FieldErrorCode::Required),
        ]
    );
    let mut h = household();
    h.members = Some(vec![MemberInput::default()]);
    let found = codes(validate(&h, &ctx()));
    for field in ["surname", "given_name", "sex", "relationship", "birth_date"] {
        assert!(
            found.contains(&(format!("#/members/0/{field}"), FieldErrorCode::Required)),
            "{field}: {found:?}"
        );
    }
}

#[test]
fn future_birth_date_names_the_field() {
    let mut h = household();
    let mut m = member(Relationship::Head);
    m.birth_date = Some("2023-01-01".into());
    h.members = Some(vec![m]);
    assert_eq!(
        codes(validate(&h, &ctx())),
        vec![(
            "#/members/0/birth_date".to_owned(),
            FieldErrorCode::DateInFuture
        )]
    );
}

#[test]
fn year_only_in_the_current_year_is_not_future() {
    let mut h = household();
    let mut m = member(Relationship::Child);
    m.birth_date = Some("2022".into());
    m.documents.clear();
    h.members = Some(vec![member(Relationship::Head), m]);
    assert!(validate(&h, &ctx()).is_ok());
}

#[test]
fn iin_disagreeing_with_birth_date_or_sex_is_an_error() {
    let mut h = household();
    let mut m = member(Relationship::Head);
    m.documents = vec![DocumentInput {
        doc_type: DocumentType::KzId,
        number: Some(make_iin("950303", 3, "0001")),
        issuing_country: None,
    }];
    h.members = Some(vec![m.clone()]);
    assert_eq!(
        codes(validate(&h, &ctx())),
        vec![(
            "#/members/0/documents/0/number".to_owned(),
            FieldErrorCode::DocumentBirthDateMismatch
        )]
    );
    // The same IIN is fine for an estimated birth date; a female IIN for a man is not.
    m.birth_date_estimated = true;
    m.documents[0].number = Some(make_iin("950303", 4, "0001"));
    h.members = Some(vec![m]);
    assert_eq!(
        codes(validate(&h, &ctx())),
        vec![(
            "#/members/0/documents/0/number".to_owned(),
            FieldErrorCode::DocumentSexMismatch
        )]
    );
}

#[test]
fn thirteen_digit_iin_and_bad_phone() {
    let mut h = household();
    let mut m = member(Relationship::Head);
    m.documents = vec![DocumentInput {
        doc_type: DocumentType::KzId,
        number: Some("9503023000123".into()),
        issuing_country: None,
    }];
    h.members = Some(vec![m]);
    h.phone = Some("12-34".into());
    assert_eq!(
        codes(validate(&h, &ctx())),
        vec![
            ("#/phone".to_owned(), FieldErrorCode::InvalidPhone),
            (
                "#/members/0/documents/0/number".to_owned(),
                FieldErrorCode::InvalidDocumentNumber
            ),
        ]
    );
}

#[test]
fn consent_needs_information_first() {
    let mut h = household();
    h.legal_basis = Some(LegalBasis::Consent);
    assert_eq!(
        codes(validate(&h, &ctx())),
        vec![(
            "#/information_given".to_owned(),
            FieldErrorCode::InvalidValue
        )]
    );
    h.information_given = Some(true);
    let valid = validate(&h, &ctx()).expect("informed consent");
    assert_eq!(
        (valid.legal_basis, valid.information_given),
        (Some(LegalBasis::Consent), true)
    );
    h.legal_basis = Some(LegalBasis::VitalInterest);
    h.information_given = None;
    assert!(
        validate(&h, &ctx()).is_ok(),
        "vital interest does not wait for consent"
    );
}

#[test]
fn exactly_one_head() {
    let mut h = household();
    h.members = Some(vec![member(Relationship::Spouse)]);
    assert_eq!(
        codes(validate(&h, &ctx())),
        vec![("#/members".to_owned(), FieldErrorCode::NoHead)]
    );
    let mut second = member(Relationship::Head);
    second.documents.clear();
    h.members = Some(vec![member(Relationship::Head), second]);
    assert_eq!(
        codes(validate(&h, &ctx())),
        vec![("#/members".to_owned(), FieldErrorCode::SeveralHeads)]
    );
}

#[test]
fn same_document_twice_in_a_household() {
    let mut h = household();
    h.members = Some(vec![
        member(Relationship::Head),
        member(Relationship::Sibling),
    ]);
    assert_eq!(
        codes(validate(&h, &ctx())),
        vec![(
            "#/members/1/documents/0/number".to_owned(),
            FieldErrorCode::Duplicate
        )]
    );
}

#[test]
fn error_details_never_contain_the_value() {
    let mut h = household();
    let mut m = member(Relationship::Head);
    m.surname = Some("Секретов\u{7}".into());
    m.citizenship = Some("ZZ".into());
    m.documents[0].number = Some("SECRET-4512".into());
    h.members = Some(vec![m]);
    h.phone = Some("+7 999 SECRET".into());
    let errors = validate(&h, &ctx()).expect_err("invalid");
    for e in &errors.errors {
        assert!(
            !e.detail.contains("Секретов")
                && !e.detail.contains("SECRET")
                && !e.detail.contains("ZZ"),
            "{e:?}"
        );
    }
    assert_eq!(errors.errors.len(), 4);
}

#[test]
fn current_location_is_a_place_of_the_list_or_coordinates() {
    // Oral (Уральск) in the place list.
    const ORAL: u32 = 608_668;
    let mut input = household();
    input.current_location = Some(CurrentLocationInput {
        place_id: Some(ORAL),
        coordinates: None,
    });
    let valid = validate(&input, &ctx()).expect("a place of the list");
    let at = valid.current_location.expect("kept");
    assert_eq!(at.place_id, Some(ORAL));
    assert!((at.coordinates.latitude - 51.246).abs() < 0.01, "{at:?}");
    assert!((at.coordinates.longitude - 51.426).abs() < 0.01, "{at:?}");

    let exact = crate::shelter::Coordinates {
        latitude: 50.95,
        longitude: 52.08,
    };
    input.current_location = Some(CurrentLocationInput {
        place_id: Some(ORAL),
        coordinates: Some(exact),
    });
    let valid = validate(&input, &ctx()).expect("both");
    assert_eq!(valid.current_location.map(|c| c.coordinates), Some(exact));

    for (location, pointer) in [
        (
            CurrentLocationInput {
                place_id: Some(1),
                coordinates: None,
            },
            "#/current_location/place_id",
        ),
        (
            CurrentLocationInput {
                place_id: None,
                coordinates: Some(crate::shelter::Coordinates {
                    latitude: 91.0,
                    longitude: 0.0,
                }),
            },
            "#/current_location/coordinates",
        ),
        (CurrentLocationInput::default(), "#/current_location"),
    ] {
        input.current_location = Some(location);
        let errors = validate(&input, &ctx()).expect_err("refused");
        let pointers: Vec<&str> = errors.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, vec![pointer], "{location:?}");
    }
}

/// The household as stored from a validated one, as the store would build it.
pub(super) fn stored(valid: &ValidatedHousehold) -> Household {
    Household {
        id: Uuid::from_u128(1),
        reference: ReferenceCode::from_random_bits(42),
        organisation_id: Uuid::from_u128(2),
        group: valid.group,
        arrival_date: valid.arrival_date,
        crossing_point: valid.crossing_point.clone(),
        location: valid.location.clone(),
        current_location: valid.current_location,
        phone: valid.phone.clone(),
        languages: valid.languages.clone(),
        needs: valid.needs.clone(),
        accepts_sex_separation: valid.accepts_sex_separation,
        accepts_several_rooms: valid.accepts_several_rooms,
        legal_basis: valid.legal_basis,
        information_given: valid.information_given,
        status: valid.status,
        notes: valid.notes.clone(),
        members: valid
            .members
            .iter()
            .zip(100u128..)
            .map(|(m, id)| Person {
                id: m.id.unwrap_or(Uuid::from_u128(id)),
                surname: m.surname.clone(),
                given_name: m.given_name.clone(),
                patronymic: m.patronymic.clone(),
                sex: m.sex,
                birth_date: m.birth_date,
                birth_date_estimated: m.birth_date_estimated,
                citizenship: m.citizenship,
                relationship: m.relationship,
                vulnerabilities: m.vulnerabilities.clone(),
                documents: m.documents.clone(),
            })
            .collect(),
        version: 1,
        registered_at: DateTime::<Utc>::default(),
        updated_at: DateTime::<Utc>::default(),
    }
}

#[test]
fn to_input_round_trips_through_validation() {
    let valid = validate(&household(), &ctx()).expect("valid");
    let stored = stored(&valid);
    let again = validate(&stored.to_input(), &ctx()).expect("still valid");
    assert_eq!(again.members[0].id, Some(stored.members[0].id));
    assert_eq!(again.members[0].surname, valid.members[0].surname);
    assert_eq!(again.phone, valid.phone);
}

#[test]
fn a_city_name_in_any_of_its_spellings_is_linked_to_its_place() {
    const ORAL: u32 = 608_668;
    let mut input = household();
    for city in ["Oral", "Уральск", "Орал", "ОРАЛ", "Uralsk", "Ural'sk"] {
        input.location.as_mut().expect("location").city = Some(city.into());
        let valid = validate(&input, &ctx()).expect("valid");
        assert_eq!(valid.location.place_id, Some(PlaceId(ORAL)), "{city}");
        assert_eq!(valid.location.city, city, "the typed name is kept");
    }
    // A misspelling is no place: kept as typed, unconfirmed, and still valid.
    input.location.as_mut().expect("location").city = Some("Уралськ".into());
    let valid = validate(&input, &ctx()).expect("valid");
    assert_eq!(valid.location.place_id, None);
    // The name of a city of another country is no place of this one.
    input.location.as_mut().expect("location").city = Some("Бишкек".into());
    let valid = validate(&input, &ctx()).expect("valid");
    assert_eq!(valid.location.place_id, None);
}

#[test]
fn a_place_chosen_from_the_list_names_the_city_and_must_lie_in_the_country() {
    const ORAL: u32 = 608_668;
    const BISHKEK: u32 = 1_528_675;
    let mut input = household();
    let location = input.location.as_mut().expect("location");
    location.city = None;
    location.place_id = Some(ORAL);
    let valid = validate(&input, &ctx()).expect("a place without a typed name");
    assert_eq!(valid.location.place_id, Some(PlaceId(ORAL)));
    assert_eq!(valid.location.city, "Уральск");

    for (place, expected) in [
        (BISHKEK, "another country"),
        (1, "not a settlement"),
        (1_000_000_001, "not a settlement"),
    ] {
        input.location.as_mut().expect("location").place_id = Some(place);
        let errors = validate(&input, &ctx()).expect_err("refused");
        let error = errors
            .errors
            .iter()
            .find(|e| e.pointer == "#/location/place_id")
            .unwrap_or_else(|| panic!("{place}: {errors:?}"));
        assert!(error.detail.contains(expected), "{place}: {error:?}");
    }

    // Neither a name nor a place: the city is required.
    let location = input.location.as_mut().expect("location");
    location.place_id = None;
    let errors = validate(&input, &ctx()).expect_err("refused");
    assert!(
        errors.errors.iter().any(|e| e.pointer == "#/location/city"),
        "{errors:?}"
    );
}

#[test]
fn a_day_that_does_not_exist_is_told_apart_from_an_unreadable_date() {
    let mut input = household();
    for (birth, code) in [
        ("31.02.1982", FieldErrorCode::NoSuchDate),
        ("1982-02-30", FieldErrorCode::NoSuchDate),
        ("31.13.1982", FieldErrorCode::NoSuchDate),
        ("31/02/1982", FieldErrorCode::InvalidDate),
        ("вчера", FieldErrorCode::InvalidDate),
    ] {
        input.members.as_mut().expect("members")[0].birth_date = Some(birth.into());
        let errors = validate(&input, &ctx()).expect_err("refused");
        let error = errors
            .errors
            .iter()
            .find(|e| e.pointer == "#/members/0/birth_date")
            .unwrap_or_else(|| panic!("{birth}: {errors:?}"));
        assert_eq!(error.code, code, "{birth}");
    }
}
