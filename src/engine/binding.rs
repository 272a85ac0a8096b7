//! Filling a rule [`Record`](crate::dsl::Record): product fields and contact attributes
//! turned into rule values in the schema's slot order.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::domain::{AttributeType, Locale};
use crate::dsl::{Decimal, Elem, Schema, SchemaError, Timestamp, Type, Value};
use crate::feeds::{Catalog, FieldType, FieldValue, Product, AVAILABILITY_VALUES};
use crate::store::Attributes;

impl AttributeType {
    fn rule_type(self) -> Type {
        match self {
            AttributeType::String => Type::String,
            AttributeType::Boolean => Type::Bool,
            AttributeType::Integer => Type::Int,
            AttributeType::Number => Type::Decimal,
            AttributeType::Timestamp => Type::Timestamp,
            AttributeType::Locale => Type::Locale,
        }
    }
}

/// What rules may read: every product field the feeds have, and the declared contact
/// attributes. Product field names were checked when each feed loaded — at start and
/// on every reload, by the same [`check_product_field_name`](crate::dsl::check_product_field_name)
/// that `add_product_field` runs — so only a contact attribute can fail here.
pub fn schema(
    catalog: &Catalog,
    attributes: &BTreeMap<String, AttributeType>,
) -> Result<Schema, SchemaError> {
    let mut schema = Schema::new();
    for (name, ty) in catalog.schema() {
        schema.add_product_field(&name, rule_type(ty))?;
    }
    schema.restrict_product_field("availability", &AVAILABILITY_VALUES);
    for (name, ty) in attributes {
        schema.add_contact_attribute(name, ty.rule_type())?;
    }
    Ok(schema)
}

fn rule_type(ty: FieldType) -> Type {
    match ty {
        FieldType::String => Type::String,
        FieldType::Number => Type::Decimal,
        FieldType::Boolean => Type::Bool,
        FieldType::List => Type::List(Elem::String),
    }
}

/// A product's fields as rule values, in slot order.
pub fn product_values(schema: &Schema, product: &Product) -> Box<[Value]> {
    schema
        .product_fields()
        .map(|(name, ty)| {
            product
                .get(name)
                .map_or(Value::Null, |field| value(ty, field))
        })
        .collect()
}

/// One field as the rule type the schema gives it. A feed's text field read where another
/// feed made the name a list is a list of one; a list read as text is its items joined.
fn value(ty: Type, field: FieldValue<'_>) -> Value {
    match (ty, field) {
        (Type::Decimal, FieldValue::Number(n)) => {
            Decimal::from_f64(n).map_or(Value::Null, Value::Decimal)
        }
        (Type::Bool, FieldValue::Boolean(b)) => Value::Bool(b),
        (Type::String, FieldValue::Text(s)) => Value::from(s),
        (Type::String, FieldValue::Number(n)) => Value::from(n.to_string()),
        (Type::String, FieldValue::List(items)) => {
            Value::from(items.iter().collect::<Vec<_>>().join(", "))
        }
        (Type::List(Elem::String), FieldValue::List(items)) => {
            Value::List(items.iter().map(Value::from).collect())
        }
        (Type::List(Elem::String), FieldValue::Text(s)) => Value::List(Box::new([Value::from(s)])),
        _ => Value::Null,
    }
}

/// A contact's attributes as rule values, in slot order, into `out` (reused between
/// subscriptions). A value of another type than declared reads as null.
pub fn contact_values(schema: &Schema, attributes: &Attributes, out: &mut Vec<Value>) {
    out.clear();
    out.extend(
        schema
            .contact_attributes()
            .map(|(name, ty)| match attributes.get(name) {
                None | Some(Json::Null) => Value::Null,
                Some(json) => json_value(ty, json),
            }),
    );
}

fn json_value(ty: Type, json: &Json) -> Value {
    match (ty, json) {
        (Type::Bool, Json::Bool(b)) => Value::Bool(*b),
        (Type::Int, Json::Number(n)) => n.as_i64().map_or(Value::Null, Value::Int),
        (Type::Decimal, Json::Number(n)) => n
            .as_i64()
            .and_then(Decimal::from_int)
            .or_else(|| n.as_f64().and_then(Decimal::from_f64))
            .map_or(Value::Null, Value::Decimal),
        (Type::String, Json::String(s)) => Value::from(s.as_str()),
        (Type::Locale, Json::String(s)) => {
            Locale::parse(s).map_or(Value::Null, |l| Value::from(l.as_str()))
        }
        (Type::Timestamp, Json::String(s)) => {
            Timestamp::parse_rfc3339(s).map_or(Value::Null, Value::Timestamp)
        }
        _ => Value::Null,
    }
}

/// `contact.email` and `contact.locale` (canonical case) from the attributes.
pub fn contact_email_and_locale(attributes: &Attributes) -> (Option<&str>, Option<Locale>) {
    let email = attributes.get("email").and_then(Json::as_str);
    let locale = attributes
        .get("locale")
        .and_then(Json::as_str)
        .and_then(|l| Locale::parse(l).ok());
    (email, locale)
}
