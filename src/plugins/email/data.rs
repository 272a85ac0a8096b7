//! The data a template sees (the contract in `templates/README.md`), built the same way
//! for a real send and for a preview.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::domain::{format_time, Locale};
use crate::store::{Attributes, OutboxItem};

/// Everything one email is rendered from.
pub struct TemplateInput<'a> {
    /// The product as the feed of the subscription's locale has it (camelCase fields).
    pub product: &'a Value,
    /// The contact's attributes (`email`, `firstName`, …).
    pub contact: &'a Attributes,
    pub sku: &'a str,
    pub locale: &'a Locale,
    pub external_id: Option<&'a str>,
    pub subscribed_on: DateTime<Utc>,
    /// The stock level that triggered the email.
    pub quantity: i64,
    pub unsubscribe_url: &'a str,
}

/// `{product, contact, subscription, quantity, locale, unsubscribeUrl}`. `product.sku`
/// is always set, from the subscription when the snapshot lacks it.
pub fn template_data(input: &TemplateInput<'_>) -> Value {
    let mut product = input.product.as_object().cloned().unwrap_or_else(Map::new);
    product
        .entry("sku")
        .or_insert_with(|| Value::String(input.sku.to_owned()));
    let mut subscription = json!({
        "sku": input.sku,
        "locale": input.locale.as_str(),
        "createdOn": format_time(&input.subscribed_on),
    });
    if let (Some(external_id), Some(map)) = (input.external_id, subscription.as_object_mut()) {
        map.insert(
            "externalId".to_owned(),
            Value::String(external_id.to_owned()),
        );
    }
    json!({
        "product": product,
        "contact": input.contact,
        "subscription": subscription,
        "quantity": input.quantity,
        "locale": input.locale.as_str(),
        "unsubscribeUrl": input.unsubscribe_url,
    })
}

/// [`template_data`] for a notification in the outbox: what its email is rendered from,
/// and what a webhook receives.
pub fn notification_data(item: &OutboxItem, locale: &Locale, unsubscribe_url: &str) -> Value {
    template_data(&TemplateInput {
        product: &item.product,
        contact: &item.contact,
        sku: &item.sku,
        locale,
        external_id: item.external_id.as_deref(),
        subscribed_on: item.subscribed_on,
        quantity: item.quantity,
        unsubscribe_url,
    })
}
