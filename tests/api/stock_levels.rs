use reqwest::Method;
use restock::domain::{ExternalId, Locale, Sku};
use restock::store::StockKey;
use serde_json::{json, Value};

use crate::helpers::{fields, problem, spawn_app, Backend};

fn key(sku: &str, locale: Option<&str>, external_id: Option<&str>) -> StockKey {
    StockKey {
        sku: Sku::parse(sku).unwrap(),
        locale: locale.map(|l| Locale::parse(l).unwrap()),
        external_id: external_id.map(|e| ExternalId::parse(e).unwrap()),
    }
}

async fn quantity_of(app: &crate::helpers::TestApp, k: &StockKey) -> Option<i64> {
    app.store
        .latest_stock_level(k)
        .await
        .unwrap()
        .map(|l| l.quantity.get())
}

async fn accepted_batch_is_stored_with_latest_levels(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .put_stock_levels(json!([
            {"sku": "SKU-1", "quantity": 3, "locale": "sv-se"},
            {"sku": "SKU-1", "quantity": 0, "locale": "pl-PL", "externalId": "PL-SKU-1"},
            {"sku": "SKU-2", "quantity": 7},
            {"sku": "SKU-1", "quantity": 5, "locale": "SV-SE"}
        ]))
        .await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["itemCount"], 4);
    assert!(body["batchId"]
        .as_str()
        .unwrap()
        .parse::<uuid::Uuid>()
        .is_ok());

    assert_eq!(
        quantity_of(&app, &key("SKU-1", Some("sv-SE"), None)).await,
        Some(5),
        "later item wins"
    );
    assert_eq!(
        quantity_of(&app, &key("SKU-1", Some("pl-PL"), Some("PL-SKU-1"))).await,
        Some(0)
    );
    assert_eq!(quantity_of(&app, &key("SKU-2", None, None)).await, Some(7));
    assert_eq!(
        quantity_of(&app, &key("SKU-2", Some("sv-SE"), None)).await,
        None
    );

    let claimed = app
        .store
        .claim_stock_batch("w1", std::time::Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        claimed.batch.id.to_string(),
        body["batchId"].as_str().unwrap()
    );
    let quantities: Vec<i64> = claimed.items.iter().map(|l| l.quantity.get()).collect();
    assert_eq!(
        quantities,
        [3, 0, 7, 5],
        "items keep the order they were sent in"
    );
}

async fn one_bad_item_rejects_the_call(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .put_stock_levels(json!([
            {"sku": "SKU-1", "quantity": 3},
            {"sku": "", "quantity": -1, "locale": "not a locale"},
            {"quantity": 2},
            {"sku": "SKU-4"}
        ]))
        .await;
    let p = problem(response, 400).await;
    assert_eq!(
        fields(&p),
        [
            "[1].quantity",
            "[1].sku",
            "[1].locale",
            "[2].sku",
            "[3].quantity"
        ]
    );
    assert_eq!(
        quantity_of(&app, &key("SKU-1", None, None)).await,
        None,
        "nothing was stored"
    );
    assert!(app
        .store
        .claim_stock_batch("w", std::time::Duration::from_secs(1))
        .await
        .unwrap()
        .is_none());
}

async fn wrong_types_name_the_item(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = problem(
        app.put_stock_levels(json!([{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 2.5}]))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["[1].quantity"]);
    let p = problem(
        app.put_stock_levels(json!([{"sku": "A", "quantity": "5"}]))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["[0].quantity"]);
    let p = problem(
        app.put_stock_levels(json!({"sku": "A", "quantity": 5}))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["body"], "v3 takes an array");
    let p = problem(app.put_stock_levels(json!([])).await, 400).await;
    assert_eq!(fields(&p), ["body"]);
}

async fn ten_thousand_items_fit_and_one_more_does_not(backend: Backend) {
    let app = spawn_app(backend).await;
    let items: Vec<Value> = (0..10_000)
        .map(|i| json!({"sku": format!("SKU-{i}"), "quantity": i % 7}))
        .collect();
    let response = app.put_stock_levels(Value::Array(items.clone())).await;
    assert_eq!(response.status(), 202);
    assert_eq!(
        quantity_of(&app, &key("SKU-9999", None, None)).await,
        Some(9999 % 7)
    );

    let mut too_many = items;
    too_many.push(json!({"sku": "ONE-MORE", "quantity": 1}));
    let p = problem(app.put_stock_levels(Value::Array(too_many)).await, 400).await;
    assert!(
        p["detail"].as_str().unwrap().contains("at most 10000"),
        "{p}"
    );
    assert_eq!(quantity_of(&app, &key("ONE-MORE", None, None)).await, None);
}

async fn v2_single_object_and_batch(backend: Backend) {
    let app = spawn_app(backend).await;
    let one = app
        .request(Method::PUT, "/api/v2/inventory/stock-levels")
        .json(&json!({"sku": "SKU-1", "quantity": 4, "locale": "sv-SE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), 202);
    let batch = app
        .request(Method::PUT, "/api/v2/inventory/stock-levels/batch")
        .json(&json!([{"sku": "SKU-2", "quantity": 6}]))
        .send()
        .await
        .unwrap();
    assert_eq!(batch.status(), 202);
    assert_eq!(
        quantity_of(&app, &key("SKU-1", Some("sv-SE"), None)).await,
        Some(4)
    );
    assert_eq!(quantity_of(&app, &key("SKU-2", None, None)).await, Some(6));
}

crate::on_both_backends!(
    accepted_batch_is_stored_with_latest_levels,
    one_bad_item_rejects_the_call,
    wrong_types_name_the_item,
    ten_thousand_items_fit_and_one_more_does_not,
    v2_single_object_and_batch,
);
