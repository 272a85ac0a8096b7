//! The web console under `/admin` (docs/console.md): server-rendered pages for
//! marketers and admins, in the same binary as the API, with no front-end build.
//!
//! - [`session`]: sign-in with an API key, sessions stored in the database, sign-out.
//! - [`security`]: the headers every console answer carries (CSP, no caching) and the
//!   cross-site request check on every state-changing request.
//! - [`assets`]: the stylesheet and the one script, compiled into the binary.
//! - [`views`]: the page templates (Handlebars, compiled in) and the layout.
//! - [`pages`]: one module per page; [`rules_file`] and [`template_file`]: checking a
//!   rules file or an email template; [`versioned`]: saving either (atomic, with history),
//!   restoring a kept version, and the line diff between the two.

mod assets;
mod chart;
mod csv;
mod error;
mod form;
mod pages;
mod routes;
mod rules_file;
mod security;
mod session;
mod template_file;
mod versioned;
mod views;

pub use error::{CheckError, ConsoleError};
pub use routes::router;
pub use session::SESSION_COOKIE;

use std::path::PathBuf;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::config::{ConsoleConfig, Secret};
use crate::engine::Engine;
use crate::metrics::Metrics;
use crate::reload::Reloadable;
use crate::store::Store;
use crate::templates::{TemplateError, Templates};
use crate::unsubscribe::UnsubscribeKey;
use crate::web::ApiKeys;

/// What the console's pages are served from: the console itself and the parts of the
/// application it reads, the same the API is built from (`startup` hands both theirs).
#[derive(Clone)]
pub struct ConsoleState {
    pub console: Arc<Console>,
    pub store: Arc<dyn Store>,
    pub engine: Arc<Engine>,
    /// The email templates (`None` when `templates_dir` does not exist).
    pub templates: Option<Reloadable<Templates, TemplateError>>,
    /// Signs the unsubscribe links of previews.
    pub unsubscribe: Arc<UnsubscribeKey>,
    /// The keys one signs in with (the API's).
    pub api_keys: Arc<ApiKeys>,
    pub metrics: Metrics,
    /// The base of links in emails, without a trailing slash.
    pub public_url: String,
}

/// The console's own settings and state: sessions' keys, the folders it edits, its views.
pub struct Console {
    settings: ConsoleConfig,
    /// SHA-256 (hex) of every accepted key: a stored session counts only while the key it
    /// signed in with is still one of these.
    key_digests: Vec<String>,
    /// Where automations are read from and saved to (`rules_dir`).
    rules_dir: PathBuf,
    /// Why rules cannot be saved from the console, found once at start: probing on every
    /// page view would touch the watched folder and reload the rules each time.
    read_only: Option<String>,
    /// Where email templates are read from and saved to (`templates_dir`).
    templates_dir: PathBuf,
    /// Why templates cannot be saved from the console, found once at start like `read_only`.
    templates_read_only: Option<String>,
    /// Whether the session cookie gets `Secure` (`public_url` is https).
    secure_cookie: bool,
    /// Failed sign-ins per client address (`console.failed_sign_ins_per_minute`).
    failures: crate::web::throttle::FailedAttempts,
    views: views::Views,
}

impl Console {
    /// The console for the given keys (the same the API accepts), rules and templates
    /// folders and public URL. Call it before the folders' watchers start: it probes
    /// whether it can write into them. Fails only if a compiled-in template does not
    /// parse, which tests catch.
    pub fn new(
        settings: ConsoleConfig,
        keys: &[Secret],
        rules_dir: PathBuf,
        templates_dir: PathBuf,
        public_url: &str,
    ) -> Result<Self, ConsoleError> {
        Ok(Self {
            failures: crate::web::throttle::FailedAttempts::new(
                settings.failed_sign_ins_per_minute,
            ),
            settings,
            key_digests: keys.iter().map(|k| digest(k.expose())).collect(),
            read_only: versioned::read_only_reason(&rules_dir, "rules folder"),
            rules_dir,
            templates_read_only: versioned::read_only_reason(&templates_dir, "templates folder"),
            templates_dir,
            secure_cookie: public_url.starts_with("https://"),
            views: views::Views::new()?,
        })
    }

    /// Whether `/admin` is served at all (`console.enabled`).
    pub fn enabled(&self) -> bool {
        self.settings.enabled
    }
}

/// SHA-256 in lowercase hex: how session ids and keys are kept in the database.
fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}
