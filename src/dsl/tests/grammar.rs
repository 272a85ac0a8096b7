//! One test per grammar rule: what it accepts and the tree it builds.

use crate::dsl::parse;

/// The S-expression of the parsed tree, or the first error message.
fn tree(source: &str) -> String {
    match parse(source) {
        Ok(expr) => expr.to_string(),
        Err(d) => format!(
            "error: {}",
            d.iter().next().map_or("", |d| d.message.as_str())
        ),
    }
}

#[test]
fn condition_is_one_expression_with_surrounding_space_and_comments() {
    assert_eq!(tree("  quantity > 0  "), "(> quantity 0)");
    assert_eq!(
        tree("# header\nquantity > 0 # trailing\n"),
        "(> quantity 0)"
    );
    assert!(tree("").starts_with("error: expected a value"));
    assert!(tree("# only a comment").starts_with("error:"));
}

#[test]
fn logic_binds_not_then_and_then_or() {
    assert_eq!(tree("a or b and c"), "(or a (and b c))");
    assert_eq!(tree("not a and b"), "(and (not a) b)");
    assert_eq!(tree("not not a"), "(not (not a))");
    assert_eq!(tree("(a or b) and c"), "(and (or a b) c)");
    assert_eq!(tree("a and b and c or d"), "(or (and a b c) d)");
}

#[test]
fn comparison_operators() {
    let cases = [
        ("a == 1", "(== a 1)"),
        ("a != 1", "(!= a 1)"),
        ("a < 1", "(< a 1)"),
        ("a <= 1", "(<= a 1)"),
        ("a > 1", "(> a 1)"),
        ("a >= 1", "(>= a 1)"),
        ("a in [1]", "(in a [1])"),
        ("a not in [1]", "(not in a [1])"),
        ("a contains \"x\"", "(contains a \"x\")"),
        ("a starts with \"x\"", "(starts with a \"x\")"),
        ("a ends  with \"x\"", "(ends with a \"x\")"),
        ("a matches \"x\"", "(matches a \"x\")"),
    ];
    for (source, expected) in cases {
        assert_eq!(tree(source), expected, "{source}");
    }
}

#[test]
fn comparison_does_not_chain() {
    assert_eq!(tree("1 < a < 3"), "error: comparisons cannot be chained");
}

#[test]
fn sum_binds_neg_then_times_then_plus() {
    assert_eq!(tree("a + b * c > 0"), "(> (+ a (* b c)) 0)");
    assert_eq!(tree("a - b - c > 0"), "(> (- (- a b) c) 0)");
    assert_eq!(tree("-a * 2 > 0"), "(> (* (- a) 2) 0)");
    assert_eq!(tree("a / 2 - -1 > 0"), "(> (- (/ a 2) (- 1)) 0)");
}

#[test]
fn keywords_are_case_insensitive() {
    assert_eq!(tree("A AND NOT b Or c"), "(or (and A (not b)) c)");
    assert_eq!(
        tree("x NOT IN [TRUE, False, NULL]"),
        "(not in x [true false null])"
    );
    assert_eq!(tree("x Starts With \"a\""), "(starts with x \"a\")");
    assert_eq!(
        tree("PURCHASED(WITHIN 3d) and EXISTS(x) and t < NOW"),
        "(and (purchased 3d) (exists x) (< t now))"
    );
}

#[test]
fn keywords_need_a_word_boundary() {
    assert_eq!(tree("android == 1"), "(== android 1)");
    assert_eq!(tree("order or notice"), "(or order notice)");
    assert_eq!(tree("nowhere"), "nowhere");
}

#[test]
fn integer_and_decimal() {
    assert_eq!(tree("x == 42"), "(== x 42)");
    assert_eq!(tree("x == 19.99"), "(== x 19.99)");
    assert_eq!(
        tree("x == 99999999999999999999"),
        "error: this number is too large"
    );
    assert!(tree("x == 1.1234567").contains("at most 6 digits"));
    assert!(tree("x == 5x").starts_with("error: expected"));
}

#[test]
fn duration() {
    assert_eq!(tree("x < 30d"), "(< x 30d)");
    assert_eq!(tree("x < 1h30m"), "(< x 1h30m)");
    assert_eq!(tree("x < 2w + 15m + 45s"), "(< x (+ (+ 2w 15m) 45s))");
    assert!(tree("x < 30y").starts_with("error: expected"));
    assert_eq!(
        tree("x < 99999999999999w"),
        "error: this duration is too long"
    );
}

#[test]
fn timestamp() {
    assert_eq!(
        tree("x < 2024-05-01T09:30:00+02:00"),
        "(< x 2024-05-01T07:30:00Z)"
    );
    assert_eq!(
        tree("x < 2024-05-01t00:00:00.250z"),
        "(< x 2024-05-01T00:00:00.250Z)"
    );
    assert_eq!(
        tree("x < 2024-05-01T00:00:00"),
        "error: the timestamp 2024-05-01T00:00:00 has no time zone"
    );
    assert_eq!(
        tree("x < 2024-13-01T00:00:00Z"),
        "error: 2024-13-01T00:00:00Z is not a valid timestamp"
    );
    assert_eq!(
        tree("x < 2024-05-01"),
        "error: the date 2024-05-01 needs a time and a time zone"
    );
}

#[test]
fn string_escapes_and_quotes() {
    assert_eq!(tree(r#"x == "a\"b""#), r#"(== x "a\"b")"#);
    assert_eq!(tree(r"x == 'it\'s'"), r#"(== x "it's")"#);
    assert_eq!(tree(r#"x == 'say "hi"'"#), r#"(== x "say \"hi\"")"#);
    assert_eq!(tree(r#"x == "tab\there\n""#), r#"(== x "tab\there\n")"#);
    assert_eq!(tree(r#"x == "caf\u{e9}""#), r#"(== x "café")"#);
    assert_eq!(
        tree(r#"x matches "^SKU-\d+$""#),
        r#"(matches x "^SKU-\\d+$")"#
    );
    assert_eq!(
        tree(r#"x == "\u{110000}""#),
        r"error: this is not a valid \u{…} escape"
    );
    assert_eq!(tree("x == \"open"), "error: this text is never closed");
    assert_eq!(
        tree("x == \"line\nbreak\""),
        "error: this text is never closed"
    );
}

#[test]
fn boolean_null_now() {
    assert_eq!(
        tree("x == true or x == FALSE"),
        "(or (== x true) (== x false))"
    );
    assert_eq!(tree("x == null"), "(== x null)");
    assert_eq!(tree("x < now - 1d"), "(< x (- now 1d))");
}

#[test]
fn list() {
    assert_eq!(tree("x in []"), "(in x [])");
    assert_eq!(tree("x in [1, -2, 3.5,]"), "(in x [1 (- 2) 3.5])");
    assert_eq!(tree("x in [\"a\"\n , \"b\"]"), "(in x [\"a\" \"b\"])");
    assert!(tree("x in [1 2]").contains("a comma or a closing ]"));
}

#[test]
fn exists_and_purchased() {
    assert_eq!(tree("exists(product.price)"), "(exists product.price)");
    assert_eq!(tree("exists ( contact.email )"), "(exists contact.email)");
    assert_eq!(tree("purchased"), "purchased");
    assert_eq!(tree("purchased(within 30d)"), "(purchased 30d)");
    assert!(tree("exists(5)").starts_with("error: expected"));
    assert!(tree("purchased(30d)").contains("within"));
}

#[test]
fn path() {
    assert_eq!(tree("contact.attributes.vip"), "contact.attributes.vip");
    assert_eq!(tree("product.in == 1"), "(== product.in 1)");
    assert_eq!(tree("_x1 == 1"), "(== _x1 1)");
    assert!(tree("product. price == 1").starts_with("error:"));
}

#[test]
fn group() {
    assert_eq!(tree("((a))"), "a");
    assert_eq!(tree("(a + 1) * 2 > 3"), "(> (* (+ a 1) 2) 3)");
    assert!(tree("(a or b").contains("a closing )"));
}
