//! The example in docs/dsl.md, kept compiling and true.

use crate::dsl::{Condition, Elem, Field, Origin, Record, Schema, Timestamp, Type, Value};

#[test]
fn the_documented_example_works() -> Result<(), Box<dyn std::error::Error>> {
    let mut schema = Schema::standard();
    let tags = schema.add_product_field("tags", Type::List(Elem::String))?;
    let vip = schema.add_contact_attribute("vip", Type::Bool)?;
    assert_eq!((tags, vip), (6, 0));

    let condition = Condition::compile("product.price < 1000 and contact.attributes.vip", &schema)?;
    let origin = Origin::file("rules/vip.yaml").at(8, 3).indent(2);
    let same = Condition::compile_at("product.price < 1000", &schema, &origin)?;

    let product = [
        Value::from("Trail shoe"),
        Value::Decimal("899".parse()?),
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
        Value::from(vec!["sale"]),
    ];
    let attributes = [Value::Bool(true)];
    let record = Record {
        quantity: 7,
        sku: "SKU-1",
        locale: "sv-SE",
        now: Timestamp::from(chrono::Utc::now()),
        product: &product,
        contact_attributes: &attributes,
        ..Record::default()
    };
    assert!(condition.evaluate(&record));
    assert!(same.evaluate(&record));
    let names: Vec<String> = condition
        .references()
        .iter()
        .map(Field::to_string)
        .collect();
    assert_eq!(names, ["product.price", "contact.attributes.vip"]);
    assert_eq!(
        schema
            .add_product_field("tags", Type::String)
            .map_err(|e| e.to_string()),
        Err("the field \"tags\" is declared twice".into())
    );
    assert!(schema
        .add_contact_attribute("first-name", Type::String)
        .is_err());
    Ok(())
}
