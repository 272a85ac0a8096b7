//! The webhook action against a real HTTP endpoint that fails, then succeeds.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use reqwest::Method;
use restock::plugins::webhook::{sign, SIGNATURE_HEADER};
use serde_json::{json, Value};

use crate::engine_helpers::shop;
use crate::helpers::{Backend, TestApp};

/// What the endpoint received: headers and body of each request.
type Received = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// An endpoint answering `answers` in turn (the last one from then on).
async fn endpoint(answers: Vec<StatusCode>) -> (String, Received) {
    let received: Received = Arc::default();
    let log = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let log = log.clone();
            let answers = answers.clone();
            async move {
                let mut log = log.lock().unwrap();
                log.push((headers, body.to_vec()));
                answers[(log.len() - 1).min(answers.len() - 1)]
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

async fn app_with_webhook(backend: Backend, url: &str) -> TestApp {
    let rule = format!("id: everyone\nsplit:\n  by: locale\n  branches:\n    default:\n      - webhook: {{url: '{url}'}}\n");
    shop(backend)
        .rule("everyone.yaml", &rule)
        .config(|c| {
            c.delivery.retry_schedule = vec![Duration::ZERO; 3];
            c.webhook.secret = Some(restock::config::Secret::new("webhook-test-secret"));
        })
        .spawn()
        .await
}

async fn outbox_status(app: &TestApp) -> Value {
    let response = app
        .request(Method::GET, "/api/v3/outbox")
        .send()
        .await
        .unwrap();
    response.json::<Value>().await.unwrap()["data"][0].clone()
}

async fn a_failing_endpoint_is_retried_until_it_accepts(backend: Backend) {
    let (url, received) = endpoint(vec![
        StatusCode::SERVICE_UNAVAILABLE,
        StatusCode::SERVICE_UNAVAILABLE,
        StatusCode::OK,
    ])
    .await;
    let app = app_with_webhook(backend, &url).await;
    let contact = app.create_contact("anna@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 2}])).await;
    app.delivery.run_pending().await.unwrap();

    let entry = outbox_status(&app).await;
    assert_eq!(entry["status"], "delivered");
    assert_eq!(entry["attempts"], 3);
    let requests = received.lock().unwrap().clone();
    assert_eq!(requests.len(), 3, "two 503s, then the 200");
    for (headers, body) in &requests {
        assert_eq!(
            headers["x-restock-notification"],
            entry["id"].as_str().unwrap(),
            "the same id on every try"
        );
        let signature = headers[SIGNATURE_HEADER].to_str().unwrap();
        let (t, v1) = signature.split_once(",v1=").unwrap();
        let t: i64 = t.trim_start_matches("t=").parse().unwrap();
        assert_eq!(
            v1,
            sign(b"webhook-test-secret", t, body),
            "the body is signed"
        );
    }
    let payload: Value = serde_json::from_slice(&requests[2].1).unwrap();
    assert_eq!(payload["type"], "backInStock");
    assert_eq!(payload["automation"], "everyone");
    assert_eq!(payload["data"]["product"]["name"], "Kånken");
    assert_eq!(payload["data"]["contact"]["email"], "anna@example.com");
    assert_eq!(payload["data"]["quantity"], 2);
    assert!(payload["data"]["unsubscribeUrl"]
        .as_str()
        .unwrap()
        .contains("/unsubscribe/"));
}

async fn a_refusing_endpoint_is_a_dead_letter(backend: Backend) {
    let (url, received) = endpoint(vec![StatusCode::NOT_FOUND]).await;
    let app = app_with_webhook(backend, &url).await;
    let contact = app.create_contact("anna@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 2}])).await;
    app.delivery.run_pending().await.unwrap();
    let entry = outbox_status(&app).await;
    assert_eq!(entry["status"], "dead");
    assert_eq!(
        entry["lastError"],
        "webhook: the endpoint answered 404 Not Found"
    );
    assert_eq!(received.lock().unwrap().len(), 1, "a 404 is not retried");
}

crate::on_both_backends!(
    a_failing_endpoint_is_retried_until_it_accepts,
    a_refusing_endpoint_is_a_dead_letter
);
