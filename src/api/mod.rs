//! The HTTP API, wire-compatible with Voyado Engage's v3 back-in-stock calls (and the v2
//! paths that Engage's generated SDK still uses).

mod auth;
mod automations;
mod contacts;
mod error;
mod health;
mod integration_log;
mod json;
mod outbox;
mod products;
mod receipts;
mod routes;
mod stock_levels;
mod subscriptions;
mod validate;

pub use auth::ApiKeys;
pub use error::{ApiError, FieldError};
pub use routes::router;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::engine::Engine;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub engine: Arc<Engine>,
    /// Signalled when a stock-level batch is stored, so the engine starts at once.
    pub wake_engine: Arc<Notify>,
    pub api_keys: Arc<ApiKeys>,
    pub max_body_bytes: usize,
}
