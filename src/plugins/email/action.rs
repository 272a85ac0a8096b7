//! The `email` action: settings, checks on the contact, render, build, send.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Deserialize;

use super::data::notification_data;
use super::message::{self, mailbox, Sender};
use super::Mailer;
use crate::domain::{EmailAddress, Locale};
use crate::plugins::{Action, Outcome};
use crate::reload::Reloadable;
use crate::store::OutboxItem;
use crate::templates::{TemplateError, Templates};
use crate::tracking::LinkRewriter;
use crate::unsubscribe::UnsubscribeKey;

/// `email: {template: back-in-stock, from: "Shop <shop@example.com>"}`; `from` and
/// `replyTo` override `mail.from` / `mail.reply_to` for one automation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Settings {
    template: String,
    from: Option<String>,
    reply_to: Option<String>,
}

pub struct EmailAction {
    /// `None` when `templates_dir` does not exist: the server still starts (for an
    /// install that only uses other actions), and emails dead-letter saying why.
    templates: Option<Reloadable<Templates, TemplateError>>,
    mailer: Mailer,
    sender: Sender,
    unsubscribe: Arc<UnsubscribeKey>,
    public_url: String,
    /// Tracks the product links (`tracking.clicks`); `None` leaves them as they are.
    links: Option<LinkRewriter>,
    /// Makes the "my alerts" link (`alertsUrl`) where the storefront serves its page.
    alerts: Option<crate::links::LinkKey>,
}

impl EmailAction {
    pub fn new(
        templates: Option<Reloadable<Templates, TemplateError>>,
        mailer: Mailer,
        sender: Sender,
        unsubscribe: Arc<UnsubscribeKey>,
        public_url: String,
    ) -> Self {
        Self {
            templates,
            mailer,
            sender,
            unsubscribe,
            public_url,
            links: None,
            alerts: None,
        }
    }

    /// Gives every email the shopper's "my alerts" link (`alertsUrl`), from now on.
    pub fn with_alerts_links(mut self, alerts: crate::links::LinkKey) -> Self {
        self.alerts = Some(alerts);
        self
    }

    /// Sends product links through `links` (tracked), from now on.
    pub fn with_tracked_links(mut self, links: LinkRewriter) -> Self {
        self.links = Some(links);
        self
    }

    /// The transport, for the start probe, the status resource and the gauge.
    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    fn sender(&self, settings: &Settings) -> Result<Sender, String> {
        let mut sender = self.sender.clone();
        if let Some(from) = &settings.from {
            sender.from = mailbox("email.from", from).map_err(|e| e.to_string())?;
        }
        if let Some(reply_to) = &settings.reply_to {
            sender.reply_to = Some(mailbox("email.replyTo", reply_to).map_err(|e| e.to_string())?);
        }
        Ok(sender)
    }

    /// Everything up to the send; an `Err` is a permanent failure with its reason.
    fn prepare(
        &self,
        item: &OutboxItem,
        raw: &serde_json::Value,
    ) -> Result<lettre::Message, String> {
        let settings: Settings = serde_json::from_value(raw.clone())
            .map_err(|e| format!("invalid settings {raw}: {e}"))?;
        let sender = self.sender(&settings)?;
        let address = item
            .contact
            .get("email")
            .and_then(|v| v.as_str())
            .and_then(|raw| EmailAddress::parse(raw).ok())
            .ok_or("the contact has no valid email address")?;
        let to = mailbox("contact.email", address.as_str()).map_err(|e| e.to_string())?;
        let locale = Locale::parse(&item.locale)
            .map_err(|e| format!("invalid locale {:?}: {e}", item.locale))?;
        let templates = self
            .templates
            .as_ref()
            .ok_or("no templates are loaded: templates_dir does not exist")?
            .current();
        let unsubscribe_url = self.unsubscribe.url(&self.public_url, item.contact_id);
        let mut data = notification_data(item, &locale, &unsubscribe_url);
        if let Some(alerts) = &self.alerts {
            data["alertsUrl"] = alerts.alerts_url(&self.public_url, &address.key()).into();
        }
        if let Some(links) = &self.links {
            links.rewrite(&mut data, item.id, item.product_id);
        }
        let rendered = templates
            .render(&settings.template, &locale, &data)
            .map_err(|e| format!("template {:?}: {e}", settings.template))?;
        message::build(&sender, to, item.id, &unsubscribe_url, rendered).map_err(|e| e.to_string())
    }
}

#[async_trait]
impl Action for EmailAction {
    fn name(&self) -> &'static str {
        "email"
    }

    #[tracing::instrument(skip_all, fields(notification = %item.id, contact = %item.contact_id))]
    async fn execute(&self, item: &OutboxItem, settings: &serde_json::Value) -> Outcome {
        if !item.accepts_email {
            // The contact unsubscribed after this was queued: honouring that is success.
            tracing::info!("the contact opted out of email; nothing sent");
            return Outcome::Done;
        }
        match self.prepare(item, settings) {
            Ok(message) => self.mailer.send(item.id, message).await,
            Err(reason) => Outcome::Permanent(reason),
        }
    }

    async fn probe(&self) -> Result<(), String> {
        self.mailer.probe().await
    }
}
