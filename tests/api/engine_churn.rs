//! Churn: many clients create and delete subscriptions while stock levels for the same SKUs
//! keep arriving and two engine instances fan them out. Afterwards no subscription has been
//! notified twice, none deleted (204) was notified, and none is stranded: after a last
//! stock level every subscription still standing has been notified exactly once.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::engine_helpers::{notified, shop};
use crate::helpers::{Backend, TestApp};

const CLIENTS: usize = 8;
const ROUNDS: usize = 20;
const CONTACTS: usize = 12;
const SKUS: [&str; 2] = ["SKU-1", "SKU-2"];
const LOCALES: [&str; 2] = ["sv-SE", "pl-PL"];

/// What one client saw of one subscription.
#[derive(Default)]
struct Seen {
    /// Every id a subscribe call answered with (201 new, or 200 the standing one).
    ids: HashSet<String>,
    /// Ids whose DELETE answered 204: they were taken away before being notified.
    deleted: HashSet<String>,
}

async fn client(app: Arc<TestApp>, contacts: Arc<Vec<Uuid>>, n: usize) -> Seen {
    let mut seen = Seen::default();
    for round in 0..ROUNDS {
        // A fixed pattern per client and round: clients collide on the same contact, SKU
        // and locale, so identical subscribes and deletes of the same one race too.
        let pick = n * 7 + round * 3;
        let body = json!({
            "contactId": contacts[pick % contacts.len()],
            "sku": SKUS[pick % 2],
            "locale": LOCALES[(pick / 2) % 2],
        });
        let response = app.post_subscription(body).await;
        let status = response.status().as_u16();
        assert!(status == 201 || status == 200, "subscribe: {status}");
        let id = response.json::<serde_json::Value>().await.expect("json")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        seen.ids.insert(id.clone());
        if round % 3 == n % 3 {
            let response = app
                .request(
                    Method::DELETE,
                    &format!("/api/v3/inventory/backinstock/subscriptions/{id}"),
                )
                .send()
                .await
                .expect("delete");
            match response.status().as_u16() {
                204 => {
                    seen.deleted.insert(id);
                }
                // Already notified (and so consumed), or deleted by another client.
                404 => {}
                other => panic!("delete: {other}"),
            }
        }
    }
    seen
}

async fn churn_while_stock_arrives_notifies_each_subscription_once(backend: Backend) {
    let app = Arc::new(shop(backend).spawn().await);
    let mut contacts = Vec::new();
    for i in 0..CONTACTS {
        contacts.push(app.create_contact(&format!("churn{i}@example.com")).await);
    }
    let contacts = Arc::new(contacts);
    // Two engine instances, each with its own pool, working all the time.
    let other = Arc::new(
        restock::startup::build_engine(&app.config, app.backend.open_store().await)
            .expect("second engine"),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let engines = [app.engine.clone(), other].map(|engine| {
        let stop = stop.clone();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                engine.run_pending().await.expect("engine");
                tokio::task::yield_now().await;
            }
        })
    });
    let stock = {
        let app = app.clone();
        tokio::spawn(async move {
            for round in 0..30 {
                let level = json!([{"sku": SKUS[round % 2], "quantity": 5}]);
                assert_eq!(app.put_stock_levels(level).await.status(), 202);
                tokio::time::sleep(std::time::Duration::from_millis(15)).await;
            }
        })
    };
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| tokio::spawn(client(app.clone(), contacts.clone(), n)))
        .collect();
    let mut ids = HashSet::new();
    let mut deleted = HashSet::new();
    for client in clients {
        let seen = client.await.expect("client");
        ids.extend(seen.ids);
        deleted.extend(seen.deleted);
    }
    stock.await.expect("stock levels");
    // The last word: every SKU back in stock once more, after all the churn.
    let last = json!(SKUS.map(|sku| json!({"sku": sku, "quantity": 5})));
    assert_eq!(app.put_stock_levels(last).await.status(), 202);
    stop.store(true, Ordering::Relaxed);
    for engine in engines {
        engine.await.expect("engine task");
    }
    app.engine.run_pending().await.expect("engine");

    let outbox = app.outbox().await;
    let notified = notified(&outbox);
    let mut times: HashMap<&str, usize> = HashMap::new();
    for id in &notified {
        *times.entry(id.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = times.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "notified twice: {twice:?}");
    let deleted_but_notified: Vec<_> = deleted
        .iter()
        .filter(|id| times.contains_key(id.as_str()))
        .collect();
    assert!(
        deleted_but_notified.is_empty(),
        "deleted (204) yet notified: {deleted_but_notified:?}"
    );
    let expected: HashSet<&str> = ids
        .iter()
        .filter(|id| !deleted.contains(*id))
        .map(String::as_str)
        .collect();
    let got: HashSet<&str> = times.keys().copied().collect();
    assert_eq!(
        got, expected,
        "every subscription not deleted is notified, once"
    );
    for contact in contacts.iter() {
        assert_eq!(
            app.remaining(*contact).await,
            Vec::<String>::new(),
            "stranded subscriptions of {contact}"
        );
    }
    assert!(
        expected.len() > CONTACTS && !deleted.is_empty(),
        "the churn exercised both paths: {} notified, {} deleted",
        expected.len(),
        deleted.len()
    );
}

crate::on_both_backends!(churn_while_stock_arrives_notifies_each_subscription_once);
