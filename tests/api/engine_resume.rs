//! A worker interrupted mid-fan-out (its future dropped at any await point, as a crash
//! would stop it) leaves committed chunks behind; the next claim resumes from there.
//! Whatever the interruption point: every subscription is notified once, the throttle
//! holds across the resume, and the log counts each one once.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;

use crate::engine_helpers::{notified, shop};
use crate::helpers::Backend;

const THROTTLED: &str = "
id: everyone
throttle: {per_unit: 3}
split:
  by: locale
  branches:
    default:
      - log: {}
";

async fn interrupted_fan_out_resumes_exactly_once(backend: Backend) {
    let app = shop(backend).rule("everyone.yaml", THROTTLED).spawn().await;
    let mut subscriptions = Vec::new();
    for i in 0..20 {
        let contact = app.create_contact(&format!("c{i}@example.com")).await;
        subscriptions.push(
            app.subscribe(contact, "SKU-1", "sv-SE", None).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // 4 units × 3 per unit: the 12 oldest are notified, in chunks of 3.
    let response = app
        .put_stock_levels(json!([{"sku": "SKU-1", "quantity": 4}]))
        .await;
    assert_eq!(response.status(), 202);
    let batch: uuid::Uuid = response.json::<serde_json::Value>().await.unwrap()["batchId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    let (mut interruptions, mut finished) = (0, false);
    for wait_ms in [1u64, 2, 3, 5, 8, 13, 21] {
        let run =
            tokio::time::timeout(Duration::from_millis(wait_ms), app.engine.run_pending()).await;
        if run.is_ok() {
            finished = true;
            break;
        }
        interruptions += 1;
        // A crashed process's connections die with it; a dropped future's stay in the pool.
        app.backend.end_abandoned_transactions().await;
        // As if the crashed worker's lease ran out.
        app.store
            .release_stock_batch(batch, app.engine.worker())
            .await
            .unwrap();
    }
    // A claim whose future the timeout dropped may still reach the database after the
    // release above (PostgreSQL runs a statement it has received), leaving the batch leased
    // to this worker: release and retry until the batch is done, as a later lease expiry
    // would.
    // A deadline, not a count of tries: under a full parallel suite on two cores one try
    // can take seconds (CI once ran out of 50 tries of 100 ms with nothing notified).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !finished {
        finished = app.engine.run_pending().await.unwrap() > 0;
        if finished {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the interrupted batch was never finished after {interruptions} interruptions"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        app.backend.end_abandoned_transactions().await;
        app.store
            .release_stock_batch(batch, app.engine.worker())
            .await
            .unwrap();
    }
    assert!(
        interruptions > 0,
        "the fan-out finished before any interruption; nothing was tested"
    );

    let outbox = app.outbox().await;
    let ids = notified(&outbox);
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "no duplicates after {interruptions} interruptions"
    );
    assert_eq!(
        ids,
        subscriptions[..12],
        "the throttle held across the resume, oldest first"
    );
    let log = app.log("?sku=SKU-1").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["sent"][0]["count"], 12, "{log:?}");
    assert_eq!(log[0]["heldBack"]["throttled"], 8, "{log:?}");
    assert_eq!(log[0]["matched"], 20, "{log:?}");
}

async fn outdated_stock_levels_do_not_notify(backend: Backend) {
    let app = shop(backend).spawn().await;
    let contact = app.create_contact("a@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    // Back in stock, then sold out again, before the engine got to the first report.
    app.put_stock_levels(json!([{"sku": "SKU-1", "quantity": 5}]))
        .await;
    app.put_stock_levels(json!([{"sku": "SKU-1", "quantity": 0}]))
        .await;
    // And within one batch, only the last report of a key counts.
    app.put_stock_levels(json!([{"sku": "SKU-2", "quantity": 5}, {"sku": "SKU-2", "quantity": 0}]))
        .await;
    app.engine.run_pending().await.unwrap();
    assert!(app.outbox().await.is_empty());
    let log = app.log("?sku=SKU-1").await;
    assert_eq!(log[0]["heldBack"], json!({"noStock": 1}));
    assert_eq!(log[1]["heldBack"], json!({"superseded": 1}));
}

crate::on_both_backends!(
    interrupted_fan_out_resumes_exactly_once,
    outdated_stock_levels_do_not_notify
);
