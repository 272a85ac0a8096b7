//! A contact's history shows the click and the conversion of a notification, also after
//! the outbox was purged (the click tracking's tables, joined by notification id).

use reqwest::Method;

use crate::clicks::{clicked_and_bought, delivered};
use crate::engine_helpers::shop;
use crate::helpers::Backend;

async fn the_history_shows_the_click_and_the_conversion(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (anna, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    clicked_and_bought(&app, anna, notification).await;

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
