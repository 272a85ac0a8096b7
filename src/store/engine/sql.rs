//! The engine's SQL, shared by both backends like every aggregate's `sql.rs`.

/// Implements [`crate::store::EngineStore`] for `$store` (see `impl_contact_store!`). What must
/// run alone on the writer connection takes it with `$store::writer()`: a chunk commit, a
/// large transaction that would hold a whole group of small writes hostage, and reads that
/// must see the latest write.
macro_rules! impl_engine_store {
    ($store:ty, $db:ty, read: $read:ident) => {
        const _: () = {
        use uuid::Uuid;
        use chrono::{DateTime, Utc};
        use $crate::domain::Sku;
        use $crate::store::engine::sql::DeleteSubscriptions;
        use $crate::store::insights::history::InsightsTx;
        use $crate::store::row::{self, column, INSERT_CHUNK};
        use $crate::store::{Candidate, ChunkApplied, ChunkCommit, LogRow, Notification, StockKey, StoreError, Trigger};

        #[async_trait::async_trait]
        impl $crate::store::EngineStore for $store {
            async fn match_subscriptions(
                &self,
                key: &StockKey,
                after: Option<Uuid>,
                until: Option<Uuid>,
                limit: usize,
                with_contact: bool,
            ) -> Result<Vec<Candidate>, StoreError> {
                self.match_candidates(key, after, until, limit, with_contact).await
            }

            async fn count_matching(
                &self,
                key: &StockKey,
                after: Option<Uuid>,
                until: Option<Uuid>,
            ) -> Result<u64, StoreError> {
                let mut sql = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM subscriptions s WHERE ");
                $crate::store::engine::sql::matching_where!(sql, key, after, until);
                let count: i64 = sql.build_query_scalar().fetch_one(&self.$read).await?;
                Ok(u64::try_from(count).unwrap_or_default())
            }

            async fn latest_origin(&self, key: &StockKey) -> Result<Option<(Uuid, usize)>, StoreError> {
                let row: Option<(Uuid, i64)> = sqlx::query_as(
                    "SELECT batch_id, item FROM stock_levels WHERE sku = $1 AND locale = $2 AND external_id = $3",
                )
                .bind(key.sku.as_str())
                .bind(column(&key.locale))
                .bind(column(&key.external_id))
                .fetch_optional(&mut *self.writer().await?)
                .await?;
                Ok(row.map(|(batch, item)| (batch, usize::try_from(item).unwrap_or_default())))
            }

            async fn release_stock_batch(&self, batch: Uuid, worker: &str) -> Result<(), StoreError> {
                let worker = worker.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    sqlx::query(
                        "UPDATE stock_batches SET lease_until_ms = NULL \
                         WHERE id = $1 AND claimed_by = $2 AND processed_on IS NULL",
                    )
                    .bind(batch)
                    .bind(&worker)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                }))
                .await
            }

            async fn fail_stock_batch(&self, batch: Uuid, worker: &str, reason: &str) -> Result<(), StoreError> {
                let (worker, reason) = (worker.to_owned(), reason.to_owned());
                self.write(1, move |conn| Box::pin(async move {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    let given_up = sqlx::query(
                        "UPDATE stock_batches SET processed_on = $1, lease_until_ms = NULL, failed_reason = $2 \
                         WHERE id = $3 AND claimed_by = $4 AND processed_on IS NULL",
                    )
                    .bind(row::now())
                    .bind(&reason)
                    .bind(batch)
                    .bind(&worker)
                    .execute(&mut *tx)
                    .await?;
                    if given_up.rows_affected() > 0 {
                        // Its parts go with it: a worker walking one loses its claim.
                        sqlx::query(
                            "UPDATE fan_out_parts SET done_on = $1, lease_until_ms = NULL, \
                             failed_reason = 'its batch was given up' WHERE batch_id = $2 AND done_on IS NULL",
                        )
                        .bind(row::now())
                        .bind(batch)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }))
                .await
            }

            async fn last_purchases(&self, sku: &Sku, contacts: &[Uuid]) -> Result<Vec<(Uuid, DateTime<Utc>)>, StoreError> {
                let mut found = Vec::new();
                for chunk in contacts.chunks(INSERT_CHUNK) {
                    let mut sql = sqlx::QueryBuilder::<$db>::new(
                        "SELECT contact_id, MAX(purchased_on) FROM receipt_items WHERE sku = ",
                    );
                    sql.push_bind(sku.as_str()).push(" AND contact_id IN (");
                    let mut list = sql.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    sql.push(") GROUP BY contact_id");
                    let rows: Vec<(Uuid, DateTime<Utc>)> = sql.build_query_as().fetch_all(&self.$read).await?;
                    found.extend(rows);
                }
                Ok(found)
            }

            async fn commit_chunk(&self, chunk: &ChunkCommit<'_>) -> Result<ChunkApplied, StoreError> {
                let mut conn = self.writer().await?;
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                let now = row::now();
                let (progress_item, cursor) =
                    if chunk.item_done { (chunk.item + 1, None) } else { (chunk.item, chunk.cursor) };
                let lease_ms = i64::try_from(chunk.lease.as_millis()).unwrap_or(i64::MAX);
                let lease_until = now.timestamp_millis().saturating_add(lease_ms);
                let held = match chunk.part {
                    None => sqlx::query(
                        "UPDATE stock_batches SET progress_item = $1, progress_cursor = $2, lease_until_ms = $3 \
                         WHERE id = $4 AND claimed_by = $5 AND processed_on IS NULL",
                    )
                    .bind(progress_item as i64)
                    .bind(cursor)
                    .bind(lease_until)
                    .bind(chunk.batch)
                    .bind(chunk.worker)
                    .execute(&mut *tx)
                    .await?,
                    // A part's own claim: the batch's holder may be another instance.
                    Some(part) if chunk.item_done => sqlx::query(
                        "UPDATE fan_out_parts SET progress_cursor = $1, lease_until_ms = NULL, \
                         done_on = $2, done_by = $3 \
                         WHERE batch_id = $4 AND item = $5 AND part = $6 AND claimed_by = $3 AND done_on IS NULL",
                    )
                    .bind(chunk.cursor)
                    .bind(now)
                    .bind(chunk.worker)
                    .bind(chunk.batch)
                    .bind(chunk.item as i64)
                    .bind(part as i64)
                    .execute(&mut *tx)
                    .await?,
                    Some(part) => sqlx::query(
                        "UPDATE fan_out_parts SET progress_cursor = $1, lease_until_ms = $2 \
                         WHERE batch_id = $3 AND item = $4 AND part = $5 AND claimed_by = $6 AND done_on IS NULL",
                    )
                    .bind(chunk.cursor)
                    .bind(lease_until)
                    .bind(chunk.batch)
                    .bind(chunk.item as i64)
                    .bind(part as i64)
                    .bind(chunk.worker)
                    .execute(&mut *tx)
                    .await?,
                };
                if held.rows_affected() == 0 {
                    return Err(StoreError::LostClaim(chunk.batch));
                }
                for snapshot in &chunk.snapshots {
                    sqlx::query(
                        "INSERT INTO product_snapshots (id, sku, locale, quantity, data, created_on) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    )
                    .bind(snapshot.id)
                    .bind(&snapshot.sku)
                    .bind(&snapshot.locale)
                    .bind(snapshot.quantity)
                    .bind(sqlx::types::Json(&snapshot.data))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                for route in &chunk.routes {
                    sqlx::query(
                        "INSERT INTO notification_routes (id, automation_id, branch, actions) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(route.id)
                    .bind(&*route.automation)
                    .bind(&*route.branch)
                    .bind(sqlx::types::Json(&*route.actions))
                    .execute(&mut *tx)
                    .await?;
                }
                let mut log = $crate::store::engine::rows::LogCounts::new(chunk);
                let mut applied = ChunkApplied::default();
                // One delete over every id, in ascending order, so that two transactions
                // racing for the same subscriptions lock them in the same order.
                let mut ids: Vec<Uuid> = chunk.triggered.iter().map(|t| t.candidate.id).collect();
                ids.extend(chunk.expired.iter().map(|(id, _)| *id));
                ids.sort_unstable();
                let expiring = InsightsTx::read_expiring(&mut *tx, &chunk.expired).await?;
                let mut gone = std::collections::HashSet::with_capacity(ids.len());
                for part in ids.chunks(INSERT_CHUNK) {
                    gone.extend(DeleteSubscriptions::delete_subscriptions(&mut *tx, part).await?);
                }
                let consumed: Vec<&Trigger> =
                    chunk.triggered.iter().filter(|t| gone.contains(&t.candidate.id)).collect();
                for part in consumed.chunks(INSERT_CHUNK) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO notifications (id, batch_id, subscription_id, contact_id, locale, \
                         external_id, subscribed_on, route_id, product_id) ",
                    );
                    insert.push_values(part, |mut row, t| {
                        row.push_bind(row::new_id())
                            .push_bind(chunk.batch)
                            .push_bind(t.candidate.id)
                            .push_bind(t.candidate.contact_id)
                            .push_bind(t.candidate.locale.as_str())
                            .push_bind(t.candidate.external_id.as_str())
                            .push_bind(t.candidate.created_on)
                            .push_bind(t.route.id)
                            .push_bind(t.product);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                for t in &consumed {
                    log.sent(&t.route);
                }
                InsightsTx::chunk_committed(&mut *tx, self.zone, chunk, &consumed, expiring, &gone).await?;
                applied.triggered = consumed.len() as u64;
                for (_, automation) in chunk.expired.iter().filter(|(id, _)| gone.contains(id)) {
                    log.expired(automation);
                    applied.expired += 1;
                }
                let entries = log.into_entries();
                if let Some(part) = chunk.part {
                    let mut upsert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO fan_out_part_log (batch_id, item, part, outcome, automation, branch, count) ",
                    );
                    upsert.push_values(&entries, |mut row, e| {
                        row.push_bind(chunk.batch)
                            .push_bind(chunk.item as i64)
                            .push_bind(part as i64)
                            .push_bind(e.outcome)
                            .push_bind(&*e.automation)
                            .push_bind(&*e.branch)
                            .push_bind(e.count as i64);
                    });
                    upsert.push(
                        " ON CONFLICT (batch_id, item, part, outcome, automation, branch) \
                         DO UPDATE SET count = fan_out_part_log.count + excluded.count",
                    );
                    upsert.build().execute(&mut *tx).await?;
                } else {
                    let mut upsert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO integration_log (batch_id, item, outcome, automation, branch, sku, locale, \
                         external_id, quantity, count, logged_on) ",
                    );
                    upsert.push_values(&entries, |mut row, e| {
                        row.push_bind(chunk.batch)
                            .push_bind(chunk.item as i64)
                            .push_bind(e.outcome)
                            .push_bind(&*e.automation)
                            .push_bind(&*e.branch)
                            .push_bind(chunk.level.key.sku.as_str())
                            .push_bind(column(&chunk.level.key.locale))
                            .push_bind(column(&chunk.level.key.external_id))
                            .push_bind(chunk.level.quantity.get())
                            .push_bind(e.count as i64)
                            .push_bind(now);
                    });
                    upsert.push(
                        " ON CONFLICT (batch_id, item, outcome, automation, branch) \
                         DO UPDATE SET count = integration_log.count + excluded.count",
                    );
                    upsert.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(applied)
            }

            async fn integration_log(
                &self,
                sku: Option<&Sku>,
                since: Option<DateTime<Utc>>,
                limit: usize,
            ) -> Result<Vec<LogRow>, StoreError> {
                // Page by stock level (its `matched` row), then read every row of those.
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "SELECT batch_id, item, outcome, automation, branch, sku, locale, external_id, quantity, count, \
                     logged_on FROM integration_log WHERE (batch_id, item) IN (\
                     SELECT batch_id, item FROM integration_log WHERE outcome = 'matched'",
                );
                if let Some(since) = since {
                    sql.push(" AND logged_on >= ").push_bind(since);
                }
                if let Some(sku) = sku {
                    sql.push(" AND sku = ").push_bind(sku.as_str());
                }
                sql.push(" ORDER BY batch_id DESC, item DESC LIMIT ")
                    .push_bind(i64::try_from(limit).unwrap_or(i64::MAX))
                    .push(") ORDER BY batch_id DESC, item DESC, outcome, automation, branch");
                let found: Vec<$crate::store::engine::rows::LogRowRaw> = sql.build_query_as().fetch_all(&self.$read).await?;
                found.into_iter().map(TryInto::try_into).collect()
            }

            async fn sent_for_item(&self, batch: Uuid, item: usize) -> Result<Vec<(String, u64)>, StoreError> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT automation, CAST(SUM(count) AS BIGINT) FROM integration_log \
                     WHERE batch_id = $1 AND item = $2 AND outcome = 'sent' GROUP BY automation",
                )
                .bind(batch)
                .bind(item as i64)
                .fetch_all(&mut *self.writer().await?)
                .await?;
                Ok(rows.into_iter().map(|(a, n)| (a, u64::try_from(n).unwrap_or_default())).collect())
            }

            async fn notifications(&self, limit: usize) -> Result<Vec<Notification>, StoreError> {
                let found: Vec<$crate::store::engine::rows::NotificationRow> = sqlx::query_as(
                    "SELECT n.id, n.batch_id, n.subscription_id, n.contact_id, p.sku, n.locale, n.external_id, \
                     p.quantity, n.subscribed_on, r.automation_id, r.branch, r.actions, n.product_id, n.status, \
                     n.attempts FROM notifications n \
                     JOIN notification_routes r ON r.id = n.route_id \
                     JOIN product_snapshots p ON p.id = n.product_id ORDER BY n.id LIMIT $1",
                )
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .fetch_all(&self.$read)
                .await?;
                Ok(found.into_iter().map(Into::into).collect())
            }
        }
        };
    };
}

/// The condition (pushed onto `$sql`) for the subscriptions `s` that the stock level
/// `$key` matches, with ids above `$after` and up to `$until` when given: every attribute
/// the stock level carries must equal the subscription's. One condition for walking the
/// matches and for counting them.
macro_rules! matching_where {
    ($sql:expr, $key:expr, $after:expr, $until:expr) => {{
        $sql.push("s.sku = ").push_bind($key.sku.as_str());
        if let Some(locale) = &$key.locale {
            $sql.push(" AND s.locale = ").push_bind(locale.as_str());
        }
        if let Some(external_id) = &$key.external_id {
            $sql.push(" AND s.external_id = ")
                .push_bind(external_id.as_str());
        }
        if let Some(after) = $after {
            $sql.push(" AND s.id > ").push_bind(after);
        }
        if let Some(until) = $until {
            $sql.push(" AND s.id <= ").push_bind(until);
        }
    }};
}

/// A query (after `$prefix`) for the subscriptions a stock level matches after `after`,
/// oldest first: every attribute the stock level carries must equal the subscription's.
macro_rules! matching_subscriptions {
    ($db:ty, $prefix:expr, $key:expr, $after:expr, $until:expr, $limit:expr, $with_contact:expr) => {{
        let mut sql = sqlx::QueryBuilder::<$db>::new($prefix);
        sql.push(if $with_contact {
            "SELECT s.id, s.contact_id, s.locale, s.external_id, s.created_on, c.attributes \
             FROM subscriptions s JOIN contacts c ON c.id = s.contact_id WHERE "
        } else {
            "SELECT s.id, s.contact_id, s.locale, s.external_id, s.created_on, NULL AS attributes \
             FROM subscriptions s WHERE "
        });
        // Always a lower bound, so every chunk's plan is the same keyset walk.
        $crate::store::engine::sql::matching_where!(
            sql,
            $key,
            Some($after.unwrap_or(Uuid::nil())),
            $until
        );
        sql.push(" ORDER BY s.id LIMIT ")
            .push_bind(i64::try_from($limit).unwrap_or(i64::MAX));
        sql
    }};
}

pub(crate) use {impl_engine_store, matching_subscriptions, matching_where};

/// Deletes the subscriptions with these ids (in one statement, in ascending id order when
/// given so); answers the ids that were still there: the ones this transaction consumed.
#[async_trait::async_trait]
pub(crate) trait DeleteSubscriptions {
    async fn delete_subscriptions(
        &mut self,
        ids: &[uuid::Uuid],
    ) -> Result<std::collections::HashSet<uuid::Uuid>, sqlx::Error>;
}

/// A row another transaction is deleting blocks until that one commits and is then not
/// returned: that is what makes consumption exactly-once across instances.
#[async_trait::async_trait]
impl DeleteSubscriptions for sqlx::PgConnection {
    async fn delete_subscriptions(
        &mut self,
        ids: &[uuid::Uuid],
    ) -> Result<std::collections::HashSet<uuid::Uuid>, sqlx::Error> {
        let gone: Vec<uuid::Uuid> =
            sqlx::query_scalar("DELETE FROM subscriptions WHERE id = ANY($1) RETURNING id")
                .bind(ids)
                .fetch_all(&mut *self)
                .await?;
        Ok(gone.into_iter().collect())
    }
}
