//! The SQL both backends share, written once. sqlx's types differ per database, so the
//! implementation is a macro expanded for each store; only claiming differs (see
//! `sqlite.rs` and `postgres.rs`).

/// Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bind
/// parameters with six columns.
pub(crate) const INSERT_CHUNK: usize = 1_000;

pub(crate) const CONTACT_COLUMNS: &str =
    "id, attributes, source, accepts_email, created_on, modified_on, version";
pub(crate) const SUBSCRIPTION_COLUMNS: &str =
    "id, contact_id, sku, locale, external_id, created_on";

/// Implements [`crate::store::Store`] for `$store`, whose `$read` pool serves reads;
/// `$claim` is the backend's claiming statement.
///
/// Writes run through `$store::write(weight, op)`, where `op` takes the connection: on
/// SQLite it joins a group commit (`sqlite_group.rs`), already inside a transaction, so a
/// write that needs atomicity `begin()`s a nested transaction, which sqlx makes a savepoint
/// there and a real transaction on PostgreSQL. The SQL is the same either way.
/// The daily statistics of a call that stored `levels`: `stock_levels` per locale.
pub(crate) fn received_stats(
    zone: super::StatsZone,
    levels: &[super::StockLevel],
) -> super::DailyStats {
    let mut per_locale = std::collections::BTreeMap::<&str, i64>::new();
    for level in levels {
        *per_locale
            .entry(super::model::column(&level.key.locale))
            .or_default() += 1;
    }
    let mut stats = super::DailyStats::new(zone.today());
    for (locale, n) in per_locale {
        let key = super::StatKey::locale(locale);
        stats.add(key, super::stats::metric::STOCK_LEVELS, n);
    }
    stats
}

macro_rules! impl_store {
    ($store:ty, $db:ty, read: $read:ident, claim: $claim:expr) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.$read).await?;
                // And through the write path: on SQLite that is the group writer's task,
                // which must be alive for any write to be answered.
                self.write(0, |conn| Box::pin(async move {
                    sqlx::query("SELECT 1").execute(&mut *conn).await?;
                    Ok(())
                }))
                .await
            }

            async fn create_contact(&self, new: NewContact) -> Result<Contact, StoreError> {
                self.write(1, move |conn| Box::pin(async move {
                    let now = rows::now();
                    let sql = format!(
                        "INSERT INTO contacts (id, email_key, attributes, source, created_on, modified_on) \
                         VALUES ($1, $2, $3, $4, $5, $5) RETURNING {CONTACT_COLUMNS}"
                    );
                    let row: rows::ContactRow = sqlx::query_as(&sql)
                        .bind(rows::new_id())
                        .bind(new.email.key())
                        .bind(sqlx::types::Json(&new.attributes))
                        .bind(&new.source)
                        .bind(now)
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(StoreError::on_constraint)?;
                    Ok(row.into())
                }))
                .await
            }

            async fn get_contact(&self, id: Uuid) -> Result<Option<Contact>, StoreError> {
                let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1");
                let row: Option<rows::ContactRow> =
                    sqlx::query_as(&sql).bind(id).fetch_optional(&self.$read).await?;
                Ok(row.map(Into::into))
            }

            async fn contact_by_email(&self, email: &$crate::domain::EmailAddress) -> Result<Option<Contact>, StoreError> {
                let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE email_key = $1");
                let row: Option<rows::ContactRow> =
                    sqlx::query_as(&sql).bind(email.key()).fetch_optional(&self.$read).await?;
                Ok(row.map(Into::into))
            }

            async fn contacts_by_email_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<Contact>, StoreError> {
                let prefix = prefix.to_lowercase();
                // SQLite compares text byte by byte, so the prefix is a range of the unique
                // index; PostgreSQL's collation may not be, so there the filter alone decides.
                let end = $crate::store::queries::prefix_end(&prefix)
                    .filter(|_| <$db as sqlx::Database>::NAME == "SQLite");
                let range = if end.is_some() { " AND email_key >= $2 AND email_key < $4" } else { "" };
                let sql = format!(
                    "SELECT {CONTACT_COLUMNS} FROM contacts WHERE substr(email_key, 1, $1) = $2{range} \
                     ORDER BY email_key LIMIT $3"
                );
                let mut query = sqlx::query_as::<_, rows::ContactRow>(&sql)
                    .bind(i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX))
                    .bind(&prefix)
                    .bind(i64::try_from(limit).unwrap_or(i64::MAX));
                if let Some(end) = &end {
                    query = query.bind(end);
                }
                let found = query.fetch_all(&self.$read).await?;
                Ok(found.into_iter().map(Into::into).collect())
            }

            async fn update_contact(&self, id: Uuid, changes: ContactChanges) -> Result<Contact, StoreError> {
                // Optimistic: merge in memory, write only if nobody changed the contact since.
                let select = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1");
                let update = format!(
                    "UPDATE contacts SET attributes = $1, email_key = $2, modified_on = $3, \
                     version = version + 1 WHERE id = $4 AND version = $5 RETURNING {CONTACT_COLUMNS}"
                );
                self.write(1, move |conn| Box::pin(async move { loop {
                    let current: rows::ContactRow = sqlx::query_as(&select)
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?
                        .ok_or(StoreError::ContactNotFound)?;
                    let attributes = merge(current.attributes.0, &changes);
                    let email_key = email_key_of(&attributes);
                    let updated: Option<rows::ContactRow> = sqlx::query_as(&update)
                        .bind(sqlx::types::Json(&attributes))
                        .bind(email_key)
                        .bind(rows::now())
                        .bind(id)
                        .bind(current.version)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(StoreError::on_constraint)?;
                    if let Some(row) = updated {
                        return Ok(row.into());
                    }
                } }))
                .await
            }

            async fn delete_contact(&self, id: Uuid) -> Result<bool, StoreError> {
                // The cascade can deadlock with an engine chunk consuming this contact's
                // subscriptions (PostgreSQL picks one to fail); the delete is safe to repeat.
                self.write(1, move |conn| Box::pin(async move {
                    let mut tries = 0;
                    loop {
                        tries += 1;
                        let done = sqlx::query("DELETE FROM contacts WHERE id = $1").bind(id).execute(&mut *conn).await;
                        match done.map_err(StoreError::from) {
                            Err(err) if err.is_retryable() && tries < 3 => continue,
                            result => return Ok(result?.rows_affected() > 0),
                        }
                    }
                }))
                .await
            }

            async fn subscribe(&self, new: NewSubscription) -> Result<Subscribed, StoreError> {
                let insert = format!(
                    "INSERT INTO subscriptions (id, contact_id, sku, locale, external_id, created_on) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING {SUBSCRIPTION_COLUMNS}"
                );
                let existing = format!(
                    "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions \
                     WHERE contact_id = $1 AND sku = $2 AND locale = $3 AND external_id = $4"
                );
                let zone = self.zone;
                self.write(1, move |conn| Box::pin(async move {
                    let external_id = column(&new.external_id);
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    loop {
                        let inserted: Option<rows::SubscriptionRow> = sqlx::query_as(&insert)
                            .bind(rows::new_id())
                            .bind(new.contact_id)
                            .bind(new.sku.as_str())
                            .bind(new.locale.as_str())
                            .bind(external_id)
                            .bind(rows::now())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(StoreError::on_constraint)?;
                        if let Some(row) = inserted {
                            InsightsTx::count_subscribed(&mut *tx, zone, &row.locale).await?;
                            tx.commit().await?;
                            return Ok(Subscribed { subscription: row.try_into()?, created: true });
                        }
                        let found: Option<rows::SubscriptionRow> = sqlx::query_as(&existing)
                            .bind(new.contact_id)
                            .bind(new.sku.as_str())
                            .bind(new.locale.as_str())
                            .bind(external_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                        // None: the twin was consumed or deleted in between; insert again.
                        if let Some(row) = found {
                            tx.commit().await?;
                            return Ok(Subscribed { subscription: row.try_into()?, created: false });
                        }
                    }
                }))
                .await
            }

            async fn unsubscribe(&self, id: Uuid) -> Result<bool, StoreError> {
                let zone = self.zone;
                let delete = format!("DELETE FROM subscriptions WHERE id = $1 RETURNING {SUBSCRIPTION_COLUMNS}");
                self.write(1, move |conn| Box::pin(async move {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    let removed: Vec<rows::SubscriptionRow> =
                        sqlx::query_as(&delete).bind(id).fetch_all(&mut *tx).await?;
                    InsightsTx::subscriptions_removed(&mut *tx, zone, &removed, history::DELETED).await?;
                    tx.commit().await?;
                    Ok(!removed.is_empty())
                }))
                .await
            }

            async fn opt_out(&self, contact: Uuid) -> Result<Option<u64>, StoreError> {
                let zone = self.zone;
                let delete = format!("DELETE FROM subscriptions WHERE contact_id = $1 RETURNING {SUBSCRIPTION_COLUMNS}");
                self.write(1, move |conn| Box::pin(async move {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    let updated = sqlx::query("UPDATE contacts SET accepts_email = $1, modified_on = $2, version = version + 1 WHERE id = $3")
                        .bind(false)
                        .bind(rows::now())
                        .bind(contact)
                        .execute(&mut *tx)
                        .await?;
                    if updated.rows_affected() == 0 {
                        return Ok(None);
                    }
                    let removed: Vec<rows::SubscriptionRow> =
                        sqlx::query_as(&delete).bind(contact).fetch_all(&mut *tx).await?;
                    InsightsTx::subscriptions_removed(&mut *tx, zone, &removed, history::UNSUBSCRIBED).await?;
                    tx.commit().await?;
                    Ok(Some(removed.len() as u64))
                }))
                .await
            }

            async fn contact_subscriptions(&self, contact: Uuid) -> Result<Option<Vec<Subscription>>, StoreError> {
                let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM contacts WHERE id = $1")
                    .bind(contact)
                    .fetch_optional(&self.$read)
                    .await?;
                if exists.is_none() {
                    return Ok(None);
                }
                let sql = format!(
                    "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE contact_id = $1 ORDER BY id"
                );
                let found: Vec<rows::SubscriptionRow> =
                    sqlx::query_as(&sql).bind(contact).fetch_all(&self.$read).await?;
                found.into_iter().map(TryInto::try_into).collect::<Result<_, _>>().map(Some)
            }

            async fn store_stock_levels(&self, levels: &[StockLevel]) -> Result<StockBatch, StoreError> {
                // Owned, to cross to the SQLite writer task; a copy costs far less than the write.
                let levels = levels.to_vec();
                let zone = self.zone;
                self.write(levels.len() + 1, move |conn| Box::pin(async move {
                    let levels = &levels[..];
                    let batch = StockBatch { id: rows::new_id(), received_on: rows::now(), item_count: levels.len() };
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    sqlx::query("INSERT INTO stock_batches (id, received_on, item_count) VALUES ($1, $2, $3)")
                        .bind(batch.id)
                        .bind(batch.received_on)
                        .bind(i64::try_from(levels.len()).unwrap_or(i64::MAX))
                        .execute(&mut *tx)
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
                        insert.build().execute(&mut *tx).await?;
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
                        upsert.build().execute(&mut *tx).await?;
                    }
                    let received = received_stats(zone, levels);
                    $crate::store::AddStats::add_stats(&mut *tx, &received).await?;
                    tx.commit().await?;
                    Ok(batch)
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
                    let now_ms = rows::now().timestamp_millis();
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
                    .bind(rows::now())
                    .bind(batch)
                    .bind(&worker)
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected() > 0)
                }))
                .await
            }

            async fn record_receipt(&self, receipt: NewReceipt) -> Result<Receipt, StoreError> {
                let (window, zone) = (self.attribution, self.zone);
                self.write(receipt.items.len() + 1, move |conn| Box::pin(async move {
                    let id = rows::new_id();
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    sqlx::query("INSERT INTO receipts (id, contact_id, created_date, received_on, currency) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id)
                        .bind(receipt.contact_id)
                        .bind(receipt.created_date)
                        .bind(rows::now())
                        .bind(receipt.currency.as_ref().map(|c| c.as_str()))
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::on_constraint)?;
                    for (chunk_no, chunk) in receipt.items.chunks(INSERT_CHUNK).enumerate() {
                        let mut insert = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO receipt_items (receipt_id, position, contact_id, sku, quantity, purchased_on, paid_e4) ",
                        );
                        insert.push_values(chunk.iter().enumerate(), |mut row, (i, item)| {
                            row.push_bind(id)
                                .push_bind((chunk_no * INSERT_CHUNK + i) as i64)
                                .push_bind(receipt.contact_id)
                                .push_bind(item.sku.as_str())
                                .push_bind(item.quantity.get())
                                .push_bind(receipt.created_date)
                                .push_bind(item.paid.map(|p| p.e4()));
                        });
                        insert.build().execute(&mut *tx).await?;
                    }
                    let mut counts = $crate::store::tracking_model::Counts::default();
                    $crate::store::tracking_queries::attribute_receipt!($db, tx, id, &receipt, window, &mut counts);
                    $crate::store::tracking_queries::write_counts!(tx, counts, zone);
                    tx.commit().await?;
                    Ok(Receipt {
                        id,
                        contact_id: receipt.contact_id,
                        created_date: receipt.created_date,
                        currency: receipt.currency,
                        items: receipt.items,
                    })
                }))
                .await
            }
        }
    };
}

pub(crate) use impl_store;

use super::model::{Attributes, ContactChanges};

/// Applies attribute changes: null removes, anything else sets.
pub(crate) fn merge(mut attributes: Attributes, changes: &ContactChanges) -> Attributes {
    for (key, value) in &changes.attributes {
        if value.is_null() {
            attributes.remove(key);
        } else {
            attributes.insert(key.clone(), value.clone());
        }
    }
    attributes
}

/// The first text after every text that starts with `prefix`, in code point (UTF-8 byte)
/// order: `prefix` with its last character made the next one. `None` if there is none.
pub(crate) fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    let last = chars.pop()?;
    let next = match last {
        '\u{D7FF}' => '\u{E000}',
        c => char::from_u32(u32::from(c) + 1)?,
    };
    chars.push(next);
    Some(chars.into_iter().collect())
}

pub(crate) fn email_key_of(attributes: &Attributes) -> String {
    attributes
        .get("email")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn a_prefix_ends_before_its_last_character_s_successor() {
        assert_eq!(prefix_end("user4242").as_deref(), Some("user4243"));
        assert_eq!(prefix_end("ada@").as_deref(), Some("adaA"));
        assert_eq!(prefix_end("å").as_deref(), Some("æ"));
        assert_eq!(prefix_end("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_end("a\u{10FFFF}"), None);
        assert_eq!(prefix_end(""), None);
    }
}
