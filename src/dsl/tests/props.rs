//! The parser, checker and evaluator never panic, whatever the input: random text,
//! mutations of real conditions, deep nesting, huge literals and 100 KB sources. Case
//! counts are bounded so the whole file runs in a few seconds in CI.

use std::time::{Duration as Elapsed, Instant};

use proptest::prelude::*;

use super::{schema, Fixture};
use crate::dsl::{Condition, MAX_SOURCE_BYTES};

const SEEDS: &[&str] = &[
    "quantity >= 5 and locale in [\"sv-SE\",\"en-US\",\"de-DE\"] and product.price < 1000",
    "subscription.age < 30d and contact.attributes.vip == true and not purchased",
    "(product.name contains \"Run\" or product.tags contains \"sale\") and exists(externalId)",
    "sku matches \"^SKU-\\d+$\" and purchased(within 2w) # comment\n or quantity / 2 > 1.5",
    "subscription.createdOn > now - 1w and -quantity * 2 != 3 and locale starts with 'sv'",
    "product.price * 0.8 <= 100.25 and contact.locale not in ['fi-FI'] and x in [1, -2]",
];

/// Tokens that mutations splice in: the language's own pieces and its usual suspects.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "\\",
    "#",
    "\n",
    " and ",
    " or ",
    " not ",
    " in ",
    "==",
    "=",
    "<",
    ">=",
    "!",
    "-",
    "+",
    "*",
    "/",
    ".",
    "30d",
    "1.5",
    "9999999999999999999999",
    "2024-01-01T00:00:00Z",
    "2024-01-01",
    "null",
    "now",
    "exists(",
    "purchased(within ",
    "product.",
    "contact.attributes.",
    "é",
    "😀",
    "\u{0}",
    "matches \"(?-u:\\xFF)\"",
    "\\u{",
];

/// Compiling must return, and a compiled condition must evaluate, without panicking.
fn exercise(source: &str) {
    if let Ok(condition) = Condition::compile(source, &schema()) {
        let fixture = Fixture::new();
        let _ = condition.evaluate(&fixture.record());
        let _ = condition.evaluate(&crate::dsl::Record::default());
    }
}

fn mutation() -> impl Strategy<Value = (usize, usize, usize, usize)> {
    (0..SEEDS.len(), any::<usize>(), 0usize..4, 0..TOKENS.len())
}

/// Applies one edit at a character boundary: insert a token, delete a run, or cut.
fn mutate(source: &str, at: usize, kind: usize, token: usize) -> String {
    let boundaries: Vec<usize> = source
        .char_indices()
        .map(|(i, _)| i)
        .chain([source.len()])
        .collect();
    let i = boundaries[at % boundaries.len()];
    let j = boundaries[(at / 7 % boundaries.len()).max(at % boundaries.len())];
    match kind {
        0 => format!("{}{}{}", &source[..i], TOKENS[token], &source[i..]),
        1 => format!("{}{}", &source[..i], &source[j..]),
        2 => format!("{}{}{}", &source[..i], TOKENS[token], &source[j..]),
        _ => source[..i].to_owned(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(source in "\\PC{0,120}") {
        exercise(&source);
    }

    #[test]
    fn random_token_soup_never_panics(picks in prop::collection::vec(0..TOKENS.len(), 0..40)) {
        let source: String = picks.into_iter().map(|i| TOKENS[i]).collect();
        exercise(&source);
    }

    #[test]
    fn mutated_conditions_never_panic(edits in prop::collection::vec(mutation(), 1..6)) {
        let mut source = SEEDS[edits[0].0].to_owned();
        for (_, at, kind, token) in edits {
            source = mutate(&source, at, kind, token);
        }
        exercise(&source);
    }

    #[test]
    fn not_is_the_complement_for_any_quantity(quantity in any::<i64>(), bound in any::<i64>()) {
        let mut fixture = Fixture::new();
        fixture.quantity = quantity;
        let condition = Condition::compile(&format!("quantity < {}", bound.unsigned_abs()), &schema()).ok();
        let negated = Condition::compile(&format!("not quantity < {}", bound.unsigned_abs()), &schema()).ok();
        if let (Some(c), Some(n)) = (condition, negated) {
            prop_assert_eq!(c.evaluate(&fixture.record()), !n.evaluate(&fixture.record()));
        }
    }
}

fn rejected_quickly(source: &str, expected: &str) {
    let started = Instant::now();
    let error = Condition::compile(source, &schema()).expect_err("must be rejected");
    assert!(error.to_string().contains(expected), "{error}");
    assert!(
        started.elapsed() < Elapsed::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let parens = format!("{}quantity > 1{}", "(".repeat(20_000), ")".repeat(20_000));
    rejected_quickly(&parens, "brackets are nested more than 64 deep");
    let lists = format!("x in {}1{}", "[".repeat(5_000), "]".repeat(5_000));
    rejected_quickly(&lists, "brackets are nested more than 64 deep");
    rejected_quickly(
        &format!("{}purchased", "not ".repeat(15_000)),
        "nests operators more than 128 deep",
    );
    rejected_quickly(
        &format!("{}1 > 0", "-".repeat(60_000)),
        "nests operators more than 128 deep",
    );
    rejected_quickly(
        &format!("1{} > 0", " + 1".repeat(10_000)),
        "nests operators more than 128 deep",
    );
    let nested =
        |levels: usize| format!("{}purchased{}", "not (".repeat(levels), ")".repeat(levels));
    rejected_quickly(&nested(100), "brackets are nested more than 64 deep");
    assert!(Condition::compile(&nested(60), &schema()).is_ok());
}

#[test]
fn oversized_sources_and_literals_are_errors() {
    let huge = format!("sku == \"{}\"", "x".repeat(100 * 1024));
    rejected_quickly(&huge, &format!("the limit is {MAX_SOURCE_BYTES} bytes"));
    rejected_quickly(
        &format!("quantity > {}", "9".repeat(20_000)),
        "this number is too large",
    );
    rejected_quickly(
        &format!("x < {}d", "9".repeat(5_000)),
        "this duration is too long",
    );
    rejected_quickly(
        "sku matches \"(a{1000}){1000}\"",
        "invalid regular expression",
    );
}

#[test]
fn a_large_valid_condition_compiles_and_runs_fast() {
    let skus: Vec<String> = (0..4_000).map(|i| format!("\"SKU-{i:05}\"")).collect();
    let source = format!("quantity > 0 and sku in [{}]", skus.join(","));
    assert!(source.len() > 40_000 && source.len() <= MAX_SOURCE_BYTES);
    let started = Instant::now();
    let condition = Condition::compile(&source, &schema()).expect("compiles");
    let mut fixture = Fixture::new();
    fixture.sku = "SKU-03999".into();
    assert!(condition.evaluate(&fixture.record()));
    let chain = (0..3_000)
        .map(|i| format!("quantity == {i}"))
        .collect::<Vec<_>>()
        .join(" or ");
    let condition = Condition::compile(&chain, &schema()).expect("compiles");
    assert!(condition.evaluate(&fixture.record()));
    assert!(
        started.elapsed() < Elapsed::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}
