//! pest's "expected X, Y" errors, rewritten in plain words, with the usual slips from
//! other languages (`=`, `&&`, `is null`, chained comparisons) named outright.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::ast::Span;
use super::diagnostic::Problem;
use super::parse::Rule;

/// What the parser could have accepted, in the order the message lists them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    Value,
    Comparison,
    Operator,
    Logic,
    Within,
    Duration,
    OpenParen,
    CloseParen,
    CloseBracket,
    End,
}

fn expected(rule: Rule) -> Option<Expected> {
    use Rule::*;
    Some(match rule {
        timestamp | date_only | decimal | integer | string | boolean | null | now | list
        | neg_op | group | path | ident | exists | purchased | kw_exists | kw_purchased | sum
        | comparison | logic | not_op | kw_not => Expected::Value,
        duration => Expected::Duration,
        eq | ne | le | ge | lt | gt | not_in | in_op | contains | starts_with | ends_with
        | matches | kw_in | kw_contains | kw_starts | kw_ends | kw_matches => Expected::Comparison,
        add | sub | mul | div => Expected::Operator,
        and_op | or_op | kw_and | kw_or => Expected::Logic,
        kw_within => Expected::Within,
        lparen => Expected::OpenParen,
        rparen => Expected::CloseParen,
        rbracket => Expected::CloseBracket,
        EOI => Expected::End,
        _ => return None,
    })
}

fn words(e: Expected) -> &'static str {
    match e {
        Expected::Value => "a value or a field name (such as 5, \"sv-SE\" or product.price)",
        Expected::Comparison => "a comparison (such as ==, <, in or contains)",
        Expected::Operator => "an operator (such as + or *)",
        Expected::Logic => "'and', 'or'",
        Expected::Within => "'within' (as in purchased(within 30d))",
        Expected::Duration => "a duration (such as 30d)",
        Expected::OpenParen => "'('",
        Expected::CloseParen => "a closing )",
        Expected::CloseBracket => "a comma or a closing ]",
        Expected::End => "the end of the condition",
    }
}

/// Turns a pest error into a [`Problem`] pointing at the offending token.
pub(crate) fn describe(error: &Error<Rule>, source: &str) -> Problem {
    let pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let mut wanted: Vec<Expected> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|&r| expected(r)).collect()
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    wanted.sort();
    wanted.dedup();
    // Arithmetic is always possible after a value; naming it only adds noise.
    if wanted.len() > 1 {
        wanted.retain(|&e| e != Expected::Operator);
    }
    let token = Token::at(source, pos);
    if let Some(problem) = common_slip(&token, &wanted) {
        return problem;
    }
    let found = token.describe();
    let problem = if wanted.is_empty() {
        Problem::new(token.span, format!("unexpected {found}"))
    } else {
        let list: Vec<&str> = wanted.iter().map(|&e| words(e)).collect();
        let list = match list.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => list.concat(),
        };
        Problem::new(token.span, format!("expected {list}, found {found}"))
    };
    match misspelt_keyword(&token, &wanted) {
        Some(keyword) => problem.help(format!("did you mean {keyword}?")),
        None => problem,
    }
}

/// `adn` for `and`, `contians` for `contains`.
fn misspelt_keyword(token: &Token<'_>, wanted: &[Expected]) -> Option<&'static str> {
    if !wanted.contains(&Expected::Logic) && !wanted.contains(&Expected::Comparison) {
        return None;
    }
    let lower = token.text.to_ascii_lowercase();
    if lower.len() < 2 {
        return None;
    }
    let keywords = ["and", "or", "in", "contains", "matches", "starts", "ends"];
    keywords.into_iter().find(|k| {
        let distance = strsim::damerau_levenshtein(k, &lower);
        distance == 1 || (distance == 2 && k.len() > 5)
    })
}

/// The token at an error position.
struct Token<'s> {
    text: &'s str,
    span: Span,
}

impl<'s> Token<'s> {
    fn at(source: &'s str, pos: usize) -> Self {
        let mut start = pos.min(source.len());
        while !source.is_char_boundary(start) {
            start -= 1;
        }
        let rest = &source[start..];
        let skipped = rest.len() - rest.trim_start().len();
        let start = start + skipped;
        let rest = &source[start..];
        let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
        let len = match rest.chars().next() {
            None => 0,
            Some(q @ ('"' | '\'')) => match rest[1..].find([q, '\n']) {
                Some(i) if rest[1 + i..].starts_with(q) => i + 2,
                Some(i) => i + 1,
                None => rest.len(),
            },
            Some(c) if word(c) => rest.find(|c: char| !word(c)).unwrap_or(rest.len()),
            Some(c) if "=<>!&|".contains(c) => rest
                .find(|c: char| !"=<>!&|".contains(c))
                .unwrap_or(rest.len())
                .min(2),
            Some(c) => c.len_utf8(),
        };
        let len = len.min(rest.len());
        let text = rest.get(..len).unwrap_or(rest);
        Token {
            text,
            span: Span::new(start, start + text.len()),
        }
    }

    fn describe(&self) -> String {
        match self.text.chars().next() {
            None => "the end of the condition".into(),
            Some('"' | '\'') => format!("the text {}", self.text),
            Some(_) => format!("'{}'", self.text),
        }
    }
}

fn common_slip(token: &Token<'_>, wanted: &[Expected]) -> Option<Problem> {
    let text = token.text;
    let lower = text.to_ascii_lowercase();
    let at = |message: &str, help: &str| Some(Problem::new(token.span, message).help(help));
    match text {
        "=" if wanted.contains(&Expected::Comparison) => {
            return at("a single = is not an operator", "use == to compare")
        }
        "&&" | "&" => return at("&& is not an operator here", "write and"),
        "||" | "|" => return at("|| is not an operator here", "write or"),
        "!" => return at("! is not an operator here", "write not"),
        _ => {}
    }
    if let Some(q @ ('"' | '\'')) = text.chars().next() {
        if text.len() < 2 || !text.ends_with(q) {
            let help = format!("end the text with {q} on the same line");
            return at("this text is never closed", &help);
        }
    }
    if lower == "is" {
        return at(
            "'is' is not an operator",
            "to test for missing data, write exists(x) or not exists(x)",
        );
    }
    let comparison = [
        "==", "!=", "<", "<=", ">", ">=", "in", "contains", "matches", "starts", "ends",
    ];
    let after_comparison =
        wanted.contains(&Expected::Logic) && !wanted.contains(&Expected::Comparison);
    if after_comparison && comparison.contains(&lower.as_str()) {
        return at(
            "comparisons cannot be chained",
            "join them with and, as in 1 < quantity and quantity < 10",
        );
    }
    None
}
