//! Whole trees: realistic conditions parse to exactly the tree we expect, spans included.

use crate::dsl::ast::{CompareOp, Expr, ExprKind, Path, Span};
use crate::dsl::parse;

fn parsed(source: &str) -> Expr {
    parse(source).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn the_vip_condition() {
    let source = "product.price < 1000\nand contact.attributes.vip == true\nand not purchased";
    assert_eq!(
        parsed(source).to_string(),
        "(and (< product.price 1000) (== contact.attributes.vip true) (not purchased))"
    );
}

#[test]
fn the_benchmark_condition() {
    let source = r#"quantity >= 5 and locale in ["sv-SE","en-US","de-DE"] and product.price < 1000
        and subscription.age < 30d and contact.attributes.vip == true"#;
    assert_eq!(
        parsed(source).to_string(),
        "(and (>= quantity 5) (in locale [\"sv-SE\" \"en-US\" \"de-DE\"]) (< product.price 1000) \
         (< subscription.age 30d) (== contact.attributes.vip true))"
    );
}

#[test]
fn a_mixed_condition() {
    let source = r#"(locale == "sv-SE" or contact.locale starts with "sv")
        and not (product.category matches "(?i)outlet" or product.price * 0.8 < 100)
        and subscription.createdOn > now - 2w and exists(externalId)"#;
    assert_eq!(
        parsed(source).to_string(),
        "(and (or (== locale \"sv-SE\") (starts with contact.locale \"sv\")) \
         (not (or (matches product.category \"(?i)outlet\") (< (* product.price 0.8) 100))) \
         (> subscription.createdOn (- now 2w)) (exists externalId))"
    );
}

#[test]
fn nodes_carry_their_spans() {
    let source = "quantity >= 5 and product.price < 10";
    let expr = parsed(source);
    assert_eq!(expr.span, Span::new(0, source.len()));
    let ExprKind::And(items) = &expr.kind else {
        panic!("expected and: {expr}")
    };
    assert_eq!(items[0].span, Span::new(0, 13));
    let ExprKind::Compare(op, lhs, rhs) = &items[1].kind else {
        panic!("expected comparison")
    };
    assert_eq!(*op, CompareOp::Lt);
    let expected = Path {
        segments: vec!["product".into(), "price".into()],
        unquoted_brackets: false,
        span: Span::new(18, 31),
    };
    assert_eq!(lhs.kind, ExprKind::Field(expected));
    assert_eq!(
        (rhs.kind.clone(), rhs.span),
        (ExprKind::Int(10), Span::new(34, 36))
    );
}

#[test]
fn a_group_spans_its_parentheses() {
    let expr = parsed("not (a or b)");
    let ExprKind::Not(inner) = &expr.kind else {
        panic!("expected not")
    };
    assert_eq!(inner.span, Span::new(4, 12));
}

#[test]
fn long_or_chains_stay_flat() {
    let source = (0..2000)
        .map(|i| format!("sku == \"S{i}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let ExprKind::Or(items) = parsed(&source).kind else {
        panic!("expected or")
    };
    assert_eq!(items.len(), 2000);
}
