//! The console's lists, a page at a time: the integration log by stock level and the
//! outbox by notification, both newest first with keyset paging (a page starts after or
//! before the key of the row where the previous one ended), so page 500 costs what
//! page 1 costs and a row written meanwhile shifts nothing. SQL shared by both backends.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::Sku;
use crate::store::{LogRow, OutboxEntry, StoreError};

/// Where a page starts, by the key of a row of the neighbouring page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyset<K> {
    /// The newest rows.
    First,
    /// Rows older than this key (the next page).
    After(K),
    /// Rows newer than this key (the previous page).
    Before(K),
}

/// A stock level's key in the integration log: its batch and position.
pub type LevelKey = (Uuid, usize);

/// Which stock levels of the integration log.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub sku: Option<Sku>,
    pub since: Option<DateTime<Utc>>,
    /// Only stock levels that held subscriptions back (an outcome other than
    /// matched, sent or expired).
    pub held_only: bool,
}

/// A page of rows, newest first, and whether there are rows on either side.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub newer: bool,
    pub older: bool,
}

impl<T> Page<T> {
    /// From `found` (up to `limit + 1` rows, read in the page's direction: newest first
    /// for First and After, oldest first for Before).
    pub(crate) fn from_found<K>(mut found: Vec<T>, limit: usize, at: &Keyset<K>) -> Self {
        let more = found.len() > limit;
        found.truncate(limit);
        match at {
            Keyset::First => Page {
                rows: found,
                newer: false,
                older: more,
            },
            Keyset::After(_) => Page {
                rows: found,
                newer: true,
                older: more,
            },
            Keyset::Before(_) => {
                found.reverse();
                Page {
                    rows: found,
                    newer: more,
                    older: true,
                }
            }
        }
    }
}

/// The console's paged reads.
#[async_trait::async_trait]
pub trait ConsoleListStore: Send + Sync + 'static {
    /// Up to `limit + 1` stock levels the filter selects, from `at` on in its direction,
    /// each with every one of its log rows (grouped by stock level, in reading order).
    async fn log_page(
        &self,
        filter: &LogFilter,
        at: Keyset<LevelKey>,
        limit: usize,
    ) -> Result<Vec<LogRow>, StoreError>;
    /// Up to `limit + 1` notifications of `status`, from `at` on in its direction.
    async fn outbox_page(
        &self,
        status: &str,
        at: Keyset<Uuid>,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError>;
}

/// Implements [`ConsoleListStore`] for `$store` on `$db`, reading through `self.$read`.
macro_rules! impl_console_list_store {
    ($store:ty, $db:ty, read: $read:ident) => {
        const _: () = {
        use $crate::store::StoreError;

        #[async_trait::async_trait]
        impl $crate::store::ConsoleListStore for $store {
            async fn log_page(
                &self,
                filter: &$crate::store::LogFilter,
                at: $crate::store::Keyset<$crate::store::LevelKey>,
                limit: usize,
            ) -> Result<Vec<$crate::store::LogRow>, StoreError> {
                use $crate::store::Keyset;
                // The page's stock levels by their `matched` row, then every row of those.
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "SELECT batch_id, item, outcome, automation, branch, sku, locale, external_id, quantity, count, \
                     logged_on FROM integration_log WHERE (batch_id, item) IN (\
                     SELECT m.batch_id, m.item FROM integration_log m WHERE m.outcome = 'matched'",
                );
                if let Some(since) = filter.since {
                    sql.push(" AND m.logged_on >= ").push_bind(since);
                }
                if let Some(sku) = &filter.sku {
                    sql.push(" AND m.sku = ").push_bind(sku.as_str().to_owned());
                }
                if filter.held_only {
                    sql.push(
                        " AND EXISTS (SELECT 1 FROM integration_log h WHERE h.batch_id = m.batch_id \
                         AND h.item = m.item AND h.outcome NOT IN ('matched', 'sent', 'expired'))",
                    );
                }
                let (order, inner) = match at {
                    Keyset::First => ("DESC", None),
                    Keyset::After(key) => ("DESC", Some((" AND (m.batch_id, m.item) < (", key))),
                    Keyset::Before(key) => ("ASC", Some((" AND (m.batch_id, m.item) > (", key))),
                };
                if let Some((cmp, (batch, item))) = inner {
                    sql.push(cmp)
                        .push_bind(batch)
                        .push(", ")
                        .push_bind(i64::try_from(item).unwrap_or(i64::MAX))
                        .push(")");
                }
                sql.push(format!(" ORDER BY m.batch_id {order}, m.item {order} LIMIT "))
                    .push_bind(i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX))
                    .push(format!(
                        ") ORDER BY batch_id {order}, item {order}, outcome, automation, branch"
                    ));
                let found: Vec<$crate::store::engine::rows::LogRowRaw> =
                    sql.build_query_as().fetch_all(&self.$read).await?;
                found.into_iter().map(TryInto::try_into).collect()
            }

            async fn outbox_page(
                &self,
                status: &str,
                at: $crate::store::Keyset<::uuid::Uuid>,
                limit: usize,
            ) -> Result<Vec<$crate::store::OutboxEntry>, StoreError> {
                use $crate::store::Keyset;
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "SELECT n.id, n.contact_id, p.sku, n.locale, r.automation_id, r.branch, n.status, n.attempts, \
                     n.last_error, p.created_on, n.next_attempt_ms FROM notifications n \
                     JOIN notification_routes r ON r.id = n.route_id JOIN product_snapshots p ON p.id = n.product_id \
                     WHERE n.status = ",
                );
                sql.push_bind(status.to_owned());
                if status != $crate::store::PENDING {
                    // Lets the planner use the partial (status, id) index of migration 0008.
                    sql.push(" AND n.status <> 'pending'");
                }
                let order = match at {
                    Keyset::First => "DESC",
                    Keyset::After(id) => {
                        sql.push(" AND n.id < ").push_bind(id);
                        "DESC"
                    }
                    Keyset::Before(id) => {
                        sql.push(" AND n.id > ").push_bind(id);
                        "ASC"
                    }
                };
                sql.push(format!(" ORDER BY n.id {order} LIMIT "))
                    .push_bind(i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX));
                let found: Vec<$crate::store::outbox::rows::EntryRow> =
                    sql.build_query_as().fetch_all(&self.$read).await?;
                Ok(found.into_iter().map(Into::into).collect())
            }
        }
        };
    };
}

pub(crate) use impl_console_list_store;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_knows_its_neighbours_and_reads_newest_first() {
        let first = Page::from_found(vec![9, 8, 7], 2, &Keyset::<u8>::First);
        assert_eq!(
            (first.rows, first.newer, first.older),
            (vec![9, 8], false, true)
        );
        let last = Page::from_found(vec![6], 2, &Keyset::After(7u8));
        assert_eq!((last.rows, last.newer, last.older), (vec![6], true, false));
        let back = Page::from_found(vec![7, 8, 9], 2, &Keyset::Before(6u8));
        assert_eq!(
            (back.rows, back.newer, back.older),
            (vec![8, 7], true, true)
        );
    }
}
