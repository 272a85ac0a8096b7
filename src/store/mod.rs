//! Durable storage behind one trait, with an embedded SQLite implementation (the default)
//! and a PostgreSQL one (several instances sharing a database).

mod error;
mod model;
mod postgres;
mod queries;
mod rows;
mod sqlite;

pub use error::StoreError;
pub use model::*;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

/// Everything the API and the workers need from the database. Every method that returns
/// `Ok` has committed its change: callers may answer 2xx right after.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Succeeds when the database answers a trivial query (readiness).
    async fn ping(&self) -> Result<(), StoreError>;

    async fn create_contact(&self, new: NewContact) -> Result<Contact, StoreError>;
    async fn get_contact(&self, id: Uuid) -> Result<Option<Contact>, StoreError>;
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
    /// The contact's active subscriptions, oldest first; `None` if the contact is unknown.
    async fn contact_subscriptions(
        &self,
        contact: Uuid,
    ) -> Result<Option<Vec<Subscription>>, StoreError>;

    /// Stores a batch and the latest level per (sku, locale, externalId) in one transaction.
    async fn store_stock_levels(&self, levels: &[StockLevel]) -> Result<StockBatch, StoreError>;
    /// The latest reported level for exactly this key.
    async fn latest_stock_level(&self, key: &StockKey) -> Result<Option<StockLevel>, StoreError>;
    /// Claims the oldest unprocessed batch for `lease`; a batch whose lease ran out (a
    /// crashed worker) can be claimed again. No two live claims ever hold the same batch.
    async fn claim_stock_batch(
        &self,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedBatch>, StoreError>;
    /// Marks a claimed batch processed; false if `worker` no longer holds the claim.
    async fn complete_stock_batch(&self, batch: Uuid, worker: &str) -> Result<bool, StoreError>;

    async fn record_receipt(&self, receipt: NewReceipt) -> Result<Receipt, StoreError>;
}

/// The store chosen by the URL: `postgres://` or `postgresql://` selects PostgreSQL,
/// anything else is a SQLite URL. Migrations run before this returns.
pub async fn connect(url: &str, max_connections: u32) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(
            PostgresStore::connect(url, max_connections).await?,
        ))
    } else {
        Ok(Arc::new(SqliteStore::connect(url, max_connections).await?))
    }
}
