//! Evaluation tables: every operator, on every type it accepts, both outcomes.

use super::{compile, eval, Fixture};

fn table(cases: &[(&str, bool)]) {
    let fixture = Fixture::new();
    for &(source, expected) in cases {
        assert_eq!(eval(source, &fixture), expected, "{source}");
    }
}

#[test]
fn comparison_of_numbers() {
    table(&[
        ("quantity == 10", true),
        ("quantity != 10", false),
        ("quantity < 10", false),
        ("quantity <= 10", true),
        ("quantity > 9", true),
        ("quantity >= 11", false),
        ("product.price == 899.5", true),
        ("product.price < 900", true),
        ("product.price > 899.49", true),
        ("product.price >= 899.500001", false),
        ("900 > product.price", true),
        ("contact.attributes.points == 1200.0", true),
    ]);
}

#[test]
fn comparison_of_text_booleans_and_locales() {
    table(&[
        ("sku == \"SKU-123\"", true),
        ("sku == \"sku-123\"", false),
        ("sku != \"SKU-1\"", true),
        ("product.brand == \"Fjällräven\"", true),
        ("contact.attributes.vip == true", true),
        ("contact.attributes.vip != true", false),
        ("product.onSale == contact.attributes.vip", true),
        ("locale == \"sv-SE\"", true),
        ("locale == \"SV-se\"", true),
        ("\"sv-se\" == locale", true),
        ("locale != \"fi-FI\"", true),
        ("locale == contact.locale", true),
        ("contact.attributes.language == locale", true),
    ]);
}

#[test]
fn membership_in_constant_lists() {
    table(&[
        ("locale in [\"sv-se\", \"fi-FI\"]", true),
        ("locale in [\"fi-FI\", \"en-US\"]", false),
        ("locale not in [\"fi-FI\", \"en-US\"]", true),
        ("locale not in [\"SV-SE\"]", false),
        ("quantity in [1, 5, 10]", true),
        ("quantity in [1, 5, 10.5]", false),
        ("quantity not in [1, 2]", true),
        ("product.price in [899.5, 1000]", true),
        ("product.price in [-1, 899]", false),
        ("subscription.age in [3d, 4d]", true),
        ("contact.attributes.vip in [true]", true),
    ]);
}

#[test]
fn membership_in_large_lists_uses_the_sorted_set() {
    let skus: Vec<String> = (0..500).map(|i| format!("\"SKU-{i}\"")).collect();
    let fixture = Fixture::new();
    let condition = compile(&format!("sku in [{}]", skus.join(", ")));
    assert!(condition.evaluate(&fixture.record()));
    let condition = compile(&format!("sku not in [{}]", skus.join(", ")));
    assert!(!condition.evaluate(&fixture.record()));
    let condition = compile(&format!("sku in [{}]", skus[..100].join(", ")));
    assert!(!condition.evaluate(&fixture.record()));
}

#[test]
fn membership_in_list_fields_and_contains() {
    table(&[
        ("\"sale\" in product.tags", true),
        ("\"old\" in product.tags", false),
        ("\"old\" not in product.tags", true),
        ("product.tags contains \"new\"", true),
        ("product.tags contains \"New\"", false),
        ("product.sizes contains 39", true),
        ("41 in product.sizes", false),
        ("contact.attributes.tier in product.tags", false),
    ]);
}

#[test]
fn text_operators() {
    table(&[
        ("product.name contains \"Runner\"", true),
        ("product.name contains \"runner\"", false),
        ("product.name starts with \"Trail\"", true),
        ("product.name starts with \"Runner\"", false),
        ("product.name ends with \"2\"", true),
        ("product.name ends with \"Trail\"", false),
        ("product.category contains \"\"", true),
        ("contact.email ends with \"@example.com\"", true),
        ("locale starts with \"SV\"", true),
        ("locale ends with \"-se\"", true),
        ("locale contains \"v-s\"", true),
        ("locale contains \"fi\"", false),
        ("sku contains product.name", false),
    ]);
}

#[test]
fn regex_matching() {
    table(&[
        (r#"sku matches "^SKU-\d+$""#, true),
        (r#"sku matches "^SKU-\d{2}$""#, false),
        (r#"product.category matches "running""#, true),
        (r#"product.category matches "(?i)RUNNING""#, true),
        (r#"locale matches "^SV-""#, true),
        (r#"product.brand matches "^Fj.llr.ven$""#, true),
    ]);
}

#[test]
fn logic_operators() {
    table(&[
        ("quantity > 5 and sku == \"SKU-123\"", true),
        ("quantity > 5 and sku == \"X\"", false),
        ("quantity > 50 or sku == \"SKU-123\"", true),
        ("quantity > 50 or sku == \"X\"", false),
        ("not quantity > 50", true),
        ("not (quantity > 5 and sku == \"SKU-123\")", false),
        ("contact.attributes.vip", true),
        ("not contact.attributes.vip", false),
        ("(quantity > 5) == true", true),
        ("(quantity > 5) != contact.attributes.vip", false),
        ("true and not false", true),
    ]);
}

#[test]
fn arithmetic() {
    table(&[
        ("quantity + 5 == 15", true),
        ("quantity - 15 == -5", true),
        ("quantity * 3 == 30", true),
        ("quantity / 4 == 2.5", true),
        ("product.price * 2 == 1799", true),
        ("product.price * 0.9 < 810", true),
        ("product.price - 0.5 == 899", true),
        ("product.price / 3 > 299.83", true),
        ("-quantity < 0", true),
        ("2 + 3 * 4 == 14", true),
        ("(2 + 3) * 4 == 20", true),
        ("quantity * 9223372036854775807 > 0", false),
        ("product.stock - quantity == 2", true),
    ]);
}

#[test]
fn exists_and_purchased_read_presence() {
    let fixture = Fixture::new();
    assert!(eval("exists(product.price)", &fixture));
    assert!(!eval("exists(product.imageUrl)", &fixture));
    assert!(eval("not exists(product.imageUrl)", &fixture));
    assert!(eval(
        "exists(externalId) and exists(contact.email)",
        &fixture
    ));
    assert!(!eval("purchased", &fixture));
    assert!(!eval("purchased(within 30d)", &fixture));
}

#[test]
fn and_and_or_of_every_length_short_circuit_correctly() {
    let fixture = Fixture::new();
    for n in 1..=9 {
        for odd_one in 0..n {
            let parts = |odd: &str, rest: &str| -> Vec<String> {
                (0..n)
                    .map(|i| if i == odd_one { odd } else { rest }.to_owned())
                    .collect()
            };
            let and = parts("quantity > 100", "quantity > 1").join(" and ");
            assert!(!eval(&and, &fixture), "{and}");
            let or = parts("quantity > 1", "quantity > 100").join(" or ");
            assert!(eval(&or, &fixture), "{or}");
        }
        let all_true = vec!["quantity > 1"; n].join(" and ");
        assert!(eval(&all_true, &fixture), "{all_true}");
        let none_true = vec!["quantity > 100"; n].join(" or ");
        assert!(!eval(&none_true, &fixture), "{none_true}");
    }
}

#[test]
fn a_compiled_condition_is_shared_across_threads() {
    fn shareable<T: Send + Sync>(_: &T) {}
    let condition = compile("quantity > 1");
    shareable(&condition);
    let fixture = Fixture::new();
    std::thread::scope(|s| {
        let handle = s.spawn(|| condition.evaluate(&fixture.record()));
        assert_eq!(handle.join().ok(), Some(true));
    });
}
