//! The SQL of contacts and their subscriptions, written once for both backends.

use std::sync::LazyLock;

pub(crate) const CONTACT_COLUMNS: &str =
    "id, attributes, source, accepts_email, created_on, modified_on, version";
pub(crate) const SUBSCRIPTION_COLUMNS: &str =
    "id, contact_id, sku, locale, external_id, created_on";

/// A new subscription, `$1`–`$6`; nothing when its twin exists.
pub(crate) static SUBSCRIPTION_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO subscriptions (id, contact_id, sku, locale, external_id, created_on) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING {SUBSCRIPTION_COLUMNS}"
    )
});

/// [`SUBSCRIPTION_INSERT`] adding its `subscribed` count for day `$7` in the same
/// statement: on PostgreSQL one autocommitted round trip, as the insert alone was, where a
/// transaction around it and the count took four (`BEGIN`, the two, `COMMIT`). SQLite counts
/// once per group commit instead (`group/tally.rs`).
pub(crate) static COUNTING_SUBSCRIPTION_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH inserted AS ({insert}), \
         counted AS (\
           INSERT INTO daily_stats (day, automation, branch, locale, metric, value, shard) \
           SELECT $7, '', '', locale, '{metric}', 1, CAST(pg_backend_pid() % 64 AS SMALLINT) \
           FROM inserted \
           ON CONFLICT (day, automation, branch, locale, metric, shard) {update}) \
         SELECT {SUBSCRIPTION_COLUMNS} FROM inserted",
        insert = *SUBSCRIPTION_INSERT,
        metric = crate::store::insights::stats::metric::SUBSCRIBED,
        update = crate::store::insights::stats::SATURATING_UPDATE,
    )
});

/// The subscription a new one would repeat, `$1`–`$4`.
pub(crate) static SUBSCRIPTION_TWIN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions \
         WHERE contact_id = $1 AND sku = $2 AND locale = $3 AND external_id = $4"
    )
});

/// Implements [`crate::store::ContactStore`] for `$store`, whose `$read` pool serves reads;
/// `counting_insert`: whether its subscription insert counts itself
/// ([`COUNTING_SUBSCRIPTION_INSERT`], PostgreSQL) rather than through its group (SQLite).
///
/// Writes run through `$store::write(weight, op)`, where `op` takes the connection: on
/// SQLite it joins a group commit (`group/`), already inside a transaction, so a write that
/// needs atomicity `begin()`s a nested transaction, which sqlx makes a savepoint there and a
/// real transaction on PostgreSQL. The SQL is the same either way. A write that counts
/// daily statistics goes through `$store::write_counted(weight, op)` instead: `op` returns
/// its counts, it is all or nothing without a nested transaction (SQLite: the group's own
/// savepoint; PostgreSQL: a transaction around it and the counts). A new subscription,
/// one statement, goes through `$store::write_counted_statement`: no savepoint on SQLite,
/// and on PostgreSQL no transaction, its count being added by the statement itself.
macro_rules! impl_contact_store {
    ($store:ty, $db:ty, read: $read:ident, counting_insert: $counting:expr) => {
        const _: () = {
        use uuid::Uuid;
        use $crate::store::contacts::rows;
        use $crate::store::contacts::sql::{email_key_of, merge, CONTACT_COLUMNS, SUBSCRIPTION_COLUMNS};
        use $crate::store::insights::history::{self, InsightsTx};
        use $crate::store::row::{self, column};
        use $crate::store::{Contact, ContactChanges, NewContact, NewSubscription, StoreError, Subscribed, Subscription};

        #[async_trait::async_trait]
        impl $crate::store::ContactStore for $store {
            async fn create_contact(&self, new: NewContact) -> Result<Contact, StoreError> {
                self.write(1, move |conn| Box::pin(async move {
                    let now = row::now();
                    let sql = format!(
                        "INSERT INTO contacts (id, email_key, attributes, source, created_on, modified_on) \
                         VALUES ($1, $2, $3, $4, $5, $5) RETURNING {CONTACT_COLUMNS}"
                    );
                    let row: rows::ContactRow = sqlx::query_as(&sql)
                        .bind(row::new_id())
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
                let end = $crate::store::contacts::sql::prefix_end(&prefix)
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
                        .bind(row::now())
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
                // A deletion is an erasure: the sign-ups at the address and the clicks on
                // the contact's notifications go too (see `privacy/`).
                Ok($crate::store::PrivacyStore::erase_contact(self, id).await?.is_some())
            }

            async fn subscribe(&self, new: NewSubscription) -> Result<Subscribed, StoreError> {
                let counting: bool = $counting;
                let insert: &'static str = if counting {
                    &$crate::store::contacts::sql::COUNTING_SUBSCRIPTION_INSERT
                } else {
                    &$crate::store::contacts::sql::SUBSCRIPTION_INSERT
                };
                let twin: &'static str = &$crate::store::contacts::sql::SUBSCRIPTION_TWIN;
                let zone = self.zone;
                // One statement changes anything (the INSERT that succeeds), so on SQLite it
                // needs no savepoint: `write_counted_statement` spares it (a round trip on the
                // connection every write waits for) and adds the `subscribed` count with it;
                // on PostgreSQL the statement counts itself and runs alone, autocommitted.
                self.write_counted_statement(1, move |conn| Box::pin(async move {
                    let external_id = column(&new.external_id);
                    // The day the statement counts for (PostgreSQL): its counts are its own.
                    let counts_itself = counting.then(|| $crate::store::DailyStats::new(zone.today()));
                    loop {
                        let query = sqlx::query_as(insert)
                            .bind(row::new_id())
                            .bind(new.contact_id)
                            .bind(new.sku.as_str())
                            .bind(new.locale.as_str())
                            .bind(external_id)
                            .bind(row::now());
                        let query = match &counts_itself {
                            Some(today) => query.bind(today.day().to_owned()),
                            None => query,
                        };
                        let inserted: Option<rows::SubscriptionRow> = query
                            .fetch_optional(&mut *conn)
                            .await
                            .map_err(StoreError::on_constraint)?;
                        if let Some(row) = inserted {
                            let counted = match counts_itself {
                                Some(nothing_more) => nothing_more,
                                None => history::subscribed_stats(zone, &row.locale),
                            };
                            let subscription = row.try_into()?;
                            return Ok((Subscribed { subscription, created: true }, counted));
                        }
                        let found: Option<rows::SubscriptionRow> = sqlx::query_as(twin)
                            .bind(new.contact_id)
                            .bind(new.sku.as_str())
                            .bind(new.locale.as_str())
                            .bind(external_id)
                            .fetch_optional(&mut *conn)
                            .await?;
                        // None: the twin was consumed or deleted in between; insert again.
                        if let Some(row) = found {
                            let nothing = $crate::store::DailyStats::new(zone.today());
                            return Ok((Subscribed { subscription: row.try_into()?, created: false }, nothing));
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
                        .bind(row::now())
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

        }
        };
    };
}

pub(crate) use impl_contact_store;

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
