//! The delivery worker's SQL, shared by both backends like every aggregate's `sql.rs`.

use crate::store::instances::claimable;

/// The columns of an [`OutboxItem`](crate::store::OutboxItem), joined from the notification, its
/// route, its product snapshot and the contact.
pub(crate) const ITEM_SELECT: &str = "SELECT n.id, n.subscription_id, n.contact_id, c.attributes, c.accepts_email, \
     p.sku, n.locale, n.external_id, p.quantity, n.subscribed_on, r.automation_id, r.branch, r.actions, \
     n.actions_done, n.attempts, p.data AS product, n.product_id \
     FROM notifications n JOIN notification_routes r ON r.id = n.route_id \
     JOIN product_snapshots p ON p.id = n.product_id JOIN contacts c ON c.id = n.contact_id";

/// SQLite claims due notifications: pending, retry time reached, held by no live worker.
pub(crate) const SQLITE_CLAIM: &str = concat!(
    "UPDATE notifications SET claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_ms <= $3 AND ",
    claimable!("$3", "$5"),
    " ORDER BY next_attempt_ms, id LIMIT $4) \
     RETURNING id"
);

/// PostgreSQL claims due notifications: pending, retry time reached, held by no live worker.
pub(crate) const POSTGRES_CLAIM: &str = concat!(
    "UPDATE notifications SET claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_ms <= $3 AND ",
    claimable!("$3", "$5"),
    " ORDER BY next_attempt_ms, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
     RETURNING id"
);

/// Notifications per status on SQLite: the counts migration 0010 keeps, three rows.
pub(crate) const SQLITE_DEPTH: &str = "SELECT status, n FROM outbox_counts";

/// Notifications per status on PostgreSQL, counted: no counter rows that every instance's delivery
/// transactions would queue on (SQLite keeps them, migration 0010).
pub(crate) const POSTGRES_DEPTH: &str =
    "SELECT status, COUNT(*) FROM notifications GROUP BY status";

/// Implements [`crate::store::OutboxStore`] for `$store` (see `impl_contact_store!`); `$claim`
/// is the backend's statement claiming due notifications. The delivery worker's outcome
/// records are a large transaction that runs alone (see `impl_engine_store!`).
macro_rules! impl_outbox_store {
    ($store:ty, $db:ty, read: $read:ident, claim: $claim:expr, depth: $depth:expr) => {
        const _: () = {
        use std::time::Duration;
        use uuid::Uuid;
        use chrono::{DateTime, Utc};
        use $crate::store::insights::history::InsightsTx;
        use $crate::store::row::{self, INSERT_CHUNK};
        use $crate::store::{Finish, OutboxEntry, OutboxItem, StoreError};

        #[async_trait::async_trait]
        impl $crate::store::OutboxStore for $store {
            async fn claim_notifications(
                &self,
                worker: &str,
                lease: Duration,
                limit: usize,
            ) -> Result<Vec<OutboxItem>, StoreError> {
                let worker = worker.to_owned();
                self.write(limit, move |conn| Box::pin(async move {
                    let now_ms = row::now().timestamp_millis();
                    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
                    let ids: Vec<Uuid> = sqlx::query_scalar($claim)
                        .bind(&worker)
                        .bind(now_ms.saturating_add(lease_ms))
                        .bind(now_ms)
                        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                        .bind($crate::store::instances::stale_before_ms(now_ms))
                        .fetch_all(&mut *conn)
                        .await?;
                    if ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut sql = sqlx::QueryBuilder::<$db>::new($crate::store::outbox::sql::ITEM_SELECT);
                    sql.push(" WHERE n.id IN (");
                    let mut list = sql.separated(", ");
                    for id in &ids {
                        list.push_bind(*id);
                    }
                    sql.push(") ORDER BY n.id");
                    let found: Vec<$crate::store::outbox::rows::ItemRow> = sql.build_query_as().fetch_all(&mut *conn).await?;
                    Ok(found.into_iter().map(Into::into).collect())
                }))
                .await
            }

            async fn finish_notifications(&self, worker: &str, finished: &[(Uuid, Finish)]) -> Result<u64, StoreError> {
                let mut conn = self.writer().await?;
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                let mut applied = 0;
                let (mut delivered, mut dead) = (Vec::new(), Vec::new());
                for (id, finish) in finished {
                let now = row::now();
                let query = match finish {
                    Finish::Delivered => sqlx::query(
                        "UPDATE notifications SET status = 'delivered', finished_on = $1, lease_until_ms = NULL, \
                         last_error = NULL WHERE id = $2 AND claimed_by = $3 \
                         AND status = 'pending'",
                    )
                    .bind(now),
                    Finish::Retry { at_ms, error, actions_done } => sqlx::query(
                        "UPDATE notifications SET next_attempt_ms = $1, last_error = $2, actions_done = $3, \
                         lease_until_ms = NULL WHERE id = $4 AND claimed_by = $5 AND status = 'pending'",
                    )
                    .bind(*at_ms)
                    .bind(error.as_str())
                    .bind(i64::from(*actions_done)),
                    Finish::Defer { at_ms } => sqlx::query(
                        "UPDATE notifications SET next_attempt_ms = $1, attempts = attempts - 1, \
                         lease_until_ms = NULL WHERE id = $2 AND claimed_by = $3 AND status = 'pending'",
                    )
                    .bind(*at_ms),
                    Finish::Release { actions_done, error } => sqlx::query(
                        "UPDATE notifications SET attempts = attempts - 1, actions_done = $1, \
                         last_error = COALESCE($2, last_error), lease_until_ms = NULL \
                         WHERE id = $3 AND claimed_by = $4 AND status = 'pending'",
                    )
                    .bind(i64::from(*actions_done))
                    .bind(error.as_deref()),
                    Finish::Dead { reason, actions_done } => sqlx::query(
                        "UPDATE notifications SET status = 'dead', finished_on = $1, last_error = $2, \
                         actions_done = $3, lease_until_ms = NULL WHERE id = $4 AND claimed_by = $5 \
                         AND status = 'pending'",
                    )
                    .bind(now)
                    .bind(reason.as_str())
                    .bind(i64::from(*actions_done)),
                };
                let done = query.bind(*id).bind(worker).execute(&mut *tx).await?;
                applied += done.rows_affected();
                match finish {
                    Finish::Delivered if done.rows_affected() > 0 => delivered.push(*id),
                    Finish::Dead { .. } if done.rows_affected() > 0 => dead.push(*id),
                    _ => {}
                }
                }
                InsightsTx::deliveries_finished(&mut *tx, self.zone, &delivered, &dead).await?;
                let mut counts = $crate::store::tracking::model::Counts::default();
                $crate::store::tracking::sql::attribute_deliveries!($db, tx, delivered, self.attribution, &mut counts);
                $crate::store::tracking::sql::write_counts!(tx, counts, self.zone);
                tx.commit().await?;
                Ok(applied)
            }

            async fn outbox(&self, status: Option<&str>, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
                let mut sql = sqlx::QueryBuilder::<$db>::new(
                    "SELECT n.id, n.contact_id, p.sku, n.locale, r.automation_id, r.branch, n.status, n.attempts, \
                     n.last_error, p.created_on, n.next_attempt_ms FROM notifications n \
                     JOIN notification_routes r ON r.id = n.route_id JOIN product_snapshots p ON p.id = n.product_id",
                );
                if let Some(status) = status {
                    sql.push(" WHERE n.status = ").push_bind(status);
                }
                sql.push(" ORDER BY n.id DESC LIMIT ").push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
                let found: Vec<$crate::store::outbox::rows::EntryRow> = sql.build_query_as().fetch_all(&self.$read).await?;
                Ok(found.into_iter().map(Into::into).collect())
            }

            async fn delivered_since(
                &self,
                contacts: &[Uuid],
                since: DateTime<Utc>,
            ) -> Result<Vec<(Uuid, DateTime<Utc>)>, StoreError> {
                let mut found = Vec::new();
                for chunk in contacts.chunks(INSERT_CHUNK) {
                    let mut sql = sqlx::QueryBuilder::<$db>::new(
                        "SELECT contact_id, finished_on FROM notifications WHERE status = 'delivered' AND finished_on >= ",
                    );
                    sql.push_bind(since).push(" AND contact_id IN (");
                    let mut list = sql.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    sql.push(")");
                    let rows: Vec<(Uuid, DateTime<Utc>)> = sql.build_query_as().fetch_all(&self.$read).await?;
                    found.extend(rows);
                }
                Ok(found)
            }

            async fn outbox_depth(&self) -> Result<Vec<(String, u64)>, StoreError> {
                let rows: Vec<(String, i64)> = sqlx::query_as($depth).fetch_all(&self.$read).await?;
                Ok(rows
                    .into_iter()
                    .map(|(status, n)| (status, u64::try_from(n).unwrap_or_default()))
                    .collect())
            }

            async fn requeue_dead(&self) -> Result<u64, StoreError> {
                self.write(1, move |conn| Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_ms = 0, \
                         finished_on = NULL WHERE status = 'dead'",
                    )
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected())
                }))
                .await
            }

            async fn purge(&self, status: &str) -> Result<u64, StoreError> {
                let status = status.to_owned();
                self.write(1, move |conn| Box::pin(async move {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                    InsightsTx::archive_notifications(&mut *tx, &status, None).await?;
                    let done = sqlx::query("DELETE FROM notifications WHERE status = $1 AND status <> 'pending'")
                        .bind(&status)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(done.rows_affected())
                }))
                .await
            }
        }
        };
    };
}

pub(crate) use impl_outbox_store;
