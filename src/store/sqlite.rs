//! The embedded default: one SQLite file in WAL mode.

use std::str::FromStr;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use uuid::Uuid;

use super::console_lists::impl_console_list_store;
use super::engine_model::*;
use super::engine_queries::{impl_engine_store, DeleteSubscriptions};
use super::group::{GroupWriter, Lent};
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

/// A worker claims the oldest batch that no live worker holds (see `instances.rs`), taking
/// batches with stock levels someone waits for before the others (`triage`, settle.rs). SQLite runs
/// one write at a time, so the select-and-update is atomic without row locks.
const CLAIM: &str = concat!(
    "UPDATE stock_batches SET claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id = (SELECT id FROM stock_batches WHERE processed_on IS NULL AND ",
    claimable!("$3", "$4"),
    " ORDER BY triage DESC, id LIMIT 1) \
     RETURNING id, received_on, item_count, attempts, progress_item, progress_cursor"
);

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

    /// The writer connection alone, between groups (see [`GroupWriter::lend`]).
    async fn writer(&self) -> Result<Lent, StoreError> {
        self.group.lend().await
    }
}

/// Claims due notifications: pending, retry time reached, held by no live worker.
const CLAIM_NOTIFICATIONS: &str = concat!(
    "UPDATE notifications SET claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_ms <= $3 AND ",
    claimable!("$3", "$5"),
    " ORDER BY next_attempt_ms, id LIMIT $4) \
     RETURNING id"
);

/// Notifications per status: the counts migration 0010 keeps, three rows.
const OUTBOX_DEPTH: &str = "SELECT status, n FROM outbox_counts";

/// The attribution window until the configuration sets one.
const ATTRIBUTION: chrono::Duration = chrono::Duration::days(7);

impl_store!(SqliteStore, sqlx::Sqlite, read: reader, claim: CLAIM);
impl_engine_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_settle_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_part_store!(SqliteStore, sqlx::Sqlite, read: reader, lock: "");
impl_outbox_store!(SqliteStore, sqlx::Sqlite, read: reader, claim: CLAIM_NOTIFICATIONS, depth: OUTBOX_DEPTH);
impl_instance_store!(SqliteStore);
impl_session_store!(SqliteStore, read: reader);
impl_insights_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_console_list_store!(SqliteStore, sqlx::Sqlite, read: reader);
impl_tracking_store!(SqliteStore, sqlx::Sqlite, read: reader);
