//! Limits that keep the parser and checker fast and their recursion shallow, whatever a
//! file contains. Checked before pest runs, so hostile input never reaches deep recursion.

use super::ast::Span;
use super::diagnostic::Problem;

/// The longest condition accepted, in bytes. Generous: a list of 4,000 SKUs fits.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;
/// How deeply `(` and `[` may nest.
pub const MAX_NESTING: usize = 64;
/// How deeply operators may nest in the syntax tree (`and`/`or` chains are flat and do not
/// count against it; `not not not …` and `1 + 1 + …` do).
pub const MAX_DEPTH: u32 = 128;

/// Rejects sources that are too long or nest brackets too deeply.
pub(crate) fn check_source(source: &str) -> Result<(), Problem> {
    if source.len() > MAX_SOURCE_BYTES {
        let message = format!(
            "this condition is {} bytes long; the limit is {MAX_SOURCE_BYTES} bytes",
            source.len()
        );
        return Err(Problem::new(Span::new(0, 0), message)
            .help("split it over several automations, or shorten long lists"));
    }
    let mut depth = 0usize;
    let mut quote: Option<(usize, char)> = None;
    let mut escaped = false;
    let mut comment = false;
    for (i, c) in source.char_indices() {
        if c == '\n' {
            if let Some((start, q)) = quote {
                return Err(unclosed(source, start, i, q));
            }
            (escaped, comment) = (false, false);
            continue;
        }
        if comment {
            continue;
        }
        if let Some((_, q)) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some((i, c)),
            '#' => comment = true,
            '(' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let message = format!("brackets are nested more than {MAX_NESTING} deep here");
                    return Err(Problem::new(Span::new(i, i + 1), message));
                }
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    match quote {
        Some((start, q)) => Err(unclosed(source, start, source.len(), q)),
        None => Ok(()),
    }
}

fn unclosed(source: &str, start: usize, end: usize, quote: char) -> Problem {
    let end = source[..end].trim_end().len().max(start + 1);
    Problem::new(Span::new(start, end), "this text is never closed")
        .help(format!("end it with {quote} on the same line"))
}

/// The error for a tree that grew deeper than [`MAX_DEPTH`].
pub(crate) fn too_deep(span: Span) -> Problem {
    let message = format!("this condition nests operators more than {MAX_DEPTH} deep");
    Problem::new(span, message).help("simplify it, or split it over several automations")
}
