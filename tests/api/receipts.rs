use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{fields, problem, spawn_app, Backend};

async fn receipt_is_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let contact = app.create_contact("anna@example.com").await;
    let response = app
        .request(Method::POST, "/api/v3/receipts")
        .json(&json!({"contactId": contact, "createdDate": "2026-11-20T10:00:00+01:00", "items": [{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-2"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["createdDate"], "2026-11-20T09:00:00+00:00");
    assert_eq!(
        body["items"],
        json!([{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-2", "quantity": 1}])
    );
}

async fn bad_receipts_are_rejected(backend: Backend) {
    let app = spawn_app(backend).await;
    let post = |body: Value| {
        app.request(Method::POST, "/api/v3/receipts")
            .json(&body)
            .send()
    };
    let unknown = post(json!({"contactId": uuid::Uuid::now_v7(), "items": [{"sku": "A"}]}))
        .await
        .unwrap();
    assert_eq!(problem(unknown, 404).await["errorCode"], "ContactNotFound");
    let contact = app.create_contact("anna@example.com").await;
    let p = problem(
        post(json!({"contactId": contact, "createdDate": "yesterday", "items": []}))
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(fields(&p), ["createdDate", "items"]);
    let p = problem(
        post(json!({"contactId": contact, "items": [{"sku": " A"}, {"sku": "B", "quantity": 0}]}))
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(fields(&p), ["items[0].sku", "items[1].quantity"]);
}

crate::on_both_backends!(receipt_is_recorded, bad_receipts_are_rejected);
