//! Renders a template with real data — the feed's product and a stored contact — without
//! sending anything: what `POST /api/v3/templates/{name}/preview` and
//! `restock templates render` show a marketer.

use uuid::Uuid;

use super::data::{template_data, TemplateInput};
use crate::domain::Locale;
use crate::feeds::Catalog;
use crate::store::{Store, StoreError};
use crate::templates::{sample_data, Rendered, TemplateError, Templates};
use crate::unsubscribe::UnsubscribeKey;

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("no contact with that id")]
    ContactNotFound,
    #[error("no product feed is configured for {0}")]
    NoFeed(Locale),
    #[error("the {0} feed has no product with SKU {1}")]
    ProductNotFound(Locale, String),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whose email to preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewContact {
    /// A stored contact: their attributes and their own unsubscribe link.
    Stored(Uuid),
    /// The sample contact of the locale (`sample_data`), for a template to look at before
    /// any real contact exists; its unsubscribe link is the sample's, not a working one.
    Sample,
}

/// What to preview: template `name` for a contact and a product in a locale.
pub struct PreviewRequest<'a> {
    pub name: &'a str,
    pub locale: &'a Locale,
    pub sku: &'a str,
    pub contact: PreviewContact,
    /// The stock level to show (`quantity`); a preview has no real one.
    pub quantity: i64,
}

pub async fn preview(
    request: &PreviewRequest<'_>,
    templates: &Templates,
    catalog: &Catalog,
    store: &dyn Store,
    unsubscribe: (&UnsubscribeKey, &str),
) -> Result<Rendered, PreviewError> {
    let locale = request.locale;
    // Fail on the template first: it is what the marketer is working on.
    templates.resolve(request.name, locale)?;
    if !catalog.has_feed(locale) {
        return Err(PreviewError::NoFeed(locale.clone()));
    }
    let product = catalog
        .product(locale, request.sku)
        .ok_or_else(|| PreviewError::ProductNotFound(locale.clone(), request.sku.to_owned()))?;
    let product = serde_json::to_value(&product).unwrap_or_default();
    let (contact, unsubscribe_url) = match request.contact {
        PreviewContact::Stored(id) => {
            let contact = store
                .get_contact(id)
                .await?
                .ok_or(PreviewError::ContactNotFound)?;
            let (key, public_url) = unsubscribe;
            (contact.attributes, key.url(public_url, contact.id))
        }
        PreviewContact::Sample => {
            let sample = sample_data(locale);
            let attributes = sample["contact"].as_object().cloned().unwrap_or_default();
            let url = sample["unsubscribeUrl"].as_str().unwrap_or_default();
            (attributes, url.to_owned())
        }
    };
    let data = template_data(&TemplateInput {
        product: &product,
        contact: &contact,
        sku: request.sku,
        locale,
        external_id: None,
        subscribed_on: chrono::Utc::now(),
        quantity: request.quantity,
        unsubscribe_url: &unsubscribe_url,
    });
    Ok(templates.render(request.name, locale, &data)?)
}
