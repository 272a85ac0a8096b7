use std::fmt;
use std::path::{Path, PathBuf};

use handlebars::{RenderErrorReason, TemplateErrorReason};
use thiserror::Error;

use crate::domain::Locale;

/// A place in a template file: the file, and the line and column when Handlebars knows
/// them. Shown as `templates/sv-SE/back-in-stock.html.hbs:12:5`, the form editors jump to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as found under the folder given to [`Templates::load`](super::Templates::load).
    pub path: PathBuf,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column, if known.
    pub column: Option<usize>,
}

impl Location {
    /// The whole file, when there is no position to point at.
    pub fn file(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            line: None,
            column: None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// Everything that can go wrong loading or rendering email templates. Every variant that
/// concerns a file names it, so an admin can fix the right one.
#[derive(Debug, Error)]
pub enum TemplateError {
    /// The templates folder or a file in it could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file or folder does not follow the layout described in `templates/README.md`
    /// (a folder that is not a locale, a template missing a part, a stray `.hbs` name).
    #[error("{}: {reason}", path.display())]
    Layout { path: PathBuf, reason: String },
    /// A file is not valid Handlebars.
    #[error("{at}: {message}")]
    Syntax { at: Location, message: String },
    /// Rendering failed: a missing variable (strict mode), a helper given bad input, a
    /// partial that does not exist.
    #[error("{at}: {message}")]
    Render { at: Location, message: String },
    /// The subject rendered to more than one line; a line break in a mail header would
    /// let data inject headers, so it is refused.
    #[error("{}: the subject must be a single line, but it renders with a line break (CR or LF)", path.display())]
    MultilineSubject { path: PathBuf },
    /// A template failed the check at load time against the sample data.
    #[error("{source} (checked against {sample})")]
    Validation {
        sample: String,
        #[source]
        source: Box<TemplateError>,
    },
    /// Neither the asked locale nor the fallback locale has a template of this name.
    #[error("no template {name:?} for locale {locale} nor for the fallback locale {fallback}")]
    NotFound {
        name: String,
        locale: Locale,
        fallback: Locale,
    },
    /// More than one problem was found while loading; all are listed so that one reload
    /// attempt shows everything to fix.
    #[error("{} template problems: {}", .0.len(), join(.0))]
    Several(Vec<TemplateError>),
}

impl TemplateError {
    /// One error as is, several as [`TemplateError::Several`], none as `Ok`.
    pub(super) fn collect(mut errors: Vec<TemplateError>) -> Result<(), TemplateError> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(TemplateError::Several(errors)),
        }
    }

    /// A parse error of `path`, with the position Handlebars reports.
    pub(super) fn syntax(path: &Path, error: &handlebars::TemplateError) -> Self {
        let (line, column) = error.pos().unzip();
        let message = match error.reason() {
            TemplateErrorReason::InvalidSyntax(_) => "invalid Handlebars syntax".to_owned(),
            reason => reason.to_string(),
        };
        TemplateError::Syntax {
            at: Location {
                path: path.to_path_buf(),
                line,
                column,
            },
            message,
        }
    }

    /// A render error; `path` is the file the error happened in (a partial's, when the
    /// error is inside one).
    pub(super) fn render(path: &Path, error: &handlebars::RenderError) -> Self {
        let message = match error.reason() {
            RenderErrorReason::MissingVariable(Some(name)) => format!(
                "the variable `{name}` is missing (strict mode: guard optional values \
                 with {{{{#if}}}} or {{{{default}}}})"
            ),
            RenderErrorReason::MissingVariable(None) => "a variable is missing".to_owned(),
            RenderErrorReason::PartialNotFound(name) => format!("no partial named {name:?}"),
            RenderErrorReason::HelperNotFound(name) => format!("no helper named {name:?}"),
            RenderErrorReason::TemplateError(inner) => {
                return TemplateError::syntax(path, inner);
            }
            reason => reason.to_string(),
        };
        TemplateError::Render {
            at: Location {
                path: path.to_path_buf(),
                line: error.line_no,
                column: error.column_no,
            },
            message,
        }
    }

    /// The `path` of a layout problem.
    pub(super) fn layout(path: &Path, reason: impl Into<String>) -> Self {
        TemplateError::Layout {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    /// An I/O error on `path`.
    pub(super) fn io(path: &Path, source: std::io::Error) -> Self {
        TemplateError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn join(errors: &[TemplateError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
