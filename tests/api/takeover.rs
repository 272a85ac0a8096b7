//! Claims and heartbeats: a worker whose process heartbeats keeps its claims, even past a
//! short lease (the batch's), and another instance takes them over once the heartbeat has
//! been stale for `STALE_AFTER`, even before a long lease (the notification's) runs out; a
//! cleanly stopped worker's claims are free at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use restock::store::{keep_alive, Store, STALE_AFTER};
use serde_json::json;

use crate::engine_helpers::shop;
use crate::helpers::{Backend, TestApp};

const LIVE: &str = "live-worker";
const OTHER: &str = "other-instance";
/// Much shorter than the heartbeat's staleness bound: the lease alone would free the claims.
const SHORT_LEASE: Duration = Duration::from_millis(200);
/// The default delivery lease: far longer than the test waits.
const LONG_LEASE: Duration = Duration::from_secs(300);

/// One notification pending in the outbox and one stock batch waiting, neither claimed.
async fn work_to_claim(backend: Backend) -> TestApp {
    let app = shop(backend).spawn().await;
    let contact = app.create_contact("ada@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 5}])).await;
    let response = app
        .put_stock_levels(json!([{"sku": "SKU-2", "quantity": 5}]))
        .await;
    assert_eq!(response.status(), 202);
    app
}

/// Claims the batch and the notification as `worker`; whether it got each.
async fn claim(store: &Arc<dyn Store>, worker: &str) -> (bool, bool) {
    let batch = store
        .claim_stock_batch(worker, Duration::from_secs(60))
        .await
        .expect("claim batch");
    let notifications = store
        .claim_notifications(worker, Duration::from_secs(300), 10)
        .await
        .expect("claim notifications");
    (batch.is_some(), !notifications.is_empty())
}

async fn live_claims_held_while_heartbeating_and_taken_when_stale(backend: Backend) {
    let app = work_to_claim(backend).await;
    let live = app.store.clone();
    let other = app.backend.open_store().await;
    live.heartbeat(&[LIVE.to_owned()]).await.expect("register");
    let batch = live
        .claim_stock_batch(LIVE, SHORT_LEASE)
        .await
        .expect("claim")
        .expect("a batch to claim");
    // The notification with a long lease: only the stale heartbeat can free it in time.
    let claimed = live
        .claim_notifications(LIVE, LONG_LEASE, 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);

    // The live process heartbeats for longer than the staleness bound, far past the lease.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let beating = tokio::spawn(keep_alive(live.clone(), vec![LIVE.to_owned()], async {
        let _ = stopped.await;
    }));
    let held_until = Instant::now() + STALE_AFTER + Duration::from_secs(2);
    while Instant::now() < held_until {
        assert_eq!(
            claim(&other, OTHER).await,
            (false, false),
            "another instance took a live worker's claims"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // The process dies: no more heartbeats. The last one was at most this long ago.
    let _ = stop.send(());
    beating.await.expect("heartbeat task");
    let died = Instant::now();
    let taken = loop {
        let got = claim(&other, OTHER).await;
        if got != (false, false) {
            break got;
        }
        assert!(
            died.elapsed() < STALE_AFTER + Duration::from_secs(3),
            "a dead worker's claims were not taken over"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(taken, (true, true), "both claims are taken over together");
    // The heartbeat task beats every 2 s, so the last beat was at most 2 s before `died`.
    assert!(
        died.elapsed() >= STALE_AFTER - Duration::from_secs(2),
        "taken over {:?} after the heartbeat stopped, before it was stale",
        died.elapsed()
    );
    // The worker that lost its claims cannot record anything for them.
    assert!(!live
        .complete_stock_batch(batch.batch.id, LIVE)
        .await
        .expect("complete"));
}

async fn retired_worker_frees_its_claims_at_once(backend: Backend) {
    let app = work_to_claim(backend).await;
    let other = app.backend.open_store().await;
    app.store
        .heartbeat(&[LIVE.to_owned()])
        .await
        .expect("register");
    assert_eq!(claim(&app.store, LIVE).await, (true, true));
    assert_eq!(claim(&other, OTHER).await, (false, false));
    app.store.retire(&[LIVE.to_owned()]).await.expect("retire");
    assert_eq!(claim(&other, OTHER).await, (true, true));
}

#[tokio::test]
async fn sqlite_live_claims_held_while_heartbeating_and_taken_when_stale() {
    live_claims_held_while_heartbeating_and_taken_when_stale(Backend::sqlite()).await;
}

#[tokio::test]
async fn postgres_live_claims_held_while_heartbeating_and_taken_when_stale() {
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    live_claims_held_while_heartbeating_and_taken_when_stale(backend).await;
}

#[tokio::test]
async fn sqlite_retired_worker_frees_its_claims_at_once() {
    retired_worker_frees_its_claims_at_once(Backend::sqlite()).await;
}

#[tokio::test]
async fn postgres_retired_worker_frees_its_claims_at_once() {
    let Some(backend) = Backend::postgres().await else {
        return;
    };
    retired_worker_frees_its_claims_at_once(backend).await;
}
