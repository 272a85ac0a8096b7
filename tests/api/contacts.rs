use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{fields, problem, spawn_app, Backend};

async fn create_returns_engage_shape(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .request(Method::POST, "/api/v3/contacts?source=checkout")
        .json(&json!({"email": "anna@example.com", "firstName": "Anna", "lastName": "Berg", "locale": "sv-SE", "vip": true, "points": 120}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
    for key in ["id", "attributes", "meta", "preferences", "consents"] {
        assert!(body.get(key).is_some(), "missing {key}");
    }
    assert_eq!(
        body["attributes"],
        json!({"email": "anna@example.com", "firstName": "Anna", "lastName": "Berg", "locale": "sv-SE", "vip": true, "points": 120})
    );
    assert_eq!(body["meta"]["source"], "checkout");
    assert!(body["meta"]["createdOn"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
    assert_eq!(body["preferences"]["acceptsEmail"], true);
    assert_eq!(body["consents"], json!([]));

    let id = body["id"].as_str().unwrap();
    let fetched: Value = app
        .call(Method::GET, &format!("/api/v3/contacts/{id}"))
        .await;
    assert_eq!(fetched, body);
}

async fn email_is_required_valid_and_unique(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = problem(
        app.post_contact(json!({"firstName": "No Email"})).await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["email"]);
    let p = problem(
        app.post_contact(json!({"email": "not-an-email"})).await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["email"]);
    assert_eq!(p["errorCode"], "ValidationFailed");
    let p = problem(app.post_contact(json!({"email": 42})).await, 400).await;
    assert_eq!(fields(&p), ["email"]);

    app.create_contact("anna@example.com").await;
    let p = problem(
        app.post_contact(json!({"email": "ANNA@example.com"})).await,
        409,
    )
    .await;
    assert_eq!(p["errorCode"], "ContactAlreadyExists");
}

async fn attributes_are_flat_and_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = problem(
        app.post_contact(json!({"email": "a@example.com", "address": {"city": "Lund"}, "tags": ["a"], "bad name": 1})).await,
        400,
    )
    .await;
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, ["address", "bad name", "tags"]);
    // Nothing was created: the address is still free.
    app.create_contact("a@example.com").await;
}

async fn patch_merges_and_removes(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_contact("anna@example.com").await;
    let path = format!("/api/v3/contacts/{id}");
    let response = app
        .request(Method::PATCH, &path)
        .json(&json!({"firstName": null, "vip": true, "email": "anna.berg@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["attributes"],
        json!({"email": "anna.berg@example.com", "vip": true})
    );

    let p = problem(
        app.request(Method::PATCH, &path)
            .json(&json!({"email": null}))
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(fields(&p), ["email"]);

    // The old address is free again; the new one is taken.
    app.create_contact("anna@example.com").await;
    let other = app.create_contact("other@example.com").await;
    let response = app
        .request(Method::PATCH, &format!("/api/v3/contacts/{other}"))
        .json(&json!({"email": "Anna.Berg@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(response, 409).await["errorCode"],
        "ContactAlreadyExists"
    );
}

async fn delete_removes_everything(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_contact("anna@example.com").await;
    let sub = app.subscribe(id, "SKU-1", "sv-SE", None).await;
    let receipt = app
        .request(Method::POST, "/api/v3/receipts")
        .json(&json!({"contactId": id, "items": [{"sku": "SKU-1"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(receipt.status(), 201);

    // The Engage SDK sends DELETE with a JSON content type and an empty object.
    let response = app
        .raw(Method::DELETE, &format!("/api/v3/contacts/{id}"), "{}")
        .await;
    assert_eq!(response.status(), 204);

    let p = problem(
        app.request(Method::GET, &format!("/api/v3/contacts/{id}"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert_eq!(p["errorCode"], "ContactNotFound");
    assert_eq!(
        problem(app.get_subscriptions(&id.to_string()).await, 404).await["errorCode"],
        "ContactNotFound"
    );
    let sub_id = sub["id"].as_str().unwrap();
    let gone = app
        .request(
            Method::DELETE,
            &format!("/api/v3/inventory/backinstock/subscriptions/{sub_id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(gone, 404).await["errorCode"],
        "SubscriptionNotFound"
    );
    let again = app
        .request(Method::DELETE, &format!("/api/v3/contacts/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(again, 404).await["errorCode"], "ContactNotFound");
    // The email can be used again.
    app.create_contact("anna@example.com").await;
}

async fn unknown_and_malformed_ids(backend: Backend) {
    let app = spawn_app(backend).await;
    let unknown = uuid::Uuid::now_v7();
    for method in [Method::GET, Method::DELETE] {
        let response = app
            .request(method, &format!("/api/v3/contacts/{unknown}"))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(response, 404).await["errorCode"], "ContactNotFound");
    }
    let response = app
        .request(Method::PATCH, &format!("/api/v3/contacts/{unknown}"))
        .json(&json!({"vip": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response, 404).await["errorCode"], "ContactNotFound");
    let response = app
        .request(Method::GET, "/api/v3/contacts/not-a-guid")
        .send()
        .await
        .unwrap();
    let p = problem(response, 400).await;
    assert_eq!(p["errorCode"], "InvalidId");
    assert!(p["detail"].as_str().unwrap().contains("contactId"));
}

async fn unicode_attributes_round_trip(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .post_contact(json!({"email": "åsa@exempel.se", "firstName": "Åsa 😀", "city": "Malmö"}))
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["attributes"]["firstName"], "Åsa 😀");
    assert_eq!(body["attributes"]["email"], "åsa@exempel.se");
}

crate::on_both_backends!(
    create_returns_engage_shape,
    email_is_required_valid_and_unique,
    attributes_are_flat_and_named,
    patch_merges_and_removes,
    delete_removes_everything,
    unknown_and_malformed_ids,
    unicode_attributes_round_trip,
);
