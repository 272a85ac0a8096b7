//! The published API contract: `GET /api/v3/openapi.json` is an OpenAPI 3.1 document with
//! the `apikey` scheme, it lists every `/api/v3` route, and every operation it lists is one
//! the server routes (schemathesis, in `.ci/schemathesis`, checks the answers themselves).

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{spawn_app, Backend, TestApp};

/// Every route the router serves under `/api/v3` (as `src/api/routes.rs` registers them).
const SERVED: &[(&str, &str)] = &[
    ("post", "/api/v3/contacts"),
    ("get", "/api/v3/contacts/{id}"),
    ("patch", "/api/v3/contacts/{id}"),
    ("delete", "/api/v3/contacts/{id}"),
    ("get", "/api/v3/contacts/{id}/backinstock/subscriptions"),
    ("post", "/api/v3/inventory/backinstock/subscriptions"),
    ("delete", "/api/v3/inventory/backinstock/subscriptions/{id}"),
    ("put", "/api/v3/inventory/stock-levels"),
    ("post", "/api/v3/receipts"),
    ("get", "/api/v3/automations"),
    ("post", "/api/v3/automations/dry-run"),
    ("get", "/api/v3/feeds"),
    ("get", "/api/v3/integration-log"),
    ("get", "/api/v3/inventory/backinstock/demand"),
    ("get", "/api/v3/reports/back-in-stock"),
    ("get", "/api/v3/contacts/{id}/backinstock/history"),
    ("get", "/api/v3/products/{locale}/{sku}"),
    ("get", "/api/v3/outbox"),
    ("delete", "/api/v3/outbox"),
    ("post", "/api/v3/outbox/retry"),
    ("get", "/api/v3/status"),
    ("get", "/api/v3/templates"),
    ("post", "/api/v3/templates/{name}/preview"),
    ("get", "/api/v3/openapi.json"),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

async fn document(app: &TestApp) -> Value {
    let response = app
        .client
        .get(format!("{}/api/v3/openapi.json", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200, "the document needs no API key");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/json");
    response.json().await.expect("the document is JSON")
}

/// `(method, path)` of every operation in the document.
fn operations(doc: &Value) -> Vec<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(move |m| (m.to_string(), path.clone()))
        })
        .collect()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_with_the_apikey_scheme() {
    let app = spawn_app(Backend::sqlite()).await;
    let doc = document(&app).await;
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1."), "{version}");
    assert_eq!(
        doc["components"]["securitySchemes"]["apikey"],
        serde_json::json!({"type": "apiKey", "in": "header", "name": "apikey"})
    );
    let codes = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("errorCode is an enum");
    for code in [
        "ValidationFailed",
        "ContactNotFound",
        "Unauthorized",
        "TooManyRequests",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} missing: {codes:?}");
    }
    // A call with a key documents the 401 it answers without one, as problem+json.
    let get_contact = &doc["paths"]["/api/v3/contacts/{id}"]["get"];
    assert_eq!(get_contact["security"], serde_json::json!([{"apikey": []}]));
    assert!(get_contact["responses"]["401"]["content"]["application/problem+json"].is_object());
    assert_eq!(
        doc["paths"]["/api/v3/openapi.json"]["get"]["security"],
        serde_json::json!([]),
        "the document itself is public"
    );
}

#[tokio::test]
async fn every_served_route_is_documented() {
    let app = spawn_app(Backend::sqlite()).await;
    let documented = operations(&document(&app).await);
    let missing: Vec<_> = SERVED
        .iter()
        .filter(|(m, p)| !documented.iter().any(|(dm, dp)| dm == m && dp == p))
        .collect();
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
}

/// The other way round: no operation in the document falls through to the router's
/// 404 `NotFound` or 405 `MethodNotAllowed`.
#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn_app(Backend::sqlite()).await;
    let documented = operations(&document(&app).await);
    assert!(documented.len() >= SERVED.len(), "{documented:?}");
    for (method, path) in documented {
        let url = path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{locale}", "sv-SE")
            .replace("{sku}", "NO-SUCH-SKU")
            .replace("{name}", "back-in-stock");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .request(method.clone(), &url)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(
            !matches!(
                body["errorCode"].as_str(),
                Some("NotFound" | "MethodNotAllowed")
            ),
            "{method} {url} is documented but not routed: {status} {body}"
        );
    }
}
