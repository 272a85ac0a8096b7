//! The confirmation emails: a worker that claims due ones from the pending subscriptions,
//! writes each in the shopper's language and sends it over the configured transport, with
//! retries like a notification's. The email carries nothing the visitor typed but the
//! address it goes to: the product's name comes from the feed (none when the feed does not
//! know the SKU), so a sign-up form cannot be used to send anyone a message.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use handlebars::html_escape;
use tokio::sync::Notify;

use super::words::{with_product, words};
use crate::engine::Engine;
use crate::links::LinkKey;
use crate::plugins::email::{mailbox, transactional, Mailer, Sender};
use crate::plugins::Outcome;
use crate::store::{ConfirmationMail, MailFinish, Store, StoreError};

/// How the mailer claims, retries and purges.
#[derive(Debug, Clone)]
pub struct MailerSettings {
    pub batch: usize,
    pub lease: Duration,
    /// Waits before the 2nd, 3rd, … attempt; past the last, the email is given up.
    pub retry: Vec<Duration>,
    /// How often expired sign-ups, spent proofs and closed limit windows are removed.
    pub purge_every: Duration,
    /// The longest limit window (`storefront.limits`): counts older than it are dropped.
    pub longest_window: Duration,
    /// How long a pending subscription waits (the email says so, in hours).
    pub pending_ttl: Duration,
}

/// Sends the confirmation emails.
pub struct ConfirmationMailer {
    pub store: Arc<dyn Store>,
    pub mailer: Mailer,
    pub sender: Sender,
    pub links: LinkKey,
    pub engine: Arc<Engine>,
    pub public_url: String,
    pub worker: String,
    pub settings: MailerSettings,
    /// Counts the emails by outcome (`restock_confirmation_emails_total`).
    pub metrics: crate::metrics::Metrics,
}

impl ConfirmationMailer {
    /// Sends what is due until `stop`, waking on `wake` (a sign-up) or every few seconds
    /// (retries falling due), and purging now and then.
    pub async fn run(self: Arc<Self>, wake: Arc<Notify>, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        let mut last_purge: Option<tokio::time::Instant> = None;
        loop {
            if last_purge.map_or(true, |at| at.elapsed() >= self.settings.purge_every) {
                self.purge().await;
                last_purge = Some(tokio::time::Instant::now());
            }
            let idle = match self.run_pending().await {
                Ok(0) => true,
                Ok(_) => false,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot claim confirmation emails; trying again");
                    true
                }
            };
            if idle {
                tokio::select! {
                    _ = &mut stop => return,
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
            }
        }
    }

    async fn purge(&self) {
        let now = chrono::Utc::now();
        match self
            .store
            .purge_storefront(now, self.settings.longest_window)
            .await
        {
            Ok(purged) if purged.pending > 0 => {
                tracing::info!(
                    pending = purged.pending,
                    "unconfirmed sign-ups expired and were removed"
                );
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "cannot purge expired sign-ups"),
        }
    }

    /// Claims and sends one batch of due confirmation emails; how many were claimed.
    pub async fn run_pending(&self) -> Result<usize, StoreError> {
        let due = self
            .store
            .claim_confirmation_mails(&self.worker, self.settings.lease, self.settings.batch)
            .await?;
        for mail in &due {
            let finish = self.send(mail).await;
            self.metrics.confirmation_email(match &finish {
                MailFinish::Sent => "sent",
                MailFinish::Retry { .. } => "retry",
                MailFinish::Dead { .. } => "dead",
                MailFinish::Release { .. } => "released",
            });
            if let MailFinish::Dead { error } = &finish {
                tracing::warn!(pending = %mail.id, %error, "a confirmation email was given up");
            }
            self.store
                .finish_confirmation_mail(&self.worker, mail.id, finish)
                .await?;
        }
        Ok(due.len())
    }

    async fn send(&self, mail: &ConfirmationMail) -> MailFinish {
        // Each email its own Message-ID (and file): a confirmation sent again after the
        // cool-down is a new message, not a duplicate for mail systems to drop.
        let message_id = uuid::Uuid::now_v7();
        let message = match self.message(mail, message_id) {
            Ok(message) => message,
            Err(error) => return MailFinish::Dead { error },
        };
        match self.mailer.send(message_id, message).await {
            Outcome::Done => MailFinish::Sent,
            Outcome::Permanent(error) => MailFinish::Dead { error },
            Outcome::Unavailable(error) => MailFinish::Release { error },
            Outcome::Transient(error) => {
                let index = usize::try_from(mail.attempts)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(1);
                match self.settings.retry.get(index) {
                    Some(wait) => MailFinish::Retry {
                        at_ms: chrono::Utc::now()
                            .timestamp_millis()
                            .saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)),
                        error,
                    },
                    None => MailFinish::Dead {
                        error: format!("gave up after {} attempts: {error}", mail.attempts),
                    },
                }
            }
        }
    }

    fn message(
        &self,
        mail: &ConfirmationMail,
        message_id: uuid::Uuid,
    ) -> Result<lettre::Message, String> {
        let to = mailbox("email", &mail.email).map_err(|e| e.to_string())?;
        let w = words(&mail.locale);
        let product = super::product_name(&self.engine, &mail.locale, &mail.sku);
        let url = format!(
            "{}/storefront/confirm/{}",
            self.public_url,
            self.links.confirm_token(mail.id, mail.expires_on)
        );
        let hours = (self.settings.pending_ttl.as_secs() / 3600)
            .max(1)
            .to_string();
        let expires = w.expires.replace("{hours}", &hours);
        let (request_text, request_html) = match &product {
            Some(name) => (
                with_product(w.request, name),
                with_product(
                    w.request,
                    &format!("<strong>{}</strong>", html_escape(name)),
                ),
            ),
            None => (w.request_any.to_owned(), html_escape(w.request_any)),
        };
        let alerts = self
            .links
            .alerts_url(&self.public_url, &mail.email.to_lowercase());
        let text = format!(
            "{}\n\n{request_text}\n\n{}:\n{url}\n\n{expires}\n{}\n\n{}: {alerts}\n",
            w.greeting, w.confirm_button, w.ignore, w.alerts_link
        );
        let html = format!(
            "<!doctype html><html lang=\"{lang}\"><body style=\"font-family:sans-serif;line-height:1.5\">\
             <p>{greeting}</p><p>{request_html}</p>\
             <p><a href=\"{url}\" style=\"display:inline-block;padding:10px 18px;background:#1d1d1f;\
             color:#ffffff;text-decoration:none;border-radius:6px\">{button}</a></p>\
             <p style=\"color:#555\">{expires}<br>{ignore}</p>\
             <p style=\"font-size:13px\"><a href=\"{alerts}\" style=\"color:#555\">{alerts_link}</a></p></body></html>",
            lang = w.lang,
            greeting = html_escape(w.greeting),
            url = html_escape(&url),
            button = html_escape(w.confirm_button),
            expires = html_escape(&expires),
            ignore = html_escape(w.ignore),
            alerts = html_escape(&alerts),
            alerts_link = html_escape(w.alerts_link),
        );
        transactional(&self.sender, to, message_id, w.subject, text, html)
            .map_err(|e| e.to_string())
    }
}
