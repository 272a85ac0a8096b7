//! The delivery worker over the real outbox: actions run in order, transient failures are
//! retried on the schedule (resuming after the actions that succeeded), permanent ones and
//! exhausted retries go to the dead letter, and admins can retry and purge.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use restock::delivery::{Delivery, DeliverySettings, RetryPolicy};
use restock::plugins::{Action, Outcome, Registry};
use restock::store::OutboxItem;
use serde_json::{json, Value};

use crate::engine_helpers::shop;
use crate::helpers::{problem, Backend, TestApp};

fn rule(actions: &str) -> String {
    format!("id: everyone\nsplit:\n  by: locale\n  branches:\n    default:\n{actions}")
}

/// Triggers one notification for a fresh contact.
async fn trigger(app: &TestApp) {
    let contact = app.create_contact("anna@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 1}])).await;
    assert_eq!(app.outbox().await.len(), 1);
}

async fn outbox(app: &TestApp, query: &str) -> Vec<Value> {
    let response = app
        .request(Method::GET, &format!("/api/v3/outbox{query}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["data"]
        .as_array()
        .unwrap()
        .clone()
}

async fn the_log_action_delivers(backend: Backend) {
    let app = shop(backend)
        .rule("everyone.yaml", &rule("      - log: {}\n"))
        .spawn()
        .await;
    trigger(&app).await;
    assert_eq!(outbox(&app, "?status=pending").await.len(), 1);
    assert_eq!(app.delivery.run_pending().await.unwrap(), 1);
    let delivered = outbox(&app, "?status=delivered").await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["attempts"], 1);
    assert_eq!(delivered[0]["automation"], "everyone");
    assert_eq!(
        app.delivery.run_pending().await.unwrap(),
        0,
        "delivered once"
    );
}

async fn failed_actions_dead_letter_and_admins_retry_and_purge(backend: Backend) {
    let app = shop(backend)
        .rule(
            "everyone.yaml",
            &rule("      - webhook: {url: 'ftp://hooks.example/x'}\n"),
        )
        .spawn()
        .await;
    trigger(&app).await;
    app.delivery.run_pending().await.unwrap();
    let dead = outbox(&app, "?status=dead").await;
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0]["lastError"]
            .as_str()
            .unwrap()
            .contains("is not an http(s) URL"),
        "{dead:?}"
    );

    let retried: Value = app.call(Method::POST, "/api/v3/outbox/retry").await;
    assert_eq!(retried["requeued"], 1);
    assert_eq!(outbox(&app, "?status=pending").await.len(), 1);
    app.delivery.run_pending().await.unwrap();
    let purged: Value = app.call(Method::DELETE, "/api/v3/outbox?status=dead").await;
    assert_eq!(purged["purged"], 1);
    assert!(outbox(&app, "").await.is_empty());

    let bad = app
        .request(Method::DELETE, "/api/v3/outbox?status=pending")
        .send()
        .await
        .unwrap();
    assert_eq!(crate::helpers::fields(&problem(bad, 400).await), ["status"]);
    let bad = app
        .request(Method::GET, "/api/v3/outbox?status=lost")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(bad, 400).await["errorCode"], "ValidationFailed");
}

/// Counts its runs; fails transiently for its first `failures` runs, or always
/// permanently.
struct Scripted {
    name: &'static str,
    runs: Arc<AtomicU32>,
    failures: u32,
    permanent: bool,
}

#[async_trait]
impl Action for Scripted {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn execute(&self, _item: &OutboxItem, _settings: &Value) -> Outcome {
        let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        match (self.permanent, run <= self.failures) {
            (true, _) => Outcome::Permanent("550 mailbox unavailable".into()),
            (false, true) => Outcome::Transient(format!("451 try again (run {run})")),
            (false, false) => Outcome::Done,
        }
    }
}

fn delivery(app: &TestApp, first: Scripted, second: Scripted, retries: usize) -> Arc<Delivery> {
    let mut actions = Registry::new();
    actions.register(first).register(second);
    let settings = DeliverySettings {
        retry: RetryPolicy {
            schedule: vec![Duration::ZERO; retries],
            jitter: 0.0,
        },
        ..DeliverySettings::default()
    };
    Arc::new(Delivery::new(app.store.clone(), actions, settings))
}

fn scripted(name: &'static str, failures: u32, permanent: bool) -> (Scripted, Arc<AtomicU32>) {
    let runs = Arc::new(AtomicU32::new(0));
    (
        Scripted {
            name,
            runs: runs.clone(),
            failures,
            permanent,
        },
        runs,
    )
}

async fn transient_failures_retry_and_resume_after_what_succeeded(backend: Backend) {
    let app = shop(backend)
        .rule(
            "everyone.yaml",
            &rule("      - log: {}\n      - webhook: {}\n"),
        )
        .spawn()
        .await;
    trigger(&app).await;
    let (first, first_runs) = scripted("log", 0, false);
    let (second, second_runs) = scripted("webhook", 2, false);
    delivery(&app, first, second, 3)
        .run_pending()
        .await
        .unwrap();
    let delivered = outbox(&app, "?status=delivered").await;
    assert_eq!(delivered.len(), 1, "{:?}", outbox(&app, "").await);
    assert_eq!(delivered[0]["attempts"], 3);
    assert_eq!(
        first_runs.load(Ordering::SeqCst),
        1,
        "the first action is not repeated"
    );
    assert_eq!(second_runs.load(Ordering::SeqCst), 3);
}

async fn exhausted_retries_and_permanent_failures_go_to_the_dead_letter(backend: Backend) {
    let app = shop(backend)
        .rule(
            "everyone.yaml",
            &rule("      - log: {}\n      - webhook: {}\n"),
        )
        .spawn()
        .await;
    trigger(&app).await;
    let (first, _) = scripted("log", 0, false);
    let (second, runs) = scripted("webhook", 100, false);
    delivery(&app, first, second, 2)
        .run_pending()
        .await
        .unwrap();
    let dead = outbox(&app, "?status=dead").await;
    assert_eq!(
        runs.load(Ordering::SeqCst),
        3,
        "the first attempt and two retries"
    );
    assert!(
        dead[0]["lastError"]
            .as_str()
            .unwrap()
            .starts_with("gave up after 3 attempts: webhook: 451"),
        "{dead:?}"
    );

    app.request(Method::POST, "/api/v3/outbox/retry")
        .send()
        .await
        .unwrap();
    let (first, _) = scripted("log", 0, false);
    let (second, runs) = scripted("webhook", 0, true);
    delivery(&app, first, second, 5)
        .run_pending()
        .await
        .unwrap();
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "a permanent failure is not retried"
    );
    let dead = outbox(&app, "?status=dead").await;
    assert_eq!(dead[0]["lastError"], "webhook: 550 mailbox unavailable");
}

async fn the_daily_cap_defers_and_never_drops(backend: Backend) {
    let app = shop(backend)
        .rule("everyone.yaml", &rule("      - log: {}\n"))
        .config(|c| c.delivery.daily_cap_per_contact = 2)
        .spawn()
        .await;
    let keen = app.create_contact("keen@example.com").await;
    let other = app.create_contact("other@example.com").await;
    for (sku, locale) in [("SKU-1", "sv-SE"), ("SKU-1", "pl-PL"), ("SKU-2", "sv-SE")] {
        app.subscribe(keen, sku, locale, None).await;
    }
    app.subscribe(other, "SKU-2", "pl-PL", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 9}, {"sku": "SKU-2", "quantity": 9}]))
        .await;
    app.delivery.run_pending().await.unwrap();

    let delivered = outbox(&app, "?status=delivered").await;
    let pending = outbox(&app, "?status=pending").await;
    assert_eq!(
        delivered.len(),
        3,
        "two for the keen contact, one for the other"
    );
    assert_eq!(pending.len(), 1, "the third for the keen contact waits");
    assert_eq!(pending[0]["contactId"], keen.to_string());
    assert_eq!(
        pending[0]["attempts"], 0,
        "a deferral is not a failed attempt"
    );
    let tomorrow = chrono::Utc::now().timestamp_millis() + 23 * 3_600_000;
    assert!(pending[0]["nextAttemptMs"].as_i64().unwrap() > tomorrow);
    assert_eq!(
        app.delivery.run_pending().await.unwrap(),
        0,
        "not due before the window moves"
    );
}

crate::on_both_backends!(
    the_daily_cap_defers_and_never_drops,
    the_log_action_delivers,
    failed_actions_dead_letter_and_admins_retry_and_purge,
    transient_failures_retry_and_resume_after_what_succeeded,
    exhausted_retries_and_permanent_failures_go_to_the_dead_letter,
);
