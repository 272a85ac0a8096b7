//! The raw text of a `when:` scalar and its origin in the file.

use crate::rules::locate::locate;

fn at(file: &str, line: usize, column: usize, value: &str) -> (String, usize, usize, usize) {
    let (source, origin) = locate(file, line, column, value);
    (source, origin.line, origin.column, origin.indent)
}

#[test]
fn literal_block_keeps_file_lines_and_columns() {
    let file = "id: a\nwhen: |\n  quantity > 5\n  and x\nsplit: {}\n";
    let (source, line, column, indent) = at(file, 3, 3, "quantity > 5\nand x\n");
    assert_eq!(source, "quantity > 5\n  and x");
    assert_eq!((line, column, indent), (3, 3, 0));
}

#[test]
fn folded_block_is_compiled_as_written() {
    let file = "when: >-  # comment\n    a and\n\n    b\nnext: 1\n";
    let (source, line, column, _) = at(file, 2, 5, "a and\nb");
    assert_eq!((source.as_str(), line, column), ("a and\n\n    b", 2, 5));
}

#[test]
fn plain_scalars_single_and_multi_line() {
    let file = "when: quantity > 5 # note\nsplit: {}\n";
    assert_eq!(
        at(file, 1, 7, "quantity > 5"),
        ("quantity > 5".into(), 1, 7, 0)
    );
    let file = "when: quantity > 5\n  and x\nsplit: {}\n";
    assert_eq!(
        at(file, 1, 7, "quantity > 5 and x").0,
        "quantity > 5\n  and x"
    );
    let file = "- id: a\n  when:\n    quantity > 5\n    and x\n  split: {}\n";
    assert_eq!(
        at(file, 3, 5, "quantity > 5 and x").0,
        "quantity > 5\n    and x"
    );
}

#[test]
fn quoted_scalars_shift_past_the_quote() {
    let file = "when: 'sku == \"A\"'\n";
    assert_eq!(
        at(file, 1, 7, "sku == \"A\""),
        ("sku == \"A\"".into(), 1, 8, 0)
    );
}

#[test]
fn anything_unusual_falls_back_to_the_value() {
    let file = "when: 'it''s'\n";
    assert_eq!(at(file, 1, 7, "it's"), ("it's".into(), 1, 7, 6));
    assert_eq!(at("", 5, 1, "x").0, "x");
}
