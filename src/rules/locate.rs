//! Where a `when:` condition's text sits in its YAML file, so its diagnostics carry the
//! file's lines and columns.
//!
//! YAML rewrites scalars: a block scalar loses its indentation, a folded or multi-line
//! plain scalar turns line breaks into spaces. Rather than map offsets through those
//! rules, we compile the condition's raw text from the file — each line as written, so
//! every position is already a file position. Line breaks and indentation are mere
//! whitespace to the language, so this is the same condition; to be sure, the raw text is
//! used only when it equals the parsed value line for line, and otherwise the value is
//! compiled with positions relative to where it starts.

use crate::dsl::Origin;

/// The text to compile for a scalar parsed as `value` whose first character is at the
/// 1-based `line` and `column` of `file`, and the origin of that text.
pub(crate) fn locate(file: &str, line: usize, column: usize, value: &str) -> (String, Origin) {
    let fallback = || {
        let origin = Origin::default()
            .at(line, column)
            .indent(column.saturating_sub(1));
        (value.to_owned(), origin)
    };
    let lines: Vec<&str> = file.lines().collect();
    let Some(first) = lines.get(line.wrapping_sub(1)) else {
        return fallback();
    };
    let Some((start, _)) = first.char_indices().nth(column.saturating_sub(1)) else {
        return fallback();
    };
    let head = &first[start..];
    if head.starts_with(['"', '\'']) {
        if value.contains('\n') || !head[1..].starts_with(value) {
            return fallback();
        }
        return (value.to_owned(), Origin::default().at(line, column + 1));
    }
    let before = first[..start].trim();
    let header = lines[..line - 1]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty());
    let block = before.is_empty() && header.is_some_and(|h| is_block_header(h));
    let rest = &lines[line..];
    let raw = if block {
        block_text(head, rest, column - 1)
    } else {
        let parent = if before.is_empty() {
            header.map_or(0, |h| indentation(h))
        } else {
            indentation(first)
        };
        plain_text(head, rest, parent)
    };
    if squash(&raw) == squash(value) {
        (raw, Origin::default().at(line, column))
    } else {
        fallback()
    }
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `when: |`, `when: >-`, `- |2`, possibly followed by a comment.
fn is_block_header(line: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line).trim_end();
    let indicator = code.trim_end_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
    indicator.ends_with(['|', '>'])
}

/// The first content line and every following line that is blank or indented at least as
/// far, without trailing blank lines.
fn block_text(head: &str, rest: &[&str], indent: usize) -> String {
    let mut out = vec![head];
    for line in rest {
        if !line.trim().is_empty() && indentation(line) < indent {
            break;
        }
        out.push(line);
    }
    while out.len() > 1 && out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// The first line up to a comment, and the continuation lines indented past `parent`.
fn plain_text(head: &str, rest: &[&str], parent: usize) -> String {
    let uncomment = |l: &str| l.split(" #").next().unwrap_or(l).trim_end().to_owned();
    let mut out = vec![uncomment(head)];
    for line in rest {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || indentation(line) <= parent {
            break;
        }
        out.push(uncomment(line));
    }
    out.join("\n")
}

/// The text with each line trimmed and blank lines dropped, lines joined by one space.
fn squash(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
