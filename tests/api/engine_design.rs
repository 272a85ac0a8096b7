//! docs/design.md, "Matching a stock level to subscriptions": the five subscriptions and the
//! three matching cases, end to end over HTTP.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::engine_helpers::{notified, shop};
use crate::helpers::{Backend, TestApp};

/// Creates #1–#5 for one contact; returns the contact and the five subscription ids.
async fn design_table(app: &TestApp) -> (Uuid, Vec<String>) {
    let contact = app.create_contact("shopper@example.com").await;
    let mut ids = Vec::new();
    for (sku, locale, external_id) in [
        ("SKU-1", "sv-se", None),
        ("SKU-1", "pl-pl", None),
        ("SKU-1", "sv-se", Some("SE-SKU-1")),
        ("SKU-1", "pl-pl", Some("PL-SKU-1")),
        ("SKU-2", "sv-se", None),
    ] {
        let s = app.subscribe(contact, sku, locale, external_id).await;
        ids.push(s["id"].as_str().unwrap().to_owned());
    }
    (contact, ids)
}

async fn check_case(backend: Backend, level: Value, consumed: &[usize]) {
    let app = shop(backend).spawn().await;
    let (contact, ids) = design_table(&app).await;
    app.stock(json!([level])).await;

    let mut expected: Vec<String> = consumed.iter().map(|i| ids[i - 1].clone()).collect();
    let mut got = notified(&app.outbox().await);
    expected.sort();
    got.sort();
    assert_eq!(
        got, expected,
        "exactly the listed subscriptions are notified"
    );
    let remaining: Vec<String> = (1..=5)
        .filter(|i| !consumed.contains(i))
        .map(|i| ids[i - 1].clone())
        .collect();
    assert_eq!(app.remaining(contact).await, remaining, "the rest remain");

    let log = app.log("?sku=SKU-1").await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["matched"], consumed.len());
    assert_eq!(log[0]["predefinedConditionsPassed"], true);
    let sent: u64 = log[0]["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sent as usize, consumed.len());
    assert_eq!(log[0]["heldBack"], json!({}));

    // Running again changes nothing: a consumed subscription never triggers twice.
    app.engine.run_pending().await.unwrap();
    assert_eq!(app.outbox().await.len(), consumed.len());
}

async fn sku_and_locale(backend: Backend) {
    check_case(
        backend,
        json!({"sku": "SKU-1", "locale": "sv-se", "quantity": 5}),
        &[1, 3],
    )
    .await;
}

async fn sku_and_external_id(backend: Backend) {
    check_case(
        backend,
        json!({"sku": "SKU-1", "externalId": "SE-SKU-1", "quantity": 5}),
        &[3],
    )
    .await;
}

async fn sku_alone(backend: Backend) {
    check_case(
        backend,
        json!({"sku": "SKU-1", "quantity": 5}),
        &[1, 2, 3, 4],
    )
    .await;
}

async fn branch_and_product_follow_the_subscriptions_locale(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (_, ids) = design_table(&app).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 5}])).await;
    let outbox = app.outbox().await;
    for n in &outbox {
        let index = ids
            .iter()
            .position(|id| *id == n.subscription.to_string())
            .unwrap()
            + 1;
        let (branch, actions) = if n.locale == "sv-SE" {
            ("sv-SE", json!([{"email": {"template": "back-in-stock"}}]))
        } else {
            (
                "default",
                json!([{"email": {"template": "back-in-stock"}}, {"log": {}}]),
            )
        };
        assert_eq!(n.branch, branch, "#{index}");
        assert_eq!(n.actions, actions, "#{index}");
        assert_eq!(n.automation, "everyone");
        assert_eq!(n.quantity, 5);
    }
    // The product data is the subscription's locale's, not the stock level's.
    let swedish = outbox.iter().find(|n| n.locale == "sv-SE").unwrap();
    let polish = outbox.iter().find(|n| n.locale == "pl-PL").unwrap();
    assert_ne!(swedish.product, polish.product);
}

crate::on_both_backends!(
    sku_and_locale,
    sku_and_external_id,
    sku_alone,
    branch_and_product_follow_the_subscriptions_locale
);
