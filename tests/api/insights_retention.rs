//! History and retention: an expired subscription's story, a delivered notification
//! archived into the history when the retention task removes it from the outbox, and
//! history removed after `insights.history_days`; the statistics stay.

use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;

use crate::engine_helpers::{shop, EVERYONE};
use crate::helpers::{Backend, TestApp};

impl TestApp {
    /// Runs one statement with a time bound as `$1` on the test's database.
    async fn exec_at(&self, sql: &str, at: chrono::DateTime<chrono::Utc>) {
        match &self.backend {
            Backend::Sqlite(_) => {
                let pool = sqlx::SqlitePool::connect(&self.backend.url())
                    .await
                    .unwrap();
                sqlx::query(sql).bind(at).execute(&pool).await.unwrap();
            }
            Backend::Postgres(_) => {
                let pool = sqlx::PgPool::connect(&self.backend.url()).await.unwrap();
                sqlx::query(sql).bind(at).execute(&pool).await.unwrap();
            }
        }
    }

    async fn history_of(&self, contact: Uuid) -> Vec<serde_json::Value> {
        let (status, body) = self
            .get_json(&format!("/api/v3/contacts/{contact}/backinstock/history"))
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"].as_array().unwrap().clone()
    }
}

/// `sku: status` of a history.
fn statuses(history: &[serde_json::Value]) -> Vec<String> {
    history
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e["sku"].as_str().unwrap(),
                e["status"].as_str().unwrap()
            )
        })
        .collect()
}

async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(Instant::now() < deadline, "{what} did not happen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn history_outlives_the_outbox_and_goes_after_its_age(backend: Backend) {
    let expiring = EVERYONE.replace("priority: 100", "priority: 100\nexpires_after: 30d");
    let app = shop(backend)
        .rule("everyone.yaml", &expiring)
        .config(|c| {
            c.insights.history_days = 1;
            c.insights.delivered_days = 1;
            c.insights.purge_every_secs = 1;
        })
        .spawn()
        .await;
    let anna = app.create_contact("anna@example.com").await;
    app.subscribe(anna, "SKU-1", "sv-SE", None).await;
    let old = app.subscribe(anna, "SKU-2", "sv-SE", None).await;
    app.age_subscription(old["id"].as_str().unwrap(), 40).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 5}, {"sku": "SKU-2", "quantity": 5}]))
        .await;
    app.delivery.run_pending().await.unwrap();

    let history = app.history_of(anna).await;
    assert_eq!(
        statuses(&history),
        ["SKU-2: expired", "SKU-1: triggered"],
        "oldest first"
    );
    assert_eq!(history[1]["notification"]["status"], "delivered");
    assert_eq!(history[0]["expiredBy"], "everyone");
    assert!(history[0]["notification"].is_null());
    let (_, demand) = app.get_json("/api/v3/inventory/backinstock/demand").await;
    assert_eq!(
        demand["total"], 0,
        "consumed and expired are no longer waiting: {demand}"
    );

    // Delivered two days ago: the retention task archives and removes it.
    let two_days_ago = chrono::Utc::now() - chrono::Duration::days(2);
    app.exec_at("UPDATE notifications SET finished_on = $1", two_days_ago)
        .await;
    wait_until("the outbox purge", async || app.outbox().await.is_empty()).await;
    let history = app.history_of(anna).await;
    assert_eq!(
        statuses(&history),
        ["SKU-2: expired", "SKU-1: triggered"],
        "oldest first"
    );
    assert_eq!(history[1]["notification"]["status"], "delivered");
    assert_eq!(history[1]["notification"]["attempts"], 1);

    // The expired one ended two days ago: past insights.history_days, it goes.
    app.exec_at(
        "UPDATE backinstock_history SET ended_on = $1 WHERE status = 'expired'",
        two_days_ago,
    )
    .await;
    wait_until("the history purge", async || {
        app.history_of(anna).await.len() == 1
    })
    .await;
    assert_eq!(statuses(&app.history_of(anna).await), ["SKU-1: triggered"]);

    let day = chrono::Utc::now().format("%Y-%m-%d");
    let (_, report) = app
        .get_json(&format!(
            "/api/v3/reports/back-in-stock?from={day}&to={day}"
        ))
        .await;
    let s = &report["summary"];
    assert_eq!(
        [
            &s["subscribed"],
            &s["triggered"],
            &s["expired"],
            &s["delivered"]
        ],
        [2, 1, 1, 1].map(|n| json!(n)).each_ref(),
        "{s}"
    );
}

crate::on_both_backends!(history_outlives_the_outbox_and_goes_after_its_age);
