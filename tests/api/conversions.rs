//! Conversions: the earliest dated receipt of the notified contact with the notified SKU,
//! within the attribution window after delivery, whatever order receipts arrive in; its
//! revenue kept per currency.

use chrono::{DateTime, Duration, SecondsFormat, Timelike, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::clicks::{delivered, delivered_at, post_receipt, report};
use crate::engine_helpers::shop;
use crate::helpers::{fields, problem, Backend, TestApp};

fn at(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A receipt of `contact` dated `when`, buying `items` (`[sku, grossPaidPrice]`) in SEK.
async fn bought(app: &TestApp, contact: Uuid, when: DateTime<Utc>, items: &[(&str, f64)]) -> Uuid {
    let items: Vec<Value> = items
        .iter()
        .map(|(sku, paid)| json!({"sku": sku, "quantity": 1, "grossPaidPrice": paid}))
        .collect();
    let body =
        json!({"contactId": contact, "createdDate": at(when), "currency": "SEK", "items": items});
    post_receipt(app, body).await["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The notification's conversion: (receipt, revenue in 1/10000, currency).
async fn conversion(
    app: &TestApp,
    notification: Uuid,
) -> Option<(Uuid, Option<i64>, Option<String>)> {
    let found = app.store.conversion(notification).await.unwrap();
    found.map(|c| (c.receipt_id, c.revenue_e4, c.currency))
}

async fn the_earliest_receipt_in_the_window_is_the_conversion(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (anna, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    let bert = app.create_contact("bert@example.com").await;
    let sent = Utc::now() - Duration::days(10);
    delivered_at(&app, notification, sent).await;

    bought(&app, anna, sent - Duration::hours(1), &[("SKU-1", 899.0)]).await;
    assert_eq!(
        conversion(&app, notification).await,
        None,
        "bought before the email"
    );
    bought(&app, anna, sent + Duration::days(8), &[("SKU-1", 899.0)]).await;
    assert_eq!(
        conversion(&app, notification).await,
        None,
        "after the 7-day window"
    );
    bought(&app, anna, sent + Duration::days(3), &[("SKU-2", 199.0)]).await;
    assert_eq!(
        conversion(&app, notification).await,
        None,
        "not the notified SKU"
    );
    bought(&app, bert, sent + Duration::days(3), &[("SKU-1", 899.0)]).await;
    assert_eq!(
        conversion(&app, notification).await,
        None,
        "someone else bought it"
    );

    let second = bought(
        &app,
        anna,
        sent + Duration::days(2),
        &[("SKU-1", 899.0), ("SKU-2", 199.0)],
    )
    .await;
    assert_eq!(
        conversion(&app, notification).await,
        Some((second, Some(8_990_000), Some("SEK".into()))),
        "only the notified SKU's lines are its revenue"
    );
    // Posted late, dated earlier: the first purchase is the conversion.
    let first = bought(
        &app,
        anna,
        sent + Duration::days(1),
        &[("SKU-1", 449.5), ("SKU-1", 449.5)],
    )
    .await;
    assert_eq!(
        conversion(&app, notification).await,
        Some((first, Some(8_990_000), Some("SEK".into())))
    );
    // The same purchase posted again, and a later one: nothing changes.
    bought(
        &app,
        anna,
        sent + Duration::days(1),
        &[("SKU-1", 449.5), ("SKU-1", 449.5)],
    )
    .await;
    bought(&app, anna, sent + Duration::days(4), &[("SKU-1", 899.0)]).await;
    assert_eq!(
        conversion(&app, notification).await,
        Some((first, Some(8_990_000), Some("SEK".into())))
    );
    // The statistics count it once, on the day of the purchase that converted.
    let numbers = report(&app, sent, sent + Duration::days(9)).await;
    assert_eq!(numbers["summary"]["converted"], 1);
    assert_eq!(numbers["summary"]["revenue"], json!({"SEK": "899.00"}));
    let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    for period in numbers["series"].as_array().unwrap() {
        let converted = if period["period"] == day(sent + Duration::days(1)) {
            1
        } else {
            0
        };
        assert_eq!(period["converted"], converted, "{period}");
    }
}

async fn a_receipt_stored_before_the_delivery_was_recorded_converts_it_then(backend: Backend) {
    let app = shop(backend).spawn().await;
    let anna = app.create_contact("anna@example.com").await;
    app.subscribe(anna, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "locale": "sv-SE", "quantity": 3}]))
        .await;
    let notification = app.outbox().await[0].id;
    // Stored while the email waits in the outbox: one dated before it goes (not its
    // conversion), one dated after (a clock ahead, or a receipt posted with the
    // purchase's time before the delivery's outcome is recorded).
    bought(
        &app,
        anna,
        Utc::now() - Duration::minutes(5),
        &[("SKU-1", 899.0)],
    )
    .await;
    let after = bought(
        &app,
        anna,
        Utc::now() + Duration::hours(1),
        &[("SKU-1", 799.0)],
    )
    .await;
    assert_eq!(
        conversion(&app, notification).await,
        None,
        "not delivered yet"
    );

    app.delivery.run_pending().await.unwrap();
    assert_eq!(app.outbox().await[0].status, "delivered");
    assert_eq!(
        conversion(&app, notification).await,
        Some((after, Some(7_990_000), Some("SEK".into())))
    );
    let numbers = report(&app, Utc::now(), Utc::now() + Duration::hours(1)).await;
    assert_eq!(numbers["summary"]["converted"], 1);
    assert_eq!(numbers["summary"]["revenue"], json!({"SEK": "799.00"}));
}

async fn revenue_is_kept_per_currency_and_a_receipt_without_prices_still_converts(
    backend: Backend,
) {
    let app = shop(backend).spawn().await;
    let (anna, to_anna) = delivered(&app, "anna@example.com", "SKU-1").await;
    let (bert, to_bert) = delivered(&app, "bert@example.com", "SKU-2").await;
    let (carl, to_carl) = delivered(&app, "carl@example.com", "SKU-1").await;
    let later = Utc::now() + Duration::hours(1);

    post_receipt(&app, json!({"contactId": anna, "createdDate": at(later), "currency": "SEK", "items": [{"sku": "SKU-1", "grossPaidPrice": 899}]})).await;
    post_receipt(&app, json!({"contactId": bert, "createdDate": at(later), "currency": "EUR", "items": [{"sku": "SKU-2", "grossPaidPrice": 19.95}]})).await;
    post_receipt(
        &app,
        json!({"contactId": carl, "createdDate": at(later), "items": [{"sku": "SKU-1"}]}),
    )
    .await;

    let of = |c: Option<(Uuid, Option<i64>, Option<String>)>| {
        c.map(|(_, revenue, currency)| (revenue, currency))
    };
    assert_eq!(
        of(conversion(&app, to_anna).await),
        Some((Some(8_990_000), Some("SEK".into())))
    );
    assert_eq!(
        of(conversion(&app, to_bert).await),
        Some((Some(199_500), Some("EUR".into())))
    );
    assert_eq!(of(conversion(&app, to_carl).await), Some((None, None)));
    let numbers = report(&app, later, later).await;
    assert_eq!(numbers["summary"]["converted"], 3);
    assert_eq!(
        numbers["summary"]["revenue"],
        json!({"EUR": "19.95", "SEK": "899.00"}),
        "summed per currency, never mixed"
    );
}

async fn money_fields_are_engages_and_bad_ones_are_named(backend: Backend) {
    let app = shop(backend).spawn().await;
    let anna = app.create_contact("anna@example.com").await;
    let body = json!({"contactId": anna, "createdDate": "2026-11-20T10:00:00+01:00", "currency": "SEK",
        "items": [{"sku": "SKU-1", "quantity": 2, "grossPaidPrice": 1798.5}, {"sku": "SKU-2"}]});
    let echoed = post_receipt(&app, body).await;
    assert_eq!(echoed["currency"], "SEK");
    assert_eq!(
        echoed["items"],
        json!([{"sku": "SKU-1", "quantity": 2, "grossPaidPrice": 1798.5}, {"sku": "SKU-2", "quantity": 1}])
    );
    let post = |body: Value| {
        app.request(Method::POST, "/api/v3/receipts")
            .json(&body)
            .send()
    };
    let cases = [
        (
            json!({"contactId": anna, "currency": "sek", "items": [{"sku": "A"}]}),
            vec!["currency"],
        ),
        (
            json!({"contactId": anna, "items": [{"sku": "A", "grossPaidPrice": 10}]}),
            vec!["currency"],
        ),
        (
            json!({"contactId": anna, "currency": "SEK", "items": [{"sku": "A", "grossPaidPrice": -10}, {"sku": "B", "grossPaidPrice": 1.00001}]}),
            vec!["items[0].grossPaidPrice", "items[1].grossPaidPrice"],
        ),
    ];
    for (body, expected) in cases {
        let p = problem(post(body.clone()).await.unwrap(), 400).await;
        assert_eq!(fields(&p), expected, "{body}");
    }
    let unknown = post(json!({"contactId": anna, "currency": "SEK", "totalGrossPrice": 10, "items": [{"sku": "A"}]}))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400, "unknown fields are still refused");
    let wrong_type = post(json!({"contactId": anna, "currency": "SEK", "items": [{"sku": "A", "grossPaidPrice": "10"}]}))
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 400);
}

async fn receipts_posted_at_once_leave_one_conversion_the_earliest(backend: Backend) {
    let app = shop(backend).spawn().await;
    let (anna, notification) = delivered(&app, "anna@example.com", "SKU-1").await;
    let sent = Utc::now() - Duration::days(3);
    delivered_at(&app, notification, sent).await;
    let posts = (1..=6).map(|hours| {
        let body = json!({"contactId": anna, "createdDate": at(sent + Duration::hours(hours)),
            "currency": "SEK", "items": [{"sku": "SKU-1", "grossPaidPrice": hours}]});
        app.request(Method::POST, "/api/v3/receipts")
            .json(&body)
            .send()
    });
    for response in futures::future::join_all(posts).await {
        assert_eq!(response.unwrap().status(), 201);
    }
    let found = app
        .store
        .conversion(notification)
        .await
        .unwrap()
        .expect("converted");
    assert_eq!(
        found.converted_on,
        sent.with_nanosecond(0).unwrap() + Duration::hours(1)
    );
    assert_eq!(found.revenue_e4, Some(10_000));
    let numbers = report(&app, sent, Utc::now()).await;
    assert_eq!(numbers["summary"]["converted"], 1, "{numbers}");
    assert_eq!(numbers["summary"]["revenue"], json!({"SEK": "1.00"}));
}

crate::on_both_backends!(
    receipts_posted_at_once_leave_one_conversion_the_earliest,
    the_earliest_receipt_in_the_window_is_the_conversion,
    a_receipt_stored_before_the_delivery_was_recorded_converts_it_then,
    revenue_is_kept_per_currency_and_a_receipt_without_prices_still_converts,
    money_fields_are_engages_and_bad_ones_are_named,
);
