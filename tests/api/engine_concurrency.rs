//! Two instances on one database, each processing its own batch for the same SKU at the
//! same time: every subscription is consumed exactly once.

use std::collections::HashSet;

use serde_json::json;

use crate::engine_helpers::{notified, shop};
use crate::helpers::Backend;

async fn concurrent_batches_consume_each_subscription_once(backend: Backend) {
    let app = shop(backend).spawn().await;
    let mut expected = HashSet::new();
    for i in 0..60 {
        let contact = app.create_contact(&format!("c{i}@example.com")).await;
        for locale in ["sv-SE", "pl-PL"] {
            expected.insert(
                app.subscribe(contact, "SKU-1", locale, None).await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    for _ in 0..2 {
        let response = app
            .put_stock_levels(json!([{"sku": "SKU-1", "quantity": 10}]))
            .await;
        assert_eq!(response.status(), 202);
    }
    // A second instance: its own connection pool and engine on the same database.
    let other =
        restock::startup::build_engine(&app.config, app.backend.open_store().await).unwrap();
    let (first, second) = tokio::join!(app.engine.run_pending(), other.run_pending());
    assert_eq!(
        first.unwrap() + second.unwrap(),
        2,
        "each instance took one batch"
    );

    let outbox = app.outbox().await;
    let notified: Vec<String> = notified(&outbox);
    let unique: HashSet<String> = notified.iter().cloned().collect();
    assert_eq!(
        notified.len(),
        unique.len(),
        "no subscription notified twice"
    );
    assert_eq!(unique, expected, "every subscription notified");
    let log = app.log("?sku=SKU-1").await;
    let sent: u64 = log
        .iter()
        .flat_map(|e| e["sent"].as_array().unwrap().iter())
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sent, 120, "the log counts each consumption once");
}

crate::on_both_backends!(concurrent_batches_consume_each_subscription_once);
