//! The null rules: a missing value makes every comparison false — even `!=` and
//! `not in` — and `exists()` is the way to test for it.

use super::{compile, eval, Fixture};
use crate::dsl::Value;

/// A fixture whose contact has no attributes, no email, no external id, and whose product
/// has no price and no tags.
fn missing() -> Fixture {
    let mut fixture = Fixture::new()
        .product("price", Value::Null)
        .product("tags", Value::Null)
        .attribute("vip", Value::Null)
        .attribute("tier", Value::Null);
    fixture.external_id = None;
    fixture.email = None;
    fixture.contact_locale = None;
    fixture
}

#[test]
fn every_comparison_with_a_missing_value_is_false() {
    let fixture = missing();
    for source in [
        "product.price == 10",
        "product.price != 10",
        "product.price < 10",
        "product.price <= 10",
        "product.price > 10",
        "product.price >= 10",
        "product.price in [1, 2]",
        "product.price not in [1, 2]",
        "contact.attributes.vip == true",
        "contact.attributes.vip == false",
        "contact.attributes.vip != true",
        "contact.attributes.tier contains \"g\"",
        "contact.attributes.tier starts with \"g\"",
        "contact.attributes.tier ends with \"g\"",
        "contact.attributes.tier matches \".*\"",
        "externalId == \"\"",
        "externalId != \"SE-1\"",
        "contact.email ends with \"@example.com\"",
        "contact.locale == locale",
        "contact.locale != locale",
        "product.tags contains \"sale\"",
        "\"sale\" in product.tags",
        "\"sale\" not in product.tags",
        "product.price * 2 > 0",
        "product.price + 1 != 0",
        "(contact.attributes.vip) == false",
    ] {
        assert!(
            !eval(source, &fixture),
            "{source} should be false when the value is missing"
        );
    }
}

#[test]
fn not_turns_a_false_comparison_true() {
    let fixture = missing();
    assert!(eval("not (product.price == 10)", &fixture));
    assert!(eval("not (product.price != 10)", &fixture));
    assert!(eval("not (\"sale\" in product.tags)", &fixture));
}

#[test]
fn a_missing_true_or_false_counts_as_false() {
    let fixture = missing();
    assert!(!eval("contact.attributes.vip", &fixture));
    assert!(eval("not contact.attributes.vip", &fixture));
}

#[test]
fn exists_tests_for_missing_data() {
    let fixture = missing();
    assert!(!eval("exists(product.price)", &fixture));
    assert!(eval("not exists(contact.attributes.vip)", &fixture));
    assert!(eval("not exists(externalId)", &fixture));
    assert!(eval("exists(product.name)", &fixture));
    assert!(eval(
        "not exists(product.price) or product.price < 100",
        &fixture
    ));
}

#[test]
fn slots_the_engine_left_out_or_filled_with_the_wrong_type_read_as_missing() {
    let mut fixture = Fixture::new();
    fixture.product.truncate(1);
    assert!(!eval("product.price > 0", &fixture));
    assert!(!eval("exists(product.price)", &fixture));
    let fixture = Fixture::new().product("price", Value::from("cheap"));
    assert!(!eval("product.price > 0", &fixture));
    assert!(!eval("product.price != 0", &fixture));
    let condition = compile("contact.attributes.points > 5");
    let empty = crate::dsl::Record::default();
    assert!(!condition.evaluate(&empty));
}

#[test]
fn arithmetic_that_overflows_or_divides_by_zero_is_missing() {
    let fixture = Fixture::new().product("stock", Value::Int(0));
    assert!(!eval("quantity / product.stock > 0", &fixture));
    assert!(!eval("quantity / product.stock <= 0", &fixture));
    assert!(!eval("quantity * 9223372036854775807 * 2 != 0", &fixture));
}
