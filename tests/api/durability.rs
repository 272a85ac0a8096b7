//! A 2xx answer means the data is durable: stop the server, start another on the same
//! database, and everything answered 2xx is there.

use std::time::Duration;

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{spawn_app, Backend};

async fn data_survives_a_restart(backend: Backend) {
    let app = spawn_app(backend).await;
    let contact = app.create_contact("anna@example.com").await;
    let subscription = app
        .subscribe(contact, "SKU-1", "sv-SE", Some("SE-SKU-1"))
        .await;
    let response = app
        .put_stock_levels(json!([{"sku": "SKU-1", "quantity": 2, "locale": "sv-SE"}]))
        .await;
    assert_eq!(response.status(), 202);
    let backend = app.stop().await;

    let app = spawn_app(backend).await;
    assert_eq!(app.subscriptions_of(contact).await, [subscription]);
    let batch = app
        .store
        .claim_stock_batch("after-restart", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(batch.expect("the batch survived").items.len(), 1);
}

/// Writes answered together (on SQLite, in one group commit) are all there after a restart.
async fn a_burst_of_concurrent_writes_survives_a_restart(backend: Backend) {
    let app = spawn_app(backend).await;
    let contact = app.create_contact("anna@example.com").await;
    let skus: Vec<String> = (0..64).map(|i| format!("SKU-{i}")).collect();
    let calls = skus
        .iter()
        .map(|sku| app.subscribe(contact, sku, "sv-SE", None));
    let mut answered = join_all(calls).await;
    let backend = app.stop().await;

    let app = spawn_app(backend).await;
    let mut stored = app.subscriptions_of(contact).await;
    let by_id = |s: &serde_json::Value| s["id"].as_str().map(str::to_owned);
    answered.sort_by_key(by_id);
    stored.sort_by_key(by_id);
    assert_eq!(stored, answered);
}

crate::on_both_backends!(
    data_survives_a_restart,
    a_burst_of_concurrent_writes_survives_a_restart
);
