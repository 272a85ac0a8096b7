//! Configuration: a YAML file (default `restock.yaml` when present) whose every key can be
//! overridden by an environment variable `RESTOCK_<KEY>` (nested keys joined by `__`).

mod console;
mod http;
mod insights;
mod key_file;
mod load;
mod mail;
mod public_url;
mod rate_limit;
mod secret;
mod storefront;
mod tracking;
mod webhook;

pub use console::ConsoleConfig;
pub use http::HttpConfig;
pub use insights::InsightsConfig;
pub use key_file::{read_or_create_key, KeyFileError};
pub use load::{load, ConfigError};
pub use mail::{MailConfig, MailTransport};
pub use rate_limit::{RateLimitConfig, RateLimitQuota, ENGAGE_REQUESTS_PER_SECOND};
pub use secret::{redact_url, Secret};
pub use storefront::{
    ConsentWording, EmailDomains, IpKeeping, Network, OptIn, SignupLimits, StorefrontConfig,
};
pub use tracking::{AttributionConfig, TrackingConfig, DEFAULT_ATTRIBUTION_WINDOW};
pub use webhook::WebhookConfig;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use crate::domain::AttributeType;
use crate::feeds::FeedsConfig;

/// Everything an operator can set. Unknown keys are errors, so a typo never silently
/// falls back to a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP API listens on.
    pub listen: SocketAddr,
    /// `sqlite://…` (embedded default) or `postgres://…` (several instances).
    pub database_url: Secret,
    /// Keys accepted in the `apikey` / `x-api-key` header. When empty, a key is generated
    /// once into `api_key_file` so a fresh install is never open to the world.
    #[serde(deserialize_with = "secret::list_or_comma_separated")]
    pub api_keys: Vec<Secret>,
    /// Where the generated development key is kept when `api_keys` is empty.
    pub api_key_file: PathBuf,
    pub rules_dir: PathBuf,
    pub templates_dir: PathBuf,
    /// The locale whose templates serve locales without their own (BCP 47).
    pub templates_fallback_locale: String,
    /// How emails are sent (`mail.transport`, `mail.dir`, `mail.smtp_url`, `mail.from`).
    pub mail: MailConfig,
    /// How webhook actions sign and time out (`webhook.secret`, `webhook.timeout_secs`).
    pub webhook: WebhookConfig,
    /// The public base of links in emails (`https://shop.example.com/restock`): the
    /// unsubscribe link is `{public_url}/unsubscribe/{token}`. When unset, [`load`] makes
    /// it `http://{listen}`, so a changed port alone still gives working links.
    pub public_url: String,
    /// Set by [`load`] when `public_url` was not configured and comes from `listen`, so
    /// `serve` can warn when that address is not one shoppers can reach.
    #[serde(skip)]
    pub public_url_from_listen: bool,
    /// Signs unsubscribe links. When absent, one is generated once into
    /// `unsubscribe_secret_file`, like the API key.
    pub unsubscribe_secret: Option<Secret>,
    /// Where the generated unsubscribe secret is kept.
    pub unsubscribe_secret_file: PathBuf,
    /// Product feed per locale (`sv-SE: feeds/sv.xml`, or `{path, format, sku_field, …}`).
    pub feeds: FeedsConfig,
    /// The contact attributes rules may read, with their types
    /// (`contact.attributes.vip` needs `vip: boolean`).
    pub contact_attributes: BTreeMap<String, AttributeType>,
    /// How the automation engine runs.
    pub engine: EngineConfig,
    /// How notifications are delivered.
    pub delivery: DeliveryConfig,
    /// Requests per second per API key on `/api` (`rate_limit.enabled`,
    /// `rate_limit.requests_per_second`, `rate_limit.burst`); Engage's 200 by default.
    pub rate_limit: RateLimitConfig,
    /// Connection timeouts and request-head limits (`http.header_read_timeout`, …).
    pub http: HttpConfig,
    /// The web console under `/admin` (`console.enabled`, `console.session_idle_minutes`,
    /// `console.failed_sign_ins_per_minute`).
    pub console: ConsoleConfig,
    /// Tracked product links in emails (`tracking.clicks`, `tracking.prefetch_secs`).
    pub tracking: TrackingConfig,
    /// Which receipts are a notification's conversion (`attribution.window`).
    pub attribution: AttributionConfig,
    /// Largest request body accepted, in bytes.
    #[serde(deserialize_with = "load::number_or_string")]
    pub max_body_bytes: usize,
    /// Most connections the store opens (PostgreSQL; SQLite readers).
    #[serde(deserialize_with = "load::number_or_string")]
    pub database_max_connections: u32,
    /// Statistics' time zone and the retention of history (`insights.time_zone`,
    /// `insights.history_days`, `insights.delivered_days`).
    pub insights: InsightsConfig,
    /// Sign-ups from the shop's own pages (`storefront.enabled`,
    /// `storefront.allowed_origins`, `storefront.double_opt_in`, `storefront.pending_ttl`).
    pub storefront: StorefrontConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: Secret::new("sqlite://restock.db?mode=rwc"),
            api_keys: Vec::new(),
            api_key_file: PathBuf::from("restock.key"),
            rules_dir: PathBuf::from("rules"),
            templates_dir: PathBuf::from("templates"),
            templates_fallback_locale: crate::templates::DEFAULT_FALLBACK_LOCALE.to_owned(),
            mail: MailConfig::default(),
            webhook: WebhookConfig::default(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            public_url_from_listen: false,
            unsubscribe_secret: None,
            unsubscribe_secret_file: PathBuf::from("restock.unsubscribe.key"),
            feeds: FeedsConfig::default(),
            contact_attributes: default_contact_attributes(),
            engine: EngineConfig::default(),
            delivery: DeliveryConfig::default(),
            rate_limit: RateLimitConfig::default(),
            http: HttpConfig::default(),
            console: ConsoleConfig::default(),
            tracking: TrackingConfig::default(),
            attribution: AttributionConfig::default(),
            max_body_bytes: 4 * 1024 * 1024,
            database_max_connections: 8,
            insights: InsightsConfig::default(),
            storefront: StorefrontConfig::default(),
        }
    }
}

/// The attributes most shops have, so the shipped example rules work out of the box.
fn default_contact_attributes() -> BTreeMap<String, AttributeType> {
    [
        ("firstName", AttributeType::String),
        ("lastName", AttributeType::String),
        ("locale", AttributeType::Locale),
        ("vip", AttributeType::Boolean),
    ]
    .into_iter()
    .map(|(name, ty)| (name.to_owned(), ty))
    .collect()
}

/// Matches per part of a hot stock level's fan-out, unless configured otherwise: big
/// enough that a part's claim and settle cost little beside its walk (about a second on
/// PostgreSQL), small enough that the last part's wait is short.
pub const DEFAULT_PART_SIZE: u64 = 25_000;

/// `engine:` — the worker that turns stock levels into notifications.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    /// Run the engine in this process (turn off for an API-only instance).
    #[serde(deserialize_with = "load::bool_or_string")]
    pub enabled: bool,
    /// Subscriptions decided and committed per transaction.
    #[serde(deserialize_with = "load::number_or_string")]
    pub chunk_size: usize,
    /// Seconds a claimed batch stays claimed without progress before another instance may
    /// take it over.
    #[serde(deserialize_with = "load::number_or_string")]
    pub lease_secs: u64,
    /// Days integration-log rows are kept; 0 keeps them for ever.
    #[serde(deserialize_with = "load::number_or_string")]
    pub log_retention_days: u64,
    /// A stock level with more matches than this is fanned out in parts of this many that
    /// every instance sharing the PostgreSQL database claims; 0 never splits. Ignored on
    /// SQLite, whose one writer gains nothing from parts.
    #[serde(deserialize_with = "load::number_or_string")]
    pub part_size: u64,
}

impl EngineConfig {
    /// How long integration-log rows are kept (`None`: for ever).
    pub fn log_retention(&self) -> Option<std::time::Duration> {
        (self.log_retention_days > 0)
            .then(|| std::time::Duration::from_secs(self.log_retention_days.saturating_mul(86_400)))
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            chunk_size: 2_000,
            lease_secs: 60,
            log_retention_days: 90,
            part_size: DEFAULT_PART_SIZE,
        }
    }
}

/// `delivery:` — the worker that runs the outbox's actions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// Run the delivery worker in this process.
    #[serde(deserialize_with = "load::bool_or_string")]
    pub enabled: bool,
    /// Notifications claimed at a time.
    #[serde(deserialize_with = "load::number_or_string")]
    pub batch_size: usize,
    /// Notifications delivered at once.
    #[serde(deserialize_with = "load::number_or_string")]
    pub concurrency: usize,
    /// Waits before the 2nd, 3rd, … attempt (`30s`, `5m`, `2h`); after the last, a
    /// notification goes to the dead letter.
    #[serde(deserialize_with = "load::durations")]
    pub retry_schedule: Vec<std::time::Duration>,
    /// Seconds a claimed notification stays claimed before another worker may take it.
    #[serde(deserialize_with = "load::number_or_string")]
    pub lease_secs: u64,
    /// At most this many notifications per contact in any 24 hours; the rest are
    /// deferred, not dropped. 0 (the default) means no cap.
    #[serde(deserialize_with = "load::number_or_string")]
    pub daily_cap_per_contact: u32,
}

/// `delivery.retry_schedule` when it is not set: 1, 5, 15, 60, 240 and 720 minutes (the
/// delivery worker's `RetryPolicy` starts from it too).
pub const DEFAULT_RETRY_SCHEDULE: [std::time::Duration; 6] = [
    std::time::Duration::from_secs(60),
    std::time::Duration::from_secs(5 * 60),
    std::time::Duration::from_secs(15 * 60),
    std::time::Duration::from_secs(60 * 60),
    std::time::Duration::from_secs(240 * 60),
    std::time::Duration::from_secs(720 * 60),
];

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            batch_size: 200,
            concurrency: 32,
            retry_schedule: DEFAULT_RETRY_SCHEDULE.to_vec(),
            lease_secs: 300,
            daily_cap_per_contact: 0,
        }
    }
}
