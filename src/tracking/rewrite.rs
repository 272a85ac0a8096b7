//! Rewriting the data an email is rendered from: each product link a shopper clicks
//! becomes its tracked URL, before any template runs, so every template — the shipped
//! ones and a shop's own — writes tracked links in the text and HTML parts alike without
//! a change. Images are left alone: the mail client fetches them to show the email, which
//! is no click, and the unsubscribe link is not a product field at all.

use std::sync::Arc;

use serde_json::Value;
use uuid::Uuid;

use super::token::{ClickKey, ClickToken};
use crate::feeds::is_url_field;

/// Whether a product field holds a link a shopper clicks: a link field (see
/// [`is_url_field`]) that is not an image.
pub fn is_clicked_link(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let image = [
        "image",
        "img",
        "thumbnail",
        "photo",
        "picture",
        "logo",
        "icon",
    ]
    .iter()
    .any(|word| lower.contains(word));
    is_url_field(name) && !image
}

/// Turns product links into tracked ones (`tracking.clicks`).
#[derive(Clone)]
pub struct LinkRewriter {
    key: Arc<ClickKey>,
    public_url: String,
}

impl LinkRewriter {
    pub fn new(key: Arc<ClickKey>, public_url: &str) -> Self {
        Self {
            key,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// Replaces every clicked link of `data.product` (a single URL; lists of links stay as
    /// they are) with `{public_url}/r/{token}` for this notification and snapshot.
    pub fn rewrite(&self, data: &mut Value, notification: Uuid, product: Uuid) {
        let Some(fields) = data.get_mut("product").and_then(Value::as_object_mut) else {
            return;
        };
        for (name, value) in fields.iter_mut() {
            if !is_clicked_link(name) || !value.is_string() {
                continue;
            }
            let token = ClickToken {
                notification,
                product,
                link: name.clone(),
            };
            if let Some(url) = self.key.url(&self.public_url, &token) {
                *value = Value::String(url);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn product_links_are_tracked_images_and_the_rest_are_not() {
        let key = Arc::new(ClickKey::new("s"));
        let rewriter = LinkRewriter::new(key.clone(), "https://shop.example/restock/");
        let (notification, product) = (Uuid::now_v7(), Uuid::now_v7());
        let mut data = json!({
            "product": {
                "sku": "SKU-1",
                "url": "https://shop.example/p/1",
                "imageUrl": "https://cdn.example/1.jpg",
                "reviews_link": "https://shop.example/p/1/reviews",
                "additional_link": ["https://shop.example/a"],
                "name": "Kånken",
            },
            "unsubscribeUrl": "https://shop.example/restock/unsubscribe/x",
        });
        rewriter.rewrite(&mut data, notification, product);
        let url = data["product"]["url"].as_str().unwrap();
        let token = url.strip_prefix("https://shop.example/restock/r/").unwrap();
        let read = key.verify(token).unwrap();
        assert_eq!((read.notification, read.product), (notification, product));
        assert_eq!(read.link, "url");
        assert!(data["product"]["reviews_link"]
            .as_str()
            .unwrap()
            .starts_with("https://shop.example/restock/r/"));
        assert_eq!(data["product"]["imageUrl"], "https://cdn.example/1.jpg");
        assert_eq!(
            data["product"]["additional_link"],
            json!(["https://shop.example/a"])
        );
        assert_eq!(data["product"]["name"], "Kånken");
        assert_eq!(
            data["unsubscribeUrl"],
            "https://shop.example/restock/unsubscribe/x"
        );
    }
}
