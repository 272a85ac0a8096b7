//! The parts of the start that email needs: templates, the unsubscribe key, the action.

use std::sync::Arc;

use anyhow::Context;

use crate::config::{read_or_create_key, Config};
use crate::domain::Locale;
use crate::plugins::email::{EmailAction, EmailError, Mailer, Sender};
use crate::plugins::webhook::{Signer, WebhookAction};
use crate::reload::Reloadable;
use crate::templates::{self, TemplateError, Templates};
use crate::tracking::{ClickKey, LinkRewriter};
use crate::unsubscribe::UnsubscribeKey;

/// The templates, reloadable. A `templates_dir` that does not exist is not an error (an
/// install may use only the `log` or `webhook` actions): emails then dead-letter saying
/// so. A folder that exists but does not load stops the start, as rules do.
pub fn load_templates(
    config: &Config,
) -> anyhow::Result<Option<Reloadable<Templates, TemplateError>>> {
    let dir = &config.templates_dir;
    if !dir.exists() {
        tracing::warn!(dir = %dir.display(), "templates_dir does not exist; the email action cannot send");
        return Ok(None);
    }
    let fallback = Locale::parse(&config.templates_fallback_locale)
        .map_err(|e| anyhow::anyhow!("templates_fallback_locale: {e}"))?;
    templates::reloadable(dir.clone(), fallback)
        .map(Some)
        .with_context(|| format!("the templates in {} are invalid", dir.display()))
}

/// `unsubscribe_secret`, or one generated once into `unsubscribe_secret_file`.
pub fn unsubscribe_key(config: &Config) -> anyhow::Result<UnsubscribeKey> {
    Ok(UnsubscribeKey::new(&link_secret(config)?))
}

/// The key of tracked links: the unsubscribe secret, so one secret signs every link in
/// an email (the tokens are labelled apart; see [`ClickKey`]).
pub fn click_key(config: &Config) -> anyhow::Result<ClickKey> {
    Ok(ClickKey::new(&link_secret(config)?))
}

/// The key of the storefront's links and challenges: the same secret, labelled apart.
pub fn storefront_links(config: &Config) -> anyhow::Result<crate::storefront::LinkKey> {
    Ok(crate::storefront::LinkKey::new(&link_secret(config)?))
}

fn link_secret(config: &Config) -> anyhow::Result<String> {
    Ok(match &config.unsubscribe_secret {
        Some(secret) => secret.expose().to_owned(),
        None => read_or_create_key(&config.unsubscribe_secret_file)?,
    })
}

/// The `webhook` action: requests signed with `webhook.secret`, or one generated once into
/// `webhook.secret_file`.
pub(super) fn webhook_action(
    config: &Config,
    unsubscribe: Arc<UnsubscribeKey>,
) -> anyhow::Result<WebhookAction> {
    let secret = match &config.webhook.secret {
        Some(secret) => secret.expose().to_owned(),
        None => read_or_create_key(&config.webhook.secret_file)?,
    };
    Ok(WebhookAction::new(
        Signer::new(&secret),
        std::time::Duration::from_secs(config.webhook.timeout_secs.max(1)),
        unsubscribe,
        config.public_url.trim_end_matches('/').to_owned(),
    ))
}

/// The `email` action as configured; a bad `mail.*` setting or `public_url` stops the
/// start rather than dead-lettering every email later. The transport is probed in the
/// background (see [`probe_at_start`]): a server that is down does not stop the start.
pub(super) fn email_action(
    config: &Config,
    templates: Option<Reloadable<Templates, TemplateError>>,
    unsubscribe: Arc<UnsubscribeKey>,
) -> anyhow::Result<EmailAction> {
    let public_url = config.public_url.trim_end_matches('/');
    let valid = (public_url.starts_with("http://") || public_url.starts_with("https://"))
        && !public_url.contains(|c: char| c.is_whitespace() || c.is_control());
    if !valid {
        return Err(EmailError::PublicUrl(config.public_url.clone()).into());
    }
    let mailer = Mailer::from_config(&config.mail)?;
    tokio::spawn(probe_at_start(mailer.clone()));
    let sender = Sender::parse(&config.mail.from, config.mail.reply_to.as_deref())?;
    let mut action = EmailAction::new(
        templates,
        mailer,
        sender,
        unsubscribe,
        public_url.to_owned(),
    );
    if config.storefront.enabled {
        action = action.with_alerts_links(storefront_links(config)?);
    }
    if !config.tracking.clicks {
        return Ok(action);
    }
    let links = LinkRewriter::new(Arc::new(click_key(config)?), public_url);
    Ok(action.with_tracked_links(links))
}

/// Tries the transport once as a send would (SMTP: connect, EHLO, STARTTLS and AUTH as
/// configured). The transport logs the verdict (INFO when it works, ERROR with the cause
/// when not); when not, delivery waits for it instead of spending retries.
async fn probe_at_start(mailer: Mailer) {
    // The outcome is recorded in the transport's health, which logs it.
    let _ = mailer.probe().await;
}
