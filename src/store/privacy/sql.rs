//! The SQL of a contact's export and erasure, written once for both backends.

/// Implements [`crate::store::PrivacyStore`] for `$store` (see `impl_contact_store!`).
macro_rules! impl_privacy_store {
    ($store:ty, $db:ty, read: $read:ident) => {
        const _: () = {
        use chrono::{DateTime, Utc};
        use uuid::Uuid;
        use $crate::store::privacy::model::*;
        use $crate::store::StoreError;

        type Conn = <$db as sqlx::Database>::Connection;

        /// One attempt at the erasure, in a transaction of its own.
        async fn erase_once(conn: &mut Conn, contact: Uuid) -> Result<Option<Erased>, StoreError> {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let key: Option<String> =
                sqlx::query_scalar("SELECT email_key FROM contacts WHERE id = $1")
                    .bind(contact)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(key) = key else { return Ok(None) };
            let mut erased = Erased::default();
            // Counted before the cascade removes them.
            for (table, count) in [
                ("subscriptions", &mut erased.subscriptions),
                ("consents", &mut erased.consents),
                ("notifications", &mut erased.notifications),
                ("backinstock_history", &mut erased.history),
                ("receipts", &mut erased.receipts),
            ] {
                let n: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM {table} WHERE contact_id = $1"
                ))
                .bind(contact)
                .fetch_one(&mut *tx)
                .await?;
                *count = u64::try_from(n).unwrap_or_default();
            }
            let conversions: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM conversions WHERE receipt_id IN \
                 (SELECT id FROM receipts WHERE contact_id = $1)",
            )
            .bind(contact)
            .fetch_one(&mut *tx)
            .await?;
            erased.conversions = u64::try_from(conversions).unwrap_or_default();
            // Clicks hang on notification ids, not on the contact.
            erased.clicks = sqlx::query(
                "DELETE FROM clicks WHERE notification_id IN \
                 (SELECT id FROM notifications WHERE contact_id = $1)",
            )
            .bind(contact)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            erased.pending_subscriptions =
                sqlx::query("DELETE FROM pending_subscriptions WHERE email_key = $1")
                    .bind(&key)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            erased.contacts = sqlx::query("DELETE FROM contacts WHERE id = $1")
                .bind(contact)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(Some(erased))
        }

        #[async_trait::async_trait]
        impl $crate::store::PrivacyStore for $store {
            async fn contact_notifications(
                &self,
                contact: Uuid,
            ) -> Result<Vec<ContactNotification>, StoreError> {
                type Row = (
                    Uuid, Uuid, String, String, String, String, String, i64, Option<String>,
                    Option<DateTime<Utc>>, Option<DateTime<Utc>>,
                );
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT n.id, n.subscription_id, p.sku, n.locale, r.automation_id, r.branch, \
                            n.status, CAST(n.attempts AS BIGINT), n.last_error, n.finished_on, c.clicked_on \
                     FROM notifications n \
                     JOIN product_snapshots p ON p.id = n.product_id \
                     JOIN notification_routes r ON r.id = n.route_id \
                     LEFT JOIN clicks c ON c.notification_id = n.id \
                     WHERE n.contact_id = $1 ORDER BY n.id",
                )
                .bind(contact)
                .fetch_all(&self.$read)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| ContactNotification {
                        id: r.0,
                        subscription_id: r.1,
                        sku: r.2,
                        locale: r.3,
                        automation: r.4,
                        branch: r.5,
                        status: r.6,
                        attempts: r.7,
                        last_error: r.8,
                        finished_on: r.9,
                        clicked_on: r.10,
                    })
                    .collect())
            }

            async fn contact_receipts(&self, contact: Uuid) -> Result<Vec<ContactReceipt>, StoreError> {
                type Row = (Uuid, DateTime<Utc>, DateTime<Utc>, Option<String>);
                let receipts: Vec<Row> = sqlx::query_as(
                    "SELECT id, created_date, received_on, currency FROM receipts \
                     WHERE contact_id = $1 ORDER BY created_date, id",
                )
                .bind(contact)
                .fetch_all(&self.$read)
                .await?;
                let lines: Vec<(Uuid, String, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT receipt_id, sku, CAST(quantity AS BIGINT), paid_e4 FROM receipt_items \
                     WHERE contact_id = $1 ORDER BY receipt_id, position",
                )
                .bind(contact)
                .fetch_all(&self.$read)
                .await?;
                Ok(receipts
                    .into_iter()
                    .map(|(id, created_date, received_on, currency)| ContactReceipt {
                        id,
                        created_date,
                        received_on,
                        currency,
                        items: lines
                            .iter()
                            .filter(|l| l.0 == id)
                            .map(|l| ReceiptLine { sku: l.1.clone(), quantity: l.2, paid_e4: l.3 })
                            .collect(),
                    })
                    .collect())
            }

            async fn erase_contact(&self, contact: Uuid) -> Result<Option<Erased>, StoreError> {
                // The cascade can deadlock with an engine chunk consuming this contact's
                // subscriptions (PostgreSQL picks one to fail); the erasure is safe to repeat.
                self.write(1, move |conn| Box::pin(async move {
                    let mut tries = 0;
                    loop {
                        tries += 1;
                        match erase_once(conn, contact).await {
                            Err(err) if err.is_retryable() && tries < 3 => continue,
                            result => return result,
                        }
                    }
                }))
                .await
            }
        }
        };
    };
}

pub(crate) use impl_privacy_store;
