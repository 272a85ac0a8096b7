//! Generating a dataset by SQL in the database itself: fast (a million subscriptions in
//! seconds), and no engine code involved in making the data the engine is measured on.
//!
//! Contact and subscription `i` get time-ordered ids built from `i`. Subscriptions are
//! spread over SKUs by [`Dataset::sku_counts`], interleaved in time (subscription `i`
//! takes the SKU whose range holds `(i - 1) * SPREAD mod n`, a permutation since SPREAD
//! is a prime above any `n`), and over locales round robin.

use std::time::Instant;

use anyhow::Context;

use super::data::Dataset;
use super::db::{BenchDb, Pool};
use crate::cli::progress;
use crate::store;

/// Rows per statement: small enough to show progress, large enough to cost nothing.
const CHUNK: u64 = 100_000;
/// A prime above 1,000,000,000 (the most subscriptions a dataset may have).
const SPREAD: i64 = 2_654_435_761;

/// Creates the schema and the dataset in an empty database; seconds taken.
pub async fn generate(db: &BenchDb, data: &Dataset) -> anyhow::Result<f64> {
    let started = Instant::now();
    // Migrations, through the store as the engine will open it.
    store::connect(&db.url()?, 1).await?;
    let pool = db.pool(1).await?;
    let existing = pool.count("SELECT COUNT(*) FROM contacts").await?;
    anyhow::ensure!(
        existing == 0,
        "the database already holds {existing} contacts"
    );
    let bar = progress::bar(data.subscriptions(), "generating subscriptions");
    match &pool {
        Pool::Sqlite(pool) => sqlite(pool, data, &bar).await?,
        Pool::Postgres(pool) => postgres(pool, data, &bar).await?,
    }
    bar.finish_and_clear();
    pool.close().await;
    Ok(started.elapsed().as_secs_f64())
}

/// Each SKU's range of the permuted index, without the SKUs that get no subscriber.
fn ranges(data: &Dataset) -> Vec<(String, i64)> {
    let mut lo = 0i64;
    let mut out = Vec::new();
    for (rank, count) in (1..).zip(data.sku_counts()) {
        if count > 0 {
            out.push((Dataset::sku(rank), lo));
            lo += count as i64;
        }
    }
    out
}

fn chunks(n: u64) -> impl Iterator<Item = (i64, i64)> {
    (0..n.div_ceil(CHUNK)).map(move |c| {
        let lo = c * CHUNK + 1;
        (lo as i64, (lo + CHUNK - 1).min(n) as i64)
    })
}

async fn sqlite(
    pool: &sqlx::SqlitePool,
    data: &Dataset,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
    let n = i64::try_from(data.subscriptions())?;
    let mut tx = pool.begin().await?;
    sqlx::query("CREATE TEMP TABLE bench_skus (lo INTEGER PRIMARY KEY, sku TEXT NOT NULL)")
        .execute(&mut *tx)
        .await?;
    sqlx::query("CREATE TEMP TABLE bench_locales (pos INTEGER PRIMARY KEY, locale TEXT NOT NULL)")
        .execute(&mut *tx)
        .await?;
    for (sku, lo) in ranges(data) {
        sqlx::query("INSERT INTO bench_skus (lo, sku) VALUES ($1, $2)")
            .bind(lo)
            .bind(sku)
            .execute(&mut *tx)
            .await?;
    }
    let locales: Vec<&str> = data.locales().collect();
    for (pos, locale) in locales.iter().enumerate() {
        sqlx::query("INSERT INTO bench_locales (pos, locale) VALUES ($1, $2)")
            .bind(pos as i64)
            .bind(*locale)
            .execute(&mut *tx)
            .await?;
    }
    for (lo, hi) in chunks(data.subscriptions()) {
        let series =
            "WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) ";
        sqlx::query(&format!(
            "{series} INSERT INTO contacts (id, email_key, attributes, created_on, modified_on) \
             SELECT unhex(printf('01900000000070008000%012x', i)), 'c' || i || '@bench.example', \
                    json_object('email', 'c' || i || '@bench.example', 'vip', json('true')), $3, $3 FROM n"
        ))
        .bind(lo)
        .bind(hi)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .context("generating contacts")?;
        sqlx::query(&format!(
            "{series} INSERT INTO subscriptions (id, contact_id, sku, locale, external_id, created_on) \
             SELECT unhex(printf('01910000000070008000%012x', i)), unhex(printf('01900000000070008000%012x', i)), \
                    (SELECT sku FROM bench_skus WHERE lo <= ((i - 1) * $4) % $5 ORDER BY lo DESC LIMIT 1), \
                    (SELECT locale FROM bench_locales WHERE pos = (i - 1) % $6), '', $3 FROM n"
        ))
        .bind(lo)
        .bind(hi)
        .bind(&now)
        .bind(SPREAD)
        .bind(n)
        .bind(locales.len() as i64)
        .execute(&mut *tx)
        .await
        .context("generating subscriptions")?;
        bar.set_position(hi as u64);
    }
    tx.commit().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await?;
    Ok(())
}

async fn postgres(
    pool: &sqlx::PgPool,
    data: &Dataset,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let n = i64::try_from(data.subscriptions())?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "CREATE TEMP TABLE bench_skus (lo BIGINT PRIMARY KEY, sku TEXT NOT NULL) ON COMMIT DROP",
    )
    .execute(&mut *tx)
    .await?;
    let (skus, los): (Vec<String>, Vec<i64>) = ranges(data).into_iter().unzip();
    sqlx::query("INSERT INTO bench_skus (sku, lo) SELECT * FROM unnest($1::text[], $2::bigint[])")
        .bind(&skus)
        .bind(&los)
        .execute(&mut *tx)
        .await?;
    sqlx::query("ANALYZE bench_skus").execute(&mut *tx).await?;
    let locales: Vec<String> = data.locales().map(str::to_owned).collect();
    let uuid =
        |prefix: &str| format!("('{prefix}-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid");
    let (contact, subscription) = (uuid("01900000"), uuid("01910000"));
    for (lo, hi) in chunks(data.subscriptions()) {
        sqlx::query(&format!(
            "INSERT INTO contacts (id, email_key, attributes, created_on, modified_on) \
             SELECT {contact}, 'c' || i || '@bench.example', \
                    jsonb_build_object('email', 'c' || i || '@bench.example', 'vip', true), $3, $3 \
             FROM generate_series($1::bigint, $2::bigint) AS i"
        ))
        .bind(lo)
        .bind(hi)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("generating contacts")?;
        sqlx::query(&format!(
            "INSERT INTO subscriptions (id, contact_id, sku, locale, external_id, created_on) \
             SELECT {subscription}, {contact}, \
                    (SELECT sku FROM bench_skus WHERE lo <= ((i - 1) * $4) % $5 ORDER BY lo DESC LIMIT 1), \
                    ($6::text[])[((i - 1) % cardinality($6::text[])) + 1], '', $3 \
             FROM generate_series($1::bigint, $2::bigint) AS i"
        ))
        .bind(lo)
        .bind(hi)
        .bind(now)
        .bind(SPREAD)
        .bind(n)
        .bind(&locales)
        .execute(&mut *tx)
        .await
        .context("generating subscriptions")?;
        bar.set_position(hi as u64);
    }
    tx.commit().await?;
    // Statistics and a visibility map, as a database in steady state has them.
    sqlx::query("VACUUM (ANALYZE) contacts, subscriptions")
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_index_once() {
        let c: Vec<_> = chunks(250_001).collect();
        assert_eq!(c, [(1, 100_000), (100_001, 200_000), (200_001, 250_001)]);
        assert_eq!(chunks(1).collect::<Vec<_>>(), [(1, 1)]);
    }

    #[test]
    fn ranges_start_where_the_previous_sku_ends_and_skip_empty_skus() {
        let data = Dataset::new(10, 20, 2, 3.0).unwrap();
        let r = ranges(&data);
        assert_eq!(r[0], ("BENCH-SKU-1".to_owned(), 0));
        assert!(
            r.len() < 20,
            "a steep skew leaves the tail without subscribers"
        );
        let counts = data.sku_counts();
        assert_eq!(r[1].1, counts[0] as i64);
    }
}
