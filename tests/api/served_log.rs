//! `restock serve` as an operator runs it: what its log says at start and per processed
//! batch, and where the links in its emails point when only `RESTOCK_LISTEN` is set.

use std::path::Path;

use serde_json::{json, Value};

use crate::binary::{free_port, write_config, Served};
use crate::engine_helpers::{product, EVERYONE};
use crate::helpers::api_key;

/// A configuration without `listen` or `public_url`: the test sets `RESTOCK_LISTEN`.
fn config(dir: &Path, feeds: Value) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/everyone.yaml"), EVERYONE).unwrap();
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    write_config(
        dir,
        &json!({
            "database_url": format!("sqlite://{}?mode=rwc", dir.join("restock.db").display()),
            "api_keys": [api_key()],
            "rules_dir": dir.join("rules"),
            "templates_dir": templates,
            "feeds": feeds,
            "unsubscribe_secret": "served-log-secret",
            "mail": {"dir": dir.join("outbox")},
        }),
    )
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Value,
) -> Value {
    let response = client
        .request(method, url)
        .header("apikey", api_key())
        .json(&body)
        .send()
        .await
        .expect("request");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

/// The `stock-level batch processed` lines of a log.
fn batch_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("stock-level batch processed"))
        .collect()
}

fn emails(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .filter_map(|p| std::fs::read_to_string(p).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_log_names_feeds_and_counts_each_batch_and_links_follow_the_listen_port() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("sv-SE.jsonl");
    let products = [
        product("SKU-1", "Kånken", "899.00 SEK"),
        product("SKU-2", "Tröja", "199.00 SEK"),
    ];
    let lines: Vec<String> = products.iter().map(Value::to_string).collect();
    std::fs::write(&feed, lines.join("\n") + "\n").unwrap();
    let config = config(dir.path(), json!({"sv-SE": feed}));
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let served = Served::start(dir.path(), &config, port, &[("RESTOCK_LISTEN", &listen)]).await;

    let start = served.log();
    let feed_line = start
        .lines()
        .find(|l| l.contains("serving the feed"))
        .unwrap_or_else(|| panic!("no feed line in the start log:\n{start}"));
    for part in ["locale=sv-SE", "format=jsonl", "products=2", "sv-SE.jsonl"] {
        assert!(feed_line.contains(part), "{part} missing: {feed_line}");
    }
    assert!(
        !start.contains("\x1b["),
        "a log file gets no colour codes:\n{start}"
    );

    let client = reqwest::Client::new();
    let api = format!("{}/api/v3", served.address);
    let post = reqwest::Method::POST;
    let mut contacts = Vec::new();
    for email in ["anna@example.com", "bert@example.com"] {
        let body = json!({"email": email, "locale": "sv-SE"});
        let contact = call(&client, post.clone(), format!("{api}/contacts"), body).await;
        contacts.push(contact["id"].as_str().unwrap().to_owned());
    }
    let subscriptions = format!("{api}/inventory/backinstock/subscriptions");
    for (contact, sku) in [
        (&contacts[0], "SKU-1"),
        (&contacts[1], "SKU-1"),
        (&contacts[1], "SKU-2"),
    ] {
        let body = json!({"contactId": contact, "sku": sku, "locale": "sv-SE"});
        call(&client, post.clone(), subscriptions.clone(), body).await;
    }
    let stock = format!("{api}/inventory/stock-levels");
    let put = reqwest::Method::PUT;
    call(
        &client,
        put.clone(),
        stock.clone(),
        json!([{"sku": "SKU-1", "quantity": 5}]),
    )
    .await;
    served
        .wait_for_log("first batch line", |log| batch_lines(log).len() == 1)
        .await;
    let second = json!([{"sku": "SKU-2", "quantity": 0}, {"sku": "SKU-3", "quantity": 4}]);
    call(&client, put, stock, second).await;
    let log = served
        .wait_for_log("second batch line", |log| batch_lines(log).len() == 2)
        .await;

    let lines = batch_lines(&log);
    for (line, counts) in lines.iter().zip([
        "levels=1 matched=2 sent=2 expired=0 held_back=none",
        "levels=2 matched=1 sent=0 expired=0 held_back=noStock:1",
    ]) {
        assert!(line.contains(counts), "expected {counts} in: {line}");
        assert!(line.contains(" INFO "), "{line}");
        assert!(line.contains("batch="), "{line}");
    }

    let outbox = dir.path().join("outbox");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while emails(&outbox).len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "no emails; log:\n{}",
            served.log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let link = format!("List-Unsubscribe: <http://127.0.0.1:{port}/unsubscribe/");
    for eml in emails(&outbox) {
        assert!(eml.contains(&link), "expected {link} in:\n{eml}");
    }
    assert_eq!(
        batch_lines(&served.log()).len(),
        2,
        "one line per batch, no more"
    );
}

#[tokio::test]
async fn the_start_log_warns_without_feeds_and_about_an_unreachable_public_url() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), json!({}));
    let port = free_port();
    let listen = format!("0.0.0.0:{port}");
    let served = Served::start(dir.path(), &config, port, &[("RESTOCK_LISTEN", &listen)]).await;
    let log = served.log();
    let warning = |text: &str| {
        log.lines()
            .any(|l| l.contains(" WARN ") && l.contains(text))
    };
    assert!(
        warning("no feeds configured: every subscription will be held back: noFeedForLocale"),
        "{log}"
    );
    assert!(warning("public_url is not set"), "{log}");
    assert!(warning(&format!("http://0.0.0.0:{port}")), "{log}");

    let feeds: Value = reqwest::Client::new()
        .get(format!("{}/api/v3/feeds", served.address))
        .header("apikey", api_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(feeds, json!({"feeds": []}));
}
