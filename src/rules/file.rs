//! A rules file's text and name, and diagnostics located in it.

use std::sync::Arc;

use marked_yaml::{Marker, Span};

use crate::dsl::Diagnostic;

/// The file being loaded: its name as shown in diagnostics, and its text.
pub(crate) struct RulesFile<'a> {
    pub name: Arc<str>,
    pub text: &'a str,
}

impl RulesFile<'_> {
    /// The text of a 1-based line, without its line break.
    pub fn line(&self, line: usize) -> &str {
        self.text.lines().nth(line.saturating_sub(1)).unwrap_or("")
    }

    /// A diagnostic at a marker (1-based line and column), underlining `width` characters.
    pub fn at(
        &self,
        marker: Option<&Marker>,
        width: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = marker.map_or((1, 1), |m| (m.line().max(1), m.column().max(1)));
        Diagnostic {
            file: Some(self.name.clone()),
            line,
            column,
            width: width.max(1),
            message: message.into(),
            help: None,
            source_line: self.line(line).to_owned(),
        }
    }

    /// A diagnostic under a node's start, as wide as `text` (the node's own text).
    pub fn at_span(&self, span: &Span, text: &str, message: impl Into<String>) -> Diagnostic {
        self.at(span.start(), text.chars().count(), message)
    }

    /// Shows the file's real lines in a condition's diagnostics (the `when:` key before a
    /// plain scalar, not just the condition's text).
    pub fn show_real_lines(&self, diagnostics: &mut [Diagnostic]) {
        for d in diagnostics {
            if d.line >= 1 && d.line <= self.text.lines().count() {
                d.source_line = self.line(d.line).to_owned();
            }
        }
    }
}

/// Adds a suggestion to a diagnostic.
pub(crate) fn with_help(mut d: Diagnostic, help: impl Into<String>) -> Diagnostic {
    d.help = Some(help.into());
    d
}
