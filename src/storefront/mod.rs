//! The storefront: what a shopper reaches without the shop's developers. A widget on the
//! product page (`widget.js`) asks for a proof-of-work challenge, signs the shopper up
//! (`POST /storefront/subscriptions`), and the confirmation email's link makes the
//! pending subscription a real one (`/storefront/confirm/{token}`). Public: no API key,
//! so every input is checked and every sign-up limited (docs/storefront.md).
//!
//! Beside the API and the console, importing neither; `startup` merges its router.

mod alerts;
mod availability;
mod client;
mod cors;
mod demo;
mod error;
mod form;
mod mail;
mod pages;
mod proof;
mod signup;
mod widget;
mod words;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tokio::sync::Notify;

use crate::config::StorefrontConfig;
use crate::engine::Engine;
use crate::store::Store;

pub use crate::links::LinkKey;
pub use error::StorefrontError;
pub use mail::{ConfirmationMailer, MailerSettings};
pub use proof::{leading_zero_bits, solve, Challenge, Challenges, ProofError};

/// What the storefront's handlers share.
#[derive(Clone)]
pub struct StorefrontState(Arc<Parts>);

pub struct Parts {
    pub config: StorefrontConfig,
    pub store: Arc<dyn Store>,
    /// Product names and availability for the pages (the engine's feeds).
    pub engine: Arc<Engine>,
    pub challenges: Challenges,
    /// The hosted form's tokens: challenges of difficulty 0 under a key of their own.
    pub form_tokens: Challenges,
    pub links: LinkKey,
    /// Base of the links in emails (`{public_url}/storefront/confirm/{token}`).
    pub public_url: String,
    /// Keys the hashed client addresses of consent records.
    pub ip_key: Vec<u8>,
    /// Wakes the confirmation mailer when a sign-up queues an email.
    pub wake_mailer: Arc<Notify>,
    /// Counts sign-ups by outcome (`restock_signups_total`).
    pub metrics: crate::metrics::Metrics,
}

impl StorefrontState {
    pub fn new(parts: Parts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for StorefrontState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// The product's name in the locale's feed, on one line, if the feed has one: the only
/// product text a page or an email of the storefront shows (never what a visitor typed).
pub(crate) fn product_name(engine: &Engine, locale: &str, sku: &str) -> Option<String> {
    let locale = crate::domain::Locale::parse(locale).ok()?;
    let product = engine.catalog().product(&locale, sku)?;
    let name = product.name()?.trim();
    (!name.is_empty()).then(|| name.replace(['\r', '\n'], " "))
}

/// The storefront's routes; none when `storefront.enabled` is off.
pub fn router(state: StorefrontState) -> Router {
    if !state.config.enabled {
        return Router::new();
    }
    // What pages call (the widget's requests, the hosted form's post) is under the origin
    // check; the script is loaded by a tag (no CORS), the confirmation and alerts pages are
    // opened from an email and post with a signed link.
    let calls = Router::new()
        .route("/storefront/challenge", get(signup::challenge))
        .route("/storefront/availability", get(availability::availability))
        .route(
            "/storefront/subscriptions",
            post(signup::sign_up).options(cors::preflight),
        )
        .route("/storefront/subscribe", get(form::show).post(form::post))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            cors::only_allowed_origins,
        ));
    let router = Router::new()
        .route("/storefront/widget.js", get(widget::script))
        .route(
            "/storefront/confirm/{token}",
            get(pages::confirm_page).post(pages::confirm),
        )
        .route(
            "/storefront/alerts/{token}",
            get(alerts::show).post(alerts::cancel),
        )
        .merge(calls);
    let router = if state.config.demo {
        router.route("/storefront/demo/{sku}", get(demo::product))
    } else {
        router
    };
    router.with_state(state)
}
