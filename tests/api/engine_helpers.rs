//! Helpers for engine tests: a standard catalogue, rules, and reading the outbox and log.

use reqwest::Method;
use restock::store::Notification;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{setup, Backend, Setup, TestApp};

/// A rule that notifies everyone, with a Swedish branch.
pub const EVERYONE: &str = "
id: everyone
name: Everyone
priority: 100
split:
  by: locale
  branches:
    sv-SE:
      - email: {template: back-in-stock}
    default:
      - email: {template: back-in-stock}
      - log: {}
";

pub fn product(sku: &str, name: &str, price: &str) -> Value {
    json!({"id": sku, "title": name, "price": price, "link": format!("https://shop.example/{sku}"), "image_link": format!("https://shop.example/{sku}.jpg"), "brand": "Fjällräven"})
}

/// Feeds for sv-SE and pl-PL with SKU-1 and SKU-2, and the EVERYONE rule.
pub fn shop(backend: Backend) -> Setup {
    setup(backend)
        .feed(
            "sv-SE",
            &[
                product("SKU-1", "Kånken", "899.00 SEK"),
                product("SKU-2", "Tröja", "199.00 SEK"),
            ],
        )
        .feed(
            "pl-PL",
            &[
                product("SKU-1", "Plecak", "399.00 PLN"),
                product("SKU-2", "Sweter", "99.00 PLN"),
            ],
        )
        .rule("everyone.yaml", EVERYONE)
}

impl TestApp {
    /// Sends stock levels and lets the engine process every stored batch.
    pub async fn stock(&self, levels: Value) {
        let response = self.put_stock_levels(levels).await;
        assert_eq!(response.status(), 202);
        self.engine.run_pending().await.expect("engine");
    }

    pub async fn outbox(&self) -> Vec<Notification> {
        self.store
            .notifications(100_000)
            .await
            .expect("notifications")
    }

    /// Ids of the contact's remaining subscriptions.
    pub async fn remaining(&self, contact: Uuid) -> Vec<String> {
        self.subscriptions_of(contact)
            .await
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    }

    pub async fn log(&self, query: &str) -> Vec<Value> {
        let response = self
            .request(Method::GET, &format!("/api/v3/integration-log{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["data"].as_array().unwrap().clone()
    }

    /// Makes a subscription look `days` old, as if it had been waiting that long.
    pub async fn age_subscription(&self, id: &str, days: i64) {
        let id: Uuid = id.parse().unwrap();
        let created = chrono::Utc::now() - chrono::Duration::days(days);
        let sql = "UPDATE subscriptions SET created_on = $1 WHERE id = $2";
        match &self.backend {
            Backend::Sqlite(_) => {
                let pool = sqlx::SqlitePool::connect(&self.backend.url())
                    .await
                    .unwrap();
                sqlx::query(sql)
                    .bind(created)
                    .bind(id)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            Backend::Postgres(_) => {
                let pool = sqlx::PgPool::connect(&self.backend.url()).await.unwrap();
                sqlx::query(sql)
                    .bind(created)
                    .bind(id)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
        }
    }

    /// Writes the rules file and reloads the rules now.
    pub async fn set_rule(&self, name: &str, yaml: &str) -> bool {
        std::fs::write(self.files.path().join("rules").join(name), yaml).unwrap();
        self.engine.rules().reload_now().is_ok()
    }
}

/// The subscription ids in the outbox.
pub fn notified(outbox: &[Notification]) -> Vec<String> {
    outbox.iter().map(|n| n.subscription.to_string()).collect()
}
