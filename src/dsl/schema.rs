//! What a condition may read, and the slot each product field and attribute lives in.

use std::fmt;
use std::sync::Arc;

use super::names::{check_product_field_name, field_path};
use super::Type;

/// The product fields most feeds provide, in the slot order [`Schema::standard`] gives them.
pub const STANDARD_PRODUCT_FIELDS: &[(&str, Type)] = &[
    ("name", Type::String),
    ("price", Type::Decimal),
    ("brand", Type::String),
    ("category", Type::String),
    ("url", Type::String),
    ("imageUrl", Type::String),
];

/// The variables a condition can use beyond the fixed ones (`quantity`, `sku`, …):
/// the product feed's fields and the declared contact attributes, each with its type and
/// the slot index at which the engine puts its value in [`Record`](super::Record).
#[derive(Clone, Debug, Default)]
pub struct Schema {
    product: Vec<(Arc<str>, Type)>,
    attributes: Vec<(Arc<str>, Type)>,
    /// Text product fields that only ever hold one of a few values, by slot.
    choices: Vec<(usize, &'static [&'static str])>,
}

/// Why a field cannot be added to a [`Schema`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// A contact attribute name must be a plain name (`contact.attributes.<name>`).
    #[error("contact attribute {0:?} is not a valid name: use letters, digits and _, starting with a letter")]
    InvalidAttributeName(String),
    /// A product field name no condition could write, even quoted.
    #[error("product field {name:?} is not a valid name: {why}")]
    InvalidProductField { name: String, why: String },
    /// The name is already declared.
    #[error("the field {0:?} is declared twice")]
    Duplicate(String),
}

impl Schema {
    /// A schema with no product fields and no contact attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// A schema with [`STANDARD_PRODUCT_FIELDS`] in slots 0.. and no contact attributes.
    pub fn standard() -> Self {
        let mut schema = Self::new();
        for &(name, ty) in STANDARD_PRODUCT_FIELDS {
            schema.product.push((name.into(), ty));
        }
        schema
    }

    /// Declares `product.<name>`; returns its slot in [`Record::product`](super::Record).
    /// Any name [`check_product_field_name`] accepts will do.
    pub fn add_product_field(&mut self, name: &str, ty: Type) -> Result<usize, SchemaError> {
        check_product_field_name(name).map_err(|why| SchemaError::InvalidProductField {
            name: name.into(),
            why,
        })?;
        add(&mut self.product, name, ty)
    }

    /// Declares `contact.attributes.<name>`; returns its slot in
    /// [`Record::contact_attributes`](super::Record).
    pub fn add_contact_attribute(&mut self, name: &str, ty: Type) -> Result<usize, SchemaError> {
        let mut chars = name.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(SchemaError::InvalidAttributeName(name.into()));
        }
        add(&mut self.attributes, name, ty)
    }

    /// Declares that a text product field only ever holds one of `values` (feeds normalise
    /// `availability` to four), so the checker refuses a comparison with any other text
    /// — `product.availability == "in stock"` — instead of letting it never match.
    /// Does nothing for an undeclared field.
    pub fn restrict_product_field(&mut self, name: &str, values: &'static [&'static str]) {
        if let Some(slot) = self.product_slot(name) {
            self.choices.retain(|(s, _)| *s != slot);
            self.choices.push((slot, values));
        }
    }

    /// The values a product field is restricted to, if it is.
    pub(crate) fn choices(&self, slot: usize) -> Option<&'static [&'static str]> {
        self.choices
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, values)| *values)
    }

    /// Builder form of [`Schema::add_product_field`].
    pub fn with_product_field(mut self, name: &str, ty: Type) -> Result<Self, SchemaError> {
        self.add_product_field(name, ty)?;
        Ok(self)
    }

    /// Builder form of [`Schema::add_contact_attribute`].
    pub fn with_contact_attribute(mut self, name: &str, ty: Type) -> Result<Self, SchemaError> {
        self.add_contact_attribute(name, ty)?;
        Ok(self)
    }

    /// The slot of a product field.
    pub fn product_slot(&self, name: &str) -> Option<usize> {
        self.product.iter().position(|(n, _)| &**n == name)
    }

    /// The slot of a contact attribute.
    pub fn contact_attribute_slot(&self, name: &str) -> Option<usize> {
        self.attributes.iter().position(|(n, _)| &**n == name)
    }

    /// Product fields in slot order.
    pub fn product_fields(&self) -> impl Iterator<Item = (&str, Type)> {
        self.product.iter().map(|(n, t)| (&**n, *t))
    }

    /// Contact attributes in slot order.
    pub fn contact_attributes(&self) -> impl Iterator<Item = (&str, Type)> {
        self.attributes.iter().map(|(n, t)| (&**n, *t))
    }

    pub(crate) fn product(&self, name: &str) -> Option<(usize, &Arc<str>, Type)> {
        find(&self.product, name)
    }

    pub(crate) fn attribute(&self, name: &str) -> Option<(usize, &Arc<str>, Type)> {
        find(&self.attributes, name)
    }
}

fn find<'s>(fields: &'s [(Arc<str>, Type)], name: &str) -> Option<(usize, &'s Arc<str>, Type)> {
    let slot = fields.iter().position(|(n, _)| &**n == name)?;
    Some((slot, &fields[slot].0, fields[slot].1))
}

fn add(fields: &mut Vec<(Arc<str>, Type)>, name: &str, ty: Type) -> Result<usize, SchemaError> {
    if fields.iter().any(|(n, _)| &**n == name) {
        return Err(SchemaError::Duplicate(name.into()));
    }
    fields.push((name.into(), ty));
    Ok(fields.len() - 1)
}

/// A variable a condition reads, as listed by
/// [`Condition::references`](super::Condition::references). The engine uses the list to
/// skip loading what no automation needs (purchases, contact attributes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// `quantity`
    Quantity,
    /// `sku`
    Sku,
    /// `locale`
    Locale,
    /// `externalId`
    ExternalId,
    /// `now`
    Now,
    /// `subscription.createdOn`
    SubscriptionCreatedOn,
    /// `subscription.age` (reads `now` and the creation time)
    SubscriptionAge,
    /// `contact.email`
    ContactEmail,
    /// `contact.locale`
    ContactLocale,
    /// `purchased` or `purchased(within …)` (reads [`Record::last_purchase`](super::Record))
    Purchased,
    /// `product.<name>` or `product["<name>"]`, at `slot` in
    /// [`Record::product`](super::Record).
    Product { slot: usize, name: Arc<str> },
    /// `contact.attributes.<name>`, at `slot` in
    /// [`Record::contact_attributes`](super::Record).
    ContactAttribute { slot: usize, name: Arc<str> },
}

impl fmt::Display for Field {
    /// The name as written in a condition: `product.price`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Quantity => f.write_str("quantity"),
            Field::Sku => f.write_str("sku"),
            Field::Locale => f.write_str("locale"),
            Field::ExternalId => f.write_str("externalId"),
            Field::Now => f.write_str("now"),
            Field::SubscriptionCreatedOn => f.write_str("subscription.createdOn"),
            Field::SubscriptionAge => f.write_str("subscription.age"),
            Field::ContactEmail => f.write_str("contact.email"),
            Field::ContactLocale => f.write_str("contact.locale"),
            Field::Purchased => f.write_str("purchased"),
            Field::Product { name, .. } => f.write_str(&field_path("product", name)),
            Field::ContactAttribute { name, .. } => write!(f, "contact.attributes.{name}"),
        }
    }
}
