//! JSON that is not what it pretends to be: arrays read by position, keys given twice,
//! truncated bodies, bad query parameters. Each is refused, naming what is wrong, and
//! stores nothing.

use reqwest::Method;
use restock::domain::Sku;
use restock::store::StockKey;
use serde_json::Value;

use crate::engine_helpers::shop;
use crate::helpers::{fields, message_of, problem, spawn_app, Backend, TestApp};

async fn refused(app: &TestApp, method: Method, path: &str, body: &str) -> Value {
    problem(app.raw(method, path, body.to_owned()).await, 400).await
}

async fn arrays_are_not_read_as_objects(backend: Backend) {
    let app = shop(backend).spawn().await;
    let contact = app.create_contact("anna@example.com").await;
    let cases = [
        (
            Method::PUT,
            "/api/v3/inventory/stock-levels",
            r#"[[0,"SKU-1",null,null]]"#.to_owned(),
            "[0]",
        ),
        (
            Method::PUT,
            "/api/v2/inventory/stock-levels",
            r#"[0,"SKU-1",null,null]"#.to_owned(),
            "body",
        ),
        (
            Method::POST,
            "/api/v3/inventory/backinstock/subscriptions",
            format!(r#"["{contact}","SKU-1","sv-SE",null]"#),
            "body",
        ),
        (
            Method::POST,
            "/api/v3/receipts",
            format!(r#"{{"contactId":"{contact}","items":[["SKU-1",1]]}}"#),
            "items[0]",
        ),
        (
            Method::POST,
            "/api/v3/automations/dry-run",
            r#"[1,"SKU-1","sv-SE",null,10]"#.to_owned(),
            "body",
        ),
        (
            Method::POST,
            "/api/v3/templates/back-in-stock/preview",
            format!(r#"["sv-SE","SKU-1","{contact}",1]"#),
            "body",
        ),
    ];
    for (method, path, body, field) in cases {
        let p = refused(&app, method, path, &body).await;
        assert_eq!(p["errorCode"], "ValidationFailed", "{path}: {p}");
        assert!(
            message_of(&p, field).contains("expected a JSON object"),
            "{path}: {p}"
        );
    }
    let key = StockKey {
        sku: Sku::parse("SKU-1").unwrap(),
        locale: None,
        external_id: None,
    };
    assert!(app.store.latest_stock_level(&key).await.unwrap().is_none());
    assert!(app.subscriptions_of(contact).await.is_empty());
}

async fn a_key_given_twice_is_refused_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = refused(
        &app,
        Method::POST,
        "/api/v3/contacts",
        r#"{"email":"anna@example.com","email":"eve@example.com"}"#,
    )
    .await;
    assert_eq!(fields(&p), ["email"]);
    assert!(message_of(&p, "email").contains("more than once"));
    let p = refused(
        &app,
        Method::POST,
        "/api/v3/contacts",
        r#"{"email":"anna@example.com","vip":true,"vip":false}"#,
    )
    .await;
    assert_eq!(fields(&p), ["vip"]);
    // Nothing was stored: the address is still free.
    let id = app.create_contact("anna@example.com").await;
    let p = refused(
        &app,
        Method::PATCH,
        &format!("/api/v3/contacts/{id}"),
        r#"{"firstName":"A","firstName":"B"}"#,
    )
    .await;
    assert_eq!(fields(&p), ["firstName"]);
    let p = refused(
        &app,
        Method::PUT,
        "/api/v3/inventory/stock-levels",
        r#"[{"sku":"A","quantity":1},{"sku":"B","quantity":1,"quantity":2}]"#,
    )
    .await;
    assert_eq!(fields(&p), ["[1].quantity"]);
    let contact = app
        .call(Method::GET, &format!("/api/v3/contacts/{id}"))
        .await;
    assert_eq!(contact["attributes"]["firstName"], "Test");
}

async fn truncated_json_is_malformed_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/api/v3/inventory/backinstock/subscriptions",
        "/api/v3/inventory/stock-levels",
        "/api/v3/receipts",
        "/api/v3/automations/dry-run",
        "/api/v3/contacts",
    ] {
        let method = if path.contains("stock-levels") {
            Method::PUT
        } else {
            Method::POST
        };
        for body in [
            r#"{"email":"anna@example.com","#,
            r#"[{"email":"a"#,
            r#"{"colour":"#,
        ] {
            let p = refused(&app, method.clone(), path, body).await;
            assert_eq!(p["errorCode"], "MalformedJson", "{path} {body}: {p}");
        }
    }
}

async fn query_errors_name_the_parameter(backend: Backend) {
    let app = spawn_app(backend).await;
    for (path, field) in [
        ("/api/v3/outbox?limit=-1", "limit"),
        ("/api/v3/integration-log?limit=abc", "limit"),
        ("/api/v3/integration-log?limit=1&limit=2", "limit"),
        ("/api/v3/outbox?colour=red", "colour"),
    ] {
        let response = app.request(Method::GET, path).send().await.unwrap();
        let p = problem(response, 400).await;
        assert_eq!(fields(&p), [field], "{path}: {p}");
        assert!(p["detail"].as_str().unwrap().starts_with(field), "{p}");
    }
    let response = app
        .request(Method::GET, "/api/v3/outbox?limit=5")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

crate::on_both_backends!(
    arrays_are_not_read_as_objects,
    a_key_given_twice_is_refused_everywhere,
    truncated_json_is_malformed_everywhere,
    query_errors_name_the_parameter,
);
