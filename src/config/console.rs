//! `console:` — the web console under `/admin` (docs/console.md).

use std::time::Duration;

use serde::Deserialize;

/// How the console signs people in and how long a sign-in lasts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// `false` removes every `/admin` route (an API-only instance).
    #[serde(deserialize_with = "super::load::bool_or_string")]
    pub enabled: bool,
    /// A session unused this long is signed out (minutes, at least 1).
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub session_idle_minutes: u64,
    /// Failed sign-ins accepted per minute from one client address on this instance;
    /// beyond it that address's sign-ins are refused with 429 until its oldest failure is
    /// a minute old, so a key cannot be guessed by trying, and one client cannot lock the
    /// others out.
    #[serde(deserialize_with = "super::load::number_or_string")]
    pub failed_sign_ins_per_minute: u32,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            session_idle_minutes: 8 * 60,
            failed_sign_ins_per_minute: 10,
        }
    }
}

impl ConsoleConfig {
    /// How long an unused session stays valid.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.session_idle_minutes.max(1).saturating_mul(60))
    }
}
