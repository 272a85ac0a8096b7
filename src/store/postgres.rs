//! PostgreSQL, for several Restock instances sharing one database.

use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::Postgres;
use uuid::Uuid;

use super::console_lists::impl_console_list_store;
use super::engine_model::*;
use super::engine_queries::{impl_engine_store, matching_subscriptions, DeleteSubscriptions};
use super::history::{self, InsightsTx};
use super::insights_store::{
    self, impl_insights_store, DemandPage, DemandQuery, HistoryEntry, LastLevel, Purged,
};
use super::instances::{self, claimable, impl_instance_store};
use super::model::*;
use super::outbox_model::*;
use super::outbox_queries::{self, impl_outbox_store};
use super::parts_queries::impl_part_store;
use super::queries::{
    email_key_of, impl_store, merge, received_stats, CONTACT_COLUMNS, INSERT_CHUNK,
    SUBSCRIPTION_COLUMNS,
};
use super::sessions::impl_session_store;
use super::settle::{LevelMatches, SettleCommit, SettledLevel};
use super::settle_queries::{self, impl_settle_store};
use super::stats::StatRow;
use super::tracking_model::*;
use super::tracking_queries::impl_tracking_store;
use super::{engine_rows, outbox_rows, rows, StoreError};
use crate::domain::Sku;
use chrono::NaiveDate;
use chrono::{DateTime, Utc};

pub struct PostgresStore {
    pool: PgPool,
    /// The zone statistics count days in.
    pub(super) zone: super::StatsZone,
    /// How long after a delivery a receipt is its conversion.
    pub(super) attribution: chrono::Duration,
}

/// A worker claims the oldest batch that no live worker holds (see `instances.rs`), taking
/// batches with stock levels someone waits for before the others (`triage`, settle.rs).
/// Instances claim concurrently: `SKIP LOCKED` lets each take a different batch instead of
/// queueing behind a row another instance is claiming.
const CLAIM: &str = concat!(
    "UPDATE stock_batches SET claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id = (SELECT id FROM stock_batches WHERE processed_on IS NULL AND ",
    claimable!("$3", "$4"),
    " ORDER BY triage DESC, id LIMIT 1 \
                 FOR UPDATE SKIP LOCKED) \
     RETURNING id, received_on, item_count, attempts, progress_item, progress_cursor"
);

impl PostgresStore {
    /// Connects and runs migrations (serialized across instances by sqlx's advisory lock).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(Self {
            pool,
            zone: super::StatsZone::default(),
            attribution: ATTRIBUTION,
        })
    }

    /// Runs `op` on a pooled connection, outside a transaction like any pool query: the
    /// server commits concurrent transactions in parallel, so there is nothing to group.
    /// `weight` only matters to SQLite's group commit.
    async fn write<T, F>(&self, _weight: usize, op: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, StoreError>>,
    {
        let mut conn = self.pool.acquire().await?;
        op(&mut conn).await
    }

    /// A pooled connection, for what SQLite runs alone on its writer connection.
    async fn writer(&self) -> Result<PoolConnection<Postgres>, StoreError> {
        Ok(self.pool.acquire().await?)
    }
}

impl PostgresStore {
    async fn match_candidates(
        &self,
        key: &StockKey,
        after: Option<Uuid>,
        until: Option<Uuid>,
        limit: usize,
        with_contact: bool,
    ) -> Result<Vec<Candidate>, StoreError> {
        let mut sql =
            matching_subscriptions!(sqlx::Postgres, "", key, after, until, limit, with_contact);
        let rows: Vec<engine_rows::CandidateRow> =
            sql.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

/// Claims due notifications: pending, retry time reached, held by no live worker.
const CLAIM_NOTIFICATIONS: &str = concat!(
    "UPDATE notifications SET claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_ms <= $3 AND ",
    claimable!("$3", "$5"),
    " ORDER BY next_attempt_ms, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
     RETURNING id"
);

/// Notifications per status, counted: no counter rows that every instance's delivery
/// transactions would queue on (SQLite keeps them, migration 0010).
const OUTBOX_DEPTH: &str = "SELECT status, COUNT(*) FROM notifications GROUP BY status";

/// The attribution window until the configuration sets one.
const ATTRIBUTION: chrono::Duration = chrono::Duration::days(7);

impl_store!(PostgresStore, sqlx::Postgres, read: pool, claim: CLAIM);
impl_engine_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_settle_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_part_store!(PostgresStore, sqlx::Postgres, read: pool, lock: " FOR UPDATE SKIP LOCKED");
impl_outbox_store!(PostgresStore, sqlx::Postgres, read: pool, claim: CLAIM_NOTIFICATIONS, depth: OUTBOX_DEPTH);
impl_instance_store!(PostgresStore);
impl_session_store!(PostgresStore, read: pool);
impl_insights_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_console_list_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_tracking_store!(PostgresStore, sqlx::Postgres, read: pool);
