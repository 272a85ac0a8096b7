//! Fan-out: one stock level matching N subscriptions, from the stored batch to every
//! notification in the outbox, beside a bare SQL delete-and-insert of the same rows.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use sqlx::sqlite::SqlitePool;

use super::data::{bench_config, generate, write_fixture, SKU};
use super::memory;
use crate::domain::{Quantity, Sku};
use crate::startup::build_engine;
use crate::store::{self, StockKey, StockLevel};

#[derive(Args, Debug)]
pub struct FanoutArgs {
    /// Subscriptions waiting for the SKU (one contact each).
    #[arg(long, default_value_t = 1_000_000)]
    subscriptions: u64,
    /// Subscriptions decided and committed per transaction.
    #[arg(long, default_value_t = 2_000)]
    chunk_size: usize,
    /// Where to put the generated databases (default: a temporary directory).
    #[arg(long)]
    dir: Option<std::path::PathBuf>,
}

pub async fn fanout(args: &FanoutArgs) -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    write_fixture(&dir)?;
    let engine_db = dir.join("fanout.db");
    let baseline_db = dir.join("baseline.db");
    println!("generating {} subscriptions…", args.subscriptions);
    let started = Instant::now();
    generate(&engine_db, args.subscriptions).await?;
    std::fs::copy(&engine_db, &baseline_db).context("copying the database for the baseline")?;
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());

    let (baseline_delete, baseline_move) = baseline(&baseline_db).await?;
    let config = bench_config(&dir, &engine_db, args.chunk_size)?;
    let store = store::connect(config.database_url.expose(), 4).await?;
    let engine = build_engine(&config, store.clone())?;
    let level = StockLevel {
        key: StockKey {
            sku: Sku::parse(SKU)?,
            locale: None,
            external_id: None,
        },
        quantity: Quantity::new(100)?,
    };
    memory::reset_peak();
    let started = Instant::now();
    store
        .store_stock_levels(std::slice::from_ref(&level))
        .await?;
    let processed = engine.run_pending().await?;
    let took = started.elapsed();
    let peak = memory::peak_mib();
    let notified = count(&engine_db, "SELECT COUNT(*) FROM notifications").await?;
    let left = count(&engine_db, "SELECT COUNT(*) FROM subscriptions").await?;
    anyhow::ensure!(
        processed == 1 && left == 0,
        "expected every subscription consumed, {left} left"
    );
    report(args, took, peak, notified, baseline_delete, baseline_move);
    Ok(())
}

fn report(
    args: &FanoutArgs,
    took: Duration,
    peak: Option<f64>,
    notified: u64,
    delete: Duration,
    moved: Duration,
) {
    let secs = took.as_secs_f64();
    println!(
        "fan-out of one stock level to {} subscriptions on SQLite (chunk {}):",
        args.subscriptions, args.chunk_size
    );
    println!(
        "  engine:   {secs:.2} s, {:.0} notifications/s, {notified} in the outbox",
        notified as f64 / secs
    );
    match peak {
        Some(mib) => println!("  peak RSS during the fan-out: {mib:.0} MiB"),
        None => println!("  peak RSS: not available on this platform"),
    }
    println!(
        "  baseline, bare DELETE … RETURNING of the same rows: {:.2} s",
        delete.as_secs_f64()
    );
    println!(
        "  baseline, bare INSERT … SELECT into the outbox + DELETE in one transaction: {:.2} s",
        moved.as_secs_f64()
    );
    println!(
        "  engine / delete-and-insert baseline: {:.2}x",
        secs / moved.as_secs_f64()
    );
}

/// The limit: the same rows deleted (and moved) by bare SQL on a copy of the database.
async fn baseline(db: &Path) -> anyhow::Result<(Duration, Duration)> {
    let pool = SqlitePool::connect(&format!("sqlite://{}", db.display())).await?;
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&pool)
        .await?;
    sqlx::query("PRAGMA synchronous = NORMAL")
        .execute(&pool)
        .await?;
    let mut tx = pool.begin().await?;
    let started = Instant::now();
    let rows: Vec<(Vec<u8>, Vec<u8>, String)> =
        sqlx::query_as("DELETE FROM subscriptions WHERE sku = $1 RETURNING id, contact_id, locale")
            .bind(SKU)
            .fetch_all(&mut *tx)
            .await?;
    let delete = started.elapsed();
    anyhow::ensure!(!rows.is_empty(), "the baseline found nothing to delete");
    tx.rollback().await?;
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO product_snapshots (id, sku, locale, quantity, data, created_on) VALUES (x'00', $1, 'sv-SE', 100, '{}', '')")
        .bind(SKU)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO notification_routes (id, automation_id, branch, actions) VALUES (x'00', 'bench', 'default', '[]')")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO notifications (id, batch_id, subscription_id, contact_id, locale, external_id, subscribed_on, \
         route_id, product_id) \
         SELECT id, x'00', id, contact_id, locale, external_id, created_on, x'00', x'00' FROM subscriptions WHERE sku = $1",
    )
    .bind(SKU)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM subscriptions WHERE sku = $1")
        .bind(SKU)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((delete, started.elapsed()))
}

async fn count(db: &Path, sql: &str) -> anyhow::Result<u64> {
    let pool = SqlitePool::connect(&format!("sqlite://{}", db.display())).await?;
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await?;
    Ok(u64::try_from(n)?)
}
