//! Set-based batch processing: a batch mixing stock levels nobody waits for with levels that
//! have matches (walked, or held back as a whole), interrupted at every kind of moment (its
//! future dropped, as a crash stops it), still notifies every subscription exactly once and
//! settles every stock level exactly once. A restock stored behind a full sync is claimed
//! before it, and the integration log keeps its retention.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::engine_helpers::{notified, shop};
use crate::helpers::{Backend, TestApp};

/// Stock levels in the mixed batch that match nothing.
const NO_MATCH: usize = 3_000;

/// One number from the test's own connection to the database.
async fn scalar(backend: &Backend, sql: &str, batch: Uuid) -> i64 {
    let url = backend.url();
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
        let n = sqlx::query_scalar(sql).bind(batch).fetch_one(&pool).await;
        pool.close().await;
        n.expect("query")
    } else {
        let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
        let n = sqlx::query_scalar(sql).bind(batch).fetch_one(&pool).await;
        pool.close().await;
        n.expect("query")
    }
}

/// The day's counters per metric, summed over their keys.
async fn daily_counts(backend: &Backend) -> std::collections::BTreeMap<String, i64> {
    let url = backend.url();
    let sql = "SELECT metric, CAST(SUM(value) AS BIGINT) FROM daily_stats GROUP BY metric";
    let rows: Vec<(String, i64)> = if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
        let rows = sqlx::query_as(sql).fetch_all(&pool).await;
        pool.close().await;
        rows.expect("query")
    } else {
        let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
        let rows = sqlx::query_as(sql).fetch_all(&pool).await;
        pool.close().await;
        rows.expect("query")
    };
    rows.into_iter().collect()
}

/// Where the batch stands: 0 not settled, 1 settled and fanning out, 2 processed.
async fn stage(backend: &Backend, batch: Uuid) -> i64 {
    scalar(
        backend,
        "SELECT CAST(CASE WHEN processed_on IS NOT NULL THEN 2 WHEN fan_out IS NOT NULL THEN 1 \
         ELSE 0 END AS BIGINT) FROM stock_batches WHERE id = $1",
        batch,
    )
    .await
}

/// Subscriptions of `contacts` to `sku` in `locale`; their ids.
async fn subscribe_all(app: &TestApp, contacts: &[Uuid], sku: &str, locale: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for contact in contacts {
        let s = app.subscribe(*contact, sku, locale, None).await;
        ids.push(s["id"].as_str().expect("id").to_owned());
    }
    ids
}

/// The mixed batch: no-match levels with, among them, SKU-1 (walked, 24 matches), SKU-2
/// twice (the first superseded by the second, 9 matches each, the second walked), and
/// three held back as a whole: SKU-3 without product data, SKU-4 out of stock, SKU-5 in a
/// locale without a feed.
fn mixed_batch() -> Value {
    let mut levels: Vec<Value> = (0..NO_MATCH)
        .map(|n| json!({"sku": format!("FULL-{n}"), "quantity": 7}))
        .collect();
    let special = [
        (10, json!({"sku": "SKU-2", "quantity": 5})),
        (700, json!({"sku": "SKU-1", "quantity": 50})),
        (
            1_400,
            json!({"sku": "SKU-3", "locale": "sv-SE", "quantity": 5}),
        ),
        (2_100, json!({"sku": "SKU-4", "quantity": 0})),
        (
            2_500,
            json!({"sku": "SKU-5", "locale": "de-DE", "quantity": 5}),
        ),
        (2_900, json!({"sku": "SKU-2", "quantity": 4})),
    ];
    for (at, level) in special {
        levels.insert(at, level);
    }
    Value::from(levels)
}

/// Runs the engine with ever longer timeouts, dropping the run each time it is cut off (a
/// crashed worker's transaction never commits) and freeing the batch as its lease running
/// out would; the stages the batch was interrupted in.
async fn run_with_interruptions(app: &TestApp, batch: Uuid) -> Vec<i64> {
    let mut stages = Vec::new();
    let mut wait_ms = 1u64;
    for _ in 0..400 {
        let run =
            tokio::time::timeout(Duration::from_millis(wait_ms), app.engine.run_pending()).await;
        if let Ok(done) = run {
            done.expect("engine");
            if stage(&app.backend, batch).await == 2 {
                return stages;
            }
        } else {
            stages.push(stage(&app.backend, batch).await);
        }
        app.backend.end_abandoned_transactions().await;
        app.store
            .release_stock_batch(batch, app.engine.worker())
            .await
            .expect("release");
        wait_ms += 1 + wait_ms / 8;
    }
    panic!("the batch was not processed; interrupted in stages {stages:?}");
}

async fn killed_during_a_mixed_batch_notifies_each_once_and_settles_every_level(backend: Backend) {
    let app = shop(backend).spawn().await;
    let mut contacts = Vec::new();
    for i in 0..12 {
        contacts.push(app.create_contact(&format!("m{i}@example.com")).await);
    }
    let mut expected = subscribe_all(&app, &contacts, "SKU-1", "sv-SE").await;
    expected.extend(subscribe_all(&app, &contacts, "SKU-1", "pl-PL").await);
    expected.extend(subscribe_all(&app, &contacts[..9], "SKU-2", "sv-SE").await);
    let mut waiting = subscribe_all(&app, &contacts[..3], "SKU-3", "sv-SE").await;
    waiting.extend(subscribe_all(&app, &contacts[..4], "SKU-4", "sv-SE").await);
    waiting.extend(subscribe_all(&app, &contacts[..2], "SKU-5", "de-DE").await);

    let response = app.put_stock_levels(mixed_batch()).await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.expect("json");
    let batch: Uuid = body["batchId"]
        .as_str()
        .expect("batch")
        .parse()
        .expect("id");

    let stages = run_with_interruptions(&app, batch).await;
    eprintln!("interrupted {} times, in stages {stages:?}", stages.len());
    assert!(
        stages.contains(&0) && stages.contains(&1),
        "interrupted both before the settle commit and while fanning out after it: {stages:?}"
    );

    let outbox = app.outbox().await;
    let ids = notified(&outbox);
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "no one notified twice after {} interruptions",
        stages.len()
    );
    let want: HashSet<&String> = expected.iter().collect();
    assert_eq!(unique, want, "every walked match notified");
    let mut left = Vec::new();
    for contact in &contacts {
        left.extend(app.remaining(*contact).await);
    }
    assert_eq!(
        left.iter().collect::<BTreeSet<_>>(),
        waiting.iter().collect::<BTreeSet<_>>(),
        "the held-back ones still wait"
    );

    // Every stock level settled exactly once: one log entry per position.
    let log = app.log("?limit=10000").await;
    let positions: Vec<u64> = log
        .iter()
        .filter(|e| e["batchId"] == batch.to_string())
        .map(|e| e["item"].as_u64().expect("item"))
        .collect();
    let distinct: BTreeSet<u64> = positions.iter().copied().collect();
    assert_eq!(
        positions.len(),
        distinct.len(),
        "a stock level logged twice"
    );
    assert_eq!(
        distinct,
        (0..(NO_MATCH as u64 + 6)).collect::<BTreeSet<_>>()
    );
    let matched: u64 = log
        .iter()
        .map(|e| e["matched"].as_u64().expect("matched"))
        .sum();
    assert_eq!(
        matched,
        24 + 9 + 9 + 3 + 4 + 2,
        "each match counted once: {matched}"
    );

    let sku1 = app.log("?sku=SKU-1").await;
    assert_eq!(sku1.len(), 1);
    assert_eq!(
        (sku1[0]["matched"].as_u64(), sent(&sku1[0])),
        (Some(24), 24)
    );
    let sku2 = app.log("?sku=SKU-2").await;
    assert_eq!(sku2.len(), 2);
    assert_eq!((sku2[0]["matched"].as_u64(), sent(&sku2[0])), (Some(9), 9));
    assert_eq!(sku2[1]["heldBack"], json!({"superseded": 9}));
    for (sku, held) in [
        ("SKU-3", json!({"noProductData": 3})),
        ("SKU-4", json!({"noStock": 4})),
        ("SKU-5", json!({"noFeedForLocale": 2})),
    ] {
        let entries = app.log(&format!("?sku={sku}")).await;
        assert_eq!(entries.len(), 1, "{sku}: {entries:?}");
        assert_eq!(entries[0]["heldBack"], held, "{sku}");
    }
    // Daily statistics count each held-back and triggered subscription once too.
    let counts = daily_counts(&app.backend).await;
    let held: Vec<(&str, i64)> = counts
        .iter()
        .filter(|(m, _)| m.starts_with("held:"))
        .map(|(m, n)| (m.as_str(), *n))
        .collect();
    assert_eq!(
        held,
        [
            ("held:noFeedForLocale", 2),
            ("held:noProductData", 3),
            ("held:noStock", 4),
            ("held:superseded", 9)
        ]
    );
    assert_eq!(counts.get("triggered"), Some(&33));

    let quiet = app.log("?sku=FULL-17").await;
    assert_eq!(quiet.len(), 1, "{quiet:?}");
    assert_eq!(quiet[0]["matched"], 0);
    assert_eq!(quiet[0]["quantity"], 7);
    assert_eq!(quiet[0]["predefinedConditionsPassed"], true);
    assert_eq!(
        quiet[0]["item"], 18,
        "FULL-17 sits after SKU-2 at position 10"
    );
}

fn sent(entry: &Value) -> u64 {
    entry["sent"]
        .as_array()
        .expect("sent")
        .iter()
        .map(|s| s["count"].as_u64().expect("count"))
        .sum()
}

async fn a_restock_behind_a_full_sync_is_claimed_before_it(backend: Backend) {
    let app = shop(backend).spawn().await;
    let contact = app.create_contact("waiting@example.com").await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    let mut sync = Vec::new();
    for call in 0..5 {
        let levels: Vec<Value> = (0..500)
            .map(|n| json!({"sku": format!("SYNC-{call}-{n}"), "quantity": 3}))
            .collect();
        let response = app.put_stock_levels(Value::from(levels)).await;
        assert_eq!(response.status(), 202);
        let body: Value = response.json().await.expect("json");
        sync.push(
            body["batchId"]
                .as_str()
                .expect("batch")
                .parse::<Uuid>()
                .expect("id"),
        );
    }
    let response = app
        .put_stock_levels(json!([{"sku": "SKU-1", "quantity": 2}]))
        .await;
    assert_eq!(response.status(), 202);

    app.engine
        .run_once()
        .await
        .expect("engine")
        .expect("a batch");
    assert_eq!(app.outbox().await.len(), 1, "the restock went first");
    for batch in &sync {
        assert_eq!(stage(&app.backend, *batch).await, 0, "the sync waits");
    }
    assert_eq!(app.engine.run_pending().await.expect("engine"), 5);
    for batch in &sync {
        assert_eq!(stage(&app.backend, *batch).await, 2, "and is settled after");
    }
}

async fn log_rows_past_their_retention_are_purged(backend: Backend) {
    let app = shop(backend)
        .config(|c| c.engine.log_retention_days = 7)
        .spawn()
        .await;
    let contact = app.create_contact("old@example.com").await;
    app.subscribe(contact, "SKU-4", "sv-SE", None).await;
    app.subscribe(contact, "SKU-1", "sv-SE", None).await;
    app.stock(json!([{"sku": "SKU-4", "quantity": 0}, {"sku": "QUIET", "quantity": 1}]))
        .await;
    // That batch, its log rows and the time it was processed, eight days back.
    let old = chrono::Utc::now() - chrono::Duration::days(8);
    age(&app.backend, old).await;
    app.stock(json!([{"sku": "SKU-1", "quantity": 1}])).await;

    app.engine.purge_log_if_due().await;
    assert!(app.log("?sku=SKU-4").await.is_empty(), "older than 7 days");
    assert!(
        app.log("?sku=QUIET").await.is_empty(),
        "settled more than 7 days ago"
    );
    let recent = app.log("?sku=SKU-1").await;
    assert_eq!(recent.len(), 1, "within the retention: {recent:?}");
    assert_eq!(sent(&recent[0]), 1);
}

/// Moves everything logged and processed so far to `when`.
async fn age(backend: &Backend, when: chrono::DateTime<chrono::Utc>) {
    let url = backend.url();
    let statements = [
        "UPDATE integration_log SET logged_on = $1",
        "UPDATE stock_batches SET processed_on = $1 WHERE processed_on IS NOT NULL",
    ];
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
        for sql in statements {
            sqlx::query(sql)
                .bind(when)
                .execute(&pool)
                .await
                .expect("age");
        }
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&url).await.expect("postgres");
        for sql in statements {
            sqlx::query(sql)
                .bind(when)
                .execute(&pool)
                .await
                .expect("age");
        }
        pool.close().await;
    }
}

crate::on_both_backends!(
    killed_during_a_mixed_batch_notifies_each_once_and_settles_every_level,
    a_restock_behind_a_full_sync_is_claimed_before_it,
    log_rows_past_their_retention_are_purged
);
