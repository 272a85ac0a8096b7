//! Many writes at once, as SQLite's group commit sees them: each lands exactly once and
//! each caller gets its own answer, whatever else shared its commit.

use std::collections::HashMap;

use futures::future::join_all;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{spawn_app, Backend, TestApp};

async fn contacts(app: &TestApp, n: usize) -> Vec<Uuid> {
    join_all((0..n).map(|i| async move { app.create_contact(&format!("c{i}@example.com")).await }))
        .await
}

/// 200 concurrent subscribes, 50 distinct subscriptions asked for 4 times each: one 201 per
/// subscription, the other three answered 200 with the same subscription, 50 rows.
async fn concurrent_subscribes_with_duplicates_land_once_each(backend: Backend) {
    let app = spawn_app(backend).await;
    let contacts = contacts(&app, 5).await;
    let bodies: Vec<Value> = (0..4)
        .flat_map(|_| 0..50)
        .map(
            |i| json!({"contactId": contacts[i % 5], "sku": format!("SKU-{i}"), "locale": "sv-SE"}),
        )
        .collect();

    let answers = join_all(bodies.iter().map(|body| async {
        let response = app.post_subscription(body.clone()).await;
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.expect("json"))
    }))
    .await;

    let mut per_sku: HashMap<String, Vec<(u16, Value)>> = HashMap::new();
    for (status, body) in answers {
        let sku = body["sku"]
            .as_str()
            .unwrap_or_else(|| panic!("{status} {body}"));
        per_sku
            .entry(sku.to_owned())
            .or_default()
            .push((status, body));
    }
    assert_eq!(per_sku.len(), 50);
    for (sku, answers) in &per_sku {
        let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{sku}: {statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            3,
            "{sku}: {statuses:?}"
        );
        assert!(
            answers.iter().all(|(_, body)| body == &answers[0].1),
            "{sku}: {answers:?}"
        );
    }
    for contact in contacts {
        assert_eq!(app.subscriptions_of(contact).await.len(), 10);
    }
}

/// Writes that fail (an unknown contact, a taken email) among writes that succeed, all at
/// once: each failure gets its own 404 or 409 and changes nothing; every success lands.
async fn failing_writes_do_not_fail_their_neighbours(backend: Backend) {
    let app = spawn_app(backend).await;
    let contact = app.create_contact("anna@example.com").await;
    let unknown = Uuid::now_v7();

    let calls = (0..60).map(|i| {
        let app = &app;
        async move {
            let response = match i % 3 {
                0 => {
                    let body =
                        json!({"contactId": contact, "sku": format!("SKU-{i}"), "locale": "sv-SE"});
                    app.post_subscription(body).await
                }
                1 => {
                    let body =
                        json!({"contactId": unknown, "sku": format!("SKU-{i}"), "locale": "sv-SE"});
                    app.post_subscription(body).await
                }
                _ => app.post_contact(json!({"email": "ANNA@example.com"})).await,
            };
            (i, response.status().as_u16())
        }
    });
    for (i, status) in join_all(calls).await {
        let expected = [201, 404, 409][i % 3];
        assert_eq!(status, expected, "call {i}");
    }
    let skus: Vec<Value> = app
        .subscriptions_of(contact)
        .await
        .iter()
        .map(|s| s["sku"].clone())
        .collect();
    let expected: Vec<Value> = (0..60)
        .step_by(3)
        .map(|i| json!(format!("SKU-{i}")))
        .collect();
    let mut skus = skus;
    skus.sort_by_key(|s| s.as_str().and_then(|s| s[4..].parse::<u32>().ok()));
    assert_eq!(skus, expected);
    let unknown = app.get_subscriptions(&unknown.to_string()).await;
    assert_eq!(unknown.status(), 404);
}

crate::on_both_backends!(
    concurrent_subscribes_with_duplicates_land_once_each,
    failing_writes_do_not_fail_their_neighbours,
);
