//! `GET /api/v3/feeds`, and one naming for load times and reload errors across the three
//! hot-reloaded resources (automations, templates, feeds).

use reqwest::Method;
use restock::domain::Locale;
use serde_json::{json, Value};

use crate::binary::own_templates;
use crate::engine_helpers::shop;
use crate::helpers::{setup, Backend, TestApp};

fn locale(tag: &str) -> Locale {
    Locale::parse(tag).unwrap()
}

fn feed<'a>(body: &'a Value, tag: &str) -> &'a Value {
    body["feeds"]
        .as_array()
        .and_then(|feeds| feeds.iter().find(|f| f["locale"] == tag))
        .unwrap_or_else(|| panic!("no {tag} feed in {body}"))
}

/// An RFC 3339 time with an explicit offset, as Engage's `createdOn`.
fn assert_time(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    assert!(
        chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "not RFC 3339: {text}"
    );
}

async fn feeds(app: &TestApp) -> Value {
    let response = app
        .request(Method::GET, "/api/v3/feeds")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn every_configured_feed_is_listed_with_its_products_and_load_time() {
    let app = shop(Backend::sqlite()).spawn().await;
    let body = feeds(&app).await;
    let locales: Vec<&str> = body["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["locale"].as_str())
        .collect();
    assert_eq!(locales, ["pl-PL", "sv-SE"]);
    let sv = feed(&body, "sv-SE");
    assert!(
        sv["path"].as_str().unwrap().ends_with("feeds/sv-SE.jsonl"),
        "{sv}"
    );
    assert_eq!(sv["format"], "jsonl");
    assert_eq!(sv["products"], 2);
    assert_eq!(sv["generation"], 1);
    assert_eq!(sv["lastError"], Value::Null);
    assert_time(&sv["loadedOn"]);

    let anonymous = app
        .client
        .get(format!("{}/api/v3/feeds", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401, "the feed list needs the API key");
}

#[tokio::test]
async fn a_broken_reload_shows_its_error_and_the_last_good_products_stay() {
    let app = shop(Backend::sqlite()).spawn().await;
    let path = app.files.path().join("feeds/sv-SE.jsonl");
    std::fs::write(
        &path,
        "{\"id\": \"SKU-9\", \"title\": \"Ny\"}\nthis is not json\n",
    )
    .unwrap();
    let failure = app
        .engine
        .catalog()
        .reload_now(&locale("sv-SE"))
        .expect("sv-SE has a feed")
        .expect_err("the broken file is refused");

    let body = feeds(&app).await;
    let sv = feed(&body, "sv-SE");
    assert_eq!(sv["products"], 2, "the last good version stays live: {sv}");
    assert_eq!(sv["generation"], 1);
    let error = &sv["lastError"];
    assert_eq!(error["message"], failure.message.as_str(), "{sv}");
    assert!(
        error["message"].as_str().unwrap().contains("sv-SE.jsonl"),
        "the error names the file: {error}"
    );
    assert_time(&error["on"]);
    assert_eq!(
        feed(&body, "pl-PL")["lastError"],
        Value::Null,
        "pl-PL is untouched"
    );

    // Fixing the file clears the error and counts the new products.
    let good: Vec<String> = ["SKU-1", "SKU-2", "SKU-3"]
        .iter()
        .map(|sku| json!({"id": sku, "title": sku}).to_string())
        .collect();
    std::fs::write(&path, good.join("\n")).unwrap();
    assert!(app
        .engine
        .catalog()
        .reload_now(&locale("sv-SE"))
        .unwrap()
        .is_ok());
    let body = feeds(&app).await;
    let sv = feed(&body, "sv-SE");
    assert_eq!(
        (sv["products"].clone(), sv["generation"].clone()),
        (json!(3), json!(2))
    );
    assert_eq!(sv["lastError"], Value::Null);
}

#[tokio::test]
async fn automations_templates_and_feeds_name_load_time_and_last_error_alike() {
    let app = shop(Backend::sqlite())
        .config(|config| {
            own_templates(config);
        })
        .spawn()
        .await;
    let resources = ["/api/v3/automations", "/api/v3/templates"];
    for path in resources {
        let body: Value = app.call(Method::GET, path).await;
        assert_time(&body["loadedOn"]);
        assert!(body.get("loadedAt").is_none(), "{path}: {body}");
        assert_eq!(body["lastError"], Value::Null, "{path}: {body}");
    }

    // Break all three; each then shows `lastError: {message, on}`.
    std::fs::write(app.files.path().join("rules/everyone.yaml"), "id: [").unwrap();
    assert!(app.engine.rules().reload_now().is_err());
    let text = app.config.templates_dir.join("sv-SE/back-in-stock.txt.hbs");
    std::fs::write(text, "{{#if product.name}}never closed").unwrap();
    assert!(app.templates.as_ref().unwrap().reload_now().is_err());
    std::fs::write(app.files.path().join("feeds/pl-PL.jsonl"), "nope\n").unwrap();
    assert!(app
        .engine
        .catalog()
        .reload_now(&locale("pl-PL"))
        .unwrap()
        .is_err());

    let automations: Value = app.call(Method::GET, "/api/v3/automations").await;
    let templates: Value = app.call(Method::GET, "/api/v3/templates").await;
    let feeds = feeds(&app).await;
    let errors = [
        ("automations", &automations["lastError"]),
        ("templates", &templates["lastError"]),
        ("feeds", &feed(&feeds, "pl-PL")["lastError"]),
    ];
    for (what, error) in errors {
        let shape = error
            .as_object()
            .unwrap_or_else(|| panic!("{what}: {error}"));
        let keys: Vec<&String> = shape.keys().collect();
        assert_eq!(keys, ["message", "on"], "{what}: {error}");
        assert!(!error["message"].as_str().unwrap().is_empty(), "{what}");
        assert_time(&error["on"]);
    }
    assert!(
        templates["lastError"]["message"]
            .as_str()
            .unwrap()
            .contains("back-in-stock.txt.hbs"),
        "{templates}"
    );
    assert!(
        automations["errors"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("everyone.yaml"),
        "the rules error keeps its file:line:col detail: {automations}"
    );
}

#[tokio::test]
async fn without_feeds_the_list_is_empty() {
    let app = setup(Backend::sqlite()).spawn().await;
    assert_eq!(feeds(&app).await, json!({"feeds": []}));
}
