//! The data templates are checked against when they load, and that previews use when
//! there is nothing real to show. Its shape is the data contract documented in
//! `templates/README.md`.

use serde_json::{json, Map, Value};

use super::tags::{language, region};
use crate::domain::Locale;

/// Realistic values for every field a template may use, in the language and currency of
/// `locale`: what a marketer expects to see in a preview.
pub fn sample_data(locale: &Locale) -> Value {
    let people = person(language(locale));
    let region = region(locale).unwrap_or_else(|| "INTL".to_owned());
    let currency = currency(&region);
    let price = match currency {
        "SEK" | "NOK" | "DKK" => 1299.0,
        "PLN" => 549.0,
        _ => 129.0,
    };
    let sku = "KIRUNA-BLK-M";
    let site = format!(
        "https://shop.example.com/{}",
        locale.as_str().to_lowercase()
    );
    json!({
        "product": {
            "sku": sku,
            "name": people.product,
            "price": price,
            "salePrice": (price * 0.8_f64).round(),
            "currency": currency,
            "brand": "Nordkust",
            "category": people.category,
            "url": format!("{site}/p/{sku}"),
            "imageUrl": format!("https://cdn.shop.example.com/images/{sku}.jpg"),
            "availability": "in stock",
            "color": people.color,
        },
        "contact": {
            "email": format!("{}.{}@example.com", people.first, people.last).to_lowercase(),
            "firstName": people.first,
            "lastName": people.last,
            "city": people.city,
        },
        "subscription": {
            "sku": sku,
            "locale": locale.as_str(),
            "externalId": format!("{region}-{sku}"),
            "createdOn": "2026-11-27T10:15:00+01:00",
        },
        "quantity": 12,
        "locale": locale.as_str(),
        "unsubscribeUrl": format!("{site}/unsubscribe/c2FtcGxlLXRva2Vu"),
        "alertsUrl": format!("{site}/storefront/alerts/c2FtcGxlLXRva2Vu"),
    })
}

/// Only the fields every notification is guaranteed to have (see `templates/README.md`):
/// a template that renders with this cannot fail at send time for want of an optional
/// value such as `product.imageUrl` or `contact.firstName`.
pub fn minimal_sample_data(locale: &Locale) -> Value {
    let mut data = sample_data(locale);
    keep(&mut data["product"], &["sku"]);
    keep(&mut data["contact"], &["email"]);
    keep(&mut data["subscription"], &["sku", "locale", "createdOn"]);
    if let Some(map) = data.as_object_mut() {
        // Only where the storefront serves the page.
        map.remove("alertsUrl");
    }
    data
}

fn keep(object: &mut Value, fields: &[&str]) {
    if let Some(map) = object.as_object_mut() {
        let kept: Map<String, Value> = std::mem::take(map)
            .into_iter()
            .filter(|(key, _)| fields.contains(&key.as_str()))
            .collect();
        *map = kept;
    }
}

fn currency(region: &str) -> &'static str {
    match region {
        "SE" => "SEK",
        "PL" => "PLN",
        "US" => "USD",
        "NO" => "NOK",
        "DK" => "DKK",
        "GB" => "GBP",
        "CH" => "CHF",
        _ => "EUR",
    }
}

/// A shopper and a product named in the locale's language.
struct People {
    first: &'static str,
    last: &'static str,
    city: &'static str,
    product: &'static str,
    category: &'static str,
    color: &'static str,
}

fn person(language: &str) -> People {
    let (first, last, city, product, category, color) = match language {
        "sv" => (
            "Astrid",
            "Lindqvist",
            "Umeå",
            "Vinterjacka Kiruna",
            "Jackor",
            "Svart",
        ),
        "pl" => (
            "Zofia",
            "Kowalska",
            "Kraków",
            "Kurtka zimowa Kiruna",
            "Kurtki",
            "Czarny",
        ),
        "de" => (
            "Lena",
            "Schmidt",
            "München",
            "Winterjacke Kiruna",
            "Jacken",
            "Schwarz",
        ),
        "fi" => (
            "Aino",
            "Virtanen",
            "Tampere",
            "Talvitakki Kiruna",
            "Takit",
            "Musta",
        ),
        "nb" | "nn" | "no" => (
            "Ingrid",
            "Hansen",
            "Tromsø",
            "Vinterjakke Kiruna",
            "Jakker",
            "Svart",
        ),
        "da" => (
            "Freja",
            "Nielsen",
            "Aarhus",
            "Vinterjakke Kiruna",
            "Jakker",
            "Sort",
        ),
        _ => (
            "Emma",
            "Johnson",
            "Portland",
            "Kiruna Winter Jacket",
            "Jackets",
            "Black",
        ),
    };
    People {
        first,
        last,
        city,
        product,
        category,
        color,
    }
}
