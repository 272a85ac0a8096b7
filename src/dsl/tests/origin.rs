//! Positions inside an enclosing file: a `when:` block in a YAML automation.

use super::schema;
use crate::dsl::{Condition, Diagnostic, Origin};

fn first(source: &str, origin: &Origin) -> Diagnostic {
    let error = Condition::compile_at(source, &schema(), origin).expect_err("must not compile");
    error.into_vec().remove(0)
}

#[test]
fn a_plain_scalar_keeps_its_line_and_shifts_its_column() {
    // `when: quantity > "5"` on line 4: the condition starts at column 7.
    let origin = Origin::file("rules/a.yaml").at(4, 7);
    let d = first("quantity > \"5\"", &origin);
    assert_eq!((d.line, d.column, d.width), (4, 7, 14));
    assert_eq!(d.source_line, "      quantity > \"5\"");
    assert!(d.to_string().contains(" --> rules/a.yaml:4:7\n"));
}

#[test]
fn a_block_scalar_maps_each_line_through_its_indentation() {
    // when: |
    //   quantity > 5
    //   and product.prise < 10
    let origin = Origin::file("rules/b.yaml").at(9, 3).indent(2);
    let d = first("quantity > 5\nand product.prise < 10\n", &origin);
    assert_eq!((d.line, d.column), (10, 7));
    assert_eq!(d.source_line, "  and product.prise < 10");
    assert_eq!(
        d.to_string(),
        "error: unknown field product.prise\n  --> rules/b.yaml:10:7\n   |\n10 |   and product.prise < 10\n   |       ^^^^^^^^^^^^^ did you mean product.price?\n"
    );
}

#[test]
fn syntax_errors_are_mapped_too() {
    let origin = Origin::file("rules/c.yaml").at(2, 9).indent(4);
    let d = first("quantity > 5\n\nand = 3", &origin);
    assert_eq!(
        (d.line, d.column, d.message.as_str()),
        (
            4,
            9,
            "expected a value or a field name (such as 5, \"sv-SE\" or product.price), found '='"
        )
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let d = first(
        "product.brand == \"Fjällräven\" and x > 1",
        &Origin::default(),
    );
    assert_eq!((d.line, d.column, d.width), (1, 35, 1));
}

#[test]
fn the_caret_follows_tabs_in_the_real_line() {
    let mut d = first("\tquantity > \"x\"", &Origin::default());
    d.source_line = "\tquantity > \"x\"".into();
    assert!(
        d.to_string()
            .ends_with("1 | \tquantity > \"x\"\n  | \t^^^^^^^^^^^^^^\n"),
        "{d}"
    );
}
