//! The SQL of the insights (demand, history, retention), written once for both backends.

use uuid::Uuid;

use super::model::HistoryEntry;

/// The filters of the demand list, pushed onto `$sql` (which ends in `WHERE waiting >= …`).
macro_rules! demand_filters {
    ($sql:expr, $q:expr) => {
        if let Some(locale) = &$q.locale {
            $sql.push(" AND locale = ").push_bind(locale.clone());
        }
        if let Some(prefix) = &$q.sku_prefix {
            $sql.push(" AND substr(sku, 1, ")
                .push_bind(i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX))
                .push(") = ")
                .push_bind(prefix.clone());
        }
    };
}

macro_rules! impl_insights_store {
    ($store:ty, $db:ty, read: $read:ident) => {
        const _: () = {
        use uuid::Uuid;
        use chrono::{DateTime, NaiveDate, Utc};
        use $crate::store::insights::history::InsightsTx;
        use $crate::store::stats::StatRow;
        use $crate::store::{DemandPage, DemandQuery, HistoryEntry, LastLevel, Purged, StoreError};

        #[async_trait::async_trait]
        impl $crate::store::InsightsStore for $store {
            fn stats_zone(&self) -> $crate::store::StatsZone {
                self.zone
            }

            async fn demand(&self, q: &DemandQuery) -> Result<DemandPage, StoreError> {
                let min = i64::try_from(q.min_waiting.max(1)).unwrap_or(i64::MAX);
                let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM demand WHERE waiting >= ");
                count.push_bind(min);
                $crate::store::insights::sql::demand_filters!(count, q);
                let total: i64 = count.build_query_scalar().fetch_one(&self.$read).await?;
                // The page from the counts, then each row's oldest and newest subscription
                // from the (sku, locale, id) index: ids are time-ordered.
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "SELECT d.sku, d.locale, d.external_id, d.waiting, d.created_sum_s, \
                     (SELECT s.created_on FROM subscriptions s WHERE s.sku = d.sku AND s.locale = d.locale \
                      AND s.external_id = d.external_id ORDER BY s.id LIMIT 1) AS oldest, \
                     (SELECT s.created_on FROM subscriptions s WHERE s.sku = d.sku AND s.locale = d.locale \
                      AND s.external_id = d.external_id ORDER BY s.id DESC LIMIT 1) AS newest, \
                     (SELECT COUNT(*) FROM pending_subscriptions p WHERE p.sku = d.sku \
                      AND p.locale = d.locale AND p.external_id = d.external_id) AS pending \
                     FROM (SELECT sku, locale, external_id, waiting, created_sum_s FROM demand WHERE waiting >= ",
                );
                sql.push_bind(min);
                $crate::store::insights::sql::demand_filters!(sql, q);
                sql.push(" ORDER BY waiting DESC, sku, locale, external_id LIMIT ")
                    .push_bind(i64::try_from(q.limit).unwrap_or(i64::MAX))
                    .push(" OFFSET ")
                    .push_bind(i64::try_from(q.offset).unwrap_or(i64::MAX))
                    .push(") d ORDER BY d.waiting DESC, d.sku, d.locale, d.external_id");
                let found: Vec<$crate::store::insights::rows::DemandRaw> = sql.build_query_as().fetch_all(&self.$read).await?;
                let mut rows = Vec::with_capacity(found.len());
                for raw in found {
                    let level = self.last_level(&raw.sku, &raw.locale, &raw.external_id).await?;
                    rows.push(raw.into_row(level));
                }
                Ok(DemandPage { total: u64::try_from(total).unwrap_or_default(), rows })
            }

            async fn waiting_now(&self, locale: Option<&str>) -> Result<u64, StoreError> {
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "SELECT CAST(COALESCE(SUM(waiting), 0) AS BIGINT) FROM demand WHERE waiting > 0",
                );
                if let Some(locale) = locale {
                    sql.push(" AND locale = ").push_bind(locale);
                }
                let n: i64 = sql.build_query_scalar().fetch_one(&self.$read).await?;
                Ok(u64::try_from(n).unwrap_or_default())
            }

            async fn daily_stats(
                &self,
                from: NaiveDate,
                to: NaiveDate,
                automation: Option<&str>,
                locale: Option<&str>,
            ) -> Result<Vec<StatRow>, StoreError> {
                // Summed: on PostgreSQL a counter is kept in shards (migration 0010), whose
                // sum (numeric there) can pass the 64-bit range when shards saturated: it
                // saturates too, rather than fail the cast.
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "SELECT day, automation, branch, locale, metric, CAST(CASE \
                     WHEN SUM(value) > 9223372036854775807 THEN 9223372036854775807 \
                     WHEN SUM(value) < -9223372036854775807 - 1 THEN -9223372036854775807 - 1 \
                     ELSE SUM(value) END AS BIGINT) AS value \
                     FROM daily_stats WHERE day >= ",
                );
                sql.push_bind(from.format("%Y-%m-%d").to_string())
                    .push(" AND day <= ")
                    .push_bind(to.format("%Y-%m-%d").to_string());
                if let Some(automation) = automation {
                    sql.push(" AND automation = ").push_bind(automation);
                }
                if let Some(locale) = locale {
                    sql.push(" AND locale = ").push_bind(locale);
                }
                sql.push(
                    " GROUP BY day, automation, branch, locale, metric \
                     ORDER BY day, automation, branch, locale, metric",
                );
                Ok(sql.build_query_as().fetch_all(&self.$read).await?)
            }

            async fn history(&self, contact: Uuid) -> Result<Option<Vec<HistoryEntry>>, StoreError> {
                let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM contacts WHERE id = $1")
                    .bind(contact)
                    .fetch_optional(&self.$read)
                    .await?;
                if exists.is_none() {
                    return Ok(None);
                }
                let waiting: Vec<HistoryEntry> = sqlx::query_as(
                    "SELECT id AS subscription_id, sku, locale, external_id, created_on AS subscribed_on, \
                     'waiting' AS status, NULL AS ended_on, NULL AS notification_id, '' AS automation, \
                     '' AS branch, NULL AS notification_status, 0 AS attempts, NULL AS last_error, \
                     NULL AS finished_on, NULL AS clicked_on, NULL AS converted_on, NULL AS revenue_e4, \
                     NULL AS currency FROM subscriptions WHERE contact_id = $1",
                )
                .bind(contact)
                .fetch_all(&self.$read)
                .await?;
                let in_outbox: Vec<HistoryEntry> = sqlx::query_as(
                    "SELECT n.subscription_id, p.sku, n.locale, n.external_id, n.subscribed_on, \
                     'triggered' AS status, p.created_on AS ended_on, n.id AS notification_id, \
                     r.automation_id AS automation, r.branch, n.status AS notification_status, n.attempts, \
                     n.last_error, n.finished_on, k.clicked_on, v.converted_on, v.revenue_e4, v.currency \
                     FROM notifications n \
                     JOIN notification_routes r ON r.id = n.route_id \
                     JOIN product_snapshots p ON p.id = n.product_id \
                     LEFT JOIN clicks k ON k.notification_id = n.id \
                     LEFT JOIN conversions v ON v.notification_id = n.id WHERE n.contact_id = $1",
                )
                .bind(contact)
                .fetch_all(&self.$read)
                .await?;
                let ended: Vec<HistoryEntry> = sqlx::query_as(
                    "SELECT h.subscription_id, h.sku, h.locale, h.external_id, h.subscribed_on, h.status, \
                     h.ended_on, h.notification_id, h.automation, h.branch, h.notification_status, h.attempts, \
                     h.last_error, h.finished_on, k.clicked_on, v.converted_on, v.revenue_e4, v.currency \
                     FROM backinstock_history h \
                     LEFT JOIN clicks k ON k.notification_id = h.notification_id \
                     LEFT JOIN conversions v ON v.notification_id = h.notification_id \
                     WHERE h.contact_id = $1",
                )
                .bind(contact)
                .fetch_all(&self.$read)
                .await?;
                Ok(Some($crate::store::insights::sql::merge_history(waiting, in_outbox, ended)))
            }

            async fn purge_old(
                &self,
                history_before: Option<DateTime<Utc>>,
                delivered_before: Option<DateTime<Utc>>,
            ) -> Result<Purged, StoreError> {
                self.write(1, move |conn| Box::pin(async move {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    let mut purged = Purged::default();
                    if let Some(before) = delivered_before {
                        InsightsTx::archive_notifications(&mut *tx, "delivered", Some(before)).await?;
                        let done = sqlx::query(
                            "DELETE FROM notifications WHERE status = 'delivered' AND finished_on < $1",
                        )
                        .bind(before)
                        .execute(&mut *tx)
                        .await?;
                        purged.notifications = done.rows_affected();
                    }
                    if let Some(before) = history_before {
                        let done = sqlx::query("DELETE FROM backinstock_history WHERE ended_on < $1")
                            .bind(before)
                            .execute(&mut *tx)
                            .await?;
                        purged.history = done.rows_affected();
                    }
                    tx.commit().await?;
                    Ok(purged)
                }))
                .await
            }
        }

        impl $store {
            /// The latest stock level these subscriptions match (one for their SKU alone, or
            /// with their locale or external id), and the reasons it held subscriptions back.
            async fn last_level(
                &self,
                sku: &str,
                locale: &str,
                external_id: &str,
            ) -> Result<Option<LastLevel>, StoreError> {
                let level: Option<$crate::store::insights::rows::LevelRaw> = sqlx::query_as(
                    "SELECT quantity, updated_on, locale, external_id, batch_id, item FROM stock_levels \
                     WHERE sku = $1 AND locale IN ($2, '') AND external_id IN ($3, '') \
                     ORDER BY updated_on DESC, batch_id DESC LIMIT 1",
                )
                .bind(sku)
                .bind(locale)
                .bind(external_id)
                .fetch_optional(&self.$read)
                .await?;
                let Some(level) = level else { return Ok(None) };
                let log: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT outcome, count FROM integration_log WHERE batch_id = $1 AND item = $2 \
                     ORDER BY count DESC, outcome",
                )
                .bind(level.batch_id)
                .bind(level.item)
                .fetch_all(&self.$read)
                .await?;
                Ok(Some(LastLevel {
                    quantity: level.quantity,
                    reported_on: level.updated_on,
                    locale: level.locale,
                    external_id: level.external_id,
                    processed: !log.is_empty(),
                    held_back: log
                        .into_iter()
                        .filter(|(outcome, _)| $crate::store::insights::rows::is_held_reason(outcome))
                        .map(|(outcome, n)| (outcome, u64::try_from(n).unwrap_or_default()))
                        .collect(),
                }))
            }
        }
        };
    };
}

pub(crate) use {demand_filters, impl_insights_store};

/// One list from the three places a subscription's story is kept, oldest first; an
/// archived row wins over the outbox row of the same subscription (there is at most one,
/// only while a purge runs).
pub(crate) fn merge_history(
    waiting: Vec<HistoryEntry>,
    in_outbox: Vec<HistoryEntry>,
    ended: Vec<HistoryEntry>,
) -> Vec<HistoryEntry> {
    let archived: std::collections::HashSet<Uuid> =
        ended.iter().map(|e| e.subscription_id).collect();
    let mut all: Vec<HistoryEntry> = waiting
        .into_iter()
        .chain(ended)
        .chain(
            in_outbox
                .into_iter()
                .filter(|e| !archived.contains(&e.subscription_id)),
        )
        .collect();
    all.sort_by(|a, b| {
        (a.subscribed_on, a.subscription_id).cmp(&(b.subscribed_on, b.subscription_id))
    });
    all
}
