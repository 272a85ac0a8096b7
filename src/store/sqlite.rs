//! The embedded default: one SQLite file in WAL mode.

use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use super::console::lists::impl_console_list_store;
use super::console::sessions::impl_session_store;
use super::contacts::sql::impl_contact_store;
use super::engine::parts_sql::impl_part_store;
use super::engine::settle_sql::impl_settle_store;
use super::engine::sql::impl_engine_store;
use super::group::{GroupWriter, Lent};
use super::insights::sql::impl_insights_store;
use super::instances::sql::impl_instance_store;
use super::outbox::sql::impl_outbox_store;
use super::privacy::sql::impl_privacy_store;
use super::stock::sql::impl_stock_store;
use super::storefront::sql::impl_storefront_store;
use super::tracking::sql::impl_tracking_store;
use super::{Store, StoreError};

/// SQLite allows one writer at a time. All writes go through a single connection, owned
/// by the group writer's task, so they queue instead of failing with SQLITE_BUSY; reads use
/// their own pool and see every committed write (WAL). Small writes share commits (one
/// fsync for many); the engine's chunks and the delivery worker's outcomes are large and
/// borrow the connection alone, between groups.
pub struct SqliteStore {
    pub(super) reader: SqlitePool,
    group: GroupWriter,
    /// The zone statistics count days in.
    pub(super) zone: super::StatsZone,
    /// How long after a delivery a receipt is its conversion.
    pub(super) attribution: chrono::Duration,
}

impl SqliteStore {
    /// Opens (creating if the URL says `mode=rwc`) the database and runs migrations.
    pub async fn connect(url: &str, max_readers: u32) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit survives power loss too, which "2xx means durable" requires
            // (NORMAL in WAL mode may lose the last commits on an OS crash).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(max_readers.max(1))
            .connect_with(options.read_only(true))
            .await?;
        let group = GroupWriter::start(writer);
        Ok(Self {
            reader,
            group,
            zone: super::StatsZone::default(),
            attribution: ATTRIBUTION,
        })
    }

    /// Runs `op` in the next group commit (see [`GroupWriter::write`]).
    async fn write<T, F>(&self, weight: usize, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        self.group.write(weight, op).await
    }

    /// Runs `op`, which returns the daily statistics it counts, in the next group commit:
    /// the group's own SAVEPOINT makes `op` all or nothing, and its counts are added with
    /// the group's (see [`GroupWriter::write_counted`]).
    async fn write_counted<T, F>(&self, weight: usize, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut SqliteConnection,
            ) -> BoxFuture<'c, Result<(T, super::DailyStats), StoreError>>
            + Send
            + 'static,
    {
        self.group.write_counted(weight, op).await
    }

    /// [`SqliteStore::write_counted`] for a write that is one statement (see
    /// [`GroupWriter::write_counted_statement`]): no savepoint of its own.
    async fn write_counted_statement<T, F>(&self, weight: usize, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut SqliteConnection,
            ) -> BoxFuture<'c, Result<(T, super::DailyStats), StoreError>>
            + Send
            + 'static,
    {
        self.group.write_counted_statement(weight, op).await
    }

    /// The writer connection alone, between groups (see [`GroupWriter::lend`]).
    async fn writer(&self) -> Result<Lent, StoreError> {
        self.group.lend().await
    }
}

/// The attribution window until the configuration sets one.
const ATTRIBUTION: chrono::Duration = chrono::Duration::days(7);

/// Readiness, through both of SQLite's paths: the reader pool and the group writer's task,
/// which must be alive for any write to be answered.
#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        self.write(0, |conn| {
            Box::pin(async move {
                sqlx::query("SELECT 1").execute(&mut *conn).await?;
                Ok(())
            })
        })
        .await
    }
}

impl_contact_store!(SqliteStore, sqlx::Sqlite, read: reader, counting_insert: false);
impl_stock_store!(SqliteStore, sqlx::Sqlite, read: reader, claim: super::stock::sql::SQLITE_CLAIM);
impl_engine_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_settle_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_part_store!(SqliteStore, sqlx::Sqlite, read: reader, lock: "");
impl_outbox_store!(SqliteStore, sqlx::Sqlite, read: reader, claim: super::outbox::sql::SQLITE_CLAIM, depth: super::outbox::sql::SQLITE_DEPTH);
impl_instance_store!(SqliteStore);
impl_session_store!(SqliteStore, read: reader);
impl_insights_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_console_list_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_tracking_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_storefront_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_privacy_store!(SqliteStore, sqlx::Sqlite, read: reader);
