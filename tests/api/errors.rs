//! Nasty input: each gets a clear problem+json answer and changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{problem, spawn_app, spawn_with, Backend};

async fn malformed_json_is_400(backend: Backend) {
    let app = spawn_app(backend).await;
    for body in [
        "{",
        "{\"email\": \"a@example.com\"",
        "nul",
        "{\"email\": \"a@example.com\"} trailing",
    ] {
        let p = problem(app.raw(Method::POST, "/api/v3/contacts", body).await, 400).await;
        assert_eq!(p["errorCode"], "MalformedJson", "{body}");
    }
    let p = problem(app.raw(Method::POST, "/api/v3/contacts", "").await, 400).await;
    assert_eq!(p["errorCode"], "EmptyBody");
    let p = problem(
        app.raw(Method::POST, "/api/v3/contacts", vec![0xff, 0xfe, b'{'])
            .await,
        400,
    )
    .await;
    assert_eq!(p["errorCode"], "MalformedJson");
}

async fn non_json_content_type_is_415(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .request(Method::POST, "/api/v3/contacts")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=a@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response, 415).await["errorCode"],
        "UnsupportedMediaType"
    );
}

async fn oversized_body_is_413(backend: Backend) {
    let app = spawn_with(backend, |c| c.max_body_bytes = 1_000).await;
    let big = json!({"email": "a@example.com", "note": "x".repeat(2_000)});
    let p = problem(app.post_contact(big).await, 413).await;
    assert_eq!(p["errorCode"], "PayloadTooLarge");
    assert!(p["detail"].as_str().unwrap().contains("1000 bytes"));
    app.create_contact("a@example.com").await;
}

async fn unknown_routes_and_methods(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .request(Method::GET, "/api/v3/nothing-here")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response, 404).await["errorCode"], "NotFound");
    let response = app
        .request(Method::GET, "/api/v3/inventory/stock-levels")
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response, 405).await["errorCode"],
        "MethodNotAllowed"
    );
}

crate::on_both_backends!(
    malformed_json_is_400,
    non_json_content_type_is_415,
    oversized_body_is_413,
    unknown_routes_and_methods,
);
