//! Tests of the language, by stage: grammar rules, whole trees, evaluation tables, the null
//! rules, diagnostic text, and property tests that nothing panics.

mod api;
mod ast_trees;
mod diagnostics;
mod eval_ops;
mod eval_time;
mod grammar;
mod null_rules;
mod origin;
mod props;
mod quoted;

use super::{Condition, Decimal, Duration, Elem, Record, Schema, Timestamp, Type, Value};

/// 2024-06-01T12:00:00Z
pub(super) const NOW: Timestamp = Timestamp::from_millis(1_717_243_200_000);

/// The standard product fields plus a few custom ones, and some contact attributes.
pub(super) fn schema() -> Schema {
    let product = [
        ("tags", Type::List(Elem::String)),
        ("sizes", Type::List(Elem::Int)),
        ("stock", Type::Int),
        ("launch", Type::Timestamp),
        ("onSale", Type::Bool),
    ];
    let attributes = [
        ("vip", Type::Bool),
        ("tier", Type::String),
        ("points", Type::Int),
        ("language", Type::Locale),
    ];
    let mut schema = Schema::standard();
    for (name, ty) in product {
        schema
            .add_product_field(name, ty)
            .expect("valid product field");
    }
    for (name, ty) in attributes {
        schema
            .add_contact_attribute(name, ty)
            .expect("valid attribute");
    }
    schema
}

/// Owned data for one record, with every field present.
pub(super) struct Fixture {
    pub quantity: i64,
    pub sku: String,
    pub locale: String,
    pub external_id: Option<String>,
    pub created_on: Timestamp,
    pub email: Option<String>,
    pub contact_locale: Option<String>,
    pub last_purchase: Option<Timestamp>,
    pub product: Vec<Value>,
    pub attributes: Vec<Value>,
}

pub(super) fn dec(text: &str) -> Decimal {
    text.parse().expect("decimal literal in test")
}

impl Fixture {
    pub fn new() -> Self {
        let product = vec![
            Value::from("Trail Runner 2"),
            Value::Decimal(dec("899.50")),
            Value::from("Fjällräven"),
            Value::from("shoes/running"),
            Value::from("https://shop.example/p/1"),
            Value::Null,
            Value::from(vec!["sale", "new"]),
            Value::from(vec![38i64, 39, 40]),
            Value::Int(12),
            Value::Timestamp(NOW.checked_sub(Duration::from_days(10)).expect("in range")),
            Value::Bool(true),
        ];
        let attributes = vec![
            Value::Bool(true),
            Value::from("gold"),
            Value::Int(1200),
            Value::from("sv-SE"),
        ];
        Fixture {
            quantity: 10,
            sku: "SKU-123".into(),
            locale: "sv-SE".into(),
            external_id: Some("SE-SKU-123".into()),
            created_on: NOW.checked_sub(Duration::from_days(3)).expect("in range"),
            email: Some("anna@example.com".into()),
            contact_locale: Some("sv-SE".into()),
            last_purchase: None,
            product,
            attributes,
        }
    }

    pub fn record(&self) -> Record<'_> {
        Record {
            quantity: self.quantity,
            sku: &self.sku,
            locale: &self.locale,
            external_id: self.external_id.as_deref(),
            now: NOW,
            subscription_created_on: self.created_on,
            contact_email: self.email.as_deref(),
            contact_locale: self.contact_locale.as_deref(),
            last_purchase: self.last_purchase,
            product: &self.product,
            contact_attributes: &self.attributes,
        }
    }

    /// Sets a product field by name.
    pub fn product(mut self, name: &str, value: Value) -> Self {
        let slot = schema().product_slot(name).expect("known product field");
        self.product[slot] = value;
        self
    }

    /// Sets a contact attribute by name.
    pub fn attribute(mut self, name: &str, value: Value) -> Self {
        let slot = schema()
            .contact_attribute_slot(name)
            .expect("known attribute");
        self.attributes[slot] = value;
        self
    }
}

/// Compiles against [`schema`], panicking with the diagnostics if it does not compile.
pub(super) fn compile(source: &str) -> Condition {
    Condition::compile(source, &schema()).unwrap_or_else(|d| panic!("{source}\n{d}"))
}

/// Compiles and evaluates against a fixture.
pub(super) fn eval(source: &str, fixture: &Fixture) -> bool {
    compile(source).evaluate(&fixture.record())
}

/// The rendered diagnostics of a source that must not compile.
pub(super) fn errors(source: &str) -> String {
    match Condition::compile(source, &schema()) {
        Ok(_) => panic!("expected {source:?} to be rejected"),
        Err(d) => d.to_string(),
    }
}
