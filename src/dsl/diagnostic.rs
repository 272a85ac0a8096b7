//! Error reports a marketer can act on: file, line, column, the line itself with a caret
//! under the problem, plain words and, where we can guess, a suggestion.

use std::fmt;
use std::sync::Arc;

use super::ast::Span;

/// A problem found by the parser or checker, located by byte span in the condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Problem {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Problem {
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Where a condition's text sits in the file the marketer edits, so diagnostics point
/// there (line 8 of `rules/vip.yaml`) rather than into the bare expression.
///
/// The condition's first line starts at (`line`, `column`); each following line starts at
/// column `indent + 1` — for a YAML block scalar (`when: |`) that is the block's
/// indentation, for text copied verbatim from a file with its indentation it is 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file name shown in diagnostics; `None` shows `<condition>`.
    pub file: Option<Arc<str>>,
    /// 1-based line of the condition's first character.
    pub line: usize,
    /// 1-based column (in characters) of the condition's first character.
    pub column: usize,
    /// Columns that precede the condition's text on every line after the first.
    pub indent: usize,
}

impl Default for Origin {
    fn default() -> Self {
        Origin {
            file: None,
            line: 1,
            column: 1,
            indent: 0,
        }
    }
}

impl Origin {
    /// The start of the named file.
    pub fn file(name: impl Into<Arc<str>>) -> Self {
        Origin {
            file: Some(name.into()),
            ..Origin::default()
        }
    }

    /// The same file, with the condition starting at `line`, `column` (1-based).
    pub fn at(self, line: usize, column: usize) -> Self {
        Origin {
            line,
            column,
            ..self
        }
    }

    /// The same file, with lines after the first indented by `indent` columns.
    pub fn indent(self, indent: usize) -> Self {
        Origin { indent, ..self }
    }
}

/// One error, located in the file the marketer edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, if the condition came from one.
    pub file: Option<Arc<str>>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// How many characters the caret underlines (at least 1).
    pub width: usize,
    /// What is wrong, in plain words.
    pub message: String,
    /// A suggestion (`did you mean product.price?`), shown after the caret.
    pub help: Option<String>,
    /// The text of line `line`, shown above the caret. A caller that has the whole file
    /// may replace it with the file's real line (the YAML key before a plain scalar).
    pub source_line: String,
}

impl Diagnostic {
    pub(crate) fn from_problem(problem: Problem, source: &str, origin: &Origin) -> Self {
        let start = floor_boundary(source, problem.span.start);
        let end = floor_boundary(source, problem.span.end.max(start));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line_index = source[..start].matches('\n').count();
        let column0 = source[line_start..start].chars().count();
        let width = source[start..end.min(line_end)].chars().count().max(1);
        let pad = if line_index == 0 {
            origin.column.saturating_sub(1)
        } else {
            origin.indent
        };
        let text = source[line_start..line_end].trim_end_matches('\r');
        Diagnostic {
            file: origin.file.clone(),
            line: origin.line + line_index,
            column: pad + column0 + 1,
            width,
            message: problem.message,
            help: problem.help,
            source_line: format!("{}{text}", " ".repeat(pad)),
        }
    }

    /// `rules/vip.yaml:8:3: unknown field product.prise`, for logs and API answers.
    pub fn summary(&self) -> String {
        let file = self.file.as_deref().unwrap_or("<condition>");
        let help = self
            .help
            .as_deref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        format!(
            "{file}:{}:{}: {}{help}",
            self.line, self.column, self.message
        )
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    /// ```text
    /// error: unknown field product.prise
    ///  --> rules/vip.yaml:8:3
    ///   |
    /// 8 |   product.prise < 1000
    ///   |   ^^^^^^^^^^^^^ did you mean product.price?
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        let file = self.file.as_deref().unwrap_or("<condition>");
        writeln!(f, "error: {}", self.message)?;
        writeln!(f, "{gutter}--> {file}:{}:{}", self.line, self.column)?;
        writeln!(f, "{gutter} |")?;
        writeln!(f, "{number} | {}", self.source_line.trim_end())?;
        // Keep tabs in the padding so the caret lines up under tab-indented text.
        let pad: String = (self.source_line.chars().chain(std::iter::repeat(' ')))
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{gutter} | {pad}{}", "^".repeat(self.width))?;
        match &self.help {
            Some(help) => writeln!(f, " {help}"),
            None => writeln!(f),
        }
    }
}

/// Every problem found in a condition, in source order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.0))]
pub struct Diagnostics(Vec<Diagnostic>);

fn render(all: &[Diagnostic]) -> String {
    all.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Diagnostics {
    pub(crate) fn new(mut all: Vec<Diagnostic>) -> Self {
        all.sort_by_key(|d| (d.line, d.column));
        Diagnostics(all)
    }

    /// The diagnostics, in source order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// How many there are (at least one).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true for diagnostics returned by compilation; here for completeness.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Lets a caller that knows the whole file show its real lines in the snippets.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Diagnostic> {
        self.0.iter_mut()
    }

    /// The diagnostics, by value.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
