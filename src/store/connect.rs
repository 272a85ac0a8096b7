//! The whole [`Store`], and choosing its backend by URL.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::*;

/// Everything the API and the workers need from the database. Every method that returns
/// `Ok` has committed its change: callers may answer 2xx right after.
#[async_trait]
pub trait Store:
    ContactStore
    + StockStore
    + EngineStore
    + SettleStore
    + PartStore
    + OutboxStore
    + InstanceStore
    + InsightsStore
    + TrackingStore
    + StorefrontStore
    + PrivacyStore
    + SessionStore
    + ConsoleListStore
    + Send
    + Sync
    + 'static
{
    /// Succeeds when the database answers a trivial query, for reading and for writing
    /// (readiness).
    async fn ping(&self) -> Result<(), StoreError>;
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
