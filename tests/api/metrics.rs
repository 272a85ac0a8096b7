//! `GET /metrics`: the engine's integration-log counts, the outbox depth, delivery
//! outcomes, reloads and request latency, read back over HTTP in the Prometheus text
//! format — values asserted, not just names.

use reqwest::Method;
use serde_json::json;

use crate::engine_helpers::{product, shop};
use crate::helpers::{Backend, TestApp};

/// Everyone gets a `log` notification (no mail server or templates involved).
const LOG_EVERYONE: &str =
    "id: everyone\nsplit:\n  by: locale\n  branches:\n    default:\n      - log: {}\n";

impl TestApp {
    /// The scrape, without an API key (Prometheus sends none), asserting its format.
    async fn metrics(&self) -> String {
        let response = self
            .client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        response.text().await.expect("text")
    }
}

/// The value of the sample `name` with exactly these labels, if present.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut wanted: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    wanted.sort();
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, mut found) = match series.split_once('{') {
                Some((metric, rest)) => {
                    let inner = rest.strip_suffix('}')?;
                    let pairs: Vec<String> = inner
                        .split("\",")
                        .map(|p| format!("{}\"", p.trim_end_matches('"')))
                        .collect();
                    (metric, pairs)
                }
                None => (series, Vec::new()),
            };
            found.sort();
            (metric == name && found == wanted).then(|| value.parse().expect("number"))
        })
}

fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sample(text, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?} in\n{text}"))
}

async fn engine_and_outbox_counts(backend: Backend) {
    let app = shop(backend)
        .feed("de-DE", &[product("OTHER", "Other", "1.00 EUR")])
        .rule("everyone.yaml", LOG_EVERYONE)
        .spawn()
        .await;
    let contact = app.create_contact("anna@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await; // triggers
    app.subscribe(contact, "SKU-1", "fi-FI", None).await; // no feed for fi-FI
    app.subscribe(contact, "SKU-1", "de-DE", None).await; // feed without SKU-1
    app.subscribe(contact, "SKU-2", "sv-SE", None).await; // sold out
    app.stock(json!([{"sku": "SKU-1", "quantity": 3}, {"sku": "SKU-2", "quantity": 0}]))
        .await;

    let text = app.metrics().await;
    let counter = |name: &str| value(&text, name, &[]);
    assert_eq!(counter("restock_stock_levels_received_total"), 2.0);
    assert_eq!(counter("restock_subscriptions_matched_total"), 4.0);
    assert_eq!(counter("restock_subscriptions_triggered_total"), 1.0);
    assert_eq!(counter("restock_subscriptions_expired_total"), 0.0);
    let held = |reason: &str| {
        value(
            &text,
            "restock_subscriptions_held_back_total",
            &[("reason", reason)],
        )
    };
    assert_eq!(held("noFeedForLocale"), 1.0);
    assert_eq!(held("noProductData"), 1.0);
    assert_eq!(held("noStock"), 1.0);
    assert_eq!(held("conditionFalse"), 0.0, "every reason is exported");
    let outbox = |text: &str, status: &str| {
        value(text, "restock_outbox_notifications", &[("status", status)])
    };
    assert_eq!(outbox(&text, "pending"), 1.0);
    assert_eq!(outbox(&text, "delivered"), 0.0);
    let sent = [("action", "log"), ("outcome", "sent")];
    assert_eq!(value(&text, "restock_delivery_attempts_total", &sent), 0.0);

    assert_eq!(app.delivery.run_pending().await.unwrap(), 1);
    let text = app.metrics().await;
    assert_eq!(outbox(&text, "pending"), 0.0);
    assert_eq!(outbox(&text, "delivered"), 1.0);
    assert_eq!(value(&text, "restock_delivery_attempts_total", &sent), 1.0);
    let dead = [("action", "log"), ("outcome", "dead")];
    assert_eq!(value(&text, "restock_delivery_attempts_total", &dead), 0.0);
    assert!(
        !text.contains("anna@example.com") && !text.contains(&contact.to_string()),
        "no contact data in the metrics"
    );
}

async fn reloads_and_their_errors(backend: Backend) {
    let app = shop(backend).spawn().await;
    let reloads = |text: &str, result: &str| {
        value(
            text,
            "restock_reloads_total",
            &[("what", "rules"), ("result", result)],
        )
    };
    let text = app.metrics().await;
    assert_eq!(reloads(&text, "ok"), 0.0);
    assert_eq!(reloads(&text, "error"), 0.0);

    assert!(!app.set_rule("broken.yaml", "id: [not an id\n").await);
    let text = app.metrics().await;
    assert_eq!(reloads(&text, "error"), 1.0);
    assert_eq!(reloads(&text, "ok"), 0.0);

    std::fs::remove_file(app.files.path().join("rules").join("broken.yaml")).unwrap();
    assert!(app.engine.rules().reload_now().is_ok());
    let text = app.metrics().await;
    assert_eq!(reloads(&text, "ok"), 1.0);
    assert_eq!(reloads(&text, "error"), 1.0);
    let feed = [("what", "feed"), ("result", "error")];
    assert_eq!(value(&text, "restock_reloads_total", &feed), 0.0);
}

async fn latency_is_labelled_by_route_template(backend: Backend) {
    let app = shop(backend).spawn().await;
    let contact = app.create_contact("anna@example.com").await;
    let path = format!("/api/v3/contacts/{contact}");
    for _ in 0..2 {
        let response = app.request(Method::GET, &path).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    let missing = app
        .request(Method::GET, "/no/such/path/12345")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let text = app.metrics().await;
    let name = "restock_http_request_duration_seconds_count";
    let get = [
        ("method", "GET"),
        ("route", "/api/v3/contacts/{id}"),
        ("status", "200"),
    ];
    assert_eq!(value(&text, name, &get), 2.0);
    let created = [
        ("method", "POST"),
        ("route", "/api/v3/contacts"),
        ("status", "201"),
    ];
    assert_eq!(value(&text, name, &created), 1.0);
    let unmatched = [("method", "GET"), ("route", "unmatched"), ("status", "404")];
    assert_eq!(value(&text, name, &unmatched), 1.0);
    assert!(
        !text.contains(&contact.to_string()) && !text.contains("12345"),
        "raw paths never become labels:\n{text}"
    );
}

/// The outbox gauge against the outbox's own list, for every status.
async fn assert_depth(app: &TestApp, expected: [usize; 3], step: &str) {
    let text = app.metrics().await;
    let mut listed = Vec::new();
    for status in ["pending", "delivered", "dead"] {
        let gauge = value(&text, "restock_outbox_notifications", &[("status", status)]);
        let page: serde_json::Value = app
            .call(Method::GET, &format!("/api/v3/outbox?status={status}"))
            .await;
        let rows = page["data"].as_array().expect("a list").len();
        assert_eq!(gauge, rows as f64, "{step}: {status} gauge vs the list");
        listed.push(rows);
    }
    assert_eq!(listed, expected, "{step}: pending, delivered, dead");
}

/// The outbox counts (kept by triggers and the fan-out on SQLite, counted on PostgreSQL)
/// follow every change a notification goes through: created, dead-lettered, retried,
/// deleted with its contact, purged.
async fn outbox_counts_follow_every_change(backend: Backend) {
    let dead_end =
        "id: everyone\nsplit:\n  by: locale\n  branches:\n    default:\n      - webhook: {url: 'ftp://x.example/'}\n";
    let app = shop(backend).rule("everyone.yaml", dead_end).spawn().await;
    let anna = app.create_contact("anna@example.com").await;
    let bert = app.create_contact("bert@example.com").await;
    let cecilia = app.create_contact("cecilia@example.com").await;
    for contact in [anna, bert, cecilia] {
        app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    }
    app.stock(json!([{"sku": "SKU-1", "quantity": 3}])).await;
    assert_depth(&app, [3, 0, 0], "fanned out").await;
    app.delivery.run_pending().await.unwrap();
    assert_depth(&app, [0, 0, 3], "dead-lettered").await;
    let retried: serde_json::Value = app.call(Method::POST, "/api/v3/outbox/retry").await;
    assert_eq!(retried["requeued"], 3);
    assert_depth(&app, [3, 0, 0], "retried").await;
    let deleted = app
        .request(Method::DELETE, &format!("/api/v3/contacts/{bert}"))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    assert_depth(&app, [2, 0, 0], "a contact deleted").await;
    app.delivery.run_pending().await.unwrap();
    assert_depth(&app, [0, 0, 2], "dead again").await;
    let purged: serde_json::Value = app.call(Method::DELETE, "/api/v3/outbox?status=dead").await;
    assert_eq!(purged["purged"], 2);
    assert_depth(&app, [0, 0, 0], "purged").await;
}

crate::on_both_backends!(
    engine_and_outbox_counts,
    outbox_counts_follow_every_change,
    reloads_and_their_errors,
    latency_is_labelled_by_route_template,
);
