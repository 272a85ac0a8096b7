use serde::{Deserialize, Serialize};

/// The type of a product field, as the rule language's checker sees it.
///
/// Every field except `sku` may be missing on a given product; the engine and the rule
/// language decide what a comparison with a missing value means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Number,
    Boolean,
    /// Text values, several per product: an element a feed item repeats
    /// (`additional_image_link`, `g:shipping`) or a JSON array.
    List,
}

/// The fields every product has a slot for, whatever the feed format. Their position is
/// their column number in a [`Feed`](super::Feed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Builtin {
    Sku,
    Name,
    Price,
    SalePrice,
    Currency,
    Brand,
    Category,
    Url,
    ImageUrl,
    Availability,
    /// `availability` as the feed wrote it, before normalisation.
    AvailabilityRaw,
}

impl Builtin {
    pub(super) const ALL: [Builtin; 11] = [
        Builtin::Sku,
        Builtin::Name,
        Builtin::Price,
        Builtin::SalePrice,
        Builtin::Currency,
        Builtin::Brand,
        Builtin::Category,
        Builtin::Url,
        Builtin::ImageUrl,
        Builtin::Availability,
        Builtin::AvailabilityRaw,
    ];

    /// The camelCase name the rule language and the API use (`product.imageUrl`).
    pub(super) fn name(self) -> &'static str {
        match self {
            Builtin::Sku => "sku",
            Builtin::Name => "name",
            Builtin::Price => "price",
            Builtin::SalePrice => "salePrice",
            Builtin::Currency => "currency",
            Builtin::Brand => "brand",
            Builtin::Category => "category",
            Builtin::Url => "url",
            Builtin::ImageUrl => "imageUrl",
            Builtin::Availability => "availability",
            Builtin::AvailabilityRaw => "availabilityRaw",
        }
    }

    pub(super) fn ty(self) -> FieldType {
        match self {
            Builtin::Price | Builtin::SalePrice => FieldType::Number,
            _ => FieldType::String,
        }
    }

    /// The feed fields (normalized, see [`normalize`]) this field is read from, best first.
    /// Merchant names lead, so a Google Merchant feed maps without configuration; our own
    /// names follow, so a JSON lines export of what the engine sees loads back as is.
    pub(super) fn sources(self) -> &'static [&'static str] {
        match self {
            Builtin::Sku => &["id", "sku"],
            Builtin::Name => &["title", "name"],
            Builtin::Price => &["price"],
            Builtin::SalePrice => &["sale_price", "saleprice"],
            Builtin::Currency => &["currency"],
            Builtin::Brand => &["brand"],
            Builtin::Category => &["product_type", "category", "google_product_category"],
            Builtin::Url => &["link", "url"],
            Builtin::ImageUrl => &["image_link", "imageurl", "image_url"],
            Builtin::Availability => &["availability"],
            // Derived from `availability`, never read from a field of its own.
            Builtin::AvailabilityRaw => &[],
        }
    }
}

/// The built-in product fields and their types, in the order products show them: the part
/// of the product schema that does not depend on any feed. Custom fields come from the
/// feeds themselves; see [`Catalog::schema`](super::Catalog::schema).
pub fn builtin_fields() -> Vec<(String, FieldType)> {
    Builtin::ALL
        .into_iter()
        .map(|b| (b.name().to_owned(), b.ty()))
        .collect()
}

/// The name a feed field is known by as a custom field: without a namespace prefix
/// (`g:color` → `color`) and surrounding spaces; case is kept.
pub(super) fn custom_name(raw: &str) -> &str {
    let local = raw.rsplit_once(':').map_or(raw, |(_, local)| local);
    local.trim()
}

/// The form in which feed field names are matched to built-in fields: Merchant's sheet
/// headers (`Image link`), TSV names (`image_link`) and `g:image_link` all become
/// `image_link`.
pub(super) fn normalize(raw: &str) -> String {
    custom_name(raw)
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_spellings_normalize_alike() {
        for raw in ["image_link", "g:image_link", "Image link", " IMAGE-LINK "] {
            assert_eq!(normalize(raw), "image_link", "{raw:?}");
        }
        assert_eq!(custom_name("g:Färg"), "Färg");
    }

    #[test]
    fn builtin_fields_are_camel_case_and_typed() {
        let fields = builtin_fields();
        assert_eq!(fields[0], ("sku".to_owned(), FieldType::String));
        assert!(fields.contains(&("imageUrl".to_owned(), FieldType::String)));
        assert!(fields.contains(&("price".to_owned(), FieldType::Number)));
        assert!(fields.contains(&("salePrice".to_owned(), FieldType::Number)));
    }
}
