//! How the domain types appear in the OpenAPI document: the shape of a valid value, with
//! the same limits the parsers enforce. A pattern cannot say every rule (invisible
//! characters, the order of a locale's subtags), so a value that fits may still be
//! refused with a 400 naming the rule; a value that does not fit is always refused.

use std::borrow::Cow;

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use super::{EmailAddress, ExternalId, Locale, Quantity, Sku};

fn identifier(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(super::text::MAX_LEN))
        .pattern(Some(r"^\S(.*\S)?$"))
        .description(Some(description))
        .into()
}

impl PartialSchema for Sku {
    fn schema() -> RefOr<Schema> {
        identifier(
            "A stock keeping unit: non-blank, no leading or trailing white space, no control \
             or invisible characters; compared exactly.",
        )
    }
}

impl ToSchema for Sku {
    fn name() -> Cow<'static, str> {
        "Sku".into()
    }
}

impl PartialSchema for ExternalId {
    fn schema() -> RefOr<Schema> {
        identifier("The retailer's own id for a product variant in one market, e.g. `SE-SKU-1`.")
    }
}

impl ToSchema for ExternalId {
    fn name() -> Cow<'static, str> {
        "ExternalId".into()
    }
}

impl PartialSchema for Locale {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(2))
            .max_length(Some(super::locale::MAX_LEN))
            .pattern(Some(r"^([A-Za-z]{2,3}|[A-Za-z]{5,8})(-[A-Za-z0-9]{1,8})*$"))
            .description(Some(
                "A BCP 47 language tag, e.g. `sv-SE`; matched case-insensitively and answered \
                 in canonical case.",
            ))
            .into()
    }
}

impl ToSchema for Locale {
    fn name() -> Cow<'static, str> {
        "Locale".into()
    }
}

impl PartialSchema for Quantity {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0))
            .description(Some("Units in stock: zero (sold out) or more."))
            .into()
    }
}

impl ToSchema for Quantity {
    fn name() -> Cow<'static, str> {
        "Quantity".into()
    }
}

impl PartialSchema for EmailAddress {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .into()
    }
}

impl ToSchema for EmailAddress {
    fn name() -> Cow<'static, str> {
        "EmailAddress".into()
    }
}
