use reqwest::Method;
use serde_json::json;

use crate::helpers::{api_key, problem, spawn_app, Backend};

async fn every_api_call_needs_a_known_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let calls = [
        (Method::POST, "/api/v3/contacts"),
        (
            Method::GET,
            "/api/v3/contacts/00000000-0000-0000-0000-000000000000",
        ),
        (Method::POST, "/api/v3/inventory/backinstock/subscriptions"),
        (Method::PUT, "/api/v3/inventory/stock-levels"),
        (Method::PUT, "/api/v2/inventory/stock-levels/batch"),
        (Method::POST, "/api/v3/receipts"),
    ];
    for (method, path) in calls {
        let url = format!("{}{path}", app.address);
        let none = app
            .client
            .request(method.clone(), &url)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            problem(none, 401).await["errorCode"],
            "Unauthorized",
            "{method} {path}"
        );
        let wrong = app
            .client
            .request(method.clone(), &url)
            .header("apikey", "nope")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401, "{method} {path}");
    }
}

async fn key_headers_engage_clients_use(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = format!("{}/api/v3/contacts", app.address);
    for (n, header) in ["apikey", "apiKey", "APIKEY", "x-api-key", "X-Api-Key"]
        .into_iter()
        .enumerate()
    {
        let email = format!("client{n}@example.com");
        let response = app
            .client
            .post(&url)
            .header(header, api_key())
            .json(&json!({"email": email}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "header {header}");
    }
}

crate::on_both_backends!(
    every_api_call_needs_a_known_key,
    key_headers_engage_clients_use
);
