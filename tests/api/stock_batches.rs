//! The stored batches are the engine's input queue: each is claimed by one worker at a time,
//! reclaimed only when its lease runs out, and completed once.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{spawn_app, Backend};

async fn each_batch_is_claimed_once_by_competing_instances(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut sent = HashSet::new();
    for i in 0..40 {
        let response = app
            .put_stock_levels(json!([{"sku": format!("SKU-{i}"), "quantity": 1}]))
            .await;
        assert_eq!(response.status(), 202);
        let body: serde_json::Value = response.json().await.unwrap();
        sent.insert(body["batchId"].as_str().unwrap().to_owned());
    }
    // Four workers on two separate connections pools (two "instances") race for the queue.
    let other_instance = app.backend.open_store().await;
    let stores = [
        app.store.clone(),
        other_instance.clone(),
        app.store.clone(),
        other_instance,
    ];
    let workers = stores.into_iter().enumerate().map(|(n, store)| {
        tokio::spawn(async move {
            let worker = format!("worker-{n}");
            let mut mine = Vec::new();
            while let Some(claimed) = store
                .claim_stock_batch(&worker, Duration::from_secs(60))
                .await
                .unwrap()
            {
                assert!(store
                    .complete_stock_batch(claimed.batch.id, &worker)
                    .await
                    .unwrap());
                mine.push(claimed.batch.id.to_string());
            }
            mine
        })
    });
    let mut claimed = Vec::new();
    for worker in workers {
        claimed.extend(worker.await.unwrap());
    }
    let unique: HashSet<String> = claimed.iter().cloned().collect();
    assert_eq!(claimed.len(), 40, "no batch was claimed twice");
    assert_eq!(unique, sent, "every batch was claimed");
}

async fn an_expired_lease_is_reclaimed_and_the_old_holder_cannot_complete(backend: Backend) {
    let app = spawn_app(backend).await;
    app.put_stock_levels(json!([{"sku": "SKU-1", "quantity": 1}]))
        .await;
    let first = app
        .store
        .claim_stock_batch("crashed", Duration::from_millis(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.attempts, 1);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = app
        .store
        .claim_stock_batch("healthy", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.batch.id, first.batch.id);
    assert_eq!(second.attempts, 2);
    assert!(
        app.store
            .claim_stock_batch("third", Duration::from_secs(60))
            .await
            .unwrap()
            .is_none(),
        "a live lease holds"
    );
    assert!(!app
        .store
        .complete_stock_batch(first.batch.id, "crashed")
        .await
        .unwrap());
    assert!(app
        .store
        .complete_stock_batch(first.batch.id, "healthy")
        .await
        .unwrap());
    assert!(
        !app.store
            .complete_stock_batch(first.batch.id, "healthy")
            .await
            .unwrap(),
        "completes once"
    );
    assert!(app
        .store
        .claim_stock_batch("third", Duration::from_millis(1))
        .await
        .unwrap()
        .is_none());
}

crate::on_both_backends!(
    each_batch_is_claimed_once_by_competing_instances,
    an_expired_lease_is_reclaimed_and_the_old_holder_cannot_complete,
);
