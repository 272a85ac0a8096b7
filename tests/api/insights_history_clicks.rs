//! A contact's history shows the click and the conversion of a notification, also after
//! the outbox was purged (the click tracking's tables, joined by notification id).

use chrono::{SecondsFormat, Utc};
use reqwest::Method;
use serde_json::json;

use crate::clicks::{delivered, delivered_at, parts, tracked_links, BROWSER};
use crate::engine_helpers::shop;
use crate::helpers::Backend;

async fn the_history_shows_the_click_and_the_conversion(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (anna, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    // Past the prefetch window, so the click is a shopper's.
    delivered_at(
        &app,
        notification,
        Utc::now() - chrono::Duration::minutes(1),
    )
    .await;
    let (text, _) = parts(&app, notification);
    let link = tracked_links(&text).remove(0);
    let path = link.strip_prefix("https://shop.example/restock").unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let click = client
        .get(format!("{}{path}", app.address))
        .header("user-agent", BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), 302);
    let receipt = json!({"contactId": anna, "currency": "SEK",
        "createdDate": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        "items": [{"sku": "SKU-1", "quantity": 1, "grossPaidPrice": 899.0}]});
    let response = app
        .request(Method::POST, "/api/v3/receipts")
        .json(&receipt)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    let purged = app
        .call(Method::DELETE, "/api/v3/outbox?status=delivered")
        .await;
    assert_eq!(purged["purged"], 1);
    let (status, body) = app
        .get_json(&format!("/api/v3/contacts/{anna}/backinstock/history"))
        .await;
    assert_eq!(status, 200);
    let n = &body["data"][0]["notification"];
    assert_eq!(n["id"], notification.to_string());
    assert!(n["clickedOn"].is_string(), "{body}");
    assert_eq!(n["conversion"]["revenue"], "899.00", "{body}");
    assert_eq!(n["conversion"]["currency"], "SEK", "{body}");
}

crate::on_both_backends!(the_history_shows_the_click_and_the_conversion);
