//! Golden tests for the text of diagnostics: what a marketer reads is part of the
//! contract. Regenerate after a deliberate change with
//! `UPDATE_GOLDEN=1 cargo test --lib dsl::tests::diagnostics` and review the diff.

use super::{errors, schema};
use crate::dsl::{Condition, Origin};

/// Each source, and the diagnostics it must produce.
const CASES: &[&str] = &[
    // unknown names, with and without a suggestion
    "product.prise < 1000",
    "price < 100",
    "Quantity > 5",
    "subscription.created_on > now - 1d",
    "exists(contact.attributes.vipp) and product.colour == \"red\"",
    "contact.attributes.tier == \"gold\" and contact.points > 5",
    "product > 5",
    // names that are not identifiers
    "product.tags[0] == \"sale\"",
    "product[\"colour\"] == \"red\"",
    "contact.attributes.tier[0] == \"gold\"",
    // types
    "quantity == \"five\"",
    "locale > 5",
    "sku < \"B\"",
    "quantity",
    "product.tags == \"sale\"",
    "product.tags contains 5",
    "sku + 1 > 2",
    "subscription.age < 30",
    "not quantity",
    "quantity / 0 > 1",
    "sku starts with 5",
    "quantity matches \"5\"",
    // null
    "contact.attributes.vip == null",
    "contact.attributes.vip != null",
    "contact.attributes.vip is null",
    // locales and lists
    "locale in [\"sv_SE\", \"english\", \"fi-FI\"]",
    "locale == \"en_us\"",
    "quantity in []",
    "quantity in [1, \"two\", 3]",
    "sku in [quantity, 5]",
    "sku in product.price",
    // regexes
    "sku matches \"(abc\"",
    "sku matches \"(?-u:\\xFF)\"",
    "sku matches product.name",
    // syntax
    "quantity = 5",
    "quantity > 5 && purchased",
    "quantity > 5 || purchased",
    "!purchased",
    "quantity > 5 adn locale == \"sv-SE\"",
    "1 < quantity < 10",
    "quantity >",
    "(quantity > 5",
    "quantity in [1 2]",
    "sku == \"SKU-1",
    "subscription.createdOn > 2024-05-01",
    "subscription.createdOn > 2024-05-01T00:00:00",
    "purchased(30d)",
    "quantity > 5\n  and product.price < 1000\n  and subscription.age < 30",
];

fn render_all() -> String {
    let mut out = String::new();
    for source in CASES {
        out.push_str(&format!(
            "=== {}\n{}\n",
            source.replace('\n', "\\n"),
            errors(source)
        ));
    }
    out
}

#[test]
fn diagnostics_match_the_golden_file() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/dsl/tests/diagnostics.golden"
    );
    let actual = render_all();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &actual).expect("write golden file");
    }
    let expected = std::fs::read_to_string(path).expect("golden file exists");
    assert!(
        actual == expected,
        "diagnostics changed; run with UPDATE_GOLDEN=1 and review:\n{actual}"
    );
}

#[test]
fn the_issue_example_reads_as_promised() {
    let origin = Origin::file("rules/vip.yaml").at(8, 3).indent(2);
    let source = "product.prise < 1000\nand contact.attributes.vip == true";
    let error = Condition::compile_at(source, &schema(), &origin).expect_err("unknown field");
    assert_eq!(
        error.to_string(),
        "error: unknown field product.prise\n \
         --> rules/vip.yaml:8:3\n  \
         |\n\
         8 |   product.prise < 1000\n  \
         |   ^^^^^^^^^^^^^ did you mean product.price?\n"
    );
    let first = error.iter().next().expect("one diagnostic");
    assert_eq!(
        first.summary(),
        "rules/vip.yaml:8:3: unknown field product.prise (did you mean product.price?)"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let text = errors("product.prise < 1 and quantity == \"x\" and contact.attributes.vipp");
    assert_eq!(text.matches("error: ").count(), 3, "{text}");
}
