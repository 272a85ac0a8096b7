//! `webhook:` — how the webhook action signs and times out its requests.

use std::path::PathBuf;

use serde::Deserialize;

use super::Secret;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Signs every request body (HMAC-SHA256), so receivers can tell it came from us. When
    /// absent, one is generated once into `secret_file`, like the API key.
    pub secret: Option<Secret>,
    pub secret_file: PathBuf,
    /// Seconds before a request that has not answered counts as a (transient) failure.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub timeout_secs: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            secret: None,
            secret_file: PathBuf::from("restock.webhook.key"),
            timeout_secs: 10,
        }
    }
}
