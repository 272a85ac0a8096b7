//! The data a template sees (the contract in `templates/README.md`), built the same way
//! for a real send and for a preview.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::domain::{format_time, Locale};
use crate::feeds::{is_url_field, is_web_url};
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
    keep_web_links(&mut product);
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

/// Drops every link of the product that is not an absolute http(s) URL, so no template
/// writes a `javascript:` link into an `href` or `src`, nor a webhook passes one on.
/// Feeds drop them at load already; this covers products snapshotted before that (the
/// snapshot is what a notification is rendered from) and any other way in.
fn keep_web_links(product: &mut Map<String, Value>) {
    product.retain(|name, value| {
        if !is_url_field(name) {
            return true;
        }
        match value {
            Value::String(url) => is_web_url(url),
            Value::Array(items) => {
                items.retain(|item| item.as_str().is_some_and(is_web_url));
                true
            }
            _ => false,
        }
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_of_a_snapshot_reach_a_template_or_webhook() {
        let product = json!({
            "sku": "JS-1",
            "name": "javascript: is fine in a name",
            "url": "javascript:alert(1)",
            "imageUrl": "https://cdn.example/1.jpg",
            "additional_image_link": ["data:text/html,x", "https://cdn.example/2.jpg"],
            "video[0].url": "vbscript:x",
        });
        let contact = Attributes::default();
        let locale = Locale::parse("sv-SE").unwrap();
        let data = template_data(&TemplateInput {
            product: &product,
            contact: &contact,
            sku: "JS-1",
            locale: &locale,
            external_id: None,
            subscribed_on: Utc::now(),
            quantity: 1,
            unsubscribe_url: "https://shop.example/u",
        });
        assert_eq!(
            data["product"],
            json!({
                "sku": "JS-1",
                "name": "javascript: is fine in a name",
                "imageUrl": "https://cdn.example/1.jpg",
                "additional_image_link": ["https://cdn.example/2.jpg"],
            })
        );
    }
}
