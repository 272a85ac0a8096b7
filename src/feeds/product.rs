use std::fmt;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::schema::Builtin;
use super::Feed;

/// One product as the engine sees it, for rule evaluation and
/// `GET /api/v3/products/{locale}/{sku}`.
///
/// A handle of a feed and a row: cloning it is one reference count, and it keeps its feed
/// snapshot alive, so a product fetched before a reload reads the same values after it.
/// Serializes to a flat camelCase JSON object of the fields it has (built-in first, then
/// custom fields by their feed name); missing fields are left out.
#[derive(Clone)]
pub struct Product {
    feed: Arc<Feed>,
    row: u32,
}

/// A field's value. Text borrows from the feed's arena; nothing is copied.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum FieldValue<'a> {
    Text(&'a str),
    Number(f64),
    Boolean(bool),
    /// The values of a field the feed repeats; serializes as a JSON array.
    List(TextList<'a>),
}

/// Separates the items of a list cell in the arena. Feed text never keeps it: it is a
/// control character (U+001F) that XML cannot carry and other formats have no use for.
pub(super) const LIST_SEPARATOR: char = '\u{1f}';

/// The items of a list field, borrowed from the feed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextList<'a>(pub(super) &'a str);

impl<'a> TextList<'a> {
    /// The items, in feed order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> {
        self.0.split(LIST_SEPARATOR)
    }
}

impl Serialize for TextList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'a> FieldValue<'a> {
    /// The text of a string field.
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            FieldValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value of a number field (prices, custom fields typed `number`).
    pub fn as_number(&self) -> Option<f64> {
        match *self {
            FieldValue::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The items of a list field.
    pub fn as_list(&self) -> Option<TextList<'a>> {
        match *self {
            FieldValue::List(list) => Some(list),
            _ => None,
        }
    }

    /// The value of a custom field typed `boolean`.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            FieldValue::Boolean(b) => Some(b),
            _ => None,
        }
    }
}

impl Product {
    pub(super) fn new(feed: Arc<Feed>, row: u32) -> Self {
        Self { feed, row }
    }

    fn builtin(&self, field: Builtin) -> Option<FieldValue<'_>> {
        self.feed.value(field as usize, self.row)
    }

    fn text(&self, field: Builtin) -> Option<&str> {
        self.builtin(field).and_then(|v| v.as_str())
    }

    /// The SKU that stock levels and subscriptions carry; every product has one.
    pub fn sku(&self) -> &str {
        self.text(Builtin::Sku).unwrap_or_default()
    }

    /// Merchant `title`.
    pub fn name(&self) -> Option<&str> {
        self.text(Builtin::Name)
    }

    /// The regular price, in [`currency`](Self::currency).
    pub fn price(&self) -> Option<f64> {
        self.builtin(Builtin::Price).and_then(|v| v.as_number())
    }

    /// The sale price, in the same currency as the price.
    pub fn sale_price(&self) -> Option<f64> {
        self.builtin(Builtin::SalePrice).and_then(|v| v.as_number())
    }

    /// ISO 4217 code, upper case.
    pub fn currency(&self) -> Option<&str> {
        self.text(Builtin::Currency)
    }

    /// Merchant `brand`.
    pub fn brand(&self) -> Option<&str> {
        self.text(Builtin::Brand)
    }

    /// Merchant `product_type`, else `google_product_category`.
    pub fn category(&self) -> Option<&str> {
        self.text(Builtin::Category)
    }

    /// The product page: Merchant `link`.
    pub fn url(&self) -> Option<&str> {
        self.text(Builtin::Url)
    }

    /// Merchant `image_link`.
    pub fn image_url(&self) -> Option<&str> {
        self.text(Builtin::ImageUrl)
    }

    /// Normalised: `in_stock`, `out_of_stock`, `preorder` or `backorder`; missing when
    /// the feed's text is none of the spellings those are read from.
    pub fn availability(&self) -> Option<&str> {
        self.text(Builtin::Availability)
    }

    /// `availability` as the feed writes it, e.g. `in stock`, `https://schema.org/InStock`.
    pub fn availability_raw(&self) -> Option<&str> {
        self.text(Builtin::AvailabilityRaw)
    }

    /// Any field by the name the rule language uses: `price`, `imageUrl`, or a custom
    /// field's feed name (`color`, `custom_label_0`).
    pub fn get(&self, field: &str) -> Option<FieldValue<'_>> {
        self.feed.value(self.feed.column_of(field)?, self.row)
    }

    /// Every field this product has, built-in ones first.
    pub fn fields(&self) -> impl Iterator<Item = (&str, FieldValue<'_>)> {
        self.feed
            .column_names()
            .filter_map(|(column, name)| Some((name, self.feed.value(column, self.row)?)))
    }

    /// The feed snapshot this product was read from.
    pub fn feed(&self) -> &Arc<Feed> {
        &self.feed
    }
}

impl Serialize for Product {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in self.fields() {
            map.serialize_entry(name, &value)?;
        }
        map.end()
    }
}

/// For the OpenAPI document: a flat object whose fields depend on the feed.
impl utoipa::PartialSchema for Product {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        let value = ObjectBuilder::new().schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Boolean,
            Type::Array,
        ]));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "The product's fields by name (built-in fields camelCase, then the feed's own); \
                 a field the feed repeats is an array of strings.",
            ))
            .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::RefOr(
                value.into(),
            )))
            .into()
    }
}

impl utoipa::ToSchema for Product {}

impl fmt::Debug for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.fields()).finish()
    }
}
