//! Per-key rate limiting: a key over its budget gets 429 with `Retry-After` in the usual
//! problem+json, other keys and the unauthenticated pages are unaffected, and the key
//! works again once it has waited.
//!
//! The limit is 1 request/s with a burst of 5, so "more than the burst in a row" happens
//! within the first second even on a loaded machine; nothing asserts on timing beyond
//! waiting at least what `Retry-After` says.

use std::time::Duration;

use reqwest::Method;
use restock::config::{RateLimitConfig, Secret};

use crate::helpers::{api_key, problem, setup, Backend, TestApp};

const OTHER_KEY: &str = "test-key-2";

async fn limited_app() -> TestApp {
    setup(Backend::sqlite())
        .config(|config| {
            config.api_keys = vec![Secret::new(api_key()), Secret::new(OTHER_KEY)];
            config.rate_limit = RateLimitConfig {
                enabled: true,
                requests_per_second: 1,
                burst: 5,
                ..Default::default()
            };
        })
        .spawn()
        .await
}

async fn get(app: &TestApp, key: &str) -> reqwest::Response {
    app.client
        .request(Method::GET, format!("{}/api/v3/automations", app.address))
        .header("apikey", key)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_burst_beyond_the_limit_gets_429_until_the_key_has_waited() {
    let app = limited_app().await;
    let mut allowed = 0;
    let refused = loop {
        let response = get(&app, api_key()).await;
        if response.status() == 429 {
            break response;
        }
        assert_eq!(response.status(), 200);
        allowed += 1;
        assert!(allowed < 60, "never limited");
    };
    assert!(allowed >= 5, "the burst of 5 is allowed, got {allowed}");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is whole seconds");
    assert!(retry_after >= 1, "{retry_after}");
    let body = problem(refused, 429).await;
    assert_eq!(body["errorCode"], "TooManyRequests");
    assert_eq!(body["status"], 429);

    assert_eq!(
        get(&app, OTHER_KEY).await.status(),
        200,
        "keys are limited apart"
    );
    for path in ["/health", "/metrics"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path} is not limited");
    }
    let unknown = get(&app, "not-a-key").await;
    assert_eq!(problem(unknown, 401).await["errorCode"], "Unauthorized");

    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    assert_eq!(
        get(&app, api_key()).await.status(),
        200,
        "refilled after waiting"
    );
}

#[tokio::test]
async fn disabled_means_unlimited() {
    let app = setup(Backend::sqlite())
        .config(|config| {
            config.rate_limit = RateLimitConfig {
                enabled: false,
                requests_per_second: 1,
                burst: 1,
                ..Default::default()
            };
        })
        .spawn()
        .await;
    for _ in 0..20 {
        assert_eq!(get(&app, api_key()).await.status(), 200);
    }
}
