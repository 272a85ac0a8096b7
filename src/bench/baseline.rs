//! The limit a fan-out is measured against: the same rows deleted, and moved into the
//! outbox, by bare SQL on a copy of the database — what the engine's work costs in the
//! database alone, with no matching, rules or chunking.

use std::time::{Duration, Instant};

use super::db::{BenchDb, Pool};

/// How long bare SQL takes over the rows of `skus` (an `IN (…)` list).
pub struct Baseline {
    /// `DELETE … RETURNING` of the rows, rolled back.
    pub delete: Duration,
    /// `INSERT … SELECT` of the rows into the outbox and `DELETE` of them, one transaction.
    pub moved: Duration,
}

pub async fn measure(db: &BenchDb, skus: &str) -> anyhow::Result<Baseline> {
    let pool = db.pool(1).await?;
    let result = match &pool {
        Pool::Sqlite(pool) => sqlite(pool, skus).await,
        Pool::Postgres(pool) => postgres(pool, skus).await,
    };
    pool.close().await;
    result
}

/// `DELETE … RETURNING` of the rows of `skus`, each returned row decoded as `R` and
/// counted, one at a time as the engine reads its chunks. Not collected: ten million rows
/// held at once would take gigabytes that glibc keeps after they are freed, and the
/// engine's peak RSS, read after the baseline, would count them (the 976 MiB "peak" of
/// an earlier 10,000,000 run).
async fn returned<'c, DB, R>(
    conn: impl sqlx::Executor<'c, Database = DB>,
    skus: &str,
) -> anyhow::Result<u64>
where
    DB: sqlx::Database,
    R: for<'r> sqlx::FromRow<'r, DB::Row> + Send + Unpin,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    use futures::TryStreamExt;
    let sql =
        format!("DELETE FROM subscriptions WHERE sku IN {skus} RETURNING id, contact_id, locale");
    let count = sqlx::query_as::<DB, R>(&sql)
        .fetch(conn)
        .try_fold(0u64, |n, _row| async move { Ok(n + 1) })
        .await?;
    Ok(count)
}

async fn sqlite(pool: &sqlx::SqlitePool, skus: &str) -> anyhow::Result<Baseline> {
    // As the store opens it, except synchronous NORMAL: the baseline gets the cheaper
    // setting, so the ratio never flatters the engine.
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(pool)
        .await?;
    sqlx::query("PRAGMA synchronous = NORMAL")
        .execute(pool)
        .await?;
    let mut tx = pool.begin().await?;
    let started = Instant::now();
    let rows = returned::<_, (Vec<u8>, Vec<u8>, String)>(&mut *tx, skus).await?;
    let delete = started.elapsed();
    anyhow::ensure!(rows > 0, "the baseline found nothing to delete");
    tx.rollback().await?;
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO product_snapshots (id, sku, locale, quantity, data, created_on) VALUES (x'00', 'BENCH', 'sv-SE', 100, '{}', '')")
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO notification_routes (id, automation_id, branch, actions) VALUES (x'00', 'bench', 'default', '[]')")
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!(
        "INSERT INTO notifications (id, batch_id, subscription_id, contact_id, locale, external_id, subscribed_on, \
         route_id, product_id) \
         SELECT id, x'00', id, contact_id, locale, external_id, created_on, x'00', x'00' FROM subscriptions WHERE sku IN {skus}"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!("DELETE FROM subscriptions WHERE sku IN {skus}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Baseline {
        delete,
        moved: started.elapsed(),
    })
}

async fn postgres(pool: &sqlx::PgPool, skus: &str) -> anyhow::Result<Baseline> {
    const ZERO: &str = "'00000000-0000-0000-0000-000000000000'::uuid";
    let mut tx = pool.begin().await?;
    let started = Instant::now();
    let rows = returned::<_, (uuid::Uuid, uuid::Uuid, String)>(&mut *tx, skus).await?;
    let delete = started.elapsed();
    anyhow::ensure!(rows > 0, "the baseline found nothing to delete");
    tx.rollback().await?;
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query(&format!("INSERT INTO product_snapshots (id, sku, locale, quantity, data, created_on) VALUES ({ZERO}, 'BENCH', 'sv-SE', 100, '{{}}', now())"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("INSERT INTO notification_routes (id, automation_id, branch, actions) VALUES ({ZERO}, 'bench', 'default', '[]')"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!(
        "INSERT INTO notifications (id, batch_id, subscription_id, contact_id, locale, external_id, subscribed_on, \
         route_id, product_id) \
         SELECT id, {ZERO}, id, contact_id, locale, external_id, created_on, {ZERO}, {ZERO} FROM subscriptions WHERE sku IN {skus}"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!("DELETE FROM subscriptions WHERE sku IN {skus}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Baseline {
        delete,
        moved: started.elapsed(),
    })
}
