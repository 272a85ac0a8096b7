//! Set-based batch processing: what a batch's stock levels match, read for the whole batch
//! in one query, and every stock level that needs no walk over its matches settled in one
//! commit. A full-catalog sync is mostly stock levels nobody waits for; they cost a share of
//! one query and one commit instead of queries and a commit each.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::Sku;
use crate::store::{HeldBack, LogRow, StockLevel, StoreError};

/// A stock level of a batch that matches at least one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelMatches {
    /// Its position in the batch.
    pub item: usize,
    /// Whether it set the latest level of its key (otherwise it is superseded).
    pub latest: bool,
    /// How many subscriptions it matches.
    pub matches: u64,
}

/// A stock level held back as a whole, with every match, without walking them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettledLevel {
    pub item: usize,
    pub reason: HeldBack,
    pub matched: u64,
}

/// The commit that settles a claimed batch: the log of the stock levels held back as a
/// whole, and the positions still to fan out (the batch is processed when there are none).
/// Stock levels that match nothing are settled by this commit too, and leave no log row:
/// the integration log reads them from the latest stock level of their key.
#[derive(Debug)]
pub struct SettleCommit<'a> {
    pub batch: Uuid,
    pub worker: &'a str,
    /// How long the claim is extended by.
    pub lease: Duration,
    /// The batch's stock levels, by position.
    pub levels: &'a [StockLevel],
    pub held: Vec<SettledLevel>,
    /// Ascending positions whose matches are walked and decided one by one afterwards.
    pub fan_out: Vec<usize>,
}

/// What set-based processing needs from the store.
#[async_trait]
pub trait SettleStore: Send + Sync + 'static {
    /// Looks at up to `limit` waiting batches not looked at yet, newest first, and records
    /// whether any of their stock levels matches a subscription, so that the claim takes
    /// those first. Only the order depends on it: the settle looks again, at the
    /// subscriptions there are then. Does nothing while at most `limit` batches wait: a
    /// restock then waits for a few batches at most, and small queues pay no look. How
    /// many batches it looked at.
    async fn triage_batches(&self, limit: usize) -> Result<usize, StoreError>;
    /// The stock levels of `batch` from position `from` on that match a subscription, in
    /// position order: one query for the whole batch.
    async fn level_matches(
        &self,
        batch: Uuid,
        from: usize,
    ) -> Result<Vec<LevelMatches>, StoreError>;
    /// The positions a settled batch fans out (`None`: not settled yet).
    async fn fan_out_plan(&self, batch: Uuid) -> Result<Option<Vec<usize>>, StoreError>;
    /// Applies a settle commit if the worker still holds the batch and it is not settled
    /// yet ([`StoreError::LostClaim`] otherwise, with nothing changed).
    async fn settle_batch(&self, commit: &SettleCommit<'_>) -> Result<(), StoreError>;
    /// Integration-log rows for the `limit` latest stock levels that a processed batch
    /// settled without logging anything (they matched nothing), newest first: one
    /// `matched` row of 0 each, logged when its batch was processed. Only the latest level
    /// of each key is kept, in `stock_levels`.
    async fn unlogged_levels(
        &self,
        sku: Option<&Sku>,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<LogRow>, StoreError>;
    /// Deletes integration-log rows logged before `before`; how many.
    async fn purge_integration_log(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}
