//! Field names real feeds have that are not identifiers (`product_tags[0]`,
//! `Custom label 0`, `video[0].url`): written `product["…"]`, suggested when written
//! otherwise; and list fields from repeated elements, read with `in` and `contains`.

use crate::dsl::{ast::ExprKind, parse, Condition, Elem, Field, Record, Schema, Type, Value};

fn feed_schema() -> Schema {
    let mut schema = Schema::standard();
    for name in [
        "product_tags[0]",
        "Custom label 0",
        "video[0].url",
        "say \"hi\"",
    ] {
        schema
            .add_product_field(name, Type::String)
            .expect("any feed name");
    }
    schema
        .add_product_field("additional_image_link", Type::List(Elem::String))
        .expect("list");
    schema
}

fn holds(source: &str, product: &[Value]) -> bool {
    let condition =
        Condition::compile(source, &feed_schema()).unwrap_or_else(|d| panic!("{source}\n{d}"));
    condition.evaluate(&Record {
        quantity: 1,
        sku: "SKU-1",
        locale: "sv-SE",
        product,
        ..Record::default()
    })
}

fn product() -> Vec<Value> {
    let mut values = vec![Value::Null; 6];
    values.extend([
        Value::from("summer"),
        Value::from("VIP drop"),
        Value::from("https://video.example/1.mp4"),
        Value::from("quoted"),
        Value::from(vec![
            "https://cdn.example/a.jpg",
            "https://cdn.example/b.jpg",
        ]),
    ]);
    values
}

fn errors(source: &str) -> String {
    match Condition::compile(source, &feed_schema()) {
        Ok(_) => panic!("expected {source:?} to be rejected"),
        Err(d) => d.to_string(),
    }
}

#[test]
fn quoted_names_read_any_feed_column() {
    let p = product();
    assert!(holds("product[\"product_tags[0]\"] == \"summer\"", &p));
    assert!(holds("product['Custom label 0'] starts with \"VIP\"", &p));
    assert!(holds("product[ \"video[0].url\" ] ends with \".mp4\"", &p));
    assert!(holds("product[\"say \\\"hi\\\"\"] == \"quoted\"", &p));
    assert!(holds(
        "product[\"name\"] == product.name or not exists(product[\"name\"])",
        &p
    ));
    assert!(!holds("product[\"product_tags[0]\"] == \"winter\"", &p));
}

#[test]
fn list_fields_read_with_in_and_contains() {
    let p = product();
    assert!(holds(
        "product.additional_image_link contains \"https://cdn.example/b.jpg\"",
        &p
    ));
    assert!(holds(
        "\"https://cdn.example/a.jpg\" in product.additional_image_link",
        &p
    ));
    assert!(!holds(
        "\"https://cdn.example/c.jpg\" in product.additional_image_link",
        &p
    ));
    assert!(holds(
        "\"https://cdn.example/c.jpg\" not in product.additional_image_link",
        &p
    ));
}

#[test]
fn references_and_trees_show_the_quoted_form() {
    let condition =
        Condition::compile("product[\"product_tags[0]\"] == \"summer\"", &feed_schema())
            .expect("compiles");
    let names: Vec<String> = condition
        .references()
        .iter()
        .map(Field::to_string)
        .collect();
    assert_eq!(names, ["product[\"product_tags[0]\"]"]);
    let tree = parse("product[\"price\"] > 1").expect("parses");
    let ExprKind::Compare(_, lhs, _) = tree.kind else {
        panic!("{tree}")
    };
    assert_eq!(
        lhs.to_string(),
        "product.price",
        "a plain name prints plainly"
    );
}

#[test]
fn unquoted_brackets_suggest_the_quoted_name() {
    let text = errors("product.product_tags[0] == \"summer\"");
    assert!(
        text.contains("did you mean product[\"product_tags[0]\"]?"),
        "{text}"
    );
    let text = errors("exists(product.video[0].url)");
    assert!(
        text.contains("did you mean product[\"video[0].url\"]?"),
        "{text}"
    );
    let text = errors("product.style[0] == \"boho\"");
    assert!(
        text.contains("write it as product[\"style[0]\"], if the feeds have such a field"),
        "{text}"
    );
}

#[test]
fn a_spreadsheet_header_is_suggested_for_its_merchant_spelling() {
    let text = errors("product.custom_label_0 == \"VIP drop\"");
    assert!(
        text.contains("did you mean product[\"Custom label 0\"]?"),
        "{text}"
    );
}

#[test]
fn product_field_names_need_only_be_printable_attribute_names_stay_plain() {
    let mut schema = Schema::new();
    assert!(schema
        .add_product_field("Custom label 0", Type::String)
        .is_ok());
    let refused = |name: &str| {
        Schema::new()
            .add_product_field(name, Type::String)
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        refused(" "),
        Err("product field \" \" is not a valid name: the name is empty".into())
    );
    assert!(refused("a\u{7}b").is_err());
    assert_eq!(
        schema
            .add_contact_attribute("product_tags[0]", Type::String)
            .map_err(|e| e.to_string()),
        Err("contact attribute \"product_tags[0]\" is not a valid name: use letters, digits and _, starting with a letter".into())
    );
}

#[test]
fn a_restricted_field_refuses_text_it_never_holds() {
    let mut schema = Schema::standard();
    schema
        .add_product_field("availability", Type::String)
        .expect("field");
    schema.restrict_product_field("availability", &["in_stock", "out_of_stock"]);
    let refused = |source: &str| match Condition::compile(source, &schema) {
        Ok(_) => panic!("{source} must be refused"),
        Err(d) => d.to_string(),
    };
    let text = refused("product.availability == \"in stock\"");
    assert!(
        text.contains("\"in stock\" is never a value of product.availability: it is one of in_stock, out_of_stock")
            && text.contains("did you mean \"in_stock\"?"),
        "{text}"
    );
    let text = refused("product.availability in [\"in_stock\", \"OutOfStock\"]");
    assert!(text.contains("did you mean \"out_of_stock\"?"), "{text}");
    for fine in [
        "product.availability == \"in_stock\"",
        "\"out_of_stock\" != product.availability",
        "product.availability in [\"in_stock\", \"out_of_stock\"]",
        "product.availability starts with \"in\"",
    ] {
        assert!(Condition::compile(fine, &schema).is_ok(), "{fine}");
    }
}
