//! Builds the MIME message: multipart/alternative (text, then HTML), with the headers
//! that make it stable across retries and unsubscribable in one click.

use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use uuid::Uuid;

use super::headers::{ListUnsubscribe, ListUnsubscribePost};
use super::EmailError;
use crate::templates::Rendered;

/// Who a message is from, as configured (`mail.from`, `mail.reply_to`).
#[derive(Debug, Clone)]
pub struct Sender {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
}

impl Sender {
    pub fn parse(from: &str, reply_to: Option<&str>) -> Result<Self, EmailError> {
        Ok(Self {
            from: mailbox("mail.from", from)?,
            reply_to: reply_to.map(|r| mailbox("mail.reply_to", r)).transpose()?,
        })
    }

    /// The right-hand side of Message-IDs: the From address's domain.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }
}

/// A mailbox (`Name <addr>` or `addr`); lettre refuses line breaks and invalid addresses.
pub fn mailbox(field: &'static str, value: &str) -> Result<Mailbox, EmailError> {
    value
        .parse()
        .map_err(|e: lettre::address::AddressError| EmailError::Mailbox {
            field,
            value: value.to_owned(),
            reason: e.to_string(),
        })
}

/// `<{notification id}@{domain}>`: the same for every attempt at one notification.
pub fn message_id(notification: Uuid, domain: &str) -> String {
    format!("<{notification}@{domain}>")
}

pub fn build(
    sender: &Sender,
    to: Mailbox,
    notification: Uuid,
    unsubscribe_url: &str,
    rendered: Rendered,
) -> Result<Message, EmailError> {
    let unsubscribe = ListUnsubscribe::new(unsubscribe_url)
        .ok_or_else(|| EmailError::Build("the unsubscribe URL contains a line break".into()))?;
    if rendered.subject.contains(['\r', '\n']) {
        return Err(EmailError::Build(
            "the subject contains a line break".into(),
        ));
    }
    let mut builder = Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(message_id(notification, sender.domain())))
        .header(unsubscribe)
        .header(ListUnsubscribePost);
    if let Some(reply_to) = &sender.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            rendered.text,
            rendered.html,
        ))
        .map_err(|e| EmailError::Build(e.to_string()))
}

/// A message that is no notification (a test message, a sign-up's confirmation): to one
/// address, from the configured sender, with no list headers, text and HTML alike.
pub fn transactional(
    sender: &Sender,
    to: Mailbox,
    id: Uuid,
    subject: &str,
    text: String,
    html: String,
) -> Result<Message, EmailError> {
    let mut builder = Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(subject.replace(['\r', '\n'], " "))
        .message_id(Some(message_id(id, sender.domain())));
    if let Some(reply_to) = &sender.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| EmailError::Build(e.to_string()))
}
