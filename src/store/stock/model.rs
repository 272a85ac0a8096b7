//! Stock levels as the retailer reports them, and the batches they arrive in: the engine's
//! input queue.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{ExternalId, Locale, Quantity, Sku};
use crate::store::StoreError;

/// What a stock level is about: the SKU, and the locale and external id when the
/// retailer's system sends them (attributes left out are not compared when matching).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StockKey {
    pub sku: Sku,
    pub locale: Option<Locale>,
    pub external_id: Option<ExternalId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StockLevel {
    pub key: StockKey,
    pub quantity: Quantity,
}

/// A stored batch of stock levels: the engine's input queue.
#[derive(Debug, Clone, PartialEq)]
pub struct StockBatch {
    pub id: Uuid,
    pub received_on: DateTime<Utc>,
    pub item_count: usize,
}

/// A batch a worker holds, with its items in the order they were sent.
#[derive(Debug, Clone)]
pub struct ClaimedBatch {
    pub batch: StockBatch,
    pub attempts: u32,
    /// Where an earlier holder of the batch got to; work before it is committed.
    pub progress: crate::store::Progress,
    pub items: Vec<StockLevel>,
}

/// Receiving stock levels, and the engine claiming and completing the batches they came in.
#[async_trait]
pub trait StockStore: Send + Sync + 'static {
    /// Stores a batch and the latest level per (sku, locale, externalId) in one transaction.
    async fn store_stock_levels(&self, levels: &[StockLevel]) -> Result<StockBatch, StoreError>;
    /// The latest reported level for exactly this key.
    async fn latest_stock_level(&self, key: &StockKey) -> Result<Option<StockLevel>, StoreError>;
    /// Claims the oldest unprocessed batch for `lease` (of those a triage found matches in,
    /// if any: see [`crate::store::SettleStore::triage_batches`]); a batch whose worker stopped
    /// heartbeating, or whose lease ran out without a live heartbeat (see
    /// [`crate::store::InstanceStore`]), can be claimed again. No two live claims ever hold the same batch.
    async fn claim_stock_batch(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedBatch>, StoreError>;
    /// Marks a claimed batch processed; false if `worker` no longer holds the claim.
    async fn complete_stock_batch(&self, batch: Uuid, worker: &str) -> Result<bool, StoreError>;
}
