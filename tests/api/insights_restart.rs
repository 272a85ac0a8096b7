//! Statistics are exact across a crash: the real `restock serve` is killed (SIGKILL) right
//! after a stock level is accepted, restarted on the same database, and once it has
//! finished the fan-out and delivery the report counts every subscription exactly once;
//! `restock report` prints the same summary in the terminal.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::binary::{free_port, run, write_config, Served};
use crate::engine_helpers::EVERYONE;
use crate::helpers::Backend;

const KEY: &str = "insights-restart-key";

fn config(dir: &Path, backend: &Backend, port: u16) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/everyone.yaml"), EVERYONE).unwrap();
    let products: Vec<String> = ["SKU-1", "SKU-2"]
        .iter()
        .map(|sku| {
            json!({"id": sku, "title": "Kånken", "price": "899.00 SEK",
                   "link": format!("https://shop.example/{sku}")})
            .to_string()
        })
        .collect();
    std::fs::write(dir.join("sv-SE.jsonl"), products.join("\n") + "\n").unwrap();
    let config = json!({
        "listen": format!("127.0.0.1:{port}"),
        "database_url": backend.url(),
        "api_keys": [KEY],
        "rules_dir": dir.join("rules"),
        "templates_dir": Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        "feeds": {"sv-SE": dir.join("sv-SE.jsonl")},
        "public_url": "https://shop.example/restock",
        "unsubscribe_secret": "insights-restart-secret",
        "mail": {"dir": dir.join("outbox")},
        "insights": {"time_zone": "UTC"},
    });
    write_config(dir, &config)
}

async fn call(
    client: &reqwest::Client,
    served: &Served,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
    let response = client
        .request(method, format!("{}{path}", served.address))
        .header("apikey", KEY)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(Value::Null)
}

async fn subscribe(client: &reqwest::Client, served: &Served, who: &str, sku: &str) {
    let contact = call(
        client,
        served,
        reqwest::Method::POST,
        "/api/v3/contacts",
        json!({"email": who}),
    )
    .await;
    call(
        client,
        served,
        reqwest::Method::POST,
        "/api/v3/inventory/backinstock/subscriptions",
        json!({"contactId": contact["id"], "sku": sku, "locale": "sv-SE"}),
    )
    .await;
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// The report's summary once `delivered` reaches `expected` (the workers run on their own).
async fn summary_when_delivered(client: &reqwest::Client, served: &Served, expected: i64) -> Value {
    let path = format!("/api/v3/reports/back-in-stock?from={0}&to={0}", today());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let report = call(client, served, reqwest::Method::GET, &path, Value::Null).await;
        let summary = report["summary"].clone();
        if summary["delivered"].as_i64() >= Some(expected) {
            return summary;
        }
        assert!(
            Instant::now() < deadline,
            "not delivered in time: {summary}\n{}",
            served.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn counts_are_exact_across_a_kill(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let path = config(dir.path(), &backend, port);
    let client = reqwest::Client::new();

    let served = Served::start(dir.path(), &path, port, &[]).await;
    for who in ["a@example.com", "b@example.com", "c@example.com"] {
        subscribe(&client, &served, who, "SKU-1").await;
    }
    call(
        &client,
        &served,
        reqwest::Method::PUT,
        "/api/v3/inventory/stock-levels",
        json!([{"sku": "SKU-1", "quantity": 5}]),
    )
    .await;
    let first = summary_when_delivered(&client, &served, 3).await;
    assert_eq!(
        (first["triggered"].as_i64(), first["waitingNow"].as_i64()),
        (Some(3), Some(0))
    );

    for who in ["d@example.com", "e@example.com"] {
        subscribe(&client, &served, who, "SKU-2").await;
    }
    call(
        &client,
        &served,
        reqwest::Method::PUT,
        "/api/v3/inventory/stock-levels",
        json!([{"sku": "SKU-2", "quantity": 5}]),
    )
    .await;
    // Killed right after the batch was accepted: fan-out and delivery may be anywhere.
    drop(served);

    let served = Served::start(dir.path(), &path, port, &[]).await;
    let summary = summary_when_delivered(&client, &served, 5).await;
    assert_eq!(
        [
            &summary["subscribed"],
            &summary["triggered"],
            &summary["delivered"],
            &summary["waitingNow"],
            &summary["dead"]
        ],
        [5, 5, 5, 0, 0].map(|n| json!(n)).each_ref(),
        "{summary}"
    );
    let emails = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(emails, 5);
    drop(served);

    let out = run(
        dir.path(),
        &path,
        &["report", "--from", &today(), "--to", &today()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "subscribed                     5",
        "waiting now                    0",
        "triggered                      5",
        "delivered                      5",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
    let bad = run(dir.path(), &path, &["report", "--granularity", "hour"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--granularity"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

crate::on_both_backends!(counts_are_exact_across_a_kill);
