//! `mail:` — how emails leave: written as `.eml` files (the default, so a fresh install
//! runs with no mail server) or sent over SMTP.

use std::path::PathBuf;

use serde::Deserialize;

use super::Secret;

/// `mail.transport`: where the email action hands its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// One `<notification id>.eml` per notification in `mail.dir`.
    #[default]
    File,
    /// Through the server at `mail.smtp_url`, over a connection pool.
    Smtp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    pub transport: MailTransport,
    /// Where the file transport writes (created when missing).
    pub dir: PathBuf,
    /// `smtp://user:pass@host:2525?tls=starttls|tls|none` (default `starttls`). A secret:
    /// it carries the password, so it is never logged.
    pub smtp_url: Option<Secret>,
    /// The From header: `Shop <noreply@shop.example>`.
    pub from: String,
    /// The Reply-To header, when replies should go elsewhere than From.
    pub reply_to: Option<String>,
    /// SMTP connections kept open at most: each carries one message at a time, so this
    /// (with `delivery.concurrency`) bounds emails per second.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub smtp_pool_size: u32,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            transport: MailTransport::File,
            dir: PathBuf::from("outbox"),
            smtp_url: None,
            from: "Restock <restock@localhost>".to_owned(),
            reply_to: None,
            smtp_pool_size: 32,
        }
    }
}
