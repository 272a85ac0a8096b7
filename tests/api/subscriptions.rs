use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{fields, problem, spawn_app, Backend};

async fn create_201_then_identical_200(backend: Backend) {
    let app = spawn_app(backend).await;
    let contact = app.create_contact("anna@example.com").await;
    let body =
        json!({"contactId": contact, "sku": "SKU-1", "locale": "sv-se", "externalId": "SE-SKU-1"});
    let first = app.post_subscription(body.clone()).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(
        first["locale"], "sv-SE",
        "locales are stored in canonical case"
    );
    assert_eq!(first["externalId"], "SE-SKU-1");
    assert_eq!(first["contactId"], contact.to_string());
    let created_on = first["createdOn"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created_on).is_ok(),
        "{created_on}"
    );

    // The same subscription in another casing of the locale is the same subscription.
    let again = app.post_subscription(json!({"contactId": contact, "sku": "SKU-1", "locale": "SV-SE", "externalId": "SE-SKU-1"})).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, first);

    // A different external id is a different subscription.
    let other = app
        .post_subscription(json!({"contactId": contact, "sku": "SKU-1", "locale": "sv-SE"}))
        .await;
    assert_eq!(other.status(), 201);
    assert_eq!(app.subscriptions_of(contact).await.len(), 2);
}

async fn unknown_contact_is_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .post_subscription(
            json!({"contactId": uuid::Uuid::now_v7(), "sku": "SKU-1", "locale": "sv-SE"}),
        )
        .await;
    assert_eq!(problem(response, 404).await["errorCode"], "ContactNotFound");
    let response = app
        .get_subscriptions(&uuid::Uuid::now_v7().to_string())
        .await;
    assert_eq!(problem(response, 404).await["errorCode"], "ContactNotFound");
}

async fn every_bad_field_is_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .post_subscription(
            json!({"contactId": "1234", "sku": "  ", "locale": "sv_SE", "externalId": ""}),
        )
        .await;
    let p = problem(response, 400).await;
    assert_eq!(fields(&p), ["contactId", "sku", "locale", "externalId"]);

    let p = problem(app.post_subscription(json!({})).await, 400).await;
    assert_eq!(fields(&p), ["contactId", "sku", "locale"]);
    assert!(p["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("required"));

    let p = problem(
        app.post_subscription(json!({"contactId": 5, "sku": "a", "locale": "sv"}))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["contactId"]);

    let contact = app.create_contact("anna@example.com").await;
    let p = problem(
        app.post_subscription(
            json!({"contactId": contact, "sku": "a", "locale": "sv", "size": "M"}),
        )
        .await,
        400,
    )
    .await;
    assert!(p["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("unknown field `size`"));
    assert!(
        app.subscriptions_of(contact).await.is_empty(),
        "nothing was stored"
    );
}

async fn delete_is_204_then_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let contact = app.create_contact("anna@example.com").await;
    let sub = app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    let path = format!(
        "/api/v3/inventory/backinstock/subscriptions/{}",
        sub["id"].as_str().unwrap()
    );
    let response = app.raw(Method::DELETE, &path, "{}").await;
    assert_eq!(response.status(), 204);
    assert!(app.subscriptions_of(contact).await.is_empty());
    let response = app.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(
        problem(response, 404).await["errorCode"],
        "SubscriptionNotFound"
    );
    let response = app
        .request(
            Method::DELETE,
            "/api/v3/inventory/backinstock/subscriptions/xyz",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response, 400).await["errorCode"], "InvalidId");
}

async fn v2_paths_are_aliases(backend: Backend) {
    let app = spawn_app(backend).await;
    let contact = app.create_contact("anna@example.com").await;
    let response = app
        .request(Method::POST, "/api/v2/inventory/backinstock/subscriptions")
        .json(&json!({"contactId": contact, "sku": "SKU-9", "locale": "en-US"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let listed: Value = app
        .request(
            Method::GET,
            &format!("/api/v2/contacts/{contact}/backinstock/subscriptions"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["sku"], "SKU-9");
}

async fn concurrent_identical_subscribes_make_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let contact = app.create_contact("anna@example.com").await;
    let body = json!({"contactId": contact, "sku": "SKU-1", "locale": "sv-SE"});
    let calls = (0..16).map(|_| app.post_subscription(body.clone()));
    let statuses: Vec<u16> = join_all(calls)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        15,
        "{statuses:?}"
    );
    assert_eq!(app.subscriptions_of(contact).await.len(), 1);
}

crate::on_both_backends!(
    create_201_then_identical_200,
    unknown_contact_is_404,
    every_bad_field_is_listed,
    delete_is_204_then_404,
    v2_paths_are_aliases,
    concurrent_identical_subscribes_make_one,
);
