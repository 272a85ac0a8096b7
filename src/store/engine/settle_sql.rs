//! The SQL of set-based batch processing, shared by both backends like `sql.rs`.

/// Subscriptions `s` that the batch item `i` matches: every attribute the item carries
/// (`''` when absent) must equal the subscription's.
macro_rules! item_matches {
    () => {
        "s.sku = i.sku AND (i.locale = '' OR s.locale = i.locale) \
         AND (i.external_id = '' OR s.external_id = i.external_id)"
    };
}

/// Batch rows deleted from the integration log per transaction by a purge, so that a
/// purge of months never holds SQLite's one writer for long.
pub(crate) const PURGE_CHUNK: i64 = 5_000;

/// The stock levels of a batch from a position on that match anything, with whether each
/// set the latest level of its key and how many subscriptions it matches. Whether it is
/// the latest is only looked up for those that match (few, in a full sync).
pub(crate) const LEVEL_MATCHES: &str = concat!(
    "SELECT m.position, CAST(CASE WHEN EXISTS (SELECT 1 FROM stock_levels l WHERE l.sku = m.sku \
     AND l.locale = m.locale AND l.external_id = m.external_id AND l.batch_id = $1 \
     AND l.item = m.position) THEN 1 ELSE 0 END AS BIGINT) AS latest, m.matches FROM (\
     SELECT CAST(i.position AS BIGINT) AS position, i.sku, i.locale, i.external_id, \
     (SELECT COUNT(*) FROM subscriptions s WHERE ",
    item_matches!(),
    ") AS matches FROM stock_batch_items i WHERE i.batch_id = $1 AND i.position >= $2) m \
     WHERE m.matches > 0 ORDER BY m.position"
);

/// Whether any stock level of a batch matches a subscription (stops at the first).
pub(crate) const BATCH_MATCHES: &str = concat!(
    "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM stock_batch_items i WHERE i.batch_id = $1 \
     AND EXISTS (SELECT 1 FROM subscriptions s WHERE ",
    item_matches!(),
    ")) THEN 1 ELSE 0 END AS BIGINT)"
);

/// A JSON column of a batch, read back (`None` when NULL).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    text: Option<&str>,
    what: &str,
) -> Result<Option<T>, crate::store::StoreError> {
    text.map(|t| {
        serde_json::from_str(t)
            .map_err(|e| crate::store::StoreError::Corrupt(format!("batch {what}: {e}")))
    })
    .transpose()
}

/// The columns of a synthesized integration-log row: the latest level of a key, settled
/// by a processed batch that logged nothing for it (it matched nothing).
const UNLOGGED_COLUMNS: &str =
    "SELECT l.batch_id, CAST(l.item AS BIGINT) AS item, 'matched' AS outcome, \
     '' AS automation, '' AS branch, l.sku, l.locale, l.external_id, l.quantity, \
     CAST(0 AS BIGINT) AS count, b.processed_on AS logged_on ";

/// The conditions every synthesized row meets (after `WHERE`).
const UNLOGGED_WHERE: &str = "b.processed_on IS NOT NULL AND b.failed_reason IS NULL \
     AND NOT EXISTS (SELECT 1 FROM integration_log g WHERE g.batch_id = l.batch_id AND g.item = l.item)";

/// The start of the query for synthesized rows: by SKU through the latest levels' primary
/// key; without one through the batch items, newest first, so the answer's `LIMIT` stops
/// the walk early instead of sorting every key.
pub(crate) fn unlogged_levels_from(by_sku: bool) -> String {
    if by_sku {
        format!(
            "{UNLOGGED_COLUMNS} FROM stock_levels l JOIN stock_batches b ON b.id = l.batch_id \
             WHERE {UNLOGGED_WHERE}"
        )
    } else {
        format!(
            "{UNLOGGED_COLUMNS} FROM stock_batch_items i JOIN stock_levels l ON l.sku = i.sku \
             AND l.locale = i.locale AND l.external_id = i.external_id AND l.batch_id = i.batch_id \
             AND l.item = i.position JOIN stock_batches b ON b.id = i.batch_id WHERE {UNLOGGED_WHERE}"
        )
    }
}

/// The daily statistics of a settle commit: `held:<reason>` and `matched` for the matches
/// of every stock level held back as a whole, by the level's locale, as a fan-out chunk
/// counts its own.
pub(crate) fn held_stats(
    day: chrono::NaiveDate,
    commit: &crate::store::SettleCommit<'_>,
) -> crate::store::DailyStats {
    use crate::store::stats::metric::HELD_PREFIX;
    let mut stats = crate::store::DailyStats::new(day);
    for held in &commit.held {
        let Some(level) = commit.levels.get(held.item) else {
            continue;
        };
        let locale = crate::store::row::column(&level.key.locale);
        let metric = format!("{HELD_PREFIX}{}", held.reason.as_str());
        let n = i64::try_from(held.matched).unwrap_or(i64::MAX);
        stats.add(crate::store::StatKey::locale(locale), &metric, n);
        let matched = crate::store::stats::metric::MATCHED;
        stats.add(crate::store::StatKey::locale(locale), matched, n);
    }
    stats
}

/// Implements [`crate::store::SettleStore`] for `$store` (see `impl_engine_store!`).
macro_rules! impl_settle_store {
    ($store:ty, $db:ty, read: $read:ident) => {
        const _: () = {
        use uuid::Uuid;
        use chrono::{DateTime, Utc};
        use $crate::domain::Sku;
        use $crate::store::row::{self, column, INSERT_CHUNK};
        use $crate::store::{LevelMatches, LogRow, SettleCommit, SettledLevel, StoreError};

        #[async_trait::async_trait]
        impl $crate::store::SettleStore for $store {
            async fn triage_batches(&self, limit: usize) -> Result<usize, StoreError> {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM stock_batches WHERE processed_on IS NULL",
                )
                .fetch_one(&self.$read)
                .await?;
                if waiting <= i64::try_from(limit).unwrap_or(i64::MAX) {
                    return Ok(0);
                }
                let ids: Vec<Uuid> = sqlx::query_scalar(
                    "SELECT id FROM stock_batches WHERE processed_on IS NULL AND triage = 1 \
                     ORDER BY id DESC LIMIT $1",
                )
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .fetch_all(&self.$read)
                .await?;
                let mut found = Vec::with_capacity(ids.len());
                for id in ids {
                    let matches: i64 = sqlx::query_scalar($crate::store::engine::settle_sql::BATCH_MATCHES)
                        .bind(id)
                        .fetch_one(&self.$read)
                        .await?;
                    found.push((id, matches > 0));
                }
                let looked = found.len();
                if looked == 0 {
                    return Ok(0);
                }
                self.write(1, move |conn| Box::pin(async move {
                    for (id, any) in &found {
                        let sql = if *any {
                            "UPDATE stock_batches SET triage = 2 WHERE id = $1 AND triage = 1"
                        } else {
                            "UPDATE stock_batches SET triage = 0 WHERE id = $1 AND triage = 1"
                        };
                        sqlx::query(sql).bind(*id).execute(&mut *conn).await?;
                    }
                    Ok(())
                }))
                .await?;
                Ok(looked)
            }

            async fn level_matches(&self, batch: Uuid, from: usize) -> Result<Vec<LevelMatches>, StoreError> {
                let found: Vec<(i64, i64, i64)> = sqlx::query_as($crate::store::engine::settle_sql::LEVEL_MATCHES)
                    .bind(batch)
                    .bind(i64::try_from(from).unwrap_or(i64::MAX))
                    .fetch_all(&self.$read)
                    .await?;
                found
                    .into_iter()
                    .map(|(item, latest, matches)| {
                        Ok(LevelMatches {
                            item: usize::try_from(item)
                                .map_err(|_| StoreError::Corrupt("batch item position".into()))?,
                            latest: latest != 0,
                            matches: u64::try_from(matches).unwrap_or_default(),
                        })
                    })
                    .collect()
            }

            async fn fan_out_plan(&self, batch: Uuid) -> Result<Option<Vec<usize>>, StoreError> {
                let plan: Option<Option<String>> =
                    sqlx::query_scalar("SELECT fan_out FROM stock_batches WHERE id = $1")
                        .bind(batch)
                        .fetch_optional(&self.$read)
                        .await?;
                $crate::store::engine::settle_sql::parse(plan.flatten().as_deref(), "fan-out plan")
            }

            async fn settle_batch(&self, commit: &SettleCommit<'_>) -> Result<(), StoreError> {
                let mut conn = self.writer().await?;
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                let now = row::now();
                let plan = serde_json::Value::from(commit.fan_out.clone()).to_string();
                let held = if commit.fan_out.is_empty() {
                    // Nothing left to walk: the batch is processed by this commit.
                    sqlx::query(
                        "UPDATE stock_batches SET fan_out = $1, processed_on = $2, lease_until_ms = NULL \
                         WHERE id = $3 AND claimed_by = $4 AND processed_on IS NULL AND fan_out IS NULL",
                    )
                    .bind(&plan)
                    .bind(now)
                    .bind(commit.batch)
                    .bind(commit.worker)
                    .execute(&mut *tx)
                    .await?
                } else {
                    let lease_ms = i64::try_from(commit.lease.as_millis()).unwrap_or(i64::MAX);
                    sqlx::query(
                        "UPDATE stock_batches SET fan_out = $1, lease_until_ms = $2 \
                         WHERE id = $3 AND claimed_by = $4 AND processed_on IS NULL AND fan_out IS NULL",
                    )
                    .bind(&plan)
                    .bind(now.timestamp_millis().saturating_add(lease_ms))
                    .bind(commit.batch)
                    .bind(commit.worker)
                    .execute(&mut *tx)
                    .await?
                };
                if held.rows_affected() == 0 {
                    return Err(StoreError::LostClaim(commit.batch));
                }
                // Two rows per held stock level: what it matched, and why all of it waits.
                let rows: Vec<(&SettledLevel, &'static str)> = commit
                    .held
                    .iter()
                    .flat_map(|h| [(h, "matched"), (h, h.reason.as_str())])
                    .collect();
                for part in rows.chunks(INSERT_CHUNK) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO integration_log (batch_id, item, outcome, automation, branch, sku, locale, \
                         external_id, quantity, count, logged_on) ",
                    );
                    insert.push_values(part, |mut row, (h, outcome)| {
                        let level = &commit.levels[h.item];
                        row.push_bind(commit.batch)
                            .push_bind(h.item as i64)
                            .push_bind(*outcome)
                            .push_bind("")
                            .push_bind("")
                            .push_bind(level.key.sku.as_str())
                            .push_bind(column(&level.key.locale))
                            .push_bind(column(&level.key.external_id))
                            .push_bind(level.quantity.get())
                            .push_bind(i64::try_from(h.matched).unwrap_or(i64::MAX))
                            .push_bind(now);
                    });
                    insert.push(
                        " ON CONFLICT (batch_id, item, outcome, automation, branch) \
                         DO UPDATE SET count = integration_log.count + excluded.count",
                    );
                    insert.build().execute(&mut *tx).await?;
                }
                let stats = $crate::store::engine::settle_sql::held_stats(self.zone.day_of(now), commit);
                if !stats.is_empty() {
                    $crate::store::AddStats::add_stats(&mut *tx, &stats).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn unlogged_levels(
                &self,
                sku: Option<&Sku>,
                since: Option<DateTime<Utc>>,
                limit: usize,
            ) -> Result<Vec<LogRow>, StoreError> {
                let mut sql = sqlx::QueryBuilder::<$db>::new($crate::store::engine::settle_sql::unlogged_levels_from(sku.is_some()));
                if let Some(sku) = sku {
                    sql.push(" AND l.sku = ").push_bind(sku.as_str());
                }
                if let Some(since) = since {
                    sql.push(" AND b.processed_on >= ").push_bind(since);
                }
                // Without a SKU, in the order of the batch items' primary key, walked backwards.
                sql.push(if sku.is_some() {
                    " ORDER BY l.batch_id DESC, l.item DESC LIMIT "
                } else {
                    " ORDER BY i.batch_id DESC, i.position DESC LIMIT "
                })
                    .push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
                let found: Vec<$crate::store::engine::rows::LogRowRaw> = sql.build_query_as().fetch_all(&self.$read).await?;
                found.into_iter().map(TryInto::try_into).collect()
            }

            async fn purge_integration_log(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
                let mut purged = 0;
                loop {
                    let gone = self.write(1, move |conn| Box::pin(async move {
                        let done = sqlx::query(
                            "DELETE FROM integration_log WHERE (batch_id, item, outcome, automation, branch) IN \
                             (SELECT batch_id, item, outcome, automation, branch FROM integration_log \
                              WHERE logged_on < $1 LIMIT $2)",
                        )
                        .bind(before)
                        .bind($crate::store::engine::settle_sql::PURGE_CHUNK)
                        .execute(&mut *conn)
                        .await?;
                        Ok(done.rows_affected())
                    }))
                    .await?;
                    purged += gone;
                    if gone < $crate::store::engine::settle_sql::PURGE_CHUNK as u64 {
                        // The parts of fan-outs settled as long ago: only the record of who
                        // walked what, a few rows per split stock level.
                        self.write(1, move |conn| Box::pin(async move {
                            sqlx::query("DELETE FROM fan_out_parts WHERE done_on < $1")
                                .bind(before)
                                .execute(&mut *conn)
                                .await?;
                            Ok(())
                        }))
                        .await?;
                        return Ok(purged);
                    }
                }
            }
        }
        };
    };
}

pub(crate) use impl_settle_store;
