//! Durable storage behind one trait, with an embedded SQLite implementation (the default)
//! and a PostgreSQL one (several instances sharing a database).

mod console_lists;
mod engine_model;
mod engine_queries;
mod engine_rows;
mod error;
mod group;
mod history;
mod insights_store;
mod instances;
mod model;
mod outbox_model;
mod outbox_queries;
mod outbox_rows;
mod parts;
mod parts_queries;
mod postgres;
mod queries;
mod rows;
mod sessions;
mod settle;
mod settle_queries;
mod sqlite;
mod sqlite_chunks;
pub mod stats;
pub(crate) mod tracking_model;
pub(crate) mod tracking_queries;

pub use console_lists::{ConsoleListStore, Keyset, LevelKey, LogFilter, Page};
pub use engine_model::*;
pub use error::StoreError;
pub use insights_store::{
    DemandPage, DemandQuery, DemandRow, HistoryEntry, InsightsStore, LastLevel, Purged,
};
pub use instances::{keep_alive, InstanceStore, HEARTBEAT_EVERY, STALE_AFTER};
pub use model::*;
pub use outbox_model::*;
pub use parts::{ClaimedPart, NewPart, PartBound, PartStore, SplitCommit};
pub use postgres::PostgresStore;
pub use sessions::{ConsoleSession, SessionStore};
pub use settle::{LevelMatches, SettleCommit, SettleStore, SettledLevel};
pub use sqlite::SqliteStore;
pub use stats::{AddStats, DailyStats, StatKey, StatsZone};
pub use tracking_model::{Click, ClickTarget, Conversion};

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{EmailAddress, Sku};

/// Everything the API and the workers need from the database. Every method that returns
/// `Ok` has committed its change: callers may answer 2xx right after.
#[async_trait]
pub trait Store:
    EngineStore
    + SettleStore
    + PartStore
    + OutboxStore
    + InstanceStore
    + InsightsStore
    + TrackingStore
    + SessionStore
    + ConsoleListStore
    + Send
    + Sync
    + 'static
{
    /// Succeeds when the database answers a trivial query, for reading and for writing
    /// (readiness).
    async fn ping(&self) -> Result<(), StoreError>;

    async fn create_contact(&self, new: NewContact) -> Result<Contact, StoreError>;
    async fn get_contact(&self, id: Uuid) -> Result<Option<Contact>, StoreError>;
    /// The contact with this address (compared as [`EmailAddress::key`]), for the
    /// console's contact search.
    async fn contact_by_email(&self, email: &EmailAddress) -> Result<Option<Contact>, StoreError>;
    /// Contacts whose address starts with `prefix` (case-insensitive), by address, at most
    /// `limit`. On PostgreSQL this reads every contact: for a person searching, not for a
    /// hot path.
    async fn contacts_by_email_prefix(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Contact>, StoreError>;
    /// Merges `changes` into the attributes (a null value removes an attribute).
    async fn update_contact(
        &self,
        id: Uuid,
        changes: ContactChanges,
    ) -> Result<Contact, StoreError>;
    /// Removes the contact with their subscriptions and purchases; false if unknown.
    async fn delete_contact(&self, id: Uuid) -> Result<bool, StoreError>;

    /// Creates a subscription, or returns the identical active one (`created == false`).
    async fn subscribe(&self, new: NewSubscription) -> Result<Subscribed, StoreError>;
    async fn unsubscribe(&self, id: Uuid) -> Result<bool, StoreError>;
    /// The contact's opt-out from back-in-stock email (the unsubscribe link): removes all
    /// their subscriptions and sets `accepts_email` false in one transaction. How many
    /// subscriptions went; `None` if the contact is unknown.
    async fn opt_out(&self, contact: Uuid) -> Result<Option<u64>, StoreError>;
    /// The contact's active subscriptions, oldest first; `None` if the contact is unknown.
    async fn contact_subscriptions(
        &self,
        contact: Uuid,
    ) -> Result<Option<Vec<Subscription>>, StoreError>;

    /// Stores a batch and the latest level per (sku, locale, externalId) in one transaction.
    async fn store_stock_levels(&self, levels: &[StockLevel]) -> Result<StockBatch, StoreError>;
    /// The latest reported level for exactly this key.
    async fn latest_stock_level(&self, key: &StockKey) -> Result<Option<StockLevel>, StoreError>;
    /// Claims the oldest unprocessed batch for `lease` (of those a triage found matches in,
    /// if any: see [`SettleStore::triage_batches`]); a batch whose worker stopped
    /// heartbeating, or whose lease ran out without a live heartbeat (see
    /// [`InstanceStore`]), can be claimed again. No two live claims ever hold the same batch.
    async fn claim_stock_batch(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedBatch>, StoreError>;
    /// Marks a claimed batch processed; false if `worker` no longer holds the claim.
    async fn complete_stock_batch(&self, batch: Uuid, worker: &str) -> Result<bool, StoreError>;

    /// Stores a purchase and, in the same transaction, makes it the conversion of the
    /// contact's notifications it follows (see [`TrackingStore`]).
    async fn record_receipt(&self, receipt: NewReceipt) -> Result<Receipt, StoreError>;
}

/// Click tracking and conversions. A conversion is the earliest dated receipt of the
/// notified contact that holds the notified SKU and is dated within the attribution
/// window after the delivery; it is found when the receipt is recorded, or when the
/// delivery is, whichever comes second.
#[async_trait]
pub trait TrackingStore: Send + Sync + 'static {
    /// The field `link` of product snapshot `product`, and when `notification` (of that
    /// snapshot) was delivered; `None` if the snapshot is gone.
    async fn click_target(
        &self,
        notification: Uuid,
        product: Uuid,
        link: &str,
    ) -> Result<Option<ClickTarget>, StoreError>;
    /// Counts a shopper's click on a delivered notification's link, with its `clicked`
    /// statistic; false when it already has its click (or is not delivered).
    async fn record_click(
        &self,
        notification: Uuid,
        link: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn click(&self, notification: Uuid) -> Result<Option<Click>, StoreError>;
    async fn conversion(&self, notification: Uuid) -> Result<Option<Conversion>, StoreError>;
}

/// What the automation engine needs: matching subscriptions chunk by chunk, and committing
/// each chunk's consumption, notifications and log counts in one transaction.
#[async_trait]
pub trait EngineStore: Send + Sync + 'static {
    /// Subscriptions matching `key` (attributes the key leaves out are not compared) with an
    /// id after `after` and up to `until` (if given: the end of a part), oldest first; with
    /// the contact's attributes when asked.
    async fn match_subscriptions(
        &self,
        key: &StockKey,
        after: Option<Uuid>,
        until: Option<Uuid>,
        limit: usize,
        with_contact: bool,
    ) -> Result<Vec<Candidate>, StoreError>;
    /// How many subscriptions match `key` (after `after` and up to `until`, if given).
    async fn count_matching(
        &self,
        key: &StockKey,
        after: Option<Uuid>,
        until: Option<Uuid>,
    ) -> Result<u64, StoreError>;
    /// Which batch and item set the latest level for exactly this key: an item that did
    /// not is outdated and must not notify.
    async fn latest_origin(&self, key: &StockKey) -> Result<Option<(Uuid, usize)>, StoreError>;
    /// Gives a claimed batch back at once (after a failure), for the next claim to retry.
    async fn release_stock_batch(&self, batch: Uuid, worker: &str) -> Result<(), StoreError>;
    /// Gives a batch up after too many failed attempts, recording why.
    async fn fail_stock_batch(
        &self,
        batch: Uuid,
        worker: &str,
        reason: &str,
    ) -> Result<(), StoreError>;
    /// When each of `contacts` bought `sku` (every purchase).
    async fn last_purchases(
        &self,
        sku: &Sku,
        contacts: &[Uuid],
    ) -> Result<Vec<(Uuid, DateTime<Utc>)>, StoreError>;
    /// Applies a chunk if the worker still holds the batch ([`StoreError::LostClaim`]
    /// otherwise, with nothing changed).
    async fn commit_chunk(&self, chunk: &ChunkCommit<'_>) -> Result<ChunkApplied, StoreError>;
    /// Integration-log rows of the `limit` latest stock levels (newest batch first), with
    /// every row of each.
    async fn integration_log(
        &self,
        sku: Option<&Sku>,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<LogRow>, StoreError>;
    /// Notifications already sent for one stock level of a batch, per automation (what an
    /// earlier holder of the batch did, so a resumed fan-out keeps the throttle).
    async fn sent_for_item(
        &self,
        batch: Uuid,
        item: usize,
    ) -> Result<Vec<(String, u64)>, StoreError>;
    /// The outbox, oldest first.
    async fn notifications(&self, limit: usize) -> Result<Vec<Notification>, StoreError>;
}

/// What the delivery worker and the outbox admin need.
#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Claims up to `limit` due notifications (pending, their retry time reached, not held
    /// by a live worker: see [`InstanceStore`]), counting an attempt on each; oldest due
    /// first.
    async fn claim_notifications(
        &self,
        worker: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, StoreError>;
    /// Records how attempts ended, in one transaction; how many `worker` still held.
    async fn finish_notifications(
        &self,
        worker: &str,
        finished: &[(Uuid, Finish)],
    ) -> Result<u64, StoreError>;
    /// Notifications for an admin, newest first, optionally of one status.
    async fn outbox(
        &self,
        status: Option<&str>,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError>;
    /// When each of `contacts` was delivered to since `since` (one row per delivery).
    async fn delivered_since(
        &self,
        contacts: &[Uuid],
        since: DateTime<Utc>,
    ) -> Result<Vec<(Uuid, DateTime<Utc>)>, StoreError>;
    /// How many notifications there are per status (the metrics scrape and every console
    /// page with outbox counts read it): on SQLite the counts migration 0010 keeps in the
    /// transactions that change them, on PostgreSQL one grouped `COUNT`.
    async fn outbox_depth(&self) -> Result<Vec<(String, u64)>, StoreError>;
    /// Gives every dead notification a fresh start; how many.
    async fn requeue_dead(&self) -> Result<u64, StoreError>;
    /// Deletes finished notifications of `status` (`delivered` or `dead`); how many.
    async fn purge(&self, status: &str) -> Result<u64, StoreError>;
}

/// The store chosen by the URL: `postgres://` or `postgresql://` selects PostgreSQL,
/// anything else is a SQLite URL. Migrations run before this returns.
pub async fn connect(url: &str, max_connections: u32) -> Result<Arc<dyn Store>, StoreError> {
    connect_in(url, max_connections, StatsZone::default()).await
}

/// [`connect`], counting statistics' days in `zone`.
pub async fn connect_in(
    url: &str,
    max_connections: u32,
    zone: StatsZone,
) -> Result<Arc<dyn Store>, StoreError> {
    let window = crate::config::DEFAULT_ATTRIBUTION_WINDOW;
    connect_with(url, max_connections, zone, window).await
}

/// [`connect_in`], attributing receipts dated up to `window` after a delivery to it.
pub async fn connect_with(
    url: &str,
    max_connections: u32,
    zone: StatsZone,
    window: Duration,
) -> Result<Arc<dyn Store>, StoreError> {
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut store = PostgresStore::connect(url, max_connections).await?;
        (store.zone, store.attribution) = (zone, window);
        Ok(Arc::new(store))
    } else {
        let mut store = SqliteStore::connect(url, max_connections).await?;
        (store.zone, store.attribution) = (zone, window);
        Ok(Arc::new(store))
    }
}
