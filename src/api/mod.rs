//! The HTTP API, wire-compatible with Voyado Engage's v3 back-in-stock calls (and the v2
//! paths that Engage's generated SDK still uses).

mod attributes;
mod auth;
mod automations;
mod completion;
mod contacts;
mod demand;
mod error;
mod feeds;
mod health;
mod history;
mod integration_log;
mod json;
mod metrics;
mod openapi;
mod outbox;
mod privacy;
mod products;
mod rate_limit;
mod receipts;
mod redirect;
mod reports;
mod routes;
mod server;
mod status;
mod stock_levels;
mod strict;
mod subscriptions;
mod templates;
mod unsubscribe;
mod validate;
mod well_formed;

pub use error::{ApiError, FieldError};
pub use rate_limit::RateLimit;
pub use routes::router;
pub use server::{serve, Limits};

use std::sync::Arc;

use tokio::sync::Notify;

use crate::engine::Engine;
use crate::metrics::Metrics;
use crate::plugins::email::TransportHealth;
use crate::reload::Reloadable;
use crate::store::Store;
use crate::templates::{TemplateError, Templates};
use crate::tracking::ClickKey;
use crate::unsubscribe::UnsubscribeKey;

/// What every handler can reach, behind one `Arc`: the router, every middleware layer and
/// every handler clone it per request, one count instead of one per part.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl AppState {
    pub fn new(parts: Parts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Parts {
    pub store: Arc<dyn Store>,
    pub engine: Arc<Engine>,
    /// Signalled when a stock-level batch is stored, so the engine starts at once.
    pub wake_engine: Arc<Notify>,
    pub api_keys: Arc<crate::web::ApiKeys>,
    /// Per-key request budget checked after authentication (`rate_limit`).
    pub rate_limit: Arc<RateLimit>,
    /// What `/metrics` serves; handlers count into it.
    pub metrics: Metrics,
    pub max_body_bytes: usize,
    /// What a request's head and body must keep to (`http.*`, `max_body_bytes`).
    pub limits: Arc<Limits>,
    /// The email templates (`None` when `templates_dir` does not exist), for status and
    /// previews.
    pub templates: Option<Reloadable<Templates, TemplateError>>,
    /// Checks the tokens of unsubscribe links.
    pub unsubscribe: Arc<UnsubscribeKey>,
    /// The declared contact attributes and their types, enforced on every contact write.
    pub contact_attributes: Arc<std::collections::BTreeMap<String, crate::engine::AttributeType>>,
    /// The base of links in emails, without a trailing slash.
    pub public_url: String,
    /// Whether the mail transport works, for `GET /api/v3/status`.
    pub mail: TransportHealth,
    /// Checks the tokens of tracked links and decides which hits count.
    pub clicks: Arc<ClickSettings>,
}

/// What `GET /r/{token}` needs.
#[derive(Debug)]
pub struct ClickSettings {
    /// Signs the tracked links (with the unsubscribe secret).
    pub key: ClickKey,
    /// Hits this soon after delivery are prefetches (`tracking.prefetch_secs`).
    pub prefetch_secs: u64,
}
