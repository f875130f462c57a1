//! Requests written to hurt the server: bodies it cannot decode, heavy work that must not
//! hold up everyone else.

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};

use super::{Backend, TestApp, family, problem};

on_both_backends!(a_body_in_an_encoding_the_server_does_not_decode_is_refused);

async fn a_body_in_an_encoding_the_server_does_not_decode_is_refused(app: TestApp) {
    let body = family().to_string();
    for encoding in ["gzip", "br", "deflate, gzip", "x-unknown"] {
        let response = app
            .client
            .post(app.url("/api/v1/households"))
            .header(AUTHORIZATION, format!("Bearer {}", app.token_a))
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, encoding)
            .body(body.clone())
            .send()
            .await
            .expect("send");
        let (status, problem) = problem(response).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{encoding}");
        assert_eq!(problem["code"], "unsupported_content_encoding");
    }
    assert_eq!(app.count("households").await, 0, "nothing was registered");
    // `identity` is no encoding at all.
    let response = app
        .client
        .post(app.url("/api/v1/households"))
        .header(AUTHORIZATION, format!("Bearer {}", app.token_a))
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_ENCODING, "identity")
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::CREATED);
}
