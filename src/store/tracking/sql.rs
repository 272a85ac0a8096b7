//! The SQL of click tracking and conversion attribution, shared by both backends like
//! `contacts/sql.rs`. Attribution runs in two transactions, whichever comes second: the
//! receipt's (a receipt for an earlier delivery) and the delivery outcome's (a receipt
//! stored before the delivery was recorded, dated after it). Either way the conversion is
//! the earliest dated receipt in the window, whatever order they were posted in.

/// Makes `$fact` the conversion of `$notification` unless an earlier dated receipt
/// already is (a later dated one is replaced, its counts taken back), adding the counts
/// to `$counts`. Idempotent: the same receipt twice changes nothing.
macro_rules! convert {
    ($tx:expr, $notification:expr, $fact:expr, $dims:expr, $counts:expr) => {{
        let (notification, fact, dims, counts) = ($notification, $fact, $dims, $counts);
        let inserted = sqlx::query(
            "INSERT INTO conversions (notification_id, receipt_id, converted_on, revenue_e4, currency) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notification_id) DO NOTHING",
        )
        .bind(notification)
        .bind(fact.receipt)
        .bind(fact.on)
        .bind(fact.revenue_e4)
        .bind(fact.currency.as_deref())
        .execute(&mut *$tx)
        .await?;
        if inserted.rows_affected() == 1 {
            counts.conversion(fact, dims, 1);
        } else {
            // Another receipt is the conversion: replace it only if this one is earlier.
            // The update names the receipt it replaces, so of two concurrent
            // replacements (PostgreSQL) one wins and the other looks again.
            for _ in 0..3 {
                let old: Option<(Uuid, DateTime<Utc>, Option<i64>, Option<String>)> = sqlx::query_as(
                    "SELECT receipt_id, converted_on, revenue_e4, currency FROM conversions \
                     WHERE notification_id = $1",
                )
                .bind(notification)
                .fetch_optional(&mut *$tx)
                .await?;
                let Some((receipt, on, revenue_e4, currency)) = old else { break };
                let old = $crate::store::tracking::model::ConversionFact { receipt, on, revenue_e4, currency };
                if (fact.on, fact.receipt) >= (old.on, old.receipt) {
                    break;
                }
                let replaced = sqlx::query(
                    "UPDATE conversions SET receipt_id = $1, converted_on = $2, revenue_e4 = $3, currency = $4 \
                     WHERE notification_id = $5 AND receipt_id = $6",
                )
                .bind(fact.receipt)
                .bind(fact.on)
                .bind(fact.revenue_e4)
                .bind(fact.currency.as_deref())
                .bind(notification)
                .bind(old.receipt)
                .execute(&mut *$tx)
                .await?;
                if replaced.rows_affected() == 1 {
                    counts.conversion(&old, dims, -1);
                    counts.conversion(fact, dims, 1);
                    break;
                }
            }
        }
    }};
}

/// Attributes a receipt being recorded (`$id`, its items already written) to the
/// contact's notifications delivered within `$window` before it that notified one of
/// its SKUs.
macro_rules! attribute_receipt {
    ($db:ty, $tx:expr, $id:expr, $receipt:expr, $window:expr, $counts:expr) => {{
        let (id, receipt) = ($id, $receipt);
        let mut skus: Vec<&str> = receipt.items.iter().map(|i| i.sku.as_str()).collect();
        skus.sort_unstable();
        skus.dedup();
        let mut sql = sqlx::QueryBuilder::<$db>::new(
            "SELECT n.id, p.sku, n.locale, r.automation_id, r.branch FROM notifications n \
             JOIN product_snapshots p ON p.id = n.product_id JOIN notification_routes r ON r.id = n.route_id \
             WHERE n.status = 'delivered' AND n.contact_id = ",
        );
        sql.push_bind(receipt.contact_id)
            .push(" AND n.finished_on <= ")
            .push_bind(receipt.created_date)
            .push(" AND n.finished_on >= ")
            .push_bind(receipt.created_date - $window)
            .push(" AND p.sku IN (");
        let mut list = sql.separated(", ");
        for sku in &skus {
            list.push_bind(*sku);
        }
        sql.push(") ORDER BY n.id");
        let notified: Vec<(Uuid, String, String, String, String)> =
            sql.build_query_as().fetch_all(&mut *$tx).await?;
        let currency = receipt.currency.as_ref().map(|c| c.as_str());
        for (notification, sku, locale, automation, branch) in notified {
            let lines = receipt.items.iter().filter(|i| i.sku.as_str() == sku).map(|i| i.paid.map(|p| p.e4()));
            let (revenue_e4, currency) = $crate::store::tracking::model::revenue(lines, currency);
            let fact = $crate::store::tracking::model::ConversionFact { receipt: id, on: receipt.created_date, revenue_e4, currency };
            let dims = $crate::store::tracking::model::Dims { automation, branch, locale };
            $crate::store::tracking::sql::convert!($tx, notification, &fact, &dims, &mut *$counts);
        }
    }};
}

/// Attributes to the notifications `$ids` just recorded delivered the receipts already
/// stored for their contact and SKU, dated within `$window` after the delivery.
macro_rules! attribute_deliveries {
    ($db:ty, $tx:expr, $ids:expr, $window:expr, $counts:expr) => {{
        let ids: Vec<Uuid> = $ids;
        for chunk in ids.chunks(INSERT_CHUNK) {
            let mut sql = sqlx::QueryBuilder::<$db>::new(
                "SELECT n.id, n.finished_on, n.locale, r.automation_id, r.branch, ri.receipt_id, \
                 ri.purchased_on, ri.paid_e4, rc.currency FROM notifications n \
                 JOIN product_snapshots p ON p.id = n.product_id JOIN notification_routes r ON r.id = n.route_id \
                 JOIN receipt_items ri ON ri.contact_id = n.contact_id AND ri.sku = p.sku \
                 JOIN receipts rc ON rc.id = ri.receipt_id \
                 WHERE n.status = 'delivered' AND ri.purchased_on >= n.finished_on AND n.id IN (",
            );
            let mut list = sql.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            sql.push(") ORDER BY n.id, ri.purchased_on, ri.receipt_id");
            type Row = (Uuid, DateTime<Utc>, String, String, String, Uuid, DateTime<Utc>, Option<i64>, Option<String>);
            let found: Vec<Row> = sql.build_query_as().fetch_all(&mut *$tx).await?;
            let in_window = found.into_iter().filter(|row| row.6 <= row.1 + $window);
            let mut earliest: Vec<(Uuid, String, String, String, Uuid, DateTime<Utc>, Vec<Option<i64>>, Option<String>)> = Vec::new();
            for (notification, _, locale, automation, branch, receipt, on, paid, currency) in in_window {
                match earliest.last_mut() {
                    // Rows come earliest receipt first: later receipts of a notification
                    // are not its conversion, other lines of its receipt add revenue.
                    Some(last) if last.0 == notification => {
                        if last.4 == receipt {
                            last.6.push(paid);
                        }
                    }
                    _ => earliest.push((notification, locale, automation, branch, receipt, on, vec![paid], currency)),
                }
            }
            for (notification, locale, automation, branch, receipt, on, lines, currency) in earliest {
                let (revenue_e4, currency) = $crate::store::tracking::model::revenue(lines, currency.as_deref());
                let fact = $crate::store::tracking::model::ConversionFact { receipt, on, revenue_e4, currency };
                let dims = $crate::store::tracking::model::Dims { automation, branch, locale };
                $crate::store::tracking::sql::convert!($tx, notification, &fact, &dims, &mut *$counts);
            }
        }
    }};
}

/// Adds `$counts` to the daily statistics inside the open transaction, day by day in
/// `$zone` (each day's rows in key order, see [`crate::store::DailyStats`]).
macro_rules! write_counts {
    ($tx:expr, $counts:expr, $zone:expr) => {{
        for stats in $counts.by_day($zone) {
            $crate::store::AddStats::add_stats(&mut *$tx, &stats).await?;
        }
    }};
}

/// Implements [`crate::store::TrackingStore`] for `$store` (see `impl_contact_store!`).
macro_rules! impl_tracking_store {
    ($store:ty, $db:ty, read: $read:ident) => {
        const _: () = {
        use uuid::Uuid;
        use chrono::{DateTime, Utc};
        use $crate::store::row::{self, INSERT_CHUNK};
        use $crate::store::{Click, ClickTarget, Conversion, NewReceipt, Receipt, StoreError, DELIVERED};

        #[async_trait::async_trait]
        impl $crate::store::TrackingStore for $store {
            async fn click_target(&self, notification: Uuid, product: Uuid, link: &str) -> Result<Option<ClickTarget>, StoreError> {
                let data: Option<sqlx::types::Json<serde_json::Value>> =
                    sqlx::query_scalar("SELECT data FROM product_snapshots WHERE id = $1")
                        .bind(product)
                        .fetch_optional(&self.$read)
                        .await?;
                let Some(data) = data else { return Ok(None) };
                let delivered: Option<(String, Option<DateTime<Utc>>)> = sqlx::query_as(
                    "SELECT status, finished_on FROM notifications WHERE id = $1 AND product_id = $2",
                )
                .bind(notification)
                .bind(product)
                .fetch_optional(&self.$read)
                .await?;
                let delivered_on = delivered
                    .filter(|(status, _)| status == DELIVERED)
                    .and_then(|(_, on)| on);
                Ok(Some(ClickTarget { link: data.0.get(link).cloned(), delivered_on }))
            }

            async fn record_click(&self, notification: Uuid, link: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
                let (link, zone) = (link.to_owned(), self.zone);
                self.write(1, move |conn| Box::pin(async move {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    let dims: Option<(String, String, String)> = sqlx::query_as(
                        "SELECT r.automation_id, r.branch, n.locale FROM notifications n \
                         JOIN notification_routes r ON r.id = n.route_id WHERE n.id = $1 AND n.status = 'delivered'",
                    )
                    .bind(notification)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some((automation, branch, locale)) = dims else { return Ok(false) };
                    let inserted = sqlx::query(
                        "INSERT INTO clicks (notification_id, link, clicked_on) VALUES ($1, $2, $3) \
                         ON CONFLICT (notification_id) DO NOTHING",
                    )
                    .bind(notification)
                    .bind(&link)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                    if inserted.rows_affected() == 0 {
                        return Ok(false);
                    }
                    let mut counts = $crate::store::tracking::model::Counts::default();
                    counts.add(at, &$crate::store::tracking::model::Dims { automation, branch, locale }, $crate::store::stats::metric::CLICKED, 1);
                    $crate::store::tracking::sql::write_counts!(tx, counts, zone);
                    tx.commit().await?;
                    Ok(true)
                }))
                .await
            }

            async fn click(&self, notification: Uuid) -> Result<Option<Click>, StoreError> {
                let row: Option<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT notification_id, link, clicked_on FROM clicks WHERE notification_id = $1",
                )
                .bind(notification)
                .fetch_optional(&self.$read)
                .await?;
                Ok(row.map(|(notification_id, link, clicked_on)| Click { notification_id, link, clicked_on }))
            }

            async fn conversion(&self, notification: Uuid) -> Result<Option<Conversion>, StoreError> {
                let row: Option<(Uuid, Uuid, DateTime<Utc>, Option<i64>, Option<String>)> = sqlx::query_as(
                    "SELECT notification_id, receipt_id, converted_on, revenue_e4, currency FROM conversions \
                     WHERE notification_id = $1",
                )
                .bind(notification)
                .fetch_optional(&self.$read)
                .await?;
                Ok(row.map(|(notification_id, receipt_id, converted_on, revenue_e4, currency)| Conversion {
                    notification_id,
                    receipt_id,
                    converted_on,
                    revenue_e4,
                    currency,
                }))
            }

            async fn record_receipt(&self, receipt: NewReceipt) -> Result<Receipt, StoreError> {
                let (window, zone) = (self.attribution, self.zone);
                self.write(receipt.items.len() + 1, move |conn| Box::pin(async move {
                    let id = row::new_id();
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    sqlx::query("INSERT INTO receipts (id, contact_id, created_date, received_on, currency) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id)
                        .bind(receipt.contact_id)
                        .bind(receipt.created_date)
                        .bind(row::now())
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
                    let mut counts = $crate::store::tracking::model::Counts::default();
                    $crate::store::tracking::sql::attribute_receipt!($db, tx, id, &receipt, window, &mut counts);
                    $crate::store::tracking::sql::write_counts!(tx, counts, zone);
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
    };
}

pub(crate) use {
    attribute_deliveries, attribute_receipt, convert, impl_tracking_store, write_counts,
};
