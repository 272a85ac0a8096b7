//! What the automation engine reads from and writes to the store.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::Sku;
use crate::store::{StockKey, StockLevel, StoreError};

/// A subscription matched by a stock level, with what the rules may need of its contact.
/// Fields stay as stored (canonical locale, `""` for no external id): the engine reads a
/// million of these in one fan-out and must not pay for re-validating each.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: Uuid,
    pub contact_id: Uuid,
    pub locale: String,
    pub external_id: String,
    pub created_on: DateTime<Utc>,
    /// The contact's attributes, when asked for.
    pub attributes: Option<crate::store::Attributes>,
}

/// Product data as the engine saw it, stored once per stock level and locale and shared by
/// the notifications it triggered.
#[derive(Debug, Clone)]
pub struct ProductSnapshot {
    pub id: Uuid,
    pub sku: String,
    pub locale: String,
    pub quantity: i64,
    pub data: serde_json::Value,
}

/// Where a triggered subscription goes: the automation and split branch that took it, and
/// the actions to run (as JSON, copied so a later rules reload cannot change them).
#[derive(Debug, Clone)]
pub struct Route {
    pub id: Uuid,
    pub automation: Arc<str>,
    pub branch: Arc<str>,
    pub actions: Arc<serde_json::Value>,
}

/// A subscription the engine decided to consume.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub candidate: Candidate,
    pub route: Arc<Route>,
    pub product: Uuid,
}

/// Why a matched subscription was not notified (it stays, unless expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HeldBack {
    /// The stock level's quantity is 0.
    NoStock,
    /// No feed is configured for the subscription's locale.
    NoFeed,
    /// The locale's feed has no product with this SKU.
    NoProductData,
    /// The quantity is below every automation's threshold.
    BelowThreshold,
    /// No automation's `when` condition passed.
    ConditionFalse,
    /// The automation's throttle budget for this stock level is spent.
    Throttled,
    /// No automation is enabled.
    NoAutomation,
    /// A later stock level for the same SKU, locale and external id was received before
    /// this one was processed; that one decides.
    Superseded,
}

impl HeldBack {
    pub const ALL: [HeldBack; 8] = [
        HeldBack::NoStock,
        HeldBack::NoFeed,
        HeldBack::NoProductData,
        HeldBack::BelowThreshold,
        HeldBack::ConditionFalse,
        HeldBack::Throttled,
        HeldBack::NoAutomation,
        HeldBack::Superseded,
    ];

    /// The name used in the integration log and its API.
    pub fn as_str(self) -> &'static str {
        match self {
            HeldBack::NoStock => "noStock",
            HeldBack::NoFeed => "noFeedForLocale",
            HeldBack::NoProductData => "noProductData",
            HeldBack::BelowThreshold => "belowThreshold",
            HeldBack::ConditionFalse => "conditionFalse",
            HeldBack::Throttled => "throttled",
            HeldBack::NoAutomation => "noAutomation",
            HeldBack::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.as_str() == s)
    }
}

/// One chunk of a stock level's fan-out, committed in one transaction: the subscriptions
/// consumed, the notifications for them, the log counts and the batch's progress.
#[derive(Debug)]
pub struct ChunkCommit<'a> {
    pub batch: Uuid,
    pub worker: &'a str,
    /// How long the claim is extended by (the commit is the worker's heartbeat).
    pub lease: std::time::Duration,
    /// The stock level's position in the batch.
    pub item: usize,
    /// The part of the stock level's fan-out this chunk belongs to, when it was split: the
    /// claim checked and the progress recorded are the part's, and the log counts wait in
    /// the part's log until the stock level settles (see [`crate::store::PartStore`]).
    pub part: Option<usize>,
    pub level: &'a StockLevel,
    /// The last subscription examined; the next chunk starts after it.
    pub cursor: Option<Uuid>,
    /// Whether this chunk finishes the stock level.
    pub item_done: bool,
    /// Products and routes used for the first time by this chunk's notifications.
    pub snapshots: Vec<ProductSnapshot>,
    pub routes: Vec<Arc<Route>>,
    pub triggered: Vec<Trigger>,
    /// Subscriptions dropped by an automation's `expires_after`, with that automation.
    pub expired: Vec<(Uuid, Arc<str>)>,
    pub matched: u64,
    pub held: Vec<(HeldBack, u64)>,
}

/// What a chunk really did: a subscription someone else consumed or deleted meanwhile is
/// neither notified nor counted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ChunkApplied {
    pub triggered: u64,
    pub expired: u64,
}

/// Where a claimed batch's processing stands (resumed after a crash).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub item: usize,
    pub cursor: Option<Uuid>,
}

/// One row of the integration log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    pub batch: Uuid,
    pub item: usize,
    pub outcome: String,
    pub automation: String,
    pub branch: String,
    pub level: StockLevel,
    pub count: u64,
    pub logged_on: DateTime<Utc>,
}

/// A notification in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: Uuid,
    pub batch: Uuid,
    pub subscription: Uuid,
    pub contact: Uuid,
    pub sku: String,
    pub locale: String,
    pub external_id: Option<String>,
    pub quantity: i64,
    pub subscribed_on: DateTime<Utc>,
    pub automation: String,
    pub branch: String,
    pub actions: serde_json::Value,
    pub product: Uuid,
    pub status: String,
    pub attempts: u32,
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
