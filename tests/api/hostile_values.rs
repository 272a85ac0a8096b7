//! Values of the right JSON type that still are not what they claim: declared contact
//! attributes of another type, text that is only invisible characters or turns itself
//! around, negative preview quantities.

use reqwest::Method;
use serde_json::{json, Value};

use crate::engine_helpers::shop;
use crate::helpers::{fields, message_of, problem, spawn_app, Backend};

const HIDDEN: &str = "must not contain invisible or bidirectional control characters";

async fn declared_attribute_types_are_enforced(backend: Backend) {
    let app = spawn_app(backend).await;
    for (attribute, value) in [
        ("vip", json!("yes")),
        ("locale", json!("not a locale")),
        ("firstName", json!(42)),
        ("lastName", json!(true)),
    ] {
        let body = json!({"email": "anna@example.com", attribute: value});
        let p = problem(app.post_contact(body).await, 400).await;
        assert_eq!(fields(&p), [attribute], "{p}");
    }
    assert!(message_of(
        &problem(
            app.post_contact(json!({"email": "anna@example.com", "vip": "yes"}))
                .await,
            400
        )
        .await,
        "vip"
    )
    .contains("boolean"));
    let id = app.create_contact("anna@example.com").await;
    let patch = |body: Value| {
        app.request(Method::PATCH, &format!("/api/v3/contacts/{id}"))
            .json(&body)
            .send()
    };
    let p = problem(
        patch(json!({"vip": "yes", "firstName": 42})).await.unwrap(),
        400,
    )
    .await;
    let mut named = fields(&p);
    named.sort();
    assert_eq!(named, ["firstName", "vip"]);
    let contact = app
        .call(Method::GET, &format!("/api/v3/contacts/{id}"))
        .await;
    assert_eq!(
        contact["attributes"]["firstName"], "Test",
        "nothing changed"
    );
    let ok = patch(json!({"vip": true, "locale": "sv-SE", "firstName": null}))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

async fn invisible_and_bidi_text_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = problem(
        app.put_stock_levels(json!([{"sku": "\u{200D}", "quantity": 1}]))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["[0].sku"]);
    assert!(
        message_of(&p, "[0].sku").contains("only invisible characters"),
        "{p}"
    );
    let p = problem(
        app.put_stock_levels(json!([
            {"sku": "SKU\u{202E}1", "quantity": 1},
            {"sku": "SKU-2", "externalId": "\u{2066}SE-2", "quantity": 1},
        ]))
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["[0].sku", "[1].externalId"]);
    assert!(message_of(&p, "[0].sku").contains(HIDDEN), "{p}");
    assert!(message_of(&p, "[0].sku").contains("U+202E"), "{p}");

    let p = problem(
        app.post_contact(json!({"email": "\u{202E}anna@example.com"}))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["email"]);
    assert!(message_of(&p, "email").contains(HIDDEN), "{p}");
    // Nothing was stored, and the visible address is free.
    app.create_contact("anna@example.com").await;
}

async fn a_preview_refuses_a_negative_quantity(backend: Backend) {
    let app = shop(backend).spawn().await;
    let contact = app.create_contact("anna@example.com").await;
    let preview = |quantity: i64| {
        app.request(Method::POST, "/api/v3/templates/back-in-stock/preview")
            .json(&json!({"locale": "sv-SE", "sku": "SKU-1", "contactId": contact, "quantity": quantity}))
            .send()
    };
    let p = problem(preview(-3).await.unwrap(), 400).await;
    assert_eq!(fields(&p), ["quantity"]);
    assert!(message_of(&p, "quantity").contains("negative"));
    assert_eq!(preview(0).await.unwrap().status(), 200);
    assert_eq!(preview(2).await.unwrap().status(), 200);
}

crate::on_both_backends!(
    declared_attribute_types_are_enforced,
    invisible_and_bidi_text_is_refused,
    a_preview_refuses_a_negative_quantity,
);
