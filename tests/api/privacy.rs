//! A contact's export holds every kind of row stored about them, and their erasure leaves
//! no trace of their address or id in any table of the database (every table, every
//! column, searched), on both backends, while the statistics keep their counts.

use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::clicks::clicked_and_bought;
use crate::helpers::{Backend, TestApp};
use crate::storefront::{confirm_link, local, mail_to, sign_up, storefront};

const ADDRESS: &str = "Privacy.Person@example.com";

/// Tables (with where) any column holds `needle` (lower-cased) or `id`: every table of the
/// database, every column read as text (and ids' bytes as hex on SQLite).
async fn traces(app: &TestApp, needle: &str, id: Uuid) -> Vec<String> {
    let needle = needle.to_lowercase();
    let mut found = Vec::new();
    match &app.backend {
        Backend::Sqlite(_) => {
            let pool = sqlx::SqlitePool::connect(&app.backend.url()).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            let hex = id.simple().to_string().to_uppercase();
            for table in tables {
                let columns: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                let test = columns
                    .iter()
                    .map(|c| {
                        format!(
                            "instr(lower(CAST(\"{c}\" AS TEXT)), $1) > 0 OR instr(hex(\"{c}\"), $2) > 0 \
                             OR instr(lower(CAST(\"{c}\" AS TEXT)), $3) > 0"
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" OR ");
                let n: i64 =
                    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\" WHERE {test}"))
                        .bind(&needle)
                        .bind(&hex)
                        .bind(id.to_string())
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                if n > 0 {
                    found.push(format!("{table}: {n}"));
                }
            }
        }
        Backend::Postgres(_) => {
            let pool = sqlx::PgPool::connect(&app.backend.url()).await.unwrap();
            let columns: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            let mut tables: Vec<&str> = columns.iter().map(|(t, _)| t.as_str()).collect();
            tables.dedup();
            for table in tables {
                let test = columns
                    .iter()
                    .filter(|(t, _)| t == table)
                    .map(|(_, c)| {
                        format!("position($1 in lower(\"{c}\"::text)) > 0 OR position($2 in lower(\"{c}\"::text)) > 0")
                    })
                    .collect::<Vec<_>>()
                    .join(" OR ");
                let n: i64 =
                    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\" WHERE {test}"))
                        .bind(&needle)
                        .bind(id.to_string())
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                if n > 0 {
                    found.push(format!("{table}: {n}"));
                }
            }
        }
    }
    found
}

async fn get_export(app: &TestApp, contact: Uuid) -> reqwest::Response {
    app.request(Method::GET, &format!("/api/v3/contacts/{contact}/export"))
        .send()
        .await
        .unwrap()
}

async fn the_export_holds_everything_and_erasure_leaves_no_trace(backend: Backend) {
    let app = storefront(backend).await;
    // A storefront sign-up, confirmed: the contact, a consent, a waiting subscription.
    assert_eq!(sign_up(&app, ADDRESS, "SKU-2").await.0, 202);
    app.confirmations.run_pending().await.unwrap();
    let link = local(&app, &confirm_link(&mail_to(&app, ADDRESS)[0]));
    assert_eq!(app.client.post(&link).send().await.unwrap().status(), 200);
    // One more sign-up, left unconfirmed.
    assert_eq!(sign_up(&app, ADDRESS, "SKU-9").await.0, 202);
    let address = restock::domain::EmailAddress::parse(ADDRESS).unwrap();
    let contact = app
        .store
        .contact_by_email(&address)
        .await
        .unwrap()
        .unwrap()
        .id;
    // Over the API: a subscription notified, clicked and bought from; one deleted.
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-1", "locale": "sv-SE", "quantity": 3}]))
        .await;
    app.delivery.run_pending().await.unwrap();
    let notification = app
        .outbox()
        .await
        .into_iter()
        .find(|n| n.contact == contact)
        .unwrap()
        .id;
    clicked_and_bought(&app, contact, notification).await;
    let gone = app.subscribe(contact, "SKU-1", "pl-PL", None).await;
    let gone = gone["id"].as_str().unwrap();
    let deleted = app
        .request(
            Method::DELETE,
            &format!("/api/v3/inventory/backinstock/subscriptions/{gone}"),
        )
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());

    let response = get_export(&app, contact).await;
    assert_eq!(response.status(), 200);
    let export: Value = response.json().await.unwrap();
    assert_eq!(
        export["contact"]["attributes"]["email"], ADDRESS,
        "{export}"
    );
    let skus = |key: &str| -> Vec<String> {
        export[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["sku"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(skus("subscriptions"), ["SKU-2"], "{export}");
    assert_eq!(skus("pendingSubscriptions"), ["SKU-9"], "{export}");
    assert_eq!(skus("consents"), ["SKU-2"], "{export}");
    assert_eq!(export["consents"][0]["method"], "double_opt_in");
    assert_eq!(skus("notifications"), ["SKU-1"], "{export}");
    assert!(
        export["notifications"][0]["clickedOn"].is_string(),
        "{export}"
    );
    assert_eq!(
        export["receipts"][0]["items"][0]["sku"], "SKU-1",
        "{export}"
    );
    let statuses: Vec<&str> = export["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    for status in ["waiting", "triggered", "deleted"] {
        assert!(statuses.contains(&status), "{status} in {statuses:?}");
    }
    assert!(
        !traces(&app, ADDRESS, contact).await.is_empty(),
        "the search finds the data"
    );
    let before = app.store.stats_zone().today();
    let counted = app
        .store
        .daily_stats(before, before, None, None)
        .await
        .unwrap();

    let erased = app
        .request(Method::POST, &format!("/api/v3/contacts/{contact}/erase"))
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200);
    let removed: Value = erased.json().await.unwrap();
    for kind in [
        "contacts",
        "subscriptions",
        "pendingSubscriptions",
        "consents",
        "notifications",
        "history",
        "receipts",
        "clicks",
        "conversions",
    ] {
        assert!(
            removed["removed"][kind].as_u64().unwrap() >= 1,
            "{kind}: {removed}"
        );
    }
    assert_eq!(traces(&app, ADDRESS, contact).await, Vec::<String>::new());
    assert_eq!(get_export(&app, contact).await.status(), 404);
    let again = app
        .request(Method::POST, &format!("/api/v3/contacts/{contact}/erase"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    let after = app
        .store
        .daily_stats(before, before, None, None)
        .await
        .unwrap();
    let total = |rows: &[restock::store::stats::StatRow], metric: &str| -> i64 {
        rows.iter()
            .filter(|r| r.metric == metric)
            .map(|r| r.value)
            .sum()
    };
    for metric in [
        "subscribed",
        "signed_up",
        "confirmed",
        "delivered",
        "clicked",
        "converted",
    ] {
        assert_eq!(
            total(&after, metric),
            total(&counted, metric),
            "{metric} keeps its count"
        );
    }
}

crate::on_both_backends!(the_export_holds_everything_and_erasure_leaves_no_trace);
