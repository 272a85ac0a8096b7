//! Literal values: the `parse_*` functions for the grammar's value rules.

use pest::iterators::Pair;

use super::ast::Span;
use super::diagnostic::Problem;
use super::parse::Rule;
use super::{Decimal, DecimalError, Duration, Timestamp};

type Parsed<T> = Result<T, Problem>;

fn span(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

/// `"text"` or `'text'`. Escapes: `\"`, `\'`, `\\`, `\n`, `\t`, `\r`, `\u{…}`; a backslash
/// before any other character is kept, so a regex reads naturally: `"^SKU-\d+$"`.
pub(crate) fn parse_string(pair: Pair<'_, Rule>) -> Parsed<String> {
    let at = span(&pair);
    let text = pair.into_inner().next().map_or("", |p| p.as_str());
    let body_start = at.start + 1;
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\'')) => out.push('\''),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, 'u')) if chars.peek().is_some_and(|&(_, c)| c == '{') => {
                let close = text[i..].find('}').map(|j| i + j);
                let escape_span = Span::new(
                    body_start + i,
                    body_start + close.map_or(text.len(), |j| j + 1),
                );
                let digits = close.map(|j| &text[i + 3..j]);
                let ch = digits
                    .filter(|d| (1..=6).contains(&d.len()))
                    .and_then(|d| u32::from_str_radix(d, 16).ok())
                    .and_then(char::from_u32);
                let Some(ch) = ch else {
                    return Err(
                        Problem::new(escape_span, "this is not a valid \\u{…} escape")
                            .help("write a Unicode code point in hex, such as \\u{e9} for é"),
                    );
                };
                out.push(ch);
                while chars.next_if(|&(k, _)| Some(k) <= close).is_some() {}
            }
            Some((_, other)) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Ok(out)
}

/// `5`
pub(crate) fn parse_integer(pair: Pair<'_, Rule>) -> Parsed<i64> {
    pair.as_str().parse().map_err(|_| {
        Problem::new(span(&pair), "this number is too large")
            .help(format!("whole numbers go up to {}", i64::MAX))
    })
}

/// `19.99`
pub(crate) fn parse_decimal(pair: Pair<'_, Rule>) -> Parsed<Decimal> {
    pair.as_str()
        .parse()
        .map_err(|e: DecimalError| Problem::new(span(&pair), e.to_string()))
}

/// `30d`, `1h30m`
pub(crate) fn parse_duration(pair: Pair<'_, Rule>) -> Parsed<Duration> {
    Duration::parse(pair.as_str())
        .ok_or_else(|| Problem::new(span(&pair), "this duration is too long"))
}

/// `2024-05-01T00:00:00Z`, `2023-12-07T12:21:28+01:00`
pub(crate) fn parse_timestamp(pair: Pair<'_, Rule>) -> Parsed<Timestamp> {
    let text = pair.as_str();
    if let Some(t) = Timestamp::parse_rfc3339(text) {
        return Ok(t);
    }
    let has_offset =
        text.len() > 11 && (text.ends_with(['z', 'Z']) || text[11..].contains(['+', '-']));
    let message = if has_offset {
        format!("{text} is not a valid timestamp")
    } else {
        format!("the timestamp {text} has no time zone")
    };
    Err(Problem::new(span(&pair), message)
        .help("write an RFC 3339 timestamp such as 2024-05-01T09:30:00+02:00 or …Z for UTC"))
}

/// `2024-05-01` alone would otherwise read as the subtraction 2024 - 5 - 1.
pub(crate) fn date_without_time(pair: Pair<'_, Rule>) -> Problem {
    let text = pair.as_str();
    Problem::new(
        span(&pair),
        format!("the date {text} needs a time and a time zone"),
    )
    .help(format!("write {text}T00:00:00Z for midnight UTC"))
}
