//! The SQL of fan-out parts, shared by both backends like `sql.rs`.

/// The claim of a part: `$lock` is `FOR UPDATE SKIP LOCKED` on PostgreSQL (instances claim
/// concurrently) and empty on SQLite (one writer); `level` narrows it to one stock level.
pub(crate) fn claim_part_sql(lock: &str, level: bool) -> String {
    let only = if level {
        " AND batch_id = $5 AND item = $6"
    } else {
        ""
    };
    format!(
        "UPDATE fan_out_parts SET claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1 \
         WHERE (batch_id, item, part) = (SELECT batch_id, item, part FROM fan_out_parts \
         WHERE done_on IS NULL AND {}{only} ORDER BY batch_id, item, part LIMIT 1{lock}) \
         RETURNING batch_id, item, part, after_id, last_id, budget, progress_cursor, attempts",
        crate::store::instances::claimable!("$3", "$4"),
    )
}

/// Implements [`crate::store::PartStore`] for `$store` (see `impl_engine_store!`).
macro_rules! impl_part_store {
    ($store:ty, $db:ty, read: $read:ident, lock: $lock:expr) => {
        const _: () = {
        use uuid::Uuid;
        use $crate::store::row::{self, column};
        use $crate::store::{StockKey, StockLevel, StoreError};

        #[async_trait::async_trait]
        impl $crate::store::PartStore for $store {
            async fn part_bounds(
                &self,
                key: &StockKey,
                after: Option<Uuid>,
                size: u64,
            ) -> Result<Vec<$crate::store::PartBound>, StoreError> {
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id, rn FROM (SELECT s.id, ROW_NUMBER() OVER (ORDER BY s.id) AS rn, \
                     COUNT(*) OVER () AS total FROM subscriptions s WHERE s.sku = ",
                );
                sql.push_bind(key.sku.as_str());
                if let Some(locale) = &key.locale {
                    sql.push(" AND s.locale = ").push_bind(locale.as_str());
                }
                if let Some(external_id) = &key.external_id {
                    sql.push(" AND s.external_id = ").push_bind(external_id.as_str());
                }
                sql.push(" AND s.id > ").push_bind(after.unwrap_or(Uuid::nil()));
                sql.push(") t WHERE rn % ")
                    .push_bind(i64::try_from(size.max(1)).unwrap_or(i64::MAX))
                    .push(" = 0 OR rn = total ORDER BY rn");
                let found: Vec<(Uuid, i64)> = sql.build_query_as().fetch_all(&self.$read).await?;
                Ok(found
                    .into_iter()
                    .map(|(last, rank)| $crate::store::PartBound {
                        last,
                        rank: u64::try_from(rank).unwrap_or_default(),
                    })
                    .collect())
            }

            async fn split_level(&self, commit: &$crate::store::SplitCommit<'_>) -> Result<(), StoreError> {
                let mut conn = self.writer().await?;
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                let now_ms = row::now().timestamp_millis();
                let lease_ms = i64::try_from(commit.lease.as_millis()).unwrap_or(i64::MAX);
                let plan = serde_json::Value::from(commit.plan.to_vec()).to_string();
                let held = sqlx::query(
                    "UPDATE stock_batches SET progress_item = $1, fan_out = COALESCE(fan_out, $2), \
                     lease_until_ms = $3 WHERE id = $4 AND claimed_by = $5 AND processed_on IS NULL",
                )
                .bind(commit.item as i64)
                .bind(&plan)
                .bind(now_ms.saturating_add(lease_ms))
                .bind(commit.batch)
                .bind(commit.worker)
                .execute(&mut *tx)
                .await?;
                if held.rows_affected() == 0 {
                    return Err(StoreError::LostClaim(commit.batch));
                }
                for (n, part) in commit.parts.iter().enumerate() {
                    let budget = serde_json::to_string(&part.budget)
                        .map_err(|e| StoreError::Corrupt(format!("fan-out part budget: {e}")))?;
                    sqlx::query(
                        "INSERT INTO fan_out_parts (batch_id, item, part, after_id, last_id, budget) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(commit.batch)
                    .bind(commit.item as i64)
                    .bind(n as i64)
                    .bind(part.after)
                    .bind(part.last)
                    .bind(&budget)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn has_parts(&self, batch: Uuid, item: usize) -> Result<bool, StoreError> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT part FROM fan_out_parts WHERE batch_id = $1 AND item = $2 LIMIT 1",
                )
                .bind(batch)
                .bind(item as i64)
                .fetch_optional(&self.$read)
                .await?;
                Ok(found.is_some())
            }

            async fn claim_part(
                &self,
                worker: &str,
                lease: std::time::Duration,
                level: Option<(Uuid, usize)>,
            ) -> Result<Option<$crate::store::ClaimedPart>, StoreError> {
                let worker = worker.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    let now_ms = row::now().timestamp_millis();
                    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
                    let sql = $crate::store::engine::parts_sql::claim_part_sql($lock, level.is_some());
                    let mut query = sqlx::query_as::<_, $crate::store::engine::parts::PartRow>(&sql)
                        .bind(&worker)
                        .bind(now_ms.saturating_add(lease_ms))
                        .bind(now_ms)
                        .bind($crate::store::instances::stale_before_ms(now_ms));
                    if let Some((batch, item)) = level {
                        query = query.bind(batch).bind(item as i64);
                    }
                    let Some(row) = query.fetch_optional(&mut *conn).await? else {
                        return Ok(None);
                    };
                    let level: $crate::store::stock::rows::StockLevelRow = sqlx::query_as(
                        "SELECT sku, locale, external_id, quantity FROM stock_batch_items \
                         WHERE batch_id = $1 AND position = $2",
                    )
                    .bind(row.batch_id)
                    .bind(row.item)
                    .fetch_one(&mut *conn)
                    .await?;
                    Ok(Some(row.into_claimed(level.try_into()?)?))
                }))
                .await
            }

            async fn sent_for_part(
                &self,
                batch: Uuid,
                item: usize,
                part: usize,
            ) -> Result<Vec<(String, u64)>, StoreError> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT automation, CAST(SUM(count) AS BIGINT) FROM fan_out_part_log \
                     WHERE batch_id = $1 AND item = $2 AND part = $3 AND outcome = 'sent' GROUP BY automation",
                )
                .bind(batch)
                .bind(item as i64)
                .bind(part as i64)
                .fetch_all(&mut *self.writer().await?)
                .await?;
                Ok(rows.into_iter().map(|(a, n)| (a, u64::try_from(n).unwrap_or_default())).collect())
            }

            async fn release_part(&self, batch: Uuid, item: usize, part: usize, worker: &str) -> Result<(), StoreError> {
                let worker = worker.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    sqlx::query(
                        "UPDATE fan_out_parts SET lease_until_ms = NULL \
                         WHERE batch_id = $1 AND item = $2 AND part = $3 AND claimed_by = $4 AND done_on IS NULL",
                    )
                    .bind(batch)
                    .bind(item as i64)
                    .bind(part as i64)
                    .bind(&worker)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                }))
                .await
            }

            async fn fail_part(
                &self,
                batch: Uuid,
                item: usize,
                part: usize,
                worker: &str,
                reason: &str,
            ) -> Result<(), StoreError> {
                let (worker, reason) = (worker.to_owned(), reason.to_owned());
                self.write(1, move |conn| Box::pin(async move {
                    sqlx::query(
                        "UPDATE fan_out_parts SET done_on = $1, done_by = $2, lease_until_ms = NULL, failed_reason = $3 \
                         WHERE batch_id = $4 AND item = $5 AND part = $6 AND claimed_by = $2 AND done_on IS NULL",
                    )
                    .bind(row::now())
                    .bind(&worker)
                    .bind(&reason)
                    .bind(batch)
                    .bind(item as i64)
                    .bind(part as i64)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                }))
                .await
            }

            async fn settle_split(
                &self,
                batch: Uuid,
                item: usize,
                level: &StockLevel,
                worker: &str,
                lease: std::time::Duration,
            ) -> Result<bool, StoreError> {
                let mut conn = self.writer().await?;
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                let now = row::now();
                let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
                // The batch's row first: the holder's claim, and its lease extended.
                let held = sqlx::query(
                    "UPDATE stock_batches SET lease_until_ms = $1 \
                     WHERE id = $2 AND claimed_by = $3 AND processed_on IS NULL",
                )
                .bind(now.timestamp_millis().saturating_add(lease_ms))
                .bind(batch)
                .bind(worker)
                .execute(&mut *tx)
                .await?;
                if held.rows_affected() == 0 {
                    return Err(StoreError::LostClaim(batch));
                }
                // A part's last chunk commits its `done_on`; a part not done can still add.
                let open: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM fan_out_parts WHERE batch_id = $1 AND item = $2 AND done_on IS NULL",
                )
                .bind(batch)
                .bind(item as i64)
                .fetch_one(&mut *tx)
                .await?;
                if open > 0 {
                    tx.commit().await?;
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO integration_log (batch_id, item, outcome, automation, branch, sku, locale, \
                     external_id, quantity, count, logged_on) \
                     SELECT batch_id, item, outcome, automation, branch, $1, $2, $3, $4, \
                     CAST(SUM(count) AS BIGINT), $5 FROM fan_out_part_log WHERE batch_id = $6 AND item = $7 \
                     GROUP BY batch_id, item, outcome, automation, branch \
                     ORDER BY outcome, automation, branch \
                     ON CONFLICT (batch_id, item, outcome, automation, branch) \
                     DO UPDATE SET count = integration_log.count + excluded.count",
                )
                .bind(level.key.sku.as_str())
                .bind(column(&level.key.locale))
                .bind(column(&level.key.external_id))
                .bind(level.quantity.get())
                .bind(now)
                .bind(batch)
                .bind(item as i64)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM fan_out_part_log WHERE batch_id = $1 AND item = $2")
                    .bind(batch)
                    .bind(item as i64)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE stock_batches SET progress_item = $1, progress_cursor = NULL WHERE id = $2",
                )
                .bind(item as i64 + 1)
                .bind(batch)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }
        }
        };
    };
}

pub(crate) use impl_part_store;
