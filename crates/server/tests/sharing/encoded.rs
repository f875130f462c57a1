//! `POST /api/v1/agreements/{id}/encoded-matches`: two organisations of a `distributions`
//! agreement learn which of their records they share from keyed encodings only.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shanyrak_core::Role;
use shanyrak_linkage::encoded::{ClkEncoder, ClkKey, ClkOptions};
use shanyrak_linkage::{Document, PartialDate, PersonRecord, Sex};
use shanyrak_store::testing::Backend;

use crate::support::{TestApp, id_of, tomorrow};

on_both_backends!(organisations_match_encodings_under_a_distributions_agreement,);

fn person(surname: &str, given: &str, born: (u16, u8, u8), passport: &str) -> PersonRecord {
    PersonRecord {
        record_id: "x".into(),
        surname: surname.into(),
        given_name: given.into(),
        sex: Some(Sex::Male),
        birth_date: PartialDate::ymd(born.0, born.1, born.2).ok(),
        documents: vec![Document {
            doc_type: "passport".into(),
            number: passport.into(),
        }],
        ..PersonRecord::default()
    }
}

/// The request body for `records` (reference, person) encoded with `secret`.
fn upload(secret: &[u8], records: &[(&str, PersonRecord)]) -> Value {
    let key = ClkKey::from_secret(secret).expect("key");
    let mut encoder = ClkEncoder::new(&key, ClkOptions::default()).expect("encoder");
    let records: Vec<Value> = records
        .iter()
        .map(|(r, p)| json!({"ref": r, "clk": encoder.encode(p).to_base64()}))
        .collect();
    json!({"scheme": "shanyrak-clk/1", "bits": 1024, "fold": false, "balance": true,
           "key_fingerprint": key.fingerprint(), "records": records})
}

const SECRET: &[u8] = b"the agreement's secret, 32 bytes";

async fn organisations_match_encodings_under_a_distributions_agreement(app: TestApp) {
    let agreement = app
        .agree_a_to_b(
            &["distributions"],
            "one food kit per person a week across both points",
        )
        .await;
    let path = format!("/api/v1/agreements/{}/encoded-matches", id_of(&agreement));
    let a_records = upload(
        SECRET,
        &[
            (
                "a-1",
                person("Смирнов", "Алексей", (1995, 3, 2), "4512 345678"),
            ),
            (
                "a-2",
                person("Ахметов", "Ерлан", (1980, 11, 20), "N1234567"),
            ),
        ],
    );
    let b_records = upload(
        SECRET,
        &[
            ("b-7", person("Petrov", "Ivan", (1971, 5, 9), "4100 111222")),
            // The same man as a-1, typed in Latin at another desk.
            (
                "b-8",
                person("SMIRNOV", "ALEKSEI", (1995, 3, 2), "4512345678"),
            ),
        ],
    );
    let b_distributor = app.user_of_b("kits@b.example.org", Role::Distributor).await;

    // B uploads first: nothing to compare with yet.
    let first = app
        .post_expecting(&b_distributor, &path, &b_records, StatusCode::OK)
        .await;
    assert_eq!(first["partner_status"], "not_uploaded", "{first}");
    assert_eq!(first["records"], 2);
    assert_eq!(first["matches"], json!([]));
    // A's admin learns that a-1 is B's b-8, and nothing about b-7.
    let found = app
        .post_expecting(&app.admin_a, &path, &a_records, StatusCode::OK)
        .await;
    assert_eq!(found["partner_status"], "compared", "{found}");
    assert_eq!(found["partner_records"], 2);
    let matches = found["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), 1, "{found}");
    assert_eq!(matches[0]["index"], 0);
    assert_eq!(matches[0]["ref"], "a-1");
    assert_eq!(matches[0]["partner_ref"], "b-8");
    assert!(matches[0]["dice"].as_f64().expect("dice") >= 0.8);
    assert!(!found.to_string().contains("\"b-7\""), "{found}");
    // And B, asking again, learns the same from its side.
    let again = app
        .post_expecting(&b_distributor, &path, &b_records, StatusCode::OK)
        .await;
    assert_eq!(again["matches"][0]["ref"], "b-8", "{again}");
    assert_eq!(again["matches"][0]["partner_ref"], "a-1");
    assert_eq!(
        app.count("encoded_uploads").await,
        2,
        "one upload per party"
    );

    // Encodings made with another key are not compared.
    let other_key = upload(
        b"somebody else's secret, 32 bytes",
        &[(
            "a-1",
            person("Смирнов", "Алексей", (1995, 3, 2), "4512 345678"),
        )],
    );
    let refused = app
        .post_expecting(&b_distributor, &path, &other_key, StatusCode::OK)
        .await;
    assert_eq!(refused["partner_status"], "different_encoding");
    assert_eq!(refused["matches"], json!([]));
    app.post_expecting(&b_distributor, &path, &b_records, StatusCode::OK)
        .await;

    // A third organisation cannot use the agreement, nor learn that it exists; a role
    // that does not record distributions is refused.
    let cli = shanyrak_store::Principal::System("test");
    let org_c = app
        .store
        .create_organisation(
            &cli,
            "Третья",
            shanyrak_core::OrgKind::Ngo,
            chrono::Utc::now(),
        )
        .await
        .expect("org");
    app.store
        .create_user(
            &cli,
            org_c.id,
            "c@example.org",
            "long enough password",
            &[Role::Admin],
            chrono::Utc::now(),
        )
        .await
        .expect("user");
    let c_admin = app
        .store
        .create_token(&cli, "c@example.org", None, chrono::Utc::now())
        .await
        .expect("token")
        .secret;
    let (status, body) = app.post_problem(&c_admin, &path, &a_records).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let unknown = format!(
        "/api/v1/agreements/{}/encoded-matches",
        uuid::Uuid::now_v7()
    );
    let (status, unknown_body) = app.post_problem(&c_admin, &unknown, &a_records).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body, unknown_body,
        "a stranger's 404 is the same as for no agreement"
    );
    let (status, _) = app.post_problem(&app.token_a, &path, &a_records).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a registrar does not distribute"
    );

    // Malformed encodings: 422 naming each record.
    let mut bad = a_records.clone();
    bad["records"][1]["clk"] = json!("not base64 at all!");
    bad["records"]
        .as_array_mut()
        .expect("records")
        .push(json!({"ref": "a-3", "clk": "QUJD"}));
    let (status, body) = app.post_problem(&app.admin_a, &path, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["#/records/1/clk", "#/records/2/clk"], "{body}");
    let mut not_base64 = a_records.clone();
    let clk = a_records["records"][0]["clk"].as_str().expect("clk");
    not_base64["records"][0]["clk"] = json!(format!("!{}", &clk[1..]));
    let (status, body) = app.post_problem(&app.admin_a, &path, &not_base64).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/records/0/clk");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("base64"),
        "{body}"
    );
    let mut wrong_key = a_records.clone();
    wrong_key["key_fingerprint"] = json!("my secret key");
    let (status, body) = app.post_problem(&app.admin_a, &path, &wrong_key).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["pointer"], "#/key_fingerprint");
    // Too many records (the body is over the API's usual 1 MiB, and still read).
    let mut too_many = a_records.clone();
    too_many["records"] = Value::Array(vec![json!({"ref": "r", "clk": ""}); 50_001]);
    let (status, body) = app.post_problem(&app.admin_a, &path, &too_many).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "#/records");
    assert_eq!(body["errors"][0]["code"], "too_many");
    // A failed upload leaves the stored one as it was.
    let still = app
        .post_expecting(&b_distributor, &path, &b_records, StatusCode::OK)
        .await;
    assert_eq!(still["matches"][0]["partner_ref"], "a-1", "{still}");

    // Every upload is audited, with counts and no reference.
    let trail: Value = app
        .json_of(
            &app.admin_a,
            &format!("/api/v1/audit?entity_id={}", id_of(&agreement)),
        )
        .await;
    let text = trail.to_string();
    assert!(text.contains("encoded_match"), "{trail}");
    // Quoted: a random id such as `…76fb-899a…` holds `b-8` unquoted.
    assert!(
        !text.contains("\"a-1\"") && !text.contains("\"b-8\""),
        "{trail}"
    );

    // Past its last day the agreement is refused...
    shanyrak_store::testing::execute_as_insider(
        &app._db.url,
        "UPDATE sharing_agreements SET valid_until = '2000-01-01'",
    )
    .await
    .expect("expire");
    let (status, _) = app.post_problem(&app.admin_a, &path, &a_records).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "expired");
    shanyrak_store::testing::execute_as_insider(
        &app._db.url,
        &format!(
            "UPDATE sharing_agreements SET valid_until = '{}'",
            tomorrow()
        ),
    )
    .await
    .expect("renew");
    app.post_expecting(&app.admin_a, &path, &a_records, StatusCode::OK)
        .await;
    // ...and once withdrawn, when both parties' encodings are deleted.
    let withdrawn = app
        .post_action(
            &app.admin_a,
            &format!("/api/v1/agreements/{}/withdraw", id_of(&agreement)),
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::OK);
    assert_eq!(app.count("encoded_uploads").await, 0);
    let (status, _) = app.post_problem(&b_distributor, &path, &b_records).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "withdrawn");

    // An agreement for other categories is no agreement for this.
    let identity_only = app
        .agree_a_to_b(&["identity"], "find people registered twice")
        .await;
    let (status, _) = app
        .post_problem(
            &app.admin_a,
            &format!(
                "/api/v1/agreements/{}/encoded-matches",
                id_of(&identity_only)
            ),
            &a_records,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "identity only");
}
