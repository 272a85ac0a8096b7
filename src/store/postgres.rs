//! PostgreSQL, for several Restock instances sharing one database.

use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::Postgres;

use super::console::lists::impl_console_list_store;
use super::console::sessions::impl_session_store;
use super::contacts::sql::impl_contact_store;
use super::engine::parts_sql::impl_part_store;
use super::engine::settle_sql::impl_settle_store;
use super::engine::sql::impl_engine_store;
use super::insights::sql::impl_insights_store;
use super::instances::sql::impl_instance_store;
use super::outbox::sql::impl_outbox_store;
use super::privacy::sql::impl_privacy_store;
use super::stock::sql::impl_stock_store;
use super::storefront::sql::impl_storefront_store;
use super::tracking::sql::impl_tracking_store;
use super::{Store, StoreError};

pub struct PostgresStore {
    pub(super) pool: PgPool,
    /// The zone statistics count days in.
    pub(super) zone: super::StatsZone,
    /// How long after a delivery a receipt is its conversion.
    pub(super) attribution: chrono::Duration,
}

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

    /// Runs `op` and adds the daily statistics it returns in one transaction, committed
    /// before this returns (SQLite adds them once per group commit instead).
    async fn write_counted<T, F>(&self, _weight: usize, op: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(
            &'c mut PgConnection,
        ) -> BoxFuture<'c, Result<(T, super::DailyStats), StoreError>>,
    {
        let mut conn = self.pool.acquire().await?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let (value, stats) = op(&mut tx).await?;
        super::AddStats::add_stats(&mut *tx, &stats).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Runs a write of one statement autocommitted. On PostgreSQL such a statement adds its
    /// own counts (as `counting_subscription_insert` does), so `op` returns none; counts it
    /// returns all the same are a defect, logged, and still added, just after it.
    async fn write_counted_statement<T, F>(&self, _weight: usize, op: F) -> Result<T, StoreError>
    where
        F: for<'c> FnOnce(
            &'c mut PgConnection,
        ) -> BoxFuture<'c, Result<(T, super::DailyStats), StoreError>>,
    {
        let mut conn = self.pool.acquire().await?;
        let (value, stats) = op(&mut conn).await?;
        if !stats.is_empty() {
            tracing::error!("a one-statement write returned counts; added after it, not with it");
            super::AddStats::add_stats(&mut *conn, &stats).await?;
        }
        Ok(value)
    }

    /// A pooled connection, for what SQLite runs alone on its writer connection.
    async fn writer(&self) -> Result<PoolConnection<Postgres>, StoreError> {
        Ok(self.pool.acquire().await?)
    }
}

/// The attribution window until the configuration sets one.
const ATTRIBUTION: chrono::Duration = chrono::Duration::days(7);

/// Readiness: the pool answers, for reading and for writing alike.
#[async_trait::async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        self.write(0, |conn| {
            Box::pin(async move {
                sqlx::query("SELECT 1").execute(&mut *conn).await?;
                Ok(())
            })
        })
        .await
    }
}

impl_contact_store!(PostgresStore, sqlx::Postgres, read: pool, counting_insert: true);
impl_stock_store!(PostgresStore, sqlx::Postgres, read: pool, claim: super::stock::sql::POSTGRES_CLAIM);
impl_engine_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_settle_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_part_store!(PostgresStore, sqlx::Postgres, read: pool, lock: " FOR UPDATE SKIP LOCKED");
impl_outbox_store!(PostgresStore, sqlx::Postgres, read: pool, claim: super::outbox::sql::POSTGRES_CLAIM, depth: super::outbox::sql::POSTGRES_DEPTH);
impl_instance_store!(PostgresStore);
impl_session_store!(PostgresStore, read: pool);
impl_insights_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_console_list_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_tracking_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_storefront_store!(PostgresStore, sqlx::Postgres, read: pool);
impl_privacy_store!(PostgresStore, sqlx::Postgres, read: pool);
