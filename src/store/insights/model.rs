//! What the insights read: the demand list, the daily statistics, a contact's history, and
//! the retention task's purge (the SQL, shared by both backends, is in `sql.rs`).

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::stats::StatRow;
use crate::store::StoreError;

/// Which demand rows, in which page.
#[derive(Debug, Clone, Default)]
pub struct DemandQuery {
    pub locale: Option<String>,
    pub sku_prefix: Option<String>,
    /// At least this many waiting (at least 1 always).
    pub min_waiting: u64,
    pub limit: usize,
    pub offset: usize,
}

/// Waiting subscriptions for one SKU, locale and external id.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandRow {
    pub sku: String,
    pub locale: String,
    /// `""` for subscriptions without one.
    pub external_id: String,
    pub waiting: u64,
    /// Sign-ups from the shop's pages for the same product not confirmed yet: not
    /// waiting (no stock level matches them), shown apart.
    pub pending: u64,
    pub oldest: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
    /// The mean of the waiting subscriptions' creation times, Unix seconds.
    pub mean_created_s: i64,
    /// The latest stock level reported for this SKU that these subscriptions match.
    pub last_level: Option<LastLevel>,
}

/// A stock level and what the engine did with it (none yet: not processed, or its log
/// rows were purged).
#[derive(Debug, Clone, PartialEq)]
pub struct LastLevel {
    pub quantity: i64,
    pub reported_on: DateTime<Utc>,
    pub locale: String,
    pub external_id: String,
    pub processed: bool,
    /// Held-back reasons with how many subscriptions each held back, most first.
    pub held_back: Vec<(String, u64)>,
}

/// A page of the demand list.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandPage {
    pub total: u64,
    pub rows: Vec<DemandRow>,
}

/// One subscription of a contact, waiting or ended.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HistoryEntry {
    pub subscription_id: Uuid,
    pub sku: String,
    pub locale: String,
    pub external_id: String,
    pub subscribed_on: DateTime<Utc>,
    /// `waiting`, `triggered`, `expired`, `deleted` or `unsubscribed`.
    pub status: String,
    pub ended_on: Option<DateTime<Utc>>,
    pub notification_id: Option<Uuid>,
    pub automation: String,
    pub branch: String,
    /// `pending`, `delivered` or `dead` for a triggered subscription.
    pub notification_status: Option<String>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub finished_on: Option<DateTime<Utc>>,
    /// The counted (first shopper) click on the notification's tracked link.
    pub clicked_on: Option<DateTime<Utc>>,
    /// The receipt attributed to the notification, and its revenue for the notified SKU.
    pub converted_on: Option<DateTime<Utc>>,
    pub revenue_e4: Option<i64>,
    pub currency: Option<String>,
}

/// What the retention task removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub history: u64,
    pub notifications: u64,
}

/// The insights' reads and the retention purge.
#[async_trait::async_trait]
pub trait InsightsStore: Send + Sync + 'static {
    async fn demand(&self, query: &DemandQuery) -> Result<DemandPage, StoreError>;
    /// The zone the statistics count days in, so a reader asking for "the last 7 days"
    /// means the same days the writers counted.
    fn stats_zone(&self) -> crate::store::StatsZone;
    /// Waiting subscriptions now, of one locale or all.
    async fn waiting_now(&self, locale: Option<&str>) -> Result<u64, StoreError>;
    /// Counters from `from` to `to` (days, inclusive), of one automation and locale or all.
    async fn daily_stats(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        automation: Option<&str>,
        locale: Option<&str>,
    ) -> Result<Vec<StatRow>, StoreError>;
    /// The contact's subscriptions, waiting and ended, oldest first; `None` if the contact
    /// is unknown.
    async fn history(&self, contact: Uuid) -> Result<Option<Vec<HistoryEntry>>, StoreError>;
    /// Removes history rows that ended before `history_before` and delivered notifications
    /// finished before `delivered_before` (archived into the history first).
    async fn purge_old(
        &self,
        history_before: Option<DateTime<Utc>>,
        delivered_before: Option<DateTime<Utc>>,
    ) -> Result<Purged, StoreError>;
}
