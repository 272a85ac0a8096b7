//! The SQL of stock levels and batches, written once for both backends (claiming differs).

use crate::store::instances::claimable;

/// The daily statistics of a call that stored `levels`: `stock_levels` per locale.
pub(crate) fn received_stats(
    zone: crate::store::StatsZone,
    levels: &[crate::store::StockLevel],
) -> crate::store::DailyStats {
    let mut per_locale = std::collections::BTreeMap::<&str, i64>::new();
    for level in levels {
        *per_locale
            .entry(crate::store::row::column(&level.key.locale))
            .or_default() += 1;
    }
    let mut stats = crate::store::DailyStats::new(zone.today());
    for (locale, n) in per_locale {
        let key = crate::store::StatKey::locale(locale);
        stats.add(key, crate::store::stats::metric::STOCK_LEVELS, n);
    }
    stats
}

/// On SQLite a worker claims the oldest batch that no live worker holds (see `instances/`),
/// taking batches with stock levels someone waits for before the others (`triage`,
/// `engine/settle.rs`). SQLite runs one write at a time, so the select-and-update is atomic
/// without row locks.
pub(crate) const SQLITE_CLAIM: &str = concat!(
    "UPDATE stock_batches SET claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id = (SELECT id FROM stock_batches WHERE processed_on IS NULL AND ",
    claimable!("$3", "$4"),
    " ORDER BY triage DESC, id LIMIT 1) \
     RETURNING id, received_on, item_count, attempts, progress_item, progress_cursor"
);

/// On PostgreSQL a worker claims the oldest batch that no live worker holds (see
/// `instances/`), taking batches with stock levels someone waits for before the others
/// (`triage`, `engine/settle.rs`). Instances claim concurrently: `SKIP LOCKED` lets each take a different batch instead of
/// queueing behind a row another instance is claiming.
pub(crate) const POSTGRES_CLAIM: &str = concat!(
    "UPDATE stock_batches SET claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id = (SELECT id FROM stock_batches WHERE processed_on IS NULL AND ",
    claimable!("$3", "$4"),
    " ORDER BY triage DESC, id LIMIT 1 \
                 FOR UPDATE SKIP LOCKED) \
     RETURNING id, received_on, item_count, attempts, progress_item, progress_cursor"
);

/// Implements [`crate::store::StockStore`] for `$store`, whose `$read` pool serves reads;
/// `$claim` is the backend's claiming statement (see `impl_contact_store!` for writes).
macro_rules! impl_stock_store {
    ($store:ty, $db:ty, read: $read:ident, claim: $claim:expr) => {
        const _: () = {
        use std::time::Duration;
        use uuid::Uuid;
        use $crate::store::instances;
        use $crate::store::row::{self, column, INSERT_CHUNK};
        use $crate::store::stock::rows;
        use $crate::store::stock::sql::received_stats;
        use $crate::store::{ClaimedBatch, StockBatch, StockKey, StockLevel, StoreError};

        #[async_trait::async_trait]
        impl $crate::store::StockStore for $store {
            async fn store_stock_levels(&self, levels: &[StockLevel]) -> Result<StockBatch, StoreError> {
                // Owned, to cross to the SQLite writer task; a copy costs far less than the write.
                let levels = levels.to_vec();
                let zone = self.zone;
                // Like `subscribe`: all or nothing through `write_counted`, which adds the
                // `stock_levels` counts with it.
                self.write_counted(levels.len() + 1, move |conn| Box::pin(async move {
                    let levels = &levels[..];
                    let batch = StockBatch { id: row::new_id(), received_on: row::now(), item_count: levels.len() };
                    sqlx::query("INSERT INTO stock_batches (id, received_on, item_count) VALUES ($1, $2, $3)")
                        .bind(batch.id)
                        .bind(batch.received_on)
                        .bind(i64::try_from(levels.len()).unwrap_or(i64::MAX))
                        .execute(&mut *conn)
                        .await?;
                    for (chunk_no, chunk) in levels.chunks(INSERT_CHUNK).enumerate() {
                        let mut insert = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO stock_batch_items (batch_id, position, sku, locale, external_id, quantity) ",
                        );
                        insert.push_values(chunk.iter().enumerate(), |mut row, (i, level)| {
                            let position = (chunk_no * INSERT_CHUNK + i) as i64;
                            row.push_bind(batch.id)
                                .push_bind(position)
                                .push_bind(level.key.sku.as_str())
                                .push_bind(column(&level.key.locale))
                                .push_bind(column(&level.key.external_id))
                                .push_bind(level.quantity.get());
                        });
                        insert.build().execute(&mut *conn).await?;
                    }
                    for chunk in rows::latest_per_key(levels).chunks(INSERT_CHUNK) {
                        let mut upsert = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO stock_levels (sku, locale, external_id, quantity, updated_on, batch_id, item) ",
                        );
                        upsert.push_values(chunk, |mut row, (item, level)| {
                            row.push_bind(level.key.sku.as_str())
                                .push_bind(column(&level.key.locale))
                                .push_bind(column(&level.key.external_id))
                                .push_bind(level.quantity.get())
                                .push_bind(batch.received_on)
                                .push_bind(batch.id)
                                .push_bind(*item as i64);
                        });
                        upsert.push(
                            " ON CONFLICT (sku, locale, external_id) DO UPDATE SET quantity = excluded.quantity, \
                             updated_on = excluded.updated_on, batch_id = excluded.batch_id, item = excluded.item",
                        );
                        upsert.build().execute(&mut *conn).await?;
                    }
                    Ok((batch, received_stats(zone, levels)))
                }))
                .await
            }

            async fn latest_stock_level(&self, key: &StockKey) -> Result<Option<StockLevel>, StoreError> {
                let row: Option<rows::StockLevelRow> = sqlx::query_as(
                    "SELECT sku, locale, external_id, quantity FROM stock_levels \
                     WHERE sku = $1 AND locale = $2 AND external_id = $3",
                )
                .bind(key.sku.as_str())
                .bind(column(&key.locale))
                .bind(column(&key.external_id))
                .fetch_optional(&self.$read)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn claim_stock_batch(&self, worker: &str, lease: Duration) -> Result<Option<ClaimedBatch>, StoreError> {
                let worker = worker.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    let now_ms = row::now().timestamp_millis();
                    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
                    let claimed: Option<rows::BatchRow> = sqlx::query_as($claim)
                        .bind(&worker)
                        .bind(now_ms.saturating_add(lease_ms))
                        .bind(now_ms)
                        .bind(instances::stale_before_ms(now_ms))
                        .fetch_optional(&mut *conn)
                        .await?;
                    let Some(row) = claimed else { return Ok(None) };
                    let items: Vec<rows::StockLevelRow> = sqlx::query_as(
                        "SELECT sku, locale, external_id, quantity FROM stock_batch_items \
                         WHERE batch_id = $1 ORDER BY position",
                    )
                    .bind(row.id)
                    .fetch_all(&mut *conn)
                    .await?;
                    Ok(Some(ClaimedBatch {
                        batch: StockBatch::from(&row),
                        attempts: u32::try_from(row.attempts).unwrap_or_default(),
                        progress: row.progress(),
                        items: items.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?,
                }))
                }))
                .await
            }

            async fn complete_stock_batch(&self, batch: Uuid, worker: &str) -> Result<bool, StoreError> {
                let worker = worker.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE stock_batches SET processed_on = $1, lease_until_ms = NULL \
                         WHERE id = $2 AND claimed_by = $3 AND processed_on IS NULL \
                         AND NOT EXISTS (SELECT 1 FROM fan_out_parts WHERE batch_id = $2 AND done_on IS NULL)",
                    )
                    .bind(row::now())
                    .bind(batch)
                    .bind(&worker)
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected() > 0)
                }))
                .await
            }

        }
        };
    };
}

pub(crate) use impl_stock_store;
